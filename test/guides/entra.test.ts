import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify, { authRoutes, entraIssuer, type IssuerConfig } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

/** The claims of an Entra ID access token that the handlers read. */
interface EntraClaims {
  tid: string
  oid: string
  azp?: string // v2.0 tokens
  appid?: string // v1.0 tokens
  scp?: string
  roles?: string[]
  preferred_username?: string
}

const policy: Policy = {
  roles: {
    'Orders.Admin': { inherits: ['Orders.Reader'], allow: ['orders:delete'] },
    'Orders.Reader': { allow: ['orders:read'] },
  },
}

// The service: every route, in the router's order. In your code this factory is called once,
// at cold start, with entraIssuer({ tenantId, audience }).
const createHandler = (issuer: IssuerConfig) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(jwtVerify<EntraClaims>({ issuers: [issuer] }))
    // What the client application may do for the user: the delegated scopes, in scp.
    .use(oauthScope({ routes: { 'GET /orders': ['Orders.Read'], 'DELETE /orders/{id}': ['Orders.Write'] } }))
    // What the user may do: the app roles assigned to them, in roles.
    .use(rbac({ policy, rolesFrom: 'roles', routes: { 'GET /orders': 'orders:read', 'DELETE /orders/{id}': 'orders:delete' } }))
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler(
        authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, EntraClaims>([
          {
            method: 'GET',
            path: '/orders',
            // oid, not sub: sub is pairwise (it differs per application), oid is the user in the tenant.
            handler: async (_event, context) => ({
              statusCode: 200,
              body: JSON.stringify({ user: context.auth.claims.oid, client: context.auth.claims.azp ?? context.auth.claims.appid }),
            }),
          },
          { method: 'DELETE', path: '/orders/{id}', handler: async (event) => ({ statusCode: 204, body: `deleted ${event.pathParameters?.id}` }) },
        ]),
      ),
    )

const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const apiClientId = '6e74172b-be56-4843-9ff4-e66a39bb12e3' // the API's application (client) id
const appIdUri = 'api://orders'

describe('orders service with Entra ID', () => {
  let entra: TestIssuer
  let handler: ReturnType<typeof createHandler>
  // A v2.0 access token for the API: aud is the API's client id, scp a space-separated string,
  // roles a list, tid the tenant; the header carries typ JWT.
  const v2Token = (claims: Record<string, unknown> = {}) =>
    entra.sign(
      {
        tid: tenantId,
        oid: '00000000-0000-0000-66f3-3332eca7ea81',
        azp: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
        azpacr: '0',
        scp: 'Orders.Read Orders.Write',
        roles: ['Orders.Admin'],
        preferred_username: 'alice@contoso.com',
        ver: '2.0',
        ...claims,
      },
      {
        issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
        audience: apiClientId,
        subject: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
        header: { typ: 'JWT' },
      },
    )

  beforeAll(async () => {
    entra = await createTestIssuer()
    // v2.0 tokens carry the client id as aud, v1.0 tokens the Application ID URI: accept both.
    handler = createHandler(entraIssuer({ tenantId, audience: [apiClientId, appIdUri], jwksUri: entra.jwksUri }))
  })
  afterAll(() => entra.close())

  test('GET /orders with a v2.0 token: scope Orders.Read and an app role', async () => {
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: await v2Token({ roles: ['Orders.Reader'] }) }), lambdaContext())
    expect(response).toMatchObject({
      statusCode: 200,
      body: JSON.stringify({ user: '00000000-0000-0000-66f3-3332eca7ea81', client: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c' }),
    })
  })

  test('GET /orders with a v1.0 token: sts.windows.net issuer, the Application ID URI as aud, appid', async () => {
    const v1 = await entra.sign(
      {
        tid: tenantId,
        oid: '00000000-0000-0000-66f3-3332eca7ea81',
        appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
        scp: 'Orders.Read',
        roles: ['Orders.Reader'],
        ver: '1.0',
      },
      { issuer: `https://sts.windows.net/${tenantId}/`, audience: appIdUri },
    )
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: v1 }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200 })
  })

  test('DELETE /orders/{id}: scope Orders.Write and the Orders.Admin app role', async () => {
    const event = (token: string) => httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
    expect(await handler(event(await v2Token()), lambdaContext())).toMatchObject({ statusCode: 204, body: 'deleted 42' })
    const reader = await handler(event(await v2Token({ roles: ['Orders.Reader'] })), lambdaContext())
    expect(reader).toMatchObject({ statusCode: 403, body: JSON.stringify({ error: 'access_denied', error_description: 'Access denied' }) })
    const readScope = await handler(event(await v2Token({ scp: 'Orders.Read' })), lambdaContext())
    expect(readScope).toMatchObject({ statusCode: 403, headers: { 'WWW-Authenticate': expect.stringContaining('scope="Orders.Write"') } })
  })

  test('a token of another tenant, even one signed by the same keys: 401 invalid_token', async () => {
    const otherTenant = '0b1b6ec5-f7ad-4b8f-9a42-1b2c3d4e5f60'
    for (const claims of [{ tid: otherTenant }, { tid: undefined }]) {
      const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: await v2Token(claims) }), lambdaContext())
      expect(response).toMatchObject({ statusCode: 401, body: expect.stringContaining('"error":"invalid_token"') })
    }
  })
})
