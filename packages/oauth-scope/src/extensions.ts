/**
 * `@middy-auth/oauth-scope/extensions`: the code of the options most handlers never use, for
 * `@middy-auth/oauth-scope/lean` (`extensions: [routeMaps, scopeClaims, resourceMetadataChallenge]`). Each is a plain object, so a
 * bundler leaves out the ones a handler does not import, and the code they point to with them.
 * The root entry, `@middy-auth/oauth-scope`, is built with every one of them. (`satisfies`
 * checks each one's code against what `oauthScope()` reads; the exported type hides it.)
 */
import { gatewayAuth } from '@middy-auth/core'
import type { ApiGatewayClaimsExtension } from '@middy-auth/core/internal'
import type { OAuthScopeExtension, ResourceMetadataChallengeExtension, RouteMapsExtension, ScopeClaimsExtension } from './extension-types.js'
import { extensionMark, packageName } from './requirements.js'
import { readResourceMetadata } from './resource-metadata.js'
import { compileRoutes } from './route-requirements.js'
import { compileScopeClaims } from './scope-claims.js'

export type { OAuthScopeExtension } from './extension-types.js'

/**
 * The `routes` and `routesDefault` options (a requirement per route, with core's route maps):
 * without it, `@middy-auth/oauth-scope/lean` refuses `routes` with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import oauthScope from '@middy-auth/oauth-scope/lean'
 * import { routeMaps } from '@middy-auth/oauth-scope/extensions'
 *
 * const scopes = oauthScope({
 *   routes: { 'GET /orders': ['orders:read'], 'POST /orders': ['orders:write'] },
 *   extensions: [routeMaps],
 * })
 * ```
 */
export const routeMaps = { package: packageName, mark: extensionMark, name: 'routeMaps', compileRoutes } satisfies RouteMapsExtension as OAuthScopeExtension

/**
 * The `scopeClaims` option (scopes read from named claims instead of `context.auth.scopes`):
 * without it, `@middy-auth/oauth-scope/lean` refuses `scopeClaims` with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import oauthScope from '@middy-auth/oauth-scope/lean'
 * import { scopeClaims } from '@middy-auth/oauth-scope/extensions'
 *
 * const scopes = oauthScope({ required: ['orders:read'], scopeClaims: 'permissions', extensions: [scopeClaims] })
 * ```
 */
export const scopeClaims = {
  package: packageName,
  mark: extensionMark,
  name: 'scopeClaims',
  compileScopeClaims,
} satisfies ScopeClaimsExtension as OAuthScopeExtension

/**
 * Reading the identity API Gateway verified (HTTP API JWT authorizer, REST Cognito authorizer,
 * Lambda authorizers) when no middleware before set `context.auth`. Without it,
 * `@middy-auth/oauth-scope/lean` reads only `context.auth`, and a request without it is refused
 * as one without any identity: 401 `missing_token`.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import oauthScope from '@middy-auth/oauth-scope/lean'
 * import { apiGatewayClaims } from '@middy-auth/oauth-scope/extensions'
 *
 * // Behind an HTTP API JWT authorizer: the gateway verified the token.
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(oauthScope({ required: ['orders:read'], extensions: [apiGatewayClaims] }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
 * ```
 */
export const apiGatewayClaims = {
  package: packageName,
  mark: extensionMark,
  name: 'apiGatewayClaims',
  gatewayAuth,
} satisfies ApiGatewayClaimsExtension as OAuthScopeExtension

/**
 * The `resourceMetadata` option (the URL of this API's protected resource metadata, RFC 9728, in
 * every `Bearer` challenge): without it, `@middy-auth/oauth-scope/lean` refuses `resourceMetadata`
 * with a `TypeError` at cold start. jwt-verify's lean entry has an extension of the same name.
 *
 * @example
 * ```ts
 * import oauthScope from '@middy-auth/oauth-scope/lean'
 * import { resourceMetadataChallenge } from '@middy-auth/oauth-scope/extensions'
 *
 * const scopes = oauthScope({
 *   required: ['orders:read'],
 *   resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource',
 *   extensions: [resourceMetadataChallenge],
 * })
 * ```
 */
export const resourceMetadataChallenge = {
  package: packageName,
  mark: extensionMark,
  name: 'resourceMetadataChallenge',
  read: readResourceMetadata,
} satisfies ResourceMetadataChallengeExtension as OAuthScopeExtension
