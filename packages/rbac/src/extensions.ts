/**
 * `@middy-auth/rbac/extensions`: the code of the options most handlers never use, for
 * `@middy-auth/rbac/lean` (`extensions: [routeMaps, roleMaps, conditions, decisionRecords, requirementFunctions]`). Each is a plain object, so a bundler
 * leaves out the ones a handler does not import, and the code they point to with them. The root
 * entry, `@middy-auth/rbac`, is built with every one of them. (`satisfies` checks each one's code
 * against what `rbac()` reads; the exported type hides it.)
 */
import { gatewayAuth } from '@middy-auth/core'
import type { ApiGatewayClaimsExtension } from '@middy-auth/core/internal'
import { compileConditions, readConditionalAllow } from './conditions.js'
import { compileDecisionRecords } from './decision-records.js'
import type {
  ConditionsExtension,
  DecisionRecordsExtension,
  RbacExtension,
  RequirementFunctionsExtension,
  RoleMapsExtension,
  RouteMapsExtension,
} from './extension-types.js'
import { extensionMark, packageName } from './permission.js'
import { compileRoleMap } from './role-map.js'
import { compileRequirementFunction } from './requirement-functions.js'
import { compileRoutes } from './route-requirements.js'

export type { RbacExtension } from './extension-types.js'

/**
 * The `routes` and `routesDefault` options (a requirement per route, with core's route maps):
 * without it, `@middy-auth/rbac/lean` refuses `routes` with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import rbac from '@middy-auth/rbac/lean'
 * import { routeMaps } from '@middy-auth/rbac/extensions'
 *
 * const access = rbac({
 *   policy,
 *   routes: { 'GET /articles': 'articles:read', 'POST /articles': 'articles:create' },
 *   extensions: [routeMaps],
 * })
 * ```
 */
export const routeMaps = { package: packageName, mark: extensionMark, name: 'routeMaps', compile: compileRoutes } satisfies RouteMapsExtension as RbacExtension

/**
 * The `roleMap` option (identity-provider group names renamed to policy roles): without it,
 * `@middy-auth/rbac/lean` refuses `roleMap` with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import rbac from '@middy-auth/rbac/lean'
 * import { roleMaps } from '@middy-auth/rbac/extensions'
 *
 * const access = rbac({
 *   policy,
 *   rolesFrom: 'cognito:groups',
 *   roleMap: { 'orders-managers': 'manager', 'orders-clerks': 'clerk' },
 *   required: 'orders:read',
 *   extensions: [roleMaps],
 * })
 * ```
 */
export const roleMaps = { package: packageName, mark: extensionMark, name: 'roleMaps', compile: compileRoleMap } satisfies RoleMapsExtension as RbacExtension

/**
 * Reading the identity API Gateway verified (HTTP API JWT authorizer, REST Cognito authorizer,
 * Lambda authorizers) when no middleware before set `context.auth`. Without it,
 * `@middy-auth/rbac/lean` reads only `context.auth`, and a request without it is refused as one
 * without any identity: 401 `missing_token`.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import rbac from '@middy-auth/rbac/lean'
 * import { apiGatewayClaims } from '@middy-auth/rbac/extensions'
 *
 * // Behind an HTTP API JWT authorizer: the gateway verified the token.
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(rbac({ policy, rolesFrom: 'cognito:groups', required: 'articles:read', extensions: [apiGatewayClaims] }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
 * ```
 */
export const apiGatewayClaims = {
  package: packageName,
  mark: extensionMark,
  name: 'apiGatewayClaims',
  gatewayAuth,
} satisfies ApiGatewayClaimsExtension as RbacExtension

/**
 * Conditional allows (`{ permission: 'articles:update', when: 'isOwner' }` in a role's `allow`
 * list), and the `conditions` and `resource` options that answer them. Without it,
 * `@middy-auth/rbac/lean` refuses a policy with a conditional allow, `conditions` and `resource`
 * with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import rbac from '@middy-auth/rbac/lean'
 * import { conditions } from '@middy-auth/rbac/extensions'
 *
 * const access = rbac({
 *   policy: { roles: { editor: { allow: ['articles:read', { permission: 'articles:update', when: 'isOwner' }] } } },
 *   rolesFrom: 'cognito:groups',
 *   required: 'articles:update',
 *   conditions: { isOwner: ({ auth, resource }) => resource?.ownerId === auth.subject },
 *   resource: async (request) => loadArticle(request.event),
 *   extensions: [conditions],
 * })
 * ```
 */
export const conditions = {
  package: packageName,
  mark: extensionMark,
  name: 'conditions',
  readAllow: readConditionalAllow,
  compile: compileConditions,
} satisfies ConditionsExtension as RbacExtension

/**
 * The `onDecision` option (the audit hook, called with the record of every decision): without
 * it, `@middy-auth/rbac/lean` refuses `onDecision` with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import rbac from '@middy-auth/rbac/lean'
 * import { decisionRecords } from '@middy-auth/rbac/extensions'
 *
 * const access = rbac({
 *   policy,
 *   rolesFrom: 'cognito:groups',
 *   required: 'articles:read',
 *   onDecision: (decision) => console.log(JSON.stringify(decision)),
 *   extensions: [decisionRecords],
 * })
 * ```
 */
export const decisionRecords = {
  package: packageName,
  mark: extensionMark,
  name: 'decisionRecords',
  compile: compileDecisionRecords,
} satisfies DecisionRecordsExtension as RbacExtension

/**
 * Requirement functions: `required`, a route's requirement in `routes` or `routesDefault` given as a
 * function of the request, called per request. Without it, `@middy-auth/rbac/lean` refuses a
 * requirement that is a function with a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * import rbac from '@middy-auth/rbac/lean'
 * import { requirementFunctions } from '@middy-auth/rbac/extensions'
 *
 * const access = rbac({
 *   policy,
 *   rolesFrom: 'cognito:groups',
 *   required: (request) => ((request.event as { httpMethod?: string }).httpMethod === 'GET' ? 'articles:read' : 'articles:update'),
 *   extensions: [requirementFunctions],
 * })
 * ```
 */
export const requirementFunctions = {
  package: packageName,
  mark: extensionMark,
  name: 'requirementFunctions',
  compile: compileRequirementFunction,
} satisfies RequirementFunctionsExtension as RbacExtension
