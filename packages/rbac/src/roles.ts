/**
 * Where the caller's roles come from: claim paths, presets for the common identity providers
 * and IAM, or functions of `context.auth`; then `roleMap` renames identity-provider groups to
 * policy roles. Names that are not roles of the policy grant nothing.
 */
import { asRecord, readClaimPath, readListClaim, type AuthContext } from '@middy-auth/core'
import { configError } from './permission.js'
import type { CompiledPolicyImpl } from './policy.js'
import type { CompiledRole } from './rules.js'

/**
 * Where roles are read: a claim path of `context.auth.claims` (`'cognito:groups'`,
 * `'realm_access.roles'`; a claim whose name contains dots is found first), or a function of
 * `context.auth`. Claim values may be lists or the strings API Gateway makes of them
 * (`"[admin editor]"`, `"admin,editor"`).
 *
 * @example
 * ```ts
 * const fromClaim: RoleSource = 'cognito:groups'
 * const fromTenant: RoleSource = (auth) => (auth.claims.tenant_admin === true ? ['tenant-admin'] : [])
 * ```
 */
export type RoleSource = string | ((auth: AuthContext) => readonly string[])

/**
 * Renames identity-provider groups to policy roles: a name maps to one role, several, or none
 * (`[]`). A name that is not in the map is kept as it is.
 *
 * @example
 * ```ts
 * const roleMap: RoleMap = { 'Domain Editors': 'editor', 'deploy-role': ['deployer', 'viewer'], legacy: [] }
 * ```
 */
export type RoleMap = Readonly<Record<string, string | readonly string[]>>

const claimList = (auth: AuthContext, path: string | readonly string[]): string[] => readListClaim(auth, readClaimPath(auth.claims, path))

const cognito = (auth: AuthContext): string[] => claimList(auth, 'cognito:groups')
const entra = (auth: AuthContext): string[] => claimList(auth, 'roles')
const okta = (auth: AuthContext): string[] => claimList(auth, 'groups')
const iam = (auth: AuthContext): string[] => {
  const roleName = auth.iam?.roleName
  return typeof roleName === 'string' && roleName !== '' ? [roleName] : []
}

const keycloak = (clientId?: string): ((auth: AuthContext) => string[]) => {
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw configError(`presets.keycloak(clientId): clientId must be a non-empty string, or left out for realm roles only`)
  }
  // An array path: client ids often contain dots.
  const clientPath = clientId === undefined ? undefined : ['resource_access', clientId, 'roles']
  return (auth) => {
    const realm = claimList(auth, ['realm_access', 'roles'])
    return clientPath ? [...realm, ...claimList(auth, clientPath)] : realm
  }
}

const auth0 = (namespace: string): ((auth: AuthContext) => string[]) => {
  if (typeof namespace !== 'string' || namespace.replace(/\/+$/, '') === '') {
    throw configError(`presets.auth0(namespace): namespace must be the prefix of your custom claims, such as 'https://example.com'`)
  }
  const claim = `${namespace.replace(/\/+$/, '')}/roles`
  return (auth) => claimList(auth, [claim])
}

/**
 * Role sources for common identity providers, for `rolesFrom`:
 *
 * - `presets.cognito`: Amazon Cognito user pool groups, `cognito:groups`.
 * - `presets.keycloak(clientId?)`: Keycloak realm roles, `realm_access.roles`, and with a
 *   `clientId` also that client's roles, `resource_access.<clientId>.roles`.
 * - `presets.entra`: Microsoft Entra ID app roles, `roles`.
 * - `presets.okta`: Okta groups, `groups` (add a groups claim to the authorization server).
 * - `presets.auth0(namespace)`: Auth0 roles that an Action adds as the custom claim
 *   `<namespace>/roles` (`api.accessToken.setCustomClaim(`${namespace}/roles`, event.authorization.roles)`).
 *   For the `permissions` claim of Auth0's RBAC, use `rolesFrom: 'permissions'`.
 * - `presets.iam`: the role name of an IAM caller with an assumed role,
 *   `context.auth.iam.roleName`, as `@middy-auth/iam-context` sets it.
 *
 * @example
 * ```ts
 * import rbac, { presets } from '@middy-auth/rbac'
 *
 * rbac({ policy, require: 'articles:read', rolesFrom: presets.cognito })
 * rbac({ policy, require: 'articles:read', rolesFrom: [presets.keycloak('orders-api'), presets.iam] })
 * rbac({ policy, require: 'articles:read', rolesFrom: presets.auth0('https://example.com') })
 * ```
 */
export const presets = Object.freeze({ cognito, keycloak, entra, okta, auth0, iam })

/** Reads the held policy roles of a caller, compiled from `rolesFrom` and `roleMap`. */
export type RoleResolver = (auth: AuthContext) => CompiledRole[]

const defaultSource = (auth: AuthContext): readonly string[] => auth.roles

export const compileRoleResolver = (rolesFrom: unknown, roleMap: unknown, policy: CompiledPolicyImpl): RoleResolver => {
  const sources = compileSources(rolesFrom)
  const renames = compileRoleMap(roleMap, policy)
  return (auth) => {
    const held: CompiledRole[] = []
    const add = (name: string) => {
      const role = policy.byName.get(name)
      if (role && !held.includes(role)) held.push(role)
    }
    for (const source of sources) {
      let names: string[]
      try {
        names = readListClaim(auth, source(auth))
      } catch {
        // A source that throws on an identity it did not expect (a claim of another shape, an
        // IAM caller without a role) gives no roles: the request is then denied, never a 500.
        names = []
      }
      for (const name of names) {
        const renamed = renames?.get(name)
        if (renamed) for (const target of renamed) add(target)
        else add(name)
      }
    }
    return held
  }
}

const compileSources = (rolesFrom: unknown): Array<(auth: AuthContext) => unknown> => {
  if (rolesFrom === undefined) return [defaultSource]
  const list = Array.isArray(rolesFrom) ? rolesFrom : [rolesFrom]
  if (list.length === 0) throw configError(`'rolesFrom' is an empty list: no role could ever be read`)
  return list.map((source: unknown, i) => {
    if (typeof source === 'function') return source as (auth: AuthContext) => unknown
    if (typeof source === 'string' && source !== '') return (auth: AuthContext) => readClaimPath(auth.claims, source)
    const where = Array.isArray(rolesFrom) ? `'rolesFrom[${i}]'` : `'rolesFrom'`
    throw configError(`${where} must be a claim path (such as 'cognito:groups') or a function of context.auth (such as presets.cognito)`)
  })
}

const compileRoleMap = (roleMap: unknown, policy: CompiledPolicyImpl): Map<string, readonly string[]> | undefined => {
  if (roleMap === undefined) return undefined
  const entries = asRecord(roleMap)
  if (!entries) throw configError(`'roleMap' must be an object { '<group>': '<policy role>' | ['<policy role>', …] }`)
  const renames = new Map<string, readonly string[]>()
  for (const [name, value] of Object.entries(entries)) {
    const at = `roleMap[${JSON.stringify(name)}]`
    const targets = typeof value === 'string' ? [value] : value
    if (!Array.isArray(targets) || targets.some((target) => typeof target !== 'string')) {
      throw configError(`${at} must be a policy role or a list of policy roles`)
    }
    for (const target of targets as string[]) {
      if (!policy.byName.has(target)) throw configError(`${at}: ${JSON.stringify(target)} is not a role of the policy`)
    }
    renames.set(name, [...new Set(targets as string[])])
  }
  return renames
}
