import type { AuthContext } from '@middy-auth/core'
import type { ResolvedKey } from './key-resolver.js'

/** What a cache hit needs to be trusted again. */
export interface VerifiedToken {
  /** The whole token: a hit counts only when the request's token is equal to it. */
  readonly token: string
  /** The identity, frozen: every hit hands out a copy of its lists. */
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

/**
 * Entries are found by the token's last 32 characters (its signature's end) and kept only when
 * the whole token is equal. Hashing a whole token, a new string on every request, costs about
 * 1 µs, half of a cache hit; 32 characters cost nothing, and the comparison is a memcmp. A
 * suffix shared by two tokens is only a miss.
 */
const lookupKey = (token: string): string => token.slice(-32)

/**
 * A bounded map of tokens already verified. When full, the oldest entry goes: eviction order
 * does not matter for correctness, and FIFO costs nothing per hit.
 *
 * @example
 * ```ts
 * const cache = new VerifiedTokenCache(1000)
 * ```
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>()
  /** Lookup keys in insertion order, overwritten in a circle: eviction without an iterator. */
  readonly #ring: Array<string | undefined>
  #cursor = 0
  constructor(readonly maxEntries: number) {
    this.#ring = new Array<string | undefined>(maxEntries)
  }

  get(token: string): VerifiedToken | undefined {
    const entry = this.#entries.get(lookupKey(token))
    return entry !== undefined && entry.token === token ? entry : undefined
  }

  set(entry: VerifiedToken): void {
    const key = lookupKey(entry.token)
    if (!this.#entries.has(key)) {
      if (this.#entries.size >= this.maxEntries) this.#evictOne()
      this.#ring[this.#cursor] = key
      this.#cursor = (this.#cursor + 1) % this.maxEntries
    }
    this.#entries.set(key, entry)
  }

  /** The entry in the ring's next slot goes; when that one was already deleted, the oldest. */
  #evictOne(): void {
    const victim = this.#ring[this.#cursor]
    if (victim !== undefined && this.#entries.delete(victim)) return
    const oldest = this.#entries.keys().next()
    if (!oldest.done) this.#entries.delete(oldest.value)
  }

  delete(token: string): void {
    const key = lookupKey(token)
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key)
  }

  get size(): number {
    return this.#entries.size
  }
}
