import type { AuthContext, MiddyRequestLike } from '@middy-auth/core'
import { needExtension, type RouteMap } from '@middy-auth/core/internal'
import type { Context } from 'aws-lambda'
import type { CompiledPolicy } from './compile-policy.js'
import type {
  CompiledConditions,
  ConditionsExtension,
  DecisionRecorder,
  DecisionRecordsExtension,
  RbacExtension,
  RbacExtensions,
  RouteMapsExtension,
} from './extension-types.js'
import { fail, type Permission } from './permission.js'
import type { CompiledPolicyImpl, Policy } from './policy.js'
import { compileRequirement, type CompiledRequirement } from './requirement.js'
import type { RoleMap, RoleSource } from './roles.js'
import type { PolicyRule, RbacCheck } from './rules.js'

/**
 * The Middy request as `required`, `routes` functions and `resource` see it: `context.auth` is
 * the caller (with the roles read), the event is the Lambda event.
 *
 * @typeParam TEvent - the event type; annotate the function's parameter to narrow it.
 * @example
 * ```ts
 * import type { APIGatewayProxyEventV2 } from 'aws-lambda'
 * const articleId = (request: RbacRequest<APIGatewayProxyEventV2>) => request.event.pathParameters?.id
 * ```
 */
export interface RbacRequest<TEvent = unknown> {
  event: TEvent
  context: Context & { auth: AuthContext }
  internal: Record<string, unknown>
}

/**
 * What a condition is given: the caller, the request's event, the resource (from the
 * `resource` option, or the third argument of `can()`; `undefined` when there is none) and the
 * permission being checked.
 *
 * @example
 * ```ts
 * const input: ConditionInput<{ ownerId: string }> = {
 *   auth: context.auth, event, resource: { ownerId: 'alice' }, permission: 'articles:update',
 * }
 * ```
 */
export interface ConditionInput<Resource = unknown, TEvent = unknown> {
  auth: AuthContext
  event: TEvent
  resource: Resource | undefined
  permission: Permission
}

/**
 * A named condition of conditional allows (`{ permission, when: 'isOwner' }`). Synchronous:
 * only `true` allows; `false`, any other value (a `Promise` too) or a throw does not. Load
 * what it needs in the `resource` option, which may be async.
 *
 * @example
 * ```ts
 * interface Article { ownerId: string; tenantId: string }
 * const isOwner: Condition<Article> = ({ auth, resource }) => resource?.ownerId === auth.subject
 * const sameTenant: Condition<Article> = ({ auth, resource }) => resource?.tenantId === auth.claims['custom:tenantId']
 * ```
 */
export type Condition<Resource = unknown, TEvent = unknown> = (input: ConditionInput<Resource, TEvent>) => boolean

/**
 * A requirement that does not depend on the request: one permission, a list (all of them), or
 * `{ anyOf }` (at least one). Permissions here are concrete (`resource:action`, no `*`): the
 * wildcards are for the grants of the policy. `[]` requires no permission, only an identity.
 *
 * @example
 * ```ts
 * const one: StaticRequirement = 'articles:update'
 * const all: StaticRequirement = ['articles:update', 'articles:publish']
 * const any: StaticRequirement = { anyOf: ['articles:update', 'articles:moderate'] }
 * ```
 */
export type StaticRequirement = Permission | readonly Permission[] | { anyOf: readonly Permission[] }

/**
 * What a request needs: a {@link StaticRequirement}, or a function of the request returning one
 * (or a promise of one). A function that throws fails the request with its error (an
 * `http-errors` 404 stays a 404); one that returns anything else than a valid requirement
 * denies it (`'invalid requirement'`).
 *
 * @example
 * ```ts
 * const byMethod: Requirement = (request) =>
 *   (request.event as { httpMethod?: string }).httpMethod === 'GET' ? 'articles:read' : 'articles:update'
 * ```
 */
export type Requirement<TEvent = unknown> = StaticRequirement | ((request: RbacRequest<TEvent>) => StaticRequirement | Promise<StaticRequirement>)

/**
 * What `onDecision` receives, once per request: the decision, the last permission checked (the
 * one that decided) and why, the roles that applied, the caller, and every check made.
 *
 * @example
 * ```ts
 * const decision: RbacDecision = {
 *   decision: 'deny',
 *   permission: 'articles:delete',
 *   roles: ['admin', 'editor', 'viewer'],
 *   reason: 'role editor (inherited by admin) denies articles:delete',
 *   subject: 'alice',
 *   rule: { effect: 'deny', role: 'editor', permission: 'articles:delete', via: 'admin' },
 *   checks: [],
 * }
 * ```
 */
export interface RbacDecision {
  decision: 'allow' | 'deny'
  /** The permission of the check that decided; `undefined` when none was checked (no identity, route not listed, nothing required). */
  permission: Permission | undefined
  /** The policy roles that applied: those held and those they inherit (also `context.auth.roles`). */
  roles: string[]
  /** Why, in words: the rule that decided, or `'no identity'`, `'route not listed'`, `'no permission required'`, `'invalid requirement'`. */
  reason: string
  /** `context.auth.subject` (`''` without an identity). */
  subject: string
  /** The policy entry that decided, when one did. */
  rule?: PolicyRule
  /** Every permission checked, in order; the last one decided. */
  checks: RbacCheck[]
}

