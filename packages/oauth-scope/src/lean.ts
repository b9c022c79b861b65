/**
 * `@middy-auth/oauth-scope/lean`: the same `oauthScope()`, without the code of the options most
 * handlers never use, which the application adds back as values from
 * `@middy-auth/oauth-scope/extensions`. Same options, same checks, same errors. The types
 * (`OAuthScopeOptions`, …) have one home, the root entry.
 */
import { createOAuthScope, type OAuthScopeMiddleware } from './middleware.js'
import type { OAuthScopeOptions } from './options.js'

/**
 * `oauthScope()` of the root entry, with only the extensions listed in `extensions`: a handler
 * that uses none of `routes`, `scopeClaims`, `resourceMetadata` and API Gateway's claims bundles
 * none of them. An option whose extension is missing (`routes` without `routeMaps`, `scopeClaims`
 * without `scopeClaims`, `resourceMetadata` without `resourceMetadataChallenge`) is a `TypeError` at cold start that names the import.
 * Without `apiGatewayClaims`, only `context.auth` is read: a request that no middleware before
 * gave an identity is refused as one without any (401 `missing_token`), never accepted.
 *
 * @typeParam Claims - the claims type of `context.auth.claims`, as on the root entry.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify from '@middy-auth/jwt-verify'
 * import oauthScope from '@middy-auth/oauth-scope/lean'
 * import { routeMaps } from '@middy-auth/oauth-scope/extensions'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(jwtVerify({ issuers }))
 *   .use(oauthScope({ routes: { 'GET /orders': ['orders:read'] }, extensions: [routeMaps] }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
 * ```
 */
function oauthScope<Claims = unknown>(options: OAuthScopeOptions): OAuthScopeMiddleware<Claims> {
  return createOAuthScope<Claims>(options)
}

export default oauthScope
