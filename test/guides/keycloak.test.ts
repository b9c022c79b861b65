import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify, { authRoutes, keycloakIssuer, type IssuerConfig } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

/** The claims of a Keycloak access token that the handlers read. */
interface KeycloakClaims {
  azp: string
  preferred_username?: string
  realm_access?: { roles: string[] }
  resource_access?: Record<string, { roles: string[] }>
}

const policy: Policy = {
  roles: {
    'orders-admin': { inherits: ['customer'], allow: ['orders:delete'] },
    customer: { allow: ['orders:read'] },
  },
}

// The service: every route, in the router's order. In your code this factory is called once,
// at cold start, with keycloakIssuer({ url, realm, audience, clientId }).
const createHandler = (issuer: IssuerConfig) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(jwtVerify<KeycloakClaims>({ issuers: [issuer] }))
    // What the client application may do: the client scopes in scope.
    .use(oauthScope({ routes: { 'GET /orders': ['orders:read'], 'DELETE /orders/{id}': ['orders:write'] } }))
    // What the user may do: realm roles, and the roles of the orders-api client.
    .use(
      rbac({
        policy,
        rolesFrom: ['realm_access.roles', 'resource_access.orders-api.roles'],
        routes: { 'GET /orders': 'orders:read', 'DELETE /orders/{id}': 'orders:delete' },
      }),
    )
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler(
        authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, KeycloakClaims>([
          {
            method: 'GET',
            path: '/orders',
            handler: async (_event, context) => ({
              statusCode: 200,
              body: JSON.stringify({ user: context.auth.claims.preferred_username, roles: context.auth.roles }),
            }),
          },
          { method: 'DELETE', path: '/orders/{id}', handler: async (event) => ({ statusCode: 204, body: `deleted ${event.pathParameters?.id}` }) },
        ]),
      ),
    )

const url = 'https://sso.example.com'
const realmIssuer = `${url}/realms/shop`

describe('orders service with Keycloak', () => {
  let keycloak: TestIssuer
  let handler: ReturnType<typeof createHandler>
  // An access token as Keycloak issues it: typ Bearer in the payload, azp the client that asked,
  // aud orders-api through an audience mapper (and account), realm and client roles nested.
  const accessToken = (claims: Record<string, unknown> = {}) =>
    keycloak.sign(
      {
        typ: 'Bearer',
        azp: 'orders-web',
        sid: '5a1c2d3e',
        acr: '1',
        scope: 'openid profile email orders:read orders:write',
        preferred_username: 'alice',
        email_verified: true,
        realm_access: { roles: ['default-roles-shop', 'offline_access', 'uma_authorization', 'customer'] },
        resource_access: { 'orders-api': { roles: ['orders-admin'] }, account: { roles: ['manage-account', 'view-profile'] } },
        ...claims,
      },
      { issuer: realmIssuer, audience: ['orders-api', 'account'], subject: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b', header: { typ: 'JWT' } },
    )

  beforeAll(async () => {
    keycloak = await createTestIssuer()
    // The preset, with its keys served by the loopback issuer instead of …/protocol/openid-connect/certs.
    handler = createHandler(keycloakIssuer({ url, realm: 'shop', audience: 'orders-api', clientId: ['orders-web', 'orders-cli'], jwksUri: keycloak.jwksUri }))
  })
  afterAll(() => keycloak.close())

  test('GET /orders: scope orders:read and the customer realm role', async () => {
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: await accessToken({ resource_access: {} }) }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ user: 'alice', roles: ['customer'] }) })
  })

  test('DELETE /orders/{id}: scope orders:write and the orders-admin client role', async () => {
    const event = (token: string) => httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
    expect(await handler(event(await accessToken()), lambdaContext())).toMatchObject({ statusCode: 204, body: 'deleted 42' })
    // The role of another client does not count.
    const otherClient = await handler(event(await accessToken({ resource_access: { 'billing-api': { roles: ['orders-admin'] } } })), lambdaContext())
    expect(otherClient).toMatchObject({ statusCode: 403, body: JSON.stringify({ error: 'access_denied', error_description: 'Access denied' }) })
    const readOnly = await handler(event(await accessToken({ scope: 'openid orders:read' })), lambdaContext())
    expect(readOnly).toMatchObject({ statusCode: 403, headers: { 'WWW-Authenticate': expect.stringContaining('scope="orders:write"') } })
  })

  test('another client (azp), no audience mapper, another realm: 401 invalid_token', async () => {
    const tokens = [
      await accessToken({ azp: 'admin-cli' }),
      await keycloak.sign({ azp: 'orders-web', scope: 'orders:read' }, { issuer: realmIssuer, audience: 'account' }),
      await keycloak.sign({ azp: 'orders-web', scope: 'orders:read' }, { issuer: `${url}/realms/master`, audience: 'orders-api' }),
    ]
    for (const token of tokens) {
      const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token }), lambdaContext())
      expect(response).toMatchObject({ statusCode: 401, body: expect.stringContaining('"error":"invalid_token"') })
    }
  })
})
