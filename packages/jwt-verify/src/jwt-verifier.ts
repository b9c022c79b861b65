import { AuthError, setAuth, type AuthContext, type MiddyRequestLike } from '@middy-auth/core'
import { noteCredential } from '@middy-auth/core/internal'
import type { PresentedAs } from './confirmation.js'
import type { JwtVerifyExtensions, VerifyAnyToken } from './extension-types.js'
import { compileOptions, type JwtVerifyOptions } from './options.js'
import { packageName } from './package-name.js'
import { isErrorNamed, type JwtVerifyDenialReason } from './rejection.js'
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

/**
 * The middleware's own view: the same checks, synchronous when keys are cached and no I/O is
 * needed. Keys start loading when it is compiled.
 */
export interface CompiledJwtVerifier {
  /** `verifyEvent`: the identity, `undefined` when `credentialsRequired` is `false` and no token came. */
  authenticate(event: unknown): AuthContext | undefined | Promise<AuthContext | undefined>
  /**
   * The middleware: the identity set on `request` (core's `setAuth`), and the token noted there
   * (core's `noteCredential`) for a Lambda authorizer after it; nothing is returned.
   */
  authenticate(event: unknown, request: AuthRequest): void | Promise<void>
}

/** What the middleware hands {@link CompiledJwtVerifier.authenticate}: where the identity goes. */
export type AuthRequest = Pick<MiddyRequestLike, 'context' | 'internal'>

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
    noteRequestSpecific,
    credentialsRequired,
    trustGateway,
    realm,
    resourceMetadata,
    dpop,
    opaqueTokens,
    binding,
    cacheMaxEntries,
    clock,
    createVerifier,
  ] = compileOptions(options, every)
  const verifier = createVerifier(issuers, cacheMaxEntries, clock)
  const { verify } = verifier

  // AuthError leaves out every option given as undefined; an empty `detail` (a `cnf` member
  // named '') is no detail either.
  const deny = (code: 'missing_token' | 'invalid_request' | 'invalid_token', reason: JwtVerifyDenialReason, description?: string, detail?: string) =>
    new AuthError<JwtVerifyDenialReason>(code, { package: packageName, realm, reason, description, detail: detail || undefined, dpop, resourceMetadata })

  /**
   * A failed verification as the client sees it. `token`: the request's, which, refused and
   * looking like several tokens, is 400 `invalid_request` (the gateway's identity has none).
   */
  function toAuthError(error: unknown, token?: string): AuthError {
    if (isErrorNamed(error, 'TokenRejection')) {
      return token && looksLikeSeveralTokens(token)
        ? deny('invalid_request', 'multiple_tokens')
        : deny('invalid_token', error.reason, error.reason === 'expired' ? 'The access token expired' : undefined, error.detail)
    }
    if (isErrorNamed(error, 'KeysUnavailableError')) {
      // Seconds until the key resolver tries again (its cooldown), at least 1.
      const retryAfterMs = (error.cause as { data?: { retryAfterMs?: unknown } } | undefined)?.data?.retryAfterMs
      const retryAfter = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : 1
      return new AuthError('temporarily_unavailable', { package: packageName, reason: 'keys_unavailable', retryAfter })
    }
    // Anything else is a bug or a hostile input we did not foresee: refuse (never a 500, never an accept).
    return binding.toAuthError(error, dpop) ?? deny('invalid_token', 'verification_error')
  }

  // A verified token's binding check (of the entry the verifier trusted its issuer by, a cached identity's too).
  const bind = binding.bind(verifier.issuerFor, clock)

  /** Verification then binding, with their errors turned into the AuthError the client sees ({@link toAuthError}). */
  function verifyOrRefuse(token: string, presentedAs: PresentedAs, event: unknown): AuthContext | Promise<AuthContext> {
    try {
      const verified = verify(token, event)
      const bound = verified instanceof Promise ? verified.then((auth) => bind(auth, token, presentedAs, event)) : bind(verified, token, presentedAs, event)
      return bound instanceof Promise
        ? bound.catch((error: unknown) => {
            throw toAuthError(error, token)
          })
        : bound
    } catch (error) {
      throw toAuthError(error, token)
    }
  }

  // Keys start loading now, during Lambda's init, and are awaited by the first request.
  for (const entry of issuers) entry.resolver.prefetch()

  /**
   * A token that is not a JWT goes to `opaqueTokens`' verifier, when set; a JWT to the issuer
   * entries (without `opaqueTokens`, directly: no function more to compile or call).
   */
  const verifyAny: VerifyAnyToken = opaqueTokens ? opaqueTokens.dispatch(verifyOrRefuse, deny, issuers) : verifyOrRefuse

  function authenticate(event: unknown): AuthContext | undefined | Promise<AuthContext | undefined>
  function authenticate(event: unknown, request: AuthRequest): void | Promise<void>
  function authenticate(event: unknown, request?: AuthRequest): AuthContext | void | Promise<AuthContext | void> {
    const lookup = readToken(event)
    if (lookup.kind === 'missing') {
      if (!credentialsRequired) return undefined
      throw deny('missing_token', 'no_credentials')
    }
    if (lookup.kind === 'malformed') throw deny('invalid_request', lookup.reason === 'empty' ? 'empty_token' : 'multiple_tokens')
    const { token, presentedAs } = lookup
    // A JWT needs an issuer entry; a token that is not one may go to opaqueTokens.
    if (issuers.length === 0 && !opaqueTokens?.takes(token)) throw deny('invalid_token', 'no_gateway_identity')
    if (request) noteCredential(request, token)
    return settle(request, verifyAny(token, presentedAs, event))
  }

  /**
   * The identity of this request's token set on the request (the middleware), or returned
   * (`verifyEvent`). Before it is set, `noteRequestSpecific` notes it as holding for this request
   * only when it does (a cookie credential, a bound token: ./request-specific-notes.ts); only the
   * extensions that can bring one compile it (`undefined` without them: nothing to note).
   */
  function settle(request: AuthRequest | undefined, result: AuthContext | Promise<AuthContext>): AuthContext | void | Promise<AuthContext | void> {
    if (result instanceof Promise) return result.then((auth) => settle(request, auth))
    if (!request) return result
    noteRequestSpecific?.(request, result)
    setAuth(request, result)
    return undefined
  }

  return {
    // trustApiGateway: the identity API Gateway verified comes first (the apiGatewayClaims extension).
    authenticate: trustGateway ? (trustGateway(authenticate, verifier, issuers, deny, toAuthError) as typeof authenticate) : authenticate,
    verifyToken: verifyAny,
  }
}

/**
 * What both entries' `createJwtVerifier` return: the compiled verification (its keys loading
 * already) as promises.
 */
export function verifierOutsideMiddy(compiled: CompiledTokenVerifier): JwtVerifier {
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
