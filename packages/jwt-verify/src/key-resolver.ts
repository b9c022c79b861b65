import type { KeyObject } from 'node:crypto'

/**
 * One verification key of a key set, imported once and reused for every token
 * that names its `kid`.
 *
 * @example
 * ```ts
 * crypto.verify('sha256', data, resolved.key, signature)
 * ```
 */
export interface ResolvedKey {
  /** The JWK `kid`, when the key set gave one. */
  readonly kid: string | undefined
  /** `RSA`, `EC` or `OKP`. */
  readonly kty: string
  /** The curve of an `EC` or `OKP` key. */
  readonly crv: string | undefined
  /** The JWK `alg`, when given: a token signed with another algorithm must not use this key. */
  readonly alg: string | undefined
  /** The JWK `use`, when given: only `sig` keys verify tokens. */
  readonly use: string | undefined
  /** The imported public key, passed bare to `crypto.verify` (no options object: docs/design.md#verifying-at-the-floor). */
  readonly key: KeyObject
}

/**
 * A key set as served at one moment.
 *
 * @example
 * ```ts
 * const key = keySet.byKid.get('key-1')
 * ```
 */
export interface KeySet {
  readonly keys: readonly ResolvedKey[]
  /** Keys by `kid`. */
  readonly byKid: ReadonlyMap<string, ResolvedKey>
}

/**
 * Where the keys of one issuer come from. The verifier asks {@link KeyResolver.cached}
 * first (synchronous: the warm path awaits nothing) and falls back to
 * {@link KeyResolver.getKeySet} when nothing is cached or the kid is unknown.
 *
 * @example
 * ```ts
 * import { createRemoteKeyResolver } from '@middy-auth/jwt-verify/keys'
 * const resolver = createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/.well-known/jwks.json' })
 * resolver.prefetch()
 * ```
 */
export interface KeyResolver {
  /** Starts fetching now (at cold start). Never throws and never rejects. */
  prefetch(): void
  /** The key set in cache, if any, without any I/O. */
  cached(): KeySet | undefined
  /**
   * A key set that has `kid`, fetching or refetching when needed (concurrent callers share one
   * fetch; a refetch for an unknown kid happens at most once per cooldown). Resolves with the
   * current set when the kid still cannot be found. Rejects with {@link KeysUnavailableError}
   * only when no key set can be fetched and none is cached.
   */
  getKeySet(kid: string | undefined): Promise<KeySet>
}

/**
 * The keys of an issuer cannot be fetched and none are cached (503 `temporarily_unavailable`).
 *
 * @example
 * ```ts
 * if (error instanceof KeysUnavailableError) console.warn('JWKS endpoint down, nothing cached')
 * ```
 */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError'
}
