import { AuthError, setAuth, type AuthContext, type WithAuth, type WithOptionalAuth, type MiddyRequestLike } from '@middy-auth/core'
import { compileTokenSource, crossSiteDenial, looksLikeSeveralTokens, noteCredential, noteRequestSpecificCheck } from '@middy-auth/core/internal'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { compileIntrospection } from './introspection-verifier.js'
import type { TokenIntrospectionDenialReason } from './answer-check.js'
import { compileOptions, packageName, type TokenIntrospectionOptions } from './options.js'

/**
 * The middleware `tokenIntrospection()` returns: `context.auth` is set for the handler.
 *
 * @example
 * ```ts
 * const middleware: TokenIntrospectionMiddleware<{ client_id: string }> =
 *   tokenIntrospection<{ client_id: string }>(options)
 * ```
 */
export type TokenIntrospectionMiddleware<Claims> = MiddlewareObj<unknown, unknown, Error, WithAuth<Context, Claims>, { auth: AuthContext<Claims> }>

/**
 * With `credentialsRequired: false`, `context.auth` may be absent.
 *
 * @example
 * ```ts
 * const middleware: OptionalTokenIntrospectionMiddleware<Record<string, unknown>> =
 *   tokenIntrospection({ ...options, credentialsRequired: false })
 * ```
 */
export type OptionalTokenIntrospectionMiddleware<Claims> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  WithOptionalAuth<Context, Claims>,
  { auth?: AuthContext<Claims> }
>

/**
 * Checks the opaque bearer token of every request at the provider's introspection endpoint
 * (RFC 7662) and puts the caller on `context.auth` (`source: 'introspection'`), so `oauthScope`
 * and `rbac` work unchanged. The token must be `active`, a bearer token, of the configured
 * issuer and audience, and unexpired. Answers are cached by a SHA-256 of the token (active ones
 * until `exp` or `cache.ttl`, inactive ones for `cache.inactiveTtl`), and concurrent requests
 * with one token make one call. Any failure is an `AuthError` for `@middy/http-error-handler`
 * (401 `invalid_token`, 400 `invalid_request`, 401 `missing_token`, and 503
 * `temporarily_unavailable` with `Retry-After` when the provider is down, slow or answers
 * nonsense): the handler is not called.
 *
 * @typeParam Claims - the answer's type, as the handler sees it on `context.auth.claims`.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import tokenIntrospection from '@middy-auth/token-introspection'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(tokenIntrospection<{ client_id: string }>({
 *     issuer: 'https://auth.example.com',
 *     clientId: 'orders-api',
 *     clientSecret: process.env.INTROSPECTION_SECRET ?? '',
 *     audience: 'https://api.example.com',
 *   }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.claims.client_id }))
 * ```
 */
function tokenIntrospection<Claims = Record<string, unknown>>(
  options: TokenIntrospectionOptions & { credentialsRequired: false },
): OptionalTokenIntrospectionMiddleware<Claims>
function tokenIntrospection<Claims = Record<string, unknown>>(
  options: TokenIntrospectionOptions & { credentialsRequired?: true },
): TokenIntrospectionMiddleware<Claims>
function tokenIntrospection<Claims = Record<string, unknown>>(
  options: TokenIntrospectionOptions,
): TokenIntrospectionMiddleware<Claims> | OptionalTokenIntrospectionMiddleware<Claims>
// The implementation's context type is left open: the overloads above are what callers see.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function tokenIntrospection(options: TokenIntrospectionOptions): MiddlewareObj<unknown, unknown, Error, any, any> {
  const settings = compileOptions(options)
  const { realm, credentialsRequired } = settings
  const readToken = compileTokenSource(settings.tokenSource)
  const fromCookie = typeof settings.tokenSource === 'object' && 'cookie' in settings.tokenSource
  const introspection = compileIntrospection(settings)
  // Cold start: discovery (when only the issuer is given) starts now, during Lambda's init.
  introspection.prefetch()

  const deny = (code: 'missing_token' | 'invalid_request', reason: TokenIntrospectionDenialReason) =>
    new AuthError<TokenIntrospectionDenialReason>(code, { package: packageName, realm, reason })

  const tokenIntrospectionMiddlewareBefore = (request: MiddyRequestLike): void | Promise<void> => {
    const found = readToken(request.event)
    if (found.kind === 'missing') {
      if (!credentialsRequired) return
      throw deny('missing_token', 'no_credentials')
    }
    if (found.kind === 'malformed') throw deny('invalid_request', found.reason === 'empty' ? 'empty_token' : 'multiple_tokens')
    if (found.kind === 'cross-site') throw crossSiteDenial(packageName, found)
    const token = found.token
    if (looksLikeSeveralTokens(token)) throw deny('invalid_request', 'multiple_tokens')
    // For a Lambda authorizer after this: the gateway's cache key must hold this token, and a
    // cookie's cross-site check held for this request only.
    noteCredential(request, token)
    if (fromCookie) noteRequestSpecificCheck(request, { package: packageName, reason: 'cookie credential' })
    const auth = introspection.verifyToken(token)
    if (!(auth instanceof Promise)) return setAuth(request, auth)
    return auth.then((fresh) => setAuth(request, fresh))
  }

  return { before: tokenIntrospectionMiddlewareBefore }
}

export default tokenIntrospection
