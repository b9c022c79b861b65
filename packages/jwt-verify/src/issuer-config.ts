import type { Algorithm, HmacAlgorithm } from './algorithms.js'
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
 * A public key given in PEM form.
 *
 * @example
 * ```ts
 * const key: StaticPemKey = { kid: 'signing-2025', pem: '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----' }
 * ```
 */
export interface StaticPemKey {
  /** The key id tokens carry in their header. Optional when the entry has one key. */
  kid?: string
  /** SPKI or PKCS#1 public key, or an X.509 certificate, PEM-encoded. Never a private key. */
  pem: string
  /** The one algorithm this key verifies. Default: any of the entry's that fits the key. */
  alg?: Algorithm
}

/** What every issuer entry has, whatever its keys. */
interface IssuerBase {
  /** The exact `iss` value, or several that share the same keys (Entra ID v1 and v2). */
  issuer: string | readonly string[]
  /** Accepted `aud` values (any one must match), or `null` to skip the audience check. */
  audience: string | readonly string[] | null
  /** Required `typ` header (`at+jwt` also matches `application/at+jwt`). Default: not checked. */
  tokenType?: string
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockTolerance?: number
  /** Maximum age from `iat`, in seconds; makes `iat` required. Default: none. */
  maxTokenAge?: number
  /** Claims that must be present. Default: none beyond `exp` (and `iss`, and `aud` unless `audience: null`). */
  requiredClaims?: readonly string[]
  /** A custom check of the payload, synchronous or `async` (in the lean entry, with the `claimsChecks` extension). Default: none. */
  claimsCheck?: ClaimsCheck
  /**
   * The former name of `claimsCheck` (`context.auth.claims` is the payload, not a check).
   *
   * @deprecated Rename it `claimsCheck`: `claims` still works, with a `DeprecationWarning` at cold start.
   */
  claims?: ClaimsCheck
  /**
   * Seconds an `async` `claimsCheck` success is reused for the same token (never past `exp`); 0
   * runs it on every request (in the lean entry, with the `claimsChecks` extension). Default 60.
   */
  claimsCacheTtl?: number
  /** DPoP-bound tokens of this issuer (RFC 9449); `false` turns off the middleware's `dpop` here. Default: the middleware's `dpop`. */
  dpop?: DpopOptions | false
  /** mTLS-bound tokens of this issuer (RFC 8705); `false` turns off the middleware's `mtls` here. Default: the middleware's `mtls`. */
  mtls?: MtlsOptions | false
}

/**
 * An issuer whose tokens are signed with public-key algorithms: keys from a JWKS URL (or OIDC
 * discovery), a local JWKS, PEM keys, or your own resolver. `audience` is required: write
 * `audience: null` to skip the check, on purpose.
 *
 * @example
 * ```ts
 * const issuer: PublicKeyIssuerConfig = {
 *   issuer: 'https://auth.example.com/',
 *   audience: 'https://api.example.com',
 *   algorithms: ['RS256'],
 * }
 * ```
 */
export interface PublicKeyIssuerConfig extends IssuerBase {
  /**
   * The JWKS URL (https:, or http: on a loopback host). Omitted: OIDC discovery from `issuer`
   * (in the lean entry, with the `oidcDiscovery` extension).
   */
  jwksUri?: string
  /** A local key set: no network at all (in the lean entry, with the `staticKeys` extension). */
  jwks?: { keys: readonly unknown[] }
  /** Where keys come from, instead of `jwksUri`/`jwks` (e.g. the `jwks-rsa` adapter). */
  keyResolver?: KeyResolver
  /**
   * Local public keys in PEM: SPKI (`BEGIN PUBLIC KEY`), PKCS#1 (`BEGIN RSA PUBLIC KEY`) or an
   * X.509 certificate (`BEGIN CERTIFICATE`), each with the `kid` tokens name it by (in the lean
   * entry, with the `staticKeys` extension).
   */
  keys?: readonly StaticPemKey[]
  /** Accepted `alg` values. Default: every supported asymmetric algorithm. */
  algorithms?: readonly Algorithm[]
  secret?: never
}

/**
 * An issuer whose tokens are signed with a shared secret (HMAC): self-issued tokens, providers
 * that sign with a client secret. The secret is at least 32 bytes; `algorithms` lists the HMAC
 * algorithms accepted and nothing else; the entry has no public keys, so that a public key can
 * never be taken for an HMAC secret (RFC 8725 §2.1).
 *
 * @example
 * ```ts
 * const issuer: SecretIssuerConfig = {
 *   issuer: 'https://orders.example.com',
 *   audience: 'orders-worker',
 *   secret: process.env.TOKEN_SECRET ?? '',
 *   algorithms: ['HS256'],
 * }
 * ```
 */
export interface SecretIssuerConfig extends IssuerBase {
  /** The shared secret: a string (its UTF-8 bytes) or bytes, at least 32 bytes (in the lean entry, with the `staticKeys` extension). */
  secret: string | Uint8Array
  /** Accepted HMAC algorithms. Required. */
  algorithms: readonly HmacAlgorithm[]
  jwksUri?: never
  jwks?: never
  keyResolver?: never
  keys?: never
}

/**
 * One trusted issuer: public keys ({@link PublicKeyIssuerConfig}) or a shared secret
 * ({@link SecretIssuerConfig}), never both.
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
export type IssuerConfig = PublicKeyIssuerConfig | SecretIssuerConfig
