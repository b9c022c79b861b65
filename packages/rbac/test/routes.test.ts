import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { albEvent, functionUrlEvent, httpApiEvent, lambdaContext, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import rbac, { can, cognitoRoles, type RbacDecision } from '../src/index.js'
import { articlesPolicy as policy, isOwner, outcome, protect, withIdentity } from './support.js'

const routes = {
  'GET /articles': 'articles:read',
  'GET /articles/{id}': 'articles:read',
  'POST /articles': 'articles:create',
  'PUT /articles/{id}': ['articles:read', 'articles:update'],
  'DELETE /articles/{id}': 'articles:delete',
  'ANY /comments/{proxy+}': { anyOf: ['comments:write', 'articles:update'] },
  'GET /me': [],
} as const

const as = (roles: string[]) => [withIdentity({ roles })]

describe('routes: a requirement per route', () => {
  test('HTTP API: the routeKey picks the requirement', async () => {
    const api = protect({ policy, routes }, as(['viewer']))
    const get = (routeKey: string, path: string) => httpApiEvent({ routeKey, path, method: routeKey.split(' ')[0] })
    expect((await api.invoke(get('GET /articles/{id}', '/articles/1'))).statusCode).toBe(200)
    expect(outcome(await api.invoke(get('PUT /articles/{id}', '/articles/1')))).toEqual([403, 'access_denied'])
    expect((await api.invoke(get('PATCH /comments/{proxy+}', '/comments/1/likes'))).statusCode).toBe(200)
    expect((await api.invoke(get('GET /me', '/me'))).statusCode).toBe(200)
    expect(api.seen.decisions.map((d) => [d.decision, d.permission, d.reason])).toEqual([
      ['allow', 'articles:read', 'role viewer allows articles:read'],
      ['deny', 'articles:update', 'no role allows articles:update'],
      ['allow', 'comments:write', 'role viewer allows comments:*'],
      ['allow', undefined, 'no permission required'],
    ])
  })

  test('REST: the resource template picks it', async () => {
    const api = protect({ policy, routes }, as(['editor']))
    expect((await api.invoke(restEvent({ method: 'PUT', resource: '/articles/{id}', path: '/articles/1' }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(restEvent({ method: 'DELETE', resource: '/articles/{id}', path: '/articles/1' })))).toEqual([403, 'access_denied'])
  })

  test('function URL and ALB: the concrete path is matched against the templates', async () => {
    const api = protect({ policy, routes }, as(['editor']))
    expect((await api.invoke(functionUrlEvent({ method: 'PUT', path: '/articles/42' }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(functionUrlEvent({ method: 'DELETE', path: '/articles/42' })))).toEqual([403, 'access_denied'])
    expect((await api.invoke(albEvent({ method: 'POST', path: '/articles' }))).statusCode).toBe(200)
  })

  test('a route that is not listed is denied, whatever the roles', async () => {
    const api = protect({ policy, routes }, as(['admin']))
    expect(outcome(await api.invoke(httpApiEvent({ routeKey: 'GET /admin/users', path: '/admin/users' })))).toEqual([403, 'access_denied'])
    expect(outcome(await api.invoke(functionUrlEvent({ method: 'PATCH', path: '/articles' })))).toEqual([403, 'access_denied'])
    expect(outcome(await api.invoke(loadFixture('http-v2-jwt-access-token-groups.json')))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions.map((d: RbacDecision) => [d.decision, d.permission, d.reason])).toEqual([
      ['deny', undefined, 'route not listed'],
      ['deny', undefined, 'route not listed'],
      ['deny', undefined, 'route not listed'],
    ])
  })

  test('routesDefault applies to unlisted routes', async () => {
    const api = protect({ policy, routes, routesDefault: 'users:invite' }, as(['admin']))
    expect((await api.invoke(httpApiEvent({ routeKey: 'GET /admin/users', path: '/admin/users' }))).statusCode).toBe(200)
    const viewer = protect({ policy, routes, routesDefault: 'users:invite' }, as(['viewer']))
    expect(outcome(await viewer.invoke(httpApiEvent({ routeKey: 'GET /admin/users', path: '/admin/users' })))).toEqual([403, 'access_denied'])
    expect(viewer.seen.decisions[0]!.reason).toBe('no role allows users:invite')
  })

  test('a route requirement may be a function of the request', async () => {
    const api = protect(
      { policy, routes: { 'POST /articles/{id}/{action}': (request: any) => `articles:${request.event.pathParameters.action}` } },
      as(['editor']),
    )
    const post = (action: string) =>
      httpApiEvent({ routeKey: 'POST /articles/{id}/{action}', path: `/articles/1/${action}`, method: 'POST', pathParameters: { id: '1', action } })
    expect((await api.invoke(post('update'))).statusCode).toBe(200)
    expect(outcome(await api.invoke(post('delete')))).toEqual([403, 'access_denied'])
    // Request data that is not a concrete permission never becomes a wildcard requirement.
    expect(outcome(await api.invoke(post('*')))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions.at(-1)!.reason).toBe('invalid requirement')
  })

  test("alone behind a gateway authorizer: the REST Cognito fixture's route", async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), routes: { 'POST /cognito': 'articles:create' } })
    expect((await api.invoke(loadFixture('rest-v1-cognito-groups.json'))).statusCode).toBe(200)
    expect((await api.invoke(loadFixture('http-v2-jwt-access-token-groups.json'))).statusCode).toBe(200)
  })
})

describe('with @middy/http-router', () => {
  const makeHandler = () => {
    const decisions: RbacDecision[] = []
    const router = httpRouterHandler([
      { method: 'GET', path: '/articles/{id}', handler: async () => ({ statusCode: 200, body: 'article' }) },
      {
        method: 'PUT',
        path: '/articles/{id}',
        handler: async (event: any, context: any) => {
          const article = { ownerId: event.headers['x-owner'] }
          return can(context.auth, 'articles:publish', article) ? { statusCode: 200, body: 'published' } : { statusCode: 200, body: 'saved as draft' }
        },
      },
      { method: 'DELETE', path: '/articles/{id}', handler: async () => ({ statusCode: 204, body: '' }) },
    ] as never)
    return {
      decisions,
      handler: middy()
        .use(withIdentity({ subject: 'alice', roles: ['editor'] }))
        .use(rbac({ policy, conditions: { isOwner }, routes, onDecision: (decision) => void decisions.push(decision) }))
        .use(httpErrorHandler({ logger: false }))
        .handler(router as never),
    }
  }
  const call = async (handler: any, event: unknown) => (await handler(event, lambdaContext())) as { statusCode: number; body: string }

  test('one function, several routes, one rbac with a route map', async () => {
    const { handler, decisions } = makeHandler()
    const event = (method: string, owner = 'bob') =>
      httpApiEvent({ routeKey: `${method} /articles/{id}`, method, path: '/articles/1', pathParameters: { id: '1' }, headers: { 'x-owner': owner } })
    expect(await call(handler, event('GET'))).toMatchObject({ statusCode: 200, body: 'article' })
    expect(await call(handler, event('PUT', 'alice'))).toMatchObject({ statusCode: 200, body: 'published' })
    expect(await call(handler, event('PUT', 'bob'))).toMatchObject({ statusCode: 200, body: 'saved as draft' })
    expect((await call(handler, event('DELETE'))).statusCode).toBe(403)
    expect(decisions.map((d) => d.decision)).toEqual(['allow', 'allow', 'allow', 'deny'])
  })

  test('REST and function URL events through the same router', async () => {
    const { handler } = makeHandler()
    expect((await call(handler, restEvent({ method: 'GET', resource: '/articles/{id}', path: '/articles/1', pathParameters: { id: '1' } }))).statusCode).toBe(
      200,
    )
    expect(
      (await call(handler, restEvent({ method: 'DELETE', resource: '/articles/{id}', path: '/articles/1', pathParameters: { id: '1' } }))).statusCode,
    ).toBe(403)
    expect((await call(handler, functionUrlEvent({ method: 'GET', path: '/articles/1' }))).statusCode).toBe(200)
    expect((await call(handler, functionUrlEvent({ method: 'DELETE', path: '/articles/1' }))).statusCode).toBe(403)
  })
})
