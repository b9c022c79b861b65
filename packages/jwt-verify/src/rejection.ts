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
