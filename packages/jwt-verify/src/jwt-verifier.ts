import { AuthError, type AuthContext, type MiddyRequestLike } from '@middy-auth/core'
import { crossSiteDenial, noteCredential, noteRequestSpecificCheck } from '@middy-auth/core/internal'
import type { PresentedAs } from './confirmation.js'
import type { JwtVerifyExtensions } from './extension-types.js'
import { KeysUnavailableError } from './key-resolver.js'
import { compileOptions, type JwtVerifyOptions } from './options.js'
import { packageName } from './package-name.js'
import { refuse, TokenRejection, type JwtVerifyDenialReason } from './rejection.js'
import { looksLikeSeveralTokens } from './token-source.js'

/**
 * Verification outside Middy: what `jwtVerify()` does for a request, as functions that resolve
 * with the `AuthContext` or reject with the `AuthError` the middleware would throw.
 *
 * @example
 * ```ts
 * const auth = await verifier.verifyToken(message.attributes.token)
 * ```
 */
export interface JwtVerifier {
  /**
   * Verifies the credentials a Lambda event carries (any HTTP event kind, an authorizer event,
   * WebSocket `$connect`), with the token source, DPoP and mTLS checks of the options. Resolves
   * with `undefined` only when `credentialsRequired` is `false` and no token came.
   */
  verifyEvent(event: unknown): Promise<AuthContext | undefined>
  /**
   * Verifies a bearer token taken from anywhere (an SQS message attribute, a WebSocket message).
   * A token bound to a key or certificate (`cnf`) is refused: nothing here proves possession.
   */
  verifyToken(token: string): Promise<AuthContext>
}

/** The middleware's own view: the same checks, synchronous when keys are cached and no I/O is needed. */
export interface CompiledJwtVerifier {
  /** `request`: where the verified token is noted (core's `noteCredential`) for a Lambda authorizer after it. */
  authenticate(event: unknown, request?: Pick<MiddyRequestLike, 'internal'>): AuthContext | undefined | Promise<AuthContext | undefined>
  /** Keys start loading now. */
  prefetch(): void
}

/** {@link CompiledJwtVerifier}, and the verification of a token taken from anywhere. */
export interface CompiledTokenVerifier extends CompiledJwtVerifier {
  verifyToken(token: string, presentedAs: PresentedAs, event: unknown): AuthContext | Promise<AuthContext>
}

/**
 * Builds the verification of one middleware instance (checked and compiled at cold start).
 * Internal: both entries' `jwtVerify` and `createJwtVerifier` are built on it. `every`: the root
 * entry's extensions (all of them); without it, those of `options.extensions` (the lean entry).
 */
