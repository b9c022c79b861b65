/**
 * The policy: data in, a compiled lookup structure out. Everything that can never work
 * (a malformed permission, an unknown role in `inherits`, a cycle) is a `TypeError` here, at
 * cold start. Inheritance is flattened once: each role gets one map from permission key to the
 * rules that apply to a holder of that role (its own and every inherited one), so a request-time
 * check is at most four map lookups per held role.
 */
import { checkOptionNames, isRecord, needExtension } from '@middy-auth/core/internal'
import type { ConditionsExtension, RbacExtensions } from './extension-types.js'
import { fail, notAPermission, parsePermission, type ParsedPermission, type Permission } from './permission.js'
import type { AppliedRule, CompiledRole, KeyRules, PolicyRule } from './rules.js'

/**
 * An entry of a role's `allow` list: a permission, or a permission that applies only when the
 * named condition (from the `conditions` option) returns `true`.
 *
 * @example
 * ```ts
 * const entries: AllowEntry[] = ['articles:read', { permission: 'articles:update', when: 'isOwner' }]
 * ```
 */
export type AllowEntry = Permission | { permission: Permission; when: string }

/**
 * One role of a {@link Policy}. Inheriting a role is the same as holding it too: its allows,
 * its denies and its conditions apply.
 *
 * @example
 * ```ts
 * const editor: RoleDefinition = {
 *   inherits: ['viewer'],
 *   allow: ['articles:create', { permission: 'articles:update', when: 'isOwner' }],
 *   deny: ['articles:delete'],
 * }
 * ```
 */
export interface RoleDefinition {
  /** Roles of the same policy whose rules this role also has. Default `[]`. */
  inherits?: readonly string[]
  /** What the role may do. Default `[]`. */
  allow?: readonly AllowEntry[]
  /** What the role may never do: a deny beats every allow, inherited or from another held role. Default `[]`. */
  deny?: readonly Permission[]
}

/**
 * The role-based access policy: plain, JSON-serializable data.
 *
 * @example
 * ```ts
 * const policy: Policy = {
 *   roles: {
 *     admin: { inherits: ['editor'], allow: ['*'] },
 *     editor: { inherits: ['viewer'], allow: ['articles:create', 'articles:update'], deny: ['articles:delete'] },
 *     viewer: { allow: ['articles:read'] },
 *   },
 * }
 * ```
 */
export interface Policy {
  roles: Readonly<Record<string, RoleDefinition>>
}

const roleName = /^[^\s\p{Cc}]+$/u
/** The path of the roles in the options, which messages start with. */
const rolesPath = 'policy.roles'
const roleFields = ['inherits', 'allow', 'deny'] as const

/** A permission of the policy: a `TypeError` naming `where` when it is not one. */
export function permissionOf(value: unknown, where: string): ParsedPermission {
  const parsed = parsePermission(value)
  if (!parsed) throw fail(where, notAPermission(value, `'*' or 'resource:action', each part '*' or a word without ':', '*' or spaces`))
  return parsed
}

/** An `allow` or `deny` entry, read; `when` only on a conditional allow. */
export interface RuleEntry {
  effect: 'allow' | 'deny'
  permission: ParsedPermission
  when?: string
}

interface RawRole {
  /** Its path in the options (`policy.roles["editor"]`), for messages. */
  at: string
  inherits: string[]
  /** Its allows, then its denies. */
  entries: RuleEntry[]
}

/** Reads one role; a conditional allow (an object) is for `readConditional`. */
function readRole(name: string, definition: unknown, readConditional: (entry: Record<string, unknown>, where: string) => RuleEntry): RawRole {
  const at = `${rolesPath}[${JSON.stringify(name)}]`
  if (!roleName.test(name)) throw fail(at, `is not a role name: a non-empty word without spaces`)
  // Not an object: `policy.roles["r"] must be an object`, from the check of its fields.
  checkOptionNames(definition, roleFields, fail, `${at}.`)
  // Each list (default `[]`) in the order of roleFields, each entry read with its path: a parent's
  // name, or an allow or deny entry (an object in allow: a conditional allow).
  const [inherits, ...entries] = roleFields.map((field) => {
    const value = (definition as Record<string, unknown>)[field]
    if (value === undefined) return []
    if (!Array.isArray(value)) throw fail(`${at}.${field}`, `must be a list`)
    // Array.from, not map: a hole (`[, 'a:b']`) is read as undefined, and refused by name.
    return Array.from(value, (entry: unknown, i): string | RuleEntry => {
      const where = `${at}.${field}[${i}]`
      if (field !== 'inherits') {
        return field === 'allow' && isRecord(entry) ? readConditional(entry, where) : { effect: field, permission: permissionOf(entry, where) }
      }
      if (typeof entry !== 'string') throw fail(where, `must be a role name`)
      return entry
    })
  })
  // A parent named twice in `inherits` adds nothing the second time: a closure is a set.
  return { at, inherits: inherits as string[], entries: entries.flat() as RuleEntry[] }
}

/** An entry of `declaring` as it applies to a holder of `holder`, with its reason in words. */
function applied({ effect, permission: { text }, when }: RuleEntry, declaring: string, holder: string): AppliedRule {
  // The rule's fields in this order: onDecision records and explain() show them so.
  const rule: PolicyRule = { effect, role: declaring, permission: text }
  if (when !== undefined) rule.when = when
  if (declaring !== holder) rule.via = holder
  return {
    rule,
    reason: `role ${declaring}${rule.via ? ` (inherited by ${holder})` : ''} ${effect === 'deny' ? 'denies' : 'allows'} ${text}${when ? ` when ${when}` : ''}`,
  }
}

