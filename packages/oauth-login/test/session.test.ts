/**
 * `sessionAuth` in front of real handlers with `oauthScope`: the session's user on
 * `context.auth`, lifetimes, secret rotation, chunked cookies, refresh, CSRF, and the
 * access-token cookie that jwt-verify reads.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { AuthContext, AuthError } from '@middy-auth/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { lambdaContext } from '@middy-auth/testing'
import { decodeJwt } from 'jose'
import { oauthLogin, sessionAuth, type OAuthLoginConfig, type OAuthLoginDenialReason, type SessionContext } from '../src/index.js'
import { createSealer } from '../src/sealing.js'
import {
  CookieJar,
  OTHER_SECRET,
  SECRET,
  configFor,
  errorOf,
  eventFor,
  headerOf,
  invoke,
  kinds,
  setCookiesOf,
  signIn,
  type Kind,
  type RequestShape,
  type Response,
} from './support/flow.js'
import { API, CLIENT_ID, CLIENT_SECRET, startProvider, type LoopbackProvider } from './support/provider.js'

let provider: LoopbackProvider
beforeAll(async () => {
  provider = await startProvider({
    accounts: {
      alice: { claims: { email: 'alice@example.com', name: 'Alice' } },
      bob: { claims: { email: 'bob@example.com' }, apiScopes: 'orders:read' },
      // A long profile makes an ID token, and so a session, of about 9 KB: three cookies.
      carol: { claims: { email: 'carol@example.com', bio: 'x'.repeat(6000) } },
    },
  })
})
afterAll(() => provider.close())

const SCOPES = ['openid', 'profile', 'email', 'orders:read', 'orders:write']

/** A function protected as users write it (with oauthScope when scopes are required); records what the handler saw. */
const protectedFunction = (config: OAuthLoginConfig, required: string[]) => {
  const seen: SessionContext[] = []
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(sessionAuth(config))
    .use(required.length > 0 ? [oauthScope({ required })] : [])
    .handler(async (_event: unknown, context) => {
      seen.push(context as unknown as SessionContext)
      return { statusCode: 200, headers: {}, body: JSON.stringify({ subject: context.auth.subject }) }
    })
  const call = async (kind: Kind, request: RequestShape): Promise<Response> =>
    (await handler(eventFor(kind, request) as never, lambdaContext() as never)) as Response
  return { call, seen }
}

const sessionCookies = (response: Response) => setCookiesOf(response).filter((c) => c.startsWith('__Host-session'))

