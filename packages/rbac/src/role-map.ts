/**
 * The `roleMap` option: identity-provider group names renamed to policy roles. The code of the
 * `roleMaps` extension, which `@middy-auth/rbac/lean` leaves out unless listed.
 */
import { isListOf, isRecord } from '@middy-auth/core/internal'
import { fail } from './permission.js'
import type { CompiledPolicyImpl } from './policy.js'

/**
 * Checks `roleMap` against the policy's roles; returns the renaming of the names read: each to the
 * policy roles it stands for (each once), in order; a name it does not list stays.
 */
export function compileRoleMap(roleMap: unknown, policy: CompiledPolicyImpl): (names: readonly string[]) => string[] {
  if (!isRecord(roleMap)) throw fail('roleMap', `must be an object { '<group>': '<policy role>' | ['<policy role>', …] }`)
  const renames = new Map<string, readonly string[]>()
  for (const [name, value] of Object.entries(roleMap)) {
    const at = `roleMap[${JSON.stringify(name)}]`
    const targets = typeof value === 'string' ? [value] : value
    if (!isListOf(targets, (target) => typeof target === 'string')) {
      throw fail(at, `must be a policy role or a list of policy roles`)
    }
    for (const target of targets) {
      if (!policy.roles.includes(target)) throw fail(at, `names ${JSON.stringify(target)}, which is not a role of the policy`)
    }
    renames.set(name, [...new Set(targets)])
  }
  return (names) => names.flatMap((name) => renames.get(name) ?? name)
}
