// Red team: the route maps, whose refusals moved this session into the `routeMaps` extensions
// (oauth-scope's `route_not_listed` 403, what goes with `routes` in both packages). An outsider
// picks the path of a `$default` route (or the gateway's resource), or a WebSocket message's
// route key (the client's own choice), to look like a name every JavaScript object has
// (`__proto__`, `constructor`, `toString`, `hasOwnProperty`, `valueOf`): no such route is
// listed, so each is refused with 403 `access_denied` and the handler never runs, in the root
// entries and the lean entries with routeMaps alike.
import { describe, expect, test } from '@jest/globals'
import { setAuth, type AuthContext } from '@middy-auth/core'
import rootOAuthScope from '@middy-auth/oauth-scope'
import { routeMaps as scopeRouteMaps } from '@middy-auth/oauth-scope/extensions'
import leanOAuthScope from '@middy-auth/oauth-scope/lean'
import rootRbac, { type Policy } from '@middy-auth/rbac'
import { routeMaps as rbacRouteMaps } from '@middy-auth/rbac/extensions'
import leanRbac from '@middy-auth/rbac/lean'
import { httpApiEvent, lambdaContext, restEvent } from '@middy-auth/testing'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { loadFixture } from '../support/fixtures.js'

const alice: AuthContext = {
  source: 'jwt',
  subject: 'alice',
  issuer: 'https://issuer.example/',
  scopes: ['orders:read', 'orders:admin'],
  roles: ['admin'],
  claims: { sub: 'alice' },
}
const policy: Policy = { roles: { admin: { allow: ['orders:*'] } } }

const middlewares = {
  'oauth-scope, root': () => rootOAuthScope({ routes: { 'GET /orders': ['orders:read'] } }),
  'oauth-scope, lean with routeMaps': () => leanOAuthScope({ routes: { 'GET /orders': ['orders:read'] }, extensions: [scopeRouteMaps] }),
  'rbac, root': () => rootRbac({ policy, rolesFrom: () => ['admin'], routes: { 'GET /orders': 'orders:read' } }),
  'rbac, lean with routeMaps': () => leanRbac({ policy, rolesFrom: () => ['admin'], routes: { 'GET /orders': 'orders:read' }, extensions: [rbacRouteMaps] }),
}

/** The real WebSocket $connect event, as a message whose route key the client chose. */
function websocketMessage(routeKey: string): unknown {
  const connect = loadFixture('websocket-connect.json') as { requestContext: Record<string, unknown> }
  return { ...connect, requestContext: { ...connect.requestContext, routeKey, eventType: 'MESSAGE' } }
}

const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']
const events = names.flatMap((name) => [
  httpApiEvent({ routeKey: '$default', method: 'GET', path: `/${name}` }),
  httpApiEvent({ routeKey: `GET /${name}`, method: 'GET', path: `/${name}` }),
  restEvent({ method: 'GET', resource: `/${name}`, path: `/${name}` }),
  restEvent({ method: 'GET', resource: '/{proxy+}', path: `/${name}` }),
  // A WebSocket message's route key is the client's own choice (the route selection expression).
  websocketMessage(name),
])

describe.each(Object.entries(middlewares))('%s: a route named like an object member is not listed', (_name, middleware) => {
  test('403 access_denied, the handler never called; the listed route still answers', async () => {
    let called = 0
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use({ before: (request) => setAuth(request, alice) })
      .use(middleware())
      .handler(async () => {
        called++
        return { statusCode: 200, body: 'ok' }
      })
    for (const event of events) {
      const response = (await handler(event as never, lambdaContext() as never)) as { statusCode: number; body: string }
      expect([response.statusCode, JSON.parse(response.body).error]).toEqual([403, 'access_denied'])
    }
    expect(called).toBe(0)
    const listed = (await handler(httpApiEvent({ routeKey: 'GET /orders', method: 'GET', path: '/orders' }) as never, lambdaContext() as never)) as {
      statusCode: number
    }
    expect(listed.statusCode).toBe(200)
    expect(called).toBe(1)
  })
})
