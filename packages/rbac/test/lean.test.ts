import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { routeMaps as scopeRouteMaps } from '@middy-auth/oauth-scope/extensions'
import leanOAuthScope from '@middy-auth/oauth-scope/lean'
import { apiGatewayClaims, conditions, decisionRecords, requirementFunctions, roleMaps, routeMaps, type RbacExtension } from '../src/extensions.js'
import leanRbac from '../src/lean.js'
import rbac, { cognitoRoles, compilePolicy, explain, rbacValidateOptions, type Policy, type RbacDecision, type RbacOptions } from '../src/index.js'
import { fixtureNames, loadFixture } from '../../../test/support/fixtures.js'
import { thrown } from '../../../test/support/thrown.js'
import { outcome, protect, withIdentity, type Middleware, type Response } from '../../../test/support/protect.js'
import { articlesPolicy as policy, isOwner } from './support.js'

/**
 * `@middy-auth/rbac/lean` against the root entry, through real handlers and real events: with
 * the extensions its options need it answers exactly as the root does (status, headers, body,
 * what the handler saw and what `explain()` told it, what onDecision got); without
 * `apiGatewayClaims` it refuses what the root reads from the gateway, as the root refuses a
 * request with no identity at all; it never accepts what the root refuses. A policy or options
 * that use conditions need the `conditions` extension, or are a TypeError at cold start.
 */

// Route maps tell of gateway routes their keys do not name (console.warn): expected here.
const warn = jest.spyOn(console, 'warn')
beforeAll(() => void warn.mockImplementation(() => undefined))
afterAll(() => warn.mockRestore())

/** What the handler answers: the caller as rbac left it, and explain() of a conditional permission about alice's article. */
const body = (context: any) => ({
  subject: context.auth.subject,
  roles: context.auth.roles,
  permissions: context.auth.permissions,
  explain: explain(context.auth, 'articles:publish', { ownerId: 'alice' }),
})

/** {@link policy} without its conditional allow: what the lean entry takes without the conditions extension. */
const plainPolicy: Policy = {
  roles: { ...policy.roles, editor: { ...policy.roles.editor, allow: ['articles:create', 'articles:update'] } },
}
/** The policy with a conditional allow and its condition. */
const conditional = { policy, conditions: { isOwner } }

/** One handler: the identity middlewares, then rbac built by `build` (onDecision recording). */
const handler = (build: (options: RbacOptions<any, any>) => Middleware, options: RbacOptions<any, any>, before: Middleware[]) => {
  const decisions: RbacDecision[] = []
  const api = protect([...before, build({ ...options, onDecision: (decision) => void decisions.push(decision) })], body)
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
    // The handlers record every decision (onDecision): the lean one with decisionRecords.
    handler((settings) => leanRbac({ ...settings, extensions: [...extensions, decisionRecords] }), options, before),
    event(),
  ),
})

const routes = { 'GET /articles': 'articles:read', 'DELETE /articles/{id}': 'articles:delete', 'POST /articles/{id}/publish': 'articles:publish' } as const
const routeEvent = (routeKey: string, path: string) => httpApiEvent({ routeKey, method: routeKey.split(' ')[0], path })
const editor = withIdentity({ subject: 'alice', roles: ['editor'] })

