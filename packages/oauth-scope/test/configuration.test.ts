import { describe, expect, test } from '@jest/globals'
import oauthScope, { oauthScopeValidateOptions } from '../src/index.js'
import { afterHole } from '../../../test/support/holes.js'

/** The factory's TypeError: it starts with the option's path, which cause.option names. */
const refused = (options: unknown, message: RegExp) => {
  let error: unknown
  try {
    oauthScope(options as never)
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(TypeError)
  const { message: text, cause } = error as TypeError & { cause: { package: string; option: string } }
  expect(cause).toEqual({ package: '@middy-auth/oauth-scope', option: expect.any(String) })
  // Route keys are checked by core's route map, which follows the path with a colon.
  expect(text.startsWith(`oauthScope: ${cause.option} `) || text.startsWith(`oauthScope: ${cause.option}: `)).toBe(true)
  expect(text).toMatch(message)
}

describe('configuration that can never work: TypeError at cold start', () => {
  test('not an object', () => {
    for (const options of [undefined, null, 'orders:read', ['orders:read']]) refused(options, /options must be an object/)
  })

  test('unknown options, named', () => {
    refused({ required: ['a'], requried: ['b'] }, /^oauthScope: requried is not an option \(known: /)
    refused(
      { required: ['a'], scopes: ['b'] },
      /^oauthScope: scopes is not an option \(known: required, anyOf, routes, routesDefault, scopeClaims, realm, resourceMetadata, extensions\)$/,
    )
  })

  test('require is spelled required across the suite', () => {
    refused({ require: ['orders:read'] }, /^oauthScope: require is spelled required in middy-auth: rename it$/)
    refused({ routes: { 'GET /orders': { require: ['a'] } } }, /^oauthScope: routes\["GET \/orders"\]\.require is spelled required in middy-auth/)
  })

  test('no requirement at all', () => {
    refused({}, /^oauthScope: options need required, anyOf or routes$/)
    refused({ realm: 'api', scopeClaims: ['scp'] }, /options need required/)
    refused({ required: undefined, anyOf: undefined }, /options need required/)
  })

  test('empty lists', () => {
    refused({ required: [] }, /required is empty: list at least one scope/)
    refused({ anyOf: [] }, /anyOf is empty/)
    refused({ required: ['a'], anyOf: [] }, /anyOf is empty/)
    refused({ routes: { 'GET /orders': [] } }, /routes\["GET \/orders"\] is empty/)
    refused({ routes: { 'GET /orders': { anyOf: [] } } }, /routes\["GET \/orders"\]\.anyOf is empty/)
    refused({ routes: { 'GET /orders': ['a'] }, routesDefault: [] }, /routesDefault is empty/)
  })

  test('not lists', () => {
    refused(
      { required: 'orders:read orders:write' },
      /required must be a list of scopes such as \['orders:read'\], not a string: write \['orders:read', 'orders:write'\]/,
    )
    refused({ required: null }, /required must be a list of scopes/)
    refused({ anyOf: new Set(['a']) }, /anyOf must be a list of scopes/)
    refused({ routes: { 'GET /orders': { required: 'a' } } }, /routes\["GET \/orders"\]\.required must be a list/)
  })

  test('scopes outside the RFC 6749 scope-token charset', () => {
    refused(
      { required: ['orders:read orders:write'] },
      /required\[0\] "orders:read orders:write" is not a scope.*RFC 6749.*list "orders:read orders:write" as separate scopes/,
    )
    refused({ required: ['ok', 'a"b'] }, /required\[1\] "a\\"b" is not a scope/)
    refused({ anyOf: ['a\\b'] }, /anyOf\[0\] "a\\\\b" is not a scope/)
    refused({ anyOf: [''] }, /anyOf\[0\] "" is not a scope/)
    refused({ anyOf: ['café'] }, /is not a scope/)
    refused({ anyOf: ['tab\there'] }, /is not a scope/)
    refused({ anyOf: ['new\nline'] }, /is not a scope/)
    refused({ anyOf: ['a\u0000'] }, /is not a scope/)
    refused({ required: [42] }, /required\[0\] 42 is not a scope/)
    refused({ routes: { 'GET /orders': ['a b'] } }, /routes\["GET \/orders"\]\[0\] "a b" is not a scope/)
    refused({ routes: { 'GET /orders': ['a'] }, routesDefault: { anyOf: [' a'] } }, /routesDefault\.anyOf\[0\]/)
  })

  test('the whole charset is accepted: !, #-[, ]-~', () => {
    const every = String.fromCharCode(
      0x21,
      ...Array.from({ length: 0x5b - 0x23 + 1 }, (_, i) => 0x23 + i),
      ...Array.from({ length: 0x7e - 0x5d + 1 }, (_, i) => 0x5d + i),
    )
    expect(() => oauthScope({ required: [every, 'https://api.example.com/orders.read', 'orders/write', 'api://orders/Read.All'] })).not.toThrow()
  })

  test('routes together with required or anyOf', () => {
    refused({ required: ['a'], routes: { 'GET /orders': ['a'] } }, /^oauthScope: routes goes without required\/anyOf: give one or the other$/)
    refused({ anyOf: ['a'], routes: { 'GET /orders': ['a'] } }, /give one or the other/)
  })

  test('routesDefault without routes', () => {
    refused({ required: ['a'], routesDefault: ['b'] }, /^oauthScope: routesDefault goes with routes$/)
    refused({ routesDefault: ['b'] }, /^oauthScope: routesDefault goes with routes$/)
  })

  test('routes: not a map, no route, bad keys', () => {
    refused({ routes: [['GET /orders', ['a']]] }, /^oauthScope: routes must be an object keyed by "METHOD \/path"/)
    refused({ routes: null }, /routes must be an object/)
    refused({ routes: {} }, /routes lists no route/)
    refused({ routes: { '/orders': ['a'] } }, /routes: route key "\/orders" must look like "GET \/orders\/\{id\}"/)
    refused({ routes: { 'get /orders': ['a'] } }, /route key "get \/orders"/)
    refused({ routes: { 'GET orders': ['a'] } }, /route key "GET orders"/)
    refused({ routes: JSON.parse('{"__proto__": ["a"]}') }, /route key "__proto__"/)
  })

  test('route values', () => {
    refused({ routes: { 'GET /orders': 'orders:read' } }, /routes\["GET \/orders"\] must be a list of scopes \(all of them\) or \{ required\?, anyOf\? \}/)
    refused({ routes: { 'GET /orders': null } }, /must be a list of scopes \(all of them\)/)
    refused({ routes: { 'GET /orders': {} } }, /routes\["GET \/orders"\] requires nothing: give required, anyOf, or both/)
    refused({ routes: { 'GET /orders': { scopes: ['a'] } } }, /^oauthScope: routes\["GET \/orders"\]\.scopes is not an option \(known: required, anyOf\)$/)
    refused({ routes: { 'GET /orders': ['a'] }, routesDefault: 'deny' }, /routesDefault must be a list of scopes \(all of them\)/)
    refused({ routes: { 'GET /orders': ['a'] }, routesDefault: {} }, /routesDefault requires nothing/)
  })

  test('scopeClaims', () => {
    // A hole (JavaScript's `[, 'scp']`) too: some() would skip it, and every request read it.
    for (const scopeClaims of [[], [''], '', ['scp', 1], { scp: true }, null, afterHole('scp')]) {
      refused({ required: ['a'], scopeClaims }, /^oauthScope: scopeClaims must be a claim name or a non-empty list of them, such as \['scope', 'scp'\]$/)
    }
    expect(() => oauthScope({ required: ['a'], scopeClaims: 'scp' })).not.toThrow()
    expect(() => oauthScope({ required: ['a'], scopeClaims: ['scope', 'scp', 'realm_access.scopes'] })).not.toThrow()
  })

  test('realm', () => {
    for (const realm of ['', 'a"b', 'a\\b', 'naïve', 'a\nb', 42]) refused({ required: ['a'], realm }, /^oauthScope: realm must be printable ASCII/)
    expect(() => oauthScope({ required: ['a'], realm: 'orders api' })).not.toThrow()
  })
})

describe('oauthScopeValidateOptions (Middy’s opt-in schema check)', () => {
  const rejects = (options: unknown, message: RegExp) => {
    expect(() => oauthScopeValidateOptions(options)).toThrow(message)
    try {
      oauthScopeValidateOptions(options)
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      expect((error as TypeError).cause).toEqual({ package: '@middy-auth/oauth-scope' })
    }
  }

  test('accepts what the factory accepts, and returns the options', () => {
    const options = {
      routes: { 'GET /orders': ['orders:read'], 'POST /orders': { required: ['orders:write'], anyOf: ['a', 'b'] } },
      routesDefault: { anyOf: ['orders:admin'] },
      scopeClaims: ['scp'],
      realm: 'shop',
    }
    expect(oauthScopeValidateOptions(options)).toBe(options)
    expect(oauthScopeValidateOptions({ required: ['https://api.example.com/orders.read'], anyOf: ['x'], scopeClaims: 'scope' })).toBeTruthy()
  })

  test('refuses unknown options, wrong types, bad scopes', () => {
    rejects({ requried: ['a'] }, /Unknown option 'requried'/)
    rejects({ required: 'a' }, /Option 'required' must be array/)
    rejects({ required: ['a b'] }, /Option 'required\[0\]' must match pattern/)
    rejects({ anyOf: [1] }, /Option 'anyOf\[0\]' must be string/)
    rejects({ routes: { 'GET /orders': ['a"b'] } }, /routes.GET \/orders/)
    rejects({ routes: { 'GET /orders': { scopes: ['a'] } } }, /routes.GET \/orders/)
    rejects({ routesDefault: 'deny' }, /routesDefault/)
    rejects({ scopeClaims: 1 }, /scopeClaims/)
    rejects({ realm: 1 }, /Option 'realm' must be string/)
  })
})
