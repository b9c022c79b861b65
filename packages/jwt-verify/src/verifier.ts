import type { AuthContext } from '@middy-auth/core'
import { deepFreeze, readScopeList } from '@middy-auth/core/internal'
import { type Algorithm, type HmacAlgorithm, keyFitsAlgorithm, verifySignature } from './algorithms.js'
import { checkClaims, type ClaimRules } from './claims-check.js'
import { checkHeader } from './header-check.js'
import type { RunClaimsCheck } from './claims-check-runner.js'
import { decodeJws, type DecodedJws } from './jws.js'
import type { KeyResolver, KeySet, ResolvedKey } from './key-resolver.js'
import { refuse } from './rejection.js'
import type { CompiledBinding } from './sender-binding-options.js'
import { createVerifiedTokenCache, type VerifiedIdentity, type VerifiedTokenCache } from './verified-token-cache.js'

/** One issuer entry, compiled at cold start. */
export interface CompiledIssuer {
  readonly issuers: readonly string[]
  readonly algorithms: ReadonlySet<Algorithm | HmacAlgorithm>
  /** The entry's symmetric secret: then its only key, whatever the token's `kid`. */
  readonly secretKey?: ResolvedKey
  readonly resolver: KeyResolver
  readonly rules: ClaimRules
  /** The user's check (`claimsCheck`), compiled by the `claimsChecks` extension with its `claimsCacheTtl`; `undefined` without one. */
  readonly claimsCheck: RunClaimsCheck | undefined
  /** How its tokens may be bound to the client (DPoP, mTLS). */
  readonly binding: CompiledBinding
}

/**
 * Builds the verification of one middleware instance ({@link createVerifier}, or the ALB
 * verifier's): its issuer entries, the entries of its verified-token cache (0 turns it off), and
 * its clock, in milliseconds.
 */
export type CreateVerifier = (issuers: readonly CompiledIssuer[], cacheMaxEntries: number, now: () => number) => Verifier

/**
 * Verifies a token: synchronously when its keys are cached, which is the warm path. The event
 * is for verifiers that need more of the request than the token (the ALB's access token).
 */
export type Verify = (token: string, event?: unknown) => AuthContext | Promise<AuthContext>

/**
 * Applies an issuer entry's claim rules (audience, required claims, the preset's and the user's
 * checks) to claims API Gateway already verified, so `trustApiGateway` refuses what the
 * configuration refuses. The gateway checked the signature and the times when the request
 * arrived; there is no header to check. A Promise when the user's check is `async`.
 */
export type CheckGatewayClaims = (claims: Record<string, unknown>) => void | Promise<unknown>

/** The verification of one middleware instance: {@link createVerifier}'s, or the ALB verifier's (./alb.ts). */
export interface Verifier {
  readonly verify: Verify
  /**
   * The ALB verifier's own rule for claims API Gateway verified (they never come from a load
   * balancer); the JWT verifier has none: the `apiGatewayClaims` extension checks them against
   * the entry {@link Verifier.issuerFor} finds.
   */
  readonly checkGatewayClaims?: CheckGatewayClaims
  /** The entry that trusts an issuer (its binding rules, its claim rules). */
  readonly issuerFor: (iss: string | undefined) => CompiledIssuer | undefined
}

/**
 * A fresh identity per request: rbac adds roles and permissions to what it is given. Written out
 * field by field (every cached identity is a JWT's, made by `finish` below, with no roles): one
 * object shape for every request, and no spread. The cached identity and its scope list are
 * never handed out, only copied, so they are not frozen: copying a frozen array takes V8's slow
 * path (measured: a third of a cache hit's own time).
 */
const copyAuth = (auth: VerifiedIdentity): AuthContext => ({
  source: 'jwt',
  subject: auth.subject,
  issuer: auth.issuer,
  scopes: auth.scopes.slice(),
  roles: [],
  claims: auth.claims,
})

/**
 * The clock's time in whole seconds, as jose (the oracle) compares: a fraction would move nbf and
 * iat past its limits. Fail closed: a clock that gives no time (NaN from `clock: () => Date.now`,
 * a string) would pass every time check and every cache entry; the middleware turns this error
 * into a 401. The verifier's and the ALB verifier's (./alb.ts) one reading of `clock`.
 */
export function secondsOf(now: () => number): number {
  const seconds = Math.floor(now() / 1000)
  if (!Number.isFinite(seconds)) throw new Error('jwtVerify: clock() did not return milliseconds')
  return seconds
}

