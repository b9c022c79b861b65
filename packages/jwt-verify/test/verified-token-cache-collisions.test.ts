// Red team, round 3: the verified-token cache's table under forced hash collisions (feat/perf).
// The hash reads only the token's length and its last 16 characters, so strings that share them
// collide on every position; a hit must still require the whole token, and backward-shift
// deletion must not lose or misplace an entry in a long probe chain. Checked over random
// operations (fast-check) against a model of the ring: what the cache serves is exactly what the
// ring holds, each token its own entry. Not a middy() test: through
// real handlers only tokens with distinct signatures (distinct tails) can be cached, which
// never collide this way; test/red-team/verified-token-cache.test.ts covers the handler side.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import type { ResolvedKey } from '../src/key-resolver.js'
import { createVerifiedTokenCache, type VerifiedToken } from '../src/verified-token-cache.js'

// Every tail is 16 characters: tokens of one tail and one length have the same hash.
const TAILS = ['SAME-TAIL-16-CHR', 'BBBBBBBBBBBBBBBB', 'CCCCCCCCCCCCCCCC', 'DDDDDDDDDDDDDDDx']
const entryOf = (token: string): VerifiedToken => [
  token,
  { subject: token, scopes: [], claims: {} },
  Number.MAX_SAFE_INTEGER,
  {} as ResolvedKey,
  {} as never,
  0,
]

describe('the open-addressing table under hash collisions', () => {
  test('random set/get/delete: the cache serves exactly what a FIFO ring of maxEntries slots holds, each token its own entry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.record({
            operation: fc.constantFrom('set', 'get', 'delete'),
            id: fc.integer({ min: 0, max: 30 }),
            tail: fc.integer({ min: 0, max: 3 }),
            padding: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 300 },
        ),
        (maxEntries, operations) => {
          const cache = createVerifiedTokenCache(maxEntries)
          // The model: ring slots filled at a cursor (a set of a cached token replaces it in place,
          // a delete empties its slot), as the documented FIFO-by-first-insertion eviction says.
          const ring: Array<string | undefined> = new Array<string | undefined>(maxEntries).fill(undefined)
          let cursor = 0
          for (const { operation, id, tail, padding } of operations) {
            const token = `${'p'.repeat(padding)}${id}.${TAILS[tail] as string}`
            if (operation === 'set') {
              if (!ring.includes(token)) {
                ring[cursor] = token
                cursor = (cursor + 1) % maxEntries
              }
              cache.set(entryOf(token))
            } else if (operation === 'delete') {
              const at = ring.indexOf(token)
              if (at !== -1) ring[at] = undefined
              cache.delete(token)
            }
            for (const known of new Set([...ring, token])) {
              if (known === undefined) continue
              const found = cache.get(known)
              expect(found?.[1].subject).toBe(ring.includes(known) ? known : undefined)
            }
          }
          // No entry beyond the ring's: every token the operations can make is served exactly when the ring holds it.
          for (let id = 0; id <= 30; id++) {
            for (const tail of TAILS) {
              for (const padding of ['', 'p', 'pp']) {
                const token = `${padding}${id}.${tail}`
                expect(cache.get(token)?.[1].subject).toBe(ring.includes(token) ? token : undefined)
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  test('a token that shares the hash (length and tail) of a cached one is a miss', () => {
    const cache = createVerifiedTokenCache(4)
    cache.set(entryOf(`0001.${TAILS[0] as string}`))
    expect(cache.get(`0002.${TAILS[0] as string}`)).toBeUndefined()
    expect(cache.get(`xxxx.${TAILS[0] as string}`)).toBeUndefined()
    expect(cache.get(`0001.${TAILS[0] as string}`)?.[1].subject).toBe(`0001.${TAILS[0] as string}`)
  })
})
