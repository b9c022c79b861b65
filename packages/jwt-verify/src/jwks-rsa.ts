import { createPublicKey } from 'node:crypto'
import { configErrors, readDuration, readFunction, readRenamed } from '@middy-auth/core/internal'
// Types only: jwks-rsa is an optional peer dependency, and the user constructs the client.
import type { JwksClient, SigningKey } from 'jwks-rsa'
import { importJwk, importKeySet } from './import-jwk.js'
import type { KeyResolver, KeySet, ResolvedKey } from './key-resolver.js'
import { createCachingKeyResolver } from './remote-key-resolver.js'
import { packageName } from './package-name.js'

/**
 * Options of {@link jwksRsaResolver}. All durations are in milliseconds.
 *
 * @example
 * ```ts
 * import type { JwksRsaResolverOptions } from '@middy-auth/jwt-verify/jwks-rsa'
 *
 * const options: JwksRsaResolverOptions = { cooldownMs: 30_000 }
 * ```
 */
export interface JwksRsaResolverOptions {
  /**
   * Milliseconds during which no request is made after a lookup for an unknown `kid` that
   * found nothing, or after a failed one (tokens with unknown kids then fail fast). Default is
   * 10000 (10 seconds). `0` turns the protection off.
   */
  cooldownMs?: number
  /**
   * Milliseconds after which the whole set is reloaded with `getSigningKeys()` in the
   * background, while the cached set keeps answering. Default is 600000 (10 minutes).
   */
  maxAgeMs?: number
  /** The clock, in milliseconds since the epoch. Default is `Date.now`. */
  clock?: () => number
  /**
   * The former name of `clock`.
   *
   * @deprecated Rename it `clock`: `now` still works, with a `DeprecationWarning` at cold start.
   */
  now?: () => number
}

/**
 * Adapts a `jwks-rsa` client into a {@link KeyResolver}, for users who rely on its proxy
 * agents, request headers, `fetcher`, interceptor or existing configuration. Import it from
 * the subpath `@middy-auth/jwt-verify/jwks-rsa`; install `jwks-rsa` (3.x or 4.x) yourself.
 *
 * - The whole set is loaded with `client.getSigningKeys()` (prefetch, cold start, refresh after
 *   `maxAgeMs`).
 * - A `kid` missing from it is looked up with `client.getSigningKey(kid)`, through the client's
 *   own cache, rate limit and `getKeysInterceptor`; concurrent misses share one lookup. When
 *   the key is not found (`SigningKeyNotFoundError`), or the lookup fails, the current set is
 *   returned and further unknown kids fail fast for `cooldownMs` — `jwks-rsa` alone makes one
 *   request per token with an unknown kid.
 * - With nothing cached and the endpoint failing, `getKeySet` rejects with
 *   `KeysUnavailableError` (503).
 *
 * Every key goes through the same checks as a fetched JWK (`importJwk`): public RSA of 2048
 * bits or more, EC P-256/P-384/P-521, Ed25519/Ed448, and an `alg` that fits the key.
 *
 * > **Security:** a key found by `getSigningKey(kid)` may come from the client's own cache
 * > (`cacheMaxAge`, default 10 minutes, plus `cacheMaxAgeFallback` if you set one), so a key
 * > the issuer has just withdrawn can be found there for that long.
 *
 * @param client - A `JwksClient` from `jwks-rsa`.
 * @param options - `cooldownMs` (default 10000), `maxAgeMs` (default 600000), `clock`.
 * @throws TypeError when `client` is not a `jwks-rsa` client or an option is invalid.
 *
 * @example
 * ```ts
 * import { JwksClient } from 'jwks-rsa'
 * import { jwksRsaResolver } from '@middy-auth/jwt-verify/jwks-rsa'
 *
 * const client = new JwksClient({ jwksUri: 'https://issuer.example.com/.well-known/jwks.json', requestAgent })
 * const resolver = jwksRsaResolver(client)
 * resolver.prefetch()
 * ```
 */
export function jwksRsaResolver(client: JwksClient, options: JwksRsaResolverOptions = {}): KeyResolver {
  const fail = configErrors(packageName, 'jwksRsaResolver')
  if (typeof client !== 'object' || client === null || typeof client.getSigningKeys !== 'function' || typeof client.getSigningKey !== 'function') {
    throw fail('client', 'must be a jwks-rsa JwksClient')
  }
  const cooldownMs = readDuration(options.cooldownMs, 'cooldownMs', fail, { unit: 'milliseconds', fallback: 10_000, zero: true })
  const maxAgeMs = readDuration(options.maxAgeMs, 'maxAgeMs', fail, { unit: 'milliseconds', fallback: 600_000, infinity: true })
  const now = readFunction<() => number>(readRenamed(options, 'clock', 'now', fail), 'clock', fail) ?? Date.now

  return createCachingKeyResolver(
    async (previous, kid) => {
      if (previous === undefined || kid === undefined) {
        const signingKeys = await client.getSigningKeys()
        // Through importKeySet, so unchanged keys keep their identity across reloads.
        return { keySet: importKeySet({ keys: signingKeys.map(toJwk) }, previous), complete: true }
      }
      let found: SigningKey
      try {
        found = await client.getSigningKey(kid)
      } catch (error) {
        if (isSigningKeyNotFound(error)) return { keySet: previous, complete: false }
        throw error
      }
      const key = importJwk(toJwk(found))
      // The kid is checked again: a key filed under another kid must not answer for this one.
      if (key === undefined || key.kid !== kid) return { keySet: previous, complete: false }
      return { keySet: withKey(previous, key), complete: false }
    },
    { cooldownMs, maxAgeMs, clock: now },
  )
}

/**
 * The signing key as a public JWK with its `kid` and `alg`, or `null` (an unusable key) when
 * its PEM cannot be read.
 */
function toJwk(signingKey: SigningKey): Record<string, unknown> | null {
  try {
    const jwk: Record<string, unknown> = { ...createPublicKey(signingKey.getPublicKey()).export({ format: 'jwk' }) }
    // jwks-rsa leaves kid and alg out when the JWK had none, whatever its types say.
    const { kid, alg } = signingKey as Partial<SigningKey>
    if (kid !== undefined) jwk['kid'] = kid
    if (alg !== undefined) jwk['alg'] = alg
    return jwk
  } catch {
    return null
  }
}

function withKey(set: KeySet, key: ResolvedKey): KeySet {
  if (key.kid === undefined || set.byKid.has(key.kid)) return set
  const byKid = new Map(set.byKid).set(key.kid, key)
  return Object.freeze({ keys: Object.freeze([...set.keys, key]), byKid })
}

// By name, not instanceof: jwks-rsa is only a type import here, and may come from another copy.
function isSigningKeyNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SigningKeyNotFoundError'
}
