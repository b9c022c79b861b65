/**
 * A requirement (`required`, a route's, `routesDefault`, or what a requirement function returns),
 * checked and parsed: the permissions it names, or the function to call per request.
 */
import { isRecord } from '@middy-auth/core/internal'
import { parseConcrete } from './check.js'
import { fail, notAPermission, parsePermission, type ParsedPermission } from './permission.js'
import type { RbacRequest } from './options.js'

/**
 * A requirement ready for a request: the permissions parsed, with the decision that ends their
 * checks (`'deny'` when all of them are required, `'allow'` when any one is); or the function to
 * call per request.
 */
export type CompiledRequirement = RequiredPermissions | RequirementFunction

/** The permissions a request needs, parsed, and the decision that ends their checks. */
export interface RequiredPermissions {
  permissions: readonly ParsedPermission[]
  endsOn: 'allow' | 'deny'
}

/** A requirement function of the options, called per request. */
export type RequirementFunction = (request: RbacRequest) => unknown

/**
 * A requirement, or why it is not one: the message of the options' `TypeError`. What a requirement
 * function returns is read without `allowFunction`; any string then denies the request as
 * `'invalid requirement'`, whatever it says.
 */
export function readRequirement(value: unknown, allowFunction: false): RequiredPermissions | string
export function readRequirement(value: unknown, allowFunction: boolean): CompiledRequirement | string
export function readRequirement(value: unknown, allowFunction: boolean): CompiledRequirement | string {
  if (allowFunction && typeof value === 'function') return value as RequirementFunction
  const anyOf = isRecord(value) ? value.anyOf : undefined
  const permissions = typeof value === 'string' ? [value] : Array.isArray(value) ? value : Array.isArray(anyOf) ? anyOf : undefined
  // A list from anyOf: value is an object, which may have no other field.
  if (permissions === undefined || (anyOf && Object.keys(value as object).some((key) => key !== 'anyOf'))) {
    return `must be a permission, a list of permissions (all), { anyOf: [...] } or a function of the request`
  }
  if (anyOf && permissions.length === 0) return `{ anyOf: [] } can never be satisfied`
  const parsed: ParsedPermission[] = []
  for (const permission of permissions) {
    const concrete = parseConcrete(permission)
    if (!concrete) {
      return parsePermission(permission)
        ? `${JSON.stringify(permission)} has a wildcard: a requirement names concrete permissions ('articles:update')`
        : notAPermission(permission, `'resource:action'`)
    }
    parsed.push(concrete)
  }
  return { permissions: parsed, endsOn: anyOf ? 'allow' : 'deny' }
}

/** A requirement of the options: a `TypeError` at cold start when it is not one, naming `where`. */
export function compileRequirement(value: unknown, where: string): CompiledRequirement {
  const requirement = readRequirement(value, true)
  if (typeof requirement === 'string') throw fail(where, requirement)
  return requirement
}
