/**
 * A verified token's confirmation claim (`cnf`, RFC 7800) where no binding is configured: what
 * every entry checks, with or without the `senderConstraints` extension, so that a token bound
 * to a key or a certificate is never taken as a bearer token (the extension's `checkBinding`
 * adds the DPoP and mTLS checks).
 */
import type { AuthContext } from '@middy-auth/core'
import { isRecord } from '@middy-auth/core/internal'
import { refuse } from './rejection.js'

/** How the token came: `Authorization: Bearer` (or another source) or `Authorization: DPoP`. */
export type PresentedAs = 'bearer' | 'dpop'

const isTextOrAbsent = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string'

/** The token's `cnf` claim (RFC 7800): only the members we can check are accepted. */
export function readConfirmation(claims: Readonly<Record<string, unknown>>): { jkt?: string | undefined; x5t?: string | undefined } {
  const cnf = claims.cnf
  if (cnf === undefined) return {}
  if (!isRecord(cnf)) refuse('bad_confirmation')
  for (const name of Object.keys(cnf)) {
    // A key or certificate we cannot check (cnf.jwk, cnf.kid, …) binds the token to something we
    // would ignore: refused rather than taken as a bearer token.
    if (name !== 'jkt' && name !== 'x5t#S256') refuse('bad_confirmation', name)
  }
  const { jkt, 'x5t#S256': x5t } = cnf
  if (!isTextOrAbsent(jkt) || !isTextOrAbsent(x5t)) refuse('bad_confirmation')
  return { jkt, x5t }
}

/**
 * The binding check of an issuer entry with neither `dpop` nor `mtls`: a bearer token without
 * `cnf` passes; the `DPoP` scheme, a DPoP-bound (`cnf.jkt`) or certificate-bound
 * (`cnf['x5t#S256']`) token is refused, since nothing here could check its proof or certificate.
 *
 * @throws TokenRejection (401 `invalid_token`).
 */
export function checkUnbound(auth: AuthContext, presentedAs: PresentedAs): AuthContext {
  // Most requests, and every cache hit: a bearer token with no `cnf`.
  if (presentedAs === 'bearer' && auth.claims.cnf === undefined) return auth
  const { jkt, x5t } = readConfirmation(auth.claims)
  if (presentedAs === 'dpop') refuse('dpop_not_enabled')
  // Downgrade: a DPoP-bound token sent as a bearer token (RFC 9449 §7.2).
  if (jkt !== undefined) refuse('dpop_bound_token_as_bearer')
  if (x5t !== undefined) refuse('mtls_not_enabled')
  return auth
}
