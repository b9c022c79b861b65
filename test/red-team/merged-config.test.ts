// Red team, after the merge: configuration that the merged branches each changed. jwt-verify's
// cache.maxEntries (≤ 100,000) and the authorizer's route keys (core's parseRouteKey) and route
// permissions (core's isConcretePermission, the grammar rbac decides with). A mistake is a
// TypeError at factory time naming what to fix, with cause.package; never another error, never
// silently accepted. A permission the authorizer accepts is one rbac can answer for: through a
// real rbac() in front of a real authorizerResponse(), a caller holding everything ('*') gets
// the route, so no accepted permission is one that nobody can ever hold.
import { describe, expect, test } from '@jest/globals'
import authorizerResponse from '@middy-auth/authorizer'
import jwtVerify from '@middy-auth/jwt-verify'
import rbac from '@middy-auth/rbac'
import { authorizerRequestEvent, lambdaContext } from '@middy-auth/testing'
import middy from '@middy/core'
import { withIdentity } from '../support/protect.js'

const issuers = [{ issuer: 'https://issuer.example', audience: 'api', jwksUri: 'https://issuer.example/jwks' }]

/** What the factory did: 'ok', or the error's class, package and message. */
const factory = (make: () => unknown): { ok: true } | { ok: false; name: string; package: unknown; message: string } => {
  try {
    make()
    return { ok: true }
  } catch (error) {
    const e = error as Error & { cause?: { package?: unknown } }
    return { ok: false, name: e.constructor.name, package: e.cause?.package, message: e.message }
  }
}

describe('jwtVerify cache.maxEntries', () => {
  test.each([0, 1, 1000, 100_000, 2.5])('%p is accepted', (maxEntries) => {
    expect(factory(() => jwtVerify({ issuers, cache: { maxEntries } } as never))).toEqual({ ok: true })
  })
  test.each([100_001, 1e9, Infinity, -1, Number.NaN, '1000', null, true, 1n])('%p is a TypeError naming cache.maxEntries', (maxEntries) => {
    const result = factory(() => jwtVerify({ issuers, cache: { maxEntries } } as never))
    expect(result).toMatchObject({ ok: false, name: 'TypeError', package: '@middy-auth/jwt-verify' })
    expect((result as { message: string }).message).toContain('cache.maxEntries')
  })
  test.each([true, 1000, 'off'])('cache: %p is a TypeError', (cache) => {
    expect(factory(() => jwtVerify({ issuers, cache } as never))).toMatchObject({ ok: false, name: 'TypeError', package: '@middy-auth/jwt-verify' })
  })
})

const authorizerFor = (routes: unknown) => authorizerResponse({ logger: () => undefined, format: 'iam-policy', routes } as never)

describe('authorizer route keys', () => {
  test.each([
    'GET orders',
    'get /orders',
    'GET /orders/{id',
    'GET /orders/id}',
    'GET /{proxy+}/x',
    'GET  /orders',
    'GET /orders ',
    'GET /orders?x=1',
    'GET /{}',
    'GET /orders/{id+}/more',
    '$default ',
    'GET',
    '',
    'GET /orders\n',
    '* /orders',
    'GET /orders*',
    'GET /ord?rs',
    'GET /orders/*',
    'GET /orders/{id}*',
    '$conn*',
  ])('%j is a TypeError at factory time', (key) => {
    expect(factory(() => authorizerFor({ [key]: {} }))).toMatchObject({ ok: false, name: 'TypeError', package: '@middy-auth/authorizer' })
  })

  // Found by the review of the merged main, and fixed: keys no request can reach were accepted
  // silently (a NUL or a '#' in a path, a special key other than $default/$connect/$disconnect,
  // such as the typo '$defualt'). Nothing was opened (fail closed), but a configuration mistake is
  // a TypeError at cold start. (A variable named twice, '/a/{id}/{id}', stays accepted: whether
  // API Gateway refuses it is not established here, and the route matchers handle it.)
  test.each(['GET /orders\u0000', 'GET /orders#x', '$defualt'])('%j is a TypeError at factory time', (key) => {
    expect(factory(() => authorizerFor({ [key]: {} }))).toMatchObject({ ok: false, name: 'TypeError', package: '@middy-auth/authorizer' })
  })
})

describe('authorizer route permissions: one grammar with rbac', () => {
  test.each([
    ['orders:*'],
    ['orders:re*d'],
    ['*:read'],
    ['*'],
    ['*:*'],
    ['orders'],
    ['orders:read:x'],
    [' orders:read'],
    ['orders:read '],
    [':read'],
    ['orders:'],
    [''],
    [42],
    [null],
    [],
  ])('permissions %j is a TypeError at factory time', (...permissions) => {
    expect(factory(() => authorizerFor({ 'GET /orders': { permissions } }))).toMatchObject({ ok: false, name: 'TypeError', package: '@middy-auth/authorizer' })
  })

  test.each(['orders:read', 'ордеры:читать', 'orders:read\u200b', 'a.b/c:d-e_f'])(
    'an accepted permission %j is one rbac answers for: a caller granted * is allowed, a caller granted nothing is denied',
    async (permission) => {
      const policy = { roles: { root: { allow: ['*'] }, none: { allow: [] } } }
      const decide = async (role: string) => {
        const handler = middy()
        handler.use(withIdentity({ subject: 'alice', roles: [role] }))
        handler.use(rbac({ policy, required: [] } as never))
        handler.use(authorizerFor({ 'GET /orders': { permissions: [permission] } }))
        const event = authorizerRequestEvent({ bearer: 't', method: 'GET', path: '/orders', resource: '/orders' } as never)
        try {
          const answer = (await handler(event as never, lambdaContext() as never)) as { policyDocument: { Statement: Array<{ Effect: string }> } }
          return answer.policyDocument.Statement.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'deny'
        } catch (error) {
          return (error as Error).message === 'Unauthorized' ? 'unauthorized' : `error: ${(error as Error).message}`
        }
      }
      expect(factory(() => authorizerFor({ 'GET /orders': { permissions: [permission] } }))).toEqual({ ok: true })
      expect(await decide('root')).toBe('allow')
      expect(await decide('none')).not.toBe('allow')
    },
  )
})
