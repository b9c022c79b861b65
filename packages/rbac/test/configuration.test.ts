import { describe, expect, test } from '@jest/globals'
import rbac, { auth0Roles, cognitoRoles, compilePolicy, entraRoles, iamRoles, keycloakRoles, oktaRoles, presets, rbacValidateOptions } from '../src/index.js'
import { afterHole } from '../../../test/support/holes.js'

const policy = { roles: { editor: { inherits: ['viewer'], allow: ['articles:update'] }, viewer: { allow: ['articles:read'] } } }
const withRole = (definition: unknown) => ({ roles: { viewer: { allow: ['articles:read'] }, r: definition } })

/** A TypeError at cold start that starts with the factory and the option's path, which cause names. */
const expectConfigError = (make: () => unknown, message: RegExp, factory = 'rbac') => {
  let error: unknown
  try {
    make()
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(TypeError)
  const { message: text, cause } = error as Error & { cause: { package: string; option: string } }
  expect(cause).toEqual({ package: '@middy-auth/rbac', option: expect.any(String) })
  // Route keys are checked by core's route map, which follows the path with a colon.
  expect(text.startsWith(`${factory}: ${cause.option} `) || text.startsWith(`${factory}: ${cause.option}: `)).toBe(true)
  expect(text).toMatch(message)
}

describe('policy mistakes: TypeError from compilePolicy() and rbac() alike', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', 'admin', /^rbac: policy must be an object/],
    ['an unknown top-level field', { roles: {}, version: 1 }, /^rbac: policy.version is not an option \(known: roles\)$/],
    ['roles not an object', { roles: ['admin'] }, /policy.roles must be an object/],
    ['no roles', { roles: {} }, /policy.roles is empty/],
    ['a role name with a space', { roles: { 'content editor': {} } }, /policy.roles\["content editor"\] is not a role name: a non-empty word/],
    ['a role that is not an object', withRole(['articles:read']), /policy.roles\["r"\] must be an object/],
    [
      'a misspelled role field',
      withRole({ allows: ['articles:read'] }),
      /^rbac: policy.roles\["r"\].allows is not an option \(known: inherits, allow, deny\)$/,
    ],
    ['inherits not a list', withRole({ inherits: 'viewer' }), /policy.roles\["r"\].inherits must be a list/],
    ['inherits with a non-string', withRole({ inherits: [1] }), /policy.roles\["r"\].inherits\[0\] must be a role name/],
    ['an unknown role in inherits', withRole({ inherits: ['viewer', 'editor'] }), /^rbac: policy.roles\["r"\].inherits names an unknown role "editor"/],
    ['a role that inherits itself', withRole({ inherits: ['r'] }), /inheritance cycle r → r/],
    ['a cycle of two', { roles: { a: { inherits: ['b'] }, b: { inherits: ['a'] } } }, /inheritance cycle a → b → a/],
    [
      'a longer cycle behind a sound role',
      { roles: { top: { inherits: ['a'] }, a: { inherits: ['b'] }, b: { inherits: ['c'] }, c: { inherits: ['a'] } } },
      /inheritance cycle a → b → c → a/,
    ],
    ['allow not a list', withRole({ allow: 'articles:read' }), /policy.roles\["r"\].allow must be a list/],
    ['deny not a list', withRole({ deny: 'articles:read' }), /policy.roles\["r"\].deny must be a list/],
    [
      'an allow entry with an unknown field',
      withRole({ allow: [{ permission: 'a:b', when: 'c', unless: 'd' }] }),
      /allow\[0\].unless is not an option \(known: permission, when\)/,
    ],
    ['an allow entry without when', withRole({ allow: [{ permission: 'a:b' }] }), /allow\[0\].when must name a condition/],
    ['an allow entry with an empty when', withRole({ allow: [{ permission: 'a:b', when: '' }] }), /allow\[0\].when must name a condition/],
    ['a malformed permission in a conditional allow', withRole({ allow: [{ permission: 'a', when: 'c' }] }), /allow\[0\].permission "a" is not a permission/],
    ['a conditional deny', withRole({ deny: [{ permission: 'a:b', when: 'c' }] }), /deny\[0\] \{"permission":"a:b","when":"c"\} is not a permission/],
    // A hole in a list (`[, 'a:b']` in JavaScript) is named like any other entry that is not one.
    ['a hole in allow', withRole({ allow: afterHole('articles:read') }), /^rbac: policy.roles\["r"\].allow\[0\] undefined is not a permission/],
    ['a hole in deny', withRole({ deny: afterHole('articles:read') }), /^rbac: policy.roles\["r"\].deny\[0\] undefined is not a permission/],
    ['a hole in inherits', withRole({ inherits: afterHole('viewer') }), /^rbac: policy.roles\["r"\].inherits\[0\] must be a role name$/],
  ]
  test.each(cases)('%s', (_name, value, message) => {
    expectConfigError(() => compilePolicy(value as never), message)
    expectConfigError(() => rbac({ policy: value as never, required: [] }), message)
  })

  test.each([
    'articles',
    'articles:',
    ':read',
    'articles:read:own',
    'articles :read',
    'articles: read',
    'art*:read',
    'articles:re*',
    '**',
    '*:',
    ':*',
    '',
    ' ',
    'articles:\u0000',
    'articles:read\n',
  ])('malformed permission %j', (permission) => {
    expectConfigError(
      () => compilePolicy(withRole({ allow: [permission] }) as never),
      /policy.roles\["r"\].allow\[0\] .* is not a permission \('\*' or 'resource:action'/,
    )
    expectConfigError(() => compilePolicy(withRole({ deny: [permission] }) as never), /policy.roles\["r"\].deny\[0\] .* is not a permission/)
  })

  test.each([5, null, {}, ['articles:read']])('a permission that is not a string: %j', (permission) => {
    expectConfigError(() => compilePolicy(withRole({ allow: [permission] }) as never), /allow\[0\]/)
  })

  test('valid permissions: words of any script, dots, dashes, slashes, and whole-part wildcards', () => {
    const compiled = compilePolicy(
      withRole({ allow: ['*', '*:*', 'articles:*', '*:read', 'Artikel:lesen', 'orders.v2:read-all', 'https//x:y', 'é:ü'] }) as never,
    )
    expect(compiled.roles).toEqual(['viewer', 'r'])
  })
})

