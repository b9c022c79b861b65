/**
 * The shapes of rbac's extensions (see ./extensions.ts): what the lean entry's options take, and
 * what `rbac()` reads from each. Types only: nothing here is bundled.
 */
import type { AuthContext, MiddyRequestLike } from '@middy-auth/core'
import type { Extension } from '@middy-auth/core/internal'
import type { Condition, RbacOptions } from './options.js'
import type { CompiledPolicyImpl, RuleEntry } from './policy.js'
import type { CompiledRequirement, DynamicRequirement, RequirementFunction } from './requirement.js'
import type { ParsedPermission } from './permission.js'
import type { CompiledRole, RbacCheck } from './rules.js'

/**
 * An extension of `@middy-auth/rbac/lean`, imported from `@middy-auth/rbac/extensions`
 * (`routeMaps`, `roleMaps`, `apiGatewayClaims`, `conditions`, `decisionRecords`,
 * `requirementFunctions`) and listed in its `extensions` option.
 *
 * @example
 * ```ts
 * import { routeMaps } from '@middy-auth/rbac/extensions'
 * const extensions: readonly RbacExtension[] = [routeMaps]
 * ```
 */
export interface RbacExtension extends Extension {
  readonly package: '@middy-auth/rbac'
}

/** The extensions of one middleware, by name (the root entry's: every one). */
export type RbacExtensions = ReadonlyMap<string, RbacExtension>

/** The code of `routes` and `routesDefault`. */
export interface RouteMapsExtension extends RbacExtension {
  readonly name: 'routeMaps'
  /**
   * Checks `routes` and `routesDefault` (and that `required` is not given beside them), and
   * compiles the requirement of a request by its route (noted as specific to the request, for a
   * Lambda authorizer after rbac); a string: refused before any check, and why.
   */
  readonly compile: (
    options: RbacOptions<unknown, unknown>,
    extensions: RbacExtensions,
  ) => (request: MiddyRequestLike) => CompiledRequirement | 'route not listed'
}

/** The code of `roleMap`. */
export interface RoleMapsExtension extends RbacExtension {
  readonly name: 'roleMaps'
  /** Checks `roleMap` against the policy: the renaming of the group names read to the policy roles they stand for. */
  readonly compile: (roleMap: unknown, policy: CompiledPolicyImpl) => (names: readonly string[]) => string[]
}

/** The `conditions` and `resource` options, compiled: what the middleware and `can()` ask. */
export interface CompiledConditions {
  /** The conditions by name (`can()` asks them too). */
  named: ReadonlyMap<string, Condition<never, never>>
  /**
   * Settles one request's checks that no rule decided (`check`, of `permission`), with the
   * conditional allows of the held roles; its resource is loaded once, when the first condition
   * is asked.
   */
  forRequest(
    request: MiddyRequestLike,
    auth: AuthContext,
  ): (held: readonly CompiledRole[], check: RbacCheck, permission: ParsedPermission) => Promise<RbacCheck>
}

/** The code of conditional allows and of the `conditions` and `resource` options. */
export interface ConditionsExtension extends RbacExtension {
  readonly name: 'conditions'
  /** Reads a conditional allow `{ permission, when }` at `where`; the first use of a name goes to `uses`. */
  readonly readAllow: (entry: Record<string, unknown>, where: string, uses: Map<string, string>) => RuleEntry
  /** Checks `conditions` against the names the policy uses, and `resource`. */
  readonly compile: (conditions: unknown, resource: unknown, policy: CompiledPolicyImpl) => CompiledConditions
}

/**
 * Gives `onDecision` the record of one decision: the caller (`undefined`: no identity), every
 * check made (the last one decided), whether the request is denied, and why in words.
 */
export type DecisionRecorder = (auth: AuthContext | undefined, checks: RbacCheck[], denied: boolean, reason: string) => Promise<void>

/** The code of `onDecision`. */
export interface DecisionRecordsExtension extends RbacExtension {
  readonly name: 'decisionRecords'
  /** Checks `onDecision` (a function) and compiles the giving of each decision's record to it. */
  readonly compile: (onDecision: unknown) => DecisionRecorder
}

/** The code of requirement functions (`required`, a route's requirement or `routesDefault` that is a function). */
export interface RequirementFunctionsExtension extends RbacExtension {
  readonly name: 'requirementFunctions'
  /** Compiles a requirement function into what a request asks it. */
  readonly compile: (requirement: RequirementFunction) => DynamicRequirement
}
