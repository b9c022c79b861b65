import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { AuthorizerResult } from '@middy-auth/authorizer'
import { createTestIssuer, httpApiEvent, httpAuthorizerEventV2, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import { readTemplate } from '../../../../test/support/cloudformation.js'
import { routes } from '../src/routes.js'

const audience = 'https://orders.example.com'
let idp: TestIssuer
type Handler = (event: unknown, context: unknown) => Promise<unknown>
let authorizer: Handler
let orders: Record<'list' | 'create' | 'remove', Handler>

beforeAll(async () => {
  idp = await createTestIssuer()
  process.env.ISSUER = idp.issuer
  process.env.AUDIENCE = audience
  authorizer = (await import('../src/authorizer.js')).handler as never
  orders = (await import('../src/orders.js')) as never
})
afterAll(() => idp.close())

/** The authorizer's event for a route, with the identity sources the template configures (Authorization, $context.routeKey). */
const authorizerEvent = (routeKey: string, path: string, token?: string) => {
  const [method] = routeKey.split(' ')
  return httpAuthorizerEventV2({
    ...(token === undefined ? {} : { bearer: token }),
    method: method!,
    path,
    routeKey,
    identitySource: [...(token === undefined ? [] : [`Bearer ${token}`]), routeKey],
  })
}
const authorize = async (routeKey: string, path: string, token?: string) =>
  (await authorizer(authorizerEvent(routeKey, path, token), lambdaContext())) as AuthorizerResult & { isAuthorized: boolean; context?: Record<string, unknown> }
const tokenOf = (groups: string[], scope = 'orders/read orders/write') => idp.sign({ sub: 'alice', groups, scope }, { audience })

describe('the authorizer answers for the route the gateway names', () => {
  test('a clerk may list and create orders, not delete them', async () => {
    const token = await tokenOf(['clerk'])
    expect(await authorize('GET /orders', '/orders', token)).toMatchObject({ isAuthorized: true, context: { sub: 'alice', roles: '["clerk"]' } })
    expect((await authorize('POST /orders', '/orders', token)).isAuthorized).toBe(true)
    expect(await authorize('DELETE /orders/{id}', '/orders/42', token)).toEqual({ isAuthorized: false })
  })

  test('a manager may delete; without the orders/write scope nobody may', async () => {
    expect((await authorize('DELETE /orders/{id}', '/orders/42', await tokenOf(['manager']))).isAuthorized).toBe(true)
    expect((await authorize('DELETE /orders/{id}', '/orders/42', await tokenOf(['manager'], 'orders/read'))).isAuthorized).toBe(false)
  })

  // Simple responses have no 401: a bad token is isAuthorized false, which the gateway answers 403.
  test('a token of another audience, or none: not authorized', async () => {
    const stranger = await idp.sign({ sub: 'eve', groups: ['manager'], scope: 'orders/read' }, { audience: 'another-api' })
    expect(await authorize('GET /orders', '/orders', stranger)).toEqual({ isAuthorized: false })
    expect(await authorize('GET /orders', '/orders')).toEqual({ isAuthorized: false })
  })
})

describe('the functions behind it rebuild the caller from the authorizer’s context', () => {
  const behind = async (handler: Handler, routeKey: string, token: string) => {
    const answer = await authorize(routeKey, routeKey.split(' ')[1]!, token)
    const event = httpApiEvent({ routeKey, authorizer: { lambda: answer.context ?? null } })
    return (await handler(event, lambdaContext())) as { statusCode: number; body: string }
  }

  test('GET /orders: 200 for the authorizer’s subject', async () => {
    const response = await behind(orders.list, 'GET /orders', await tokenOf(['clerk']))
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toEqual({ orders: [], for: 'alice' })
  })

  test('DELETE with a clerk’s context (a route deployed without the authorizer’s rules): 403', async () => {
    const response = await behind(orders.remove, 'GET /orders', await tokenOf(['clerk']))
    expect(response.statusCode).toBe(403)
  })

  test('no authorizer context at all: 401', async () => {
    const response = (await orders.create(httpApiEvent({ method: 'POST' }), lambdaContext())) as { statusCode: number }
    expect(response.statusCode).toBe(401)
  })
})

describe('the template and the code agree', () => {
  const template = readTemplate(new URL('../template.yaml', import.meta.url))

  test('the API routes exactly the routes the authorizer answers for', () => {
    const routed = Object.values(template.Resources)
      .flatMap((resource) => Object.values(resource.Properties?.Events ?? {}) as Array<{ Type: string; Properties: { Method: string; Path: string } }>)
      .filter((event) => event.Type === 'HttpApi')
      .map((event) => `${event.Properties.Method} ${event.Properties.Path}`)
    expect(routed.sort()).toEqual(Object.keys(routes).sort())
  })

  test('simple responses are cached per route: $context.routeKey is an identity source', () => {
    const auth = template.Resources.OrdersApi!.Properties!.Auth.Authorizers.OrdersAuthorizer
    expect(auth).toMatchObject({
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      Identity: { Headers: ['Authorization'], Context: ['routeKey'] },
    })
  })
})