describe('option mistakes: TypeError from rbac()', () => {
  const conditional = { roles: { r: { allow: [{ permission: 'articles:update', when: 'isOwner' }] } } }
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /^rbac: options must be an object$/],
    ['no policy', { required: 'articles:read' }, /^rbac: policy is required$/],
    [
      'an unknown option',
      { policy, required: 'articles:read', requires: 'articles:read' },
      /^rbac: requires is not an option \(known: policy, required, routes, routesDefault, rolesFrom, roleMap, conditions, resource, onDecision, realm, extensions\)$/,
    ],
    ['require, the other spelling', { policy, require: 'articles:read' }, /^rbac: require is spelled required in middy-auth: rename it$/],
    ['neither required nor routes', { policy }, /^rbac: options need required \(use \[\] for "any identity"\) or routes$/],
    ['both required and routes', { policy, required: 'articles:read', routes: {} }, /^rbac: routes goes without required: give one or the other$/],
    ['routesDefault without routes', { policy, required: 'articles:read', routesDefault: 'articles:read' }, /^rbac: routesDefault goes with routes$/],
    [
      'an unknown condition name',
      { policy: conditional, required: [] },
      /^rbac: policy.roles\["r"\].allow\[0\] names an unknown condition "isOwner" \(conditions: none is given\)/,
    ],
    [
      'an unknown condition name, others given',
      { policy: conditional, required: [], conditions: { isAuthor: () => true } },
      /unknown condition "isOwner" \(conditions: given: isAuthor\)/,
    ],
    ['a condition that is not a function', { policy: conditional, required: [], conditions: { isOwner: true } }, /conditions\["isOwner"\] must be a function/],
    ['conditions not an object', { policy, required: [], conditions: [() => true] }, /^rbac: conditions must be an object/],
    ['required: a wildcard', { policy, required: 'articles:*' }, /^rbac: required "articles:\*" has a wildcard: a requirement names concrete permissions/],
    ['required: "*"', { policy, required: '*' }, /"\*" has a wildcard/],
    ['required: malformed', { policy, required: 'articles' }, /^rbac: required "articles" is not a permission/],
    ['required: a wildcard in a list', { policy, required: ['articles:read', '*:read'] }, /"\*:read" has a wildcard/],
    ['required: { anyOf: [] }', { policy, required: { anyOf: [] } }, /\{ anyOf: \[\] \} can never be satisfied/],
    ['required: { anyOf } not a list', { policy, required: { anyOf: 'articles:read' } }, /^rbac: required must be a permission, a list of permissions/],
    ['required: { allOf }', { policy, required: { allOf: ['articles:read'] } }, /^rbac: required must be a permission/],
    ['required: { anyOf, extra }', { policy, required: { anyOf: ['articles:read'], allOf: [] } }, /^rbac: required must be a permission/],
    ['required: a number', { policy, required: 5 }, /^rbac: required must be a permission/],
    ['routes: not an object', { policy, routes: ['GET /articles'] }, /routes must be an object keyed by "METHOD \/path"/],
    ['routes: empty, without routesDefault', { policy, routes: {} }, /^rbac: routes lists no route: every request would be denied/],
    ['routes: a malformed key', { policy, routes: { '/articles': 'articles:read' } }, /route key "\/articles" must look like "GET \/orders\/\{id\}"/],
    [
      'routes: a "__proto__" key (JSON)',
      { policy, routes: JSON.parse('{"__proto__": "articles:read", "GET /a": "articles:read"}') },
      /route key "__proto__" must look like/,
    ],
    ['routes: a malformed value', { policy, routes: { 'GET /articles': 'articles' } }, /^rbac: routes\["GET \/articles"\] "articles" is not a permission/],
    ['routes: a wildcard value', { policy, routes: { 'GET /articles': { anyOf: ['articles:*'] } } }, /routes\["GET \/articles"\] "articles:\*" has a wildcard/],
    [
      'routesDefault: malformed',
      { policy, routes: { 'GET /a': 'a:b' }, routesDefault: { anyOf: [] } },
      /^rbac: routesDefault \{ anyOf: \[\] \} can never be satisfied/,
    ],
    ['rolesFrom: empty list', { policy, required: [], rolesFrom: [] }, /^rbac: rolesFrom is an empty list/],
    ['rolesFrom: empty path', { policy, required: [], rolesFrom: '' }, /^rbac: rolesFrom must be a claim path/],
    ['rolesFrom: a number in a list', { policy, required: [], rolesFrom: ['groups', 5] }, /^rbac: rolesFrom\[1\] must be a claim path/],
    // map() skipped it: the hole was read as a source that throws on every request, silently no roles.
    ['rolesFrom: a hole in a list', { policy, required: [], rolesFrom: afterHole('groups') }, /^rbac: rolesFrom\[0\] must be a claim path/],
    ['roleMap: not an object', { policy, required: [], roleMap: [['a', 'viewer']] }, /^rbac: roleMap must be an object/],
    [
      'roleMap: a target that is not a role',
      { policy, required: [], roleMap: { Readers: 'reader' } },
      /^rbac: roleMap\["Readers"\] names "reader", which is not a role of the policy/,
    ],
    [
      'roleMap: a target list with a non-role',
      { policy, required: [], roleMap: { Staff: ['viewer', 'staff'] } },
      /roleMap\["Staff"\] names "staff", which is not a role of the policy/,
    ],
    ['roleMap: a value of the wrong type', { policy, required: [], roleMap: { Staff: 1 } }, /roleMap\["Staff"\] must be a policy role or a list/],
    // A hole (`[, 'viewer']`) is no role: some() skipped it, and the message named `undefined` as a role.
    [
      'roleMap: a hole in a target list',
      { policy, required: [], roleMap: { Staff: afterHole('viewer') } },
      /^rbac: roleMap\["Staff"\] must be a policy role or a list of policy roles$/,
    ],
    ['resource: not a function', { policy, required: [], resource: 'article' }, /^rbac: resource must be a function/],
    ['onDecision: not a function', { policy, required: [], onDecision: console }, /^rbac: onDecision must be a function/],
    ['realm: a quote', { policy, required: [], realm: 'a"b' }, /^rbac: realm must be printable ASCII/],
  ]
  test.each(cases)('%s', (_name, options, message) => {
    expectConfigError(() => rbac(options as never), message)
  })

  test('identity-provider role factories: their options', () => {
    expectConfigError(() => keycloakRoles({ clientId: '' }), /^keycloakRoles: clientId must be a non-empty string/, 'keycloakRoles')
    expectConfigError(() => keycloakRoles({ clientId: 5 as never }), /^keycloakRoles: clientId/, 'keycloakRoles')
    expectConfigError(() => keycloakRoles({ client: 'x' } as never), /^keycloakRoles: client is not an option \(known: clientId\)$/, 'keycloakRoles')
    expectConfigError(() => keycloakRoles('orders-api' as never), /^keycloakRoles: options must be an object$/, 'keycloakRoles')
    expectConfigError(() => auth0Roles({ namespace: '' }), /^auth0Roles: namespace must be the prefix of your custom claims/, 'auth0Roles')
    expectConfigError(() => auth0Roles({ namespace: '/' }), /^auth0Roles: namespace/, 'auth0Roles')
    expectConfigError(() => auth0Roles(undefined as never), /^auth0Roles: options must be an object$/, 'auth0Roles')
    expectConfigError(() => auth0Roles('https://example.com' as never), /^auth0Roles: options must be an object$/, 'auth0Roles')
  })

  test("the deprecated presets still build the same sources, with the factories' errors", () => {
    expectConfigError(() => presets.keycloak(''), /^keycloakRoles: clientId must be a non-empty string/, 'keycloakRoles')
    expectConfigError(() => presets.auth0(''), /^auth0Roles: namespace must be the prefix/, 'auth0Roles')
  })

  test('a compiled policy is accepted as is, and its conditions are still checked', () => {
    const compiled = compilePolicy({ roles: { r: { allow: [{ permission: 'a:b', when: 'c' }] } } })
    expect(compiled.conditionNames).toEqual(['c'])
    expect(() => rbac({ policy: compiled, required: 'a:b', conditions: { c: () => true } })).not.toThrow()
    expectConfigError(() => rbac({ policy: compiled, required: 'a:b' }), /unknown condition "c"/)
  })

  test('every documented option is accepted', () => {
    expect(() =>
      rbac({
        policy,
        routes: {
          'GET /articles': 'articles:read',
          'PUT /articles/{id}': ['articles:update'],
          'GET /search': { anyOf: ['articles:read'] },
          'GET /me': [],
          $connect: () => 'articles:read',
        },
        routesDefault: () => [],
        rolesFrom: [
          cognitoRoles(),
          keycloakRoles({ clientId: 'orders.api' }),
          keycloakRoles(),
          entraRoles(),
          oktaRoles(),
          auth0Roles({ namespace: 'https://example.com/' }),
          iamRoles(),
          'custom:roles',
        ],
        roleMap: { Editors: 'editor', Staff: ['viewer'], None: [] },
        conditions: { unused: () => false },
        resource: async () => ({}),
        onDecision: () => undefined,
        realm: 'articles',
      }),
    ).not.toThrow()
  })
})

describe('rbacValidateOptions (Middy schema check)', () => {
  test('accepts valid options', () => {
    expect(() => rbacValidateOptions({ policy, required: 'articles:read', rolesFrom: [cognitoRoles(), 'groups'], roleMap: {}, realm: 'api' })).not.toThrow()
    expect(() =>
      rbacValidateOptions({ policy, routes: {}, routesDefault: { anyOf: ['a:b'] }, conditions: {}, resource: () => 1, onDecision: () => undefined }),
    ).not.toThrow()
  })
  test.each([
    [{ required: 'articles:read' }, /policy/],
    [{ policy, required: 'a:b', unknown: 1 }, /Unknown option 'unknown'/],
    [{ policy, required: 'a:b', realm: 5 }, /realm/],
    [{ policy, required: 'a:b', rolesFrom: 5 }, /rolesFrom/],
    [{ policy, required: 'a:b', onDecision: 'log' }, /onDecision/],
  ])('rejects %j', (options, message) => {
    expect(() => rbacValidateOptions(options)).toThrow(message)
    try {
      rbacValidateOptions(options)
    } catch (error) {
      expect((error as Error).cause).toEqual({ package: '@middy-auth/rbac' })
    }
  })
})
