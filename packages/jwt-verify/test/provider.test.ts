import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import * as dpop from 'dpop'
import fc from 'fast-check'
import Provider, { type ProviderContext } from 'oidc-provider'
import { accessTokenHash } from '../src/dpop-proof.js'
import { proofKey, signProof, withHeaders } from './dpop-support.js'
import { eventKindsWithUrls, methodOf } from './event-urls.js'
import { outcome, protect } from './support.js'
import { selfSignedCertificate } from '../../../test/support/certificates.js'

/**
 * Bound tokens from a real authorization server: oidc-provider on loopback with its DPoP and
 * mTLS certificate-bound access token features, issuing JWT access tokens for one resource
 * (resource indicators). Proofs are made by the `dpop` client package.
 */
const resource = 'https://orders.example.com'
const secret = 'a-secret-for-the-test-clients-only'
let server: Server
let issuer: string
let certificates: string[] = []
let client: dpop.KeyPair

const listen = async (): Promise<void> => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.end()
  server = createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  const clientMetadata = {
    client_secret: secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    id_token_signed_response_alg: 'ES256',
  }
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...signing, kid: 'op-1', alg: 'ES256', use: 'sig' }] },
    ttl: { ClientCredentials: 600 },
    clients: [
      { client_id: 'dpop-client', ...clientMetadata },
      { client_id: 'device', ...clientMetadata, tls_client_certificate_bound_access_tokens: true },
    ],
    features: {
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      // The TLS terminator in front of this test server is the test itself: it passes the certificate in a header.
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        getCertificate: (ctx: ProviderContext) => (ctx.get('x-client-cert') ? decodeURIComponent(ctx.get('x-client-cert')) : undefined),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'orders:read', audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  } as never)
  handler = provider.callback() as typeof handler
}

/** A client-credentials access token: DPoP-bound with a proof, certificate-bound with a certificate. */
const requestToken = async (clientId: string, options: { proof?: string; certificate?: string }): Promise<string> => {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.proof ? { dpop: options.proof } : {}),
      ...(options.certificate ? { 'x-client-cert': encodeURIComponent(options.certificate) } : {}),
    },
    body: 'grant_type=client_credentials&scope=orders:read',
  })
  const body = (await response.json()) as { access_token?: string; error?: string }
  if (!body.access_token) throw new Error(`token endpoint: ${body.error}`)
  return body.access_token
}
const dpopToken = async (keys = client) => requestToken('dpop-client', { proof: await dpop.generateProof(keys, `${issuer}/token`, 'POST') })

beforeAll(async () => {
  certificates = [selfSignedCertificate('device-1').pem, selfSignedCertificate('device-2').pem]
  await listen()
  client = await dpop.generateKeyPair('ES256')
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const options = () => ({
  issuers: [{ issuer, audience: resource, jwksUri: `${issuer}/jwks`, tokenType: 'at+jwt', algorithms: ['ES256' as const] }],
  dpop: { boundTokens: 'allowed' as const },
  mtls: { boundTokens: 'allowed' as const },
})
const url = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
const dpopRequest = (token: string, proof: string | undefined, scheme = 'DPoP') =>
  withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `${scheme} ${token}`, dpop: proof })