describe('with the extensions its options need, the lean entry answers as the root does', () => {
  const cases: Array<[string, RbacOptions<any, any>, readonly RbacExtension[], () => unknown, Middleware[], number]> = [
    ['a permission granted', { policy: plainPolicy, required: 'articles:update' }, [], () => httpApiEvent(), [editor], 200],
    ['a deny', { policy: plainPolicy, required: 'articles:delete' }, [], () => httpApiEvent(), [editor], 403],
    [
      'anyOf, roles from a claim with a role map',
      { policy: plainPolicy, rolesFrom: 'groups', roleMap: { Writers: 'editor' }, required: { anyOf: ['users:invite', 'articles:create'] } },
      [roleMaps],
      () => httpApiEvent(),
      [withIdentity({ claims: { groups: ['Writers'] } })],
      200,
    ],
    [
      'a requirement function',
      { policy: plainPolicy, required: (request: any) => (request.event.requestContext.http.method === 'GET' ? 'articles:read' : 'articles:delete') },
      [requirementFunctions],
      () => httpApiEvent({ method: 'POST' }),
      [editor],
      403,
    ],
    ['no identity at all (http-v2-no-auth.json)', { policy: plainPolicy, required: 'articles:read' }, [], () => loadFixture('http-v2-no-auth.json'), [], 401],
    ['a conditional policy, an unconditional permission', { ...conditional, required: 'articles:update' }, [conditions], () => httpApiEvent(), [editor], 200],
    ['a conditional policy, a deny', { ...conditional, required: 'articles:delete' }, [conditions], () => httpApiEvent(), [editor], 403],
    [
      'a condition and its resource',
      { ...conditional, required: 'articles:publish', resource: async () => ({ ownerId: 'alice' }) },
      [conditions],
      () => httpApiEvent(),
      [editor],
      200,
    ],
    [
      'a condition not met',
      { ...conditional, required: 'articles:publish', resource: () => ({ ownerId: 'bob' }) },
      [conditions],
      () => httpApiEvent(),
      [editor],
      403,
    ],
    ['a condition without a resource', { ...conditional, required: 'articles:publish' }, [conditions], () => httpApiEvent(), [editor], 403],
    [
      'a condition that throws, then another permission of anyOf',
      {
        policy,
        conditions: {
          isOwner: () => {
            throw new Error('no owner')
          },
        },
        required: { anyOf: ['articles:publish', 'articles:read'] },
      },
      [conditions],
      () => httpApiEvent(),
      [editor],
      200,
    ],
    [
      'every permission of a list, one of them conditional',
      { ...conditional, required: ['articles:read', 'articles:publish', 'articles:update'], resource: () => ({ ownerId: 'alice' }) },
      [conditions],
      () => httpApiEvent(),
      [editor],
      200,
    ],
    [
      'a policy compiled by the root compilePolicy(), its condition met',
      { policy: compilePolicy(policy), conditions: { isOwner }, required: 'articles:publish', resource: () => ({ ownerId: 'alice' }) },
      [conditions],
      () => httpApiEvent(),
      [editor],
      200,
    ],
    [
      'a resource without a conditional policy',
      { policy: plainPolicy, required: 'articles:read', resource: () => ({}) },
      [conditions],
      () => httpApiEvent(),
      [editor],
      200,
    ],
    ['a listed route', { policy: plainPolicy, routes }, [routeMaps], () => routeEvent('GET /articles', '/articles'), [editor], 200],
    [
      'a route whose permission a role denies',
      { policy: plainPolicy, routes },
      [routeMaps],
      () => routeEvent('DELETE /articles/{id}', '/articles/42'),
      [editor],
      403,
    ],
    ['a route routes does not list', { policy: plainPolicy, routes }, [routeMaps], () => routeEvent('PUT /articles/{id}', '/articles/42'), [editor], 403],
    ['routesDefault', { policy: plainPolicy, routes, routesDefault: [] }, [routeMaps], () => routeEvent('PUT /articles/{id}', '/articles/42'), [editor], 200],
    [
      'a conditional route',
      { ...conditional, routes, resource: () => ({ ownerId: 'bob' }) },
      [routeMaps, conditions],
      () => routeEvent('POST /articles/{id}/publish', '/articles/42/publish'),
      [editor],
      403,
    ],
    [
      'a route and routesDefault as requirement functions',
      {
        policy: plainPolicy,
        routes: { ...routes, 'GET /articles': async () => ({ anyOf: ['users:invite', 'articles:update'] }) },
        routesDefault: () => 'articles:delete',
      },
      [routeMaps, requirementFunctions],
      () => routeEvent('GET /articles', '/articles'),
      [editor],
      200,
    ],
    [
      'routesDefault as a requirement function, denied',
      { policy: plainPolicy, routes, routesDefault: () => 'articles:delete' },
      [routeMaps, requirementFunctions],
      () => routeEvent('PUT /articles/{id}', '/articles/42'),
      [editor],
      403,
    ],
    [
      'a requirement function that returns no requirement',
      { policy: plainPolicy, required: () => 'articles:*' },
      [requirementFunctions],
      () => httpApiEvent(),
      [editor],
      403,
    ],
    ['a REST route', { policy: plainPolicy, routes }, [routeMaps], () => restEvent({ method: 'GET', resource: '/articles', path: '/articles' }), [editor], 200],
    [
      'HTTP API JWT authorizer groups (http-v2-jwt-access-token-groups.json)',
      { policy: plainPolicy, rolesFrom: cognitoRoles(), required: 'articles:update' },
      [apiGatewayClaims],
      () => loadFixture('http-v2-jwt-access-token-groups.json'),
      [],
      200,
    ],
    [
      'a deny through the gateway groups',
      { ...conditional, rolesFrom: 'cognito:groups', required: 'articles:delete' },
      [apiGatewayClaims, conditions],
      () => loadFixture('http-v2-jwt-access-token-groups.json'),
      [],
      403,
    ],
    [
      'REST Cognito groups (rest-v1-cognito-groups.json) and routes',
      { policy: plainPolicy, rolesFrom: cognitoRoles(), routes: { 'POST /cognito': 'users:invite' } },
      [routeMaps, apiGatewayClaims],
      () => loadFixture('rest-v1-cognito-groups.json'),
      [],
      200,
    ],
  ]

  // The status is what the root answers each case (tested in the root's own suites), so that each case checks what it says.
  test.each(cases)('%s', async (_name, options, extensions, event, before, status) => {
    const { root, lean } = await compare(options, extensions, event, before)
    expect(root.response.statusCode).toBe(status)
    expect(lean).toEqual(root)
  })

  test('the conditions reach explain() in the handler as in the root', async () => {
    const { root, lean } = await compare({ ...conditional, required: [] }, [conditions], () => httpApiEvent(), [editor])
    expect(JSON.parse(root.response.body).explain).toEqual({
      permission: 'articles:publish',
      decision: 'allow',
      reason: 'role editor allows articles:publish when isOwner',
      rule: { effect: 'allow', role: 'editor', permission: 'articles:publish', when: 'isOwner' },
    })
    expect(lean).toEqual(root)
  })

  test('every extension listed: the same answers as the root on every fixture', async () => {
    for (const name of fixtureNames()) {
      for (const options of [...optionSets, ...plainOptionSets]) {
        const { root, lean } = await compare(options, [routeMaps, apiGatewayClaims, conditions], () => loadFixture(name))
        expect({ name, ...lean }).toEqual({ name, ...root })
      }
    }
  })

  test('without the conditions extension, a policy without conditional allows: the same answers as the root on every fixture', async () => {
    for (const name of fixtureNames()) {
      for (const options of plainOptionSets) {
        const { root, lean } = await compare(options, [routeMaps, apiGatewayClaims], () => loadFixture(name))
        expect({ name, ...lean }).toEqual({ name, ...root })
      }
    }
  })
})

