// Red team, after the merge: the target function's reading of a Lambda authorizer's context
// (core's authorizer-context.ts and gateway.ts): lists restored with parseJsonArray only when
// named in middyAuthLists, `lambda`/`jwt`/`claims` reserved, `authorizer.lambda` read only when
// an object or null. Hand-forged contexts (what a hand-written or buggy authorizer, or a claim it
// copies, could put there) reach rbac, alone and after jwtVerify({ trustApiGateway: true }),
// through real middy() handlers. A forged shape must never widen the roles, and never be a 500.
import { describe, expect, test } from '@jest/globals'
import jwtVerify from '@middy-auth/jwt-verify'
import rbac from '@middy-auth/rbac'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { outcome, protect, type Middleware } from '../support/protect.js'

const policy = { roles: { admin: { allow: ['orders:*'] }, reader: { allow: ['orders:read'] } } }
const fronts: Array<[string, () => Middleware[]]> = [
  ['rbac alone', () => []],
  ['after jwtVerify({ trustApiGateway: true })', () => [jwtVerify({ trustApiGateway: true } as never)]],
]
const http = (lambda: unknown) => httpApiEvent({ authorizer: { lambda } } as never)
const rest = (context: Record<string, string>) => restEvent({ authorizer: { principalId: 'alice', ...context } } as never)

/** The outcome of orders:delete (admins only) for a caller whose context is `event`'s. */
const deleteAs = async (front: Middleware[], event: unknown, rolesFrom?: string) => {
  const api = protect([...front, rbac({ policy, required: 'orders:delete', ...(rolesFrom ? { rolesFrom } : {}) } as never)], (context) => context.auth.roles)
  const response = await api.invoke(event)
  return { response, roles: api.seen.at(-1)?.roles }
}

describe.each(fronts)('%s', (_name, front) => {
  const forged: Array<[string, unknown, string | undefined]> = [
    ['HTTP: roles as a JSON list of junk', http({ middyAuthContext: 1, middyAuthLists: '[]', roles: '[null,1,{"a":1},["admin"],"reader"]' }), undefined],
    [
      'HTTP: a claim not named as a list stays one string',
      http({ middyAuthContext: 1, middyAuthLists: '[]', roles: '["reader"]', groups: '["admin"]' }),
      'groups',
    ],
    ['HTTP: middyAuthLists not JSON', http({ middyAuthContext: 1, middyAuthLists: '["groups"', roles: '["reader"]', groups: 'admin,reader' }), 'groups'],
    ['HTTP: middyAuthLists an object', http({ middyAuthContext: 1, middyAuthLists: '{"0":"groups"}', roles: '["reader"]', groups: '"admin"' }), 'groups'],
    [
      'HTTP: a nested lambda object under lambda',
      http({ middyAuthContext: 1, middyAuthLists: '[]', roles: '["reader"]', lambda: { roles: ['admin'] } }),
      undefined,
    ],
    ['HTTP: roles as a real array with junk', http({ roles: [['admin'], { toString: 'admin' }, 'reader'] }), undefined],
    [
      'HTTP: __proto__ claim',
      http(JSON.parse('{"middyAuthContext":1,"middyAuthLists":"[]","roles":"[\\"reader\\"]","__proto__":"[\\"admin\\"]"}')),
      '__proto__',
    ],
    ['REST: a string lambda with an HTTP context in it', rest({ lambda: '{"roles":["admin"]}', roles: 'reader' }), undefined],
    ['REST: a string jwt and claims', rest({ jwt: '{"claims":{"cognito:groups":"admin"}}', claims: '{"roles":"admin"}', roles: 'reader' }), undefined],
    ['REST: marked, middyAuthLists names roles twice', rest({ middyAuthContext: '1', middyAuthLists: '["roles","roles"]', roles: '["reader"]' }), undefined],
    [
      'REST: marked, a claim that is one string with commas',
      rest({ middyAuthContext: '1', middyAuthLists: '[]', roles: '["reader"]', groups: 'admin,reader' }),
      'groups',
    ],
  ]
  test.each(forged)('%s: never admin, never a 500', async (_case, event, rolesFrom) => {
    const { response, roles } = await deleteAs(front(), event, rolesFrom)
    expect(response.statusCode).not.toBe(500)
    expect(response.statusCode).not.toBe(200)
    expect(roles).toBeUndefined()
  })

  // Found by the review of the merged main, and fixed (packages/core/src/authorizer-context.ts decodeAuthorizerContext, `listed`): a marked
  // context whose middyAuthLists is PRESENT but not a JSON list of strings ('[1]', '"groups"',
  // 'null', text that is not JSON, a non-string on HTTP API) is read like a context WITHOUT it
  // (an earlier authorizer's): every JSON-list text becomes a list. So a claim that was one
  // string '["admin"]' comes back as the role admin: the fallback for garbage is the widest
  // reading. Not reachable with today's encoder (it always writes a valid list, and the key is
  // reserved), so medium-low: a hand-written or buggy authorizer, or a future encoder change,
  // turns it into a false accept. Fix: only an ABSENT middyAuthLists means "earlier version";
  // a present one that does not parse means "no claim is a list" (scopes and roles only).
  const badLists: Array<[string, unknown]> = [
    ['a list of numbers', '[1]'],
    ['a JSON string', '"groups"'],
    ['JSON null', 'null'],
    ['not JSON', '["groups"'],
    ['an object', '{"0":"groups"}'],
    ['a real array (HTTP API keeps JSON types)', ['groups']],
    ['a number', 1],
  ]
  test.each(badLists)('a marked context with middyAuthLists %s reads the string claim \'["admin"]\' as one string', async (_case, lists) => {
    const { response } = await deleteAs(front(), http({ middyAuthContext: 1, middyAuthLists: lists, roles: '["reader"]', groups: '["admin"]' }), 'groups')
    expect(outcome(response)).toEqual([403, 'access_denied'])
  })

  const notContexts: Array<[string, unknown]> = [
    ['a string', 'admin'],
    ['a number', 1],
    ['an array', ['admin']],
    ['true', true],
  ]
  test.each(notContexts)('HTTP authorizer.lambda that is %s is not a context: no identity from it (401), no 500', async (_case, lambda) => {
    const { response } = await deleteAs(front(), http(lambda))
    expect(outcome(response)[0]).toBe(401)
  })

  test('HTTP authorizer.lambda: null is an empty context: an identity without roles, 403', async () => {
    const { response } = await deleteAs(front(), http(null))
    expect(outcome(response)).toEqual([403, 'access_denied'])
  })

  test('a real admin context is admitted (the forged cases above are refused for their shape, not for everything)', async () => {
    const { response } = await deleteAs(front(), http({ middyAuthContext: 1, middyAuthLists: '[]', principalId: 'alice', roles: '["admin"]' }))
    expect(outcome(response)).toEqual([200, 'ok'])
    const { response: restResponse } = await deleteAs(
      front(),
      rest({ middyAuthContext: '1', middyAuthLists: '["groups"]', roles: '[]', groups: '["admin"]' }),
      'groups',
    )
    expect(outcome(restResponse)).toEqual([200, 'ok'])
  })
})
