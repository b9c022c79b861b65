import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { httpApiEvent, lambdaContext } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
import { authRoutes, setAuth, type AuthContext } from '../src/index.js'

const alice: AuthContext = { source: 'jwt', subject: 'alice', scopes: ['orders:read'], roles: [], claims: { email: 'alice@example.com' } }

/** A router behind an identity middleware that sets `auth`, or none. */
const service = (auth: AuthContext | undefined) => {
  const seen: string[] = []
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use({ before: (request) => (auth ? setAuth(request, auth) : undefined) })
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler(
        authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2>([
          {
            method: 'GET',
            path: '/orders/{id}',
            handler: async (event, context) => {
              seen.push(`${context.auth.subject} ${event.pathParameters?.id}`)
              return { statusCode: 200, body: String(context.auth.claims.email) }
            },
          },
          { method: 'ANY', path: '/{proxy+}', handler: async (_event, context) => ({ statusCode: 200, body: `any ${context.auth.subject}` }) },
        ]),
      ),
    )
  return { handler, seen }
}

describe('authRoutes', () => {
  test('each route handler gets the event and context.auth, as the router routes', async () => {
    const { handler, seen } = service(alice)
    const one = await handler(httpApiEvent({ route: 'GET /orders/{id}', path: '/orders/42' }), lambdaContext())
    expect(one).toMatchObject({ statusCode: 200, body: 'alice@example.com' })
    expect(seen).toEqual(['alice 42'])
    const other = await handler(httpApiEvent({ route: 'ANY /{proxy+}', method: 'POST', path: '/carts/7' }), lambdaContext())
    expect(other).toMatchObject({ statusCode: 200, body: 'any alice' })
  })

  test('no identity on the context: 401 missing_token, the handler is not called', async () => {
    const { handler, seen } = service(undefined)
    const response = await handler(httpApiEvent({ route: 'GET /orders/{id}', path: '/orders/42' }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 401, body: JSON.stringify({ error: 'missing_token', error_description: 'Bearer token required' }) })
    expect(response).toMatchObject({ headers: { 'WWW-Authenticate': 'Bearer realm="api"' } })
    expect(seen).toEqual([])
  })

  test('keeps method and path as given, in order', () => {
    const routes = authRoutes([
      { method: 'GET', path: '/a', handler: async () => 1 },
      { method: 'ANY', path: '/{proxy+}', handler: async () => 2 },
    ])
    expect(routes.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /a', 'ANY /{proxy+}'])
  })
})
