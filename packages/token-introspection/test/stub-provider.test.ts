import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { httpApiEvent } from '@middy-auth/testing'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AuthError } from '@middy-auth/core'
import type { TokenIntrospectionDenialReason, TokenIntrospectionOptions } from '../src/index.js'
import { outcome, protect, startStub, visible, type StubBehaviour } from './support.js'

const AUDIENCE = 'https://api.example.com'
const ISSUER = 'https://auth.example.com'
const TOKEN = 'opaque-token-0123456789'
const NOW = 1_800_000_000_000
const nowSeconds = NOW / 1000

const activeAnswer = (extra: Record<string, unknown> = {}) => ({
  active: true,
  sub: 'user-1',
  iss: ISSUER,
  aud: AUDIENCE,
  scope: 'orders:read orders:write',
  exp: nowSeconds + 3600,
  ...extra,
})
const answering =
  (body: unknown, status = 200, delayMs = 0): StubBehaviour =>
  () => ({ body, status, delayMs })

describe('tokenIntrospection against a loopback stub', () => {
  let stub: Awaited<ReturnType<typeof startStub>>
  let time = NOW
  const clock = () => time
  const options = (extra: Partial<TokenIntrospectionOptions> = {}): TokenIntrospectionOptions =>
    ({
      endpoint: stub.endpoint,
      clientId: 'orders-api',
      clientSecret: 's3cret',
      audience: AUDIENCE,
      issuer: ISSUER,
      clock,
      ...extra,
    }) as TokenIntrospectionOptions

  beforeAll(async () => {
    stub = await startStub(answering(activeAnswer()))
  })
  afterAll(() => stub.close())
  beforeEach(() => {
    time = NOW
    stub.requests.length = 0
    stub.set(answering(activeAnswer()))
  })

  describe('the request to the provider', () => {
    test('client_secret_basic: the token and hint in the form, credentials form-encoded in Basic (RFC 6749 §2.3.1)', async () => {
      const { invoke } = protect(options({ clientId: 'orders api', clientSecret: 'p@ss:word+1' }))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      const [request] = stub.requests
      expect(request?.contentType).toBe('application/x-www-form-urlencoded')
      expect(request?.accept).toBe('application/json')
      expect(Object.fromEntries(request!.form)).toEqual({ token: TOKEN, token_type_hint: 'access_token' })
      expect(Buffer.from(request!.authorization!.replace(/^Basic /, ''), 'base64').toString()).toBe('orders+api:p%40ss%3Aword%2B1')
    })

    test('client_secret_post: the credentials in the form, no Authorization header', async () => {
      const { invoke } = protect(options({ clientAuthMethod: 'client_secret_post' }))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      const [request] = stub.requests
      expect(request?.authorization).toBeUndefined()
      expect(Object.fromEntries(request!.form)).toEqual({ token: TOKEN, token_type_hint: 'access_token', client_id: 'orders-api', client_secret: 's3cret' })
    })

    test('no token, an empty one, two, or one no provider could have issued: refused without a call', async () => {
      const { invoke, seen } = protect(options())
      const noToken = await invoke(httpApiEvent())
      expect(outcome(noToken)).toEqual([401, 'missing_token'])
      expect(noToken.headers['WWW-Authenticate']).toBe('Bearer realm="api"')
      expect(outcome(await invoke(httpApiEvent({ headers: { authorization: 'Bearer ' } })))).toEqual([400, 'invalid_request'])
      expect(outcome(await invoke(httpApiEvent({ headers: { authorization: 'Bearer a b' } })))).toEqual([400, 'invalid_request'])
      expect(outcome(await invoke(httpApiEvent({ headers: { authorization: 'Basic dXNlcjpwYXNz' } })))).toEqual([401, 'missing_token'])
      expect(outcome(await invoke(httpApiEvent({ bearer: 'not"a;token' })))).toEqual([401, 'invalid_token'])
      expect(outcome(await invoke(httpApiEvent({ bearer: 'a'.repeat(8193) })))).toEqual([401, 'invalid_token'])
      expect(stub.requests).toHaveLength(0)
      expect(seen).toHaveLength(0)
    })

    test('credentialsRequired: false lets a request without a token through with no identity', async () => {
      const { invoke, seen } = protect(options({ credentialsRequired: false }))
      expect(outcome(await invoke(httpApiEvent()))).toEqual([200, 'ok'])
      expect(seen).toEqual([undefined])
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      expect(seen[1]?.subject).toBe('user-1')
    })

    test('tokenSource: a cookie, as in jwt-verify', async () => {
      const { invoke, seen } = protect(options({ tokenSource: { cookie: 'at' } }))
      expect(outcome(await invoke(httpApiEvent({ cookies: { at: TOKEN } })))).toEqual([200, 'ok'])
      expect(stub.requests[0]?.form.get('token')).toBe(TOKEN)
      expect(seen[0]?.subject).toBe('user-1')
    })
  })

  describe('the answer', () => {
    test('active: the identity, scopes split by the suite rule, claims a frozen null-prototype copy', async () => {
      stub.set(
        answering(
          JSON.parse(
            `{"active":true,"sub":"user-1","iss":"${ISSUER}","aud":["x","${AUDIENCE}"],"scope":"a b","exp":${nowSeconds + 60},"__proto__":{"admin":true}}`,
          ),
        ),
      )
      const { invoke, seen } = protect(options())
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      const auth = seen[0]!
      expect(auth).toMatchObject({ source: 'introspection', subject: 'user-1', issuer: ISSUER, scopes: ['a', 'b'], roles: [] })
      expect(Object.getPrototypeOf(auth.claims)).toBeNull()
      expect((auth.claims as Record<string, unknown>).admin).toBeUndefined()
      expect(Object.isFrozen(auth.claims)).toBe(true)
    })

    test.each<[string, unknown, TokenIntrospectionDenialReason]>([
      ['inactive', { active: false }, 'inactive'],
      ['active as a string', activeAnswer({ active: 'true' }), 'inactive'],
      ['another audience', activeAnswer({ aud: 'https://other.example.com' }), 'audience_mismatch'],
      ['no audience', activeAnswer({ aud: undefined }), 'audience_mismatch'],
      ['another issuer', activeAnswer({ iss: 'https://impostor.example.com' }), 'issuer_mismatch'],
      ['no exp', activeAnswer({ exp: undefined }), 'missing_exp'],
      ['exp as a string', activeAnswer({ exp: String(nowSeconds + 60) }), 'missing_exp'],
      ['expired beyond the tolerance', activeAnswer({ exp: nowSeconds - 5 }), 'expired'],
      ['nbf in the future', activeAnswer({ nbf: nowSeconds + 60 }), 'nbf_in_future'],
      ['iat in the future', activeAnswer({ iat: nowSeconds + 60 }), 'iat_in_future'],
      ['a DPoP-bound token', activeAnswer({ token_type: 'DPoP', cnf: { jkt: 'abc' } }), 'sender_constrained'],
      ['a certificate-bound token', activeAnswer({ cnf: { 'x5t#S256': 'abc' } }), 'sender_constrained'],
      ['a refresh token', activeAnswer({ token_type: 'refresh_token' }), 'not_a_bearer_token'],
      ['a sub that is not a string', activeAnswer({ sub: 42 }), 'malformed_sub'],
    ])('%s: 401 invalid_token, handler not called, nothing leaked; AuthError.reason %s', async (_name, answer, reason) => {
      stub.set(answering(answer))
      const errors: AuthError<TokenIntrospectionDenialReason>[] = []
      const { invoke, seen } = protect(options(), [
        {
          onError: (request: { error: AuthError<TokenIntrospectionDenialReason> }) => {
            errors.push(request.error)
          },
        },
      ])
      const response = await invoke(httpApiEvent({ bearer: TOKEN }))
      expect(outcome(response)).toEqual([401, 'invalid_token'])
      expect(response.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/)
      expect(visible(response)).not.toContain(TOKEN)
      expect(visible(response)).not.toContain('user-1')
      expect(seen).toHaveLength(0)
      expect(errors.map((error) => error.reason)).toEqual([reason])
    })

    test('within the clock tolerance an answer is still good; Bearer in any case is a bearer token', async () => {
      stub.set(answering(activeAnswer({ exp: nowSeconds - 4, nbf: nowSeconds + 4, token_type: 'bearer' })))
      const { invoke } = protect(options())
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
    })

    test('audience: null skips the audience check; without an issuer option, iss is not checked', async () => {
      stub.set(answering(activeAnswer({ aud: undefined, iss: 'https://whoever.example.com' })))
      const { invoke } = protect(options({ audience: null, issuer: undefined }))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
    })
  })

  describe('when the provider cannot answer: 503 with Retry-After, never an accept', () => {
    test.each([
      ['a 500', answering({ error: 'server_error' }, 500)],
      ['a 401 (our credentials)', answering({ error: 'invalid_client' }, 401)],
      ['a redirect', answering('', 302)],
      ['a body that is not JSON', answering('<html>oops</html>')],
      ['a JSON array', answering([activeAnswer()])],
      ['JSON null', answering('null')],
      ['a body over 64 KiB', answering(activeAnswer({ padding: 'x'.repeat(70_000) }))],
    ])('%s', async (_name, behaviour) => {
      stub.set(behaviour)
      const errors: AuthError<TokenIntrospectionDenialReason>[] = []
      const { invoke, seen } = protect(options(), [
        {
          onError: (request: { error: AuthError<TokenIntrospectionDenialReason> }) => {
            errors.push(request.error)
          },
        },
      ])
      const response = await invoke(httpApiEvent({ bearer: TOKEN }))
      expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
      expect(response.headers['Retry-After']).toBe('5')
      expect(visible(response)).not.toContain(TOKEN)
      expect(seen).toHaveLength(0)
      // A snake_case reason; what happened, in words, is the detail (logs only).
      expect(errors.map((error) => error.reason)).toEqual(['provider_unavailable'])
      expect(typeof errors[0]?.detail).toBe('string')
      expect(errors[0]?.detail).not.toContain(TOKEN)
    })

    test('a slow provider: the request gives up after timeoutMs', async () => {
      stub.set(answering(activeAnswer(), 200, 2000))
      const { invoke, seen } = protect(options({ timeoutMs: 100 }))
      const started = Date.now()
      const response = await invoke(httpApiEvent({ bearer: TOKEN }))
      expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
      expect(Date.now() - started).toBeLessThan(1500)
      expect(seen).toHaveLength(0)
    })

    test('a provider that is down (connection refused)', async () => {
      const closed = createServer()
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
      const port = (closed.address() as AddressInfo).port
      await new Promise((resolve) => closed.close(resolve))
      const { invoke } = protect(options({ endpoint: `http://127.0.0.1:${port}/introspect` }))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([503, 'temporarily_unavailable'])
    })

    test('a failure is not cached: the next request asks again and is accepted', async () => {
      stub.set(answering({}, 500))
      const { invoke } = protect(options())
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([503, 'temporarily_unavailable'])
      stub.set(answering(activeAnswer()))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      expect(stub.requests).toHaveLength(2)
    })

    test('discovery that fails (no document, wrong issuer) is a 503, retried by the next request', async () => {
      const { invoke } = protect({ issuer: new URL(stub.endpoint).origin, clientId: 'a', clientSecret: 'b', audience: AUDIENCE })
      // The stub answers the discovery GET with its introspection answer, which names no issuer.
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([503, 'temporarily_unavailable'])
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([503, 'temporarily_unavailable'])
      expect(stub.requests.length).toBeGreaterThanOrEqual(2)
    })
  })

  describe('the cache', () => {
    test('an active answer is reused until the TTL, then asked again', async () => {
      const { invoke } = protect(options({ cache: { ttl: 30 } }))
      await invoke(httpApiEvent({ bearer: TOKEN }))
      time += 29_000
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      expect(stub.requests).toHaveLength(1)
      time += 1_000
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      expect(stub.requests).toHaveLength(2)
    })

    test('never past exp: a token expiring before the TTL is asked about again (and refused) after exp', async () => {
      stub.set(answering(activeAnswer({ exp: nowSeconds + 10 })))
      const { invoke } = protect(options({ cache: { ttl: 300 }, clockTolerance: 0 }))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      time += 10_000
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([401, 'invalid_token'])
      expect(stub.requests).toHaveLength(2)
    })

    test('an inactive answer is reused for inactiveTtl: a repeated bad token costs one call per period', async () => {
      stub.set(answering({ active: false }))
      const { invoke } = protect(options({ cache: { inactiveTtl: 10 } }))
      for (let i = 0; i < 20; i += 1) expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([401, 'invalid_token'])
      expect(stub.requests).toHaveLength(1)
      time += 10_000
      stub.set(answering(activeAnswer()))
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      expect(stub.requests).toHaveLength(2)
    })

    test('a flood of distinct bad tokens does not evict good answers (separate bounded caches)', async () => {
      stub.set(({ form }) => ({ body: form.get('token') === TOKEN ? activeAnswer() : { active: false } }))
      const { invoke } = protect(options({ cache: { maxEntries: 5 } }))
      await invoke(httpApiEvent({ bearer: TOKEN }))
      for (let i = 0; i < 20; i += 1) await invoke(httpApiEvent({ bearer: `bad-${i}` }))
      const calls = stub.requests.length
      expect(outcome(await invoke(httpApiEvent({ bearer: TOKEN })))).toEqual([200, 'ok'])
      expect(stub.requests).toHaveLength(calls)
    })

    test('the cache is bounded: past maxEntries the oldest answer is forgotten', async () => {
      const { invoke } = protect(options({ cache: { maxEntries: 2 } }))
      for (const token of ['t1', 't2', 't3']) await invoke(httpApiEvent({ bearer: token }))
      await invoke(httpApiEvent({ bearer: 't3' }))
      expect(stub.requests).toHaveLength(3)
      await invoke(httpApiEvent({ bearer: 't1' }))
      expect(stub.requests).toHaveLength(4)
    })

    test('cache: false asks on every request', async () => {
      const { invoke } = protect(options({ cache: false }))
      for (let i = 0; i < 3; i += 1) await invoke(httpApiEvent({ bearer: TOKEN }))
      expect(stub.requests).toHaveLength(3)
    })

    test('concurrent requests with one token make one call, with or without the cache', async () => {
      stub.set(answering(activeAnswer(), 200, 50))
      for (const cache of [undefined, false] as const) {
        stub.requests.length = 0
        const { invoke, seen } = protect(options(cache === false ? { cache } : {}))
        const responses = await Promise.all(Array.from({ length: 25 }, () => invoke(httpApiEvent({ bearer: TOKEN }))))
        expect(responses.map(outcome)).toEqual(Array.from({ length: 25 }, () => [200, 'ok']))
        expect(stub.requests).toHaveLength(1)
        expect(seen).toHaveLength(25)
      }
    })

    test('each request gets its own identity object: a handler changing roles does not reach the next', async () => {
      const { invoke, seen } = protect(options())
      await invoke(httpApiEvent({ bearer: TOKEN }))
      seen[0]!.roles.push('admin')
      await invoke(httpApiEvent({ bearer: TOKEN }))
      expect(seen[1]!.roles).toEqual([])
    })
  })
})
