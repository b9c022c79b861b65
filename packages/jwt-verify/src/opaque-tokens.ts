import { isAuthError, type AuthContext } from '@middy-auth/core'
import { isRecord, looksLikeSeveralTokens, type ConfigError } from '@middy-auth/core/internal'
import type { PresentedAs } from './confirmation.js'
import type { Deny, OpaqueTokenHandoff } from './extension-types.js'
import type { CompiledIssuer } from './verifier.js'

/**
 * What `jwtVerify`'s `opaqueTokens` option takes: a verifier of access tokens that are not JWTs
 * (opaque tokens, checked at the provider). `@middy-auth/token-introspection`'s
 * `createIntrospectionVerifier()` is one; any object with this shape will do.
 *
 * `verifyToken` returns (or resolves with) the caller's identity, or throws (or rejects with)
 * an `AuthError`: `invalid_token` for a token it refuses, `temporarily_unavailable` when it
 * cannot tell. Anything else it throws is taken as a refusal (`invalid_token`), never an
 * acceptance.
 *
 * @example
 * ```ts
 * const opaqueTokens: OpaqueTokenVerifier = {
 *   verifyToken: async (token) => lookUpSession(token),
 * }
 * ```
 */
export interface OpaqueTokenVerifier {
  /** The identity of an opaque token; called only with tokens that are not JWTs. */
  verifyToken(token: string): AuthContext | Promise<AuthContext>
  /** Starts loading what it needs (discovery), at cold start. Optional. */
  prefetch?(): void
}

/**
 * Whether a token has the shape of a JWT (JWS compact serialization: three segments). Such a
 * token only ever goes to the JWT verifier, and any other only to the opaque verifier: a bad
 * JWT is never retried as an opaque token, nor an opaque token decoded as a JWT.
 */
const isJwtShaped = (token: string): boolean => token.split('.').length === 3

/**
 * Checks the option at cold start; the hand-off of tokens that are not JWTs to its verifier,
 * which the middleware builds once its JWT verification is compiled.
 */
export function compileOpaqueTokens(value: unknown, fail: ConfigError): OpaqueTokenHandoff {
  if (!isRecord(value) || typeof value.verifyToken !== 'function' || (value.prefetch !== undefined && typeof value.prefetch !== 'function')) {
    throw fail(
      'opaqueTokens',
      `must be an object with verifyToken(token) (and optionally prefetch()), such as createIntrospectionVerifier({ … }) from @middy-auth/token-introspection`,
    )
  }
  const verifier = value as unknown as OpaqueTokenVerifier
  return {
    takes: (token) => !isJwtShaped(token),
    dispatch(verifyJwt, deny, issuers) {
      // An issuer entry that requires bound tokens requires them of every caller: an opaque token
      // proves no possession, so it cannot stand in for one.
      const boundTokensRequired = issuers.some(requiresBoundTokens)
      // Its discovery starts loading now, during Lambda's init, after the issuers' keys.
      verifier.prefetch?.()
      return (token, presentedAs, event) =>
        isJwtShaped(token) ? verifyJwt(token, presentedAs, event) : authenticateOpaque(verifier, token, presentedAs, deny, boundTokensRequired)
    },
  }
}

const requiresBoundTokens = (entry: CompiledIssuer): boolean => entry.binding.dpop?.boundTokens === 'required' || entry.binding.mtls?.boundTokens === 'required'

/**
 * Runs the opaque verifier and keeps its outcome within the middleware's contract: a refusal
 * is re-rendered with the middleware's own challenge (realm, `resource_metadata`), an outage
 * stays a 503, and anything unexpected (a thrown error that is not an `AuthError`, an answer
 * that is not an identity) is `invalid_token`.
 */
function verifyOpaque(verifier: OpaqueTokenVerifier, token: string, refuse: Deny): AuthContext | Promise<AuthContext> {
  function settle(auth: unknown): AuthContext {
    if (!isRecord(auth) || typeof auth.subject !== 'string' || typeof auth.source !== 'string') throw refuse('invalid_token', 'opaque_verifier_answer')
    // A token bound to a key or a certificate (`cnf`) is never a bearer token: no proof of
    // possession is checked on this path, so such an answer is refused.
    if (isRecord(auth.claims) && Object.hasOwn(auth.claims, 'cnf')) throw refuse('invalid_token', 'opaque_token_bound')
    return auth as unknown as AuthContext
  }
  function fail(error: unknown): never {
    if (isAuthError(error) && error.code === 'temporarily_unavailable') throw error
    // The one refusal whose description tells the client something useful (refresh the token).
    const expired = isAuthError(error) && error.code === 'invalid_token' && (error.cause.data as { reason?: unknown } | undefined)?.reason === 'expired'
    throw refuse('invalid_token', isAuthError(error) ? `opaque_${error.code}` : 'opaque_verifier_error', expired ? 'The access token expired' : undefined)
  }
  let result: AuthContext | Promise<AuthContext>
  try {
    result = verifier.verifyToken(token)
  } catch (error) {
    return fail(error)
  }
  return result instanceof Promise ? result.then(settle, fail) : settle(result)
}

/**
 * A token that is not a JWT, given to the `opaqueTokens` verifier. It proves no possession, so
 * it is refused under the DPoP scheme, and by a middleware where an issuer entry requires bound
 * tokens (`boundTokens: 'required'` requires them of every caller).
 */
function authenticateOpaque(
  verifier: OpaqueTokenVerifier,
  token: string,
  presentedAs: PresentedAs,
  deny: Deny,
  boundTokensRequired: boolean,
): AuthContext | Promise<AuthContext> {
  if (looksLikeSeveralTokens(token)) throw deny('invalid_request', 'multiple_tokens')
  if (presentedAs !== 'bearer') throw deny('invalid_token', 'opaque_token_as_dpop')
  if (boundTokensRequired) throw deny('invalid_token', 'opaque_token_not_bound')
  return verifyOpaque(verifier, token, deny)
}
