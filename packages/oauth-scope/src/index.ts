import { AuthError, type AuthContext, type AuthErrorOptions, type WithAuth, type MiddyRequestLike } from '@middy-auth/core'
import { noteRequestSpecificCheck, requestRoute, resolveAuth, scopesSatisfy, unmetScopes } from '@middy-auth/core/internal'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { compileOptions, type OAuthScopeOptions } from './options.js'
import { packageName } from './requirements.js'

/**
 * Why oauthScope denied (`AuthError.reason`, also `cause.data.reason`): `no_identity` (401
 * `missing_token`), `route_not_listed` (403 `access_denied`), `insufficient_scope` (403, with the
 * missing scopes in `cause.data`).
 *
 * @example
 * ```ts
 * import { isAuthError, type AuthError } from '@middy-auth/core'
 * const reasonOf = (error: unknown): OAuthScopeDenialReason | undefined =>
 *   isAuthError(error) && error.cause.package === '@middy-auth/oauth-scope' ? (error as AuthError<OAuthScopeDenialReason>).reason : undefined
 * ```
 */
export type OAuthScopeDenialReason = 'no_identity' | 'route_not_listed' | 'insufficient_scope'

const deny = (
  code: 'missing_token' | 'access_denied' | 'insufficient_scope',
  reason: OAuthScopeDenialReason,
  options: Omit<AuthErrorOptions, 'package' | 'reason'>,
) => new AuthError<OAuthScopeDenialReason>(code, { package: packageName, reason, ...options })

/**
 * The middleware `oauthScope()` returns: the handler runs only with an identity whose scopes
 * satisfy the requirement, so `context.auth` is always set there.
 *
 * @typeParam Claims - the claims type the handler sees on `context.auth.claims`.
 * @example
 * ```ts
 * const middleware: OAuthScopeMiddleware = oauthScope({ required: ['orders:read'] })
 * ```
 */
export type OAuthScopeMiddleware<Claims = unknown> = MiddlewareObj<unknown, unknown, Error, WithAuth<Context, Claims>, { auth: AuthContext<Claims> }>

/**
 * Requires OAuth 2.0 scopes of the caller on `context.auth`: every scope of `required`, one of
 * `anyOf`, or per route with `routes`. Without an identity from an earlier middleware
 * (jwt-verify, iam-context), it takes the one API Gateway verified (JWT, Cognito or Lambda
 * authorizer). A denial is an `AuthError` for `@middy/http-error-handler` and the handler is
 * not called: 401 `missing_token` (no identity at all), 403 `insufficient_scope` with
 * `WWW-Authenticate: Bearer realm="api", error="insufficient_scope", scope="…"` listing every
 * scope that would satisfy the route, 403 `access_denied` for a route `routes` does not list.
 * Options are checked when the factory runs: a `TypeError` at cold start.
 *
 * @typeParam Claims - the claims type of `context.auth.claims`. Left out, `oauthScope()` adds
 *   none (`unknown`, which narrows nothing and widens nothing): after `jwtVerify<MyClaims>()`
 *   the claims stay a `MyClaims`; alone, write `oauthScope<MyClaims>()` to read them.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
 * import oauthScope from '@middy-auth/oauth-scope'
 *
 * export const handler = middy()
 *   .use(jwtVerify({ issuers: [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'access' })] }))
 *   .use(oauthScope({
 *     routes: {
 *       'GET /orders': ['orders/read'],
 *       'POST /orders': { anyOf: ['orders/write', 'orders/admin'] },
 *     },
 *   }))
 *   .use(httpErrorHandler())
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
 * ```
 */
function oauthScope<Claims = unknown>(options: OAuthScopeOptions): OAuthScopeMiddleware<Claims> {
  const { realm, resourceMetadata, readScopes, requirementOf, perRoute } = compileOptions(options)
  const challenge = { realm, ...(resourceMetadata !== undefined ? { resourceMetadata } : {}) }

  const oauthScopeMiddlewareBefore = (request: MiddyRequestLike): void => {
    const auth = resolveAuth(request)
    if (!auth) throw deny('missing_token', 'no_identity', challenge)
    // A Lambda authorizer must not let the gateway cache this route's decision for every route.
    if (perRoute) noteRequestSpecificCheck(request, { package: packageName, reason: 'routes' })
    const requirement = requirementOf(request.event)
    if (!requirement) {
      throw deny('access_denied', 'route_not_listed', { data: { route: routeName(request.event) } })
    }
    const held = readScopes(auth)
    if (scopesSatisfy(requirement, held)) return
    throw deny('insufficient_scope', 'insufficient_scope', { ...challenge, scope: requirement.challengeScope, data: unmetScopes(requirement, held) })
  }

  return { before: oauthScopeMiddlewareBefore }
}

/** The request's route as `routes` would key it, for logs. */
const routeName = (event: unknown): string | undefined => {
  const route = requestRoute(event)
  if (!route) return undefined
  return [route.method, route.template ?? route.path ?? route.special].filter(Boolean).join(' ') || undefined
}

export default oauthScope
export type { OAuthScopeOptions, RouteRequirement, ScopeRequirement } from './options.js'
export { oauthScopeValidateOptions } from './validate-options.js'
