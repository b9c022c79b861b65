/**
 * Where the caller's roles come from: claim paths, factories for the common identity providers
 * and IAM, or functions of `context.auth`; then `roleMap` renames identity-provider groups to
 * policy roles. Names that are not roles of the policy grant nothing.
 */
import { readClaimPath, readListClaim, type AuthContext } from '@middy-auth/core'
import { asRecord, checkOptionNames, configErrors } from '@middy-auth/core/internal'
import { fail, packageName } from './permission.js'
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

/** What the identity-provider factories return: the roles of a caller. */
type RoleReader = (auth: AuthContext) => string[]

const claimSource =
  (path: string | readonly string[]): RoleReader =>
  (auth) =>
    claimList(auth, path)

/**
 * Amazon Cognito user pool groups (`cognito:groups`), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { cognitoRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: cognitoRoles() })
 * ```
 */
export const cognitoRoles = (): RoleReader => claimSource('cognito:groups')

/**
 * Microsoft Entra ID app roles (`roles`), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { entraRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: entraRoles() })
 * ```
 */
export const entraRoles = (): RoleReader => claimSource('roles')

/**
 * Okta groups (`groups`; add a groups claim to the authorization server), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { oktaRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: oktaRoles() })
 * ```
 */
export const oktaRoles = (): RoleReader => claimSource('groups')

/**
 * The role name of an IAM caller with an assumed role (`context.auth.iam.roleName`, as
 * `@middy-auth/iam-context` sets it), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { iamRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'releases:create', rolesFrom: iamRoles() })
 * ```
 */
export const iamRoles = (): RoleReader => (auth) => {
  const roleName = auth.iam?.roleName
  return typeof roleName === 'string' && roleName !== '' ? [roleName] : []
}

/**
 * Options of {@link keycloakRoles}.
 *
 * @example
 * ```ts
 * const options: KeycloakRolesOptions = { clientId: 'orders-api' }
 * ```
 */
export interface KeycloakRolesOptions {
  /** Also read this client's roles, `resource_access.<clientId>.roles`. Default: realm roles only. */
  clientId?: string
}

/**
 * Keycloak realm roles (`realm_access.roles`) and, with a `clientId`, that client's roles
 * (`resource_access.<clientId>.roles`), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { keycloakRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: keycloakRoles({ clientId: 'orders-api' }) })
 * ```
 */
export const keycloakRoles = (options: KeycloakRolesOptions = {}): RoleReader => {
  const refuse = configErrors(packageName, 'keycloakRoles')
  checkOptionNames(options, ['clientId'], refuse)
  const { clientId } = options
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw refuse('clientId', `must be a non-empty string, or left out for realm roles only`)
  }
  // An array path: client ids often contain dots.
  const clientPath = clientId === undefined ? undefined : ['resource_access', clientId, 'roles']
  return (auth) => {
    const realm = claimList(auth, ['realm_access', 'roles'])
    return clientPath ? [...realm, ...claimList(auth, clientPath)] : realm
  }
}

/**
 * Options of {@link auth0Roles}.
 *
 * @example
 * ```ts
 * const options: Auth0RolesOptions = { namespace: 'https://example.com' }
 * ```
 */
export interface Auth0RolesOptions {
  /** The prefix of your custom claims: roles are read from `<namespace>/roles`. Required. */
  namespace: string
}

/**
 * Auth0 roles that an Action adds as the custom claim `<namespace>/roles`
 * (`api.accessToken.setCustomClaim(`${namespace}/roles`, event.authorization.roles)`), for
 * `rolesFrom`. For the `permissions` claim of Auth0's RBAC, use `rolesFrom: 'permissions'`.
 *
 * @example
 * ```ts
 * import rbac, { auth0Roles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: auth0Roles({ namespace: 'https://example.com' }) })
 * ```
 */
export const auth0Roles = (options: Auth0RolesOptions): RoleReader => {
  const refuse = configErrors(packageName, 'auth0Roles')
  checkOptionNames(options, ['namespace'], refuse)
  const { namespace } = options
  if (typeof namespace !== 'string' || namespace.replace(/\/+$/, '') === '') {
    throw refuse('namespace', `must be the prefix of your custom claims, such as 'https://example.com'`)
  }
  return claimSource([`${namespace.replace(/\/+$/, '')}/roles`])
}

/**
 * The role sources of the first releases, as values and factories of another shape.
 *
 * @deprecated Use the factories: `cognitoRoles()`, `entraRoles()`, `oktaRoles()`, `iamRoles()`,
 * `keycloakRoles({ clientId })`, `auth0Roles({ namespace })`.
 * @example
 * ```ts
 * import rbac, { presets } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: presets.cognito }) // now: cognitoRoles()
 * ```
 */
export const presets = Object.freeze({
  cognito: cognitoRoles(),
  entra: entraRoles(),
  okta: oktaRoles(),
  iam: iamRoles(),
  keycloak: (clientId?: string): RoleReader => keycloakRoles(clientId === undefined ? {} : { clientId }),
  auth0: (namespace: string): RoleReader => auth0Roles({ namespace }),
})

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

/**
 * The role factories themselves, so that `rolesFrom: cognitoRoles` (the factory, not called) is
 * a TypeError at cold start instead of a role reader that reads nothing (or throws) on every
 * request, which would refuse every caller without saying why.
 */
const roleFactories: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [cognitoRoles, 'cognitoRoles()'],
  [entraRoles, 'entraRoles()'],
  [oktaRoles, 'oktaRoles()'],
  [iamRoles, 'iamRoles()'],
  [keycloakRoles, 'keycloakRoles({ clientId })'],
  [auth0Roles, 'auth0Roles({ namespace })'],
])

const compileSources = (rolesFrom: unknown): Array<(auth: AuthContext) => unknown> => {
  if (rolesFrom === undefined) return [defaultSource]
  const list = Array.isArray(rolesFrom) ? rolesFrom : [rolesFrom]
  if (list.length === 0) throw fail('rolesFrom', `is an empty list: no role could ever be read`)
  return list.map((source: unknown, i) => {
    const where = Array.isArray(rolesFrom) ? `rolesFrom[${i}]` : `rolesFrom`
    const factory = roleFactories.get(source)
    if (factory !== undefined) throw fail(where, `is the factory itself: call it, ${factory}`)
    if (typeof source === 'function') return source as (auth: AuthContext) => unknown
    if (typeof source === 'string' && source !== '') return (auth: AuthContext) => readClaimPath(auth.claims, source)
    throw fail(where, `must be a claim path (such as 'cognito:groups') or a function of context.auth (such as cognitoRoles())`)
  })
}

const compileRoleMap = (roleMap: unknown, policy: CompiledPolicyImpl): Map<string, readonly string[]> | undefined => {
  if (roleMap === undefined) return undefined
  const entries = asRecord(roleMap)
  if (!entries) throw fail('roleMap', `must be an object { '<group>': '<policy role>' | ['<policy role>', …] }`)
  const renames = new Map<string, readonly string[]>()
  for (const [name, value] of Object.entries(entries)) {
    const at = `roleMap[${JSON.stringify(name)}]`
    const targets = typeof value === 'string' ? [value] : value
    if (!Array.isArray(targets) || targets.some((target) => typeof target !== 'string')) {
      throw fail(at, `must be a policy role or a list of policy roles`)
    }
    for (const target of targets as string[]) {
      if (!policy.byName.has(target)) throw fail(at, `names ${JSON.stringify(target)}, which is not a role of the policy`)
    }
    renames.set(name, [...new Set(targets as string[])])
  }
  return renames
}
