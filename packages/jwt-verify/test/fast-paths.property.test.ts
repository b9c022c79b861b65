/**
 * The warm path's shortcuts (docs/performance.md) must decide exactly as the strict code they
 * stand in for:
 * - the base64url length test (`lengthTestApplies` + decoded length) against the strict regex, for
 *   every UTF-16 code unit at every position of segments of every length class;
 * - the verified-token cache (a fixed ring with open addressing) against a FIFO reference model;
 * - whole tokens, mutated one code unit at a time, through the middleware's verification (with
 *   a cache that already holds the original token) against jose as the oracle.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { createLocalJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import { generateKeyPairSync, sign } from 'node:crypto'
import { staticKeys } from '../src/extensions.js'
import { compileJwtVerifier } from '../src/jwt-verifier.js'
import { decodeJws, decodeSegment, lengthTestApplies } from '../src/jws.js'
import { TokenRejection } from '../src/rejection.js'
import { createVerifiedTokenCache, type VerifiedToken } from '../src/verified-token-cache.js'

const SEED = 0x13_fa57
const strict = /^[A-Za-z0-9_-]*$/

/** The decoding before the shortcut: the regex on every segment. */
const strictDecode = (segment: string): Buffer | 'rejected' =>
  strict.test(segment) && segment.length % 4 !== 1 ? Buffer.from(segment, 'base64url') : 'rejected'

/** The shortcut as decodeJws uses it: the guard is computed on the whole token. */
const fastDecode = (segment: string, token = segment): Buffer | 'rejected' => {
  try {
    return decodeSegment(segment, lengthTestApplies(token))
  } catch (error) {
    if (error instanceof TokenRejection && error.detail === 'base64url') return 'rejected'
    throw error
  }
}

const sameOutcome = (segment: string, token?: string): boolean => {
  const expected = strictDecode(segment)
  const actual = fastDecode(segment, token)
  return expected === 'rejected' ? actual === 'rejected' : actual !== 'rejected' && actual.equals(expected)
}

describe('base64url: the length test decides as the strict regex', () => {
  // Lengths 4 to 8 cover every n % 4, including 1, which is always refused.
  const bases = ['eyJh', 'eyJhb', 'eyJhbG', 'eyJhbGc', 'eyJhbGci']

  test('every UTF-16 code unit at every position', () => {
    const mismatches: string[] = []
    // Millions of refusals: their stack traces would cost most of the time.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      for (const base of bases) {
        for (let unit = 0; unit <= 0xffff; unit++) {
          const c = String.fromCharCode(unit)
          for (let at = 0; at < base.length; at++) {
            const segment = base.slice(0, at) + c + base.slice(at + 1)
            if (!sameOutcome(segment)) mismatches.push(`${base} [${at}] = U+${unit.toString(16)}`)
          }
        }
      }
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    expect(mismatches).toEqual([])
  })

  test('a character elsewhere in the token turns the shortcut off for a clean segment', () => {
    // `Ł` (U+0141) is read by its low byte, `A`: without the guard it would pass the length test.
    expect(fastDecode('eyJhbGcŁ')).toBe('rejected')
    expect(lengthTestApplies('eyJh.eyJh.abcŁ')).toBe(false)
    expect(lengthTestApplies('eyJh.eyJh.ab+/')).toBe(false)
    expect(lengthTestApplies('eyJh.eyJh.ab-_')).toBe(true)
    // U+0080–U+00FF pass the guard: Node's decoder skips them, so the length test refuses them.
    expect(lengthTestApplies('eyJh.eyJh.abcé')).toBe(true)
    expect(fastDecode('eyJhbGcé')).toBe('rejected')
    expect(fastDecode('eyJhbGci', 'eyJhbGci.x.Ł')?.toString()).toBe(Buffer.from('eyJhbGci', 'base64url').toString())
  })

  test('random strings over a hostile alphabet, as segments and as whole tokens', () => {
    const unit = fc.oneof(
      fc.constantFrom(...'ABCXYZabcxyz0189-_'.split('')),
      fc.constantFrom('+', '/', '=', '.', ' ', '\t', '\n', '\0', '%', '~', '\\'),
      fc.integer({ min: 0x80, max: 0xffff }).map((code) => String.fromCharCode(code)),
    )
    const segment = fc.array(unit, { maxLength: 24 }).map((units) => units.join(''))
    fc.assert(
      fc.property(segment, segment, segment, (h, p, s) => {
        const token = `${h}.${p}.${s}`
        for (const part of [h, p, s]) {
          if (!sameOutcome(part) || !sameOutcome(part, token)) return false
        }
        // decodeJws refuses exactly when one segment is not strict base64url (or not JSON).
        let ours: 'accepted' | 'base64url' | 'other'
        try {
          decodeJws(token)
          ours = 'accepted'
        } catch (error) {
          ours = error instanceof TokenRejection && error.detail === 'base64url' ? 'base64url' : 'other'
        }
        const anyInvalid = [h, p, s].some((part) => strictDecode(part) === 'rejected')
        return anyInvalid ? ours !== 'accepted' : ours !== 'base64url'
      }),
      { seed: SEED, numRuns: 5000 },
    )
  })
})

