/**
 * The `routes` and `routesDefault` options, compiled: the code of the `routeMaps` extension,
 * which brings core's route maps (route keys, the gateway's and the router's matching) with it.
 */
import type { MiddyRequestLike } from '@middy-auth/core'
import { compileRouteMap, emptyRecord, isRecord, noteRequestSpecificCheck } from '@middy-auth/core/internal'
import type { RbacExtensions } from './extension-types.js'
import type { RbacOptions } from './options.js'
import { fail, packageName } from './permission.js'
import { compileRequirement, type CompiledRequirement } from './requirement.js'

/**
 * Checks `routes` and `routesDefault` (and that `required` is not given beside them), and compiles
 * them into the requirement of a request; a string: refused, and why. `extensions`: for
 * requirement functions.
 */
export function compileRoutes(
  { required, routes: routesOption, routesDefault }: RbacOptions<unknown, unknown>,
  extensions: RbacExtensions,
): (request: MiddyRequestLike) => CompiledRequirement | 'route not listed' {
  if (required !== undefined) throw fail('routes', `goes without required: give one or the other`)
  // No prototype: a key such as "__proto__" stays a key, which compileRouteMap then refuses.
  const routes = emptyRecord() as Record<string, CompiledRequirement>
  if (isRecord(routesOption)) {
    for (const [key, value] of Object.entries(routesOption)) routes[key] = compileRequirement(value, `routes[${JSON.stringify(key)}]`, extensions)
  }
  const lookup = compileRouteMap(isRecord(routesOption) ? routes : (routesOption as Record<string, CompiledRequirement>), packageName, 'rbac: routes', {
    matching: 'http-router',
  })
  const fallback = routesDefault === undefined ? undefined : compileRequirement(routesDefault, 'routesDefault', extensions)
  if (Object.keys(routes).length === 0 && fallback === undefined)
    throw fail('routes', `lists no route: every request would be denied (add routes, or a routesDefault)`)
  return (request) => {
    // Requirements differ between routes: a Lambda authorizer's cached policy must not cover them all.
    noteRequestSpecificCheck(request, { package: packageName, reason: 'routes' })
    return lookup(request.event) ?? fallback ?? 'route not listed'
  }
}
