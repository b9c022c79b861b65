/**
 * `@middy-auth/jwt-verify/lean`: `jwtVerify` and `createJwtVerifier` without the code of their
 * rarely used options, for the smallest bundle. Same options, same checks and same errors as the
 * root entry; `dpop` and `mtls`, `trustApiGateway`, `opaqueTokens`, an issuer entry's `jwks`,
 * `keys`, `keyResolver` and `secret`, an issuer entry without `jwksUri` (OIDC discovery), a
 * `tokenSource` other than a header, an issuer entry's `claimsCheck` and `claimsCacheTtl` (the
 * entries of `cognitoIssuer()`, `entraIssuer()` and `keycloakIssuer({ clientId })` have a
 * `claimsCheck`), `resourceMetadata`, and the `jwks` fetching options and `cache` need their
 * extension from `@middy-auth/jwt-verify/extensions` in `extensions` (without it: a `TypeError`
 * at cold start that names the import).
 */
import type { MiddlewareObj } from '@middy/core'
import { compileJwtVerifier, verifierOutsideMiddy, type JwtVerifier } from './jwt-verifier.js'
import type { DefaultClaims, JwtVerifyMiddleware, OptionalJwtVerifyMiddleware } from './middleware.js'
import type { JwtVerifyOptions } from './options.js'
import { verifyMiddleware } from './verify-middleware.js'

/**
 * The lean `jwtVerify`: the root entry's middleware with only the extensions given in
 * `extensions`. A token bound by `cnf` and the `DPoP` scheme are refused unless
 * `senderConstraints` is given (and `dpop` or `mtls` set), as the root refuses them without
 * those options.
 *
 * @typeParam Claims - the payload type the handler sees on `context.auth.claims`.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(jwtVerify<{ email: string }>({
 *     issuers: [{ issuer: 'https://auth.example.com/', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }],
 *   }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.claims.email }))
 * ```
 */
function jwtVerify<Claims = DefaultClaims>(options: JwtVerifyOptions & { credentialsRequired: false }): OptionalJwtVerifyMiddleware<Claims>
function jwtVerify<Claims = DefaultClaims>(options: JwtVerifyOptions & { credentialsRequired?: true }): JwtVerifyMiddleware<Claims>
function jwtVerify<Claims = DefaultClaims>(options: JwtVerifyOptions): JwtVerifyMiddleware<Claims> | OptionalJwtVerifyMiddleware<Claims>
// The implementation's context type is left open: the overloads above are what callers see.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function jwtVerify(options: JwtVerifyOptions): MiddlewareObj<unknown, unknown, Error, any, any> {
  return verifyMiddleware(compileJwtVerifier(options))
}

export default jwtVerify

/**
 * The lean `createJwtVerifier`: verification without Middy (SQS consumers, WebSocket messages),
 * with only the extensions given in `extensions`.
 *
 * @example
 * ```ts
 * import { createJwtVerifier } from '@middy-auth/jwt-verify/lean'
 *
 * const verifier = createJwtVerifier({
 *   issuers: [{ issuer: 'https://auth.example.com/', audience: 'jobs', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }],
 * })
 * const auth = await verifier.verifyToken(token)
 * ```
 */
export const createJwtVerifier = (options: JwtVerifyOptions): JwtVerifier => verifierOutsideMiddy(compileJwtVerifier(options))
