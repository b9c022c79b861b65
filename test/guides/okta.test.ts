import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify, { authRoutes, oktaIssuer, type IssuerConfig } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

/** The claims of an Okta access token that the handlers read. */
interface OktaClaims {
  cid: string
  uid?: string
  scp?: string[]
  groups?: string[]
}

const policy: Policy = {
  roles: {
    'orders-admin': { inherits: ['customer'], allow: ['orders:delete'] },
    customer: { allow: ['orders:read'] },
  },
}

// The service: every route, in the router's order, in the router and in both maps. In your code
// this factory is called once, at cold start, with oktaIssuer({ domain, audience }).
const createHandler = (issuer: IssuerConfig) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(jwtVerify<OktaClaims>({ issuers: [issuer] }))
    // What the client application may do: the scopes it was granted, in scp.
    .use(oauthScope({ routes: { 'GET /orders': ['orders:read'], 'DELETE /orders/{id}': ['orders:write'] } }))
    // What the user may do: the roles their Okta groups give (the groups claim; Everyone is renamed).
    .use(
      rbac({
        policy,
        rolesFrom: 'groups',
        roleMap: { Everyone: 'customer' },
        routes: { 'GET /orders': 'orders:read', 'DELETE /orders/{id}': 'orders:delete' },
      }),
    )
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler(
        authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, OktaClaims>([
          {
            method: 'GET',
            path: '/orders',
            handler: async (_event, context) => ({ statusCode: 200, body: JSON.stringify({ user: context.auth.subject, client: context.auth.claims.cid }) }),
          },
          { method: 'DELETE', path: '/orders/{id}', handler: async (event) => ({ statusCode: 204, body: `deleted ${event.pathParameters?.id}` }) },
        ]),
      ),
    )

const domain = 'example.okta.com'
const oktaIss = `https://${domain}/oauth2/default`

describe('orders service with Okta', () => {
  let okta: TestIssuer
  let handler: ReturnType<typeof createHandler>
  // An access token of Okta's default authorization server: scp is a list, groups comes from a
  // groups claim added to the server, cid is the client application, uid the user.
  const accessToken = (claims: Record<string, unknown> = {}) =>
    okta.sign(
      {
        ver: 1,
        jti: 'AT.x9u2',
        cid: '0oa1spa2client',
        uid: '00u1alice',
        scp: ['openid', 'orders:read', 'orders:write'],
        groups: ['Everyone', 'orders-admin'],
        ...claims,
      },
      { issuer: oktaIss, audience: 'api://default', subject: 'alice@example.com' },
    )

  beforeAll(async () => {
    okta = await createTestIssuer()
    // The preset, with its keys served by the loopback issuer instead of <issuer>/v1/keys.
    handler = createHandler(oktaIssuer({ domain, audience: 'api://default', jwksUri: okta.jwksUri }))
  })
  afterAll(() => okta.close())

  test('GET /orders: scope orders:read and any group', async () => {
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: await accessToken({ groups: ['Everyone'] }) }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ user: 'alice@example.com', client: '0oa1spa2client' }) })
  })

  test('DELETE /orders/{id}: scope orders:write and the orders-admin group', async () => {
    const event = (token: string) => httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
    expect(await handler(event(await accessToken()), lambdaContext())).toMatchObject({ statusCode: 204, body: 'deleted 42' })
    // The group is missing: 403 access_denied (rbac).
    const notAdmin = await handler(event(await accessToken({ groups: ['Everyone'] })), lambdaContext())
    expect(notAdmin).toMatchObject({ statusCode: 403, body: JSON.stringify({ error: 'access_denied', error_description: 'Access denied' }) })
    // The client was not granted orders:write: 403 insufficient_scope, with a challenge.
    const readOnly = await handler(event(await accessToken({ scp: ['openid', 'orders:read'] })), lambdaContext())
    expect(readOnly).toMatchObject({ statusCode: 403, headers: { 'WWW-Authenticate': expect.stringContaining('error="insufficient_scope"') } })
  })

  test('a token of another authorization server, or for another audience: 401 invalid_token', async () => {
    for (const token of [
      await okta.sign({ cid: 'c', scp: ['orders:read'] }, { issuer: `https://${domain}/oauth2/aus1other`, audience: 'api://default' }),
      await okta.sign({ cid: 'c', scp: ['orders:read'] }, { issuer: oktaIss, audience: 'api://other' }),
    ]) {
      const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token }), lambdaContext())
      expect(response).toMatchObject({ statusCode: 401, body: expect.stringContaining('"error":"invalid_token"') })
    }
  })
})
