import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { routeMaps as rbacRouteMaps } from '@middy-auth/rbac/extensions'
import { apiGatewayClaims, resourceMetadataChallenge, routeMaps, scopeClaims, type OAuthScopeExtension } from '../src/extensions.js'
import leanOAuthScope from '../src/lean.js'
import oauthScope, { oauthScopeValidateOptions, type OAuthScopeOptions } from '../src/index.js'
import { fixtureNames, loadFixture } from '../../../test/support/fixtures.js'
import { thrown } from '../../../test/support/thrown.js'
import { outcome, protect, withIdentity, type Middleware, type Response } from '../../../test/support/protect.js'

/**
 * `@middy-auth/oauth-scope/lean` against the root entry, through real handlers and real events:
 * with the extensions its options need it answers exactly as the root does; without
 * `apiGatewayClaims` it refuses what the root reads from the gateway, as the root refuses a
 * request with no identity at all; it never accepts what the root refuses.
 */

// Route maps tell of gateway routes their keys do not name (console.warn): expected here.
const warn = jest.spyOn(console, 'warn')
beforeAll(() => void warn.mockImplementation(() => undefined))
afterAll(() => warn.mockRestore())

/** Both handlers, the same options and identity middlewares: root, and lean with `extensions`. */
const pair = (options: OAuthScopeOptions, extensions: readonly OAuthScopeExtension[], before: Middleware[] = []) => ({
  root: protect([...before, oauthScope(options)]),
  lean: protect([...before, leanOAuthScope({ ...options, extensions })]),
})

/** What a client and the handler see: status, headers, body, and the identity of each call. */
const observed = (response: Response, handler: { seen: unknown[]; errors: Array<{ code: string; cause: unknown }> }) => ({
  response,
  seen: handler.seen,
  errors: handler.errors.map(({ code, cause }) => ({ code, cause })),
})

const compare = async (options: OAuthScopeOptions, extensions: readonly OAuthScopeExtension[], events: () => unknown, before: Middleware[] = []) => {
  const { root, lean } = pair(options, extensions, before)
  return { root: observed(await root.invoke(events()), root), lean: observed(await lean.invoke(events()), lean) }
}

const jwtEvent = (routeKey: string, path: string, scopes: string[]) =>
  httpApiEvent({ routeKey, method: routeKey.split(' ')[0], path, authorizer: { jwt: { claims: { sub: 'alice' }, scopes } } })

/** An HTTP API event of a route, the identity set by a middleware before (jwt-verify, say). */
const routeEvent = (routeKey: string, path: string) => httpApiEvent({ routeKey, method: routeKey.split(' ')[0], path })

const routes = { 'GET /orders': ['orders:read'], 'POST /orders': { anyOf: ['orders:write', 'orders:admin'] } } as const

