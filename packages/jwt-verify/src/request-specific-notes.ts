import type { AuthContext } from '@middy-auth/core'
import { noteRequestSpecificCheck, type TokenSource } from '@middy-auth/core/internal'
import type { AuthRequest } from './jwt-verifier.js'
import { packageName } from './package-name.js'

/** Notes on the request (core's `noteRequestSpecificCheck`) what makes its identity hold for it only. */
export type NoteRequestSpecific = (request: AuthRequest, auth: AuthContext) => void

/**
 * What the middleware notes when it sets a verified identity: two kinds of it hold for this
 * request only, which a Lambda authorizer's cache must not reuse, a cookie credential (the
 * cross-site check depends on the request's method and origin) and a bound token (its proof or
 * certificate belongs to this request). Only the extensions that bring either (`tokenSources`'
 * cookie; `senderConstraints`' and an opaque verifier's `confirmation`) carry it: a bundle
 * without them leaves these notes out.
 */
export function requestSpecificNotes(tokenSource: TokenSource): NoteRequestSpecific {
  const fromCookie = typeof tokenSource === 'object' && 'cookie' in tokenSource
  return (request, auth) => {
    if (fromCookie) noteRequestSpecificCheck(request, { package: packageName, reason: 'cookie credential' })
    if (auth.confirmation) noteRequestSpecificCheck(request, { package: packageName, reason: 'bound token' })
  }
}
