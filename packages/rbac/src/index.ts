import { readExtensions } from '@middy-auth/core/internal'
import type { RbacExtension } from './extension-types.js'
import { apiGatewayClaims, conditions, decisionRecords, requirementFunctions, roleMaps, routeMaps } from './extensions.js'
import { createRbac, type RbacMiddleware } from './middleware.js'
import type { RbacOptions } from './options.js'
import { extensionMark, fail } from './permission.js'

export { can, explain } from './can.js'
export { compilePolicy } from './compile-policy.js'
export type { CompiledPolicy } from './compile-policy.js'
export type { AllowEntry, Policy, RoleDefinition } from './policy.js'
export type { PolicyRule, RbacCheck } from './rules.js'
export type { Permission } from './permission.js'
export type { Condition, ConditionInput, RbacDecision, RbacOptions, RbacRequest, Requirement, StaticRequirement } from './options.js'
// `presets` stays exported, deprecated, for the callers of earlier releases.
// eslint-disable-next-line @typescript-eslint/no-deprecated
export { auth0Roles, cognitoRoles, entraRoles, iamRoles, keycloakRoles, oktaRoles, presets } from './roles.js'
export type { Auth0RolesOptions, KeycloakRolesOptions, RoleMap, RoleSource } from './roles.js'
export { forbidden } from '@middy-auth/core'
export type { RbacContext, RbacDenialReason, RbacMiddleware } from './middleware.js'
export { rbacValidateOptions } from './validate-options.js'

/** The root entry has every extension: an application that imports it needs to list none (a list given is checked). */
const everyExtension = /* @__PURE__ */ readExtensions<RbacExtension>(
  [routeMaps, roleMaps, apiGatewayClaims, conditions, decisionRecords, requirementFunctions],
  fail,
  extensionMark,
)

/**
 * Role-based access control: reads the caller's roles (`rolesFrom`, `roleMap`), checks the
 * permissions the request needs (`required`, or `routes`) against the policy, and lets the
 * request through or throws an `AuthError` for `@middy/http-error-handler`: `403 access_denied`
 * (no challenge) when the policy does not allow it, `401 missing_token` when there is no
 * identity at all. Then `context.auth.roles` holds the roles that applied and
 * `context.auth.permissions` what they grant, and `can(context.auth, permission, resource)`
 * checks more inside the handler.
 *
 * The policy is checked and compiled when the factory runs (cold start): every configuration
 * error is a `TypeError` naming what to fix. A check at request time is a few map lookups per
 * held role. Deny beats allow, inherited or not; roles that are not in the policy grant nothing.
 *
 * Put it after the middleware that establishes the identity (`jwtVerify`, `iamContext`), or
 * alone behind an API Gateway authorizer; register `httpErrorHandler()` last.
 *
 * @typeParam Resource - what `resource(request)` loads and the conditions receive.
 * @typeParam TEvent - the event type the `required`, `routes` and `resource` functions see.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify from '@middy-auth/jwt-verify'
 * import rbac, { cognitoRoles, type Policy } from '@middy-auth/rbac'
 *
 * const policy: Policy = {
 *   roles: {
 *     admin: { inherits: ['editor'], allow: ['*'] },
 *     editor: { inherits: ['viewer'], allow: ['articles:create', 'articles:update'], deny: ['articles:delete'] },
 *     viewer: { allow: ['articles:read'] },
 *   },
 * }
 *
 * export const handler = middy()
 *   .use(jwtVerify({ issuers }))
 *   .use(rbac({ policy, rolesFrom: cognitoRoles(), required: 'articles:update' }))
 *   .use(httpErrorHandler())
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.permissions.join(' ') }))
 * ```
 */
function rbac<Resource = unknown, TEvent = unknown>(options: RbacOptions<Resource, TEvent>): RbacMiddleware<TEvent> {
  return createRbac<TEvent>(options as RbacOptions<unknown, unknown>, everyExtension)
}

export default rbac
