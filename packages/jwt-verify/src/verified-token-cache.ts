import type { AuthContext } from '@middy-auth/core'
import type { ResolvedKey } from './key-resolver.js'

/** What a cache hit needs to be trusted again. */
export interface VerifiedToken {
  /** The whole token: a hit counts only when the request's token is equal to it. */
  readonly token: string
  /** The identity, never handed out: every hit hands out a copy (its claims are frozen). */
  readonly auth: Readonly<AuthContext>
  /** In seconds: `exp`, or sooner under `maxTokenAge`. An entry is never used at or past it. */
  readonly expiresAt: number
  /** The key that verified it: the entry is dropped once this key leaves the key set. */
  readonly key: ResolvedKey
  /** The issuer entry that verified it. */
  readonly issuerIndex: number
  /** In seconds: until then an `async` claims check's success counts; 0 runs the check again. */
  claimsCheckedUntil: number
}

/** Characters of the token's end that are hashed: its signature's, which no caller chooses. */
const HASHED_CHARACTERS = 16

/**
 * FNV-1a over the token's last characters and its length. Only a way to find the slot: a hit
 * still requires the whole token to be equal. A new 900-character token string per request
 * (a fresh event) would cost about 1 µs to hash whole, or a new string to slice.
 */
const hashOf = (token: string): number => {
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
 * generation (docs/performance.md).
 *
 * @example
 * ```ts
 * const cache = new VerifiedTokenCache(1000)
 * ```
 */
export class VerifiedTokenCache {
  /** Entries in insertion order, overwritten in a circle. */
  readonly #ring: Array<VerifiedToken | undefined>
  /** Each ring slot's hash, to probe without comparing strings. */
  readonly #hashes: Int32Array
  /** Open addressing: ring slot + 1, or 0 for an empty position. */
  readonly #table: Int32Array
  readonly #mask: number
  #cursor = 0
  #size = 0

  constructor(maxEntries: number) {
    this.#ring = new Array<VerifiedToken | undefined>(maxEntries).fill(undefined)
    this.#hashes = new Int32Array(maxEntries)
    let positions = 2
    while (positions < maxEntries * 2) positions *= 2
    this.#table = new Int32Array(positions)
    this.#mask = positions - 1
  }

  /** The last token looked up and its hash: a miss is followed by the `set` of the same string. */
  #lastToken: string | undefined
  #lastHash = 0

  get(token: string): VerifiedToken | undefined {
    const hash = hashOf(token)
    this.#lastToken = token
    this.#lastHash = hash
    const at = this.#find(token, hash)
    return at === -1 ? undefined : this.#ring[(this.#table[at] as number) - 1]
  }

  set(entry: VerifiedToken): void {
    const hash = entry.token === this.#lastToken ? this.#lastHash : hashOf(entry.token)
    const at = this.#find(entry.token, hash)
    if (at !== -1) {
      this.#ring[(this.#table[at] as number) - 1] = entry
      return
    }
    const slot = this.#cursor
    const victim = this.#ring[slot]
    if (victim !== undefined) this.#remove(this.#find(victim.token, this.#hashes[slot] as number))
    this.#ring[slot] = entry
    this.#hashes[slot] = hash
    this.#size++
    let position = hash & this.#mask
    while (this.#table[position] !== 0) position = (position + 1) & this.#mask
    this.#table[position] = slot + 1
    this.#cursor = slot + 1 === this.#ring.length ? 0 : slot + 1
  }

  delete(token: string): void {
    const at = this.#find(token, hashOf(token))
    if (at !== -1) this.#remove(at)
  }

  get size(): number {
    return this.#size
  }

  /** The table position of `token`'s entry, or -1. */
  #find(token: string, hash: number): number {
    let position = hash & this.#mask
    for (;;) {
      const slot = this.#table[position] as number
      if (slot === 0) return -1
      if (this.#hashes[slot - 1] === hash && this.#ring[slot - 1]?.token === token) return position
      position = (position + 1) & this.#mask
    }
  }

  /**
   * Empties a table position and its ring slot, then moves back the entries after it that
   * probing would no longer reach (backward-shift deletion: no tombstones to accumulate).
   */
  #remove(position: number): void {
    const slot = (this.#table[position] as number) - 1
    this.#ring[slot] = undefined
    this.#size--
    let hole = position
    let next = position
    for (;;) {
      next = (next + 1) & this.#mask
      const moved = this.#table[next] as number
      if (moved === 0) break
      const home = (this.#hashes[moved - 1] as number) & this.#mask
      // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
      const reachable = hole <= next ? home > hole && home <= next : home > hole || home <= next
      if (!reachable) {
        this.#table[hole] = moved
        hole = next
      }
    }
    this.#table[hole] = 0
  }
}
