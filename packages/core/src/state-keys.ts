/**
 * The one mechanism by which a middleware leaves state for another (or for the handler): a
 * property under one of these keys, on `request.internal` (per request) or on the identity
 * (`context.auth`, non-enumerable, so copies, `JSON.stringify` and spreads never carry it).
 *
 * Every key is a `Symbol.for` symbol, from the process-wide registry, never a plain `Symbol()`
 * or a module-local `WeakSet`: an application may install two copies of `@middy-auth/core` (one
 * under rbac, one under the authorizer), and both must find what the other wrote. A symbol also
 * keeps the state out of reach of anything that reads `request.internal` by name (`@middy/util`'s
 * `getInternal`, a secret called `credential`). Code in the same process can forge these keys
 * with `Symbol.for`: they separate middlewares, they are not a boundary against code that runs
 * in the function anyway.
 *
 * The one string key is the Middy contract `request.internal.auth` (see `setAuth`), which other
 * Middy middlewares read by name. What crosses API Gateway (an authorizer's context) cannot be
 * a symbol: see `authorizer-context.ts`.
 */

/** `Symbol.for('@middy-auth/<name>')`: a bundle spells the prefix once. */
const key = (name: string): symbol => Symbol.for(`@middy-auth/${name}`)

/** `stateKeys.permissionCheck`. The description is the one earlier versions used, so that they and this one agree. */
export const permissionCheckKey: symbol = /* @__PURE__ */ key('core permission check')
/** `stateKeys.requestSpecificChecks`. */
export const requestSpecificChecksKey: symbol = /* @__PURE__ */ key('request-specific-checks')
/** `stateKeys.credential`. */
export const credentialKey: symbol = /* @__PURE__ */ key('credential')
/**
 * `stateKeys.rbacGrant`, on its own: rbac imports it by name, so that a bundle leaves out the
 * `stateKeys` object and the keys only oauth-login reads.
 *
 * @example
 * ```ts
 * import { rbacGrantKey } from '@middy-auth/core/internal'
 * Symbol.keyFor(rbacGrantKey) // '@middy-auth/rbac grant'
 * ```
 */
export const rbacGrantKey: symbol = /* @__PURE__ */ key('rbac grant')

/**
 * The keys of the state middlewares leave for one another, each `Symbol.for('@middy-auth/…')`.
 *
 * - `permissionCheck` (on `context.auth`): the `PermissionCheck` rbac attaches and the
 *   authorizer asks about other routes (`attachPermissionCheck`, `holdsPermission`).
 * - `requestSpecificChecks` (on `request.internal`): the checks that depended on this request
 *   (`noteRequestSpecificCheck`, `requestSpecificChecks`).
 * - `credential` (on `request.internal`): the credential an identity middleware verified
 *   (`noteCredential`, `notedCredential`).
 * - `rbacGrant` (on `context.auth`): what `rbac()` leaves for `can()` and `explain()`.
 * - `oauthLoginInternal` (on the handler's `context`): a route's `request.internal`, for
 *   oauth-login's handlers.
 * - `oauthLoginCookies` (on `request.internal`): the cookies oauth-login must still write.
 *
 * @example
 * ```ts
 * import { stateKeys } from '@middy-auth/core/internal'
 * Symbol.keyFor(stateKeys.credential) // '@middy-auth/credential': every copy of core agrees
 * ```
 */
// Pure: a bundle whose code reads no key through this object (core's own modules import the keys
// they use one by one, above) leaves the object and the keys only it holds out.
export const stateKeys = /* @__PURE__ */ Object.freeze({
  permissionCheck: permissionCheckKey,
  requestSpecificChecks: requestSpecificChecksKey,
  credential: credentialKey,
  rbacGrant: rbacGrantKey,
  oauthLoginInternal: /* @__PURE__ */ key('oauth-login internal'),
  oauthLoginCookies: /* @__PURE__ */ key('oauth-login cookies'),
})

/**
 * Defines a state property on an object (an identity): non-enumerable, not writable, so that
 * `{ ...auth }`, `Object.keys` and `JSON.stringify` leave it behind and a handler cannot
 * overwrite it by assignment. The object must be extensible (not frozen).
 *
 * @example
 * ```ts
 * import { attachState, stateKeys } from '@middy-auth/core/internal'
 * const auth = { source: 'jwt', subject: 'alice', scopes: [], roles: [], claims: {} }
 * attachState(auth, stateKeys.permissionCheck, (permission: string) => permission === 'articles:read')
 * ```
 */
export function attachState(target: object, key: symbol, value: unknown): void {
  Object.defineProperty(target, key, { value, configurable: true, enumerable: false, writable: false })
}

/**
 * Reads a state property (see {@link attachState}); `undefined` when the target is not an
 * object or holds none.
 *
 * @example
 * ```ts
 * import { readState, stateKeys } from '@middy-auth/core/internal'
 * const check = readState(context.auth, stateKeys.permissionCheck)
 * ```
 */
export const readState = (target: unknown, key: symbol): unknown =>
  target !== null && (typeof target === 'object' || typeof target === 'function') ? (target as Record<symbol, unknown>)[key] : undefined
