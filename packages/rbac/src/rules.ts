/**
 * What a decision is made of: a policy's rules as they apply to the holder of a role, compiled
 * by `policy.ts`, and the outcome of one check, decided by `check.ts`. Types only, so that the
 * two modules share them without importing each other.
 */
import type { ParsedPermission, Permission } from './permission.js'

/**
 * The policy entry that decided a check.
 *
 * @example
 * ```ts
 * const rule: PolicyRule = { effect: 'deny', role: 'editor', permission: 'articles:delete', via: 'admin' }
 * ```
 */
export interface PolicyRule {
  effect: 'allow' | 'deny'
  /** The role whose `allow` or `deny` list holds the entry. */
  role: string
  /** The entry's permission, as written (`'*:*'` is written `'*'`). */
  permission: Permission
  /** The entry's condition, for a conditional allow. */
  when?: string
  /** The held role that inherits `role`, when the caller does not hold `role` itself. */
  via?: string
}

/**
 * The outcome of checking one permission.
 *
 * @example
 * ```ts
 * const check: RbacCheck = {
 *   permission: 'articles:delete',
 *   decision: 'deny',
 *   reason: 'role editor (inherited by admin) denies articles:delete',
 *   rule: { effect: 'deny', role: 'editor', permission: 'articles:delete', via: 'admin' },
 * }
 * ```
 */
export interface RbacCheck {
  permission: Permission
  decision: 'allow' | 'deny'
  /** The rule that decided, in words (see the README's list of reasons). For logs. */
  reason: string
  /** The policy entry that decided; absent when nothing matched (default deny). */
  rule?: PolicyRule
}

/** A rule as it applies to a holder of one role, with its reason worded once, at cold start. */
export interface AppliedRule {
  rule: PolicyRule
  reason: string
}

/** Every rule of one key (`resource:action` pattern) for a holder of one role. */
export interface KeyRules {
  deny?: AppliedRule
  allow?: AppliedRule
  conditional?: AppliedRule[]
}

/** One role with inheritance flattened. */
export interface CompiledRole {
  /** The role and every role it inherits, each once, the role first. */
  closure: readonly string[]
  /** Pattern key (`articles:*`) → the rules of that pattern that apply to a holder. */
  rules: ReadonlyMap<string, KeyRules>
  /** Unconditional allow patterns of the closure, each once. */
  grants: readonly ParsedPermission[]
  /** `grants` without those a deny of the closure covers entirely (texts). */
  permissions: readonly string[]
}
