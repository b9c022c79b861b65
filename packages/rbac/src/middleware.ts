/**
 * The middleware itself, built from the options and the extensions it is given: the root entry
 * (./index.ts) gives every extension, the lean one (./lean.ts) those the application lists.
 */
import { AuthError, setAuth, type AuthContext, type MiddyRequestLike } from '@middy-auth/core'
import { gatewayReaderOf, readOptionNamesAndExtensions, readRealm, refuseMisspelled, resolveAuthWith } from '@middy-auth/core/internal'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { attachGrant } from './can.js'
import { match, parseConcrete } from './check.js'
import type { CompiledConditions, RbacExtension, RbacExtensions } from './extension-types.js'
import { compileConditionsOf, compileDecisionRecordsOf, compileRequirementOf, knownOptions, type RbacOptions } from './options.js'
import { extensionMark, fail, packageName } from './permission.js'
import { compilePolicyImpl, deniedEntirely } from './policy.js'
import type { CompiledRequirement } from './requirement.js'
import { compileRoleResolver } from './role-resolver.js'
import type { CompiledRole, RbacCheck } from './rules.js'

/**
 * Why rbac denied (`AuthError.reason`, also `cause.data.reason`; the rule in words is
 * `AuthError.detail`): `no_identity` (401 `missing_token`), `route_not_listed`,
 * `invalid_requirement` (a requirement function returned something else than a requirement),
 * `denied_by_policy` (a deny rule of a held role), `not_granted` (no held role allows it,
 * conditions included); all but the first are 403 `access_denied`.
 *
 * @example
 * ```ts
 * import type { AuthError } from '@middy-auth/core'
 * const logReason = (error: AuthError<RbacDenialReason>) => console.log(error.reason, error.detail)
 * ```
 */
