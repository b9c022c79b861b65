// Red team, round 3: the verified-token cache as a fixed ring with an open-addressing table and
// the strict base64url shortcut by decoded length (feat/perf). Every attack goes through a real
// middy() handler with jwtVerify in front; an attack that held asserts the refusal and that the
// handler never ran, or that each request reached the handler with its own identity.
import { describe, expect, test } from '@jest/globals'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import fc from 'fast-check'
import { createHmac } from 'node:crypto'
import { errorCode, protect } from '../../../test/support/protect.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.red-team.example/'
const audience = 'orders-api'
const secret = 'a shared secret of at least thirty-two bytes'

const b64u = (value: string | Buffer): string => Buffer.from(value).toString('base64url')
const hs256 = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string => {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify({ iss: issuer, aud: audience, iat: NOW - 10, exp: NOW + 600, ...claims }))}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

const handlerWith = (extra: Partial<JwtVerifyOptions> = {}, now = () => NOW * 1000) =>
  protect([jwtVerify({ issuers: [{ issuer, audience, secret, algorithms: ['HS256'] }], clock: now, ...extra } as JwtVerifyOptions)])

const bearer = (token: string) => httpApiEvent({ headers: { authorization: `Bearer ${token}` } })

describe('the open-addressing cache never hands one token the identity of another', () => {
  test('a tiny cache under churn: thousands of requests over more callers than slots, each reaches the handler as itself', async () => {
    // 5 entries (table of 16 positions) and 40 callers: every insertion evicts, every eviction
    // shifts entries back in the table; interleaved reuse hits and misses in every order.
    const { invoke, seen } = handlerWith({ cache: { maxEntries: 5 } })
    const tokens = Array.from({ length: 40 }, (_, i) => hs256({ sub: `caller-${i}`, scope: `s${i}` }))
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let round = 0; round < 2000; round++) {
      const i = round % 3 === 0 ? next() % 40 : next() % 6 // a hot set and a cold tail
      const response = await invoke(bearer(tokens[i] as string))
      expect(response.statusCode).toBe(200)
      const last = seen.at(-1)
      expect(last?.subject).toBe(`caller-${i}`)
      expect(last?.scopes).toEqual([`s${i}`])
    }
  })

  test("a forged token with the cached token's signature tail and length (the hashed part) is a miss, then refused", async () => {
    const { invoke, seen } = handlerWith()
    const victim = hs256({ sub: 'alice', scope: 'admin' })
    expect((await invoke(bearer(victim))).statusCode).toBe(200)
    // Same length, same last 16 characters (the whole signature), another subject of the same length.
    const [header, , signature] = victim.split('.')
    const forged = `${header}.${b64u(JSON.stringify({ iss: issuer, aud: audience, iat: NOW - 10, exp: NOW + 600, sub: 'mallo', scope: 'admin' }))}.${signature}`
    expect(forged.length).toBe(victim.length)
    expect(forged.slice(-16)).toBe(victim.slice(-16))
    const response = await invoke(bearer(forged))
    expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_token'])
    expect(seen.map((auth) => auth.subject)).toEqual(['alice'])
    // The victim's entry is still there and still its own.
    expect((await invoke(bearer(victim))).statusCode).toBe(200)
    expect(seen.at(-1)?.subject).toBe('alice')
  })

  // `claims`: the name main and every branch read (feat/config keeps it as claimsCheck's alias).
  test('a token refused by a claims check is dropped from the cache and never re-served from a reused slot', async () => {
    const denied = new Set<string>()
    const { invoke, seen } = handlerWith({
      issuers: [{ issuer, audience, secret, algorithms: ['HS256'], claims: (claims: Record<string, unknown>) => !denied.has(claims.sub as string) }],
      cache: { maxEntries: 3 },
    } as Partial<JwtVerifyOptions>)
    const tokens = ['a', 'b', 'c', 'd'].map((sub) => hs256({ sub }))
    for (const token of tokens.slice(0, 3)) expect((await invoke(bearer(token))).statusCode).toBe(200)
    denied.add('b') // b's entry is deleted on its next request (backward-shift deletion)
    expect((await invoke(bearer(tokens[1] as string))).statusCode).toBe(401)
    for (const token of [tokens[3], tokens[0], tokens[2], tokens[3]]) expect((await invoke(bearer(token as string))).statusCode).toBe(200)
    expect(seen.map((auth) => auth.subject)).toEqual(['a', 'b', 'c', 'd', 'a', 'c', 'd'])
    expect((await invoke(bearer(tokens[1] as string))).statusCode).toBe(401)
  })

  test("churn with deletions (backward shift) and re-insertions in a tiny table: every answer is the model's", async () => {
    // Deny and re-allow subjects at random: each denial deletes an entry from the middle of a
    // probe chain; each re-allowed token is verified again and re-inserted behind the cursor.
    const denied = new Set<string>()
    const { invoke, seen } = handlerWith({
      issuers: [{ issuer, audience, secret, algorithms: ['HS256'], claims: (claims: Record<string, unknown>) => !denied.has(claims.sub as string) }],
      cache: { maxEntries: 4 },
    } as Partial<JwtVerifyOptions>)
    const tokens = Array.from({ length: 12 }, (_, i) => hs256({ sub: `caller-${i}` }))
    let seed = 42
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let round = 0; round < 3000; round++) {
      const i = next() % 12
      if (next() % 5 === 0) {
        const sub = `caller-${next() % 12}`
        if (denied.has(sub)) denied.delete(sub)
        else denied.add(sub)
      }
      const response = await invoke(bearer(tokens[i] as string))
      if (denied.has(`caller-${i}`)) {
        expect(response.statusCode).toBe(401)
      } else {
        expect(response.statusCode).toBe(200)
        expect(seen.at(-1)?.subject).toBe(`caller-${i}`)
      }
    }
  })

  test('an identity handed out on a cache hit is a copy: what one request writes on it does not reach the next', async () => {
    const { invoke, seen } = handlerWith()
    const token = hs256({ sub: 'alice', scope: 'orders:read' })
    await invoke(bearer(token))
    const first = seen[0] as { scopes: string[]; roles: string[]; subject: string }
    first.scopes.push('admin')
    first.roles.push('admin')
    first.subject = 'root'
    expect(() => {
      ;(first as unknown as { claims: Record<string, unknown> }).claims.sub = 'root'
    }).toThrow(TypeError)
    await invoke(bearer(token))
    expect(seen[1]).toMatchObject({ subject: 'alice', scopes: ['orders:read'], roles: [] })
  })

  test('an expired cache entry is not served from the ring after the clock passes exp', async () => {
    let now = NOW * 1000
    const { invoke } = handlerWith({}, () => now)
    const token = hs256({ sub: 'alice', exp: NOW + 2 })
    expect((await invoke(bearer(token))).statusCode).toBe(200)
    now = (NOW + 2 + 6) * 1000 // past exp and the default 5 s tolerance
    const response = await invoke(bearer(token))
    expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_token'])
  })
})

