import { AuthError, getHeaderValues, type AnyEvent, type AuthContext } from '@middy-auth/core'
import { clientCertificateThumbprint } from './client-certificate.js'
import { checkUnbound, readConfirmation, type PresentedAs } from './confirmation.js'
import { checkDpopProof } from './dpop-proof.js'
import { packageName } from './package-name.js'
import { DpopNonceRequired, DpopRejection, ReplayStoreUnavailable, TokenRejection } from './rejection.js'
import { normalizeHtu, requestTarget } from './request-target.js'
import type { CompiledBinding } from './sender-binding-options.js'
import type { CheckBinding } from './extension-types.js'
import type { CompiledIssuer, Verifier } from './verifier.js'

/** What of the request a binding is checked against. */
export interface BindingRequest {
  readonly presentedAs: PresentedAs
  readonly token: string
  readonly event: AnyEvent
  /** Seconds since the epoch. */
  readonly now: number
}

/** The one `DPoP` header of the request (a JWS holds no comma, so a comma means several). */
function proofOf(event: AnyEvent): string {
  const values = getHeaderValues(event, 'dpop')
  if (values.length !== 1 || (values[0] as string).includes(',')) throw new DpopRejection(values.length === 0 ? 'missing' : 'several')
  return (values[0] as string).trim()
}

/**
 * Checks that a verified token is used as its binding says (DPoP, RFC 9449 §7; mTLS, RFC 8705
 * §3), and records the binding in `confirmation`. A DPoP-bound token needs the `DPoP` scheme
 * and a valid proof; a certificate-bound token the same client certificate; an issuer entry
 * with `boundTokens: 'required'` refuses unbound tokens. The replay check comes last, so only a
 * proof that passed everything else takes a place in the replay store.
 *
 * @throws TokenRejection (401 `invalid_token`), DpopRejection (401 `invalid_dpop_proof`) or
 *   DpopNonceRequired (401 `use_dpop_nonce`).
 */
export function checkBinding(auth: AuthContext, binding: CompiledBinding, request: BindingRequest): AuthContext | Promise<AuthContext> {
  // An entry with neither: the check every entry runs without the extension.
  if (!binding.dpop && !binding.mtls) return checkUnbound(auth, request.presentedAs)
  // Most requests: a bearer token with no `cnf`, where nothing requires a binding. What the
  // checks below would conclude, without their allocations (every cache hit passes here).
  if (
    request.presentedAs === 'bearer' &&
    auth.claims.cnf === undefined &&
    binding.dpop?.boundTokens !== 'required' &&
    binding.mtls?.boundTokens !== 'required'
  ) {
    return auth
  }
  const cnf = readConfirmation(auth.claims)
  const confirmation: { jkt?: string; 'x5t#S256'?: string } = {}
  let replay: { key: string; expiresAt: number; store: NonNullable<CompiledBinding['dpop']>['replayStore'] } | undefined

  if (request.presentedAs === 'dpop') {
    const dpop = binding.dpop
    if (!dpop) throw new TokenRejection('dpop_not_enabled')
    if (cnf.jkt === undefined) throw new TokenRejection('not_dpop_bound')
    const proof = proofOf(request.event)
    const target = requestTarget(request.event, dpop.publicBaseUrl)
    const url = target && normalizeHtu(target.url)
    if (!target || !url) throw new DpopRejection('request_url_unknown')
    const checked = checkDpopProof(proof, { method: target.method, url, accessToken: request.token, now: request.now }, dpop.rules)
    if (checked.jkt !== cnf.jkt) throw new DpopRejection('jkt_mismatch')
    confirmation.jkt = checked.jkt
    replay = { key: checked.replayKey, expiresAt: checked.expiresAt, store: dpop.replayStore }
  } else {
    // Downgrade: a DPoP-bound token sent as a bearer token (RFC 9449 §7.2).
    if (cnf.jkt !== undefined) throw new TokenRejection('dpop_bound_token_as_bearer')
    if (binding.dpop?.boundTokens === 'required') throw new TokenRejection('dpop_required')
  }

  if (cnf.x5t !== undefined) {
    if (!binding.mtls) throw new TokenRejection('mtls_not_enabled')
    const thumbprint = clientCertificateThumbprint(request.event)
    if (thumbprint === undefined) throw new TokenRejection('no_client_certificate')
    if (thumbprint !== cnf.x5t) throw new TokenRejection('certificate_mismatch')
    confirmation['x5t#S256'] = thumbprint
  } else if (binding.mtls?.boundTokens === 'required') {
    throw new TokenRejection('mtls_bound_token_required')
  }

  if (confirmation.jkt !== undefined || confirmation['x5t#S256'] !== undefined) auth.confirmation = confirmation
  if (!replay) return auth
  const { key, expiresAt, store } = replay
  let claimed: Promise<boolean>
  try {
    claimed = Promise.resolve(store.claim(key, expiresAt))
  } catch (error) {
    // What the store threw, as it threw it: the rejection handler below refuses the proof either way.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    claimed = Promise.reject(error)
  }
  return claimed.then(
    (isNew) => {
      if (isNew !== true) throw new DpopRejection('replayed')
      return auth
    },
    (error: unknown) => {
      // A store that cannot answer never lets a proof through: 503, the client may retry.
      throw new ReplayStoreUnavailable(error)
    },
  )
}

/**
 * The binding check of a middleware with senderConstraints, as it calls it once a token is
 * verified: {@link checkBinding} against the binding of the entry the verifier trusted the
 * token's issuer by (`issuerFor`, the verifier's: that entry exists), at the time `clock` tells.
 */
export function bindingCheck(issuerFor: Verifier['issuerFor'], clock: () => number): CheckBinding {
  return (auth, token, presentedAs, event) =>
    checkBinding(auth, (issuerFor(auth.issuer) as CompiledIssuer).binding, { presentedAs, token, event, now: Math.floor(clock() / 1000) })
}

/**
 * The `AuthError` of what only a binding check throws: a refused DPoP proof (401
 * `invalid_dpop_proof`), a nonce to use (401 `use_dpop_nonce`), a replay store that cannot
 * answer (503); `undefined` for any other error. `dpop`: the algorithms of the challenge.
 */
export function bindingAuthError(error: unknown, dpop: { readonly algs: readonly string[] } | undefined): AuthError | undefined {
  if (error instanceof DpopRejection) {
    return new AuthError('invalid_dpop_proof', { package: packageName, data: { reason: error.reason }, dpop: dpop ?? { algs: [] } })
  }
  if (error instanceof DpopNonceRequired) {
    return new AuthError('use_dpop_nonce', { package: packageName, data: { reason: error.reason }, dpop: { algs: dpop?.algs ?? [], nonce: error.nonce } })
  }
  if (error instanceof ReplayStoreUnavailable) {
    return new AuthError('temporarily_unavailable', { package: packageName, data: { reason: 'replay_store_unavailable' }, retryAfter: 1 })
  }
  return undefined
}
