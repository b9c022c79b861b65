/**
 * Type tests, compiled by `tsc -p tsconfig.test.json`: what reaches the handler, and options
 * that must not compile.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import jwtVerify from '@middy-auth/jwt-verify'
import type { AuthError } from '@middy-auth/core'
import rbac, {
  can,
  cognitoRoles,
  compilePolicy,
  keycloakRoles,
  presets,
  type Condition,
  type Policy,
  type RbacDenialReason,
  type RbacRequest,
} from '@middy-auth/rbac'

const policy: Policy = { roles: { editor: { allow: ['articles:update', { permission: 'articles:publish', when: 'isOwner' }] } } }
const issuers = [{ issuer: 'https://auth.example.com/', audience: 'api' }]

interface Claims {
  email: string
  'cognito:groups': string[]
}
interface Article {
  ownerId: string
}

export const afterJwt = middy<APIGatewayProxyEventV2>()
  .use(jwtVerify<Claims>({ issuers }))
  .use(rbac({ policy, rolesFrom: cognitoRoles(), required: 'articles:update', conditions: { isOwner: () => false } }))
  .use(httpErrorHandler())
  .handler(async (_event, context) => {
    // The claims keep jwtVerify's type; rbac adds permissions.
    const email: string = context.auth.claims.email
    const permissions: string[] = context.auth.permissions
    const roles: string[] = context.auth.roles
    // @ts-expect-error claims are the user's type, not an open record
    const missing = context.auth.claims.nickname
    return { statusCode: 200, body: [email, permissions, roles, missing, can(context.auth, 'articles:update')].join() }
  })

export const alone = middy()
  .use(rbac({ policy: compilePolicy(policy), routes: { 'GET /a': 'articles:update' }, routesDefault: [], conditions: { isOwner: () => true } }))
  .handler(async (_event, context) => {
    const subject: string = context.auth.subject
    const permissions: string[] = context.auth.permissions
    return `${subject} ${permissions.join()}`
  })

// The resource type flows from `resource` into the conditions.
export const typedResource = rbac({
  policy,
  required: 'articles:publish',
  resource: async (request: RbacRequest<APIGatewayProxyEventV2>): Promise<Article> => ({ ownerId: request.event.pathParameters?.id ?? '' }),
  conditions: { isOwner: ({ auth, resource }) => resource?.ownerId === auth.subject },
})
const isOwner: Condition<Article> = ({ auth, resource }) => resource?.ownerId === auth.subject
export const declared = rbac<Article>({ policy, required: [], conditions: { isOwner } })

// @ts-expect-error required and routes are exclusive
export const both = rbac({ policy, required: 'a:b', routes: {} })
// @ts-expect-error routesDefault goes with routes
export const stray = rbac({ policy, required: 'a:b', routesDefault: 'a:b' })
// @ts-expect-error a requirement is a permission, a list, { anyOf } or a function
export const wrongRequire = rbac({ policy, required: { allOf: ['a:b'] } })
// @ts-expect-error conditions return booleans synchronously
export const asyncCondition = rbac({ policy, required: [], conditions: { isOwner: async () => true } })
// @ts-expect-error keycloakRoles is a factory: call it
export const uncalled = rbac({ policy, required: [], rolesFrom: keycloakRoles })
// @ts-expect-error the suite spells it required
export const otherSpelling = rbac({ policy, require: 'a:b' })
// The deprecated presets still type-check (and are marked @deprecated).
export const deprecatedPreset = rbac({ policy, required: [], rolesFrom: [presets.cognito, presets.keycloak('orders-api')] })
// The factories return functions of context.auth, usable outside rolesFrom.
export const rolesOf = (auth: Parameters<typeof can>[0]): string[] => cognitoRoles()(auth)
// A denial's reason is typed by the package's union.
export const reasonOf = (
  error: AuthError<RbacDenialReason>,
): 'denied_by_policy' | 'not_granted' | 'no_identity' | 'route_not_listed' | 'invalid_requirement' | undefined => error.reason
// @ts-expect-error not a reason of rbac
export const wrongReason: RbacDenialReason = 'insufficient_scope'
// @ts-expect-error can() takes the auth object
export const wrongCan = can('alice', 'a:b')

// The lean entry: the same options and context, plus its own package's extensions only.
import leanRbac from '@middy-auth/rbac/lean'
import { apiGatewayClaims as rbacGatewayClaims, routeMaps as rbacRouteMaps } from '@middy-auth/rbac/extensions'
import { routeMaps as scopeRouteMaps } from '@middy-auth/oauth-scope/extensions'

export const leanHandler = middy()
  .use(
    leanRbac({
      policy: { roles: { viewer: { allow: ['articles:read'] } } },
      routes: { 'GET /articles': 'articles:read' },
      extensions: [rbacRouteMaps, rbacGatewayClaims],
    }),
  )
  .handler(async (_event, context) => context.auth.permissions.join(' '))

// @ts-expect-error oauth-scope's routeMaps is not an extension of rbac
leanRbac({ policy: { roles: { viewer: {} } }, routes: { 'GET /articles': [] }, extensions: [scopeRouteMaps] })
// The root entry takes the same extensions (checked, then not needed: it has every one), and only its own package's.
export const rootWithExtensions = rbac({ policy: { roles: { viewer: {} } }, required: [], extensions: [rbacRouteMaps] })
// @ts-expect-error oauth-scope's routeMaps is not an extension of rbac, whichever entry
rbac({ policy: { roles: { viewer: {} } }, required: [], extensions: [scopeRouteMaps] })
