/**
 * Checks inside the handler. The middleware leaves on `context.auth` (on the function of core's
 * permission check, a non-enumerable symbol property: invisible to `JSON.stringify`,
 * `Object.keys` and spreads) what `can()` needs: the compiled roles the caller holds, the conditions and the request's event. The grant
 * belongs to that one request's auth object; nothing is kept in a closure.
 */
import type { AuthContext } from '@middy-auth/core'
import { attachedPermissionCheck, attachPermissionCheck, rbacGrantKey, readState, type PermissionCheck } from '@middy-auth/core/internal'
import { conditionAsker, decide } from './conditions.js'
import { packageName, type Permission } from './permission.js'
import type { CompiledConditions } from './extension-types.js'
import type { CompiledRole, RbacCheck } from './rules.js'

/** What `rbac()` leaves on `context.auth` for `can()`. */
export interface Grant {
  held: readonly CompiledRole[]
  /** `undefined`: neither the policy nor the options use conditions. */
  conditions: CompiledConditions | undefined
  event: unknown
}

/**
 * Attaches the permission check (core's, for a Lambda authorizer after rbac) with the grant on
 * it, under core's key (`Symbol.for`, so `can()` from another installed copy of rbac finds it):
 * one non-enumerable property per request instead of two (`Object.defineProperty` is about
 * 0.4 µs each); a plain property write on the request's own function costs nothing.
 */
export function attachGrant(auth: object, grant: Grant, holds: PermissionCheck): void {
  ;(holds as PermissionCheck & Record<symbol, unknown>)[rbacGrantKey] = grant
  attachPermissionCheck(auth, holds)
}

function grantOf(auth: unknown): Grant {
  const grant = readState(attachedPermissionCheck(auth), rbacGrantKey) as Grant | undefined
  if (!grant) {
    throw new TypeError('can(): this auth object was not checked by rbac(): pass context.auth itself (not a copy), in a handler that uses rbac()', {
      cause: { package: packageName },
    })
  }
  return grant
}

/**
 * Like {@link can}, with the reason: the decision for one permission, the rule that decided,
 * and that rule in words. For audit logs of resource-level checks (`onDecision` is not called
 * for checks made in the handler).
 *
 * @example
 * ```ts
 * const check = explain(context.auth, 'articles:update', article)
 * if (check.decision === 'deny') {
 *   console.log(JSON.stringify({ subject: context.auth.subject, reason: check.reason }))
 *   throw createError(403, 'Access denied')
 * }
 * ```
 */
export function explain(auth: AuthContext<unknown>, permission: Permission, resource?: unknown): RbacCheck {
  const grant = grantOf(auth)
  return decide(grant.held, permission, conditionAsker(grant.conditions?.named, { auth, event: grant.event, resource, permission }))
}

/**
 * Whether the caller may do `permission` (a concrete `resource:action`), with `resource` given
 * to the policy's conditions: for resource-level checks inside the handler, after `rbac()`
 * checked the route. The same rules as the middleware apply (deny beats allow, conditions,
 * inheritance); a permission that is not concrete (`articles:*`, `'bad'`) is `false`.
 *
 * Throws a `TypeError` when `auth` was not checked by `rbac()` in this request.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { createError } from '@middy/util'
 * import rbac, { can } from '@middy-auth/rbac'
 *
 * export const handler = middy()
 *   .use(rbac({ policy, required: 'articles:read', rolesFrom: 'cognito:groups', conditions: { isOwner } }))
 *   .handler(async (event, context) => {
 *     const article = await loadArticle(event)
 *     if (!can(context.auth, 'articles:update', article)) throw createError(403, 'Access denied')
 *     return saveArticle(article)
 *   })
 * ```
 */
export const can = (auth: AuthContext<unknown>, permission: Permission, resource?: unknown): boolean => explain(auth, permission, resource).decision === 'allow'
