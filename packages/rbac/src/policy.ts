/**
 * The policy: data in, a compiled lookup structure out. Everything that can never work
 * (a malformed permission, an unknown role in `inherits`, a cycle) is a `TypeError` here, at
 * cold start. Inheritance is flattened once: each role gets one map from permission key to the
 * rules that apply to a holder of that role (its own and every inherited one), so a request-time
 * check is at most four map lookups per held role.
 */
import { checkOptionNames, isRecord } from '@middy-auth/core/internal'
import { decide } from './check.js'
import { fail, parsePermission, type ParsedPermission, type Permission } from './permission.js'
import type { AppliedRule, CompiledRole, KeyRules, PolicyRule, RbacCheck } from './rules.js'

// The outcome types belong to the policy's public API (`compilePolicy(…).check`).
export type { PolicyRule, RbacCheck } from './rules.js'

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

const roleName = /^[^\s\p{Cc}]+$/u
const roleFields = ['inherits', 'allow', 'deny']
const allowEntryFields = ['permission', 'when']
const policyFields = ['roles']

const list = (value: unknown, where: string): readonly unknown[] => {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw fail(where, `must be a list`)
  return value
}

const permissionOf = (value: unknown, where: string): ParsedPermission => {
  const parsed = parsePermission(value)
  if (!parsed) {
    throw fail(where, `${JSON.stringify(value)} is not a permission ('*' or 'resource:action', each part a word without ':', '*' or spaces, or '*')`)
  }
  return parsed
}

interface RawRole {
  name: string
  /** Its path in the options (`policy.roles["editor"]`), for messages. */
  at: string
  inherits: string[]
  allow: Array<{ permission: ParsedPermission; when: string | undefined }>
  deny: ParsedPermission[]
}

const readRole = (name: string, definition: unknown): RawRole => {
  const at = `policy.roles[${JSON.stringify(name)}]`
  if (!roleName.test(name)) throw fail(at, `is not a role name: a non-empty word without spaces`)
  if (!isRecord(definition)) throw fail(at, `must be an object { inherits?, allow?, deny? }`)
  checkOptionNames(definition, roleFields, fail, `${at}.`)
  const inherits = list(definition.inherits, `${at}.inherits`).map((parent, i) => {
    if (typeof parent !== 'string') throw fail(`${at}.inherits[${i}]`, `must be a role name`)
    return parent
  })
  const allow = list(definition.allow, `${at}.allow`).map((entry, i) => {
    const where = `${at}.allow[${i}]`
    if (!isRecord(entry)) return { permission: permissionOf(entry, where), when: undefined }
    checkOptionNames(entry, allowEntryFields, fail, `${where}.`)
    if (typeof entry.when !== 'string' || entry.when === '') throw fail(`${where}.when`, `must name a condition`)
    return { permission: permissionOf(entry.permission, `${where}.permission`), when: entry.when }
  })
  const deny = list(definition.deny, `${at}.deny`).map((entry, i) => permissionOf(entry, `${at}.deny[${i}]`))
  return { name, at, inherits: [...new Set(inherits)], allow, deny }
}

/**
 * Each role's closure: the role, then every role it inherits (depth first, in `inherits` order,
 * each once). A cycle or an unknown role is a `TypeError`.
 */
const closures = (raw: ReadonlyMap<string, RawRole>): Map<string, string[]> => {
  const done = new Map<string, string[]>()
  const visit = (name: string, path: string[]): string[] => {
    const known = done.get(name)
    if (known) return known
    const cycleStart = path.indexOf(name)
    if (cycleStart !== -1) throw fail('policy.roles', `have an inheritance cycle ${[...path.slice(cycleStart), name].join(' → ')}`)
    const role = raw.get(name) as RawRole
    const closure = new Set<string>([name])
    for (const parent of role.inherits) {
      if (!raw.has(parent)) throw fail(`${role.at}.inherits`, `names an unknown role ${JSON.stringify(parent)}`)
      for (const inherited of visit(parent, [...path, name])) closure.add(inherited)
    }
    const result = [...closure]
    done.set(name, result)
    return result
  }
  for (const name of raw.keys()) visit(name, [])
  return done
}

const wordRule = (rule: PolicyRule): string => {
  const who = rule.via === undefined ? `role ${rule.role}` : `role ${rule.role} (inherited by ${rule.via})`
  const verb = rule.effect === 'deny' ? 'denies' : 'allows'
  return `${who} ${verb} ${rule.permission}${rule.when === undefined ? '' : ` when ${rule.when}`}`
}

const applied = (rule: PolicyRule): AppliedRule => ({ rule, reason: wordRule(rule) })

const entryFor = (rules: Map<string, KeyRules>, key: string): KeyRules => {
  let entry = rules.get(key)
  if (!entry) {
    entry = {}
    rules.set(key, entry)
  }
  return entry
}

