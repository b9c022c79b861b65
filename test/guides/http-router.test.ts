import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import jwtVerify, { authRoutes } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, functionUrlEvent, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

interface Claims {
  groups?: string[]
}

const policy: Policy = {
  roles: {
    admin: { inherits: ['customer'], allow: ['orders:delete'] },
    customer: { allow: ['orders:read'] },
  },
}

// One list of routes, in the router's order: the router and both maps are written from it.
const createHandler = (issuer: string, jwksUri: string) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(jwtVerify<Claims>({ issuers: [{ issuer, audience: 'orders-api', jwksUri }] }))
    .use(oauthScope({ routes: { 'GET /orders/mine': ['orders:read'], 'GET /orders/{id}': ['orders:read'], 'DELETE /orders/{id}': ['orders:write'] } }))
    .use(
      rbac({
        policy,
        rolesFrom: 'groups',
        routes: { 'GET /orders/mine': 'orders:read', 'GET /orders/{id}': 'orders:read', 'DELETE /orders/{id}': 'orders:delete' },
      }),
    )
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler(
        authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Claims>([
          { method: 'GET', path: '/orders/mine', handler: async (_event, context) => ({ statusCode: 200, body: `orders of ${context.auth.subject}` }) },
          { method: 'GET', path: '/orders/{id}', handler: async (event) => ({ statusCode: 200, body: `order ${event.pathParameters?.id}` }) },
          {
            method: 'DELETE',
            path: '/orders/{id}',
            handler: async (event, context) => ({ statusCode: 204, body: `${context.auth.subject} deleted ${event.pathParameters?.id}` }),
          },
        ]),
      ),
    )

describe('routes beside @middy/http-router', () => {
  let idp: TestIssuer
  let handler: ReturnType<typeof createHandler>
  const token = (scope: string, groups: string[]) => idp.sign({ scope, groups }, { audience: 'orders-api', subject: 'alice' })
  const warnings: string[] = []
  const consoleWarn = console.warn

  beforeAll(async () => {
    idp = await createTestIssuer()
    handler = createHandler(idp.issuer, idp.jwksUri)
  })
  afterAll(() => idp.close())
  // The hints go to console.warn; collected here to check them.
  beforeEach(() => {
    warnings.length = 0
    console.warn = (message: string) => void warnings.push(message)
  })
  afterEach(() => {
    console.warn = consoleWarn
  })

  test('behind the catch-all ANY /{proxy+}: the path picks the route, as the router does', async () => {
    const reader = await token('orders:read', ['customer'])
    const admin = await token('orders:read orders:write', ['admin'])
    const through = (method: string, path: string, bearer: string) => handler(httpApiEvent({ route: 'ANY /{proxy+}', method, path, bearer }), lambdaContext())
    expect(await through('GET', '/orders/mine', reader)).toMatchObject({ statusCode: 200, body: 'orders of alice' })
    expect(await through('GET', '/orders/42', reader)).toMatchObject({ statusCode: 200, body: 'order 42' })
    expect(await through('DELETE', '/orders/42', admin)).toMatchObject({ statusCode: 204, body: 'alice deleted 42' })
    // Each route keeps its own requirement: a reader may not delete.
    expect(await through('DELETE', '/orders/42', reader)).toMatchObject({
      statusCode: 403,
      headers: { 'WWW-Authenticate': expect.stringContaining('scope="orders:write"') },
    })
    const customerWithWrite = await token('orders:read orders:write', ['customer'])
    expect(await through('DELETE', '/orders/42', customerWithWrite)).toMatchObject({
      statusCode: 403,
      body: expect.stringContaining('"error":"access_denied"'),
    })
    expect(warnings).toEqual([])
  })

  test('behind the $default route, a function URL, and routes named one by one', async () => {
    const reader = await token('orders:read', ['customer'])
    const byDefault = httpApiEvent({ routeKey: '$default', method: 'GET', path: '/orders/7', bearer: reader })
    expect(await handler(byDefault, lambdaContext())).toMatchObject({ statusCode: 200, body: 'order 7' })
    const url = functionUrlEvent({ method: 'GET', path: '/orders/mine', bearer: reader })
    expect(await handler(url, lambdaContext())).toMatchObject({ statusCode: 200, body: 'orders of alice' })
    const named = httpApiEvent({ route: 'GET /orders/{orderId}', path: '/orders/7', bearer: reader })
    expect(await handler(named, lambdaContext())).toMatchObject({ statusCode: 200, body: 'order 7' })
  })

  test('a path no route matches: 403 access_denied, and a hint in the logs, once', async () => {
    const reader = await token('orders:read', ['customer'])
    for (let i = 0; i < 2; i++) {
      const response = await handler(httpApiEvent({ route: 'ANY /{proxy+}', method: 'GET', path: '/carts/7', bearer: reader }), lambdaContext())
      expect(response).toMatchObject({ statusCode: 403, body: expect.stringContaining('"error":"access_denied"') })
    }
    // Said once (oauthScope, the first to look, refuses before rbac looks).
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^@middy-auth\/oauth-scope: oauthScope: routes matches no entry to the path of a request through the gateway's catch-all route "ANY \/\{proxy\+\}"/,
    )
  })

  test('a gateway route the maps do not name: 403 access_denied, and a hint naming the route key', async () => {
    const reader = await token('orders:read', ['customer'])
    const response = await handler(httpApiEvent({ route: 'GET /carts', bearer: reader }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 403 })
    expect(warnings[0]).toMatch(/routes has no entry for the gateway's route "GET \/carts"/)
  })
})