export function compileJwtVerifier(options: JwtVerifyOptions, every?: JwtVerifyExtensions): CompiledTokenVerifier {
  const [
    issuers,
    readToken,
    tokenSource,
    credentialsRequired,
    fromGateway,
    realm,
    resourceMetadata,
    dpop,
    opaqueTokens,
    binding,
    cacheMaxEntries,
    clock,
    createVerifier,
  ] = compileOptions(options, every)
  const { verify, checkGatewayClaims, issuerFor } = createVerifier({ issuers, cacheMaxEntries, now: clock })

  // AuthError leaves out every option given as undefined; an empty `detail` (a `cnf` member
  // named '') is no detail either.
  const deny = (code: 'missing_token' | 'invalid_request' | 'invalid_token', reason: JwtVerifyDenialReason, description?: string, detail?: string) =>
    new AuthError<JwtVerifyDenialReason>(code, { package: packageName, realm, reason, description, detail: detail || undefined, dpop, resourceMetadata })

  function toAuthError(error: unknown): AuthError {
    if (error instanceof TokenRejection) {
      return deny('invalid_token', error.reason, error.reason === 'expired' ? 'The access token expired' : undefined, error.detail)
    }
    if (error instanceof KeysUnavailableError) {
      return new AuthError('temporarily_unavailable', { package: packageName, reason: 'keys_unavailable', retryAfter: retryAfterSeconds(error) })
    }
    // Anything else is a bug or a hostile input we did not foresee: refuse (never a 500, never an accept).
    return binding.toAuthError(error, dpop) ?? deny('invalid_token', 'verification_error')
  }

  /** A failed verification as the client sees it: several tokens are 400, the rest {@link toAuthError}. */
  const refusal = (error: unknown, token: string): AuthError =>
    error instanceof TokenRejection && looksLikeSeveralTokens(token) ? deny('invalid_request', 'multiple_tokens') : toAuthError(error)

  const bind = (auth: AuthContext, token: string, presentedAs: PresentedAs, event: unknown): AuthContext | Promise<AuthContext> =>
    binding.check(auth, (issuerFor(auth.issuer) ?? refuse('unknown_issuer')).binding, { presentedAs, token, event, now: Math.floor(clock() / 1000) })

  /** Verification then binding; errors are left raw for the caller to turn into an AuthError. */
  function verifyToken(token: string, presentedAs: PresentedAs, event: unknown): AuthContext | Promise<AuthContext> {
    const verified = verify(token, event)
    return verified instanceof Promise ? verified.then((auth) => bind(auth, token, presentedAs, event)) : bind(verified, token, presentedAs, event)
  }

  /** {@link verifyToken}, with its errors turned into the AuthError the client sees ({@link refusal}). */
  function verifyOrRefuse(token: string, presentedAs: PresentedAs, event: unknown): AuthContext | Promise<AuthContext> {
    try {
      const result = verifyToken(token, presentedAs, event)
      return result instanceof Promise
        ? result.catch((error: unknown) => {
            throw refusal(error, token)
          })
        : result
    } catch (error) {
      throw refusal(error, token)
    }
  }

  // An issuer entry that requires bound tokens requires them of every caller: an opaque token
  // proves no possession, so it cannot stand in for one.
  const boundTokensRequired = issuers.some((entry) => entry.binding.dpop?.boundTokens === 'required' || entry.binding.mtls?.boundTokens === 'required')
  /** A token that is not a JWT, with `opaqueTokens` set: to that verifier only. */
  const authenticateOpaque = (
    { verifier, handoff }: NonNullable<typeof opaqueTokens>,
    token: string,
    presentedAs: PresentedAs,
  ): AuthContext | Promise<AuthContext> => handoff.authenticate(verifier, token, { presentedAs, deny, boundTokensRequired })

  const gatewayCheck = { checkClaims: issuers.length > 0 ? checkGatewayClaims : undefined, deny, toAuthError }

  function authenticate(event: unknown, request?: Pick<MiddyRequestLike, 'internal'>): AuthContext | undefined | Promise<AuthContext | undefined> {
    if (fromGateway) {
      const auth = fromGateway(event, gatewayCheck)
      if (auth) return auth
    }
    const lookup = readToken(event)
    if (lookup.kind === 'missing') {
      if (!credentialsRequired) return undefined
      throw deny('missing_token', 'no_credentials')
    }
    if (lookup.kind === 'malformed') throw deny('invalid_request', lookup.reason === 'empty' ? 'empty_token' : 'multiple_tokens')
    if (lookup.kind === 'cross-site') throw crossSiteDenial(packageName, lookup)
    const { token, presentedAs } = lookup
    // A token that is not a JWT goes to opaqueTokens; a JWT needs an issuer entry.
    const opaque = opaqueTokens?.handoff.takes(token) ? opaqueTokens : undefined
    if (!opaque && issuers.length === 0) throw deny('invalid_token', 'no_gateway_identity')
    if (request) noteCredential(request, token)
    // Opaque or not, a cookie credential and a bound token hold for this request only.
    const result = opaque ? authenticateOpaque(opaque, token, presentedAs) : verifyOrRefuse(token, presentedAs, event)
    return result instanceof Promise ? result.then((auth) => noteRequestSpecific(request, auth)) : noteRequestSpecific(request, result)
  }

  const fromCookie = typeof tokenSource === 'object' && 'cookie' in tokenSource
  /**
   * A decision that holds for this request only, which a Lambda authorizer's cache must not reuse:
   * a cookie credential (the cross-site check depends on the request's method and origin), and a
   * bound token (its proof or certificate belongs to this request).
   */
  function noteRequestSpecific(request: Pick<MiddyRequestLike, 'internal'> | undefined, auth: AuthContext): AuthContext {
    if (request) {
      if (fromCookie) noteRequestSpecificCheck(request, { package: packageName, reason: 'cookie credential' })
      if (auth.confirmation) noteRequestSpecificCheck(request, { package: packageName, reason: 'bound token' })
    }
    return auth
  }

  function prefetch(): void {
    for (const entry of issuers) entry.resolver.prefetch()
    opaqueTokens?.verifier.prefetch?.()
  }

  return {
    authenticate,
    prefetch,
    verifyToken: (token, presentedAs, event) =>
      opaqueTokens?.handoff.takes(token) ? authenticateOpaque(opaqueTokens, token, presentedAs) : verifyOrRefuse(token, presentedAs, event),
  }
}

/**
 * What both entries' `createJwtVerifier` return: the compiled verification, its keys loading
 * already, as promises.
 */
export function verifierOutsideMiddy(compiled: CompiledTokenVerifier): JwtVerifier {
  compiled.prefetch()
  return {
    verifyEvent: async (event) => compiled.authenticate(event),
    verifyToken: async (token) => {
      if (typeof token !== 'string' || token.trim() === '') {
        throw new AuthError('missing_token', { package: packageName, reason: 'no_credentials' })
      }
      return compiled.verifyToken(token.trim(), 'bearer', undefined)
    },
  }
}

/** Seconds until the key resolver tries again (its cooldown), at least 1. */
function retryAfterSeconds(error: KeysUnavailableError): number {
  const retryAfterMs = (error.cause as { data?: { retryAfterMs?: unknown } } | undefined)?.data?.retryAfterMs
  return typeof retryAfterMs === 'number' && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : 1
}