describe('DPoP-bound access tokens from oidc-provider', () => {
  test('the token is bound: typ at+jwt, cnf.jkt of the client key', async () => {
    const token = await dpopToken()
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()))
    expect(header.typ).toBe('at+jwt')
    expect(payload.cnf).toEqual({ jkt: await dpop.calculateThumbprint(client.publicKey) })
  })

  test.each(eventKindsWithUrls)('accepted with a dpop-package proof: %s', async (_name, makeEvent, eventUrl) => {
    const api = protect(options())
    const token = await dpopToken()
    const event = makeEvent()
    const proof = await dpop.generateProof(client, eventUrl, methodOf(event), undefined, token)
    expect((await api.invoke(withHeaders(event, { Authorization: `DPoP ${token}`, DPoP: proof }))).statusCode).toBe(200)
    expect(api.seen[0]?.confirmation).toEqual({ jkt: await dpop.calculateThumbprint(client.publicKey) })
    expect(api.seen[0]?.scopes).toEqual(['orders:read'])
  })

  describe('refused, each with its code', () => {
    test('a replayed proof', async () => {
      const api = protect(options())
      const token = await dpopToken()
      const proof = await dpop.generateProof(client, url, 'GET', undefined, token)
      expect((await api.invoke(dpopRequest(token, proof))).statusCode).toBe(200)
      expect(outcome(await api.invoke(dpopRequest(token, proof)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a proof for another method, another URL', async () => {
      const api = protect(options())
      const token = await dpopToken()
      expect(outcome(await api.invoke(dpopRequest(token, await dpop.generateProof(client, url, 'POST', undefined, token))))).toEqual([
        401,
        'invalid_dpop_proof',
      ])
      expect(outcome(await api.invoke(dpopRequest(token, await dpop.generateProof(client, `${url}/42`, 'GET', undefined, token))))).toEqual([
        401,
        'invalid_dpop_proof',
      ])
    })

    test('ath of another token', async () => {
      const api = protect(options())
      const [token, other] = [await dpopToken(), await dpopToken()]
      expect(other).not.toBe(token)
      expect(outcome(await api.invoke(dpopRequest(token, await dpop.generateProof(client, url, 'GET', undefined, other))))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a proof by another key than the token is bound to', async () => {
      const api = protect(options())
      const token = await dpopToken()
      const thief = await dpop.generateKeyPair('ES256')
      expect(outcome(await api.invoke(dpopRequest(token, await dpop.generateProof(thief, url, 'GET', undefined, token))))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('none and HMAC proofs', async () => {
      const api = protect(options())
      const token = await dpopToken()
      const jwk = await crypto.subtle.exportKey('jwk', client.publicKey)
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const claims = b64({ htm: 'GET', htu: url, iat: Math.floor(Date.now() / 1000), jti: 'hostile-1', ath: accessTokenHash(token) })
      expect(outcome(await api.invoke(dpopRequest(token, `${b64({ alg: 'none', typ: 'dpop+jwt', jwk })}.${claims}.`)))).toEqual([401, 'invalid_dpop_proof'])
      const input = `${b64({ alg: 'HS256', typ: 'dpop+jwt', jwk })}.${claims}`
      const mac = createHmac('sha256', JSON.stringify(jwk)).update(input).digest('base64url')
      expect(outcome(await api.invoke(dpopRequest(token, `${input}.${mac}`)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a private key in the proof jwk', async () => {
      const api = protect(options())
      const key = proofKey()
      const token = await requestToken('dpop-client', { proof: await signProof(key, { url: `${issuer}/token`, method: 'POST' }) })
      const withPrivate = await signProof(key, { url, token, header: { jwk: key.privateKey.export({ format: 'jwk' }) } })
      expect(outcome(await api.invoke(dpopRequest(token, withPrivate)))).toEqual([401, 'invalid_dpop_proof'])
      // The same key, public only, is accepted: the private members alone made the difference.
      expect((await api.invoke(dpopRequest(token, await signProof(key, { url, token })))).statusCode).toBe(200)
    })

    test('a proof older than the window, or from the future', async () => {
      const api = protect(options())
      const key = proofKey()
      const token = await requestToken('dpop-client', { proof: await signProof(key, { url: `${issuer}/token`, method: 'POST' }) })
      const now = Math.floor(Date.now() / 1000)
      expect(outcome(await api.invoke(dpopRequest(token, await signProof(key, { url, token, iat: now - 306 }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await api.invoke(dpopRequest(token, await signProof(key, { url, token, iat: now + 30 }))))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a bound token sent as Bearer', async () => {
      const api = protect(options())
      const token = await dpopToken()
      const response = await api.invoke(dpopRequest(token, await dpop.generateProof(client, url, 'GET', undefined, token), 'Bearer'))
      expect(outcome(response)).toEqual([401, 'invalid_token'])
      expect(api.seen).toEqual([])
    })
  })

  test('property: any mutation of a valid proof (header, payload or signature) is refused', async () => {
    const api = protect(options())
    const token = await dpopToken()
    const valid = await dpop.generateProof(client, url, 'GET', undefined, token)
    const [header, payload, signature] = valid.split('.') as [string, string, string]
    const json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString()) as Record<string, unknown>
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
    const member = fc.constantFrom('typ', 'alg', 'jwk', 'htm', 'htu', 'iat', 'jti', 'ath', 'kid', 'd', 'nonce')
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant('ES384'), fc.constant('none'), fc.constant({}))

    const mutation = fc.oneof(
      // One character replaced anywhere.
      fc.tuple(fc.nat(valid.length - 1), fc.constantFrom(...alphabet)).map(([at, char]) => valid.slice(0, at) + char + valid.slice(at + 1)),
      // Characters cut or added at the end.
      fc.nat(valid.length - 1).map((length) => valid.slice(0, length)),
      fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom(...alphabet) }).map((extra) => valid + extra),
      // A header or payload member changed, added or removed (the signature is kept).
      fc.tuple(fc.boolean(), member, fc.option(value)).map(([inHeader, name, newValue]) => {
        const target = json(inHeader ? header : payload)
        if (newValue === null) delete target[name]
        else target[name] = newValue
        return inHeader ? `${encode(target)}.${payload}.${signature}` : `${header}.${encode(target)}.${signature}`
      }),
      // A jwk member changed: another key, another curve.
      fc.constantFrom('x', 'y', 'crv', 'kty').map((name) => {
        const target = json(header)
        ;(target.jwk as Record<string, unknown>)[name] = name === 'crv' ? 'P-384' : name === 'kty' ? 'OKP' : encode('another coordinate')
        return `${encode(target)}.${payload}.${signature}`
      }),
      // A signature byte flipped.
      fc.tuple(fc.nat(63), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
        const bytes = Buffer.from(signature, 'base64url')
        bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask
        return `${header}.${payload}.${bytes.toString('base64url')}`
      }),
    )

    await fc.assert(
      fc.asyncProperty(mutation, async (mutated) => {
        fc.pre(mutated !== valid)
        const response = await api.invoke(dpopRequest(token, mutated))
        expect(response.statusCode).toBe(401)
        expect(['invalid_dpop_proof', 'invalid_token']).toContain(outcome(response)[1])
      }),
      { numRuns: 300 },
    )
    expect(api.seen).toEqual([])
    // The proof itself was valid all along.
    expect((await api.invoke(dpopRequest(token, valid))).statusCode).toBe(200)
  })
})

describe('certificate-bound access tokens from oidc-provider', () => {
  const certificateEvents: Array<[string, (token: string, pem?: string) => unknown]> = [
    ['REST', (token, pem) => restEvent({ bearer: token, ...(pem ? { clientCert: { clientCertPem: pem } } : {}) })],
    ['HTTP API', (token, pem) => httpApiEvent({ bearer: token, ...(pem ? { clientCert: { clientCertPem: pem } } : {}) })],
  ]

  test.each(certificateEvents)('%s: accepted with the certificate; refused with another, or none', async (_name, makeEvent) => {
    const [mine, other] = certificates as [string, string]
    const token = await requestToken('device', { certificate: mine })
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())
    expect(Object.keys(payload.cnf)).toEqual(['x5t#S256'])
    const api = protect(options())
    expect((await api.invoke(makeEvent(token, mine))).statusCode).toBe(200)
    expect(api.seen[0]?.confirmation).toEqual({ 'x5t#S256': payload.cnf['x5t#S256'] })
    expect(outcome(await api.invoke(makeEvent(token, other)))).toEqual([401, 'invalid_token'])
    expect(outcome(await api.invoke(makeEvent(token)))).toEqual([401, 'invalid_token'])
  })

  test('a plain bearer token is accepted with allowed, refused with required', async () => {
    const token = await requestToken('dpop-client', {})
    expect((await protect(options()).invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    expect(outcome(await protect({ ...options(), mtls: { boundTokens: 'required' } }).invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    expect(outcome(await protect({ ...options(), dpop: { boundTokens: 'required' } }).invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
  })
})