/**
 * Builds the verification of one middleware instance: issuer selection by `iss` (an unknown
 * issuer is refused before any key is fetched), header checks, key lookup by `kid`, the
 * signature with `node:crypto`, claim checks, and the verified-token cache.
 *
 * @example
 * ```ts
 * const { verify } = createVerifier([compiled], 1000, Date.now)
 * const auth = await verify(token)
 * ```
 */
export function createVerifier(issuers: readonly CompiledIssuer[], cacheMaxEntries: number, now: () => number): Verifier {
  // The first entry that lists an issuer trusts it. Only strings are keys: an `iss` of any other
  // type finds nothing, without a typeof.
  const byIssuer = new Map<unknown, CompiledIssuer>()
  for (const entry of issuers) for (const iss of entry.issuers) if (!byIssuer.has(iss)) byIssuer.set(iss, entry)
  const cache = cacheMaxEntries > 0 ? createVerifiedTokenCache(cacheMaxEntries) : undefined

  function finish(
    token: string,
    issuer: CompiledIssuer,
    decoded: DecodedJws,
    alg: Algorithm | HmacAlgorithm,
    key: ResolvedKey,
    nowSeconds: number,
  ): AuthContext | Promise<AuthContext> {
    const [header, payload, signingInput, signature] = decoded
    if (!verifySignature(alg, signingInput, signature, key)) refuse('bad_signature')
    const expiresAt = checkClaims(header, payload, issuer.rules, nowSeconds)
    const claims = deepFreeze(payload)
    const checked = issuer.claimsCheck?.(claims, nowSeconds, expiresAt)
    // Kept in the cache, never handed out: every request gets an identity made of it (copyAuth).
    const auth: VerifiedIdentity = {
      // checkClaims refused a `sub` that is not a string.
      subject: (claims.sub as string | undefined) ?? '',
      issuer: claims.iss as string,
      scopes: readScopeList(claims.scope ?? claims.scp),
      claims,
    }
    function remember(claimsCheckedUntil: number): AuthContext {
      cache?.set([token, auth, expiresAt, key, issuer, claimsCheckedUntil])
      return copyAuth(auth)
    }
    // Only a check that passed is remembered, never past the token's own expiry (the runner's answer).
    return checked ? checked.then(remember) : remember(0)
  }

  const verify: Verify = function (token) {
    const nowSeconds = secondsOf(now)
    const hit = cache?.get(token)
    if (hit) {
      const [, auth, expiresAt, key, issuer] = hit
      // Served again until it expires or its key leaves the key set; then verified anew.
      if (nowSeconds < expiresAt && issuer.resolver.cached()?.keys.includes(key)) {
        // A custom check may depend on more than the token (a deny list, the time): the
        // claimsChecks extension runs it again (a synchronous one on every request, an async one
        // once per claimsCacheTtl) and drops the entry when it fails.
        const checked = issuer.claimsCheck?.again(hit, nowSeconds, cache as VerifiedTokenCache)
        return checked ? checked.then(() => copyAuth(auth)) : copyAuth(auth)
      }
      cache?.delete(token)
    }

    const decoded = decodeJws(token)
    const [header, payload] = decoded
    const { alg, kid } = checkHeader(header)
    // The entry that trusts this `iss`; any other issuer is refused.
    const issuer = byIssuer.get(payload.iss) ?? refuse('unknown_issuer')
    if (!issuer.algorithms.has(alg)) refuse('alg_not_allowed')

    const key = issuer.secretKey ?? pickKey(issuer.resolver.cached(), kid, alg)
    if (key) return finish(token, issuer, decoded, alg, key, nowSeconds)
    return issuer.resolver
      .getKeySet(kid)
      .then((fresh) => finish(token, issuer, decoded, alg, pickKey(fresh, kid, alg) ?? refuse('unknown_kid'), secondsOf(now)))
  }

  return { verify, issuerFor: (iss) => byIssuer.get(iss) }
}

/**
 * The key for a token, from the key set if there is one: by `kid`; without a `kid`, the one
 * key of the set that fits the algorithm (several would be ambiguous). A key that is found but
 * does not fit is refused at once rather than refetched.
 */
function pickKey(keySet: KeySet | undefined, kid: string | undefined, alg: Algorithm | HmacAlgorithm): ResolvedKey | undefined {
  if (!keySet) return undefined
  if (kid !== undefined) {
    const key = keySet.byKid.get(kid)
    if (key && !keyFitsAlgorithm(key, alg)) refuse('key_mismatch')
    return key
  }
  const candidates = keySet.keys.filter((key) => keyFitsAlgorithm(key, alg))
  return candidates.length === 1 ? candidates[0] : undefined
}
