// rbac: one permission check against a large policy (50 roles, 500 permissions), next to the
// floor of a check that is "a lookup": Set.has on the permission. No budget: for reference.
import { compilePolicy, type Policy } from '@middy-auth/rbac'
import { measure, perRoundMedian } from './measure.ts'
import { fmtNs, fmtRatio, table, type BudgetRow } from './report.ts'

/**
 * A policy of 50 roles, each allowing 10 permissions of its own (500 in all), inheriting from
 * the previous role every fifth role, with a wildcard and a deny here and there.
 */
export const largePolicy = (): Policy => {
  const roles: Record<string, { inherits?: string[]; allow: string[]; deny?: string[] }> = {}
  for (let r = 0; r < 50; r++) {
    const allow = Array.from({ length: 10 }, (_, p) => `resource${r}:action${p}`)
    if (r % 10 === 0) allow.push(`wide${r}:*`)
    roles[`role${r}`] = {
      ...(r % 5 === 4 ? { inherits: [`role${r - 1}`] } : {}),
      allow,
      ...(r % 7 === 0 ? { deny: [`resource${r}:action9`] } : {}),
    }
  }
  return { roles } as Policy
}

/** ns/op of `compilePolicy(policy).check(roles, permission)` for a caller holding 3 roles, against `Set.has`. */
export async function run(settings: { quick: boolean }): Promise<BudgetRow[]> {
  const policy = compilePolicy(largePolicy())
  const held = ['role4', 'role20', 'role44']
  const allowed = 'resource3:action5' // inherited: role4 inherits role3
  const refused = 'resource30:action1'
  if (policy.check(held, allowed).decision !== 'allow' || policy.check(held, refused).decision !== 'deny') {
    throw new Error('bench/rbac.ts: the large policy does not decide as expected')
  }
  const set = new Set(Object.values(largePolicy().roles).flatMap((role) => (role as { allow: string[] }).allow))
  let sink = 0
  const tasks = [
    {
      name: 'Set.has (500 permissions)',
      op: () => {
        sink += set.has(allowed) ? 1 : 0
      },
    },
    {
      name: 'rbac check, allowed (3 roles held)',
      op: () => {
        sink += policy.check(held, allowed).decision === 'allow' ? 1 : 0
      },
    },
    {
      name: 'rbac check, refused (3 roles held)',
      op: () => {
        sink += policy.check(held, refused).decision === 'deny' ? 1 : 0
      },
    },
  ]
  const m = await measure(tasks, { rounds: settings.quick ? 6 : 20, time: 25, warmupTime: 100 })
  if (sink === 0) throw new Error('unreachable')
  const floor = m.perRound(tasks[0]!.name)
  console.log('=== rbac: one permission check, policy of 50 roles and 500 permissions (no budget) ===')
  table(
    ['', 'ns/op', '× Set.has'],
    tasks.map(({ name }) => [name, fmtNs(m.ns(name)), fmtRatio(perRoundMedian(m, (r) => m.perRound(name)[r]! / floor[r]!).value)]),
  )
  console.log('')
  return []
}
