import { AuthError, gatewayAuth, setAuth, type AuthContext, type WithAuth, type WithOptionalAuth } from '@middy-auth/core'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { KeysUnavailableError } from './key-resolver.js'
import { compileOptions, packageName, type JwtVerifyOptions } from './options.js'
import { TokenRejection } from './rejection.js'
import { compileTokenSource, looksLikeSeveralTokens } from './token-source.js'
import { createVerifierFor } from './alb-entries.js'

/**
 * The claims of a token when the user does not narrow them.
 *
 * @example
 * ```ts
 * const claims: DefaultClaims = { sub: 'user-1' }
 * ```
 */
export type DefaultClaims = Record<string, unknown>

/**
 * The middleware `jwtVerify()` returns: `context.auth` is set for the handler.
 *
 * @example
 * ```ts
 * const middleware: JwtVerifyMiddleware<{ email: string }> = jwtVerify<{ email: string }>({ issuers })
 * ```
 */
export type JwtVerifyMiddleware<Claims> = MiddlewareObj<
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
 * const middleware: OptionalJwtVerifyMiddleware<DefaultClaims> = jwtVerify({ issuers, credentialsRequired: false })
 * ```
 */
export type OptionalJwtVerifyMiddleware<Claims> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  WithOptionalAuth<Context, Claims>,
  { auth?: AuthContext<Claims> }
>

/**
 * Verifies the bearer JWT of every request and puts the caller on `context.auth`; any failure
 * is an `AuthError` for `@middy/http-error-handler` (401 `invalid_token`, 400
 * `invalid_request`, 401 `missing_token`, 503 `temporarily_unavailable`), and the handler is
 * not called. Keys are prefetched when the factory runs (at cold start).
 *
 * @typeParam Claims - the payload type the handler sees on `context.auth.claims`.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
 *
 * export const handler = middy()
 *   .use(jwtVerify<{ email: string }>({
 *     issuers: [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'id' })],
 *   }))
 *   .use(httpErrorHandler())
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.claims.email }))
 * ```
 */
function jwtVerify<Claims = DefaultClaims>(options: JwtVerifyOptions & { credentialsRequired: false }): OptionalJwtVerifyMiddleware<Claims>
function jwtVerify<Claims = DefaultClaims>(options: JwtVerifyOptions & { credentialsRequired?: true }): JwtVerifyMiddleware<Claims>
function jwtVerify<Claims = DefaultClaims>(options: JwtVerifyOptions): JwtVerifyMiddleware<Claims> | OptionalJwtVerifyMiddleware<Claims>
// The implementation's context type is left open: the overloads above are what callers see.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function jwtVerify(options: JwtVerifyOptions): MiddlewareObj<unknown, unknown, Error, any, any> {
  const settings = compileOptions(options)
  const { realm, credentialsRequired, trustApiGateway } = settings
  const readToken = compileTokenSource(settings.tokenSource)
  const { verify, checkGatewayClaims } = createVerifierFor({ issuers: settings.issuers, cacheMaxEntries: settings.cacheMaxEntries, now: settings.clock })
  // Cold start: keys start loading now, during Lambda's init, and are awaited by the first request.
  for (const entry of settings.issuers) entry.resolver.prefetch()

  const deny = (code: 'missing_token' | 'invalid_request' | 'invalid_token', reason: string, description?: string) =>
    new AuthError(code, { package: packageName, realm, data: { reason }, ...(description ? { description } : {}) })

  const fromGateway = (event: unknown): AuthContext | undefined => {
    const auth = gatewayAuth(event)
    if (!auth) return undefined
    // The gateway checked the signature and its own issuer. When issuers are configured, the
    // claims must also pass that entry's rules (audience, presets' token_use and client_id,
    // required claims, custom checks): trusting the gateway must not widen what is accepted.
    if (auth.source === 'apigateway' && settings.issuers.length > 0) {
      try {
        checkGatewayClaims(auth.claims as Record<string, unknown>)
      } catch (error) {
        throw toAuthError(error)
      }
    }
    return auth
  }

  // Not `async`: on the warm path (keys cached) verification is synchronous and returns no
  // Promise, which spares Middy a microtask per request.
  const jwtVerifyMiddlewareBefore = (request: { event: unknown; context: object; internal: Record<string, unknown> }): void | Promise<void> => {
    if (trustApiGateway) {
      const auth = fromGateway(request.event)
      if (auth) return setAuth(request, auth)
    }
    const lookup = readToken(request.event)
    if (lookup.kind === 'missing') {
      if (!credentialsRequired) return
      throw deny('missing_token', 'no_credentials')
    }
    if (lookup.kind === 'malformed') throw deny('invalid_request', lookup.reason === 'empty' ? 'empty_token' : 'multiple_tokens')
    if (settings.issuers.length === 0) throw deny('invalid_token', 'no_gateway_identity')
    const token = lookup.token
    let result: AuthContext | Promise<AuthContext>
    try {
      result = verify(token)
    } catch (error) {
      throw refusal(error, token)
    }
    if (result instanceof Promise) {
      return result.then(
        (auth) => setAuth(request, auth),
        (error: unknown) => {
          throw refusal(error, token)
        },
      )
    }
    setAuth(request, result)
  }

  /** A failed verification as the client sees it: several tokens are 400, the rest {@link toAuthError}. */
  const refusal = (error: unknown, token: string): AuthError =>
    error instanceof TokenRejection && looksLikeSeveralTokens(token) ? deny('invalid_request', 'multiple_tokens') : toAuthError(error)

  const toAuthError = (error: unknown): AuthError => {
    if (error instanceof TokenRejection) {
      return deny('invalid_token', error.message, error.reason === 'expired' ? 'The access token expired' : undefined)
    }
    if (error instanceof KeysUnavailableError) {
      return new AuthError('temporarily_unavailable', {
        package: packageName,
        data: { reason: 'keys_unavailable' },
        retryAfter: retryAfterSeconds(error),
      })
    }
    // Anything else is a bug or a hostile input we did not foresee: refuse (never a 500, never an accept).
    return deny('invalid_token', 'verification_error')
  }

  return { before: jwtVerifyMiddlewareBefore }
}

/** Seconds until the key resolver tries again (its cooldown), at least 1. */
const retryAfterSeconds = (error: KeysUnavailableError): number => {
  const retryAfterMs = (error.cause as { data?: { retryAfterMs?: unknown } } | undefined)?.data?.retryAfterMs
  return typeof retryAfterMs === 'number' && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : 1
}

export default jwtVerify
