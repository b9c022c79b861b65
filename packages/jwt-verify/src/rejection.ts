import type { AuthErrorCode } from '@middy-auth/core'

/**
 * Why a token was refused. Each reason is for logs (`AuthError.cause.data.reason`) and is never
 * sent to the client, who sees `invalid_token` and a generic description.
 */
export type RejectionReason =
  | 'too_large'
  | 'malformed'
  | 'bad_header'
  | 'crit_unsupported'
  | 'embedded_key_header'
  | 'alg_not_allowed'
  | 'unknown_issuer'
  | 'unknown_kid'
  | 'key_mismatch'
  | 'bad_signature'
  | 'typ_mismatch'
  | 'bad_claim_type'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'audience_mismatch'
  | 'missing_claim'
  | 'claims_check_failed'
  | 'bad_confirmation'
  | 'dpop_not_enabled'
  | 'not_dpop_bound'
  | 'dpop_bound_token_as_bearer'
  | 'dpop_required'
  | 'mtls_not_enabled'
  | 'no_client_certificate'
  | 'certificate_mismatch'
  | 'mtls_bound_token_required'
  | 'access_token_missing'
  | 'subject_mismatch'
  /** A preset's own claim check: Cognito's `token_use` and `client_id`, Entra ID's `tid`, Keycloak's `azp`. */
  | 'token_use'
  | 'client_id'
  | 'tid'
  | 'azp'

/** Why a DPoP proof was refused (401 `invalid_dpop_proof`): the proof's part that failed. */
export type DpopRejectionReason =
  | 'missing'
  | 'several'
  | 'malformed'
  | 'too_large'
  | 'typ'
  | 'alg'
  | 'jwk'
  | 'crit'
  | 'signature'
  | 'jti'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'iat_future'
  | 'iat_too_old'
  | 'ath'
  | 'jkt_mismatch'
  | 'replayed'
  | 'request_url_unknown'

/**
 * Why jwtVerify (or `createJwtVerifier`) denied: `AuthError.reason`, also
 * `cause.data.reason`, never sent to the client. A token's check that failed
 * (`RejectionReason`: `expired`, `audience_mismatch`, `unknown_issuer`, `token_use`, …,
 * with the claim concerned, never its value, as `AuthError.detail`), a DPoP proof's, a DPoP
 * nonce to fetch (`nonce_missing`, `nonce_stale`), no credentials (`no_credentials`), a
 * malformed request (`empty_token`, `multiple_tokens`), a cookie token sent from another site
 * (`cross_site_request`, `foreign_origin`), an outage (`keys_unavailable`,
 * `replay_store_unavailable`), the gateway's identity (`no_gateway_identity`,
 * `bound_token_from_gateway`), an opaque token (`opaque_*`: the introspection verifier's
 * answer), or an error nobody foresaw (`verification_error`).
 *
 * @example
 * ```ts
 * import type { AuthError } from '@middy-auth/core'
 * const expired = (error: AuthError<JwtVerifyDenialReason>) => error.reason === 'expired'
 * ```
 */
export type JwtVerifyDenialReason =
  | RejectionReason
  | DpopRejectionReason
  | 'nonce_missing'
  | 'nonce_stale'
  | 'no_credentials'
  | 'empty_token'
  | 'multiple_tokens'
  | 'keys_unavailable'
  | 'replay_store_unavailable'
  | 'verification_error'
  | 'no_gateway_identity'
  | 'cross_site_request'
  | 'foreign_origin'
  | 'bound_token_from_gateway'
  | 'opaque_token_as_dpop'
  | 'opaque_token_not_bound'
  | 'opaque_token_bound'
  | 'opaque_verifier_answer'
  | 'opaque_verifier_error'
  | `opaque_${AuthErrorCode}`

/**
 * A token failed verification. Thrown inside the verifier, turned into an `AuthError` by the
 * middleware (which reads `reason` and `detail`: no message of its own is ever seen).
 */
export class TokenRejection extends Error {
  // No class fields (fields are assigned by the constructor, `name` is a getter): a class with
  // fields has an initializer function that V8 compiles when the module loads, at cold start,
  // when nothing is refused. (An assignment to the prototype would keep the class in every
  // bundle: a side effect.)
  override get name(): string {
    return 'TokenRejection'
  }
  declare readonly reason: RejectionReason
  /** The claim or header parameter concerned, never its value. */
  declare readonly detail: string | undefined
  constructor(reason: RejectionReason, detail?: string) {
    super(reason)
    this.reason = reason
    this.detail = detail
  }
}

/**
 * Whether `error` is an error of this package named `name` (`'TokenRejection'`,
 * `'KeysUnavailableError'`), also when another installed copy of the package threw it: the lean
 * entry may run the extensions of such a copy (same mark), whose classes are not this copy's, so
 * `instanceof` would take their refusals for a bug (401 `verification_error`) and their
 * unavailable keys for a refusal instead of a 503.
 *
 * @example
 * ```ts
 * if (isErrorNamed(error, 'TokenRejection')) return deny('invalid_token', error.reason)
 * ```
 */
export function isErrorNamed<N extends 'TokenRejection' | 'KeysUnavailableError'>(
  error: unknown,
  name: N,
): error is N extends 'TokenRejection' ? TokenRejection : Error {
  return error instanceof Error && error.name === name
}

/**
 * Throws the {@link TokenRejection}: why, and the claim or parameter concerned (never its
 * value). A function, so that each check reads as one line and its message is not repeated.
 */
export const refuse: (reason: RejectionReason, detail?: string) => never = function (reason, detail) {
  throw new TokenRejection(reason, detail)
}

// The classes below are written as TokenRejection is, without class fields, for the same reason.

/** A DPoP proof is missing, malformed, replayed, or does not match the request or the token: 401 `invalid_dpop_proof`. */
export class DpopRejection extends Error {
  override get name(): string {
    return 'DpopRejection'
  }
  declare readonly reason: DpopRejectionReason
  constructor(reason: DpopRejectionReason) {
    super(reason)
    this.reason = reason
  }
}

/** The proof lacks a fresh server nonce (RFC 9449 §8): 401 `use_dpop_nonce` with a new one. */
export class DpopNonceRequired extends Error {
  override get name(): string {
    return 'DpopNonceRequired'
  }
  declare readonly reason: 'nonce_missing' | 'nonce_stale'
  /** The fresh nonce for the `DPoP-Nonce` header. */
  declare readonly nonce: string
  constructor(reason: 'nonce_missing' | 'nonce_stale', nonce: string) {
    super(reason)
    this.reason = reason
    this.nonce = nonce
  }
}

/** The replay store failed or timed out: 503 `temporarily_unavailable`, never an accepted proof. */
export class ReplayStoreUnavailable extends Error {
  override get name(): string {
    return 'ReplayStoreUnavailable'
  }
  constructor(cause: unknown) {
    super('replay_store_unavailable', { cause })
  }
}
