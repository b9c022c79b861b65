import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import jwtVerify from '@middy-auth/jwt-verify'
import { requestSpecificChecks } from '@middy-auth/core/internal'
import { createTestIssuer, functionUrlEvent, httpApiEvent, lambdaContext, restEvent, websocketConnectEvent, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, Handler } from 'aws-lambda'
import { loadFixture } from '../../../test/support/fixtures.js'
import oauthScope, { type OAuthScopeOptions } from '../src/index.js'
import { challenge, outcome, protect, visible, type Response } from './support.js'

const routes = {
  'GET /orders': ['orders:read'],
  'GET /orders/{id}': { anyOf: ['orders:read', 'orders:admin'] },
  'POST /orders': { required: ['orders:write'], anyOf: ['tenant:a', 'tenant:b'] },
  'ANY /admin/{proxy+}': ['orders:admin'],
  'DELETE /orders/{id}': ['orders:admin'],
} as const satisfies OAuthScopeOptions['routes']

/** An HTTP API event for a route, through the gateway's own JWT authorizer. */
const httpApi = (routeKey: string, path: string, scopes: string[]) => {
  const method = routeKey.split(' ')[0]!
  return httpApiEvent({ routeKey, method, path, authorizer: { jwt: { claims: { sub: 'alice' }, scopes } } })
}
/** A REST event for a resource, through a Cognito authorizer. */
const rest = (method: string, resource: string, path: string, scope: string) =>
  restEvent({ method, resource, path, authorizer: { claims: { sub: 'alice', scope } } })