describe('context.auth from the session', () => {
  test.each(kinds)('%s: source session, subject, issuer, granted scopes, ID token claims; the tokens on context.session', async (kind) => {
    const config = configFor(provider, { scopes: SCOPES })
    const jar = new CookieJar()
    const signInStarted = Date.now()
    await signIn(oauthLogin(config), provider, jar, { kind })
    const signInSeconds = Math.ceil((Date.now() - signInStarted) / 1000)
    const fn = protectedFunction(config, ['orders:read'])
    const response = await fn.call(kind, { cookies: jar.cookies })
    expect(response.statusCode).toBe(200)
    const [context] = fn.seen
    const auth = context?.auth as AuthContext
    expect(auth).toMatchObject({ source: 'session', subject: 'alice', issuer: provider.issuer, roles: [] })
    expect(auth.scopes.sort()).toEqual(['orders:read', 'orders:write'])
    expect(auth.claims).toMatchObject({ email: 'alice@example.com', name: 'Alice', aud: CLIENT_ID })
    expect(Object.isFrozen(auth.claims)).toBe(true)
    const token = decodeJwt(context?.session.accessToken as string)
    expect(token).toMatchObject({ sub: 'alice', aud: API })
    // From the token response's expires_in on this side's clock: `exp` plus the time between the
    // provider issuing the token and this side reading its answer (within the sign-in), give or
    // take the second each side rounds to.
    const drift = (context?.session.accessTokenExpiresAt as number) - (token.exp as number)
    expect(drift).toBeGreaterThanOrEqual(-1)
    expect(drift).toBeLessThanOrEqual(signInSeconds + 1)
    // Nothing to refresh or roll yet: no Set-Cookie.
    expect(setCookiesOf(response)).toEqual([])
  })

  test('a scope the user was not granted: 403 insufficient_scope from oauthScope, handler not called', async () => {
    const config = configFor(provider, { scopes: SCOPES })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar, { account: 'bob' })
    const fn = protectedFunction(config, ['orders:write'])
    const response = await fn.call('http-api', { cookies: jar.cookies })
    expect([response.statusCode, errorOf(response)]).toEqual([403, 'insufficient_scope'])
    expect(fn.seen).toEqual([])
  })

  test('granted scopes separated by any whitespace are read as the rest of the suite reads them (found by test/fuzz/models.test.ts)', async () => {
    const config = configFor(provider)
    const now = Date.now()
    const idToken = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.sig`
    const data = {
      sub: 'alice',
      iss: provider.issuer,
      idToken,
      accessToken: 'at',
      scope: 'openid\torders:read\norders:write',
      signedInAt: Math.floor(now / 1000),
    }
    const sealed = await createSealer([SECRET], 'session', { issuer: new URL(config.issuer).href, clientId: config.clientId }).seal(
      data,
      now,
      Math.floor(now / 1000) + 3600,
    )
    const fn = protectedFunction(config, ['orders:read'])
    const response = await fn.call('http-api', { cookies: { '__Host-session': sealed } })
    expect(response.statusCode).toBe(200)
    expect(fn.seen[0]?.auth.scopes).toEqual(['openid', 'orders:read', 'orders:write'])
  })

  test('no session cookie: 401 login_required, no challenge, handler not called', async () => {
    const fn = protectedFunction(configFor(provider), ['orders:read'])
    const response = await fn.call('http-api', {})
    expect([response.statusCode, errorOf(response)]).toEqual([401, 'login_required'])
    expect(headerOf(response, 'www-authenticate')).toBeUndefined()
    expect(fn.seen).toEqual([])
  })

  test.each([
    ['tampered', (v: string) => v.slice(0, 40) + (v[40] === 'A' ? 'B' : 'A') + v.slice(41)],
    ['truncated', (v: string) => v.slice(0, -10)],
    ['not a JWE', () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
    ['the transaction cookie value', (_v: string, tx?: string) => tx as string],
  ])('a %s session cookie: 401 login_required, handler not called', async (_name, mutate) => {
    const config = configFor(provider)
    const handlers = oauthLogin(config)
    const jar = new CookieJar()
    const login = await invoke(handlers.login, eventFor('http-api'))
    const tx = new CookieJar().apply(login).cookies['__Host-login']
    await signIn(handlers, provider, jar)
    const fn = protectedFunction(config, [])
    const response = await fn.call('http-api', { cookies: { '__Host-session': mutate(jar.cookies['__Host-session'] as string, tx) } })
    expect([response.statusCode, errorOf(response)]).toEqual([401, 'login_required'])
    expect(fn.seen).toEqual([])
  })
})

describe('lifetimes', () => {
  test('rolling: idle for longer than session.rolling ends the session; activity after half of it re-seals the cookie for another full period', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now, session: { rolling: 3600, absolute: 36_000 } })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const fn = protectedFunction(config, [])
    const idle = { ...jar.cookies }

    now += 1000 * 1000
    const early = await fn.call('http-api', { cookies: jar.cookies })
    expect([early.statusCode, sessionCookies(early)]).toEqual([200, []])

    now += 900 * 1000 // 1900 s after sign-in: past half of the idle timeout
    const touched = await fn.call('http-api', { cookies: jar.cookies })
    expect(touched.statusCode).toBe(200)
    expect(sessionCookies(touched)).toEqual([expect.stringMatching(/^__Host-session=.+; Max-Age=3600; HttpOnly; Secure; SameSite=Lax$/)])
    jar.apply(touched)

    now += 2000 * 1000 // 3900 s after sign-in: the untouched copy has expired, the re-sealed one has not
    expect((await fn.call('http-api', { cookies: idle })).statusCode).toBe(401)
    expect((await fn.call('http-api', { cookies: jar.cookies })).statusCode).toBe(200)
  })

  test('absolute: however active, the session ends session.absolute after sign-in, and the cookie is cleared', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now, session: { rolling: 3600, absolute: 7200 } })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const fn = protectedFunction(config, [])
    for (let minutes = 40; minutes < 120; minutes += 40) {
      now += 40 * 60_000
      const response = await fn.call('http-api', { cookies: jar.cookies })
      expect(response.statusCode).toBe(200)
      jar.apply(response)
    }
    // The last re-seal capped the cookie at the absolute end.
    expect(jar.attributes.get('__Host-session')).toContain('max-age=2400')
    now += 41 * 60_000
    const response = await fn.call('http-api', { cookies: jar.cookies })
    expect([response.statusCode, errorOf(response)]).toEqual([401, 'login_required'])
  })
})

describe('secret rotation', () => {
  test('the first secret seals, every secret unseals; a removed secret no longer unseals', async () => {
    let now = Date.now()
    const before = configFor(provider, { secret: SECRET, clock: () => now })
    const jar = new CookieJar()
    await signIn(oauthLogin(before), provider, jar)
    const oldCookie = { ...jar.cookies }

    const rotated = protectedFunction(configFor(provider, { secret: [OTHER_SECRET, SECRET], clock: () => now }), [])
    expect((await rotated.call('http-api', { cookies: oldCookie })).statusCode).toBe(200)
    now += 13 * 3600_000 // past half the idle timeout: the session is sealed again, with the new secret
    const resealed = await rotated.call('http-api', { cookies: oldCookie })
    jar.apply(resealed)
    expect(sessionCookies(resealed)).toHaveLength(1)

    const newOnly = protectedFunction(configFor(provider, { secret: OTHER_SECRET, clock: () => now }), [])
    expect((await newOnly.call('http-api', { cookies: jar.cookies })).statusCode).toBe(200)
    expect((await newOnly.call('http-api', { cookies: oldCookie })).statusCode).toBe(401)
  })
})

describe('chunking', () => {
  test.each(kinds)('%s: a session over 4,000 bytes is split into __Host-session.0, .1, … and read back whole', async (kind) => {
    const config = configFor(provider, { scopes: SCOPES })
    const jar = new CookieJar()
    const { callback } = await signIn(oauthLogin(config), provider, jar, { kind, account: 'carol' })
    const written = sessionCookies(callback)
    expect(written.length).toBeGreaterThanOrEqual(3)
    for (const line of written) expect(line.length).toBeLessThanOrEqual(4000)
    expect(jar.names()).toEqual(written.map((_, i) => `__Host-session.${i}`))
    const fn = protectedFunction(config, ['orders:read'])
    const response = await fn.call(kind, { cookies: jar.cookies })
    expect(response.statusCode).toBe(200)
    expect(fn.seen[0]?.auth.claims).toMatchObject({ bio: 'x'.repeat(6000) })
  })

  test('a smaller session after a chunked one clears every old chunk; a missing chunk is no session', async () => {
    const config = configFor(provider)
    const handlers = oauthLogin(config)
    const jar = new CookieJar()
    await signIn(handlers, provider, jar, { account: 'carol' })
    const chunked = { ...jar.cookies }
    const { callback } = await signIn(handlers, provider, jar, { account: 'alice' })
    expect(sessionCookies(callback).filter((c) => c.includes('Max-Age=0')).length).toBe(Object.keys(chunked).length)
    expect(jar.names()).toEqual(['__Host-session'])

    const { '__Host-session.1': _dropped, ...incomplete } = chunked
    const fn = protectedFunction(config, [])
    expect((await fn.call('http-api', { cookies: incomplete })).statusCode).toBe(401)
  })
})

describe('refresh', () => {
  test('an access token close to expiry is refreshed at the token endpoint, and the re-sealed session holds the new one', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now, scopes: SCOPES })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const fn = protectedFunction(config, ['orders:read'])
    const first = await fn.call('http-api', { cookies: jar.cookies })
    expect(first.statusCode).toBe(200)
    const oldToken = fn.seen[0]?.session.accessToken as string

    now += 3550 * 1000 // within refreshBefore (60 s) of the hour the provider gave the token
    const calls = provider.requests.filter((r) => r === 'POST /token').length
    const refreshed = await fn.call('http-api', { cookies: jar.cookies })
    expect(refreshed.statusCode).toBe(200)
    expect(provider.requests.filter((r) => r === 'POST /token').length).toBe(calls + 1)
    const newToken = fn.seen[1]?.session.accessToken as string
    expect(newToken).not.toBe(oldToken)
    expect(decodeJwt(newToken)).toMatchObject({ sub: 'alice', aud: API })
    expect(sessionCookies(refreshed)).toHaveLength(1)
    jar.apply(refreshed)

    // The new session is used as is: no second refresh.
    const again = await fn.call('http-api', { cookies: jar.cookies })
    expect(again.statusCode).toBe(200)
    expect(provider.requests.filter((r) => r === 'POST /token').length).toBe(calls + 1)
    expect(fn.seen[2]?.session.accessToken).toBe(newToken)
  })

  test('a handler that returns a plain object (payload 2.0: a 200 with it as JSON) still gets the re-sealed cookie', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(sessionAuth(config))
      .handler(async (_event: unknown, context) => ({ subject: context.auth.subject }))
    now += 3550 * 1000
    const response = (await handler(eventFor('http-api', { cookies: jar.cookies }) as never, lambdaContext() as never)) as Response
    expect(response).toMatchObject({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"subject":"alice"}' })
    expect(sessionCookies(response)).toHaveLength(1)
  })

  test('a refresh token the provider revoked ends the session: 401 login_required, cookie cleared', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    // Revoke the session's refresh token at the provider (RFC 7009), as an administrator would.
    const session = await createSealer([SECRET], 'session', { issuer: new URL(config.issuer).href, clientId: config.clientId }).unseal(
      jar.cookies['__Host-session'] as string,
      now,
    )
    const revoked = await fetch(`${provider.issuer}/token/revocation`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ token: session?.refreshToken as string, token_type_hint: 'refresh_token' }),
    })
    expect(revoked.status).toBe(200)

    now += 3550 * 1000
    const fn = protectedFunction(config, [])
    const response = await fn.call('http-api', { cookies: jar.cookies })
    expect([response.statusCode, errorOf(response)]).toEqual([401, 'login_required'])
    expect(sessionCookies(response)).toEqual(['__Host-session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax'])
    expect(fn.seen).toEqual([])
  })

  test('the provider is down: a still-valid token goes on (200), an expired one is 503 temporarily_unavailable', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const fn = protectedFunction(config, [])
    provider.failTokenEndpoint(true)
    try {
      now += 3550 * 1000
      expect((await fn.call('http-api', { cookies: jar.cookies })).statusCode).toBe(200)
      now += 100 * 1000
      const expired = await fn.call('http-api', { cookies: jar.cookies })
      expect([expired.statusCode, errorOf(expired), headerOf(expired, 'retry-after')]).toEqual([503, 'temporarily_unavailable', '5'])
    } finally {
      provider.failTokenEndpoint(false)
    }
    // Back up: the refresh succeeds and the user never had to sign in again.
    expect((await fn.call('http-api', { cookies: jar.cookies })).statusCode).toBe(200)
  })

  test('the refresh route refreshes now and answers the new expiry', async () => {
    let now = Date.now()
    const config = configFor(provider, { clock: () => now })
    const handlers = oauthLogin(config)
    const jar = new CookieJar()
    await signIn(handlers, provider, jar)
    now += 600 * 1000
    const calls = provider.requests.filter((r) => r === 'POST /token').length
    const response = await invoke(
      handlers.refresh,
      eventFor('http-api', { method: 'POST', cookies: jar.cookies, headers: { 'sec-fetch-site': 'same-origin' } }),
    )
    expect(response.statusCode).toBe(200)
    expect(provider.requests.filter((r) => r === 'POST /token').length).toBe(calls + 1)
    const body = JSON.parse(response.body as string)
    expect(Math.abs(body.accessTokenExpiresAt - (Math.floor(now / 1000) + 3600))).toBeLessThanOrEqual(1)
    expect(JSON.stringify(body)).not.toMatch(/eyJ/)
    expect(sessionCookies(response)).toHaveLength(1)

    const signedOut = await invoke(handlers.refresh, eventFor('http-api', { method: 'POST' }))
    expect([signedOut.statusCode, errorOf(signedOut)]).toEqual([401, 'login_required'])
  })
})

describe('CSRF: unsafe methods from another site', () => {
  const unsafe = { method: 'POST' }
  test.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, 403],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site', origin: 'https://other.example.com' }, 403],
    ['a foreign Origin without Sec-Fetch-Site', { origin: 'https://evil.example' }, 403],
    ['Origin: null (sandboxed frame)', { origin: 'null' }, 403],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin', origin: 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com' }, 200],
    ['an Origin that is the request Host, without Sec-Fetch-Site', { origin: 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com' }, 200],
    ["redirectUri's origin (the app's site)", { 'sec-fetch-site': 'cross-site', origin: 'https://app.example.test' }, 200],
    ['neither header (not a browser)', {}, 200],
  ])('%s', async (_name, headers, status) => {
    const config = configFor(provider)
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const fn = protectedFunction(config, [])
    const response = await fn.call('http-api', { ...unsafe, cookies: jar.cookies, headers })
    expect(response.statusCode).toBe(status)
    if (status === 403) {
      expect(errorOf(response)).toBe('access_denied')
      expect(fn.seen).toEqual([])
    }
  })

  test('allowedOrigins admits a listed origin; a GET from anywhere is not checked', async () => {
    const config = configFor(provider, { allowedOrigins: ['https://admin.example.com'] })
    const jar = new CookieJar()
    await signIn(oauthLogin(config), provider, jar)
    const fn = protectedFunction(config, [])
    const listed = { 'sec-fetch-site': 'same-site', origin: 'https://admin.example.com' }
    expect((await fn.call('rest', { method: 'DELETE', cookies: jar.cookies, headers: listed })).statusCode).toBe(200)
    const foreign = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }
    expect((await fn.call('rest', { method: 'PUT', cookies: jar.cookies, headers: foreign })).statusCode).toBe(403)
    expect((await fn.call('rest', { method: 'GET', cookies: jar.cookies, headers: foreign })).statusCode).toBe(200)
  })
})

describe('access token in an HttpOnly cookie (accessTokenCookie)', () => {
  test('jwtVerify({ tokenSource: { cookie } }) verifies it with the provider keys; logout clears it', async () => {
    const config = configFor(provider, { scopes: SCOPES, accessTokenCookie: '__Host-access-token' })
    const handlers = oauthLogin(config)
    const jar = new CookieJar()
    await signIn(handlers, provider, jar)
    expect(jar.names()).toEqual(['__Host-access-token', '__Host-session'])
    expect(jar.attributes.get('__Host-access-token')).toEqual(expect.arrayContaining(['httponly', 'secure', 'samesite=lax', 'path=/']))

    const seen: AuthContext[] = []
    const api = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(
        jwtVerify({
          issuers: [{ issuer: provider.issuer, audience: API, jwksUri: `${provider.issuer}/jwks` }],
          tokenSource: { cookie: '__Host-access-token' },
        }),
      )
      .use(oauthScope({ required: ['orders:write'] }))
      .handler(async (_event: unknown, context) => {
        seen.push(context.auth)
        return { statusCode: 200, body: 'ok' }
      })
    const response = (await api(eventFor('http-api', { cookies: jar.cookies }) as never, lambdaContext() as never)) as Response
    expect(response.statusCode).toBe(200)
    expect(seen[0]).toMatchObject({ source: 'jwt', subject: 'alice', issuer: provider.issuer })

    jar.apply(await invoke(handlers.logout, eventFor('http-api', { cookies: jar.cookies })))
    expect(jar.names()).toEqual([])
  })
})

describe('the reason of a denial is a typed field of the AuthError', () => {
  test('no session cookie: no_session; a cookie that does not open: invalid_or_expired_session', async () => {
    const reasons: Array<OAuthLoginDenialReason | undefined> = []
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(sessionAuth(configFor(provider)))
      .use({
        onError: (request) => {
          reasons.push((request.error as AuthError<OAuthLoginDenialReason>).reason)
        },
      })
      .handler(async () => ({ statusCode: 200, body: 'ok' }))
    const none = (await handler(eventFor('http-api') as never, lambdaContext() as never)) as Response
    const forged = (await handler(eventFor('http-api', { cookies: { '__Host-session': 'forged' } }) as never, lambdaContext() as never)) as Response
    expect([none.statusCode, errorOf(none), forged.statusCode, errorOf(forged)]).toEqual([401, 'login_required', 401, 'login_required'])
    expect(reasons).toEqual(['no_session', 'invalid_or_expired_session'])
  })
})
