// Red team, round 3: the authorizer context's encoder and decoder, now one core module with one
// list of reserved keys (feat/house). A real authorizer function (a caller's identity in front,
// authorizerResponse) answers; its context reaches a real target function the way API Gateway
// hands it on (HTTP API simple response: `authorizer.lambda`, JSON types kept; REST: flat, every
// value a string, the gateway's own principalId); rbac there reads roles from a claim. A claim
// that was one string (even '["admin"]' or 'admin,editor') must come back as one string, never
// as a list of roles; the identity's own scopes and roles cannot be replaced by a claim.
import { describe, expect, test } from '@jest/globals'
import authorizerResponse, { type AuthorizerResult } from '@middy-auth/authorizer'
import { setAuth, type AuthContext } from '@middy-auth/core'
import rbac from '@middy-auth/rbac'
import { httpApiEvent, httpAuthorizerEventV2, lambdaContext, restEvent, authorizerRequestEvent } from '@middy-auth/testing'
import middy from '@middy/core'
import fc from 'fast-check'
import { protect } from '../support/protect.js'

const policy = { roles: { admin: { allow: ['*'] }, editor: { allow: ['articles:update'] }, reader: { allow: ['articles:read'] } } }
const requirementOption = (() => {
  try {
    rbac({ policy, required: [] } as never)
    return 'required'
  } catch {
    return 'require'
  }
})()

/** The context an authorizer function answers with, for a caller whose identity is `auth`. */
const contextFor = async (auth: AuthContext, kind: 'http' | 'rest', contextClaims: string[]): Promise<Record<string, unknown>> => {
  const handler = middy()
  handler.use({ before: (request) => setAuth(request as never, auth) })
  handler.use(authorizerResponse({ logger: () => undefined, format: kind === 'http' ? 'simple' : 'iam-policy', contextClaims } as never))
  const event = kind === 'http' ? httpAuthorizerEventV2({ bearer: 't', identitySource: ['Bearer t'] }) : authorizerRequestEvent({ bearer: 't' })
  const answer = (await handler(event as never, lambdaContext())) as AuthorizerResult & { context?: Record<string, unknown> }
  expect(answer.context).toBeDefined()
  return answer.context as Record<string, unknown>
}

/** What the target function's context.auth holds once API Gateway passed the context on. */
const targetSees = async (context: Record<string, unknown>, kind: 'http' | 'rest', principalId: string) => {
  const { invoke, seen } = protect([rbac({ policy, [requirementOption]: [], rolesFrom: 'groups' } as never)])
  const event =
    kind === 'http'
      ? httpApiEvent({ authorizer: { lambda: context } })
      : // REST: every value a string, principalId the gateway's.
        restEvent({ authorizer: { ...Object.fromEntries(Object.entries(context).map(([k, v]) => [k, String(v)])), principalId } } as never)
  const response = await invoke(event)
  expect(response.statusCode).toBe(200)
  return seen.at(-1) as AuthContext & { permissions: string[] }
}

const claimValue = fc.oneof(
  fc.constantFrom('admin', '["admin"]', 'admin,editor', 'admin editor', '[]', '["admin","editor"]', 'true', '1', '', 'null', '{"a":1}'),
  fc.array(fc.constantFrom('reader', 'editor', 'admin', '["admin"]', 'a,b'), { maxLength: 3 }),
  fc.integer(),
  fc.boolean(),
)

describe.each(['http', 'rest'] as const)('round trip through %s', (kind) => {
  test('a claim keeps its shape: a string (whatever it looks like) is one role name, a list is its names', async () => {
    await fc.assert(
      fc.asyncProperty(claimValue, claimValue, async (groups, note) => {
        const auth: AuthContext = { source: 'jwt', subject: 'alice', scopes: ['articles:read'], roles: [], claims: { groups, note } }
        const seen = await targetSees(await contextFor(auth, kind, ['groups', 'note']), kind, 'alice')
        const expectedRoles = (Array.isArray(groups) ? groups : typeof groups === 'string' && groups !== '' ? [groups] : []).filter(
          (name) => name in policy.roles,
        )
        expect([...new Set(seen.roles)].sort()).toEqual([...new Set(expectedRoles)].sort())
        expect(seen.subject).toBe('alice')
        expect(seen.scopes).toEqual(['articles:read'])
        if (typeof groups === 'string' && groups !== '') expect(seen.claims.groups).toBe(groups)
        if (typeof note === 'string') expect(seen.claims.note).toBe(note)
      }),
      { numRuns: 150 },
    )
  })

  test("claims named like the identity's own fields cannot be context claims (cold start), so they cannot replace scopes, roles or the subject", async () => {
    for (const name of ['scopes', 'roles', 'principalId', 'source', 'iss', 'middyAuthContext', 'middyAuthLists']) {
      expect(() => authorizerResponse({ contextClaims: [name] } as never)).toThrow(TypeError)
    }
    // A claim named like the singular scope, and a claim `sub` that differs from the subject.
    const auth: AuthContext = {
      source: 'jwt',
      subject: 'alice',
      scopes: ['articles:read'],
      roles: [],
      claims: { scope: 'admin articles:update', sub: 'root', groups: ['reader'] },
    }
    const seen = await targetSees(await contextFor(auth, kind, ['scope', 'sub', 'groups']), kind, 'alice')
    expect(seen.scopes).toEqual(['articles:read'])
    expect(seen.subject).toBe('alice')
    expect(seen.roles).toEqual(['reader'])
  })
})

describe('REST: keys the gateway reader gives meaning to', () => {
  // Found in review: on REST the context is flat beside principalId, and the target's reader
  // took any authorizer with an own key `lambda` for an HTTP API context, so a claim named
  // `lambda` emptied the identity. `lambda`, `jwt` and `claims` are now reserved context keys,
  // and `authorizer.lambda` is an HTTP API context only when it is an object or null.
  test("contextClaims: ['lambda'] is refused at cold start", () => {
    expect(() => authorizerResponse({ contextClaims: ['lambda'] } as never)).toThrow(TypeError)
  })

  test('a REST context with a string value named lambda still carries the caller', async () => {
    const { invoke, seen } = protect([rbac({ policy, [requirementOption]: [] } as never)])
    expect((await invoke(restEvent({ authorizer: { principalId: 'alice', lambda: 'on', roles: '["admin"]' } } as never))).statusCode).toBe(200)
    expect(seen.at(-1)).toMatchObject({ subject: 'alice' })
  })

  test("contextClaims: ['lambda'] is refused at cold start, or the target still sees the caller", async () => {
    let built = true
    try {
      authorizerResponse({ contextClaims: ['lambda'] } as never)
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      built = false
    }
    if (!built) return
    const auth: AuthContext = { source: 'jwt', subject: 'alice', scopes: ['articles:read'], roles: ['admin'], claims: { lambda: 'on' } }
    const handler = middy()
    handler.use({ before: (request) => setAuth(request as never, auth) })
    handler.use(authorizerResponse({ logger: () => undefined, contextClaims: ['lambda'] } as never))
    const answer = (await handler(authorizerRequestEvent({ bearer: 't' }) as never, lambdaContext())) as { context: Record<string, unknown> }
    const { invoke, seen } = protect([rbac({ policy, [requirementOption]: [] } as never)])
    const flat = Object.fromEntries(Object.entries(answer.context).map(([k, v]) => [k, String(v)]))
    expect((await invoke(restEvent({ authorizer: { ...flat, principalId: 'alice' } } as never))).statusCode).toBe(200)
    expect(seen.at(-1)).toMatchObject({ subject: 'alice', roles: ['admin'], scopes: ['articles:read'] })
  })
})