describe('the verified-token cache decides as a FIFO map of whole tokens', () => {
  const entry = (token: string): VerifiedToken => [token, {} as never, 0, {} as never, {} as never, 0]

  test('sets, gets and deletes against a reference model', () => {
    // Tokens from a small pool, many sharing their last characters (same hash, same probe run).
    const token = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('sig-A', 'sig-B', 'x')).map(([n, tail]) => `h.p${n}.${tail}`)
    const operation = fc.oneof(
      token.map((t) => ({ op: 'set' as const, t })),
      token.map((t) => ({ op: 'get' as const, t })),
      token.map((t) => ({ op: 'delete' as const, t })),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(operation, { maxLength: 300 }), (maxEntries, operations) => {
        const cache = createVerifiedTokenCache(maxEntries)
        // The model: every token set and not deleted since (the cache holds a bounded part of it).
        const model = new Set<string>()
        for (const { op, t } of operations) {
          if (op === 'set') {
            model.add(t)
            cache.set(entry(t))
          } else if (op === 'delete') {
            model.delete(t)
            cache.delete(t)
          } else if (cache.get(t) !== undefined && !model.has(t)) {
            return false
          }
        }
        // Whatever the cache holds, the model holds (never a token that was deleted or never set),
        // a hit is always the whole token, and it holds at most maxEntries of them.
        let held = 0
        for (let n = 0; n <= 40; n++) {
          for (const tail of ['sig-A', 'sig-B', 'x']) {
            const t = `h.p${n}.${tail}`
            const hit = cache.get(t)
            if (hit !== undefined && (hit[0] !== t || !model.has(t))) return false
            if (hit !== undefined) held++
          }
        }
        return held <= maxEntries
      }),
      { seed: SEED, numRuns: 2000 },
    )
  })

  test('FIFO: with no deletes, exactly the last maxEntries distinct tokens are held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 400 }), (maxEntries, numbers) => {
        const cache = createVerifiedTokenCache(maxEntries)
        const order: string[] = []
        for (const n of numbers) {
          const t = `h.p.${n}`
          if (cache.get(t) === undefined) {
            cache.set(entry(t))
            order.push(t)
          }
        }
        // Every token the numbers can make: held exactly when among the last maxEntries.
        const held = new Set(order.slice(-maxEntries))
        for (let n = 0; n <= 60; n++) {
          const t = `h.p.${n}`
          if ((cache.get(t) !== undefined) !== held.has(t)) return false
        }
        return true
      }),
      { seed: SEED, numRuns: 1000 },
    )
  })
})

describe('mutated tokens: our verification (cache warm with the original) against jose', () => {
  const ISSUER = 'https://issuer.example.com/'
  const AUDIENCE = 'orders-api'
  const NOW_S = 1_760_000_000
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }
  const b64u = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${b64u({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${b64u({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', scope: 'a b', iat: NOW_S - 10, exp: NOW_S + 3600 })}`
  const original = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`

  // The token as it reaches verification (the header's parsing, which trims, is not under test).
  const verifier = compileJwtVerifier({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [jwk] }, algorithms: ['ES256'] }],
    clock: () => NOW_S * 1000,
    extensions: [staticKeys],
  })
  const ours = async (token: string): Promise<boolean> => {
    try {
      await verifier.verifyToken(token, 'bearer', undefined)
      return true
    } catch {
      return false
    }
  }
  const keys = createLocalJWKSet({ keys: [jwk] })
  const jose = async (token: string): Promise<boolean> => {
    try {
      await joseJwtVerify(token, keys, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], currentDate: new Date(NOW_S * 1000) })
      return true
    } catch {
      return false
    }
  }

  test('the original is accepted by both, then from the cache', async () => {
    expect(await jose(original)).toBe(true)
    expect(await ours(original)).toBe(true)
    expect(await ours(original)).toBe(true)
  })

  test('one code unit replaced, inserted or deleted anywhere: accepted only when jose accepts', async () => {
    await ours(original) // the cache holds the original: a mutation must not be taken for it
    const mutation = fc.record({
      at: fc.nat({ max: original.length - 1 }),
      unit: fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff })),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
    })
    await fc.assert(
      fc.asyncProperty(mutation, async ({ at, unit, kind }) => {
        const c = String.fromCharCode(unit)
        const token =
          kind === 'replace'
            ? original.slice(0, at) + c + original.slice(at + 1)
            : kind === 'insert'
              ? original.slice(0, at) + c + original.slice(at)
              : original.slice(0, at) + original.slice(at + 1)
        if (token === original) return true
        const [mine, theirs] = [await ours(token), await jose(token)]
        // Never an accept jose refuses. jose's decoder skips ASCII whitespace inside a segment,
        // which our strict base64url (RFC 7515 §2) refuses, as the oracle suite records: apart
        // from that, the same decision.
        const strictSegments = token.split('.').length === 3 && token.split('.').every((part) => strictDecode(part) !== 'rejected')
        return mine === (theirs && strictSegments)
      }),
      { seed: SEED, numRuns: 3000 },
    )
  })
})
