/**
 * The whole sign-in against a real OpenID Provider on loopback, through the handlers as a
 * gateway invokes them, for every event kind: login, the provider's pages, callback, session,
 * logout.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { decodeJwt } from 'jose'
import { oauthLogin } from '../src/index.js'
import { CookieJar, configFor, errorOf, eventFor, headerOf, invoke, kinds, queryOf, setCookiesOf, signIn, type Kind } from './support/flow.js'
import { API, CLIENT_ID, POST_LOGOUT_URI, REDIRECT_URI, startProvider, type LoopbackProvider } from './support/provider.js'

let provider: LoopbackProvider
beforeAll(async () => {
  provider = await startProvider({ accounts: { alice: { claims: { email: 'alice@example.com', name: 'Alice' } } } })
})
afterAll(() => provider.close())

describe('login', () => {
  test('redirects to the provider with PKCE S256, state, nonce, the scopes and the resource, and seals the transaction in a __Host- cookie', async () => {
    const handlers = oauthLogin(configFor(provider, { scopes: ['openid', 'profile', 'orders:read'] }))
    const response = await invoke(handlers.login, eventFor('http-api', { path: '/auth/login' }))
    expect(response.statusCode).toBe(302)
    expect(headerOf(response, 'cache-control')).toBe('no-store')
    const url = new URL(headerOf(response, 'location') as string)
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuer}/auth`)
    const params = url.searchParams
    expect(params.get('response_type')).toBe('code')
    expect(params.get('client_id')).toBe(CLIENT_ID)
    expect(params.get('redirect_uri')).toBe(REDIRECT_URI)
    expect(params.get('scope')).toBe('openid profile orders:read')
    expect(params.get('code_challenge_method')).toBe('S256')
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(params.get('state')).toMatch(/^[\w-]{43}$/)
    expect(params.get('nonce')).toMatch(/^[\w-]{43}$/)
    expect(params.getAll('resource')).toEqual([API])
    const [cookie] = setCookiesOf(response)
    expect(cookie).toMatch(/^__Host-login=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/)
    // Sealed: neither the verifier, the state nor the nonce can be read from it.
    expect(cookie).not.toContain(params.get('state'))
    expect(Buffer.from((cookie as string).split('.')[2] ?? '', 'base64url').toString()).not.toContain(params.get('nonce'))
  })

  test('two logins never share state, nonce or verifier', async () => {
    const handlers = oauthLogin(configFor(provider))
    const first = new URL(headerOf(await invoke(handlers.login, eventFor('http-api')), 'location') as string).searchParams
    const second = new URL(headerOf(await invoke(handlers.login, eventFor('http-api')), 'location') as string).searchParams
    for (const name of ['state', 'nonce', 'code_challenge']) expect(first.get(name)).not.toBe(second.get(name))
  })

  test('authorizationParams and audience reach the authorization request', async () => {
    const handlers = oauthLogin(configFor(provider, { authorizationParams: { prompt: 'login', ui_locales: 'fr' }, audience: 'orders' }))
    const params = new URL(headerOf(await invoke(handlers.login, eventFor('http-api')), 'location') as string).searchParams
    expect([params.get('prompt'), params.get('ui_locales'), params.get('audience')]).toEqual(['login', 'fr', 'orders'])
  })

  test('without redirectUri, the callback URL is derived from the request: domain, and the stage on execute-api domains', async () => {
    const { redirectUri: _ignored, ...config } = configFor(provider)
    const handlers = oauthLogin(config)
    const rest = new URL(headerOf(await invoke(handlers.login, eventFor('rest', { path: '/auth/login' })), 'location') as string)
    expect(rest.searchParams.get('redirect_uri')).toBe('https://r1e2s3t4a5.execute-api.eu-west-1.amazonaws.com/prod/auth/callback')
    const http = new URL(headerOf(await invoke(handlers.login, eventFor('http-api', { path: '/auth/login' })), 'location') as string)
    expect(http.searchParams.get('redirect_uri')).toBe('https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/auth/callback')
  })
})

describe.each(kinds)('sign-in through %s events', (kind: Kind) => {
  test('callback sets the session, clears the transaction, and redirects; session answers the user without a token', async () => {
    const handlers = oauthLogin(configFor(provider, { scopes: ['openid', 'profile', 'email', 'orders:read'] }))
    const jar = new CookieJar()
    const { callback } = await signIn(handlers, provider, jar, { kind })
    expect(callback.statusCode).toBe(302)
    expect(headerOf(callback, 'location')).toBe('/')
    // The cookies in the form this event kind's integration reads.
    if (kind === 'http-api' || kind === 'function-url') {
      expect(callback.cookies?.length).toBe(2)
      expect(callback.multiValueHeaders).toBeUndefined()
    } else {
      expect(callback.cookies).toBeUndefined()
      expect(callback.multiValueHeaders?.['Set-Cookie']?.length).toBe(2)
    }
    if (kind === 'alb-multi') {
      // A multi-value ALB target reads nothing from `headers`.
      expect(callback.headers).toBeUndefined()
      expect(callback.multiValueHeaders?.Location).toEqual(['/'])
    }
    expect(jar.names()).toEqual(['__Host-session'])
    expect(jar.attributes.get('__Host-session')).toEqual(['path=/', 'max-age=86400', 'httponly', 'secure', 'samesite=lax'])
    expect(jar.attributes.get('__Host-login')).toContain('max-age=0')

    const session = await invoke(handlers.session, eventFor(kind, { path: '/auth/session', cookies: jar.cookies }))
    expect(session.statusCode).toBe(200)
    const body = JSON.parse(session.body as string)
    expect(body).toMatchObject({ subject: 'alice', issuer: provider.issuer, scopes: ['orders:read'] })
    expect(body.claims).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice', aud: CLIENT_ID })
    expect(body.claims.nonce).toBeUndefined()
    expect(session.body).not.toMatch(/eyJ/)
  })
})

test('a public client (no secret: PKCE alone) signs in too', async () => {
  const handlers = oauthLogin(configFor(provider, { clientId: 'orders-spa', clientSecret: undefined }))
  const jar = new CookieJar()
  const { callback } = await signIn(handlers, provider, jar)
  expect(callback.statusCode).toBe(302)
  const session = await invoke(handlers.session, eventFor('http-api', { cookies: jar.cookies }))
  expect(JSON.parse(session.body as string)).toMatchObject({ subject: 'alice', claims: { aud: 'orders-spa' } })
})

describe('a single-value ALB target (multi-value headers off)', () => {
  test('login sets its one cookie in headers; a callback that needs two fails loudly, naming the fix', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    const login = await invoke(handlers.login, eventFor('alb', { path: '/auth/login' }))
    expect(login.multiValueHeaders).toBeUndefined()
    expect(headerOf(login, 'set-cookie')).toMatch(/^__Host-login=/)
    jar.apply(login)
    const callbackUrl = await provider.signIn(headerOf(login, 'location') as string, 'alice')
    await expect(invoke(handlers.callback, eventFor('alb', { path: '/auth/callback', query: queryOf(callbackUrl), cookies: jar.cookies }))).rejects.toThrow(
      /ALB needs multi-value headers enabled on the target group/,
    )
  })
})

describe('returnTo', () => {
  test('an allowed path is where the callback lands', async () => {
    const handlers = oauthLogin(configFor(provider))
    const { callback } = await signIn(handlers, provider, new CookieJar(), { query: { returnTo: '/app/orders?page=2#top' } })
    expect(headerOf(callback, 'location')).toBe('/app/orders?page=2#top')
  })

  test.each(['//evil.example', '/\\evil.example', 'https://evil.example/app', '/%2F%2Fevil.example', '/app/../admin', '/apple', '/app/%2e%2e/admin'])(
    '%s is ignored: the callback lands on postLoginRedirect',
    async (returnTo) => {
      const handlers = oauthLogin(configFor(provider, { postLoginRedirect: '/home' }))
      const { callback } = await signIn(handlers, provider, new CookieJar(), { query: { returnTo } })
      expect(headerOf(callback, 'location')).toBe('/home')
    },
  )
})

describe('logout', () => {
  test('clears the session and sends the user to the end-session endpoint with id_token_hint and post_logout_redirect_uri; the session is refused afterwards', async () => {
    const handlers = oauthLogin(configFor(provider, { postLogoutRedirect: POST_LOGOUT_URI }))
    const jar = new CookieJar()
    await signIn(handlers, provider, jar)
    const signedIn = { ...jar.cookies }
    const response = await invoke(handlers.logout, eventFor('http-api', { path: '/auth/logout', cookies: jar.cookies }))
    jar.apply(response)
    expect(response.statusCode).toBe(302)
    expect(jar.names()).toEqual([])
    const location = new URL(headerOf(response, 'location') as string)
    expect(`${location.origin}${location.pathname}`).toBe(`${provider.issuer}/session/end`)
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(POST_LOGOUT_URI)
    expect(location.searchParams.get('client_id')).toBe(CLIENT_ID)
    expect(decodeJwt(location.searchParams.get('id_token_hint') as string).sub).toBe('alice')
    // The provider accepts the request: it shows its logout confirmation page.
    const confirm = await fetch(location, { redirect: 'manual' })
    expect(confirm.status).toBe(200)

    const after = await invoke(handlers.session, eventFor('http-api', { cookies: jar.cookies }))
    expect([after.statusCode, errorOf(after)]).toEqual([401, 'login_required'])
    // The browser dropped the cookie; a copy kept from before still unseals until it expires,
    // which is what a stateless session means: the README says so.
    expect((await invoke(handlers.session, eventFor('http-api', { cookies: signedIn }))).statusCode).toBe(200)
  })

  test('without a session it just redirects to postLogoutRedirect', async () => {
    const handlers = oauthLogin(configFor(provider, { postLogoutRedirect: '/bye' }))
    const response = await invoke(handlers.logout, eventFor('rest', { path: '/auth/logout' }))
    expect([response.statusCode, headerOf(response, 'location')]).toEqual([302, '/bye'])
  })

  test('a cross-site POST logout is refused (403) and the session stays', async () => {
    const handlers = oauthLogin(configFor(provider))
    const jar = new CookieJar()
    await signIn(handlers, provider, jar)
    const response = await invoke(
      handlers.logout,
      eventFor('http-api', { method: 'POST', cookies: jar.cookies, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }),
    )
    expect([response.statusCode, errorOf(response)]).toEqual([403, 'access_denied'])
    expect(setCookiesOf(response)).toEqual([])
  })
})

test('the callback URL the provider sent back carries code, state and iss (RFC 9207), which the callback checked', async () => {
  const handlers = oauthLogin(configFor(provider))
  const { callbackUrl } = await signIn(handlers, provider, new CookieJar())
  expect(Object.keys(queryOf(callbackUrl)).sort()).toEqual(['code', 'iss', 'state'])
})
