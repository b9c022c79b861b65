/**
 * The middleware itself, built from the options and the extensions it is given: the root entry
 * (./index.ts) gives every extension, the lean one (./lean.ts) those the application lists.
 */
import type { AuthContext, WithAuth, MiddyRequestLike } from '@middy-auth/core'
import {
  gatewayReaderOf,
  readOptionNamesAndExtensions,
  readRealm,
  refuseMisspelled,
  resolveAuthWith,
  scopesSatisfy,
  unmetScopes,
} from '@middy-auth/core/internal'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import type { OAuthScopeExtension, OAuthScopeExtensions } from './extension-types.js'
import { compileRequirementOf, compileScopeReader, knownOptions, readResourceMetadataOf, type OAuthScopeOptions } from './options.js'
import { deny, extensionMark, fail } from './requirements.js'

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
 * Builds the middleware of `oauthScope()`: with `every` (the root entry's extensions), or with
 * those listed in `options.extensions` (the lean entry).
 */
export function createOAuthScope<Claims>(options: OAuthScopeOptions, every?: OAuthScopeExtensions): OAuthScopeMiddleware<Claims> {
  // Every option checked and compiled at cold start, in this order (the first mistake is the
  // TypeError); the middleware keeps them in this closure.
  // The root entry's extensions (every one) stand for those listed, which are still checked: a
  // mistake there is a TypeError in both entries.
  refuseMisspelled(options, knownOptions, fail)
  const extensions = readOptionNamesAndExtensions<OAuthScopeExtension>(options, knownOptions, fail, extensionMark, every)
  // The `realm` and `resource_metadata` of every challenge (AuthError leaves the latter out when `undefined`).
  const challenge = { realm: readRealm(options.realm, fail), resourceMetadata: readResourceMetadataOf(options.resourceMetadata, extensions) }
  const readScopes = compileScopeReader(options.scopeClaims, extensions)
  const requirementOf = compileRequirementOf(options, extensions)
  // Reads API Gateway's claims when no middleware before set `context.auth`; `undefined`: never.
  const readGateway = gatewayReaderOf(extensions)

  function oauthScopeMiddlewareBefore(request: MiddyRequestLike): void {
    const auth = resolveAuthWith(request, readGateway)
    if (!auth) throw deny('missing_token', 'no_identity', challenge)
    // With routes (the routeMaps extension), a route they do not list throws its 403 here.
    const requirement = requirementOf(request)
    const held = readScopes(auth)
    if (scopesSatisfy(requirement, held)) return
    throw deny('insufficient_scope', 'insufficient_scope', { ...challenge, scope: requirement.challengeScope, data: unmetScopes(requirement, held) })
  }

  return { before: oauthScopeMiddlewareBefore }
}
