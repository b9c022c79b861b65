import type { Algorithm } from './algorithms.js'
import type { KeyResolver } from './key-resolver.js'
import type { DpopOptions, MtlsOptions } from './sender-binding-options.js'

/**
 * A custom check of a verified payload, run after the signature and every standard check.
 * Return `false` (or throw, or reject) to refuse the token; the reason is logged, the client
 * sees `invalid_token`. A synchronous check runs on every request; an `async` one (a revocation
 * list, a user lookup) is awaited, and its success is remembered with the token for
 * `claimsCacheTtl` seconds, never past `exp`.
 *
 * @example
 * ```ts
 * const sameTenant: ClaimsCheck = (payload) => payload.tenant === 'acme'
 * const notRevoked: ClaimsCheck = async (payload) => !(await revoked.has(String(payload.jti)))
 * ```
 */
export type ClaimsCheck = (payload: Readonly<Record<string, unknown>>) => boolean | void | Promise<boolean | void>

/**
 * One trusted issuer. `audience` is required: write `audience: null` to skip the check, on
 * purpose.
 *
 * @example
 * ```ts
 * const issuer: IssuerConfig = {
 *   issuer: 'https://auth.example.com/',
 *   audience: 'https://api.example.com',
 *   algorithms: ['RS256'],
 * }
 * ```
 */
export interface IssuerConfig {
  /** The exact `iss` value, or several that share the same keys (Entra ID v1 and v2). */
  issuer: string | readonly string[]
  /** Accepted `aud` values (any one must match), or `null` to skip the audience check. */
  audience: string | readonly string[] | null
  /** The JWKS URL (https:, or http: on a loopback host). Omitted: OIDC discovery from `issuer`. */
  jwksUri?: string
  /** A local key set: no network at all. */
  jwks?: { keys: readonly unknown[] }
  /** Where keys come from, instead of `jwksUri`/`jwks` (e.g. the `jwks-rsa` adapter). */
  keyResolver?: KeyResolver
  /** Accepted `alg` values. Default: every supported asymmetric algorithm. */
  algorithms?: readonly Algorithm[]
  /** Required `typ` header (`at+jwt` also matches `application/at+jwt`). Default: not checked. */
  tokenType?: string
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockTolerance?: number
  /** Maximum age from `iat`, in seconds; makes `iat` required. Default: none. */
  maxTokenAge?: number
  /** Claims that must be present. Default: none beyond `exp` (and `iss`, and `aud` unless `audience: null`). */
  requiredClaims?: readonly string[]
  /** A custom check of the payload, synchronous or `async`. */
  claims?: ClaimsCheck
  /** Seconds an `async` `claims` check's success is reused for the same token (never past `exp`); 0 runs it on every request. Default 60. */
  claimsCacheTtl?: number
  /** DPoP-bound tokens of this issuer (RFC 9449); `false` turns off the middleware's `dpop` here. Default: the middleware's `dpop`. */
  dpop?: DpopOptions | false
  /** mTLS-bound tokens of this issuer (RFC 8705); `false` turns off the middleware's `mtls` here. Default: the middleware's `mtls`. */
  mtls?: MtlsOptions | false
}
