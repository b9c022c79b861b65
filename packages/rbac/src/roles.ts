/**
 * Where the caller's roles come from: claim paths, factories for the common identity providers
 * and IAM, or functions of `context.auth`; then `roleMap` renames identity-provider groups to
 * policy roles (./role-resolver.ts reads them). Each factory is marked, `@__PURE__`, so that the
 * resolver refuses an uncalled one by name without importing any: a bundle keeps only the
 * factories its handler calls.
 */
import { readClaimPath, readListClaim, type AuthContext } from '@middy-auth/core'
import { checkOptionNames, configErrors } from '@middy-auth/core/internal'
import { packageName } from './permission.js'
import { markRoleFactory } from './role-factory.js'

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
export const cognitoRoles: () => RoleReader = /* @__PURE__ */ markRoleFactory(() => claimSource('cognito:groups'), 'cognitoRoles()')

/**
 * Microsoft Entra ID app roles (`roles`), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { entraRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: entraRoles() })
 * ```
 */
export const entraRoles: () => RoleReader = /* @__PURE__ */ markRoleFactory(() => claimSource('roles'), 'entraRoles()')

/**
 * Okta groups (`groups`; add a groups claim to the authorization server), for `rolesFrom`.
 *
 * @example
 * ```ts
 * import rbac, { oktaRoles } from '@middy-auth/rbac'
 * rbac({ policy, required: 'articles:read', rolesFrom: oktaRoles() })
 * ```
 */
export const oktaRoles: () => RoleReader = /* @__PURE__ */ markRoleFactory(() => claimSource('groups'), 'oktaRoles()')

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
export const iamRoles: () => RoleReader = /* @__PURE__ */ markRoleFactory(
  () =>
    (auth: AuthContext): string[] => {
      const roleName = auth.iam?.roleName
      return typeof roleName === 'string' && roleName !== '' ? [roleName] : []
    },
  'iamRoles()',
)

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
export const keycloakRoles: (options?: KeycloakRolesOptions) => RoleReader = /* @__PURE__ */ markRoleFactory(
  (options: KeycloakRolesOptions = {}): RoleReader => {
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
  },
  'keycloakRoles({ clientId })',
)

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
export const auth0Roles: (options: Auth0RolesOptions) => RoleReader = /* @__PURE__ */ markRoleFactory((options: Auth0RolesOptions): RoleReader => {
  const refuse = configErrors(packageName, 'auth0Roles')
  checkOptionNames(options, ['namespace'], refuse)
  const { namespace } = options
  if (typeof namespace !== 'string' || namespace.replace(/\/+$/, '') === '') {
    throw refuse('namespace', `must be the prefix of your custom claims, such as 'https://example.com'`)
  }
  return claimSource([`${namespace.replace(/\/+$/, '')}/roles`])
}, 'auth0Roles({ namespace })')

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
export const presets = /* @__PURE__ */ Object.freeze({
  cognito: /* @__PURE__ */ cognitoRoles(),
  entra: /* @__PURE__ */ entraRoles(),
  okta: /* @__PURE__ */ oktaRoles(),
  iam: /* @__PURE__ */ iamRoles(),
  // Marked like the factories: `rolesFrom: presets.keycloak` (not called) is a TypeError too.
  keycloak: /* @__PURE__ */ markRoleFactory(
    (clientId?: string): RoleReader => keycloakRoles(clientId === undefined ? {} : { clientId }),
    'presets.keycloak(clientId)',
  ),
  auth0: /* @__PURE__ */ markRoleFactory((namespace: string): RoleReader => auth0Roles({ namespace }), 'presets.auth0(namespace)'),
})
