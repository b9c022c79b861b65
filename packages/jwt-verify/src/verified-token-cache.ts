import type { AuthContext } from '@middy-auth/core'
import type { ResolvedKey } from './key-resolver.js'
import type { CompiledIssuer } from './verifier.js'

/**
 * What a verified token says of its bearer: the fields of its `context.auth` that come from the
 * token (every hit hands out a new AuthContext made of them, `source: 'jwt'` and no roles).
 */
export type VerifiedIdentity = Readonly<Pick<AuthContext, 'subject' | 'issuer' | 'scopes' | 'claims'>>

/**
 * What a cache hit needs to be trusted again, in a tuple (the minifier shortens the names its
 * parts are read under, never an object's property names):
 *
 * - `token`: the whole token; a hit counts only when the request's token is equal to it;
 * - `auth`: the identity, never handed out: every hit hands out an AuthContext made of it (its
 *   claims are frozen);
 * - `expiresAt`: in seconds, `exp` or sooner under `maxTokenAge`; an entry is never used at or
 *   past it;
 * - `key`: the key that verified it; the entry is not served once this key leaves the key set;
 * - `issuer`: the issuer entry that verified it;
 * - `claimsCheckedUntil`: in seconds, until when an `async` claims check's success counts (0 runs
 *   the check again); the one part that changes, moved on by the `claimsChecks` extension.
 */
export type VerifiedToken = [token: string, auth: VerifiedIdentity, expiresAt: number, key: ResolvedKey, issuer: CompiledIssuer, claimsCheckedUntil: number]

/** A cache of verified tokens ({@link createVerifiedTokenCache}). */
export type VerifiedTokenCache = ReturnType<typeof createVerifiedTokenCache>

/** Characters of the token's end that are hashed: its signature's, which no caller chooses. */
const HASHED_CHARACTERS = 16

/**
 * FNV-1a over the token's last characters and its length. Only a way to find the slot: a hit
 * still requires the whole token to be equal. A new 900-character token string per request
 * (a fresh event) would cost about 1 µs to hash whole, or a new string to slice.
 */
function hashOf(token: string): number {
  const end = token.length
  let hash = 0x811c9dc5 ^ end
  for (let i = end > HASHED_CHARACTERS ? end - HASHED_CHARACTERS : 0; i < end; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193)
  return hash
}

/**
 * A bounded cache of tokens already verified. When full, the oldest entry goes (FIFO by first
 * insertion): eviction order does not matter for correctness, and FIFO costs nothing per hit.
 *
 * Entries live in a fixed-size ring, found through an open-addressing table of ring slots
 * (linear probing, at most half full). Nothing is allocated per insertion or eviction but the
 * entry itself: a `Map` with FIFO churn (delete the oldest, insert the newest) rebuilds its
 * table and keeps deleted slots, which promoted hundreds of bytes per request to the old
 * generation (docs/performance.md). Its state lives in the closure (local names the minifier
 * shortens, unlike properties); measured as fast as a class with private fields, as long as the
 * object it returns has no accessor.
 *
 * @example
 * ```ts
 * const cache = createVerifiedTokenCache(1000)
 * ```
 */
export function createVerifiedTokenCache(maxEntries: number) {
  /** Entries in insertion order, overwritten in a circle. */
  const ring = new Array<VerifiedToken | undefined>(maxEntries).fill(undefined)
  /** Each ring slot's hash, to probe without comparing strings. */
  const hashes = new Int32Array(maxEntries)
  let positions = 2
  while (positions < maxEntries * 2) positions *= 2
  /** Open addressing: ring slot + 1, or 0 for an empty position. */
  const table = new Int32Array(positions)
  const mask = positions - 1
  let cursor = 0
  /** The last token looked up and its hash: a miss is followed by the `set` of the same string. */
  let lastToken: string | undefined
  let lastHash = 0

  /** The table position of `token`'s entry, or -1. */
  function find(token: string, hash: number): number {
    let position = hash & mask
    for (;;) {
      const slot = table[position] as number
      if (slot === 0) return -1
      // An entry's first part is its token.
      if (hashes[slot - 1] === hash && ring[slot - 1]?.[0] === token) return position
      position = (position + 1) & mask
    }
  }

  /**
   * Empties a table position and its ring slot, then moves back the entries after it that
   * probing would no longer reach (backward-shift deletion: no tombstones to accumulate).
   */
  function remove(position: number): void {
    ring[(table[position] as number) - 1] = undefined
    let hole = position
    let next = position
    for (;;) {
      next = (next + 1) & mask
      const moved = table[next] as number
      if (moved === 0) break
      const home = (hashes[moved - 1] as number) & mask
      // The entry at `next` fills the hole unless its home lies cyclically in (hole, next]:
      // unless it is nearer to `next`, walking forward, than the hole is.
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        table[hole] = moved
        hole = next
      }
    }
    table[hole] = 0
  }

  return {
    get(token: string): VerifiedToken | undefined {
      const hash = hashOf(token)
      lastToken = token
      lastHash = hash
      const at = find(token, hash)
      return at === -1 ? undefined : ring[(table[at] as number) - 1]
    },

    set(entry: VerifiedToken): void {
      const [token] = entry
      const hash = token === lastToken ? lastHash : hashOf(token)
      const at = find(token, hash)
      if (at !== -1) {
        ring[(table[at] as number) - 1] = entry
        return
      }
      const slot = cursor
      const victim = ring[slot]
      if (victim !== undefined) remove(find(victim[0], hashes[slot] as number))
      ring[slot] = entry
      hashes[slot] = hash
      let position = hash & mask
      while (table[position] !== 0) position = (position + 1) & mask
      table[position] = slot + 1
      cursor = slot + 1 === maxEntries ? 0 : slot + 1
    },

    delete(token: string): void {
      const at = find(token, hashOf(token))
      if (at !== -1) remove(at)
    },
  }
}
