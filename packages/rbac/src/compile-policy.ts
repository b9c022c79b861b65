/**
 * `compilePolicy()`, the policy compiler's public face (root entry only): it compiles with the
 * `conditions` extension, as the root's `rbac()` does, and decides with the conditions answered.
 */
import { decide } from './conditions.js'
import type { RbacExtension } from './extension-types.js'
import { conditions } from './extensions.js'
import type { Permission } from './permission.js'
import { compile, compiledPolicies, type Policy } from './policy.js'
import type { RbacCheck } from './rules.js'

// The outcome types belong to the policy's public API (`compilePolicy(…).check`).
export type { PolicyRule, RbacCheck } from './rules.js'

/**
 * A policy checked and compiled by {@link compilePolicy}: pass it as `rbac({ policy })` to
 * share one compilation between several middlewares, or call `check` directly.
 *
 * @example
 * ```ts
 * const compiled: CompiledPolicy = compilePolicy(policy)
 * compiled.check(['editor'], 'articles:update').decision // 'allow'
 * compiled.check(['editor'], 'articles:delete').reason   // 'role editor denies articles:delete'
 * ```
 */
export interface CompiledPolicy {
  /** Every role of the policy, in the policy's order. */
  readonly roles: readonly string[]
  /** The condition names the policy's allow entries use (`rbac()` requires a function for each). */
  readonly conditionNames: readonly string[]
  /**
   * Decides one concrete permission (`resource:action`, no wildcard) for a set of roles. Names
   * that are not roles of the policy grant nothing. `when(name)` answers conditional allows;
   * without it, they do not apply. A permission that is not concrete is denied
   * (`'invalid permission'`).
   */
  check(roles: readonly string[], permission: Permission, when?: (condition: string) => boolean): RbacCheck
}

/**
 * Checks and compiles a policy, at cold start. `rbac({ policy })` does it for you; call it
 * yourself to share one compiled policy between several middlewares, or to check roles outside
 * a request. A malformed permission, an unknown role in `inherits`, an inheritance cycle or an
 * unknown field is a `TypeError` that names it. Condition names are checked by `rbac()`,
 * against its `conditions`. It reads conditional allows (`{ permission, when }`) itself; the
 * lean `rbac()` then needs the `conditions` extension for such a policy, as for the data.
 *
 * @example
 * ```ts
 * import { compilePolicy } from '@middy-auth/rbac'
 *
 * export const policy = compilePolicy({
 *   roles: {
 *     editor: { inherits: ['viewer'], allow: ['articles:create'], deny: ['articles:delete'] },
 *     viewer: { allow: ['articles:read'] },
 *   },
 * })
 * policy.check(['editor'], 'articles:read').decision // 'allow'
 * ```
 */
export function compilePolicy(policy: Policy): CompiledPolicy {
  if (compiledPolicies.has(policy)) return policy as unknown as CompiledPolicy
  const impl = compile(policy, new Map<string, RbacExtension>([['conditions', conditions]]))
  const compiled: CompiledPolicy = {
    roles: Object.freeze([...impl.roles]),
    conditionNames: Object.freeze([...impl.conditionUses.keys()]),
    check: (names, permission, when) => decide(impl.held(Array.isArray(names) ? names : []), permission, when),
  }
  compiledPolicies.set(compiled, impl)
  return compiled
}