const optionSets: Array<RbacOptions<any, any>> = [
  { ...conditional, rolesFrom: 'cognito:groups', required: 'articles:read' },
  { ...conditional, rolesFrom: ['cognito:groups', 'roles'], required: [] },
  {
    ...conditional,
    rolesFrom: cognitoRoles(),
    routes: { 'GET /articles': 'articles:read', 'ANY /{proxy+}': { anyOf: ['comments:read', 'users:invite'] } },
    routesDefault: 'articles:read',
  },
  { ...conditional, rolesFrom: ['cognito:groups', 'groups'], required: ['articles:publish'], resource: () => ({ ownerId: 'alice' }) },
]

/** The same without conditional allows, conditions or resource. */
const plainOptionSets: Array<RbacOptions<any, any>> = optionSets.map(({ conditions: _conditions, resource: _resource, ...options }) => ({
  ...options,
  policy: plainPolicy,
}))

describe('without apiGatewayClaims, the lean entry never accepts what the root refuses', () => {
  test('on every fixture, with and without an identity before it, each set of extensions its options allow', async () => {
    const noIdentity = await compare({ policy: plainPolicy, required: 'articles:read' }, [], () => loadFixture('http-v2-no-auth.json'))
    let refusedByLeanOnly = 0
    for (const name of fixtureNames()) {
      for (const options of [...optionSets, ...plainOptionSets]) {
        // The conditions extension where the options use it; routeMaps where they have routes, and in some lists where not.
        const needed = options.conditions ? [conditions] : []
        for (const extensions of options.routes ? [[routeMaps, ...needed]] : [needed, [routeMaps, ...needed]]) {
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
      const api = protect([leanRbac({ ...conditional, rolesFrom: cognitoRoles(), required: [], extensions: [conditions] })])
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
      { policy: plainPolicy, routes },
      { policy: plainPolicy, routes, routesDefault: [] },
    ] as Array<RbacOptions<any, any>>) {
      const error = thrown(() => leanRbac({ ...options, extensions: [apiGatewayClaims] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `rbac: routes needs the routeMaps extension: import { routeMaps } from '@middy-auth/rbac/extensions' and pass extensions: [routeMaps] (or import rbac from '@middy-auth/rbac')`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option: 'routes' })
    }
  })

  test('routes beside required, without routeMaps: the TypeError that names the import first (routeMaps checks the rest, as the root does)', () => {
    const options = { policy: plainPolicy, required: 'articles:read', routes } as unknown as RbacOptions<any, any>
    const error = thrown(() => leanRbac(options))
    expect(error?.message).toBe(
      `rbac: routes needs the routeMaps extension: import { routeMaps } from '@middy-auth/rbac/extensions' and pass extensions: [routeMaps] (or import rbac from '@middy-auth/rbac')`,
    )
    expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option: 'routes' })
    const message = 'rbac: routes goes without required: give one or the other'
    expect(thrown(() => leanRbac({ ...options, extensions: [routeMaps] }))?.message).toBe(message)
    expect(thrown(() => rbac(options))?.message).toBe(message)
  })

  test('onDecision without decisionRecords (a function or not), or with a forged one: a TypeError, never a decision left unrecorded', () => {
    for (const onDecision of [() => undefined, async () => undefined, 'log']) {
      const error = thrown(() =>
        leanRbac({ policy: plainPolicy, required: [], onDecision: onDecision as never, extensions: [routeMaps, requirementFunctions] }),
      )
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `rbac: onDecision needs the decisionRecords extension: import { decisionRecords } from '@middy-auth/rbac/extensions' and pass extensions: [decisionRecords] (or import rbac from '@middy-auth/rbac')`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option: 'onDecision' })
    }
    // With it, a value that is not a function is the root's TypeError.
    const notAFunction = { policy: plainPolicy, required: [], onDecision: 'log' as never }
    expect(thrown(() => leanRbac({ ...notAFunction, extensions: [decisionRecords] }))?.message).toBe(thrown(() => rbac(notAFunction))?.message)
    expect(thrown(() => rbac(notAFunction))?.message).toBe('rbac: onDecision must be a function')
    const forged = thrown(() =>
      leanRbac({
        policy: plainPolicy,
        required: [],
        onDecision: () => undefined,
        extensions: [{ package: '@middy-auth/rbac', name: 'decisionRecords' } as never],
      }),
    )
    expect(forged?.message).toBe(`rbac: extensions[0] must be an extension from '@middy-auth/rbac/extensions', of the same version`)
    expect(forged?.cause).toEqual({ package: '@middy-auth/rbac', option: 'extensions[0]' })
  })

  test('a requirement function without requirementFunctions (required, a route, routesDefault), or with a forged one: a TypeError naming where', () => {
    const needs = (where: string) =>
      `rbac: ${where} needs the requirementFunctions extension: import { requirementFunctions } from '@middy-auth/rbac/extensions' and pass extensions: [requirementFunctions] (or import rbac from '@middy-auth/rbac')`
    const requirement = () => 'articles:read'
    for (const [options, where] of [
      [{ policy: plainPolicy, required: requirement }, 'required'],
      [{ policy: plainPolicy, routes: { ...routes, 'GET /articles': requirement } }, 'routes["GET /articles"]'],
      [{ policy: plainPolicy, routes, routesDefault: requirement }, 'routesDefault'],
    ] as Array<[RbacOptions<any, any>, string]>) {
      const error = thrown(() => leanRbac({ ...options, extensions: [routeMaps, decisionRecords] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(needs(where))
      expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option: where })
      expect(() => leanRbac({ ...options, extensions: [routeMaps, requirementFunctions] })).not.toThrow()
    }
    const forged = thrown(() =>
      leanRbac({
        policy: plainPolicy,
        required: requirement,
        extensions: [{ package: '@middy-auth/rbac', name: 'requirementFunctions', compile: 'yes' } as never],
      }),
    )
    expect(forged?.message).toBe(`rbac: extensions[0] must be an extension from '@middy-auth/rbac/extensions', of the same version`)
    expect(forged?.cause).toEqual({ package: '@middy-auth/rbac', option: 'extensions[0]' })
  })

  test('roleMap without roleMaps, a valid one or not: a TypeError, the role map never ignored (rolesFrom checked before it)', () => {
    for (const roleMap of [{ Writers: 'editor' }, { Writers: ['editor', 'viewer'] }, {}, { Writers: 'nobody' }, 'Writers']) {
      const error = thrown(() => leanRbac({ policy: plainPolicy, rolesFrom: 'groups', roleMap: roleMap as never, required: [], extensions: [routeMaps] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `rbac: roleMap needs the roleMaps extension: import { roleMaps } from '@middy-auth/rbac/extensions' and pass extensions: [roleMaps] (or import rbac from '@middy-auth/rbac')`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option: 'roleMap' })
    }
    // rolesFrom is checked first, in both entries.
    expect(thrown(() => leanRbac({ policy: plainPolicy, rolesFrom: '', roleMap: { Writers: 'editor' }, required: [] }))?.message).toMatch(
      /^rbac: rolesFrom must be a claim path/,
    )
  })

  test('a forged roleMaps extension, or one without its code, is refused', () => {
    const error = thrown(() =>
      leanRbac({ policy: plainPolicy, roleMap: { Writers: 'editor' }, required: [], extensions: [{ package: '@middy-auth/rbac', name: 'roleMaps' } as never] }),
    )
    expect(error?.message).toBe(`rbac: extensions[0] must be an extension from '@middy-auth/rbac/extensions', of the same version`)
  })

  test("another package's extension, or something else, is refused", () => {
    expect(thrown(() => leanRbac({ policy, routes, extensions: [scopeRouteMaps as never] }))?.message).toBe(
      `rbac: extensions[0] must be an extension from '@middy-auth/rbac/extensions', of the same version`,
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
      `rbac: extensions[0] must be an extension from '@middy-auth/rbac/extensions', of the same version`,
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
      { policy, required: [] },
      { policy, required: [], conditions: { isAuthor: isOwner } },
      { policy, required: [], conditions: 'isOwner' },
      { policy, required: [], onDecision: 'log' },
      { policy, required: [], onDecision: {} },
      { policy, required: () => 'articles:read', routes },
      { policy, routes: { 'GET /articles': () => 'articles:read', 'GET /other': 'articles:*' } },
      { policy, required: [], conditions: { isOwner }, onDecision: null },
      { ...conditional, required: [], resource: 'the article' },
      { policy: plainPolicy, required: [], conditions: [], resource: () => ({}) },
      { policy: { roles: { editor: { allow: [{ permission: 'articles:update' }] } } }, required: [] },
      { policy: { roles: { editor: { allow: [{ permission: 'articles:update', when: '' }] } } }, required: [] },
      { policy: { roles: { editor: { allow: [{ permission: 'articles:*:x', when: 'isOwner' }] } } }, required: [] },
      { policy: { roles: { editor: { allow: [{ permission: 'articles:update', when: 'isOwner', unless: 'x' }] } } }, required: [] },
      { policy: { roles: { editor: { deny: [{ permission: 'articles:delete', when: 'isOwner' }] } } }, required: [], conditions: { isOwner } },
      { policy: { roles: { editor: { inherits: ['nobody'], allow: [{ permission: 'articles:update', when: 'isOwner' }] } } }, required: [] },
    ]
    for (const options of mistakes) {
      const root = thrown(() => rbac(options as never))
      const withExtensions = thrown(() =>
        leanRbac(
          isObject(options)
            ? ({ ...options, extensions: [routeMaps, roleMaps, conditions, decisionRecords, requirementFunctions] } as never)
            : (options as never),
        ),
      )
      expect(root).toBeInstanceOf(TypeError)
      expect({ message: withExtensions?.message, cause: withExtensions?.cause }).toEqual({ message: root?.message, cause: root?.cause })
    }
  })
})

