/**
 * The `routes` and `routesDefault` options, compiled: the code of the `routeMaps` extension,
 * which brings core's route maps (route keys, the gateway's and the router's matching) with it.
 */
import type { AnyEvent, MiddyRequestLike } from '@middy-auth/core'
import { compileRouteMap, isRecord, noteRequestSpecificCheck, requestRoute } from '@middy-auth/core/internal'
import type { OAuthScopeOptions } from './options.js'
import { compileRequirement, deny, fail, packageName, type CompiledRequirement } from './requirements.js'

/**
 * Checks `routes` and `routesDefault` (and that neither `required` nor `anyOf` is given beside
 * them), and compiles them into the requirement of a request: a route for which neither gives one
 * is refused (403 `access_denied`, reason `route_not_listed`, its route in the logs). Each read
 * notes that the decision depends on the route, so that a Lambda authorizer after oauthScope does
 * not let the gateway cache it for every route.
 */
export function compileRoutes({ required, anyOf, routes, routesDefault }: OAuthScopeOptions): (request: MiddyRequestLike) => CompiledRequirement {
  if (required !== undefined || anyOf !== undefined) throw fail('routes', `goes without required/anyOf: give one or the other`)
  if (!isRecord(routes)) throw fail('routes', `must be an object keyed by "METHOD /path", such as { 'GET /orders': ['orders:read'] }`)
  const keys = Object.keys(routes)
  if (keys.length === 0) throw fail('routes', `lists no route: add one, or use required or anyOf for every request`)
  // fromEntries defines own properties: a key such as "__proto__" reaches the key check.
  const compiled = Object.fromEntries(keys.map((key) => [key, compileRequirement(routes[key], `routes[${JSON.stringify(key)}]`)]))
  const lookup = compileRouteMap(compiled, packageName, 'oauthScope: routes', { matching: 'http-router' })
  const fallback = routesDefault === undefined ? undefined : compileRequirement(routesDefault, 'routesDefault')
  return (request) => {
    noteRequestSpecificCheck(request, { package: packageName, reason: 'routes' })
    const requirement = lookup(request.event) ?? fallback
    if (requirement) return requirement
    throw deny('access_denied', 'route_not_listed', { data: { route: routeName(request.event) } })
  }
}

/** The request's route as `routes` would key it, for logs. */
function routeName(event: AnyEvent): string | undefined {
  const route = requestRoute(event)
  if (!route) return undefined
  return [route.method, route.template ?? route.path ?? route.special].filter(Boolean).join(' ') || undefined
}
