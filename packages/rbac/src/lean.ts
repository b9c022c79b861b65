/**
 * `@middy-auth/rbac/lean`: the same `rbac()`, without the code of the options most handlers never
 * use, which the application adds back as values from `@middy-auth/rbac/extensions`. Same
 * options, same checks, same errors. Every other export (`can`, `cognitoRoles()`, the types) has
 * one home, the root entry: importing them from there bundles only them (the root's `rbac()`
 * and its extensions are left out when the handler does not call it).
 */
import { createRbac, type RbacMiddleware } from './middleware.js'
import type { RbacOptions } from './options.js'

/**
 * `rbac()` of the root entry, with only the extensions listed in `extensions`: a handler that
 * uses neither `routes`, `roleMap`, API Gateway's claims, conditions, `onDecision` nor requirement
 * functions bundles none of them. An option whose extension is missing (`routes` without
 * `routeMaps`; `roleMap` without `roleMaps`; `conditions`, `resource` or a policy with a
 * conditional allow without `conditions`; `onDecision` without `decisionRecords`; a requirement
 * that is a function without `requirementFunctions`) is a `TypeError` at cold start that names
 * the import.
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
function rbac<Resource = unknown, TEvent = unknown>(options: RbacOptions<Resource, TEvent>): RbacMiddleware<TEvent> {
  return createRbac<TEvent>(options as RbacOptions<unknown, unknown>)
}

export default rbac
