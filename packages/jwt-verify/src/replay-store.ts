import { configErrors } from '@middy-auth/core/internal'
import { packageName } from './package-name.js'

/**
 * Remembers which DPoP proofs were already used (RFC 9449 §11.1). `claim` answers `true` only
 * for the first call with a given `jti` before `expiresAt`, and `false` for every other; a store
 * that cannot tell (its backend failed or timed out) must reject, never answer `true`.
 *
 * The in-memory default ({@link createMemoryReplayStore}) only sees the requests of one Lambda
 * instance; a store shared by every instance (`@middy-auth/jwt-verify/dynamodb-replay-store`)
 * also stops a replay sent to another one.
 *
 * @example
 * ```ts
 * const store: ReplayStore = { claim: async (jti, expiresAt) => redisSetIfAbsent(jti, expiresAt) }
 * ```
 */
export interface ReplayStore {
  /**
   * @param jti - The proof's identifier, scoped to its key (`<jkt>:<jti>`): at most 300 characters.
   * @param expiresAt - Seconds since the epoch after which the proof is too old to be accepted
   *   anyway, so the entry may be forgotten.
   */
  claim(jti: string, expiresAt: number): Promise<boolean>
}

/**
 * Options of {@link createMemoryReplayStore}.
 *
 * @example
 * ```ts
 * const options: MemoryReplayStoreOptions = { maxEntries: 50_000 }
 * ```
 */
export interface MemoryReplayStoreOptions {
  /** Entries kept at most. Default 100000 (about 15 MB). */
  maxEntries?: number
  /** The clock, in milliseconds since the epoch (tests). Default `Date.now`. */
  clock?: () => number
}

/**
 * The default {@link ReplayStore}: a bounded map in this instance's memory. When it is full of
 * proofs that are still within their window, new proofs are refused (fail closed) rather than
 * forgetting one that could then be replayed.
 *
 * @example
 * ```ts
 * import jwtVerify, { createMemoryReplayStore } from '@middy-auth/jwt-verify'
 * jwtVerify({ issuers, dpop: { boundTokens: 'required', replayStore: createMemoryReplayStore({ maxEntries: 10_000 }) } })
 * ```
 */
export function createMemoryReplayStore({ maxEntries = 100_000, clock = Date.now }: MemoryReplayStoreOptions = {}): ReplayStore {
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) {
    throw configErrors(packageName, 'createMemoryReplayStore')('maxEntries', 'must be a positive integer')
  }
  const seen = new Map<string, number>()
  const accepted = Promise.resolve(true)
  const refused = Promise.resolve(false)

  /**
   * While full of live proofs, nothing can be forgotten before the earliest of them expires: until
   * then a full store refuses at once, so a flood that fills it does not also cost a scan of every
   * entry per request.
   */
  let noRoomUntil = 0

  /** Called only when full: one pass drops every expired entry and finds when the next one expires. */
  function forgetExpired(nowSeconds: number): void {
    let earliest = Number.POSITIVE_INFINITY
    for (const [jti, expiresAt] of seen) {
      if (expiresAt <= nowSeconds) seen.delete(jti)
      else if (expiresAt < earliest) earliest = expiresAt
    }
    noRoomUntil = seen.size >= maxEntries ? earliest : 0
  }

  return {
    claim(jti, expiresAt) {
      const nowSeconds = clock() / 1000
      const previous = seen.get(jti)
      if (previous !== undefined && previous > nowSeconds) return refused
      if (seen.size >= maxEntries) {
        if (nowSeconds < noRoomUntil) return refused
        forgetExpired(nowSeconds)
        if (seen.size >= maxEntries) return refused
      }
      seen.delete(jti)
      seen.set(jti, expiresAt)
      return accepted
    },
  }
}