/** The options every form of the options takes (the API reference shows them in place). @inline */
interface CommonOptions<Resource, TEvent> {
  /** The policy, as data or compiled by `compilePolicy()`. Required. */
  policy: Policy | CompiledPolicy
  /**
   * Where the roles are read. Default: `context.auth.roles`, the roles the identity came with
   * (a Lambda authorizer's `roles` context value).
   */
  rolesFrom?: RoleSource | readonly RoleSource[]
  /** Renames identity-provider groups to policy roles (the lean entry needs the `roleMaps` extension). Default: none. */
  roleMap?: RoleMap
  /** The functions that `when` names in the policy. Default `{}`. */
  conditions?: Readonly<Record<string, Condition<Resource, TEvent>>>
  /** Loads the resource the conditions are about; called at most once per request, only when a condition is asked. Default: none (`resource` is `undefined`). */
  resource?: (request: RbacRequest<TEvent>) => Resource | Promise<Resource>
  /**
   * Called with every decision (allow and deny), before a denial is thrown. Awaited when it
   * returns a promise; a throw fails the request (the lean entry needs the `decisionRecords`
   * extension). Default: none.
   */
  onDecision?: (decision: RbacDecision) => void | Promise<void>
  /** The `realm` of the `401` challenge when there is no identity at all. Default `'api'`. */
  realm?: string
  /**
   * The extensions, from `@middy-auth/rbac/extensions`, that the lean entry
   * (`@middy-auth/rbac/lean`) needs for `routes` and `routesDefault` (`routeMaps`), for
   * `roleMap` (`roleMaps`), to read the identity API Gateway verified (`apiGatewayClaims`), and for conditional allows,
   * `conditions` and `resource` (`conditions`), for `onDecision` (`decisionRecords`) and for a
   * requirement that is a function (`requirementFunctions`). The root entry has every extension:
   * there the list is only checked. Default: none.
   */
  extensions?: readonly RbacExtension[]
}

/**
 * Options of `rbac()`: the policy, then either `required` (one requirement for every request) or
 * `routes` (a requirement per route).
 *
 * @example
 * ```ts
 * const options: RbacOptions = {
 *   policy,
 *   rolesFrom: 'cognito:groups',
 *   routes: { 'GET /articles': 'articles:read', 'POST /articles': 'articles:create' },
 * }
 * ```
 */
export type RbacOptions<Resource = unknown, TEvent = unknown> = CommonOptions<Resource, TEvent> &
  (
    | {
        /** The requirement of every request. */
        required: Requirement<TEvent>
        routes?: never
        routesDefault?: never
      }
    | {
        required?: never
        /** Requirements per route, keyed `"METHOD /path"` as in `@middy-auth/core`'s route maps. */
        routes: RouteMap<Requirement<TEvent>>
        /** The requirement of a route that `routes` does not list. Default: none, such a route is denied. */
        routesDefault?: Requirement<TEvent>
      }
  )

/** Every option's name, for the message of one that is not. */
export const knownOptions = [
  'policy',
  'required',
  'routes',
  'routesDefault',
  'rolesFrom',
  'roleMap',
  'conditions',
  'resource',
  'onDecision',
  'realm',
  'extensions',
]

/**
 * The requirement of each request: `required`, or per route (`routes`, with the `routeMaps`
 * extension, which also refuses `required` beside it); exactly one of them. A string is the
 * reason a request is denied before any check.
 */
export function compileRequirementOf(
  options: RbacOptions<unknown, unknown>,
  extensions: RbacExtensions,
): (request: MiddyRequestLike) => CompiledRequirement | 'route not listed' {
  // readExtensions keys each extension by its name: the one named routeMaps is a RouteMapsExtension.
  if (options.routes !== undefined) return (needExtension(extensions, 'routeMaps', 'routes', fail) as RouteMapsExtension).compile(options, extensions)
  if (options.required === undefined) throw fail('options', `need required (use [] for "any identity") or routes`)
  if (options.routesDefault !== undefined) throw fail('routesDefault', `goes with routes`)
  const requirement = compileRequirement(options.required, 'required', extensions)
  return () => requirement
}

/**
 * The conditions and the resource; `undefined` when neither the options nor the policy use any.
 * Conditions given, a resource, or a compiled policy's conditional allows (which another entry's
 * compilePolicy() read): each needs the conditions extension.
 */
export function compileConditionsOf(
  options: RbacOptions<unknown, unknown>,
  policy: CompiledPolicyImpl,
  extensions: RbacExtensions,
): CompiledConditions | undefined {
  const [firstUse] = policy.conditionUses.values()
  const conditional = options.conditions !== undefined ? 'conditions' : options.resource !== undefined ? 'resource' : firstUse
  return conditional === undefined
    ? undefined
    : (needExtension(extensions, 'conditions', conditional, fail) as ConditionsExtension).compile(options.conditions, options.resource, policy)
}

/** `onDecision`, checked and compiled (with the `decisionRecords` extension); `undefined`: none. */
export const compileDecisionRecordsOf = (onDecision: unknown, extensions: RbacExtensions): DecisionRecorder | undefined =>
  onDecision === undefined
    ? undefined
    : // readExtensions keys each extension by its name: the one named decisionRecords is a DecisionRecordsExtension.
      (needExtension(extensions, 'decisionRecords', 'onDecision', fail) as DecisionRecordsExtension).compile(onDecision)