describe('with the extensions its options need, the lean entry answers as the root does', () => {
  const cases: Array<[string, OAuthScopeOptions, readonly OAuthScopeExtension[], () => unknown, Middleware[]]> = [
    ['required, held', { required: ['orders:read'] }, [], () => httpApiEvent(), [withIdentity({ scopes: ['orders:read'] })]],
    ['required, missing', { required: ['orders:read', 'orders:write'] }, [], () => httpApiEvent(), [withIdentity({ scopes: ['orders:read'] })]],
    [
      'anyOf, with a realm and resource metadata',
      { anyOf: ['a', 'b'], realm: 'orders', resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' },
      [resourceMetadataChallenge],
      () => httpApiEvent(),
      [withIdentity({ scopes: ['c'] })],
    ],
    [
      'scopeClaims',
      { scopeClaims: 'ext.scopes', required: ['orders:read'] },
      [scopeClaims],
      () => httpApiEvent(),
      [withIdentity({ claims: { ext: { scopes: 'orders:read' } } })],
    ],
    ['no identity at all (http-v2-no-auth.json)', { required: ['orders:read'] }, [], () => loadFixture('http-v2-no-auth.json'), []],
    [
      'no identity, with resource metadata',
      { required: ['orders:read'], resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource/orders' },
      [resourceMetadataChallenge],
      () => loadFixture('http-v2-no-auth.json'),
      [],
    ],
    ['a listed route', { routes }, [routeMaps], () => routeEvent('GET /orders', '/orders'), [withIdentity({ scopes: ['orders:read'] })]],
    ['a route with too few scopes', { routes }, [routeMaps], () => routeEvent('POST /orders', '/orders'), [withIdentity({ scopes: ['orders:read'] })]],
    ['a route routes does not list', { routes }, [routeMaps], () => routeEvent('DELETE /orders', '/orders'), [withIdentity({ scopes: ['orders:admin'] })]],
    [
      'routesDefault',
      { routes, routesDefault: ['orders:admin'] },
      [routeMaps],
      () => routeEvent('DELETE /orders', '/orders'),
      [withIdentity({ scopes: ['orders:admin'] })],
    ],
    [
      'a REST route, identity from jwt-verify',
      { routes },
      [routeMaps],
      () => restEvent({ method: 'GET', resource: '/orders', path: '/orders' }),
      [withIdentity({ scopes: ['orders:read'] })],
    ],
    ['gateway scopes held (http-v2-jwt-mtls-scopes.json)', { required: ['scope1'] }, [apiGatewayClaims], () => loadFixture('http-v2-jwt-mtls-scopes.json'), []],
    [
      'gateway scopes missing (http-v2-jwt-mtls-scopes.json)',
      { required: ['scope3'] },
      [apiGatewayClaims],
      () => loadFixture('http-v2-jwt-mtls-scopes.json'),
      [],
    ],
    [
      'a REST Cognito authorizer (rest-v1-cognito-access-token.json)',
      { required: ['https://api.example.com/orders.read'] },
      [apiGatewayClaims],
      () => loadFixture('rest-v1-cognito-access-token.json'),
      [],
    ],
    [
      'a Lambda authorizer context without scopes (http-v2-lambda-authorizer-context.json)',
      { anyOf: ['orders:read', 'x'] },
      [apiGatewayClaims],
      () => loadFixture('http-v2-lambda-authorizer-context.json'),
      [],
    ],
    ['routes and gateway claims', { routes }, [routeMaps, apiGatewayClaims], () => jwtEvent('POST /orders', '/orders', ['orders:admin']), []],
    ['routes and gateway claims, refused', { routes }, [apiGatewayClaims, routeMaps], () => jwtEvent('POST /orders', '/orders', ['orders:read']), []],
  ]

  /** What the root answers each case (tested in the root's own suites), so that each case checks what it says. */
  const status: Record<string, number> = {
    'required, held': 200,
    'required, missing': 403,
    'anyOf, with a realm and resource metadata': 403,
    scopeClaims: 200,
    'no identity at all (http-v2-no-auth.json)': 401,
    'no identity, with resource metadata': 401,
    'a listed route': 200,
    'a route with too few scopes': 403,
    'a route routes does not list': 403,
    routesDefault: 200,
    'a REST route, identity from jwt-verify': 200,
    'gateway scopes held (http-v2-jwt-mtls-scopes.json)': 200,
    'gateway scopes missing (http-v2-jwt-mtls-scopes.json)': 403,
    'a REST Cognito authorizer (rest-v1-cognito-access-token.json)': 200,
    'a Lambda authorizer context without scopes (http-v2-lambda-authorizer-context.json)': 403,
    'routes and gateway claims': 200,
    'routes and gateway claims, refused': 403,
  }

  test.each(cases)('%s', async (name, options, extensions, event, before) => {
    const { root, lean } = await compare(options, extensions, event, before)
    expect(root.response.statusCode).toBe(status[name])
    expect(lean).toEqual(root)
  })

  test('every extension listed: the same answers as the root on every fixture', async () => {
    for (const name of fixtureNames()) {
      for (const options of optionSets) {
        const { root, lean } = await compare(options, [routeMaps, scopeClaims, apiGatewayClaims, resourceMetadataChallenge], () => loadFixture(name))
        expect({ name, ...lean }).toEqual({ name, ...root })
      }
    }
  })
})

const optionSets: OAuthScopeOptions[] = [
  { required: ['scope1'] },
  { anyOf: ['openid', 'email', 'orders:read', 'https://api.example.com/orders.read'] },
  { routes: { 'GET /orders': ['scope1'], 'ANY /{proxy+}': { anyOf: ['openid', 'https://api.example.com/orders.read'] } }, routesDefault: ['email'] },
  { anyOf: ['openid', 'orders:read', 'admin'], scopeClaims: ['scope', 'scp', 'custom:scopes'] },
  { required: ['scope1', 'scope3'], resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' },
]

describe('without apiGatewayClaims, the lean entry never accepts what the root refuses', () => {
  test('on every fixture, with and without an identity before it, each set of extensions its options allow', async () => {
    const noIdentity = await compare({ required: ['orders:read'] }, [], () => loadFixture('http-v2-no-auth.json'))
    let refusedByLeanOnly = 0
    for (const name of fixtureNames()) {
      for (const options of optionSets) {
        // scopeClaims where the options read claims (resourceMetadataChallenge where they name metadata); routeMaps where they have routes, and in some lists where not.
        const needed = [...(options.scopeClaims ? [scopeClaims] : []), ...(options.resourceMetadata ? [resourceMetadataChallenge] : [])]
        for (const extensions of options.routes ? [[routeMaps, ...needed]] : [needed, [routeMaps, ...needed]]) {
          for (const before of [[], [withIdentity({ scopes: ['scope1', 'email'] })]]) {
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
    for (const name of ['http-v2-jwt-mtls-scopes.json', 'rest-v1-cognito.json', 'http-v2-lambda-authorizer.json', 'rest-v1-lambda-authorizer-context.json']) {
      const api = protect([leanOAuthScope({ anyOf: ['scope1', 'openid', 'email'] })])
      const response = await api.invoke(loadFixture(name))
      const none = await protect([oauthScope({ anyOf: ['scope1', 'openid', 'email'] })]).invoke(loadFixture('http-v2-no-auth.json'))
      expect(response).toEqual(none)
      expect(response.statusCode).toBe(401)
      expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api"')
      expect(api.seen).toEqual([])
    }
  })
})

describe('an option whose extension is missing: a TypeError at cold start that names the import', () => {
  test('routes without routeMaps', () => {
    for (const options of [{ routes }, { routes, routesDefault: ['orders:admin'] }] as OAuthScopeOptions[]) {
      const error = thrown(() => leanOAuthScope({ ...options, extensions: [apiGatewayClaims] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `oauthScope: routes needs the routeMaps extension: import { routeMaps } from '@middy-auth/oauth-scope/extensions' and pass extensions: [routeMaps] (or import oauthScope from '@middy-auth/oauth-scope')`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/oauth-scope', option: 'routes' })
    }
  })

  test('routes beside required or anyOf, without routeMaps: the TypeError that names the import (routeMaps checks the rest)', () => {
    for (const options of [
      { required: ['a'], routes },
      { anyOf: ['a'], routes },
    ] as unknown as OAuthScopeOptions[]) {
      const error = thrown(() => leanOAuthScope(options))
      expect(error?.message).toMatch(/^oauthScope: routes needs the routeMaps extension/)
      expect(error?.cause).toEqual({ package: '@middy-auth/oauth-scope', option: 'routes' })
      expect(thrown(() => leanOAuthScope({ ...options, extensions: [routeMaps] }))?.message).toBe(
        'oauthScope: routes goes without required/anyOf: give one or the other',
      )
    }
  })

  test('scopeClaims without the scopeClaims extension (a valid one or not), or with a forged one: a TypeError, the claims never ignored', () => {
    for (const claims of ['scp', ['scope', 'scp'], [], '']) {
      const error = thrown(() => leanOAuthScope({ required: ['orders:read'], scopeClaims: claims as never, extensions: [routeMaps] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `oauthScope: scopeClaims needs the scopeClaims extension: import { scopeClaims } from '@middy-auth/oauth-scope/extensions' and pass extensions: [scopeClaims] (or import oauthScope from '@middy-auth/oauth-scope')`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/oauth-scope', option: 'scopeClaims' })
    }
    const forged = thrown(() =>
      leanOAuthScope({ required: ['a'], scopeClaims: 'scp', extensions: [{ package: '@middy-auth/oauth-scope', name: 'scopeClaims' } as never] }),
    )
    expect(forged?.message).toBe(`oauthScope: extensions[0] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`)
  })

  test('resourceMetadata without resourceMetadataChallenge (a valid URL or not), or with a forged one: a TypeError, never a challenge without it', () => {
    for (const url of ['https://api.example.com/.well-known/oauth-protected-resource', 'http://x', '']) {
      const error = thrown(() => leanOAuthScope({ required: ['orders:read'], resourceMetadata: url, extensions: [routeMaps] }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toBe(
        `oauthScope: resourceMetadata needs the resourceMetadataChallenge extension: import { resourceMetadataChallenge } from '@middy-auth/oauth-scope/extensions' and pass extensions: [resourceMetadataChallenge] (or import oauthScope from '@middy-auth/oauth-scope')`,
      )
      expect(error?.cause).toEqual({ package: '@middy-auth/oauth-scope', option: 'resourceMetadata' })
    }
    const forged = thrown(() =>
      leanOAuthScope({
        required: ['a'],
        resourceMetadata: 'https://x',
        extensions: [{ package: '@middy-auth/oauth-scope', name: 'resourceMetadataChallenge' } as never],
      }),
    )
    expect(forged?.message).toBe(`oauthScope: extensions[0] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`)
    expect(forged?.cause).toEqual({ package: '@middy-auth/oauth-scope', option: 'extensions[0]' })
  })

  test("another package's extension, or something else, is refused", () => {
    expect(thrown(() => leanOAuthScope({ routes, extensions: [rbacRouteMaps as never] }))?.message).toBe(
      `oauthScope: extensions[0] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`,
    )
    // Middy's opt-in schema check takes it too.
    expect(oauthScopeValidateOptions({ routes, extensions: [apiGatewayClaims] })).toBeTruthy()
    expect(thrown(() => leanOAuthScope({ required: ['a'], extensions: routeMaps as never }))?.message).toMatch(/^oauthScope: extensions must be a list/)
  })

  test('the root entry checks extensions and then has them all: routes and the gateway claims work whatever the list says', async () => {
    // Only apiGatewayClaims listed: routes still works, so only the import line differs between the entries.
    const api = protect([oauthScope({ routes, extensions: [apiGatewayClaims] })])
    expect(outcome(await api.invoke(jwtEvent('GET /orders', '/orders', ['orders:read'])))).toEqual([200, 'ok'])
    expect(outcome(await api.invoke(jwtEvent('POST /orders', '/orders', ['orders:read'])))).toEqual([403, 'insufficient_scope'])
    expect(api.seen).toHaveLength(1)
    expect(thrown(() => oauthScope({ routes, extensions: [rbacRouteMaps as never] }))?.message).toBe(
      `oauthScope: extensions[0] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`,
    )
  })

  test('every other configuration mistake: the same TypeError as the root', () => {
    const mistakes: unknown[] = [
      undefined,
      {},
      { required: [] },
      { required: 'a b' },
      { require: ['a'] },
      { routesDefault: ['a'] },
      { required: ['a'], routes },
      { routes: {} },
      { routes: { 'GET orders': ['a'] } },
      { required: ['a'], realm: 'a"b' },
      { required: ['a'], scopeClaims: [] },
      { required: ['a'], scopeClaims: ['scp', ''] },
      { required: ['a'], resourceMetadata: 'http://api.example.com/metadata' },
      { required: ['a'], resourceMetadata: 42 },
    ]
    for (const options of mistakes) {
      const root = thrown(() => oauthScope(options as never))
      const withExtensions = thrown(() =>
        leanOAuthScope(isObject(options) ? ({ ...options, extensions: [routeMaps, scopeClaims, resourceMetadataChallenge] } as never) : (options as never)),
      )
      expect(root).toBeInstanceOf(TypeError)
      expect({ message: withExtensions?.message, cause: withExtensions?.cause }).toEqual({ message: root?.message, cause: root?.cause })
    }
  })
})

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null
