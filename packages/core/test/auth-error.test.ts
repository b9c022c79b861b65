import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { AuthError, forbidden, isAuthError } from '../src/index.js'
import { bearerChallenge, dpopChallenge, isChallengeSafe, isDpopNonceSafe } from '../src/internal.js'
import type { AuthErrorCode } from '../src/index.js'

const render = async (error: AuthError) => {
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .handler(async () => {
      throw error
    })
  return (await handler({}, {} as never)) as { statusCode: number; headers: Record<string, string>; body: string }
}

describe('AuthError rendered by @middy/http-error-handler', () => {
  const table: Array<[AuthErrorCode, number, string | undefined]> = [
    ['missing_token', 401, 'Bearer realm="api"'],
    ['missing_credentials', 401, undefined],
    ['invalid_request', 400, 'Bearer realm="api", error="invalid_request"'],
    ['invalid_token', 401, 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"'],
    ['insufficient_scope', 403, 'Bearer realm="api", error="insufficient_scope"'],
    ['access_denied', 403, undefined],
    ['temporarily_unavailable', 503, undefined],
  ]

  test.each(table)('%s → %i with the table challenge', async (code, status, challenge) => {
    const response = await render(new AuthError(code, { package: 'test', data: { token: 'secret-token' } }))
    expect(response.statusCode).toBe(status)
    expect(response.headers['WWW-Authenticate']).toBe(challenge)
    expect(response.headers['Content-Type']).toBe('application/json')
    const body = JSON.parse(response.body)
    expect(body.error).toBe(code)
    expect(typeof body.error_description).toBe('string')
    expect(response.body).not.toContain('secret-token')
    expect(JSON.stringify(response.headers)).not.toContain('secret-token')
  })

  test('503 carries Retry-After', async () => {
    const response = await render(new AuthError('temporarily_unavailable', { package: 'test', retryAfter: 7 }))
    expect(response.headers['Retry-After']).toBe('7')
  })

  test('insufficient_scope lists the scopes and a custom realm', async () => {
    const error = new AuthError('insufficient_scope', { package: 'p', realm: 'orders', scope: ['orders:read', 'orders:admin'] })
    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="orders", error="insufficient_scope", scope="orders:read orders:admin"')
  })

  test('keeps the reason for logs only, with the package', () => {
    const error = new AuthError('invalid_token', { package: '@middy-auth/jwt-verify', data: { reason: 'expired' } })
    expect(error.cause).toEqual({ package: '@middy-auth/jwt-verify', data: { reason: 'expired' } })
    expect(error.message).not.toContain('expired')
    expect(error.expose).toBe(true)
    expect(isAuthError(error)).toBe(true)
    expect(isAuthError(new Error('x'))).toBe(false)
  })
})

describe('bearerChallenge', () => {
  test('drops characters RFC 6750 forbids instead of letting them through', () => {
    expect(bearerChallenge({ realm: 'a"b\\c\r\nd', error: 'invalid_token' })).toBe('Bearer realm="abcd", error="invalid_token"')
  })
  test('isChallengeSafe', () => {
    expect(isChallengeSafe('my api')).toBe(true)
    expect(isChallengeSafe('x"')).toBe(false)
    expect(isChallengeSafe('é')).toBe(false)
    expect(isChallengeSafe('')).toBe(false)
  })
})

describe('DPoP challenges (RFC 9449)', () => {
  test('invalid_dpop_proof: 401 with the DPoP challenge naming the accepted algorithms', async () => {
    const response = await render(new AuthError('invalid_dpop_proof', { package: 'p', dpop: { algs: ['ES256', 'EdDSA'] }, data: { proof: 'secret-proof' } }))
    expect(response.statusCode).toBe(401)
    expect(response.headers['WWW-Authenticate']).toBe('DPoP algs="ES256 EdDSA", error="invalid_dpop_proof"')
    expect(JSON.parse(response.body).error).toBe('invalid_dpop_proof')
    expect(response.body).not.toContain('secret-proof')
  })

  test('use_dpop_nonce: 401, the error challenge and a fresh DPoP-Nonce header', async () => {
    const response = await render(new AuthError('use_dpop_nonce', { package: 'p', dpop: { algs: ['ES256'], nonce: 'n0nce.abc_-' } }))
    expect(response.statusCode).toBe(401)
    expect(response.headers['WWW-Authenticate']).toBe('DPoP error="use_dpop_nonce"')
    expect(response.headers['DPoP-Nonce']).toBe('n0nce.abc_-')
  })

  test('a nonce that is not NQCHAR is never sent', () => {
    const error = new AuthError('use_dpop_nonce', { package: 'p', dpop: { algs: ['ES256'], nonce: 'a"b\r\nX-Evil: 1' } })
    expect(error.headers['DPoP-Nonce']).toBeUndefined()
    expect(isDpopNonceSafe('a b')).toBe(false)
    expect(isDpopNonceSafe('')).toBe(false)
  })

  test('Bearer challenges also offer DPoP when it is accepted', () => {
    expect(new AuthError('missing_token', { package: 'p', dpop: { algs: ['ES256', 'PS256'] } }).headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", DPoP algs="ES256 PS256"',
    )
    expect(new AuthError('invalid_token', { package: 'p', dpop: { algs: ['ES256'] } }).headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token is invalid", DPoP algs="ES256"',
    )
    expect(new AuthError('invalid_token', { package: 'p' }).headers['WWW-Authenticate']).not.toContain('DPoP')
  })

  test('dpopChallenge drops unsafe characters', () => {
    expect(dpopChallenge({ algs: ['ES"256'], error: 'x\\y' })).toBe('DPoP algs="ES256", error="xy"')
    expect(dpopChallenge({})).toBe('DPoP')
  })
})

test('new AuthError(code) without options, as application code writes it after its own check', () => {
  const error = new AuthError('access_denied')
  expect([error.statusCode, error.code, error.message, error.headers]).toEqual([
    403,
    'access_denied',
    '{"error":"access_denied","error_description":"Access denied"}',
    {},
  ])
  expect(error.cause).toEqual({ package: 'application', data: undefined })
  // As plain JavaScript calls it, without the types.
  expect(() => Reflect.construct(AuthError, ['invalid_token'])).not.toThrow()
})

describe('reason and detail', () => {
  test('a reason and a detail are typed fields and join cause.data, never the response', async () => {
    type Reason = 'exp' | 'aud'
    const error = new AuthError<Reason>('invalid_token', { package: 'p', reason: 'exp', detail: 'expired 3 s ago', data: { issuer: 'https://idp' } })
    const reason: Reason | undefined = error.reason
    expect(reason).toBe('exp')
    expect(error.detail).toBe('expired 3 s ago')
    expect(error.cause).toEqual({ package: 'p', data: { reason: 'exp', detail: 'expired 3 s ago', issuer: 'https://idp' } })
    const response = await render(error)
    expect(response.body).not.toContain('exp"')
    expect(response.body).not.toContain('expired 3 s ago')
    expect(JSON.stringify(response.headers)).not.toContain('expired 3 s ago')
  })

  test('data.reason is the reason when no other is given', () => {
    const error = new AuthError('invalid_token', { package: 'p', data: { reason: 'signature' } })
    expect(error.reason).toBe('signature')
    expect(error.detail).toBeUndefined()
    expect(error.cause.data).toEqual({ reason: 'signature' })
  })

  test('data that is not an object is kept beside the reason', () => {
    expect(new AuthError('access_denied', { reason: 'r', data: 'x' }).cause.data).toEqual({ reason: 'r', data: 'x' })
  })
})

describe('from plain JavaScript', () => {
  test('a .js module builds AuthErrors without options', async () => {
    // @ts-expect-error a plain JavaScript module, without types
    const { denials } = (await import('./support/plain-javascript.js')) as { denials: () => AuthError[] }
    const [denied, invalid, missing] = denials()
    expect([denied?.statusCode, denied?.code, denied?.cause.package]).toEqual([403, 'access_denied', 'application'])
    expect([invalid?.statusCode, invalid?.headers['WWW-Authenticate']]).toEqual([
      401,
      'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"',
    ])
    expect(missing?.headers['WWW-Authenticate']).toBe('Bearer realm="orders"')
  })

  // What a JavaScript caller may pass, which the types would refuse.
  const Untyped = AuthError as unknown as new (...args: unknown[]) => AuthError

  test.each<[string, unknown[]]>([
    ['no options', ['access_denied']],
    ['undefined options', ['access_denied', undefined]],
    ['options without a package', ['access_denied', {}]],
  ])('%s: a 403 from the application', async (_, args) => {
    const error = new Untyped(...args)
    expect(error.cause).toEqual({ package: 'application', data: undefined })
    expect(error.reason).toBeUndefined()
    const response = await render(error)
    expect(response.statusCode).toBe(403)
    expect(JSON.parse(response.body)).toEqual({ error: 'access_denied', error_description: 'Access denied' })
  })

  // An options object of the application's (a getter, a Proxy) is read only for what the code
  // renders: a denial without a challenge never reads the challenge's attributes, so one that
  // throws there cannot turn a 403 into a 500.
  test.each<[AuthErrorCode, number]>([
    ['access_denied', 403],
    ['missing_credentials', 401],
    ['login_required', 401],
    ['temporarily_unavailable', 503],
  ])('%s reads no challenge attribute of its options (realm, scope, resourceMetadata)', async (code, status) => {
    const options = { reason: 'r' }
    for (const name of ['realm', 'scope', 'resourceMetadata']) {
      Object.defineProperty(options, name, {
        enumerable: true,
        get: () => {
          throw new Error(`${name} read`)
        },
      })
    }
    const response = await render(new AuthError(code, options))
    expect(response.statusCode).toBe(status)
    expect(response.headers['WWW-Authenticate']).toBeUndefined()
  })

  test.each(['nope', 'toString', undefined])('an unknown code %p is a TypeError listing the codes', (code) => {
    expect(() => new Untyped(code)).toThrow(
      new TypeError(
        `AuthError: code must be one of ${['missing_token', 'missing_credentials', 'invalid_request', 'invalid_token', 'insufficient_scope', 'access_denied', 'temporarily_unavailable', 'login_required', 'invalid_dpop_proof', 'use_dpop_nonce'].join(', ')}`,
      ),
    )
  })
})

describe('forbidden', () => {
  test('in a handler: the same JSON 403 as the middlewares, the handler stops there', async () => {
    let after = false
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .handler(async () => {
        forbidden('not_owner', 'only the owner may cancel')
        after = true
      })
    const response = (await handler({}, {} as never)) as { statusCode: number; headers: Record<string, string>; body: string }
    expect(after).toBe(false)
    expect(response.statusCode).toBe(403)
    expect(response.headers['Content-Type']).toBe('application/json')
    expect(response.headers['WWW-Authenticate']).toBeUndefined()
    expect(JSON.parse(response.body)).toEqual({ error: 'access_denied', error_description: 'Access denied' })
    expect(response.body).not.toContain('owner')
  })

  test('keeps the reason for logs; a default reason without one', () => {
    const caught = (run: () => unknown): AuthError => {
      try {
        run()
      } catch (error) {
        return error as AuthError
      }
      throw new Error('nothing was thrown')
    }
    const named = caught(() => forbidden('not_owner', 'only the owner'))
    expect(isAuthError(named)).toBe(true)
    expect(named.code).toBe('access_denied')
    expect(named.reason).toBe('not_owner')
    expect(named.detail).toBe('only the owner')
    expect(named.cause).toEqual({ package: 'application', data: { reason: 'not_owner', detail: 'only the owner' } })
    const plain = caught(() => forbidden())
    expect(plain.reason).toBe('forbidden')
    expect(plain.cause).toEqual({ package: 'application', data: { reason: 'forbidden' } })
  })
})
