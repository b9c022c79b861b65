import type { AuthContext, WithAuth, WithOptionalAuth } from '@middy-auth/core'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { everyExtension } from './every-extension.js'
import { compileJwtVerifier } from './jwt-verifier.js'
import type { JwtVerifyOptions } from './options.js'
import { verifyMiddleware } from './verify-middleware.js'

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
export type JwtVerifyMiddleware<Claims> = MiddlewareObj<unknown, unknown, Error, WithAuth<Context, Claims>, { auth: AuthContext<Claims> }>

/**
 * With `credentialsRequired: false`, `context.auth` may be absent.
 *
 * @example
 * ```ts
 * const middleware: OptionalJwtVerifyMiddleware<DefaultClaims> = jwtVerify({ issuers, credentialsRequired: false })
 * ```
 */
export type OptionalJwtVerifyMiddleware<Claims> = MiddlewareObj<unknown, unknown, Error, WithOptionalAuth<Context, Claims>, { auth?: AuthContext<Claims> }>

/**
 * Verifies the bearer JWT of every request and puts the caller on `context.auth`; any failure
 * is an `AuthError` for `@middy/http-error-handler` (401 `invalid_token`, 400
 * `invalid_request`, 401 `missing_token`, 503 `temporarily_unavailable`; with `dpop`, 401
 * `invalid_dpop_proof` and `use_dpop_nonce`), and the handler is not called. DPoP- and
 * mTLS-bound tokens are checked against their proof or client certificate (`dpop`, `mtls`).
 * Keys are prefetched when the factory runs (at cold start).
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
  return verifyMiddleware(compileJwtVerifier(options, everyExtension))
}

export default jwtVerify
