/**
 * Conditional allows (`{ permission, when }` in a role's `allow` list), the `conditions` and
 * `resource` options, and the asking of conditions: the code of the `conditions` extension,
 * which `@middy-auth/rbac/lean` leaves out. `compilePolicy()` and `can()`, root exports, decide
 * with it too.
 */
import type { AuthContext, MiddyRequestLike } from '@middy-auth/core'
import { checkOptionNames, isRecord, noteRequestSpecificCheck, readFunction } from '@middy-auth/core/internal'
import { byRule, denied, match, parseConcrete } from './check.js'
import type { CompiledConditions } from './extension-types.js'
import type { Condition, RbacRequest } from './options.js'
import { fail, packageName, type ParsedPermission } from './permission.js'
import { permissionOf, type CompiledPolicyImpl, type RuleEntry } from './policy.js'
import type { AppliedRule, CompiledRole, RbacCheck } from './rules.js'

/** Conditional allows still to be asked, in order. */
interface PendingCheck {
  permission: ParsedPermission
  conditional: AppliedRule[]
}

/** What a condition said: `true` met; otherwise why not, in the words of the reason. */
type ConditionAnswer = true | 'not met' | 'threw'

/** Reads a conditional allow of a role (`where`: its path); the first use of each condition name goes to `uses`, with its path. */
export function readConditionalAllow(entry: Record<string, unknown>, where: string, uses: Map<string, string>): RuleEntry {
  checkOptionNames(entry, ['permission', 'when'], fail, `${where}.`)
  const { when } = entry
  if (typeof when !== 'string' || when === '') throw fail(`${where}.when`, `must name a condition`)
  const permission = permissionOf(entry.permission, `${where}.permission`)
  if (!uses.has(when)) uses.set(when, where)
  return { effect: 'allow', permission, when }
}

const conditionShape = '({ auth, event, resource, permission }) => boolean'

/** The `conditions` option against the names the policy uses, and the `resource` option. */
export function compileConditions(value: unknown, resourceOption: unknown, policy: CompiledPolicyImpl): CompiledConditions {
  if (value !== undefined && !isRecord(value)) throw fail('conditions', `must be an object { <name>: ${conditionShape} }`)
  const conditions = new Map<string, Condition<never, never>>()
  for (const [name, condition] of Object.entries(value ?? {})) {
    if (typeof condition !== 'function') throw fail(`conditions[${JSON.stringify(name)}]`, `must be a function ${conditionShape}`)
    conditions.set(name, condition as Condition<never, never>)
  }
  for (const [name, where] of policy.conditionUses) {
    if (!conditions.has(name)) {
      const known = conditions.size === 0 ? 'none is given' : `given: ${[...conditions.keys()].join(', ')}`
      throw fail(where, `names an unknown condition ${JSON.stringify(name)} (conditions: ${known})`)
    }
  }
  const resource = readFunction<(request: RbacRequest) => unknown>(
    resourceOption,
    'resource',
    fail,
    'a function of the request returning the resource (or a promise of it)',
  )
  return {
    named: conditions,
    forRequest: (request: MiddyRequestLike, auth: AuthContext) => {
      // The resource is loaded once, and only when a condition is asked.
      let loaded: { value: unknown } | undefined
      return async (held, check, permission) => {
        const pending = pendingOf(held, check, permission)
        if (!pending) return check
        noteRequestSpecificCheck(request, { package: packageName, reason: 'condition' })
        loaded ??= { value: resource ? await resource(request as unknown as RbacRequest) : undefined }
        return settle(pending, conditionAsker(conditions, { auth, event: request.event, resource: loaded.value, permission: pending.permission.text }))
      }
    },
  }
}

/**
 * The conditional allows of the held roles that could still allow a permission `check` refused
 * without a rule (no deny, no unconditional allow), in order; `undefined` when there are none.
 */
function pendingOf(held: readonly CompiledRole[], check: RbacCheck, permission: ParsedPermission): PendingCheck | undefined {
  if (check.rule) return undefined
  const conditional: AppliedRule[] = []
  for (const role of held) for (const key of permission.keys) conditional.push(...(role.rules.get(key)?.conditional ?? []))
  return conditional.length > 0 ? { permission, conditional } : undefined
}

/** Asks the conditions of a pending check in order (each name once); the first met allows. */
function settle(pending: PendingCheck, ask: (condition: string) => ConditionAnswer): RbacCheck {
  const answers = new Map<string, ConditionAnswer>()
  for (const applied of pending.conditional) {
    const name = applied.rule.when as string
    let answer = answers.get(name)
    if (answer === undefined) {
      answer = ask(name)
      answers.set(name, answer)
    }
    if (answer === true) return byRule(pending.permission.text, applied)
  }
  // Every answer here says why not: a met condition returned above.
  const failed = [...answers].map(([name, answer]) => `condition ${name} ${answer as string}`)
  return denied(pending.permission.text, `no role allows ${pending.permission.text}; ${failed.join(', ')}`)
}

/** Runs a user's condition: only `true` counts as met; a throw is recorded, never thrown on. */
function askSafely(condition: () => unknown): ConditionAnswer {
  try {
    return condition() === true || 'not met'
  } catch {
    return 'threw'
  }
}

/** Asks a named condition for one check (none by that name: not met). */
export const conditionAsker =
  (conditions: ReadonlyMap<string, Condition<never, never>> | undefined, input: { auth: unknown; event: unknown; resource: unknown; permission: string }) =>
  (name: string): ConditionAnswer => {
    const condition = conditions?.get(name) as ((value: typeof input) => unknown) | undefined
    return condition ? askSafely(() => condition(input)) : 'not met'
  }

/**
 * The whole decision, synchronously, for a permission from outside (`CompiledPolicy.check`,
 * `can()`): `when(name)` answers the conditional allows; without it, they do not apply.
 */
export function decide(held: readonly CompiledRole[], permission: unknown, when?: (condition: string) => unknown): RbacCheck {
  const parsed = parseConcrete(permission)
  if (!parsed) return denied(String(permission), 'invalid permission')
  const result = match(held, parsed)
  const pending = pendingOf(held, result, parsed)
  return pending ? settle(pending, (name) => (when ? askSafely(() => when(name)) : 'not met')) : result
}