describe('conditions without the conditions extension: a TypeError at cold start that names the import', () => {
  const needs = (option: string) =>
    `rbac: ${option} needs the conditions extension: import { conditions } from '@middy-auth/rbac/extensions' and pass extensions: [conditions] (or import rbac from '@middy-auth/rbac')`

  test.each<[string, RbacOptions<any, any>, string]>([
    ['a conditional allow in the policy', { policy, required: 'articles:read' }, 'policy.roles["editor"].allow[2]'],
    ['a conditional allow, its condition given', { ...conditional, required: 'articles:read' }, 'policy.roles["editor"].allow[2]'],
    ['conditions', { policy: plainPolicy, required: 'articles:read', conditions: { isOwner } }, 'conditions'],
    ['an empty conditions', { policy: plainPolicy, required: 'articles:read', conditions: {} }, 'conditions'],
    ['resource', { policy: plainPolicy, required: 'articles:read', resource: () => ({ ownerId: 'alice' }) }, 'resource'],
    ['a policy compiled by the root compilePolicy()', { policy: compilePolicy(policy), required: 'articles:read' }, 'policy.roles["editor"].allow[2]'],
    [
      'a conditional allow of a role only inherited',
      { policy: { roles: { owner: { allow: [{ permission: 'articles:delete', when: 'isOwner' }] }, editor: { inherits: ['owner'] } } }, required: [] },
      'policy.roles["owner"].allow[0]',
    ],
  ])('%s', (_name, options, option) => {
    for (const extensions of [undefined, [], [routeMaps, apiGatewayClaims]]) {
      const error = thrown(() => leanRbac({ ...options, ...(extensions ? { extensions } : {}) }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(needs(option))
      expect(error?.cause).toEqual({ package: '@middy-auth/rbac', option })
    }
    // The root has the extension: the same options build.
    expect(() => rbac({ conditions: { isOwner }, ...options })).not.toThrow()
  })

  test('a forged conditions extension, even with functions of the right names, or one of another version, is refused', () => {
    const forged: unknown[] = [
      { package: '@middy-auth/rbac', name: 'conditions' },
      { package: '@middy-auth/rbac', name: 'conditions', readAllow: () => ({}), compile: 'yes' },
      // Its own code, without its mark: as written by hand.
      { ...conditions, mark: undefined },
      { ...conditions, mark: '@middy-auth/rbac extensions v0' },
    ]
    for (const extension of forged) {
      for (const make of [leanRbac, rbac]) {
        const error = thrown(() => make({ ...conditional, required: 'articles:publish', extensions: [routeMaps, extension as never] }))
        expect(error).toBeInstanceOf(TypeError)
        expect(error?.message).toBe(`rbac: extensions[1] must be an extension from '@middy-auth/rbac/extensions', of the same version`)
      }
    }
  })

  test('the conditions extension is not an extension of oauth-scope', () => {
    // @ts-expect-error: rbac's extension in another package's lean factory
    expect(thrown(() => leanOAuthScope({ required: ['a'], extensions: [conditions] }))?.message).toBe(
      `oauthScope: extensions[0] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`,
    )
  })
})

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

describe('another installed copy of rbac (and of core) and the conditions extension', () => {
  let other: { rbac: typeof import('../src/index.js'); extensions: typeof import('../src/extensions.js') }
  beforeAll(async () => {
    await jest.isolateModulesAsync(async () => {
      other = { rbac: await import('../src/index.js'), extensions: await import('../src/extensions.js') }
    })
    expect(other.extensions.conditions).not.toBe(conditions)
  })
  const publish = (ownerId: string) => ({ ...conditional, required: 'articles:publish', resource: () => ({ ownerId }) })

  test("its conditions extension in this lean entry: the root's answers, a condition met or not", async () => {
    for (const owner of ['alice', 'bob']) {
      const { root, lean } = await compare(publish(owner), [other.extensions.conditions], () => httpApiEvent(), [editor])
      expect(lean).toEqual(root)
      expect(outcome(lean.response)).toEqual(owner === 'alice' ? [200, 'ok'] : [403, 'access_denied'])
    }
  })

  test('a policy its compilePolicy() compiled is a TypeError in this copy, with the extension or without: never its allows without their conditions', () => {
    for (const compiled of [other.rbac.compilePolicy(policy), other.rbac.compilePolicy(plainPolicy)]) {
      for (const options of [
        { policy: compiled, required: 'articles:publish' },
        { ...publish('alice'), policy: compiled, extensions: [conditions] },
      ]) {
        for (const make of [leanRbac, rbac] as Array<(options: RbacOptions<any, any>) => unknown>) {
          const error = thrown(() => make(options as RbacOptions<any, any>))
          expect(error).toBeInstanceOf(TypeError)
          expect(error?.message).toMatch(/^rbac: policy\.\w+ is not an option/)
        }
      }
    }
  })
})
