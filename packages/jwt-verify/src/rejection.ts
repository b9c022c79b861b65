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

/** A token failed verification. Thrown inside the verifier, turned into an `AuthError` by the middleware. */
export class TokenRejection extends Error {
  override readonly name = 'TokenRejection'
  constructor(
    readonly reason: RejectionReason,
    /** The claim or header parameter concerned, never its value. */
    readonly detail?: string,
  ) {
    super(detail ? `${reason} (${detail})` : reason)
  }
}

/** A DPoP proof is missing, malformed, replayed, or does not match the request or the token: 401 `invalid_dpop_proof`. */
export class DpopRejection extends Error {
  override readonly name = 'DpopRejection'
  constructor(readonly reason: string) {
    super(reason)
  }
}

/** The proof lacks a fresh server nonce (RFC 9449 §8): 401 `use_dpop_nonce` with a new one. */
export class DpopNonceRequired extends Error {
  override readonly name = 'DpopNonceRequired'
  constructor(
    readonly reason: 'nonce_missing' | 'nonce_stale',
    /** The fresh nonce for the `DPoP-Nonce` header. */
    readonly nonce: string,
  ) {
    super(reason)
  }
}

/** The replay store failed or timed out: 503 `temporarily_unavailable`, never an accepted proof. */
export class ReplayStoreUnavailable extends Error {
  override readonly name = 'ReplayStoreUnavailable'
  constructor(cause: unknown) {
    super('replay_store_unavailable', { cause })
  }
}
