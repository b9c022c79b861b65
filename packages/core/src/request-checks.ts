/**
 * What a consumer of the identity tells the others about its decision. An API Gateway Lambda
 * authorizer's answer is cached by the gateway per identity source (the token) and reused for
 * other requests of the same caller, so `@middy-auth/authorizer` needs to know two things about
 * the middlewares in front of it: whether a decision depended on more than the caller (the
 * route, path parameters, a loaded resource), and what the caller may do on routes it was not
 * asked about.
 */
import type { MiddyRequestLike } from './middy-request.js'
import { attachState, credentialKey, permissionCheckKey, readState, requestSpecificChecksKey } from './state-keys.js'

/** `request.internal` as this module writes it: under symbol keys (see `state-keys.ts`). */
type Internal = Record<PropertyKey, unknown>

/**
 * A check whose outcome depended on the request itself, not only on the caller.
 *
 * @example
 * ```ts
 * const note: RequestSpecificCheck = { package: '@middy-auth/oauth-scope', reason: 'routes' }
 * ```
 */
export interface RequestSpecificCheck {
  /** The package that checked. */
  package: string
  /** Why the outcome is specific to this request, in a word or two (`'routes'`, `'condition'`). */
  reason: string
}

/**
 * Records, on `request.internal`, that a check of this request depended on the request itself
 * (its route, its parameters, a resource loaded for it) and not only on the caller. Call it
 * from a middleware whose decision could differ for another request of the same caller: a
 * Lambda authorizer must not let the gateway cache such a decision for every route. A request
 * without `internal` is left as it is.
 *
 * @example
 * ```ts
 * const before = (request: MiddyRequestLike) => {
 *   noteRequestSpecificCheck(request, { package: 'my-middleware', reason: 'routes' })
 * }
 * ```
 */
export function noteRequestSpecificCheck(request: Pick<MiddyRequestLike, 'internal'>, check: RequestSpecificCheck): void {
  const internal: Internal | undefined = request.internal
  if (internal === null || typeof internal !== 'object') return
  const notes = internal[requestSpecificChecksKey]
  // A copy of the two fields: the caller's object may hold more, or change.
  const note: RequestSpecificCheck = { package: check.package, reason: check.reason }
  if (Array.isArray(notes)) notes.push(note)
  else internal[requestSpecificChecksKey] = [note]
}

/**
 * The request-specific checks noted so far in this request, in order; `[]` when none.
 *
 * @example
 * ```ts
 * if (requestSpecificChecks(request).length > 0) console.log('this decision must not be cached for other routes')
 * ```
 */
export function requestSpecificChecks(request: Pick<MiddyRequestLike, 'internal'>): readonly RequestSpecificCheck[] {
  const notes = readState(request.internal, requestSpecificChecksKey)
  return Array.isArray(notes) ? (notes as RequestSpecificCheck[]) : []
}

/**
 * Answers whether the caller holds a permission (`'articles:update'`) on every request: a deny
 * beats an allow, and an allow that depends on the request or a resource (a condition) does not
 * count. Only `true` means held.
 *
 * @example
 * ```ts
 * const check: PermissionCheck = (permission) => permission === 'articles:read'
 * ```
 */
export type PermissionCheck = (permission: string) => boolean

/**
 * Attaches to an identity (as a non-enumerable symbol property, shared by every copy of this
 * package) the answer of the middleware that knows the caller's permissions, such as
 * `@middy-auth/rbac`, so that others (`@middy-auth/authorizer`) can ask about routes other than
 * this request's. The identity must be extensible (not frozen).
 *
 * @example
 * ```ts
 * attachPermissionCheck(context.auth, (permission) => grants.has(permission))
 * ```
 */
export function attachPermissionCheck(auth: object, check: PermissionCheck): void {
  attachState(auth, permissionCheckKey, check)
}

/**
 * Whether the caller holds a permission on every request, as the {@link PermissionCheck}
 * attached to the identity says: `true` or `false`, or `undefined` when no middleware attached
 * one. A check that throws is `false`.
 *
 * @example
 * ```ts
 * holdsPermission(context.auth, 'articles:update') // true, false, or undefined without rbac
 * ```
 */
export function holdsPermission(auth: unknown, permission: string): boolean | undefined {
  const check = attachedPermissionCheck(auth)
  if (check === undefined) return undefined
  try {
    return check(permission) === true
  } catch {
    return false
  }
}

/**
 * The {@link PermissionCheck} function attached to an identity by {@link attachPermissionCheck},
 * or `undefined`. For the middleware that attached it, to find what it hung on its own
 * function: one property per identity instead of two (each `Object.defineProperty` costs about
 * 0.4 µs per request).
 *
 * @example
 * ```ts
 * const check = attachedPermissionCheck(context.auth)
 * if (check === undefined) console.log('no rbac() in this handler')
 * ```
 */
export function attachedPermissionCheck(auth: unknown): PermissionCheck | undefined {
  const check = readState(auth, permissionCheckKey)
  return typeof check === 'function' ? (check as PermissionCheck) : undefined
}

/**
 * Records, on `request.internal`, the credential an identity middleware verified (the bearer
 * token as sent), so that a Lambda authorizer after it can check that the gateway's cache key
 * holds it: an answer cached under identity sources that do not hold the credential would be
 * given to every other caller. Only for that check; never logged or rendered.
 *
 * @example
 * ```ts
 * noteCredential(request, token)
 * ```
 */
export function noteCredential(request: Pick<MiddyRequestLike, 'internal'>, credential: string): void {
  const internal: Internal | undefined = request.internal
  if (internal !== null && typeof internal === 'object') internal[credentialKey] = credential
}

/**
 * The credential an identity middleware verified in this request (see {@link noteCredential}),
 * or `undefined`.
 *
 * @example
 * ```ts
 * const credential = notedCredential(request)
 * if (credential !== undefined && !identitySource.some((value) => value.includes(credential))) console.log('not cached per caller')
 * ```
 */
export function notedCredential(request: Pick<MiddyRequestLike, 'internal'>): string | undefined {
  const credential = readState(request.internal, credentialKey)
  return typeof credential === 'string' ? credential : undefined
}
