import { afterEach, describe, expect, test } from '@jest/globals'
import { createTestIssuer, generateKeyPair, type TestIssuer } from '@middy-auth/testing'
import { bearer, outcome, protect } from './support.js'

const audience = 'orders-api'
const open: TestIssuer[] = []
const issuer = async () => {
  const created = await createTestIssuer()
  open.push(created)
  return created
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()))
})
const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

describe('JWKS fetching, counted at the issuer', () => {
  test('prefetched when the factory runs, then cached across invocations', async () => {
    const iss = await issuer()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
    await settle()
    expect(iss.requests.jwks).toBe(1)
    for (let i = 0; i < 5; i++) expect((await api.invoke(bearer(await iss.sign({}, { audience })))).statusCode).toBe(200)
    expect(iss.requests.jwks).toBe(1)
  })

  test('OIDC discovery when jwksUri is omitted: one discovery, one JWKS', async () => {
    const iss = await issuer()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience }] })
    expect((await api.invoke(bearer(await iss.sign({}, { audience })))).statusCode).toBe(200)
    expect(iss.requests).toMatchObject({ discovery: 1, jwks: 1 })
  })

  test('100 concurrent cold requests: one JWKS fetch', async () => {
    const iss = await issuer()
    iss.delayMs(100)
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => iss.sign({ sub: `user-${i}` }, { audience })))
    const responses = await Promise.all(tokens.map((t) => api.invoke(bearer(t))))
    expect(responses.every((r) => r.statusCode === 200)).toBe(true)
    expect(iss.requests.jwks).toBe(1)
  })

  test('1,000 unknown kids: one refetch per cooldown, all refused', async () => {
    const iss = await issuer()
    let now = Date.now()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], clock: () => now, jwks: { cooldownMs: 10_000 } })
    await api.invoke(bearer(await iss.sign({}, { audience })))
    const strangers = Array.from({ length: 20 }, (_, i) => generateKeyPair('RS256', { kid: `unknown-${i}` }))
    const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => iss.sign({}, { audience, key: strangers[i % 20]! })))
    const responses = await Promise.all(tokens.map((t) => api.invoke(bearer(t))))
    expect(responses.every((r) => outcome(r)[1] === 'invalid_token')).toBe(true)
    expect(iss.requests.jwks).toBe(2)
    now += 10_001
    await api.invoke(bearer(tokens[0]!))
    expect(iss.requests.jwks).toBe(3)
  })

  test('a key rotated in after the prefetch is accepted on its first token', async () => {
    const iss = await issuer()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
    expect((await api.invoke(bearer(await iss.sign({}, { audience })))).statusCode).toBe(200)
    iss.rotate()
    expect((await api.invoke(bearer(await iss.sign({}, { audience })))).statusCode).toBe(200)
    expect(iss.requests.jwks).toBe(2)
  })

  test('a cached token stops working once its key leaves the key set', async () => {
    const iss = await issuer()
    let now = Date.now()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], clock: () => now })
    const oldKey = iss.keys[0]!
    const token = await iss.sign({ sub: 'alice' }, { audience })
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
    iss.rotate()
    iss.retire(oldKey.kid)
    // The next refresh (here: after maxAge) replaces the key set.
    now += 11 * 60_000
    await api.invoke(bearer(await iss.sign({}, { audience })))
    await settle()
    expect(outcome(await api.invoke(bearer(token)))).toEqual([401, 'invalid_token'])
  })
})

describe('when the JWKS endpoint fails', () => {
  test.each(['status-500', 'timeout', 'bad-json', 'not-json-object'] as const)('%s with nothing cached: 503 temporarily_unavailable', async (mode) => {
    const iss = await issuer()
    iss.failWith(mode)
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], jwks: { timeoutMs: 200 } })
    const response = await api.invoke(bearer(await iss.sign({}, { audience })))
    expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
    expect(response.headers['Retry-After']).toMatch(/^\d+$/)
    expect(response.headers['WWW-Authenticate']).toBeUndefined()
    expect(api.seen).toEqual([])
  })

  test('with keys cached, requests keep succeeding', async () => {
    const iss = await issuer()
    let now = Date.now()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], clock: () => now, jwks: { timeoutMs: 200 } })
    expect((await api.invoke(bearer(await iss.sign({}, { audience })))).statusCode).toBe(200)
    iss.failWith('status-500')
    now += 60 * 60_000
    for (let i = 0; i < 3; i++) {
      expect((await api.invoke(bearer(await iss.sign({ sub: `u${i}` }, { audience, now: Math.floor(now / 1000) })))).statusCode).toBe(200)
    }
  })

  test('an outage ends: keys are fetched again after the cooldown', async () => {
    const iss = await issuer()
    let now = Date.now()
    iss.failWith('status-500')
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], clock: () => now })
    const token = await iss.sign({}, { audience })
    const unavailable = await api.invoke(bearer(token))
    expect(outcome(unavailable)).toEqual([503, 'temporarily_unavailable'])
    // Retry-After tells the client when the resolver's cooldown ends.
    expect(unavailable.headers['Retry-After']).toBe('10')
    iss.failWith(null)
    now += 10_001
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
  })
})

describe('local keys', () => {
  test('jwks: no network at all', async () => {
    const iss = await issuer()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwks: { keys: iss.keys.map((k) => k.publicJwk) } }] })
    iss.resetCounters()
    expect((await api.invoke(bearer(await iss.sign({}, { audience })))).statusCode).toBe(200)
    expect(iss.requests.total).toBe(0)
  })
})
