import { AuthError, compileTokenSource, crossSiteDenial, looksLikeSeveralTokens, setAuth, type AuthContext, type WithAuth, type WithOptionalAuth } from '@middy-auth/core'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { AnswerRejection, checkAnswer } from './answer-check.js'
import { compileOptions, packageName, type TokenIntrospectionOptions } from './options.js'
import { ProviderUnavailableError } from './post-form.js'
import { createProvider } from './provider.js'
import { createCachedIntrospect, type Answer } from './result-cache.js'

/**
 * The middleware `tokenIntrospection()` returns: `context.auth` is set for the handler.
 *
 * @example
 * ```ts
 * const middleware: TokenIntrospectionMiddleware<{ client_id: string }> =
 *   tokenIntrospection<{ client_id: string }>(options)
 * ```
 */
export type TokenIntrospectionMiddleware<Claims> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  WithAuth<Context, Claims>,
  { auth: AuthContext<Claims> }
>

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

/** Longest token sent to the provider: opaque tokens are tens of bytes, JWTs a few kilobytes. */
const maxTokenLength = 8192
/** RFC 6750 §2.1 `b64token`: anything else cannot be a bearer token and is refused without a call. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/

/** Seconds a client is asked to wait when the provider cannot answer. */
const retryAfterSeconds = 5

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
  const { realm, credentialsRequired, clock } = settings
  const readToken = compileTokenSource(settings.tokenSource)
  const provider = createProvider(settings)
  const lookup = createCachedIntrospect(provider.introspect, settings.cache, clock)
  // Cold start: discovery (when only the issuer is given) starts now, during Lambda's init.
  provider.prefetch()

  const deny = (code: 'missing_token' | 'invalid_request' | 'invalid_token', reason: string, description?: string) =>
    new AuthError(code, { package: packageName, realm, data: { reason }, ...(description ? { description } : {}) })

  const decide = (answer: Answer): AuthContext => {
    const nowSeconds = Math.floor(clock() / 1000)
    // Fail closed: a clock that gives no time would pass every time check.
    if (!Number.isFinite(nowSeconds)) throw deny('invalid_token', 'clock_not_a_number')
    try {
      return checkAnswer(answer, settings, nowSeconds)
    } catch (error) {
      if (error instanceof AnswerRejection) {
        throw deny('invalid_token', error.reason, error.reason === 'expired' ? 'The access token expired' : undefined)
      }
      throw deny('invalid_token', 'answer_check_error')
    }
  }

  const unavailable = (error: unknown): AuthError =>
    error instanceof AuthError
      ? error
      : new AuthError('temporarily_unavailable', {
          package: packageName,
          data: { reason: error instanceof ProviderUnavailableError ? error.message : 'introspection_error' },
          retryAfter: retryAfterSeconds,
        })

  const tokenIntrospectionMiddlewareBefore = (request: { event: unknown; context: object; internal: Record<string, unknown> }): void | Promise<void> => {
    const found = readToken(request.event)
    if (found.kind === 'missing') {
      if (!credentialsRequired) return
      throw deny('missing_token', 'no_credentials')
    }
    if (found.kind === 'malformed') throw deny('invalid_request', found.reason === 'empty' ? 'empty_token' : 'multiple_tokens')
    if (found.kind === 'cross-site') throw crossSiteDenial(packageName, found)
    const token = found.token
    if (looksLikeSeveralTokens(token)) throw deny('invalid_request', 'multiple_tokens')
    // Garbage never reaches the provider: it costs no call and no cache entry.
    if (token.length > maxTokenLength || !b64token.test(token)) throw deny('invalid_token', 'malformed_token')

    const answer = lookup(token)
    if (!(answer instanceof Promise)) return setAuth(request, decide(answer))
    return answer.then(
      (fresh) => setAuth(request, decide(fresh)),
      (error: unknown) => {
        throw unavailable(error)
      },
    )
  }

  return { before: tokenIntrospectionMiddlewareBefore }
}

export default tokenIntrospection
