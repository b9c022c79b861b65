/**
 * Requirement functions (`required: (request) => …`, and in `routes` and `routesDefault`): the
 * code of the `requirementFunctions` extension, which calls one per request and reads what it
 * returns.
 */
import type { MiddyRequestLike } from '@middy-auth/core'
import { noteRequestSpecificCheck } from '@middy-auth/core/internal'
import type { RbacRequest } from './options.js'
import { packageName } from './permission.js'
import { readRequirement, type DynamicRequirement, type RequirementFunction } from './requirement.js'

/**
 * A requirement function of the options, ready for a request: the permissions it returns, parsed,
 * or `'invalid requirement'` (refused) when it returns anything else. Its call notes that the
 * decision depends on the request, for a Lambda authorizer after rbac.
 */
export function compileRequirementFunction(requirement: RequirementFunction): DynamicRequirement {
  return async function requirementOfRequest(request: MiddyRequestLike) {
    noteRequestSpecificCheck(request, { package: packageName, reason: 'requirement function' })
    const returned = readRequirement(await requirement(request as unknown as RbacRequest))
    return typeof returned === 'string' ? 'invalid requirement' : returned
  }
}
