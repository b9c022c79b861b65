/**
 * The context `@middy-auth/authorizer` writes into its answer and the target function reads
 * back into `context.auth`: encoder and decoder in one module, with one list of the keys they
 * reserve. It crosses API Gateway, so its keys are strings (a symbol would not survive): API
 * Gateway accepts only strings, numbers and booleans as values, and a REST API hands them on as
 * strings, so lists are written as JSON text (`'["admin","editor"]'`) and numbers and booleans
 * come back from strings for the claims core knows (`exp`, `iat`, `email_verified`, …).
 */
import type { AuthContext } from './auth-context.js'
import { parseJsonArray, parseJsonList, readClaimPath, restoreGatewayClaims, restoreScalarClaim } from './claims.js'
import { emptyRecord } from './record.js'

/**
 * The key `@middy-auth/authorizer` adds to every context it writes. Such a context writes every
 * list as JSON text, so it is read exactly: a JSON list is a list and any other string is ONE
 * value. A context without it (a hand-written authorizer) is read with the tolerant readers,
 * where `"admin,editor"` is two roles.
 *
 * @example
 * ```ts
 * const context = { [authorizerContextMark]: 1, roles: '["admin"]', groups: 'Not Admins' }
 * ```
 */
export const authorizerContextMark = 'middyAuthContext'

/**
 * The key under which `@middy-auth/authorizer` names, as a JSON list, the claims of its context
 * that were lists (besides `scopes` and `roles`, always lists). Only those are read back as lists:
 * a claim that was the string `'["Admins"]'` stays that string. A marked context without it
 * (written by an earlier version) reads every JSON-list text as a list.
 *
 * @example
 * ```ts
 * const context = { [authorizerContextMark]: 1, [authorizerContextLists]: '["groups"]', groups: '["a","b"]', note: '["x"]' }
 * ```
 */
export const authorizerContextLists = 'middyAuthLists'

/**
 * The keys of an authorizer context that are not claims: those the encoder writes from the
 * identity itself (`principalId`, `source`, `iss`, `scopes`, `roles`), its two marks, those
 * API Gateway adds to a REST authorizer's context (`integrationLatency`, `usageIdentifierKey`),
 * and the names under which the target's reader finds the other authorizers (`lambda`, `jwt`,
 * `claims`: on REST the context is flat beside them). A claim or a value an application adds
 * may not take one.
 *
 * @example
 * ```ts
 * reservedContextKeys.has('roles') // true: a claim named roles cannot replace the identity's
 * ```
 */
export const reservedContextKeys: ReadonlySet<string> = new Set([
  'principalId',
  'source',
  'iss',
  'scopes',
  'roles',
  'integrationLatency',
  'usageIdentifierKey',
  'lambda',
  'jwt',
  'claims',
  authorizerContextMark,
  authorizerContextLists,
])

/**
 * A context value as API Gateway accepts it.
 *
 * @example
 * ```ts
 * const values: AuthorizerContextValue[] = ['acme', 3, true]
 * ```
 */
export type AuthorizerContextValue = string | number | boolean

/**
 * A value flattened to what the gateway accepts: strings, finite numbers and booleans as they
 * are; lists and objects as JSON text; `null`, `undefined` and anything JSON cannot write left out.
 */
function flattenValue(value: unknown): AuthorizerContextValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined
  try {
    const text = JSON.stringify(value)
    return typeof text === 'string' ? text : undefined
  } catch {
    return undefined
  }
}

const list = (value: unknown): string => JSON.stringify(Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [])

/**
 * The context of an authorizer's Allow: `principalId` (HTTP APIs only: a REST API adds its
 * own), `source`, `iss`, `scopes` and `roles` (JSON lists), the `claims` named (paths as
 * `readClaimPath` reads them; a missing one is left out), then the values `extra` adds, and the
 * two marks. Never a token: only what `context.auth` holds. An `extra` key that is reserved is a
 * `TypeError`.
 *
 * @example
 * ```ts
 * const auth: AuthContext = { source: 'jwt', subject: 'alice', scopes: ['orders:read'], roles: [], claims: { groups: ['a'] } }
 * encodeAuthorizerContext(auth, ['groups'], { tenant: 'acme' }, true)
 * // { principalId: 'alice', source: 'jwt', middyAuthContext: 1, scopes: '["orders:read"]', roles: '[]', groups: '["a"]', tenant: 'acme', middyAuthLists: '["groups"]' }
 * ```
 */
