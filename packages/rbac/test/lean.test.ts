import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { routeMaps as scopeRouteMaps } from '@middy-auth/oauth-scope/extensions'
import { apiGatewayClaims, routeMaps, type RbacExtension } from '../src/extensions.js'
import leanRbac from '../src/lean.js'
import rbac, { cognitoRoles, rbacValidateOptions, type RbacDecision, type RbacOptions } from '../src/index.js'
import { fixtureNames, loadFixture } from '../../../test/support/fixtures.js'
import { thrown } from '../../../test/support/thrown.js'
import { outcome, protect, withIdentity, type Middleware, type Response } from '../../../test/support/protect.js'
import { articlesPolicy as policy, isOwner } from './support.js'

/**
 * `@middy-auth/rbac/lean` against the root entry, through real handlers and real events: with
 * the extensions its options need it answers exactly as the root does (status, headers, body,
 * what the handler saw, what onDecision got); without `apiGatewayClaims` it refuses what the root
 * reads from the gateway, as the root refuses a request with no identity at all; it never
 * accepts what the root refuses.
 */

// Route maps tell of gateway routes their keys do not name (console.warn): expected here.
const warn = jest.spyOn(console, 'warn')
beforeAll(() => void warn.mockImplementation(() => undefined))
afterAll(() => warn.mockRestore())

const body = (context: any) => ({ subject: context.auth.subject, roles: context.auth.roles, permissions: context.auth.permissions })

/** One handler: the identity middlewares, then rbac built by `build` ({@link policy}'s condition given, onDecision recording). */
const handler = (build: (options: RbacOptions<any, any>) => Middleware, options: RbacOptions<any, any>, before: Middleware[]) => {
  const decisions: RbacDecision[] = []
  const api = protect([...before, build({ conditions: { isOwner }, ...options, onDecision: (decision) => void decisions.push(decision) })], body)
  return { ...api, decisions }
}

/** What a client, the handler and onDecision see of one request. */
const observe = async (api: ReturnType<typeof handler>, event: unknown) => {
  const response: Response = await api.invoke(event)
  return { response, seen: api.seen, decisions: api.decisions, errors: api.errors.map(({ code, cause }) => ({ code, cause })) }
}

const compare = async (options: RbacOptions<any, any>, extensions: readonly RbacExtension[], event: () => unknown, before: Middleware[] = []) => ({
  root: await observe(handler(rbac, options, before), event()),
  lean: await observe(
    handler((settings) => leanRbac({ ...settings, extensions }), options, before),
    event(),
  ),
})

const routes = { 'GET /articles': 'articles:read', 'DELETE /articles/{id}': 'articles:delete', 'POST /articles/{id}/publish': 'articles:publish' } as const
const routeEvent = (routeKey: string, path: string) => httpApiEvent({ routeKey, method: routeKey.split(' ')[0], path })
const editor = withIdentity({ subject: 'alice', roles: ['editor'] })

