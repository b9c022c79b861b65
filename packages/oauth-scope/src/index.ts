import { readExtensions } from '@middy-auth/core/internal'
import type { OAuthScopeExtension } from './extension-types.js'
import { apiGatewayClaims, resourceMetadataChallenge, routeMaps, scopeClaims } from './extensions.js'
import { createOAuthScope, type OAuthScopeMiddleware } from './middleware.js'
import type { OAuthScopeOptions } from './options.js'
import { extensionMark, fail } from './requirements.js'

/** The root entry has every extension: an application that imports it needs to list none (a list given is checked). */
const everyExtension = /* @__PURE__ */ readExtensions<OAuthScopeExtension>(
  [routeMaps, scopeClaims, apiGatewayClaims, resourceMetadataChallenge],
  fail,
  extensionMark,
)

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
  return createOAuthScope<Claims>(options, everyExtension)
}

export default oauthScope
export type { OAuthScopeDenialReason, OAuthScopeMiddleware } from './middleware.js'
export type { OAuthScopeOptions, RouteRequirement, ScopeRequirement } from './options.js'
export { oauthScopeValidateOptions } from './validate-options.js'
