/**
 * The authorizer's `context`: what the target function's middlewares rebuild `context.auth`
 * from. API Gateway accepts only strings, numbers and booleans as values, and a REST API hands
 * them on as strings, so lists are written as JSON text (`'["admin","editor"]'`), which core's
 * readers (`readStringList`, `restoreGatewayClaims`) give back as lists; numbers and booleans
 * stay what they are on HTTP APIs and come back from strings for the claims core knows (`exp`,
 * `iat`, `email_verified`, …).
 */
import { readClaimPath, type AuthContext } from '@middy-auth/core'
import { authorizerContextLists, authorizerContextMark, emptyRecord } from '@middy-auth/core/internal'

/**
 * A context value as API Gateway accepts it.
 *
 * @example
 * ```ts
 * const values: ContextValue[] = ['acme', 3, true]
 * ```
 */
export type ContextValue = string | number | boolean

/** Keys the authorizer writes itself; a claim or an added value may not take them. */
export const reservedContextKeys: ReadonlySet<string> = new Set([
  'principalId', 'source', 'iss', 'scopes', 'roles', 'integrationLatency', 'usageIdentifierKey', authorizerContextMark, authorizerContextLists,
])

/**
 * A value flattened to what the gateway accepts: strings, finite numbers and booleans as they
 * are; lists and objects as JSON text; `null`, `undefined` and anything JSON cannot write left out.
 */
export const flattenValue = (value: unknown): ContextValue | undefined => {
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
 * The context of an Allow: `principalId` (HTTP APIs only: a REST API adds its own), `source`,
 * `iss`, `scopes` and `roles` (JSON lists), the `claims` named (paths as `readClaimPath` reads
 * them; a missing one is left out), then the values `extra` adds. Never a token: only what
 * `context.auth` holds.
 */
export const buildContext = (
  auth: AuthContext,
  claims: readonly string[],
  extra: Readonly<Record<string, unknown>> | undefined,
  withPrincipalId: boolean,
): Record<string, ContextValue> => {
  // No prototype: a key named `__proto__` (a claim name, a value `extra` adds) is written as data.
  const context = emptyRecord() as Record<string, ContextValue>
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
