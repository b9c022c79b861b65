import { AuthError, type AuthContext } from '@middy-auth/core'
import type { OpaqueTokenVerifier } from '@middy-auth/jwt-verify'
import { AnswerRejection, checkAnswer, type TokenIntrospectionDenialReason } from './answer-check.js'
import { compileOptions, fail, packageName, type CompiledOptions, type TokenIntrospectionOptions } from './options.js'
import { ProviderUnavailableError } from './post-form.js'
import { createProvider } from './provider.js'
import { createCachedIntrospect, type Answer } from './result-cache.js'

/** Longest token sent to the provider: opaque tokens are tens of bytes, JWTs a few kilobytes. */
const maxTokenLength = 8192
/** RFC 6750 §2.1 `b64token`: anything else cannot be a bearer token and is refused without a call. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/

/** Seconds a client is asked to wait when the provider cannot answer. */
const retryAfterSeconds = 5

/**
 * One token's check at the provider, cached, as an identity or an `AuthError`: what the
 * middleware and {@link createIntrospectionVerifier} share.
 */
export const compileIntrospection = (settings: CompiledOptions): Required<OpaqueTokenVerifier> => {
  const { realm, clock } = settings
  const provider = createProvider(settings)
  const lookup = createCachedIntrospect(provider.introspect, settings.cache, clock)

  const deny = (reason: TokenIntrospectionDenialReason, description?: string) =>
    new AuthError<TokenIntrospectionDenialReason>('invalid_token', { package: packageName, realm, reason, ...(description ? { description } : {}) })

  const decide = (answer: Answer): AuthContext => {
    const nowSeconds = Math.floor(clock() / 1000)
    // Fail closed: a clock that gives no time would pass every time check.
    if (!Number.isFinite(nowSeconds)) throw deny('clock_not_a_number')
    try {
      return checkAnswer(answer, settings, nowSeconds)
    } catch (error) {
      if (error instanceof AnswerRejection) throw deny(error.reason, error.reason === 'expired' ? 'The access token expired' : undefined)
      throw deny('answer_check_error')
    }
  }

  const unavailable = (error: unknown): AuthError =>
    error instanceof AuthError
      ? (error as AuthError)
      : new AuthError<TokenIntrospectionDenialReason>('temporarily_unavailable', {
          package: packageName,
          ...(error instanceof ProviderUnavailableError ? { reason: 'provider_unavailable', detail: error.message } : { reason: 'introspection_error' }),
          retryAfter: retryAfterSeconds,
        })

  const verifyToken = (token: string): AuthContext | Promise<AuthContext> => {
    // Garbage never reaches the provider: it costs no call and no cache entry.
    if (typeof token !== 'string' || token.length > maxTokenLength || !b64token.test(token)) throw deny('malformed_token')
    const answer = lookup(token)
    if (!(answer instanceof Promise)) return decide(answer)
    return answer.then(decide, (error: unknown) => {
      throw unavailable(error)
    })
  }

  // A closure, not a method: it uses no `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return { verifyToken, prefetch: provider.prefetch }
}

/**
 * Options of {@link createIntrospectionVerifier}: those of `tokenIntrospection()` without the
 * ones that belong to the middleware that reads the request (`tokenSource`,
 * `credentialsRequired`, `realm`: set them on `jwtVerify`).
 *
 * @example
 * ```ts
 * const options: IntrospectionVerifierOptions = { issuer: 'https://auth.example.com', clientId: 'orders-api', clientSecret: 's', audience: 'https://api.example.com' }
 * ```
 */
export type IntrospectionVerifierOptions = TokenIntrospectionOptions extends infer Union
  ? Union extends unknown
    ? Omit<Union, 'tokenSource' | 'credentialsRequired' | 'realm'>
    : never
  : never

const requestOptions = ['tokenSource', 'credentialsRequired', 'realm']

/**
 * The introspection of `tokenIntrospection()` as a verifier for `jwtVerify`'s `opaqueTokens`
 * option: one function then accepts JWTs (verified locally) and opaque tokens (checked at the
 * provider's RFC 7662 endpoint, cached), and a JWT never goes to the provider. `verifyToken`
 * returns the identity (`source: 'introspection'`) or throws an `AuthError` (`invalid_token`,
 * or `temporarily_unavailable` when the provider is down). Options are checked at once
 * (`TypeError`); discovery starts when `jwtVerify` prefetches, at cold start.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify from '@middy-auth/jwt-verify'
 * import { createIntrospectionVerifier } from '@middy-auth/token-introspection'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(jwtVerify({
 *     issuers: [{ issuer: 'https://auth.example.com', audience: 'https://api.example.com' }],
 *     opaqueTokens: createIntrospectionVerifier({
 *       issuer: 'https://auth.example.com',
 *       clientId: 'orders-api',
 *       clientSecret: process.env.INTROSPECTION_SECRET ?? '',
 *       audience: 'https://api.example.com',
 *     }),
 *   }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
 * ```
 */
export const createIntrospectionVerifier = (options: IntrospectionVerifierOptions): OpaqueTokenVerifier => {
  for (const name of requestOptions) {
    if (options !== null && typeof options === 'object' && name in options) {
      throw fail(name, `belongs to the middleware that reads the request: set it on jwtVerify, not on createIntrospectionVerifier`)
    }
  }
  const { verifyToken, prefetch } = compileIntrospection(compileOptions(options))
  return { verifyToken, prefetch }
}
