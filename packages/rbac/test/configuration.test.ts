import { describe, expect, test } from '@jest/globals'
import rbac, { compilePolicy, presets, rbacValidateOptions } from '../src/index.js'

const policy = { roles: { editor: { inherits: ['viewer'], allow: ['articles:update'] }, viewer: { allow: ['articles:read'] } } }
const withRole = (definition: unknown) => ({ roles: { viewer: { allow: ['articles:read'] }, r: definition } })

/** A TypeError at cold start, saying what to fix, with cause.package. */
const expectConfigError = (make: () => unknown, message: RegExp) => {
  let error: unknown
  try {
    make()
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(TypeError)
  expect((error as Error).message).toMatch(message)
  expect((error as Error).cause).toEqual({ package: '@middy-auth/rbac' })
}

describe('policy mistakes: TypeError from compilePolicy() and rbac() alike', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', 'admin', /'policy' must be an object/],
    ['an unknown top-level field', { roles: {}, version: 1 }, /policy: unknown field 'version'/],
    ['roles not an object', { roles: ['admin'] }, /policy.roles must be an object/],
    ['no roles', { roles: {} }, /policy.roles is empty/],
    ['a role name with a space', { roles: { 'content editor': {} } }, /policy.roles\["content editor"\]: a role name must be a non-empty word/],
    ['a role that is not an object', withRole(['articles:read']), /policy.roles\["r"\] must be an object/],
    ['a misspelled role field', withRole({ allows: ['articles:read'] }), /policy.roles\["r"\]: unknown field 'allows'/],
    ['inherits not a list', withRole({ inherits: 'viewer' }), /policy.roles\["r"\].inherits must be a list/],
    ['inherits with a non-string', withRole({ inherits: [1] }), /policy.roles\["r"\].inherits\[0\] must be a role name/],
    ['an unknown role in inherits', withRole({ inherits: ['viewer', 'editor'] }), /policy.roles\["r"\].inherits: unknown role "editor"/],
    ['a role that inherits itself', withRole({ inherits: ['r'] }), /inheritance cycle r → r/],
    ['a cycle of two', { roles: { a: { inherits: ['b'] }, b: { inherits: ['a'] } } }, /inheritance cycle a → b → a/],
    ['a longer cycle behind a sound role', { roles: { top: { inherits: ['a'] }, a: { inherits: ['b'] }, b: { inherits: ['c'] }, c: { inherits: ['a'] } } }, /inheritance cycle a → b → c → a/],
    ['allow not a list', withRole({ allow: 'articles:read' }), /policy.roles\["r"\].allow must be a list/],
    ['deny not a list', withRole({ deny: 'articles:read' }), /policy.roles\["r"\].deny must be a list/],
    ['an allow entry with an unknown field', withRole({ allow: [{ permission: 'a:b', when: 'c', unless: 'd' }] }), /allow\[0\]: unknown field 'unless'/],
    ['an allow entry without when', withRole({ allow: [{ permission: 'a:b' }] }), /allow\[0\].when must name a condition/],
    ['an allow entry with an empty when', withRole({ allow: [{ permission: 'a:b', when: '' }] }), /allow\[0\].when must name a condition/],
    ['a malformed permission in a conditional allow', withRole({ allow: [{ permission: 'a', when: 'c' }] }), /allow\[0\].permission: "a" is not a permission/],
    ['a conditional deny', withRole({ deny: [{ permission: 'a:b', when: 'c' }] }), /deny\[0\]: \{"permission":"a:b","when":"c"\} is not a permission/],
  ]
  test.each(cases)('%s', (_name, value, message) => {
    expectConfigError(() => compilePolicy(value as never), message)
    expectConfigError(() => rbac({ policy: value as never, require: [] }), message)
  })

  test.each([
    'articles', 'articles:', ':read', 'articles:read:own', 'articles :read', 'articles: read', 'art*:read',
    'articles:re*', '**', '*:', ':*', '', ' ', 'articles:\u0000', 'articles:read\n',
  ])('malformed permission %j', (permission) => {
    expectConfigError(() => compilePolicy(withRole({ allow: [permission] }) as never), /policy.roles\["r"\].allow\[0\]: .* is not a permission \('\*' or 'resource:action'/)
    expectConfigError(() => compilePolicy(withRole({ deny: [permission] }) as never), /policy.roles\["r"\].deny\[0\]: .* is not a permission/)
  })

  test.each([5, null, {}, ['articles:read']])('a permission that is not a string: %j', (permission) => {
    expectConfigError(() => compilePolicy(withRole({ allow: [permission] }) as never), /allow\[0\]/)
  })

  test('valid permissions: words of any script, dots, dashes, slashes, and whole-part wildcards', () => {
    const compiled = compilePolicy(withRole({ allow: ['*', '*:*', 'articles:*', '*:read', 'Artikel:lesen', 'orders.v2:read-all', 'https//x:y', 'é:ü'] }) as never)
    expect(compiled.roles).toEqual(['viewer', 'r'])
  })
})

