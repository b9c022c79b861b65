import { createHash } from 'node:crypto'
import { deepFreeze } from '@middy-auth/core/internal'
import type { CompiledOptions } from './options.js'
import type { Introspect } from './provider.js'

/** A provider's answer, frozen: one answer serves every request with the same token. */
export type Answer = Readonly<Record<string, unknown>>

interface Entry {
  readonly answer: Answer
  /** Milliseconds since the epoch. */
  readonly expiresAt: number
}

/** A map that forgets its oldest entry when full (insertion order; a hit does not refresh it). */
class BoundedMap {
  readonly #entries = new Map<string, Entry>()
  constructor(readonly maxEntries: number) {}

  get(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry && now >= entry.expiresAt) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }

  set(key: string, entry: Entry): void {
    this.#entries.delete(key)
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    this.#entries.set(key, entry)
  }
}

/**
 * The cache key: a SHA-256 of the token, so the process's memory never holds a token past its
 * request (a heap dump, a log of the cache, shows no credential).
 */
const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url')

/**
 * Wraps a provider's {@link Introspect} with the caches and in-flight sharing of one middleware
 * instance:
 *
 * - an active answer is reused until its `exp` or `ttl`, whichever comes first;
 * - an inactive one (anything but `active: true`) for `inactiveTtl`, in a map of its own so a
 *   flood of bad tokens cannot evict the good ones;
 * - concurrent requests with one token share one call, with or without caching;
 * - a failed call is not cached: the next request asks again.
 *
 * Returns the answer synchronously on a cache hit.
 *
 * @example
 * ```ts
 * const lookup = createCachedIntrospect(provider.introspect, settings.cache, Date.now)
 * const answer = await lookup(token)
 * ```
 */
export const createCachedIntrospect = (
  introspect: Introspect,
  { ttlMs, inactiveTtlMs, maxEntries }: CompiledOptions['cache'],
  clock: () => number,
): ((token: string) => Answer | Promise<Answer>) => {
  const active = maxEntries > 0 && ttlMs > 0 ? new BoundedMap(maxEntries) : undefined
  const inactive = maxEntries > 0 && inactiveTtlMs > 0 ? new BoundedMap(maxEntries) : undefined
  const inFlight = new Map<string, Promise<Answer>>()

  const remember = (key: string, answer: Answer): void => {
    const now = clock()
    if (answer.active === true) {
      if (!active) return
      const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : Infinity
      const expiresAt = Math.min(now + ttlMs, exp)
      if (expiresAt > now) active.set(key, { answer, expiresAt })
    } else {
      inactive?.set(key, { answer, expiresAt: now + inactiveTtlMs })
    }
  }

  return (token) => {
    const key = keyOf(token)
    const now = clock()
    const hit = active?.get(key, now) ?? inactive?.get(key, now)
    if (hit) return hit.answer
    const pending = inFlight.get(key)
    if (pending) return pending
    const call = introspect(token)
      .then((answer) => {
        deepFreeze(answer)
        remember(key, answer)
        return answer
      })
      .finally(() => inFlight.delete(key))
    inFlight.set(key, call)
    return call
  }
}
