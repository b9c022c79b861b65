// Two pieces every sign-in, refresh and logout goes through, checked row by row: how Set-Cookie
// values are written into whatever a handler returned, for each integration, and what a session
// keeps from a token response when the provider leaves members out.
import { describe, expect, test } from '@jest/globals'
import { albEvent, functionUrlEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import { compileConfig } from '../src/options.js'
import { withCookies } from '../src/response.js'
import { sessionFromTokens, type SessionData, type Tokens } from '../src/session.js'

const cookies = ['session=abc; Path=/; Secure; HttpOnly', 'csrf=def; Path=/; Secure']

describe('withCookies: Set-Cookie in the form the integration reads', () => {
  test('HTTP API and function URLs: cookies[], after the ones the handler set', () => {
    for (const event of [httpApiEvent(), functionUrlEvent()]) {
      const result = withCookies(event, { statusCode: 200, body: 'ok', cookies: ['theme=dark'] }, cookies)
      expect(result).toEqual({ statusCode: 200, body: 'ok', cookies: ['theme=dark', ...cookies] })
    }
  })

  test('payload 2.0 results without statusCode become the 200 API Gateway would make of them', () => {
    const event = httpApiEvent()
    expect(withCookies(event, 'plain text', cookies)).toEqual({ statusCode: 200, body: 'plain text', cookies })
    expect(withCookies(event, { orders: [] }, cookies)).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"orders":[]}',
      cookies,
    })
    expect(withCookies(event, [1, 2], cookies)).toMatchObject({ statusCode: 200, body: '[1,2]', cookies })
  })

  test('a result that cannot carry cookies is returned as it is', () => {
    expect(withCookies<unknown>(httpApiEvent(), undefined, cookies)).toBeUndefined()
    expect(withCookies(restEvent(), 'text', cookies)).toBe('text')
  })

  test('no cookie to set: the very same result object', () => {
    const result = { statusCode: 204 }
    expect(withCookies(restEvent(), result, [])).toBe(result)
  })

  test('REST: multiValueHeaders, keeping the handler’s own multi-value headers and its Set-Cookie spelling', () => {
    const result = withCookies(
      restEvent(),
      { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, multiValueHeaders: { 'set-cookie': ['theme=dark'], Vary: ['Origin'] } },
      cookies,
    )
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'set-cookie': ['theme=dark', ...cookies], Vary: ['Origin'] },
    })
  })

  test('ALB with multi-value headers: every header moves to multiValueHeaders, which ALB then reads alone', () => {
    const event = albEvent({ multiValue: true })
    const result = withCookies(event, { statusCode: 302, headers: { Location: '/', 'Set-Cookie': 'theme=dark' } }, cookies)
    expect(result).toEqual({ statusCode: 302, multiValueHeaders: { Location: ['/'], 'Set-Cookie': ['theme=dark', ...cookies] } })
  })

  test('ALB with single-value headers: one cookie fits in headers, two cannot be sent', () => {
    const event = albEvent()
    expect('multiValueHeaders' in (event as object)).toBe(false)
    expect(withCookies(event, { statusCode: 200, headers: { 'X-A': '1' } }, cookies.slice(0, 1))).toEqual({
      statusCode: 200,
      headers: { 'X-A': '1', 'Set-Cookie': cookies[0] },
    })
    expect(() => withCookies(event, { statusCode: 200 }, cookies)).toThrow(/multi-value headers/)
  })
})

describe('sessionFromTokens: what a session keeps from a token response', () => {
  const config = compileConfig({
    issuer: 'https://login.example.com',
    clientId: 'web',
    clientSecret: 'secret',
    redirectUri: 'https://app.example.com/callback',
    secret: 'a-session-secret-of-at-least-32-characters',
    scopes: ['openid', 'profile'],
  })
  const nowMs = Date.UTC(2026, 11, 4, 12, 0, 0)
  const tokens = ({
    idClaims,
    lifetime,
    ...response
  }: Partial<Omit<Tokens, 'expiresIn' | 'claims'>> & { idClaims?: Record<string, unknown>; lifetime?: number }): Tokens =>
    ({
      token_type: 'bearer',
      access_token: 'new-access-token',
      ...response,
      claims: () => idClaims as never,
      expiresIn: () => lifetime,
    }) as unknown as Tokens
  const previous: SessionData = {
    sub: 'alice',
    iss: 'https://login.example.com',
    idToken: 'old-id-token',
    accessToken: 'old-access-token',
    refreshToken: 'old-refresh-token',
    scope: 'openid profile orders:read',
    signedInAt: nowMs / 1000 - 3600,
  }

  test('a sign-in: everything from the response, the configured scope when none is sent back', () => {
    const session = sessionFromTokens(
      tokens({ id_token: 'id', idClaims: { sub: 'bob', iss: 'https://login.example.com' }, refresh_token: 'r1', lifetime: 300 }),
      config,
      nowMs,
    )
    expect(session).toEqual({
      sub: 'bob',
      iss: 'https://login.example.com',
      idToken: 'id',
      accessToken: 'new-access-token',
      refreshToken: 'r1',
      accessTokenExpiresAt: nowMs / 1000 + 300,
      scope: 'openid profile',
      signedInAt: nowMs / 1000,
    })
  })

  test('a sign-in without an ID token is refused', () => {
    expect(() => sessionFromTokens(tokens({ lifetime: 300 }), config, nowMs)).toThrow('the token response has no ID token')
  })

  test('a refresh that sends only an access token keeps the ID token, refresh token, scope and sign-in time', () => {
    const session = sessionFromTokens(tokens({}), config, nowMs, previous)
    expect(session).toEqual({ ...previous, accessToken: 'new-access-token' })
    expect(session).not.toHaveProperty('accessTokenExpiresAt')
  })

  test('a refresh with a new refresh token, scope and lifetime takes them', () => {
    const session = sessionFromTokens(tokens({ refresh_token: 'r2', scope: 'openid', lifetime: 60 }), config, nowMs, previous)
    expect(session).toMatchObject({ refreshToken: 'r2', scope: 'openid', accessTokenExpiresAt: nowMs / 1000 + 60, signedInAt: previous.signedInAt })
  })

  test('a session without a refresh token stays without one', () => {
    const { refreshToken: _dropped, ...withoutRefresh } = previous
    expect(sessionFromTokens(tokens({}), config, nowMs, withoutRefresh)).not.toHaveProperty('refreshToken')
  })
})
