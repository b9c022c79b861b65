/**
 * The answer to an AppSync Lambda authorizer (`AWS_LAMBDA` authorization of a GraphQL API):
 * `{ isAuthorized, resolverContext, deniedFields, ttlOverride }`. AppSync caches the answer under
 * the `authorizationToken` alone, for every operation the token is later sent with; so what is
 * cached may depend on the identity only, and never outlives the token.
 */
import type { AuthContext } from '@middy-auth/core'
import { isRecord, type ConfigError, type RouteMap } from '@middy-auth/core/internal'
import type { ContextValue } from './context.js'
import { meetsRequirement, readRequirement, type CompiledRequirement, type RouteRequirement } from './routes.js'

/**
 * The response AppSync expects from a Lambda authorizer.
 *
 * @example
 * ```ts
 * const response: AppSyncAuthorizerResponse = {
 *   isAuthorized: true,
 *   resolverContext: { principalId: 'alice', scopes: '["orders/read"]' },
 *   deniedFields: ['Mutation.deleteOrder'],
 *   ttlOverride: 300,
 * }
 * ```
 */
export interface AppSyncAuthorizerResponse {
  isAuthorized: boolean
  /** What resolvers read as `$ctx.identity.resolverContext` (`ctx.identity.resolverContext`). */
  resolverContext?: Record<string, ContextValue>
  /** Fields AppSync answers with `null`: `Type.field` or a field's ARN. */
  deniedFields?: string[]
  /** Seconds AppSync caches this answer for the token (0: not cached). */
  ttlOverride?: number
}

/**
 * The fields an identity may not read, for `deniedFields`: a function of `context.auth`, or a map
 * of fields (`Type.field`, or a field's ARN) to what reading them requires (as `routes` values).
 * Either way the answer depends on the identity alone, so AppSync may cache it for the token.
 *
 * @example
 * ```ts
 * const byRequirement: DeniedFields = { 'Mutation.deleteOrder': { scopes: ['orders/admin'] }, 'Order.cost': { permissions: ['orders:audit'] } }
 * const byFunction: DeniedFields = (auth) => (auth.roles.includes('admin') ? [] : ['Order.cost'])
 * ```
 */
export type DeniedFields = ((auth: AuthContext) => readonly string[] | undefined) | RouteMap<RouteRequirement>

/** AppSync's longest cache: a ttlOverride above it is refused. */
export const maxAppSyncTtl = 3600

/** `deniedFields`, compiled: the fields an identity is denied, and whether a permission could not be asked. */
export type DeniedFieldsOf = (auth: AuthContext) => { fields: string[]; permissionCheckMissing: boolean }

/** Checks and compiles `deniedFields` at cold start. */
export const compileDeniedFields = (option: unknown, fail: ConfigError): DeniedFieldsOf | undefined => {
  if (option === undefined) return undefined
  if (typeof option === 'function') {
    const of = option as (auth: AuthContext) => unknown
    return (auth) => {
      const fields = of(auth)
      if (fields === undefined) return { fields: [], permissionCheckMissing: false }
      if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string' && field !== '')) {
        throw new TypeError(`deniedFields must return a list of fields such as ['Mutation.deleteOrder'], or undefined`)
      }
      return { fields: [...new Set(fields as string[])], permissionCheckMissing: false }
    }
  }
  if (!isRecord(option) || Object.keys(option).length === 0) {
    throw fail('deniedFields', `must be a function (auth) => fields, or a map of fields ('Type.field') to what reading them requires`)
  }
  const entries: Array<[string, CompiledRequirement]> = Object.entries(option).map(([field, requirement]) => {
    if (field.trim() === '' || /\s/.test(field))
      throw fail('deniedFields', `has ${JSON.stringify(field)}, which is not a field ('Type.field' or a field's ARN)`)
    return [field, readRequirement(requirement, `deniedFields['${field}']`, fail)]
  })
  return (auth) => {
    let permissionCheckMissing = false
    const fields: string[] = []
    for (const [field, requirement] of entries) {
      const met = meetsRequirement(requirement, auth)
      if (met === undefined) permissionCheckMissing = true
      if (met !== true) fields.push(field)
    }
    return { fields, permissionCheckMissing }
  }
}

/**
 * How long AppSync may cache an answer for this identity: the configured `ttlOverride`, never
 * past the token's `exp`. `undefined`: the API's own TTL applies, which is safe only when the
 * token outlives AppSync's longest cache (an hour) anyway. An identity without `exp` is not
 * cached (0): nothing says how long it holds.
 */
export const appsyncTtl = (auth: AuthContext | undefined, configured: number | undefined, nowMs: number): number | undefined => {
  const exp = auth?.claims.exp
  const left = typeof exp === 'number' && Number.isFinite(exp) ? Math.max(0, Math.floor(exp - nowMs / 1000)) : undefined
  if (left === undefined) return 0
  if (configured !== undefined) return Math.min(configured, left)
  return left < maxAppSyncTtl ? left : undefined
}