describe('with the extensions its options need, the lean entry answers as the root does', () => {
  const cases: Array<[string, RbacOptions<any, any>, readonly RbacExtension[], () => unknown, Middleware[]]> = [
    ['a permission granted', { policy, required: 'articles:update' }, [], () => httpApiEvent(), [editor]],
    ['a deny', { policy, required: 'articles:delete' }, [], () => httpApiEvent(), [editor]],
    [
      'anyOf, roles from a claim with a role map',
      { policy, rolesFrom: 'groups', roleMap: { Writers: 'editor' }, required: { anyOf: ['users:invite', 'articles:create'] } },
      [],
      () => httpApiEvent(),
      [withIdentity({ claims: { groups: ['Writers'] } })],
    ],
    [
      'a condition and its resource',
      { policy, required: 'articles:publish', conditions: { isOwner }, resource: async () => ({ ownerId: 'alice' }) },
      [],
      () => httpApiEvent(),
      [editor],
    ],
    [
      'a condition not met',
      { policy, required: 'articles:publish', conditions: { isOwner }, resource: () => ({ ownerId: 'bob' }) },
      [],
      () => httpApiEvent(),
      [editor],
    ],
    [
      'a requirement function',
      { policy, required: (request: any) => (request.event.requestContext.http.method === 'GET' ? 'articles:read' : 'articles:delete') },
      [],
      () => httpApiEvent({ method: 'POST' }),
      [editor],
    ],
    ['no identity at all (http-v2-no-auth.json)', { policy, required: 'articles:read' }, [], () => loadFixture('http-v2-no-auth.json'), []],
    ['a listed route', { policy, routes }, [routeMaps], () => routeEvent('GET /articles', '/articles'), [editor]],
    ['a route whose permission a role denies', { policy, routes }, [routeMaps], () => routeEvent('DELETE /articles/{id}', '/articles/42'), [editor]],
    ['a route routes does not list', { policy, routes }, [routeMaps], () => routeEvent('PUT /articles/{id}', '/articles/42'), [editor]],
    ['routesDefault', { policy, routes, routesDefault: [] }, [routeMaps], () => routeEvent('PUT /articles/{id}', '/articles/42'), [editor]],
    ['a REST route', { policy, routes }, [routeMaps], () => restEvent({ method: 'GET', resource: '/articles', path: '/articles' }), [editor]],
    [
      'HTTP API JWT authorizer groups (http-v2-jwt-access-token-groups.json)',
      { policy, rolesFrom: cognitoRoles(), required: 'articles:update' },
      [apiGatewayClaims],
      () => loadFixture('http-v2-jwt-access-token-groups.json'),
      [],
    ],
    [
      'a deny through the gateway groups',
      { policy, rolesFrom: 'cognito:groups', required: 'articles:delete' },
      [apiGatewayClaims],
      () => loadFixture('http-v2-jwt-access-token-groups.json'),
      [],
    ],
    [
      'REST Cognito groups (rest-v1-cognito-groups.json) and routes',
      { policy, rolesFrom: cognitoRoles(), routes: { 'POST /cognito': 'users:invite' } },
      [routeMaps, apiGatewayClaims],
      () => loadFixture('rest-v1-cognito-groups.json'),
      [],
    ],
  ]

  /** What the root answers each case (tested in the root's own suites), so that each case checks what it says. */
  const status: Record<string, number> = {
    'a permission granted': 200,
    'a deny': 403,
    'anyOf, roles from a claim with a role map': 200,
    'a condition and its resource': 200,
    'a condition not met': 403,
    'a requirement function': 403,
    'no identity at all (http-v2-no-auth.json)': 401,
    'a listed route': 200,
    'a route whose permission a role denies': 403,
    'a route routes does not list': 403,
    routesDefault: 200,
    'a REST route': 200,
    'HTTP API JWT authorizer groups (http-v2-jwt-access-token-groups.json)': 200,
    'a deny through the gateway groups': 403,
    'REST Cognito groups (rest-v1-cognito-groups.json) and routes': 200,
  }

  test.each(cases)('%s', async (name, options, extensions, event, before) => {
    const { root, lean } = await compare(options, extensions, event, before)
    expect(root.response.statusCode).toBe(status[name])
    expect(lean).toEqual(root)
  })

  test('every extension listed: the same answers as the root on every fixture', async () => {
    for (const name of fixtureNames()) {
      for (const options of optionSets) {
        const { root, lean } = await compare(options, [routeMaps, apiGatewayClaims], () => loadFixture(name))
        expect({ name, ...lean }).toEqual({ name, ...root })
      }
    }
  })
})

const optionSets: Array<RbacOptions<any, any>> = [
  { policy, rolesFrom: 'cognito:groups', required: 'articles:read' },
  { policy, rolesFrom: ['cognito:groups', 'roles'], required: [] },
  {
    policy,
    rolesFrom: cognitoRoles(),
    routes: { 'GET /articles': 'articles:read', 'ANY /{proxy+}': { anyOf: ['comments:read', 'users:invite'] } },
    routesDefault: 'articles:read',
  },
]

describe('without apiGatewayClaims, the lean entry never accepts what the root refuses', () => {
  test('on every fixture, with and without an identity before it, each set of extensions its options allow', async () => {
    const noIdentity = await compare({ policy, required: 'articles:read' }, [], () => loadFixture('http-v2-no-auth.json'))
    let refusedByLeanOnly = 0
    for (const name of fixtureNames()) {
      for (const options of optionSets) {
        for (const extensions of options.routes ? [[routeMaps]] : [[], [routeMaps]]) {
          for (const before of [[], [withIdentity({ roles: ['viewer'], claims: { 'cognito:groups': ['admin'] } })]]) {
            const { root, lean } = await compare(options, extensions, () => loadFixture(name), before)
            if (lean.response.statusCode < 400) {
              expect({ name, ...lean }).toEqual({ name, ...root })
              continue
            }
            if (root.response.statusCode < 400) {
              // The root read the gateway's claims; the lean entry without them saw no identity.
              expect(before).toHaveLength(0)
              expect(lean.response).toEqual(noIdentity.root.response)
              expect(lean.errors.map((error) => error.code)).toEqual(['missing_token'])
              expect(lean.decisions).toEqual(noIdentity.root.decisions)
              refusedByLeanOnly++
            }
            expect(lean.seen).toEqual([])
          }
        }
      }
    }
    // The fixtures with a gateway identity that the root accepts are there: the check above ran.
    expect(refusedByLeanOnly).toBeGreaterThan(3)
  })

  test('a gateway identity is refused exactly as no identity at all: 401 missing_token, the handler not called', async () => {
    for (const name of ['http-v2-jwt-access-token-groups.json', 'rest-v1-cognito-groups.json', 'http-v2-lambda-authorizer-context.json']) {
      const api = protect([leanRbac({ policy, conditions: { isOwner }, rolesFrom: cognitoRoles(), required: [] })])
      const response = await api.invoke(loadFixture(name))
      expect(response).toEqual(
        await protect([rbac({ policy, conditions: { isOwner }, rolesFrom: cognitoRoles(), required: [] })]).invoke(loadFixture('http-v2-no-auth.json')),
      )
      expect(response.statusCode).toBe(401)
      expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api"')
      expect(api.seen).toEqual([])
    }
  })
})