describe('the base64url shortcut accepts no segment the strict regex refuses', () => {
  // Each replacement keeps a valid token's length; a decoder that read the low byte of U+0141
  // would see 'A' again and the signature would verify.
  const victim = hs256({ sub: 'alice' })
  const sigStart = victim.lastIndexOf('.') + 1
  const payloadStart = victim.indexOf('.') + 1
  const replace = (at: number, character: string) => victim.slice(0, at) + character + victim.slice(at + 1)
  const shifted = (at: number, by: number) => replace(at, String.fromCharCode(victim.charCodeAt(at) + by))
  const positions = [0, 3, payloadStart, payloadStart + 5, sigStart, sigStart + 10, victim.length - 2]

  test.each([
    ['the same letter + U+0100 (its low byte is the letter)', (at: number) => shifted(at, 0x100)],
    ['the same letter + U+FF00', (at: number) => shifted(at, 0xff00)],
    ['a Latin-1 letter (é, skipped by the decoder)', (at: number) => replace(at, 'é')],
    ['a control character (TAB)', (at: number) => replace(at, '\t')],
    ['a space', (at: number) => replace(at, ' ')],
    ['"=" padding inside', (at: number) => replace(at, '=')],
    ['"+" (standard base64)', (at: number) => replace(at, '+')],
    ['"/" (standard base64)', (at: number) => replace(at, '/')],
    ['a NUL', (at: number) => replace(at, '\u0000')],
  ])('%s in the payload or the signature: 401 invalid_token, handler never called', async (_name, mutate) => {
    const { invoke, seen } = handlerWith()
    expect((await invoke(bearer(victim))).statusCode).toBe(200) // the genuine token is cached
    for (const at of positions) {
      const response = await invoke(bearer(mutate(at)))
      expect(response.statusCode).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
      expect(['invalid_token', 'invalid_request']).toContain(errorCode(response))
      expect(response.body).not.toContain('alice')
    }
    expect(seen).toHaveLength(1)
  })

  test('any one code unit replaced anywhere in the token (fast-check): never a 200 unless it is the same character', async () => {
    const { invoke, seen } = handlerWith()
    expect((await invoke(bearer(victim))).statusCode).toBe(200)
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: victim.length - 1 }), fc.integer({ min: 0, max: 0xffff }), async (at, unit) => {
        const character = String.fromCharCode(unit)
        fc.pre(character !== victim[at] && character !== '.')
        const response = await invoke(bearer(replace(at, character)))
        expect(response.statusCode).toBeGreaterThanOrEqual(400)
        expect(response.statusCode).toBeLessThan(500)
      }),
      { numRuns: 1500 },
    )
    expect(seen).toHaveLength(1)
  })

  test('a genuine token sliced out of a two-byte string (a cookie header with a non-Latin-1 character) is accepted; the same with one letter shifted by U+0100 is not', async () => {
    const { invoke, seen } = protect([
      jwtVerify({
        issuers: [{ issuer, audience, secret, algorithms: ['HS256'] }],
        clock: () => NOW * 1000,
        tokenSource: { cookie: 'session' },
      } as JwtVerifyOptions),
    ])
    // One Cookie header (REST): the token is a slice of a string that holds U+263E, so V8 keeps it two-byte.
    const cookie = (token: string) => restEvent({ method: 'GET', headers: { cookie: `theme=\u263e; session=${token}` } } as never)
    expect((await invoke(cookie(victim))).statusCode).toBe(200)
    expect((await invoke(cookie(shifted(sigStart + 3, 0x100)))).statusCode).toBe(401)
    expect(seen).toHaveLength(1)
  })

  test('padding appended to a segment ("=" or "==") is refused, not decoded to the same bytes', async () => {
    const { invoke, seen } = handlerWith()
    const [h, p, s] = victim.split('.') as [string, string, string]
    for (const token of [`${h}.${p}.${s}=`, `${h}=.${p}.${s}`, `${h}.${p}==.${s}`, `${h}.${p}.${s}==`]) {
      const response = await invoke(bearer(token))
      expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_token'])
    }
    expect(seen).toHaveLength(0)
  })
})

describe("the cache's size is a configuration value, not an allocation at cold start", () => {
  // Found in review: the fixed ring allocates maxEntries slots when the factory runs, so
  // `cache: { maxEntries: 10_000_000 }` took about 250 MB at cold start and 2 ** 31 killed the
  // process. maxEntries is now at most 100,000 (about 2.5 MB), a TypeError above.
  test.each([5_000_000, 2 ** 31, 100_001])('cache.maxEntries %d is a TypeError naming the option', (maxEntries) => {
    expect(() => jwtVerify({ issuers: [{ issuer, audience, secret, algorithms: ['HS256'] }], cache: { maxEntries } } as JwtVerifyOptions)).toThrow(
      /cache\.maxEntries must be a number of entries from 0 to 100000/,
    )
  })

  test('cache.maxEntries 100,000 is accepted and allocates under 48 MB', () => {
    const before = process.memoryUsage()
    const built = jwtVerify({ issuers: [{ issuer, audience, secret, algorithms: ['HS256'] }], cache: { maxEntries: 100_000 } } as JwtVerifyOptions)
    const after = process.memoryUsage()
    expect(built).toBeDefined()
    expect(after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers)).toBeLessThan(48 * 1024 * 1024)
  })
})
