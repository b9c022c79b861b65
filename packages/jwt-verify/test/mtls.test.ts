import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { authorizerRequestEvent, createTestIssuer, httpApiEvent, httpAuthorizerEventV2, restEvent, type TestIssuer } from '@middy-auth/testing'
import { selfSignedCertificate, type TestCertificate as Certificate } from '../../../test/support/certificates.js'
import { loadFixture } from '../../../test/support/fixtures.js'
import { certificateThumbprint } from '../src/keys.js'
import { outcome, protect } from './support.js'

let iss: TestIssuer
const audience = 'devices'
const certs: Certificate[] = []
/** The i-th certificate made in beforeAll. */
const cert = (index: number): Certificate => certs[index] as Certificate

beforeAll(async () => {
  certs.push(selfSignedCertificate('device-1'), selfSignedCertificate('device-2'))
  iss = await createTestIssuer()
})
afterAll(async () => {
  await iss.close()
})

const entry = () => ({ issuer: iss.issuer, audience, jwksUri: iss.jwksUri })
const boundToken = (thumbprint: string) => iss.sign({ sub: 'device-1', cnf: { 'x5t#S256': thumbprint } }, { audience })
const plainToken = () => iss.sign({ sub: 'device-1' }, { audience })

/** Every event kind that carries a client certificate, built with a given certificate PEM (or none). */
const eventKinds: Array<[string, (token: string, pem?: string) => unknown]> = [
  ['REST (identity.clientCert)', (token, pem) => restEvent({ bearer: token, ...(pem ? { clientCert: { clientCertPem: pem } } : {}) })],
  ['HTTP API (authentication.clientCert)', (token, pem) => httpApiEvent({ bearer: token, ...(pem ? { clientCert: { clientCertPem: pem } } : {}) })],
  [
    'REST REQUEST authorizer',
    (token, pem) => {
      const event = authorizerRequestEvent({ bearer: token }) as Record<string, any>
      if (pem) event.requestContext.identity = { ...(event.requestContext.identity ?? {}), clientCert: { clientCertPem: pem } }
      return event
    },
  ],
  [
    'HTTP API 2.0 authorizer',
    (token, pem) => {
      const event = httpAuthorizerEventV2({ bearer: token }) as Record<string, any>
      if (pem) event.requestContext.authentication = { clientCert: { clientCertPem: pem } }
      return event
    },
  ],
  [
    'real fixture rest-v1-mtls.json',
    (token, pem) => {
      const event = loadFixture('rest-v1-mtls.json')
      event.headers = { ...event.headers, Authorization: `Bearer ${token}` }
      event.multiValueHeaders = { ...event.multiValueHeaders, Authorization: [`Bearer ${token}`] }
      if (pem) event.requestContext.identity.clientCert.clientCertPem = pem
      else delete event.requestContext.identity.clientCert
      return event
    },
  ],
  [
    'real fixture http-v2-jwt-mtls-scopes.json',
    (token, pem) => {
      const event = loadFixture('http-v2-jwt-mtls-scopes.json')
      event.headers = { ...event.headers, authorization: `Bearer ${token}` }
      if (pem) event.requestContext.authentication.clientCert.clientCertPem = pem
      else delete event.requestContext.authentication
      return event
    },
  ],
]

describe('mTLS-bound tokens (RFC 8705)', () => {
  test('certificateThumbprint is the SHA-256 of the DER, base64url, as openssl computes it', () => {
    for (const made of certs) expect(certificateThumbprint(made.pem)).toBe(made.thumbprint)
    expect(certificateThumbprint('-----BEGIN CERTIFICATE-----\nMIIEZTCCAk0CAQEwDQ...')).toBeUndefined()
  })

  describe.each(eventKinds)('%s', (_name, makeEvent) => {
    test('the bound token with its certificate is accepted and recorded', async () => {
      const api = protect({ issuers: [entry()], mtls: { boundTokens: 'required' } })
      const first = cert(0)
      expect((await api.invoke(makeEvent(await boundToken(first.thumbprint), first.pem))).statusCode).toBe(200)
      expect(api.seen[0]?.confirmation).toEqual({ 'x5t#S256': first.thumbprint })
    })

    test('another certificate, or none: 401 invalid_token', async () => {
      const api = protect({ issuers: [entry()], mtls: { boundTokens: 'allowed' } })
      const [first, second] = [cert(0), cert(1)]
      const token = await boundToken(first.thumbprint)
      expect(outcome(await api.invoke(makeEvent(token, second.pem)))).toEqual([401, 'invalid_token'])
      expect(outcome(await api.invoke(makeEvent(token)))).toEqual([401, 'invalid_token'])
      expect(api.seen).toEqual([])
    })
  })

  test('required: an unbound token is refused; allowed: accepted, with no confirmation', async () => {
    const event = async () => httpApiEvent({ bearer: await plainToken(), clientCert: { clientCertPem: cert(0).pem } })
    expect(outcome(await protect({ issuers: [entry()], mtls: { boundTokens: 'required' } }).invoke(await event()))).toEqual([401, 'invalid_token'])
    const relaxed = protect({ issuers: [entry()], mtls: { boundTokens: 'allowed' } })
    expect((await relaxed.invoke(await event())).statusCode).toBe(200)
    expect(relaxed.seen[0]?.confirmation).toBeUndefined()
  })

  test('a certificate-bound token is refused where mTLS binding is not turned on', async () => {
    const api = protect({ issuers: [entry()] })
    expect(outcome(await api.invoke(httpApiEvent({ bearer: await boundToken(cert(0).thumbprint), clientCert: { clientCertPem: cert(0).pem } })))).toEqual([
      401,
      'invalid_token',
    ])
  })

  test('the truncated PEM of the real fixtures is no certificate: refused', async () => {
    const api = protect({ issuers: [entry()], mtls: { boundTokens: 'required' } })
    const event = loadFixture('rest-v1-mtls.json')
    event.headers.Authorization = `Bearer ${await boundToken(cert(0).thumbprint)}`
    event.multiValueHeaders = { ...event.multiValueHeaders, Authorization: [event.headers.Authorization] }
    expect(outcome(await api.invoke(event))).toEqual([401, 'invalid_token'])
  })

  test('configuration mistakes are TypeErrors at cold start', () => {
    expect(() => protect({ issuers: [entry()], mtls: { boundTokens: 'always' as never } })).toThrow(/mtls.boundTokens/)
    expect(() => protect({ issuers: [{ ...entry(), mtls: { boundTokens: 'required', x: 1 } as never }] })).toThrow(
      /^jwtVerify: issuers\[0\]\.mtls\.x is not an option \(known: boundTokens\)$/,
    )
  })
})

describe('trustApiGateway and bound tokens', () => {
  test('a bound token that a JWT authorizer accepted is refused: its binding was never checked', async () => {
    const api = protect({ issuers: [entry()], trustApiGateway: true, mtls: { boundTokens: 'allowed' } })
    const claims = (extra: Record<string, unknown>) => ({ iss: iss.issuer, aud: audience, sub: 'device-1', exp: Math.floor(Date.now() / 1000) + 300, ...extra })
    expect(outcome(await api.invoke(httpApiEvent({ authorizer: { jwt: { claims: claims({ cnf: { 'x5t#S256': cert(0).thumbprint } }) } } })))).toEqual([
      401,
      'invalid_token',
    ])
    expect((await api.invoke(httpApiEvent({ authorizer: { jwt: { claims: claims({}) } } }))).statusCode).toBe(200)
  })
})
