/**
 * Every way a callback can fail is a clear 400, 401 or 503 JSON error: never a 500, never a
 * session, and the transaction cookie is cleared.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { oauthLogin, type OAuthLoginHandlers } from '../src/index.js'
import { CookieJar, configFor, errorOf, eventFor, headerOf, invoke, queryOf, setCookiesOf, type Response } from './support/flow.js'
import { startProvider, type LoopbackProvider } from './support/provider.js'

let provider: LoopbackProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(() => provider.close())

/** Starts a sign-in: the jar holds the transaction; returns the provider's authorization URL. */
const startLogin = async (handlers: OAuthLoginHandlers, jar: CookieJar): Promise<string> => {
  const login = await invoke(handlers.login, eventFor('http-api', { path: '/auth/login' }))
  jar.apply(login)
  return headerOf(login, 'location') as string
}

const callbackWith = (handlers: OAuthLoginHandlers, query: Record<string, string | string[]>, cookies: Record<string, string>) =>
  invoke(handlers.callback, eventFor('http-api', { path: '/auth/callback', query, cookies }))

/** A failed callback: the status and code, no session cookie, the transaction cleared, nothing that leaks. */
const expectRefused = (response: Response, status: number, code: string) => {
  expect([response.statusCode, errorOf(response)]).toEqual([status, code])
  expect(headerOf(response, 'content-type')).toBe('application/json')
  const cookies = setCookiesOf(response)
  expect(cookies.filter((c) => c.startsWith('__Host-session'))).toEqual([])
  expect(cookies).toContain('__Host-login=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax')
  expect(response.body).not.toMatch(/eyJ|code=|stack|Error:/)
}

describe('callback failures', () => {
  test('no transaction cookie (a callback this browser did not start): 400 invalid_request', async () => {
    const handlers = oauthLogin(configFor(provider))
    const callbackUrl = await provider.signIn(await startLogin(handlers, new CookieJar()), 'alice')
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), {}), 400, 'invalid_request')
  })

  test('state mismatch (the transaction of another sign-in): 400 invalid_request, and the code is never redeemed', async () => {
    const handlers = oauthLogin(configFor(provider))
    const first = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, first), 'alice')
    const second = new CookieJar()
    await startLogin(handlers, second)
    const tokenCalls = provider.requests.filter((r) => r === 'POST /token').length
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), second.cookies), 400, 'invalid_request')
    expect(provider.requests.filter((r) => r === 'POST /token').length).toBe(tokenCalls)
  })

  test('a tampered state parameter: 400 invalid_request', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice')
    const query = { ...queryOf(callbackUrl), state: 'attacker-chosen-state' }
    expectRefused(await callbackWith(handlers, query, jar.cookies), 400, 'invalid_request')
  })

  test('a replayed callback: without the transaction 400; with a saved copy of it, the provider refuses the used code: 401, no session', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice')
    const savedTransaction = { ...jar.cookies }
    const first = await callbackWith(handlers, queryOf(callbackUrl), savedTransaction)
    expect(first.statusCode).toBe(302)
    jar.apply(first)
    // The browser's transaction is gone after the first use.
    expect(jar.cookies['__Host-login']).toBeUndefined()
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), {}), 400, 'invalid_request')
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), savedTransaction), 401, 'login_required')
  })

  test('the provider says error=access_denied (the user cancelled): 401 login_required', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice', { abort: true })
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied')
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), jar.cookies), 401, 'login_required')
  })

  test('an error response forged without the provider (no iss): 400 invalid_request', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    await startLogin(handlers, jar)
    expectRefused(await callbackWith(handlers, { error: 'server_error' }, jar.cookies), 400, 'invalid_request')
  })

  test('an expired transaction (over 10 minutes): 400 invalid_request', async () => {
    let now = Date.now()
    const handlers = oauthLogin(configFor(provider, { clock: () => now }))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice')
    now += 601_000
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), jar.cookies), 400, 'invalid_request')
  })

  test('a tampered transaction cookie: 400 invalid_request', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice')
    const sealed = jar.cookies['__Host-login'] as string
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2)
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), { '__Host-login': flipped }), 400, 'invalid_request')
  })

  test('a transaction cookie sent twice: 400 invalid_request', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice')
    const event = eventFor('rest', { path: '/auth/callback', query: queryOf(callbackUrl) }) as {
      multiValueHeaders: Record<string, string[]>
      headers: Record<string, string>
    }
    const cookie = `__Host-login=${jar.cookies['__Host-login']}`
    event.multiValueHeaders.cookie = [cookie, cookie]
    event.headers.cookie = cookie
    expectRefused(await invoke(handlers.callback, event), 400, 'invalid_request')
  })

  test('a transaction sealed with a secret this function does not have: 400 invalid_request', async () => {
    const other = oauthLogin(configFor(provider, { secret: 'some-other-application-secret-0123456789' }))
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(other, jar), 'alice')
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), jar.cookies), 400, 'invalid_request')
  })

  test('the token endpoint is down: 503 temporarily_unavailable with Retry-After', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const callbackUrl = await provider.signIn(await startLogin(handlers, jar), 'alice')
    provider.failTokenEndpoint(true)
    try {
      const response = await callbackWith(handlers, queryOf(callbackUrl), jar.cookies)
      expectRefused(response, 503, 'temporarily_unavailable')
      expect(headerOf(response, 'retry-after')).toBe('5')
    } finally {
      provider.failTokenEndpoint(false)
    }
  })

  test('the provider cannot be reached at all: 503 from login and callback', async () => {
    // A sign-in at a provider that then goes away before the callback exchanges the code.
    const gone = await startProvider()
    const handlers = oauthLogin({ ...configFor(gone), timeout: 2 })
    const jar = new CookieJar()
    const callbackUrl = await gone.signIn(await startLogin(handlers, jar), 'alice')
    await gone.close()
    const login = await invoke(oauthLogin({ ...configFor(gone), timeout: 2 }).login, eventFor('http-api'))
    expect([login.statusCode, errorOf(login)]).toEqual([503, 'temporarily_unavailable'])
    expect(setCookiesOf(login)).toEqual([])
    expectRefused(await callbackWith(handlers, queryOf(callbackUrl), jar.cookies), 503, 'temporarily_unavailable')
  })

  test('a code and transaction of another client (sharing the secret) are refused: 400 invalid_request, the provider never asked', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    await startLogin(handlers, jar)
    // A code obtained by a sign-in to another client (the public one), replayed here with that
    // sign-in's transaction cookie: sealed for the other client, it is not this client's.
    const publicHandlers = oauthLogin(configFor(provider, { clientId: 'orders-spa', clientSecret: undefined }))
    const otherJar = new CookieJar()
    const otherCallback = await provider.signIn(await startLogin(publicHandlers, otherJar), 'alice')
    expectRefused(await callbackWith(handlers, queryOf(otherCallback), otherJar.cookies), 400, 'invalid_request')
  })
})
