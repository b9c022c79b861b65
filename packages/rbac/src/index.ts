import { attachPermissionCheck, AuthError, noteRequestSpecificCheck, resolveAuth, setAuth, type AuthContext, type MiddyRequestLike } from '@middy-auth/core'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { attachGrant, conditionAsker } from './can.js'
import { match, parseConcrete, settle } from './check.js'
import { compileOptions, readRequirement, type CompiledRequirement, type RbacOptions, type RbacRequest } from './options.js'
import { packageName } from './permission.js'
import { deniedEntirely } from './policy.js'
import type { CompiledRole, RbacCheck } from './rules.js'

export { can, explain } from './can.js'
export { compilePolicy } from './policy.js'
export type { AllowEntry, CompiledPolicy, Policy, RoleDefinition } from './policy.js'
export type { PolicyRule, RbacCheck } from './rules.js'
export type { Permission } from './permission.js'
export type { Condition, ConditionInput, RbacDecision, RbacOptions, RbacRequest, Requirement, StaticRequirement } from './options.js'
export { presets } from './roles.js'
export type { RoleMap, RoleSource } from './roles.js'
export { rbacValidateOptions } from './validate-options.js'

/**
 * The Lambda context after `rbac()`: `context.auth` is the caller, with `roles` (the policy
 * roles that applied) and `permissions` (what they grant) set. The claims keep the type an
 * earlier middleware gave them (`jwtVerify<MyClaims>()`).
 *
 * @example
 * ```ts
 * const permissionsOf = (context: RbacContext): string[] => context.auth.permissions
 * ```
 */
export type RbacContext = Context & { auth: AuthContext<unknown> & { permissions: string[] } }

/**
 * The middleware `rbac()` returns.
 *
 * @example
 * ```ts
 * const middleware: RbacMiddleware = rbac({ policy, require: 'articles:read' })
 * ```
 */
export type RbacMiddleware<TEvent = unknown> = MiddlewareObj<TEvent, unknown, Error, RbacContext, { auth: AuthContext<unknown> }>

/** The policy roles that applied: each held role, then what it inherits, each once. */
const appliedRoles = (held: readonly CompiledRole[]): string[] => {
  if (held.length === 1) return [...(held[0] as CompiledRole).closure]
  const names = new Set<string>()
  for (const role of held) for (const name of role.closure) names.add(name)
  return [...names]
}

/** The unconditional grants of the held roles that no held role's deny covers entirely. */
const effectivePermissions = (held: readonly CompiledRole[]): string[] => {
  if (held.length === 1) return [...(held[0] as CompiledRole).permissions]
  const permissions = new Set<string>()
  for (const role of held) {
    for (const grant of role.grants) {
      if (!permissions.has(grant.text) && !held.some((other) => deniedEntirely(other.rules, grant))) permissions.add(grant.text)
    }
  }
  return [...permissions]
}

/**
 * Role-based access control: reads the caller's roles (`rolesFrom`, `roleMap`), checks the
 * permissions the request needs (`require`, or `routes`) against the policy, and lets the
 * request through or throws an `AuthError` for `@middy/http-error-handler`: `403 access_denied`
 * (no challenge) when the policy does not allow it, `401 missing_token` when there is no
 * identity at all. Then `context.auth.roles` holds the roles that applied and
 * `context.auth.permissions` what they grant, and `can(context.auth, permission, resource)`
 * checks more inside the handler.
 *
 * The policy is checked and compiled when the factory runs (cold start): every configuration
 * error is a `TypeError` naming what to fix. A check at request time is a few map lookups per
 * held role. Deny beats allow, inherited or not; roles that are not in the policy grant nothing.
 *
 * Put it after the middleware that establishes the identity (`jwtVerify`, `iamContext`), or
 * alone behind an API Gateway authorizer; register `httpErrorHandler()` last.
 *
 * @typeParam Resource - what `resource(request)` loads and the conditions receive.
 * @typeParam TEvent - the event type the `require`, `routes` and `resource` functions see.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import jwtVerify from '@middy-auth/jwt-verify'
 * import rbac, { presets, type Policy } from '@middy-auth/rbac'
 *
 * const policy: Policy = {
 *   roles: {
 *     admin: { inherits: ['editor'], allow: ['*'] },
 *     editor: { inherits: ['viewer'], allow: ['articles:create', 'articles:update'], deny: ['articles:delete'] },
 *     viewer: { allow: ['articles:read'] },
 *   },
 * }
 *
 * export const handler = middy()
 *   .use(jwtVerify({ issuers }))
 *   .use(rbac({ policy, rolesFrom: presets.cognito, require: 'articles:update' }))
 *   .use(httpErrorHandler())
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.permissions.join(' ') }))
 * ```
 */
