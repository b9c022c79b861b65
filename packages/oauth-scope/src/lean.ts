/**
 * `@middy-auth/oauth-scope/lean`: the same `oauthScope()`, without the code of the options most
 * handlers never use, which the application adds back as values from
 * `@middy-auth/oauth-scope/extensions`. Same options, same checks, same errors. The types
 * (`OAuthScopeOptions`, …) have one home, the root entry.
 */
import { isRecord, readExtensions } from '@middy-auth/core/internal'
import type { OAuthScopeExtension } from './extension-types.js'
import { createOAuthScope, type OAuthScopeMiddleware } from './middleware.js'
import { extensionShapes, knownOptions, type OAuthScopeOptions } from './options.js'
import { fail, packageName } from './requirements.js'

/**
 * Options of the lean `oauthScope()`: those of the root entry, plus the extensions the options
 * used need (`routes` and `routesDefault`: `routeMaps`; reading API Gateway's claims:
 * `apiGatewayClaims`).
 *
 * @example
 * ```ts
 * import { routeMaps } from '@middy-auth/oauth-scope/extensions'
 * const options: LeanOAuthScopeOptions = { routes: { 'GET /orders': ['orders:read'] }, extensions: [routeMaps] }
 * ```
 */
export type LeanOAuthScopeOptions = OAuthScopeOptions & {
  /** The extensions the options need, from `@middy-auth/oauth-scope/extensions`. Default: none. */
  extensions?: readonly OAuthScopeExtension[]
}

const leanOptionNames = [...knownOptions, 'extensions']

/**
 * `oauthScope()` of the root entry, with only the extensions listed in `extensions`: a handler
 * that uses neither `routes` nor API Gateway's claims bundles neither. An option whose extension
 * is missing (`routes` without `routeMaps`) is a `TypeError` at cold start that names the import.
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
function oauthScope<Claims = unknown>(options: LeanOAuthScopeOptions): OAuthScopeMiddleware<Claims> {
  const extensions = readExtensions<OAuthScopeExtension>(isRecord(options) ? options.extensions : undefined, packageName, fail, extensionShapes)
  return createOAuthScope<Claims>(options, extensions, leanOptionNames)
}

export default oauthScope
