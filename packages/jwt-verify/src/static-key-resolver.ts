import { configErrors, isRecord, type ConfigError } from '@middy-auth/core/internal'
import { importKeySet } from './import-jwk.js'
import type { KeyResolver, KeySet } from './key-resolver.js'
import { packageName } from './package-name.js'

/**
 * A {@link KeyResolver} over keys given in configuration (the `jwks` option of an issuer): no
 * network, nothing to prefetch, the same {@link KeySet} for every call.
 *
 * The keys are validated and imported once, here, with the rules of `importJwk` (public RSA
 * of 2048 bits or more, EC P-256/P-384/P-521, Ed25519/Ed448; `use` absent or `sig`). Unusable
 * keys are skipped; a set with no usable key at all is a configuration error.
 *
 * @param jwks - A JWKS document: `{ keys: [jwk, …] }`, public keys only.
 * @returns A resolver whose `cached()` always returns the set, and whose `getKeySet()` resolves
 *   with it (also for an unknown kid: the verifier then rejects the token).
 * @throws TypeError when `jwks` is not `{ keys: [...] }` or contains no usable key.
 *
 * @example
 * ```ts
 * import { createStaticKeyResolver } from '@middy-auth/jwt-verify/keys'
 *
 * const resolver = createStaticKeyResolver({
 *   keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', use: 'sig', x: '…', y: '…' }],
 * })
 * resolver.cached()?.byKid.get('k1')
 * ```
 */
export function createStaticKeyResolver(jwks: { keys: unknown[] }): KeyResolver {
  return staticKeyResolver(jwks, 'jwks', configErrors(packageName, 'createStaticKeyResolver'))
}

/**
 * {@link createStaticKeyResolver}, whose mistakes are the caller's: `jwtVerify()` names the
 * entry's option (`issuers[0].jwks`) in its own `TypeError`.
 */
export function staticKeyResolver(jwks: unknown, option: string, fail: ConfigError): KeyResolver {
  // Checked here rather than by catching importKeySet's Error: the message names the option.
  if (!isRecord(jwks) || !Array.isArray(jwks.keys)) throw fail(option, 'must be a JWKS object: { keys: [...] }')
  const keySet: KeySet = importKeySet(jwks)
  if (keySet.keys.length === 0) {
    throw fail(option, 'has no usable key: only public RSA (2048 bits or more), EC (P-256, P-384, P-521) and OKP (Ed25519, Ed448) signature keys are used')
  }
  return fixedKeyResolver(keySet)
}

/** A resolver over a fixed set (`jwks`, and an entry's PEM `keys` or `secret`): nothing to fetch. */
export function fixedKeyResolver(keySet: KeySet): KeyResolver {
  // One promise for every call: resolving a new one per token would cost an allocation.
  const resolved = Promise.resolve(keySet)
  return { prefetch() {}, cached: () => keySet, getKeySet: () => resolved }
}
