import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, lambdaContext, restEvent, type TestIssuer } from '@middy-auth/testing'
import { selfSignedCertificate, type TestCertificate } from '../../../../test/support/certificates.js'

const audience = 'https://partners.example.com'
let idp: TestIssuer
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>

let acme: TestCertificate
let globex: TestCertificate

beforeAll(async () => {
  // A partner's client certificate and its RFC 8705 thumbprint, as its provider binds tokens to it.
  acme = selfSignedCertificate('acme')
  globex = selfSignedCertificate('globex')
  idp = await createTestIssuer()
  process.env.ISSUER = idp.issuer
  process.env.AUDIENCE = audience
  handler = (await import('../src/partners.js')).handler as never
})
afterAll(() => idp.close())

/** A token bound to a certificate, as the provider issues it to a client that authenticated with that certificate. */
const boundToken = (thumbprint: string) => idp.sign({ sub: 'acme', scope: 'partner/orders', cnf: { 'x5t#S256': thumbprint } }, { audience })
/** The REST event of a request over the mutual-TLS custom domain, with the certificate the client presented. */
const overMutualTls = (token: string, pem: string) => restEvent({ bearer: token, clientCert: { clientCertPem: pem } })
const invoke = async (event: unknown) => {
  const response = await handler(event, lambdaContext())
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> }
}

describe('GET /orders over mutual TLS with certificate-bound tokens', () => {
  test('the token bound to the connection’s certificate: 200', async () => {
    expect(await invoke(overMutualTls(await boundToken(acme.thumbprint), acme.pem))).toEqual({ status: 200, body: { orders: [], partner: 'acme' } })
  })

  test('a token stolen from acme, used over globex’s connection: 401 invalid_token', async () => {
    expect(await invoke(overMutualTls(await boundToken(acme.thumbprint), globex.pem))).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
  })

  test('a plain bearer token (no binding) is refused: boundTokens is required', async () => {
    const plain = await idp.sign({ sub: 'acme', scope: 'partner/orders' }, { audience })
    expect(await invoke(overMutualTls(plain, acme.pem))).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
  })

  test('no client certificate in the event (the execute-api endpoint, were it on): 401', async () => {
    expect(await invoke(restEvent({ bearer: await boundToken(acme.thumbprint) }))).toMatchObject({ status: 401 })
  })
})