const ruleOf = (effect: 'allow' | 'deny', declaring: string, holder: string, permission: string, when?: string): PolicyRule => ({
  effect,
  role: declaring,
  permission,
  ...(when === undefined ? {} : { when }),
  ...(declaring === holder ? {} : { via: holder }),
})

/** A pattern is stored under its own key: `resource:action`, with `*` kept. */
const patternKey = (permission: ParsedPermission): string => permission.keys[0] as string

/** Whether a deny of these rules covers every permission the pattern covers. */
export const deniedEntirely = (rules: ReadonlyMap<string, KeyRules>, pattern: ParsedPermission): boolean => {
  for (const key of pattern.keys) if (rules.get(key)?.deny) return true
  return false
}

const compileRole = (name: string, closure: readonly string[], raw: ReadonlyMap<string, RawRole>): CompiledRole => {
  const rules = new Map<string, KeyRules>()
  const grants = new Map<string, ParsedPermission>()
  // The role's own entries first, then the inherited ones (depth first, in `inherits` order):
  // the first rule found for a key is the one reported.
  for (const declaring of closure) {
    const role = raw.get(declaring) as RawRole
    for (const permission of role.deny) {
      const entry = entryFor(rules, patternKey(permission))
      entry.deny ??= applied(ruleOf('deny', declaring, name, permission.text))
    }
    for (const { permission, when } of role.allow) {
      const entry = entryFor(rules, patternKey(permission))
      if (when === undefined) {
        entry.allow ??= applied(ruleOf('allow', declaring, name, permission.text))
        if (!grants.has(permission.text)) grants.set(permission.text, permission)
      } else {
        ;(entry.conditional ??= []).push(applied(ruleOf('allow', declaring, name, permission.text, when)))
      }
    }
  }
  const grantList = [...grants.values()]
  return {
    name,
    closure,
    rules,
    grants: grantList,
    permissions: grantList.filter((grant) => !deniedEntirely(rules, grant)).map((grant) => grant.text),
  }
}

/** The compiled form, with what the middleware needs beyond the public interface. */
export class CompiledPolicyImpl implements CompiledPolicy {
  readonly roles: readonly string[]
  readonly conditionNames: readonly string[]
  /** Role name → compiled role. A `Map`: names from tokens never reach `Object.prototype`. */
  readonly byName: ReadonlyMap<string, CompiledRole>
  /** Where each condition name is first used, for the error message of an unknown one. */
  readonly conditionUses: ReadonlyMap<string, string>

  constructor(byName: ReadonlyMap<string, CompiledRole>, conditionUses: ReadonlyMap<string, string>) {
    this.byName = byName
    this.roles = Object.freeze([...byName.keys()])
    this.conditionUses = conditionUses
    this.conditionNames = Object.freeze([...conditionUses.keys()])
  }

  /** The compiled roles among the given names, each once, in order; other names are dropped. */
  held(names: readonly string[]): CompiledRole[] {
    const held: CompiledRole[] = []
    for (const name of names) {
      const role = typeof name === 'string' ? this.byName.get(name) : undefined
      if (role && !held.includes(role)) held.push(role)
    }
    return held
  }

  check(roles: readonly string[], permission: Permission, when?: (condition: string) => boolean): RbacCheck {
    return decide(this.held(Array.isArray(roles) ? roles : []), permission, when)
  }
}

/**
 * Checks and compiles a policy, at cold start. `rbac({ policy })` does it for you; call it
 * yourself to share one compiled policy between several middlewares, or to check roles outside
 * a request. A malformed permission, an unknown role in `inherits`, an inheritance cycle or an
 * unknown field is a `TypeError` that names it. Condition names are checked by `rbac()`,
 * against its `conditions`.
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
export const compilePolicy = (policy: Policy): CompiledPolicy => compilePolicyImpl(policy)

export const compilePolicyImpl = (policy: Policy | CompiledPolicy): CompiledPolicyImpl => {
  if (policy instanceof CompiledPolicyImpl) return policy
  if (!isRecord(policy)) throw fail('policy', `must be an object { roles: { <name>: { inherits?, allow?, deny? } } }`)
  checkOptionNames(policy, policyFields, fail, 'policy.')
  const roles = (policy as { roles?: unknown }).roles
  if (!isRecord(roles)) throw fail('policy.roles', `must be an object keyed by role name`)
  const raw = new Map<string, RawRole>()
  for (const [name, definition] of Object.entries(roles)) raw.set(name, readRole(name, definition))
  if (raw.size === 0) throw fail('policy.roles', `is empty: a policy without roles allows nothing`)
  const closureOf = closures(raw)
  const byName = new Map<string, CompiledRole>()
  for (const name of raw.keys()) byName.set(name, compileRole(name, closureOf.get(name) as string[], raw))
  const conditionUses = new Map<string, string>()
  for (const role of raw.values()) {
    role.allow.forEach(({ when }, i) => {
      if (when !== undefined && !conditionUses.has(when)) conditionUses.set(when, `${role.at}.allow[${i}]`)
    })
  }
  return new CompiledPolicyImpl(byName, conditionUses)
}