function rbac<Resource = unknown, TEvent = unknown>(options: RbacOptions<Resource, TEvent>): RbacMiddleware<TEvent> {
  const settings = compileOptions(options as RbacOptions<unknown, unknown>)
  const { resolveRoles, conditions, onDecision, realm } = settings

  const rbacMiddlewareBefore = async (request: MiddyRequestLike): Promise<void> => {
    const found = resolveAuth(request)
    if (!found) {
      if (onDecision) await onDecision({ decision: 'deny', permission: undefined, roles: [], reason: 'no identity', subject: '', checks: [] })
      throw new AuthError('missing_token', { package: packageName, realm, data: { reason: 'no identity' } })
    }
    // Another middleware may have frozen its identity: then rbac's view is a copy, written back.
    const auth = Object.isExtensible(found) ? found : { ...found }
    if (auth !== found) setAuth(request, auth)
    const held = resolveRoles(auth)
    auth.roles = appliedRoles(held)
    auth.permissions = effectivePermissions(held)
    attachGrant(auth, { held, conditions, event: request.event })
    // For a Lambda authorizer after rbac: which other routes' permissions this caller holds on
    // every request. Conditional grants depend on the request, so they do not count.
    attachPermissionCheck(auth, (permission) => {
      const parsed = parseConcrete(permission)
      if (!parsed) return false
      const result = match(held, parsed)
      return !('conditional' in result) && result.decision === 'allow'
    })
    if (settings.perRoute) noteRequestSpecificCheck(request, { package: packageName, reason: 'routes' })

    const rbacRequest = request as unknown as RbacRequest
    let requirement: CompiledRequirement | string = settings.requirementOf(request.event)
    if (typeof requirement !== 'string' && requirement.kind === 'function') {
      noteRequestSpecificCheck(request, { package: packageName, reason: 'requirement function' })
      requirement = readRequirement(await requirement.fn(rbacRequest), false)
      if (typeof requirement === 'string') requirement = 'invalid requirement'
    }

    const checks: RbacCheck[] = []
    if (typeof requirement !== 'string') {
      // The resource is loaded once, and only when a condition is asked.
      let resource: { value: unknown } | undefined
      const { kind, permissions } = requirement as Exclude<CompiledRequirement, { kind: 'function' }>
      for (const permission of permissions) {
        const result = match(held, permission)
        let check: RbacCheck
        if ('conditional' in result) {
          noteRequestSpecificCheck(request, { package: packageName, reason: 'condition' })
          resource ??= { value: settings.resource ? await settings.resource(rbacRequest) : undefined }
          check = settle(result, conditionAsker(conditions, { auth, event: request.event, resource: resource.value, permission: permission.text }))
        } else {
          check = result
        }
        checks.push(check)
        if (kind === 'all' ? check.decision === 'deny' : check.decision === 'allow') break
      }
    }

    const last = checks.at(-1)
    const denied = last ? last.decision === 'deny' : typeof requirement === 'string'
    if (!denied && !onDecision) return
    const reason = last?.reason ?? (typeof requirement === 'string' ? requirement : 'no permission required')
    if (onDecision) {
      await onDecision({
        decision: denied ? 'deny' : 'allow',
        permission: last?.permission,
        roles: [...auth.roles],
        reason,
        subject: auth.subject,
        ...(last?.rule ? { rule: last.rule } : {}),
        checks,
      })
    }
    if (denied) throw new AuthError('access_denied', { package: packageName, data: { reason, permission: last?.permission } })
  }

  return { before: rbacMiddlewareBefore }
}

export default rbac
