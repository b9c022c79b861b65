/**
 * `@middy-auth/rbac/lean`: the same `rbac()`, without the code of the options most handlers never
 * use, which the application adds back as values from `@middy-auth/rbac/extensions`. Same
 * options, same checks, same errors. Every other export (`can`, `cognitoRoles()`, the types) has
 * one home, the root entry: importing them from there bundles only them (the root's `rbac()`
 * and its extensions are left out when the handler does not call it).
 */
import { isRecord, readExtensions } from '@middy-auth/core/internal'
import type { RbacExtension } from './extension-types.js'
import { createRbac, type RbacMiddleware } from './middleware.js'
import { extensionShapes, knownOptions, type RbacOptions } from './options.js'
import { fail, packageName } from './permission.js'

/**
 * Options of the lean `rbac()`: those of the root entry, plus the extensions the options used
 * need (`routes` and `routesDefault`: `routeMaps`; reading API Gateway's claims:
 * `apiGatewayClaims`).
 *
 * @example
 * ```ts
 * import { routeMaps } from '@middy-auth/rbac/extensions'
 * const options: LeanRbacOptions = { policy, routes: { 'GET /articles': 'articles:read' }, extensions: [routeMaps] }
 * ```
 */
export type LeanRbacOptions<Resource = unknown, TEvent = unknown> = RbacOptions<Resource, TEvent> & {
  /** The extensions the options need, from `@middy-auth/rbac/extensions`. Default: none. */
  extensions?: readonly RbacExtension[]
}

const leanOptionNames = [...knownOptions, 'extensions']

/**
 * `rbac()` of the root entry, with only the extensions listed in `extensions`: a handler that
 * uses neither `routes` nor API Gateway's claims bundles neither. An option whose extension is
 * missing (`routes` without `routeMaps`) is a `TypeError` at cold start that names the import.
 * Without `apiGatewayClaims`, only `context.auth` is read: a request that no middleware before
 * gave an identity is refused as one without any (401 `missing_token`), never accepted.
 *
 * @typeParam Resource - what `resource(request)` loads and the conditions receive.
 * @typeParam TEvent - the event type the `required`, `routes` and `resource` functions see.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify from '@middy-auth/jwt-verify'
 * import { cognitoRoles } from '@middy-auth/rbac'
 * import rbac from '@middy-auth/rbac/lean'
 * import { routeMaps } from '@middy-auth/rbac/extensions'
 *
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(jwtVerify({ issuers }))
 *   .use(rbac({ policy, rolesFrom: cognitoRoles(), routes: { 'GET /articles': 'articles:read' }, extensions: [routeMaps] }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.permissions.join(' ') }))
 * ```
 */
function rbac<Resource = unknown, TEvent = unknown>(options: LeanRbacOptions<Resource, TEvent>): RbacMiddleware<TEvent> {
  const extensions = readExtensions<RbacExtension>(isRecord(options) ? options.extensions : undefined, packageName, fail, extensionShapes)
  return createRbac<TEvent>(options as RbacOptions<unknown, unknown>, extensions, leanOptionNames)
}

export default rbac