describe('routes: per route, keyed as the event carries the route', () => {
  const api = protect({ routes })

  test('HTTP API routeKey', async () => {
    expect((await api.invoke(httpApi('GET /orders', '/orders', ['orders:read']))).statusCode).toBe(200)
    expect(outcome(await api.invoke(httpApi('GET /orders', '/orders', ['orders:write'])))).toEqual([403, 'insufficient_scope'])
    expect((await api.invoke(httpApi('GET /orders/{id}', '/orders/42', ['orders:admin']))).statusCode).toBe(200)
    expect((await api.invoke(httpApi('POST /orders', '/orders', ['orders:write', 'tenant:b']))).statusCode).toBe(200)
    expect(outcome(await api.invoke(httpApi('POST /orders', '/orders', ['orders:write'])))).toEqual([403, 'insufficient_scope'])
  })

  test('REST httpMethod + resource', async () => {
    expect((await api.invoke(rest('GET', '/orders/{id}', '/orders/42', 'orders:read'))).statusCode).toBe(200)
    expect(outcome(await api.invoke(rest('DELETE', '/orders/{id}', '/orders/42', 'orders:read')))).toEqual([403, 'insufficient_scope'])
    expect((await api.invoke(rest('DELETE', '/orders/{id}', '/orders/42', 'orders:admin'))).statusCode).toBe(200)
  })

  test('ANY and greedy path parameters', async () => {
    for (const method of ['GET', 'PATCH']) {
      expect((await api.invoke(httpApi(`${method} /admin/{proxy+}`, '/admin/a/b', ['orders:admin']))).statusCode).toBe(200)
    }
    expect((await api.invoke(rest('PUT', '/admin/{proxy+}', '/admin/x', 'orders:admin'))).statusCode).toBe(200)
    expect(outcome(await api.invoke(rest('PUT', '/admin/{proxy+}', '/admin/x', 'orders:read')))).toEqual([403, 'insufficient_scope'])
  })

  test('the challenge lists what this route needs', async () => {
    expect(challenge(await api.invoke(httpApi('GET /orders/{id}', '/orders/42', [])))).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="orders:read orders:admin"',
    )
    expect(challenge(await api.invoke(httpApi('POST /orders', '/orders', [])))).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="orders:write tenant:a tenant:b"',
    )
  })

  test('a route that is not listed: 403 access_denied, whatever the scopes, no challenge', async () => {
    const everything = ['orders:read', 'orders:write', 'orders:admin', 'tenant:a']
    for (const event of [
      httpApi('PUT /orders/{id}', '/orders/42', everything),
      httpApi('GET /orders/{id}/items', '/orders/42/items', everything),
      rest('PATCH', '/orders', '/orders', everything.join(' ')),
      loadFixture('http-v2-jwt-mtls-scopes.json'),
    ]) {
      const response = await api.invoke(event)
      expect(outcome(response)).toEqual([403, 'access_denied'])
      expect(JSON.parse(response.body)).toEqual({ error: 'access_denied', error_description: 'Access denied' })
      expect(response.headers['WWW-Authenticate']).toBeUndefined()
    }
    expect(api.seen.every((auth) => auth.subject === 'alice')).toBe(true)
  })

  test('cause.data says which route was not listed, for logs', async () => {
    const causes: unknown[] = []
    const handler = middy()
      .use({ onError: (request) => void causes.push((request.error as Error).cause) })
      .use(httpErrorHandler({ logger: false }))
      .use(oauthScope({ routes }))
      .handler(async () => ({ statusCode: 200 }))
    const jwt = { jwt: { claims: { sub: 'alice' }, scopes: ['orders:read'] } }
    for (const event of [
      httpApi('PUT /orders/{id}', '/orders/42', []),
      httpApiEvent({ routeKey: '$default', path: '/nowhere', authorizer: jwt }),
      websocketConnectEvent({ authorizer: { principalId: 'alice', scope: 'orders:read' } }),
      { requestContext: { authorizer: jwt } },
    ]) {
      await handler(event as never, lambdaContext() as never)
    }
    expect(causes).toEqual([
      { package: '@middy-auth/oauth-scope', data: { reason: 'route_not_listed', route: 'PUT /orders/{id}' } },
      { package: '@middy-auth/oauth-scope', data: { reason: 'route_not_listed', route: 'GET /nowhere' } },
      { package: '@middy-auth/oauth-scope', data: { reason: 'route_not_listed', route: '$connect' } },
      { package: '@middy-auth/oauth-scope', data: { reason: 'route_not_listed', route: undefined } },
    ])
  })

  test('the gateway names a route without a greedy variable: its concrete path is not matched against other keys', async () => {
    // Were the path matched, 'ANY /admin/{proxy+}' would let orders:admin through; the gateway's
    // route is 'PUT /orders/{id}', which the map does not list.
    expect(outcome(await api.invoke(httpApi('PUT /orders/{id}', '/admin/x', ['orders:admin'])))).toEqual([403, 'access_denied'])
    expect(outcome(await api.invoke(rest('PUT', '/orders/{id}', '/admin/x', 'orders:admin')))).toEqual([403, 'access_denied'])
  })

  test('a greedy gateway route (GET /{proxy+}) is a catch-all: the path picks the entry, as the router behind it does', async () => {
    expect(outcome(await api.invoke(httpApi('GET /{proxy+}', '/orders', ['orders:read'])))).toEqual([200, 'ok'])
    expect(outcome(await api.invoke(httpApi('GET /{proxy+}', '/orders', ['orders:write'])))).toEqual([403, 'insufficient_scope'])
    expect(outcome(await api.invoke(rest('GET', '/{proxy+}', '/orders', 'orders:read')))).toEqual([200, 'ok'])
    expect(outcome(await api.invoke(rest('GET', '/{proxy+}', '/orders', 'orders:write')))).toEqual([403, 'insufficient_scope'])
    // A path no entry matches stays refused.
    expect(outcome(await api.invoke(httpApi('GET /{proxy+}', '/elsewhere', ['orders:read', 'orders:admin'])))).toEqual([403, 'access_denied'])
  })

  test('no identity: 401 missing_token before the route is looked at', async () => {
    const response = await api.invoke(httpApiEvent({ routeKey: 'PUT /nowhere', method: 'PUT', path: '/nowhere' }))
    expect(outcome(response)).toEqual([401, 'missing_token'])
  })

  test('the HTTP API $default route and function URLs: method and path', async () => {
    const byPath = protect({ routes: { 'GET /my/path': ['scope1'], 'GET /orders/{id}': ['orders:read'] } })
    expect((await byPath.invoke(loadFixture('http-v2-jwt-mtls-scopes.json'))).statusCode).toBe(200)
    const event = httpApiEvent({ routeKey: '$default', path: '/orders/42', authorizer: { jwt: { claims: { sub: 'alice' }, scopes: ['orders:read'] } } })
    expect((await byPath.invoke(event)).statusCode).toBe(200)
    const other = httpApiEvent({ routeKey: '$default', path: '/orders/42/items', authorizer: { jwt: { claims: { sub: 'alice' }, scopes: ['orders:read'] } } })
    expect(outcome(await byPath.invoke(other))).toEqual([403, 'access_denied'])
  })
})