export type RbacDenialReason = 'no_identity' | 'route_not_listed' | 'invalid_requirement' | 'denied_by_policy' | 'not_granted'

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
 * const middleware: RbacMiddleware = rbac({ policy, required: 'articles:read' })
 * ```
 */
export type RbacMiddleware<TEvent = unknown> = MiddlewareObj<TEvent, unknown, Error, RbacContext, { auth: AuthContext<unknown> }>

/**
 * Sets what the held roles give the caller: `roles`, the policy roles that applied (each held
 * role, then what it inherits), and `permissions`, their unconditional grants that no held role's
 * deny covers entirely; each once, in order. One role held: its lists, compiled at cold start.
 */
function setApplied(auth: AuthContext, held: readonly CompiledRole[]): void {
  if (held.length === 1) {
    const { closure, permissions } = held[0] as CompiledRole
    auth.roles = [...closure]
    auth.permissions = [...permissions]
    return
  }
  const roles = new Set<string>()
  const permissions = new Set<string>()
  for (const role of held) {
    for (const name of role.closure) roles.add(name)
    for (const grant of role.grants) {
      if (!permissions.has(grant.text) && !held.some((other) => deniedEntirely(other.rules, grant))) permissions.add(grant.text)
    }
  }
  auth.roles = [...roles]
  auth.permissions = [...permissions]
}

/**
 * Builds the middleware of `rbac()`: with `every` (the root entry's extensions), or with those
 * listed in `options.extensions` (the lean entry).
 */
export function createRbac<TEvent>(options: RbacOptions<unknown, unknown>, every?: RbacExtensions): RbacMiddleware<TEvent> {
  // Every option checked and compiled at cold start, in this order (the first mistake is the
  // TypeError); the middleware keeps them in this closure.
  // The root entry's extensions (every one) stand for those listed, which are still checked: a
  // mistake there is a TypeError in both entries.
  refuseMisspelled(options, knownOptions, fail)
  const extensions = readOptionNamesAndExtensions<RbacExtension>(options, knownOptions, fail, extensionMark, every)
  if (options.policy === undefined) throw fail('policy', `is required`)
  const policy = compilePolicyImpl(options.policy, extensions)
  const realm = readRealm(options.realm, fail)
  const requirementOf = compileRequirementOf(options, extensions)
  const resolveRoles = compileRoleResolver(options.rolesFrom, options.roleMap, policy, extensions)
  const conditions = compileConditionsOf(options, policy, extensions)
  const onDecision = compileDecisionRecordsOf(options.onDecision, extensions)
  // Reads API Gateway's claims when no middleware before set `context.auth`; `undefined`: never.
  const readGateway = gatewayReaderOf(extensions)

  /**
   * The error of a denial: `last` is the check that decided; none when nothing could be checked,
   * and then `reason` is why in words, whose code is the same words in snake case (`'route not
   * listed'`: `route_not_listed`). Without an identity, a 401 with the challenge; else a 403.
   */
  const refuse = (last: RbacCheck | undefined, reason: string): AuthError =>
    reason === 'no identity'
      ? new AuthError<RbacDenialReason>('missing_token', { package: packageName, realm, reason: 'no_identity', detail: reason })
      : new AuthError<RbacDenialReason>('access_denied', {
          package: packageName,
          // A deny check has a rule only when a deny rule decided it; without one, no allow did.
          reason: last ? (last.rule ? 'denied_by_policy' : 'not_granted') : reason.replaceAll(' ', '_'),
          detail: reason,
          data: { permission: last?.permission },
        })

  /**
   * Who the caller is, for this policy (the identity, the roles it holds, what `can()` needs),
   * then the decision. Not `async`: a static requirement without conditions, and no
   * `onDecision`, is decided without a Promise (Middy then skips an await per request);
   * anything else goes to {@link decide}.
   */
  function rbacMiddlewareBefore(request: MiddyRequestLike): void | Promise<void> {
    const found = resolveAuthWith(request, readGateway)
    if (!found) return decide(request, undefined, [], 'no identity')
    // Another middleware may have frozen its identity, or made roles read-only: then rbac's view
    // is a copy, written back.
    const auth = Object.isExtensible(found) && writable(found, 'roles') && writable(found, 'permissions') ? found : { ...found }
    if (auth !== found) setAuth(request, auth)
    const held = resolveRoles(auth)
    setApplied(auth, held)
    // For a Lambda authorizer after rbac: which other routes' permissions this caller holds on
    // every request (conditional grants depend on the request, so they do not count); and on
    // the same function, what can() needs.
    function holds(permission: string): boolean {
      const parsed = parseConcrete(permission)
      // Conditional allows are not asked: not held.
      return !!parsed && match(held, parsed).decision === 'allow'
    }
    attachGrant(auth, { held, conditions, event: request.event }, holds)

    const requirement = requirementOf(request)
    if (onDecision || typeof requirement !== 'object') return decide(request, auth, held, requirement)
    let last: RbacCheck | undefined
    for (const permission of requirement.permissions) {
      const result = match(held, permission)
      // No rule decided: a conditional allow may still (see decide).
      if (conditions && !result.rule) return decide(request, auth, held, requirement)
      last = result
      if (result.decision === requirement.endsOn) break
    }
    if (last?.decision === 'deny') throw refuse(last, last.reason)
  }

  /**
   * Every case that may await: a requirement function, a condition's resource, `onDecision`; and
   * every refusal before any check (no identity: no `auth`).
   */
  async function decide(
    request: MiddyRequestLike,
    auth: AuthContext | undefined,
    held: readonly CompiledRole[],
    requirement: CompiledRequirement | string,
  ): Promise<void> {
    // A requirement function (the requirementFunctions extension): what it returns for this request.
    if (typeof requirement === 'function') requirement = await requirement(request)

    const checks: RbacCheck[] = []
    let denied = false
    let reason = 'no permission required'
    if (typeof requirement === 'string') {
      // Refused before any check, and why: no identity, a route not listed, an invalid requirement.
      denied = true
      reason = requirement
    } else {
      let settle: ReturnType<CompiledConditions['forRequest']> | undefined
      for (const permission of requirement.permissions) {
        let check = match(held, permission)
        // No rule decided: the policy's conditional allows may still allow it. Only the conditions
        // extension compiles a policy with some, and compileConditionsOf then compiled conditions.
        if (conditions && !check.rule) check = await (settle ??= conditions.forRequest(request, auth as AuthContext))(held, check, permission)
        checks.push(check)
        // The last check decides.
        denied = check.decision === 'deny'
        reason = check.reason
        if (check.decision === requirement.endsOn) break
      }
    }
    // Read before the hook, which is given `checks` itself.
    const last = checks.at(-1)
    // The onDecision hook (the decisionRecords extension) gets the record of every outcome.
    if (onDecision) await onDecision(auth, checks, denied, reason)
    if (denied) throw refuse(last, reason)
  }

  return { before: rbacMiddlewareBefore }
}

/** Whether `key` can be assigned on `target`: absent (added), or an own writable data property. */
function writable(target: object, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(target, key)
  return descriptor === undefined || descriptor.writable === true
}
