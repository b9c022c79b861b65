/**
 * The caller's policy roles: `rolesFrom` (claim paths, or functions of `context.auth` such as
 * the factories of ./roles.ts) read, `roleMap` applied (./role-map.ts), and only roles of the
 * policy kept.
 */
import { readClaimPath, readListClaim, type AuthContext } from '@middy-auth/core'
import { needExtension } from '@middy-auth/core/internal'
import type { RbacExtensions, RoleMapsExtension } from './extension-types.js'
import { fail } from './permission.js'
import type { CompiledPolicyImpl } from './policy.js'
import { roleFactoryCall } from './role-factory.js'
import type { CompiledRole } from './rules.js'

/** Reads the held policy roles of a caller, compiled from `rolesFrom` and `roleMap`. */
type RoleResolver = (auth: AuthContext) => CompiledRole[]

const defaultSource = (auth: AuthContext): readonly string[] => auth.roles

/**
 * `rolesFrom`, then `roleMap` (with the `roleMaps` extension, which the lean entry leaves out
 * unless listed), compiled into the reader of a caller's policy roles.
 */
export function compileRoleResolver(rolesFrom: unknown, roleMap: unknown, policy: CompiledPolicyImpl, extensions: RbacExtensions): RoleResolver {
  const sources = compileSources(rolesFrom)
  const renames =
    roleMap === undefined
      ? undefined
      : // readExtensions keys each extension by its name: the one named roleMaps is a RoleMapsExtension.
        (needExtension(extensions, 'roleMaps', 'roleMap', fail) as RoleMapsExtension).compile(roleMap, policy)
  return (auth) => {
    const names: string[] = []
    for (const source of sources) {
      try {
        for (const name of readListClaim(auth, source(auth))) names.push(name)
      } catch {
        // A source that throws on an identity it did not expect (a claim of another shape, an
        // IAM caller without a role) gives no roles: the request is then denied, never a 500.
      }
    }
    // The policy's roles among them (renamed), each once, in the order read.
    return policy.held(renames ? renames(names) : names)
  }
}

function compileSources(rolesFrom: unknown): Array<(auth: AuthContext) => unknown> {
  if (rolesFrom === undefined) return [defaultSource]
  const many = Array.isArray(rolesFrom)
  const list: unknown[] = many ? rolesFrom : [rolesFrom]
  if (list.length === 0) throw fail('rolesFrom', `is an empty list: no role could ever be read`)
  // Array.from, not map: map() skips a hole (`[, 'groups']`), which must be refused like any non-source.
  return Array.from(list, (source, i) => {
    const where = many ? `rolesFrom[${i}]` : `rolesFrom`
    const factory = roleFactoryCall(source)
    if (factory !== undefined) throw fail(where, `is the factory itself: call it, ${factory}`)
    if (typeof source === 'function') return source as (auth: AuthContext) => unknown
    if (typeof source === 'string' && source !== '') return (auth: AuthContext) => readClaimPath(auth.claims, source)
    throw fail(where, `must be a claim path ('cognito:groups') or a function of context.auth (cognitoRoles())`)
  })
}
