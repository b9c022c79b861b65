import type { AuthContext } from '@middy-auth/core'
import type { ResolvedKey } from './key-resolver.js'

/** What a cache hit needs to be trusted again. */
export interface VerifiedToken {
  /** The identity, frozen: every hit hands out a copy of its lists. */
  readonly auth: Readonly<AuthContext>
  /** In seconds: `exp`, or sooner under `maxTokenAge`. An entry is never used at or past it. */
  readonly expiresAt: number
  /** The key that verified it: the entry is dropped once this key leaves the key set. */
  readonly key: ResolvedKey
  /** The issuer entry that verified it. */
  readonly issuerIndex: number
}

/**
 * A bounded map of tokens already verified, keyed by the whole token. When full, the oldest
 * entry goes: eviction order does not matter for correctness, and FIFO costs nothing per hit.
 *
 * @example
 * ```ts
 * const cache = new VerifiedTokenCache(1000)
 * ```
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>()
  constructor(readonly maxEntries: number) {}

  get(token: string): VerifiedToken | undefined {
    return this.#entries.get(token)
  }

  set(token: string, entry: VerifiedToken): void {
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, entry)
  }

  delete(token: string): void {
    this.#entries.delete(token)
  }

  get size(): number {
    return this.#entries.size
  }
}
