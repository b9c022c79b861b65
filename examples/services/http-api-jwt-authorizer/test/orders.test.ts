import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'

const audience = 'https://orders.example.com'
let idp: TestIssuer
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>

beforeAll(async () => {
  idp = await createTestIssuer()
  // What the template sets; the loopback issuer stands in for the identity provider.
  process.env.ISSUER = idp.issuer
  process.env.AUDIENCE = audience
  handler = (await import('../src/orders.js')).handler as never
})
afterAll(() => idp.close())

const now = () => Math.floor(Date.now() / 1000)
/** The claims an HTTP API JWT authorizer passes on after verifying an access token. */
const verifiedClaims = (claims: Record<string, unknown> = {}) => ({
  iss: idp.issuer,
  aud: audience,
  sub: 'alice',
  iat: now(),
  exp: now() + 300,
  scope: 'openid orders/read',
  ...claims,
})
const invoke = async (event: unknown) => {
  const response = await handler(event, lambdaContext())
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> }
}

describe('behind the HTTP API JWT authorizer', () => {
  test('the verified claims with the orders/read scope: 200, for the token’s subject', async () => {
    const event = httpApiEvent({ routeKey: 'GET /orders', authorizer: { jwt: { claims: verifiedClaims(), scopes: null } } })
    expect(await invoke(event)).toEqual({ status: 200, body: { orders: [], customer: 'alice' } })
  })

  test('a token without the scope: 403 insufficient_scope', async () => {
    const event = httpApiEvent({ authorizer: { jwt: { claims: verifiedClaims({ scope: 'openid' }), scopes: null } } })
    expect(await invoke(event)).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } })
  })

  // Times are the gateway's to check (it did, when the request arrived); issuer and audience are
  // checked again, so a JWT authorizer configured for another issuer or API is no way in.
  test('claims of another issuer or audience: 401 invalid_token, even though the gateway let them through', async () => {
    for (const claims of [{ iss: 'https://other.example.com/' }, { aud: 'another-api' }]) {
      const event = httpApiEvent({ authorizer: { jwt: { claims: verifiedClaims(claims), scopes: null } } })
      expect(await invoke(event)).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
    }
  })
})

describe('deployed without the authorizer by mistake', () => {
  test('a bearer token is verified in the function against the issuer’s keys', async () => {
    const token = await idp.sign({ sub: 'bob', scope: 'orders/read' }, { audience })
    expect(await invoke(httpApiEvent({ bearer: token }))).toEqual({ status: 200, body: { orders: [], customer: 'bob' } })
  })

  test('no token at all: 401', async () => {
    expect(await invoke(httpApiEvent())).toMatchObject({ status: 401, body: { error: 'missing_token' } })
  })
})
