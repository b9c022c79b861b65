import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, httpApiEvent, type TestIssuer } from '@middy-auth/testing'
import { createJwtVerifier, type ClaimsCheck } from '../src/index.js'
import { outcome, protect } from './support.js'

let iss: TestIssuer
const audience = 'orders'
beforeAll(async () => {
  iss = await createTestIssuer()
})
afterAll(() => iss.close())

describe('async claims checks', () => {
  test('run after the signature and the standard checks, awaited, and their success cached with the token for claimsCacheTtl', async () => {
    let now = Date.now()
    const seen: string[] = []
    const revoked = new Set<string>()
    const claims: ClaimsCheck = async (payload) => {
      seen.push(String(payload.jti))
      await new Promise((resolve) => setTimeout(resolve, 1))
      return !revoked.has(String(payload.jti))
    }
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, claims, claimsCacheTtl: 30 }], clock: () => now })
    const token = await iss.sign({ sub: 'alice', jti: 't-1' }, { audience, now: Math.floor(now / 1000) })
    expect((await api.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    expect((await api.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    expect(seen).toEqual(['t-1'])
    // Revoked: still accepted from the cache until the TTL ends, then refused.
    revoked.add('t-1')
    now += 29_000
    expect((await api.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    now += 2_000
    expect(outcome(await api.invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    expect(seen).toEqual(['t-1', 't-1'])
  })

  test('never past exp: a token expiring before the TTL is checked no longer than its life', async () => {
    let now = Date.now()
    let calls = 0
    const api = protect({
      issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, claimsCacheTtl: 3600, claims: async () => (calls++, true) }],
      clock: () => now,
    })
    const token = await iss.sign({ sub: 'alice' }, { audience, now: Math.floor(now / 1000), expiresIn: 10 })
    expect((await api.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    now += 20_000
    expect(outcome(await api.invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    expect(calls).toBe(1)
  })

  test('not run for a token that fails a standard check', async () => {
    let calls = 0
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, claims: async () => (calls++, true) }] })
    expect(outcome(await api.invoke(httpApiEvent({ bearer: await iss.sign({ sub: 'alice' }, { audience: 'other' }) })))).toEqual([401, 'invalid_token'])
    expect(outcome(await api.invoke(httpApiEvent({ bearer: await iss.sign({ sub: 'alice' }, { audience, expiresIn: -60 }) })))).toEqual([401, 'invalid_token'])
    expect(calls).toBe(0)
  })

  test('a rejection or false is 401 and nothing is cached', async () => {
    let answer: () => Promise<boolean> = async () => false
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, claims: () => answer() }] })
    const token = await iss.sign({ sub: 'alice' }, { audience })
    expect(outcome(await api.invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    answer = async () => {
      throw new Error('lookup failed')
    }
    expect(outcome(await api.invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    answer = async () => true
    expect((await api.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    expect(api.seen).toHaveLength(1)
  })

  test('claimsCacheTtl: 0 runs the check on every request; a bad value is a TypeError', async () => {
    let calls = 0
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, claimsCacheTtl: 0, claims: async () => (calls++, true) }] })
    const token = await iss.sign({ sub: 'alice' }, { audience })
    for (let i = 0; i < 3; i++) expect((await api.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    expect(calls).toBe(3)
    expect(() => protect({ issuers: [{ issuer: iss.issuer, audience, claimsCacheTtl: -1 }] })).toThrow(/claimsCacheTtl/)
  })
})

describe('createJwtVerifier: the same verification outside Middy', () => {
  test('verifyToken resolves with the AuthContext, or rejects with the AuthError', async () => {
    const verifier = createJwtVerifier({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
    const auth = await verifier.verifyToken(await iss.sign({ sub: 'alice', scope: 'a b' }, { audience }))
    expect(auth).toMatchObject({ source: 'jwt', subject: 'alice', scopes: ['a', 'b'] })
    await expect(verifier.verifyToken(await iss.sign({ sub: 'alice' }, { audience: 'other' }))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_token',
      statusCode: 401,
    })
    await expect(verifier.verifyToken('')).rejects.toMatchObject({ code: 'missing_token' })
    await expect(verifier.verifyToken('a b')).rejects.toMatchObject({ code: 'invalid_request' })
  })

  test('a bound token is refused by verifyToken: nothing proves possession there', async () => {
    const verifier = createJwtVerifier({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], dpop: { boundTokens: 'allowed' } })
    await expect(verifier.verifyToken(await iss.sign({ sub: 'alice', cnf: { jkt: 'x' } }, { audience }))).rejects.toMatchObject({ code: 'invalid_token' })
  })

  test('verifyEvent reads the event as the middleware does', async () => {
    const verifier = createJwtVerifier({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], credentialsRequired: false })
    expect((await verifier.verifyEvent(httpApiEvent({ bearer: await iss.sign({ sub: 'bob' }, { audience }) })))?.subject).toBe('bob')
    expect(await verifier.verifyEvent(httpApiEvent({}))).toBeUndefined()
    await expect(verifier.verifyEvent(httpApiEvent({ bearer: 'not-a-jwt' }))).rejects.toMatchObject({ code: 'invalid_token' })
  })

  test('verifyEvent with a cookie source refuses a cookie credential on a cross-site write (403), as the middleware does', async () => {
    // The refusal lives in the tokenSources extension, which the root entry always carries.
    const verifier = createJwtVerifier({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], tokenSource: { cookie: 'session' } })
    const token = await iss.sign({ sub: 'carol' }, { audience })
    const request = (method: string, headers: Record<string, string>) => httpApiEvent({ method, path: '/orders', cookies: { session: token }, headers })
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example', host: 'api.example.com' }] as Array<Record<string, string>>) {
      const refused = await verifier.verifyEvent(request('POST', headers)).then(
        () => undefined,
        (error: unknown) => error as { code: string; statusCode: number; reason: string; message: string },
      )
      expect([refused?.code, refused?.statusCode, refused?.reason]).toEqual([
        'access_denied',
        403,
        'sec-fetch-site' in headers ? 'cross_site_request' : 'foreign_origin',
      ])
      expect(refused?.message).not.toContain(token.split('.')[1])
    }
    expect((await verifier.verifyEvent(request('POST', { 'sec-fetch-site': 'same-origin' })))?.subject).toBe('carol')
    expect((await verifier.verifyEvent(request('GET', { 'sec-fetch-site': 'cross-site' })))?.subject).toBe('carol')
  })
})