describe('an option whose extension is missing: a TypeError at cold start that names the import', () => {
  test('routes without routeMaps', () => {
    for (const options of [
      { policy, routes },
      { policy, routes, routesDefault: [] },
    ] as Array<RbacOptions<any, any>>) {
      const error = thrown(() => leanRbac({ ...options, extensions: [apiGatewayClaims] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `rbac: routes needs the routeMaps extension, which '@middy-auth/rbac/lean' leaves out: import { routeMaps } from '@middy-auth/rbac/extensions' and pass extensions: [routeMaps] (or import rbac from '@middy-auth/rbac', which has every extension)`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option: 'routes' })
    }
  })

  test("another package's extension, or something else, is refused", () => {
    expect(thrown(() => leanRbac({ policy, routes, extensions: [scopeRouteMaps as never] }))?.message).toBe(
      `rbac: extensions[0] is not an extension of @middy-auth/rbac: import it from '@middy-auth/rbac/extensions'`,
    )
    // Middy's opt-in schema check takes it too.
    expect(rbacValidateOptions({ policy, routes, extensions: [apiGatewayClaims] })).toBeTruthy()
    expect(thrown(() => leanRbac({ policy, required: [], extensions: 'routeMaps' as never }))?.message).toMatch(/^rbac: extensions must be a list/)
  })

  test('the root entry checks extensions and then has them all: routes and the gateway claims work whatever the list says', async () => {
    // Only apiGatewayClaims listed: routes still works, so only the import line differs between the entries.
    const byRoute = protect([editor, rbac({ policy, conditions: { isOwner }, routes, extensions: [apiGatewayClaims] })])
    expect(outcome(await byRoute.invoke(routeEvent('GET /articles', '/articles')))).toEqual([200, 'ok'])
    // Only routeMaps listed: the identity the gateway verified is still read (a 403 on its groups, not a 401).
    const behindGateway = protect([
      rbac({ policy, conditions: { isOwner }, rolesFrom: 'cognito:groups', required: 'articles:delete', extensions: [routeMaps] }),
    ])
    expect(outcome(await behindGateway.invoke(loadFixture('http-v2-jwt-access-token-groups.json')))).toEqual([403, 'access_denied'])
    expect(thrown(() => rbac({ policy, conditions: { isOwner }, required: [], extensions: [scopeRouteMaps as never] }))?.message).toBe(
      `rbac: extensions[0] is not an extension of @middy-auth/rbac: import it from '@middy-auth/rbac/extensions'`,
    )
  })

  test('every other configuration mistake: the same TypeError as the root', () => {
    const mistakes: unknown[] = [
      undefined,
      {},
      { policy },
      { policy: { roles: {} }, required: [] },
      { policy, required: 'articles:*' },
      { policy, required: [], routes },
      { policy, routesDefault: [] },
      { policy, routes: {} },
      { policy, routes: { 'GET articles': 'articles:read' } },
      { policy, routes: { 'GET /articles': 'nope' } },
      { policy, required: [], rolesFrom: cognitoRoles },
      { policy, required: [], roleMap: { x: 'nobody' } },
      { policy, required: [], conditions: { isOwner: 'yes' } },
    ]
    for (const options of mistakes) {
      const root = thrown(() => rbac(options as never))
      const withRouteMaps = thrown(() => leanRbac(isObject(options) ? ({ ...options, extensions: [routeMaps] } as never) : (options as never)))
      expect(root).toBeInstanceOf(TypeError)
      expect({ message: withRouteMaps?.message, cause: withRouteMaps?.cause }).toEqual({ message: root?.message, cause: root?.cause })
    }
  })
})

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null
