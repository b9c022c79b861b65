/**
 * The compiled policy against a plain reference: for random acyclic policies (inheritance,
 * wildcards, deny, conditional allows), random held roles (some not in the policy) and random
 * permissions, the compiled lookup decides as a walk of the role graph does, reports a rule that
 * really decides, and `context.auth.permissions` / `can()` agree with the reference too. And the
 * lean entry with the conditions extension answers as the root on the same policies, and refuses
 * them without it whenever they hold a conditional allow.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { conditions as conditionsExtension, decisionRecords } from '../src/extensions.js'
import rbac, {
  can,
  compilePolicy,
  explain,
  type AllowEntry,
  type Policy,
  type PolicyRule,
  type RbacDecision,
  type RbacOptions,
  type RoleDefinition,
} from '../src/index.js'
import leanRbac from '../src/lean.js'
import { protect, withIdentity } from '../../../test/support/protect.js'
import { thrown } from '../../../test/support/thrown.js'
import { identity } from './support.js'

const seed = 20240617
const resources = ['a', 'b', 'c']
const actions = ['x', 'y', 'z']
const conditionNames = ['c1', 'c2', 'c3']

const part = (words: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...words) }, { weight: 1, arbitrary: fc.constant('*') })
const pattern = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(part(resources), part(actions)).map(([r, a]) => `${r}:${a}`) },
  { weight: 1, arbitrary: fc.constant('*') },
)
const allowEntry: fc.Arbitrary<AllowEntry> = fc.oneof(
  { weight: 3, arbitrary: pattern },
  { weight: 1, arbitrary: fc.record({ permission: pattern, when: fc.constantFrom(...conditionNames) }) },
)

/** Roles named in a random order; a role inherits only from roles after it in `order`, so there is no cycle. */
const policyArbitrary: fc.Arbitrary<Policy> = fc
  .integer({ min: 1, max: 7 })
  .chain((count) =>
    fc.tuple(
      fc.shuffledSubarray(['admin', 'editor', 'viewer', 'ops', 'auditor', 'guest', 'owner'], { minLength: count, maxLength: count }),
      fc.array(
        fc.record({
          inherits: fc.array(fc.nat({ max: 6 }), { maxLength: 3 }),
          allow: fc.array(allowEntry, { maxLength: 4 }),
          deny: fc.array(pattern, { maxLength: 2 }),
        }),
        { minLength: count, maxLength: count },
      ),
    ),
  )
  .map(([names, definitions]) => {
    const roles: Record<string, RoleDefinition> = {}
    names.forEach((name, i) => {
      const later = names.slice(i + 1)
      const definition = definitions[i]!
      roles[name] = {
        inherits: later.length === 0 ? [] : definition.inherits.map((n) => later[n % later.length]!),
        allow: definition.allow,
        deny: definition.deny,
      }
    })
    return { roles }
  })

const concretePermission = fc.tuple(fc.constantFrom(...resources, 'd'), fc.constantFrom(...actions, 'w')).map(([r, a]) => `${r}:${a}`)
const conditionsArbitrary = fc.record({ c1: fc.boolean(), c2: fc.boolean(), c3: fc.constantFrom<boolean | 'throw'>(true, false, 'throw') })

// ---- the reference: a walk of the role graph, written without the compiled structures ----

const split = (p: string): [string, string] => (p === '*' ? ['*', '*'] : (p.split(':') as [string, string]))
const covers = (grant: string, permission: string): boolean => {
  const [gr, ga] = split(grant)
  const [r, a] = split(permission)
  return (gr === '*' || gr === r) && (ga === '*' || ga === a)
}
const reachable = (policy: Policy, held: string[]): Set<string> => {
  const seen = new Set<string>()
  const stack = held.filter((name) => Object.hasOwn(policy.roles, name))
  while (stack.length > 0) {
    const name = stack.pop()!
    if (seen.has(name)) continue
    seen.add(name)
    stack.push(...(policy.roles[name]!.inherits ?? []))
  }
  return seen
}
const entries = (policy: Policy, roles: Set<string>) =>
  [...roles].flatMap((role) => [
    ...(policy.roles[role]!.deny ?? []).map((permission) => ({ role, effect: 'deny' as const, permission, when: undefined as string | undefined })),
    ...(policy.roles[role]!.allow ?? []).map((entry) =>
      typeof entry === 'string'
        ? { role, effect: 'allow' as const, permission: entry, when: undefined }
        : { role, effect: 'allow' as const, permission: entry.permission, when: entry.when },
    ),
  ])
