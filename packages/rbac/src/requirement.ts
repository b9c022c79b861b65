/**
 * A requirement (`required`, a route's, `routesDefault`, or what a requirement function returns),
 * checked and parsed: the permissions it names, or the function to call per request.
 */
import type { MiddyRequestLike } from '@middy-auth/core'
import { isRecord, needExtension } from '@middy-auth/core/internal'
import { parseConcrete } from './check.js'
import type { RbacExtensions, RequirementFunctionsExtension } from './extension-types.js'
import { fail, notAPermission, parsePermission, type ParsedPermission } from './permission.js'
import type { RbacRequest } from './options.js'

/**
 * A requirement ready for a request: the permissions parsed, with the decision that ends their
 * checks (`'deny'` when all of them are required, `'allow'` when any one is); or a requirement
 * function, compiled by the `requirementFunctions` extension.
 */
export type CompiledRequirement = RequiredPermissions | DynamicRequirement

/** The permissions a request needs, parsed, and the decision that ends their checks. */
interface RequiredPermissions {
  permissions: readonly ParsedPermission[]
  endsOn: 'allow' | 'deny'
}

/** A requirement function of the options, called per request. */
export type RequirementFunction = (request: RbacRequest) => unknown

/** A requirement function, compiled: what it returns for a request, parsed, or `'invalid requirement'`. */
export type DynamicRequirement = (request: MiddyRequestLike) => Promise<RequiredPermissions | 'invalid requirement'>

/**
 * A requirement that is not a function, or why it is not one: the message of the options'
 * `TypeError`. What a requirement function returns is read here too; any string then denies the
 * request as `'invalid requirement'`, whatever it says.
 */
export function readRequirement(value: unknown): RequiredPermissions | string {
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

/**
 * A requirement of the options: a `TypeError` at cold start when it is not one, naming `where`. A
 * function needs the `requirementFunctions` extension.
 */
export function compileRequirement(value: unknown, where: string, extensions: RbacExtensions): CompiledRequirement {
  if (typeof value === 'function') {
    // readExtensions keys each extension by its name: the one named requirementFunctions is a RequirementFunctionsExtension.
    return (needExtension(extensions, 'requirementFunctions', where, fail) as RequirementFunctionsExtension).compile(value as RequirementFunction)
  }
  const requirement = readRequirement(value)
  if (typeof requirement === 'string') throw fail(where, requirement)
  return requirement
}