describe('routesDefault', () => {
  test('gives unlisted routes a requirement', async () => {
    const api = protect({ routes: { 'DELETE /orders/{id}': ['orders:admin'] }, routesDefault: { anyOf: ['orders:read', 'orders:admin'] } })
    expect((await api.invoke(httpApi('GET /anything', '/anything', ['orders:read']))).statusCode).toBe(200)
    const response = await api.invoke(httpApi('GET /anything', '/anything', ['profile']))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(challenge(response)).toBe('Bearer realm="api", error="insufficient_scope", scope="orders:read orders:admin"')
    // A listed route keeps its own requirement, even when the default would be satisfied.
    expect(outcome(await api.invoke(httpApi('DELETE /orders/{id}', '/orders/1', ['orders:read'])))).toEqual([403, 'insufficient_scope'])
  })

  test('a list means all of them', async () => {
    const api = protect({ routes: { 'GET /orders': ['orders:read'] }, routesDefault: ['a', 'b'] })
    expect(outcome(await api.invoke(httpApi('GET /x', '/x', ['a'])))).toEqual([403, 'insufficient_scope'])
    expect((await api.invoke(httpApi('GET /x', '/x', ['b', 'a']))).statusCode).toBe(200)
  })
})

describe('a Lambda authorizer is told the decision was per route', () => {
  const notesAfter = async (options: OAuthScopeOptions, event: unknown) => {
    let notes: unknown
    const handler = middy()
      .use(oauthScope(options))
      .use({ onError: (request) => void (notes = requestSpecificChecks(request)), after: (request) => void (notes = requestSpecificChecks(request)) })
      .handler(async () => ({ statusCode: 200 }))
    await handler(event as never, lambdaContext() as never).catch(() => undefined)
    return notes
  }
  test('routes (allowed, denied, not listed, routesDefault) note it; required and anyOf do not', async () => {
    const note = [{ package: '@middy-auth/oauth-scope', reason: 'routes' }]
    expect(await notesAfter({ routes }, httpApi('GET /orders', '/orders', ['orders:read']))).toEqual(note)
    expect(await notesAfter({ routes }, httpApi('GET /orders', '/orders', []))).toEqual(note)
    expect(await notesAfter({ routes }, httpApi('GET /other', '/other', ['orders:read']))).toEqual(note)
    expect(await notesAfter({ routes, routesDefault: ['x'] }, httpApi('GET /other', '/other', ['x']))).toEqual(note)
    expect(await notesAfter({ required: ['orders:read'] }, httpApi('GET /orders', '/orders', ['orders:read']))).toEqual([])
    expect(await notesAfter({ anyOf: ['a'] }, httpApi('GET /orders', '/orders', []))).toEqual([])
  })
})