const referenceDecision = (policy: Policy, held: string[], permission: string, met: (name: string) => boolean): 'allow' | 'deny' => {
  const rules = entries(policy, reachable(policy, held)).filter((rule) => covers(rule.permission, permission))
  if (rules.some((rule) => rule.effect === 'deny')) return 'deny'
  if (rules.some((rule) => rule.effect === 'allow' && rule.when === undefined)) return 'allow'
  if (rules.some((rule) => rule.effect === 'allow' && rule.when !== undefined && met(rule.when))) return 'allow'
  return 'deny'
}
const normalized = (p: string) => (p === '*:*' ? '*' : p)
const referencePermissions = (policy: Policy, held: string[]): Set<string> => {
  const rules = entries(policy, reachable(policy, held))
  const denies = rules.filter((rule) => rule.effect === 'deny').map((rule) => rule.permission)
  return new Set(
    rules
      .filter((rule) => rule.effect === 'allow' && rule.when === undefined)
      .map((rule) => normalized(rule.permission))
      // A grant is left out when one deny covers everything it covers.
      .filter((grant) => !denies.some((deny) => covers(deny, grant))),
  )
}

/** The held-role lists: roles of the policy and names that are not (some on Object.prototype). */
const heldArbitrary = (policy: Policy) => fc.array(fc.constantFrom(...Object.keys(policy.roles), 'ghost', 'constructor', '__proto__'), { maxLength: 4 })

describe('the compiled policy agrees with a walk of the role graph', () => {
  test('decisions, and the rule reported really decides', () => {
    fc.assert(
      fc.property(
        policyArbitrary.chain((policy) => fc.tuple(fc.constant(policy), heldArbitrary(policy), concretePermission, conditionsArbitrary)),
        ([policy, held, permission, conditions]) => {
          const met = (name: string) => conditions[name as keyof typeof conditions] === true
          const when = (name: string) => {
            if (conditions[name as keyof typeof conditions] === 'throw') throw new Error('condition failed')
            return met(name)
          }
          const check = compilePolicy(policy).check(held, permission, when)
          expect(check.decision).toBe(referenceDecision(policy, held, permission, met))
          const rule: PolicyRule | undefined = check.rule
          if (rule) {
            const roles = reachable(policy, held)
            expect(rule.effect).toBe(check.decision)
            expect(roles.has(rule.role)).toBe(true)
            expect(covers(rule.permission, permission)).toBe(true)
            if (rule.when !== undefined) expect(met(rule.when)).toBe(true)
            const holder = rule.via ?? rule.role
            expect(held).toContain(holder)
            expect(reachable(policy, [holder]).has(rule.role)).toBe(true)
          } else {
            expect(check.decision).toBe('deny')
          }
        },
      ),
      { seed, numRuns: 1500 },
    )
  })

  test('through the middleware: context.auth.roles, context.auth.permissions and can()', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArbitrary.chain((policy) =>
          fc.tuple(fc.constant(policy), heldArbitrary(policy), fc.array(concretePermission, { minLength: 1, maxLength: 4 }), conditionsArbitrary),
        ),
        async ([policy, held, permissions, conditions]) => {
          const met = (name: string) => conditions[name as keyof typeof conditions] === true
          const middleware = rbac({
            policy,
            required: [],
            conditions: {
              c1: () => conditions.c1,
              c2: () => conditions.c2,
              c3: () => {
                if (conditions.c3 === 'throw') throw new Error('condition failed')
                return conditions.c3
              },
            },
          })
          const request = { event: {}, context: { auth: identity({ roles: held }) }, internal: {}, response: undefined, error: undefined }
          await middleware.before!(request as never)
          const auth = request.context.auth
          expect(new Set(auth.roles)).toEqual(reachable(policy, held))
          expect(auth.roles.length).toBe(new Set(auth.roles).size)
          expect(new Set(auth.permissions)).toEqual(referencePermissions(policy, held))
          expect(auth.permissions!.length).toBe(new Set(auth.permissions).size)
          for (const permission of permissions) {
            expect(can(auth, permission, {})).toBe(referenceDecision(policy, held, permission, met) === 'allow')
          }
        },
      ),
      { seed, numRuns: 400 },
    )
  })

  test('the same policy in any key order, or after a JSON round trip, decides the same', () => {
    fc.assert(
      fc.property(
        policyArbitrary.chain((policy) => fc.tuple(fc.constant(policy), heldArbitrary(policy), concretePermission)),
        ([policy, held, permission]) => {
          const reversed = { roles: Object.fromEntries(Object.entries(policy.roles).reverse()) }
          const roundTrip = JSON.parse(JSON.stringify(policy)) as Policy
          const expected = compilePolicy(policy).check(held, permission).decision
          expect(compilePolicy(reversed).check(held, permission).decision).toBe(expected)
          expect(compilePolicy(roundTrip).check(held, permission).decision).toBe(expected)
        },
      ),
      { seed, numRuns: 300 },
    )
  })
})