/** Whether a deny of these rules covers every permission the pattern covers. */
export function deniedEntirely(rules: ReadonlyMap<string, KeyRules>, pattern: ParsedPermission): boolean {
  for (const key of pattern.keys) if (rules.get(key)?.deny) return true
  return false
}

function compileRole(name: string, closure: readonly string[], raw: ReadonlyMap<string, RawRole>): CompiledRole {
  const rules = new Map<string, KeyRules>()
  // Keyed by text: a permission allowed twice is one grant (the same text parses to the same keys).
  const grants = new Map<string, ParsedPermission>()
  // The role's own entries first, then the inherited ones (depth first, in `inherits` order):
  // the first rule found for a key is the one reported.
  for (const declaring of closure) {
    for (const entry of (raw.get(declaring) as RawRole).entries) {
      const { effect, permission } = entry
      // A pattern is stored under its own key: `resource:action`, with `*` kept.
      const key = permission.keys[0] as string
      let rule = rules.get(key)
      if (!rule) rules.set(key, (rule = {}))
      if (entry.when !== undefined) {
        ;(rule.conditional ??= []).push(applied(entry, declaring, name))
      } else {
        rule[effect] ??= applied(entry, declaring, name)
        // Setting a key again keeps its first place: grants stay in the order first allowed.
        if (effect === 'allow') grants.set(permission.text, permission)
      }
    }
  }
  const grantList = [...grants.values()]
  return {
    closure,
    rules,
    grants: grantList,
    permissions: grantList.filter((grant) => !deniedEntirely(rules, grant)).map((grant) => grant.text),
  }
}

/** A policy compiled: what `rbac()` needs (`compilePolicy()` wraps it in its public interface). */
export interface CompiledPolicyImpl {
  /** Every role of the policy, in the policy's order. */
  roles: readonly string[]
  /** The compiled roles among the given names, each once, in order; other names are dropped. */
  held(names: readonly unknown[]): CompiledRole[]
  /** Where each condition name is first used, for the error message of an unknown one. */
  conditionUses: ReadonlyMap<string, string>
}

/**
 * Checks and compiles a policy. A conditional allow needs the `conditions` extension among
 * `extensions` (the lean entry's, or every one): without it, a `TypeError` naming the import.
 */
export function compile(policy: unknown, extensions: RbacExtensions): CompiledPolicyImpl {
  // Not an object: `policy must be an object`, from the check of its fields.
  checkOptionNames(policy, ['roles'], fail, 'policy.')
  const { roles } = policy as { roles?: unknown }
  if (!isRecord(roles)) throw fail(rolesPath, `must be an object keyed by role name`)
  const raw = new Map<string, RawRole>()
  const conditionUses = new Map<string, string>()
  const readConditional = (entry: Record<string, unknown>, where: string): RuleEntry =>
    // readExtensions keys each extension by its name: the one named conditions is a ConditionsExtension.
    (needExtension(extensions, 'conditions', where, fail) as ConditionsExtension).readAllow(entry, where, conditionUses)
  for (const [name, definition] of Object.entries(roles)) raw.set(name, readRole(name, definition, readConditional))
  if (raw.size === 0) throw fail(rolesPath, `is empty: a policy without roles allows nothing`)
  // A `Map`: names from tokens never reach `Object.prototype`.
  const byName = new Map<string, CompiledRole>()
  // Each role compiled once, after those it inherits (depth first, in `inherits` order): its
  // closure is the role, then every role it inherits, each once. A cycle or an unknown role is a TypeError.
  function compiled(name: string, path: readonly string[]): CompiledRole {
    let role = byName.get(name)
    if (role) return role
    if (path.includes(name)) throw fail(rolesPath, `have an inheritance cycle ${[...path.slice(path.indexOf(name)), name].join(' → ')}`)
    const { at, inherits } = raw.get(name) as RawRole
    const names = new Set([name])
    for (const parent of inherits) {
      if (!raw.has(parent)) throw fail(`${at}.inherits`, `names an unknown role ${JSON.stringify(parent)}`)
      for (const inherited of compiled(parent, [...path, name]).closure) names.add(inherited)
    }
    byName.set(name, (role = compileRole(name, [...names], raw)))
    return role
  }
  for (const name of raw.keys()) compiled(name, [])
  function held(names: readonly unknown[]): CompiledRole[] {
    const found: CompiledRole[] = []
    for (const name of names) {
      // Every key of byName is a string: any other value finds nothing.
      const role = byName.get(name as string)
      if (role && !found.includes(role)) found.push(role)
    }
    return found
  }
  return { roles: [...raw.keys()], held, conditionUses }
}

/** The policies `compilePolicy()` compiled: one passed to `rbac()` is not compiled again. */
export const compiledPolicies = new WeakMap<object, CompiledPolicyImpl>()

/** A policy for `rbac()`: compiled by `compilePolicy()`, or compiled now. */
export const compilePolicyImpl = (policy: unknown, extensions: RbacExtensions): CompiledPolicyImpl =>
  compiledPolicies.get(policy as object) ?? compile(policy, extensions)