describe('option mistakes: TypeError from rbac()', () => {
  const conditional = { roles: { r: { allow: [{ permission: 'articles:update', when: 'isOwner' }] } } }
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /options must be an object/],
    ['no policy', { require: 'articles:read' }, /'policy' is required/],
    ['an unknown option', { policy, require: 'articles:read', required: 'articles:read' }, /unknown option 'required'/],
    ['neither require nor routes', { policy }, /nothing to check: give 'require'/],
    ['both require and routes', { policy, require: 'articles:read', routes: {} }, /either 'require' .* or 'routes'/],
    ['routesDefault without routes', { policy, require: 'articles:read', routesDefault: 'articles:read' }, /'routesDefault' goes with 'routes'/],
    ['an unknown condition name', { policy: conditional, require: [] }, /policy.roles\["r"\].allow\[0\]: unknown condition "isOwner" \(conditions: none is given\)/],
    ['an unknown condition name, others given', { policy: conditional, require: [], conditions: { isAuthor: () => true } }, /unknown condition "isOwner" \(conditions: given: isAuthor\)/],
    ['a condition that is not a function', { policy: conditional, require: [], conditions: { isOwner: true } }, /conditions\["isOwner"\] must be a function/],
    ['conditions not an object', { policy, require: [], conditions: [() => true] }, /'conditions' must be an object/],
    ['require: a wildcard', { policy, require: 'articles:*' }, /'require': "articles:\*" has a wildcard: a requirement names concrete permissions/],
    ['require: "*"', { policy, require: '*' }, /"\*" has a wildcard/],
    ['require: malformed', { policy, require: 'articles' }, /'require': "articles" is not a permission/],
    ['require: a wildcard in a list', { policy, require: ['articles:read', '*:read'] }, /"\*:read" has a wildcard/],
    ['require: { anyOf: [] }', { policy, require: { anyOf: [] } }, /\{ anyOf: \[\] \} can never be satisfied/],
    ['require: { anyOf } not a list', { policy, require: { anyOf: 'articles:read' } }, /'require': must be a permission, a list of permissions/],
    ['require: { allOf }', { policy, require: { allOf: ['articles:read'] } }, /'require': must be a permission/],
    ['require: { anyOf, extra }', { policy, require: { anyOf: ['articles:read'], allOf: [] } }, /'require': must be a permission/],
    ['require: a number', { policy, require: 5 }, /'require': must be a permission/],
    ['routes: not an object', { policy, routes: ['GET /articles'] }, /routes must be an object keyed by "METHOD \/path"/],
    ['routes: empty, without routesDefault', { policy, routes: {} }, /'routes' lists no route: every request would be denied/],
    ['routes: a malformed key', { policy, routes: { '/articles': 'articles:read' } }, /route key "\/articles" must look like "GET \/orders\/\{id\}"/],
    ['routes: a "__proto__" key (JSON)', { policy, routes: JSON.parse('{"__proto__": "articles:read", "GET /a": "articles:read"}') }, /route key "__proto__" must look like/],
    ['routes: a malformed value', { policy, routes: { 'GET /articles': 'articles' } }, /routes\["GET \/articles"\]: "articles" is not a permission/],
    ['routes: a wildcard value', { policy, routes: { 'GET /articles': { anyOf: ['articles:*'] } } }, /routes\["GET \/articles"\]: "articles:\*" has a wildcard/],
    ['routesDefault: malformed', { policy, routes: { 'GET /a': 'a:b' }, routesDefault: { anyOf: [] } }, /'routesDefault': \{ anyOf: \[\] \} can never be satisfied/],
    ['rolesFrom: empty list', { policy, require: [], rolesFrom: [] }, /'rolesFrom' is an empty list/],
    ['rolesFrom: empty path', { policy, require: [], rolesFrom: '' }, /'rolesFrom' must be a claim path/],
    ['rolesFrom: a number in a list', { policy, require: [], rolesFrom: ['groups', 5] }, /'rolesFrom\[1\]' must be a claim path/],
    ['roleMap: not an object', { policy, require: [], roleMap: [['a', 'viewer']] }, /'roleMap' must be an object/],
    ['roleMap: a target that is not a role', { policy, require: [], roleMap: { Readers: 'reader' } }, /roleMap\["Readers"\]: "reader" is not a role of the policy/],
    ['roleMap: a target list with a non-role', { policy, require: [], roleMap: { Staff: ['viewer', 'staff'] } }, /roleMap\["Staff"\]: "staff" is not a role of the policy/],
    ['roleMap: a value of the wrong type', { policy, require: [], roleMap: { Staff: 1 } }, /roleMap\["Staff"\] must be a policy role or a list/],
    ['resource: not a function', { policy, require: [], resource: 'article' }, /'resource' must be a function/],
    ['onDecision: not a function', { policy, require: [], onDecision: console }, /'onDecision' must be a function/],
    ['realm: a quote', { policy, require: [], realm: 'a"b' }, /'realm' must be printable ASCII/],
  ]
  test.each(cases)('%s', (_name, options, message) => {
    expectConfigError(() => rbac(options as never), message)
  })

  test('preset arguments', () => {
    expectConfigError(() => presets.keycloak(''), /presets.keycloak\(clientId\): clientId must be a non-empty string/)
    expectConfigError(() => presets.keycloak(5 as never), /presets.keycloak/)
    expectConfigError(() => presets.auth0(''), /presets.auth0\(namespace\): namespace must be the prefix/)
    expectConfigError(() => presets.auth0('/'), /presets.auth0/)
    expectConfigError(() => presets.auth0(undefined as never), /presets.auth0/)
  })

  test('a compiled policy is accepted as is, and its conditions are still checked', () => {
    const compiled = compilePolicy({ roles: { r: { allow: [{ permission: 'a:b', when: 'c' }] } } })
    expect(compiled.conditionNames).toEqual(['c'])
    expect(() => rbac({ policy: compiled, require: 'a:b', conditions: { c: () => true } })).not.toThrow()
    expectConfigError(() => rbac({ policy: compiled, require: 'a:b' }), /unknown condition "c"/)
  })

  test('every documented option is accepted', () => {
    expect(() =>
      rbac({
        policy,
        routes: { 'GET /articles': 'articles:read', 'PUT /articles/{id}': ['articles:update'], 'GET /search': { anyOf: ['articles:read'] }, 'GET /me': [], '$connect': () => 'articles:read' },
        routesDefault: () => [],
        rolesFrom: [presets.cognito, presets.keycloak('orders.api'), presets.keycloak(), presets.entra, presets.okta, presets.auth0('https://example.com/'), presets.iam, 'custom:roles'],
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
    expect(() => rbacValidateOptions({ policy, require: 'articles:read', rolesFrom: [presets.cognito, 'groups'], roleMap: {}, realm: 'api' })).not.toThrow()
    expect(() => rbacValidateOptions({ policy, routes: {}, routesDefault: { anyOf: ['a:b'] }, conditions: {}, resource: () => 1, onDecision: () => undefined })).not.toThrow()
  })
  test.each([
    [{ require: 'articles:read' }, /policy/],
    [{ policy, require: 'a:b', unknown: 1 }, /Unknown option 'unknown'/],
    [{ policy, require: 'a:b', realm: 5 }, /realm/],
    [{ policy, require: 'a:b', rolesFrom: 5 }, /rolesFrom/],
    [{ policy, require: 'a:b', onDecision: 'log' }, /onDecision/],
  ])('rejects %j', (options, message) => {
    expect(() => rbacValidateOptions(options)).toThrow(message)
    try {
      rbacValidateOptions(options)
    } catch (error) {
      expect((error as Error).cause).toEqual({ package: '@middy-auth/rbac' })
    }
  })
})