describe('permission syntax against a reference', () => {
  const reference = (value: string) => value === '*' || /^(\*|[^\s:*\p{Cc}]+):(\*|[^\s:*\p{Cc}]+)$/u.test(value)
  test('a permission is accepted exactly when it is "*" or resource:action of words or "*"', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ':', '*', ' ', '\t', 'é', '\u0000', '.', '-', '/'), maxLength: 8 }), (value) => {
        const compile = () => compilePolicy({ roles: { r: { allow: [value] } } })
        if (reference(value)) expect(compile).not.toThrow()
        else expect(compile).toThrow(TypeError)
      }),
      { seed, numRuns: 2000 },
    )
  })
})

describe('the lean entry against the root, on the same generated policies', () => {
  // Every kind of answer a condition can give: only `true` meets it.
  const answer = fc.oneof(fc.constant<unknown>(true), fc.constantFrom<unknown>(false, 1, 'yes', 'promise', 'throw'))
  // Typed as a Condition, which a JavaScript caller's function is not held to.
  const asked = (value: unknown) =>
    (() => {
      if (value === 'throw') throw new Error('condition failed')
      return value === 'promise' ? Promise.resolve(true) : value
    }) as () => boolean
  const hasConditionalAllow = (policy: Policy) => Object.values(policy.roles).some((role) => (role.allow ?? []).some((entry) => typeof entry !== 'string'))

  /** A real handler with `make`'s middleware: the response, what the handler saw, every onDecision record and resource load. */
  const outcomeOf = async (make: (options: RbacOptions) => unknown, options: RbacOptions, held: string[], permissions: string[]) => {
    const decisions: RbacDecision[] = []
    let loads = 0
    const middleware = make({
      ...options,
      ...(options.conditions ? { resource: async () => (loads++, { loads }) } : {}),
      onDecision: (decision) => void decisions.push(decision),
      // onDecision needs decisionRecords in the lean entry (the root checks the list and has every extension).
      extensions: [...(options.extensions ?? []), decisionRecords],
    })
    const { invoke } = protect([withIdentity({ roles: held }), middleware as never], (context) => ({
      roles: context.auth.roles,
      permissions: context.auth.permissions,
      explained: permissions.map((permission) => explain(context.auth, permission, { loads })),
    }))
    const response = await invoke({})
    return { response, decisions, loads }
  }

  test('with the conditions extension it answers as the root; without it, a policy with a conditional allow is a TypeError naming the import, never a policy without its conditions', async () => {
    const needs =
      /^rbac: (policy\.roles\[".+"\]\.allow\[\d+\]|conditions|resource) needs the conditions extension: import \{ conditions \} from '@middy-auth\/rbac\/extensions'/
    let allowedByCondition = 0
    await fc.assert(
      fc.asyncProperty(
        policyArbitrary.chain((policy) =>
          fc.tuple(
            fc.constant(policy),
            heldArbitrary(policy),
            fc.array(concretePermission, { minLength: 1, maxLength: 3 }),
            fc.record({ c1: answer, c2: answer, c3: answer }),
            fc.boolean(),
            fc.boolean(),
          ),
        ),
        async ([data, held, permissions, answers, compiled, anyOf]) => {
          const policy = compiled ? compilePolicy(data) : data
          const required = anyOf ? { anyOf: permissions } : permissions.slice(0, 1)
          const conditions = { c1: asked(answers.c1), c2: asked(answers.c2), c3: asked(answers.c3) }
          const options: RbacOptions = { policy, required, conditions }
          const root = await outcomeOf(rbac as never, options, held, permissions)
          expect(await outcomeOf(leanRbac as never, { ...options, extensions: [conditionsExtension] }, held, permissions)).toEqual(root)
          if (root.decisions[0]?.checks.some((check) => check.decision === 'allow' && check.rule?.when !== undefined)) allowedByCondition++

          // Without the extension: refused whenever the policy has a conditional allow (its
          // conditions given or not); otherwise the root's answers, once the conditions are left out.
          const { conditions: _left, ...without } = options
          if (hasConditionalAllow(data)) {
            for (const attempt of [options, without]) {
              const error = thrown(() => leanRbac(attempt))
              expect(error).toBeInstanceOf(TypeError)
              expect(error?.message).toMatch(needs)
            }
          } else {
            expect(thrown(() => leanRbac(options))?.message).toMatch(needs)
            expect(await outcomeOf(leanRbac as never, without, held, permissions)).toEqual(await outcomeOf(rbac as never, without, held, permissions))
          }
        },
      ),
      { seed, numRuns: 1500 },
    )
    // The comparisons saw checks that only a met condition allowed.
    expect(allowedByCondition).toBeGreaterThan(5)
  })
})