export function encodeAuthorizerContext(
  auth: AuthContext,
  claims: readonly string[],
  extra: Readonly<Record<string, unknown>> | undefined,
  withPrincipalId: boolean,
): Record<string, AuthorizerContextValue> {
  // No prototype: a key named `__proto__` (a claim name, a value `extra` adds) is written as data.
  const context = emptyRecord() as Record<string, AuthorizerContextValue>
  if (withPrincipalId) context.principalId = auth.subject
  context.source = auth.source
  // Tells the target function's readers that every list here is JSON text and every other string
  // one value: a claim "Not Admins" must not come back as the roles Not and Admins.
  context[authorizerContextMark] = 1
  if (typeof auth.issuer === 'string') context.iss = auth.issuer
  context.scopes = list(auth.scopes)
  context.roles = list(auth.roles)
  // The claims that were lists: only those come back as lists. A claim that was the string
  // '["Admins"]' must stay that one string in the target function.
  const lists: string[] = []
  for (const name of claims) {
    const claim = readClaimPath(auth.claims, name)
    const value = flattenValue(claim)
    if (value === undefined) continue
    context[name] = value
    if (Array.isArray(claim)) lists.push(name)
  }
  if (extra !== undefined) {
    for (const [key, raw] of Object.entries(extra)) {
      if (reservedContextKeys.has(key)) throw new TypeError(`the context value '${key}' is written by the authorizer itself`)
      const value = flattenValue(raw)
      if (value === undefined) continue
      context[key] = value
      if (Array.isArray(raw)) lists.push(key)
    }
  }
  context[authorizerContextLists] = JSON.stringify(lists)
  return context
}

/** The claims a context's `middyAuthLists` names: a JSON list of strings, or none. */
const listedClaims = (value: unknown): readonly string[] => (typeof value === 'string' ? (parseJsonList(value) ?? []) : [])

/**
 * A Lambda authorizer's context with its types restored, into an object without a prototype.
 * One written by `@middy-auth/authorizer` (marked) is read exactly (`exact: true`), without its
 * marks; any other is read with the tolerant readers (`exact: false`: its identity's claims are
 * `stringifiedClaims`).
 *
 * @example
 * ```ts
 * decodeAuthorizerContext({ middyAuthContext: 1, middyAuthLists: '[]', roles: '["admin"]', groups: 'Not Admins' })
 * // { claims: { roles: ['admin'], groups: 'Not Admins' }, exact: true }
 * ```
 */
export function decodeAuthorizerContext(context: Record<string, unknown>): { claims: Record<string, unknown>; exact: boolean } {
  const mark = context[authorizerContextMark]
  if (mark !== 1 && mark !== '1') return { claims: restoreGatewayClaims(context), exact: false }
  // Without the list of lists (an earlier authorizer), every JSON-list text is taken for a list.
  // One that is there but unreadable reads narrowest, never widest: only scopes and roles.
  const lists = Object.hasOwn(context, authorizerContextLists) ? new Set([...listedClaims(context[authorizerContextLists]), 'scopes', 'roles']) : undefined
  const restored = emptyRecord()
  for (const [name, value] of Object.entries(context)) {
    if (name === authorizerContextMark || name === authorizerContextLists) continue
    const maybeList = typeof value === 'string' && value.startsWith('[') && value.endsWith(']') && (lists === undefined || lists.has(name))
    // A claim the authorizer names as a list comes back whatever its items (`[12, 34]`); without
    // the names, only a list of strings is taken for one.
    const list = maybeList ? (lists === undefined ? parseJsonList(value) : parseJsonArray(value)) : undefined
    restored[name] = list ?? restoreScalarClaim(name, value)
  }
  return { claims: restored, exact: true }
}
