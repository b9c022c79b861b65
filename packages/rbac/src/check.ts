/**
 * The decision for one permission and a set of held roles. A deny of any held role (its own or
 * inherited) beats every allow; then an unconditional allow decides; then conditional allows,
 * which ./conditions.ts finds and asks in order; otherwise nothing allows it. Every lookup is
 * in the maps compiled at cold start: at most four per held role, no walk of the role graph.
 */
import { parsePermission, type ParsedPermission } from './permission.js'
import type { AppliedRule, CompiledRole, RbacCheck } from './rules.js'

/** Decided by a rule of the policy: allowed or denied as the rule says. */
export const byRule = (permission: string, applied: AppliedRule): RbacCheck => ({
  permission,
  decision: applied.rule.effect,
  reason: applied.reason,
  rule: applied.rule,
})

/** Denied because no rule allows it. */
export const denied = (permission: string, reason: string): RbacCheck => ({ permission, decision: 'deny', reason })

/**
 * Denies and unconditional allows of the held roles, for a concrete permission. A denial without
 * a rule is one no rule decided: the conditional allows (./conditions.ts) may still allow it.
 */
export function match(held: readonly CompiledRole[], permission: ParsedPermission): RbacCheck {
  const { text, keys } = permission
  if (held.length === 0) return denied(text, 'no role of the policy is held')
  let allow: AppliedRule | undefined
  for (const role of held) {
    for (const key of keys) {
      const rules = role.rules.get(key)
      if (rules?.deny) return byRule(text, rules.deny)
      allow ??= rules?.allow
    }
  }
  return allow ? byRule(text, allow) : denied(text, `no role allows ${text}`)
}

/**
 * Permissions already parsed, by text. Handlers ask about a small, fixed set of permissions
 * (constants in their code), so after the first call a check is map lookups only. Bounded: past
 * 1,000 distinct texts (say, permissions built from request data) nothing more is kept.
 */
const parsedPermissions = new Map<string, ParsedPermission | undefined>()

/** A permission a requirement or `can()` asks about: concrete (`resource:action`, no `*`). */
export function parseConcrete(permission: unknown): ParsedPermission | undefined {
  if (typeof permission !== 'string') return undefined
  const known = parsedPermissions.get(permission)
  if (known !== undefined || parsedPermissions.has(permission)) return known
  const parsed = parsePermission(permission)
  // Frozen: one parsed permission is shared by every later check of the same text.
  let concrete: ParsedPermission | undefined
  // A part is a word without `*`, or `*` itself: a `*` anywhere is a wildcard.
  if (parsed && !permission.includes('*')) {
    Object.freeze(parsed.keys)
    concrete = Object.freeze(parsed)
  }
  if (parsedPermissions.size < 1000) parsedPermissions.set(permission, concrete)
  return concrete
}
