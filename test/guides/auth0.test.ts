import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify, { auth0Issuer, authRoutes, type IssuerConfig } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

const namespace = 'https://orders.example.com'

/** The claims of an Auth0 access token that the handlers read. */
interface Auth0Claims {
  azp: string
  scope?: string
  permissions?: string[]
  'https://orders.example.com/roles'?: string[] // `${namespace}/roles`
}

const policy: Policy = {
  roles: {
    admin: { inherits: ['clerk'], allow: ['orders:delete'] },
    clerk: { allow: ['orders:read'] },
  },
}

// The service: every route, in the router's order. In your code this factory is called once,
// at cold start, with auth0Issuer({ domain, audience }).
const createHandler = (issuer: IssuerConfig) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(jwtVerify<Auth0Claims>({ issuers: [issuer] }))
    // What the client application may do: the scope claim (Auth0's API permissions).
    .use(oauthScope({ routes: { 'GET /orders': ['read:orders'], 'DELETE /orders/{id}': ['delete:orders'] } }))
    // What the user may do: the roles a post-login Action adds as <namespace>/roles.
    .use(rbac({ policy, rolesFrom: `${namespace}/roles`, routes: { 'GET /orders': 'orders:read', 'DELETE /orders/{id}': 'orders:delete' } }))
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler(
        authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Auth0Claims>([
          {
            method: 'GET',
            path: '/orders',
            handler: async (_event, context) => ({ statusCode: 200, body: JSON.stringify({ user: context.auth.subject, roles: context.auth.roles }) }),
          },
          { method: 'DELETE', path: '/orders/{id}', handler: async (event) => ({ statusCode: 204, body: `deleted ${event.pathParameters?.id}` }) },
        ]),
      ),
    )

const domain = 'example.eu.auth0.com'
const audience = 'https://api.orders.example.com'

describe('orders service with Auth0', () => {
  let auth0: TestIssuer
  let handler: ReturnType<typeof createHandler>
  // An access token as Auth0 issues it for a user: iss with its trailing slash, aud with the
  // userinfo endpoint next to the API (an openid sign-in), scope a string, permissions (RBAC
  // with "Add Permissions in the Access Token"), the roles under the Action's namespace.
  const userToken = (claims: Record<string, unknown> = {}) =>
    auth0.sign(
      {
        azp: 'spa1client',
        scope: 'openid profile read:orders delete:orders',
        permissions: ['read:orders', 'delete:orders'],
        [`${namespace}/roles`]: ['admin'],
        ...claims,
      },
      { issuer: `https://${domain}/`, audience: [audience, `https://${domain}/userinfo`], subject: 'auth0|64f1c2alice', header: { typ: 'JWT' } },
    )

  beforeAll(async () => {
    auth0 = await createTestIssuer()
    // The preset, with its keys served by the loopback issuer instead of /.well-known/jwks.json.
    handler = createHandler(auth0Issuer({ domain, audience, jwksUri: auth0.jwksUri }))
  })
  afterAll(() => auth0.close())

  test('GET /orders: scope read:orders and the clerk role (admin inherits it)', async () => {
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: await userToken() }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ user: 'auth0|64f1c2alice', roles: ['admin', 'clerk'] }) })
  })

  test('DELETE /orders/{id}: scope delete:orders and the admin role', async () => {
    const event = (token: string) => httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
    expect(await handler(event(await userToken()), lambdaContext())).toMatchObject({ statusCode: 204, body: 'deleted 42' })
    const clerk = await handler(event(await userToken({ [`${namespace}/roles`]: ['clerk'] })), lambdaContext())
    expect(clerk).toMatchObject({ statusCode: 403, body: JSON.stringify({ error: 'access_denied', error_description: 'Access denied' }) })
    const readOnly = await handler(event(await userToken({ scope: 'openid read:orders' })), lambdaContext())
    expect(readOnly).toMatchObject({ statusCode: 403, headers: { 'WWW-Authenticate': expect.stringContaining('scope="delete:orders"') } })
  })

  test('a machine-to-machine token has scopes but no user roles: denied by rbac', async () => {
    const m2m = await auth0.sign(
      { azp: 'm2m1client', scope: 'read:orders', gty: 'client-credentials' },
      { issuer: `https://${domain}/`, audience, subject: 'm2m1client@clients' },
    )
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: m2m }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 403, body: expect.stringContaining('"error":"access_denied"') })
  })

  test('the issuer without its trailing slash, or another API: 401 invalid_token', async () => {
    const wrong = [
      { issuer: `https://${domain}`, audience },
      { issuer: `https://${domain}/`, audience: 'https://api.billing.example.com' },
    ]
    for (const options of wrong) {
      const token = await auth0.sign({ scope: 'read:orders', [`${namespace}/roles`]: ['admin'] }, options)
      const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token }), lambdaContext())
      expect(response).toMatchObject({ statusCode: 401, body: expect.stringContaining('"error":"invalid_token"') })
    }
  })
})