describe('with @middy/http-router', () => {
  let iss: TestIssuer
  const audience = 'orders-api'
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())

  const calls: string[] = []
  const reply = (name: string) => async (_event: unknown, context: any) => {
    calls.push(name)
    return { statusCode: 200, headers: {}, body: `${name}:${context.auth.subject}` }
  }
  const invoke = async (handler: any, event: unknown) => (await handler(event, lambdaContext())) as Response
  const bearer = async (scope: string, options: Parameters<typeof httpApiEvent>[0] = {}) =>
    httpApiEvent({ ...options, bearer: await iss.sign({ sub: 'alice', scope }, { audience }) })

  test('beside: one oauthScope with routes on the router handler, after jwtVerify', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
      .use(oauthScope({ routes: { 'GET /orders': ['orders:read'], 'GET /orders/{id}': ['orders:read'], 'POST /orders': ['orders:write'] } }))
      .handler(
        httpRouterHandler([
          { method: 'GET', path: '/orders', handler: reply('list') },
          { method: 'GET', path: '/orders/{id}', handler: reply('get') },
          { method: 'POST', path: '/orders', handler: reply('create') },
          { method: 'DELETE', path: '/orders/{id}', handler: reply('delete') },
        ]) as any,
      )
    calls.length = 0
    expect((await invoke(handler, await bearer('orders:read'))).body).toBe('list:alice')
    expect((await invoke(handler, await bearer('orders:read', { routeKey: 'GET /orders/{id}', path: '/orders/42' }))).body).toBe('get:alice')
    expect(outcome(await invoke(handler, await bearer('orders:read', { method: 'POST' })))).toEqual([403, 'insufficient_scope'])
    expect((await invoke(handler, await bearer('orders:write', { method: 'POST' }))).body).toBe('create:alice')
    // The router has the route, the map does not: refused before the router runs.
    expect(
      outcome(await invoke(handler, await bearer('orders:read orders:write', { routeKey: 'DELETE /orders/{id}', method: 'DELETE', path: '/orders/1' }))),
    ).toEqual([403, 'access_denied'])
    // Behind the $default route, the concrete path picks the requirement, as it picks the router's route.
    expect((await invoke(handler, await bearer('orders:read', { routeKey: '$default', path: '/orders/7' }))).body).toBe('get:alice')
    expect(outcome(await invoke(handler, await bearer('orders:write', { routeKey: '$default', path: '/orders/7' })))).toEqual([403, 'insufficient_scope'])
    expect(calls).toEqual(['list', 'get', 'create', 'get'])
  })

  test('beside, alone, on REST events through a Cognito authorizer', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(oauthScope({ routes: { 'GET /orders/{id}': ['orders:read'], 'DELETE /orders/{id}': ['orders:admin'] } }))
      .handler(
        httpRouterHandler([
          { method: 'GET', path: '/orders/{id}', handler: reply('get') },
          { method: 'DELETE', path: '/orders/{id}', handler: reply('delete') },
        ]) as any,
      )
    calls.length = 0
    expect((await invoke(handler, rest('GET', '/orders/{id}', '/orders/42', 'orders:read'))).body).toBe('get:alice')
    expect(outcome(await invoke(handler, rest('DELETE', '/orders/{id}', '/orders/42', 'orders:read')))).toEqual([403, 'insufficient_scope'])
    expect(calls).toEqual(['get'])
  })

  test('inside: oauthScope on each route handler; the outer httpErrorHandler renders the denial', async () => {
    const route = (name: string, options: OAuthScopeOptions) =>
      // Middy types the route's context with context.auth; the router's Route type does not allow for it.
      middy<APIGatewayProxyEventV2>().use(oauthScope(options)).handler(reply(name)) as unknown as Handler<APIGatewayProxyEventV2>
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
      .handler(
        httpRouterHandler([
          { method: 'GET', path: '/orders', handler: route('list', { required: ['orders:read'] }) },
          { method: 'POST', path: '/orders', handler: route('create', { anyOf: ['orders:write', 'orders:admin'] }) },
          { method: 'GET', path: '/health', handler: reply('health') },
        ]) as any,
      )
    calls.length = 0
    expect((await invoke(handler, await bearer('orders:read'))).body).toBe('list:alice')
    const denied = await invoke(handler, await bearer('orders:read', { method: 'POST' }))
    expect(outcome(denied)).toEqual([403, 'insufficient_scope'])
    expect(challenge(denied)).toBe('Bearer realm="api", error="insufficient_scope", scope="orders:write orders:admin"')
    expect((await invoke(handler, await bearer('orders:admin', { method: 'POST' }))).body).toBe('create:alice')
    // A route without oauthScope needs only what the outer middlewares require.
    expect((await invoke(handler, await bearer('profile', { path: '/health' }))).body).toBe('health:alice')
    // Behind a catch-all gateway route the router picks the handler, and with it the requirement.
    expect((await invoke(handler, await bearer('orders:read', { routeKey: 'ANY /{proxy+}' }))).body).toBe('list:alice')
    expect(calls).toEqual(['list', 'create', 'health', 'list'])
  })

  test('inside, alone: the identity from the gateway; nothing of it in a denial', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .handler(
        httpRouterHandler([
          {
            method: 'GET',
            path: '/orders',
            handler: middy<APIGatewayProxyEventV2>()
              .use(oauthScope({ required: ['orders:read'] }))
              .handler(reply('list')) as unknown as Handler,
          },
        ]) as any,
      )
    calls.length = 0
    expect((await invoke(handler, httpApi('GET /orders', '/orders', ['orders:read']))).body).toBe('list:alice')
    const denied = await invoke(handler, httpApi('GET /orders', '/orders', ['orders:write']))
    expect(outcome(denied)).toEqual([403, 'insufficient_scope'])
    expect(visible(denied)).not.toContain('alice')
    expect(visible(denied)).not.toContain('orders:write')
    expect(outcome(await invoke(handler, httpApiEvent()))).toEqual([401, 'missing_token'])
    expect(calls).toEqual(['list'])
  })

  test('function URLs (no routes at the gateway) beside the router', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
      .use(oauthScope({ routes: { 'GET /orders/{id}': ['orders:read'] } }))
      .handler(httpRouterHandler([{ method: 'GET', path: '/orders/{id}', handler: reply('get') }]) as any)
    const token = (scope: string) => iss.sign({ sub: 'alice', scope }, { audience })
    expect((await invoke(handler, functionUrlEvent({ path: '/orders/42', bearer: await token('orders:read') }))).body).toBe('get:alice')
    expect(outcome(await invoke(handler, functionUrlEvent({ path: '/orders/42', bearer: await token('x') })))).toEqual([403, 'insufficient_scope'])
    expect(outcome(await invoke(handler, functionUrlEvent({ path: '/orders', bearer: await token('orders:read') })))).toEqual([403, 'access_denied'])
  })
})
