import type { AnyEvent } from './event.js'
import { readEventRoute } from './route-event.js'
import { parseRouteKey, routeKeyProblem } from './route-key.js'
import { gatewayMatcher, isGreedyTemplate, routerMatcher, templateShape, type TemplateRoute } from './route-match.js'

/**
 * Per-route requirements, keyed `"METHOD /path"` as the gateway names its routes
 * (`GET /orders/{id}`, `ANY /files/{proxy+}`) or `$default` / `$connect`. Written in the order
 * of the `@middy/http-router` routes beside it: where the gateway's route is a catch-all, the
 * path is matched exactly as the router matches it (see `compileRouteMap`).
 *
 * @example
 * ```ts
 * const routes: RouteMap<string[]> = { 'GET /orders': ['orders:read'], 'POST /orders': ['orders:write'] }
 * ```
 */
export type RouteMap<T> = Readonly<Record<string, T>>

/**
 * Where a request is going: its route template when the gateway gives one, and its concrete path.
 *
 * @example
 * ```ts
 * const route: RequestRoute | undefined = requestRoute(event)
 * ```
 */
export interface RequestRoute {
  method: string
  /** The route template (`/orders/{id}`) from `routeKey` or `resource`, if the event has one. */
  template: string | undefined
  /**
   * The concrete path (`/orders/42`) as `@middy/http-router` reads it: `requestContext.http.path`
   * on payload 2.0, `path` otherwise. A named stage of an HTTP API's default endpoint is in front
   * of it (`/prod/orders/42`), for the router as for this.
   */
  path: string | undefined
  /** A whole route key that is not `METHOD /path` (`$connect`, `$default`). */
  special: string | undefined
}

/**
 * The route of a request, for every event kind the suite reads.
 *
 * @example
 * ```ts
 * requestRoute({ routeKey: 'GET /orders/{id}', rawPath: '/orders/42', requestContext: { http: { method: 'GET', path: '/orders/42' } }, version: '2.0' })
 * // { method: 'GET', template: '/orders/{id}', path: '/orders/42', special: undefined }
 * ```
 */
export function requestRoute(event: AnyEvent): RequestRoute | undefined {
  const route = readEventRoute(event)
  return route && { method: route.method, template: route.template, path: route.path, special: route.special }
}

/**
 * Options of {@link compileRouteMap}.
 *
 * @example
 * ```ts
 * const options: RouteMapOptions = { matching: 'http-router', warn: (message) => console.info(message) }
 * ```
 */
export interface RouteMapOptions {
  /**
   * Whose routing the map follows. `'http-router'`: a middleware beside `@middy/http-router`, whose
   * requirement must be the one of the handler the router runs. `'api-gateway'` (default): an
   * authorizer in front of API Gateway's routes.
   */
  matching?: 'http-router' | 'api-gateway'
  /**
   * With `'http-router'`: told once per gateway route key that matches no entry, a hint that a key
   * is spelt otherwise than the gateway's route. Default: `console.warn`.
   */
  warn?: (message: string) => void
}

/**
 * Compiles a route map at cold start into a lookup from event to value; a key outside the one
 * grammar (`parseRouteKey`) is a `TypeError` naming it.
 *
 * With `matching: 'http-router'` (oauth-scope's and rbac's `routes`, beside the router):
 * - When the gateway names the route (HTTP API `routeKey`, REST `resource`) and it has no greedy
 *   variable, only that key counts: the request's method, then `ANY` (variable names may differ).
 * - Otherwise — `$default`, a greedy route (`ANY /{proxy+}`, `GET /files/{proxy+}`), function URLs,
 *   ALB — the path is matched exactly as `@middy/http-router` routes it: entries without
 *   variables first (the last one written for a method and path wins, as the router overwrites),
 *   then the others in the order written, the first that matches; `{name}` is one non-empty
 *   segment, a final `{name+}` the rest of the path including nothing (`/files/{proxy+}` matches
 *   `/files` and `/files/`); one trailing `/` is ignored; `ANY` is GET, POST, PUT, PATCH, DELETE,
 *   OPTIONS and HEAD, and `HEAD` needs a `HEAD` or `ANY` entry. A path that matches nothing (the
 *   router's 404) has no entry, except that `$default` then takes a `$default` entry.
 * - Entries the router could never choose (a template after one that takes all its requests) are
 *   a `TypeError`.
 *
 * With `matching: 'api-gateway'` (default): a named route (greedy or not) counts alone (an exact
 * method before `ANY`); a path alone (ARNs, `$default`, ALB) goes to the entry with the most
 * literal segments, an exact method before `ANY`, a greedy variable covering one or more segments.
 *
 * @example
 * ```ts
 * const lookup = compileRouteMap({ 'GET /files/{proxy+}': ['files:read'], 'GET /{proxy+}': [] }, '@middy-auth/oauth-scope', 'routes', { matching: 'http-router' })
 * lookup(event) // ['files:read'] for GET /files, /files/ and /files/a/b; [] for GET /other
 * ```
 */
export function compileRouteMap<T>(
  routes: RouteMap<T>,
  packageName: string,
  optionName: string,
  options: RouteMapOptions = {},
): (event: AnyEvent) => T | undefined {
  // `optionName` is '<factory>: <option>' (config-error.ts's shape); the cause names the option.
  const fail = (message: string) => new TypeError(`${optionName}${message}`, { cause: { package: packageName, option: optionName.replace(/^\w+: /, '') } })
  if (routes === null || typeof routes !== 'object' || Array.isArray(routes)) throw fail(' must be an object keyed by "METHOD /path"')
  const byRouter = options.matching === 'http-router'
  const templated: TemplateRoute<T>[] = []
  const special = new Map<string, T>()
  const byName = new Map<string, T>()
  for (const [key, value] of Object.entries(routes)) {
    const parsed = parseRouteKey(key)
    if (!parsed) throw fail(`: route key ${JSON.stringify(key)} ${routeKeyProblem(key) as string}`)
    if (parsed.special !== undefined) {
      special.set(parsed.special, value)
      continue
    }
    const route = { key, method: parsed.method, template: parsed.template, segments: parsed.segments, value }
    if (byRouter) {
      const twin = templated.find((other) => other.method === route.method && templateShape(other.template) === templateShape(route.template))
      if (twin) throw fail(`: route keys ${JSON.stringify(twin.key)} and ${JSON.stringify(key)} are the same route`)
    }
    byName.set(`${route.method} ${byRouter ? templateShape(route.template) : route.template}`, value)
    templated.push(route)
  }
  function named(method: string, template: string): T | undefined {
    const name = byRouter ? templateShape(template) : template
    return byName.get(`${method} ${name}`) ?? byName.get(`ANY ${name}`)
  }

  const lookupByName = { named, special }
  return byRouter ? routerLookup(templated, lookupByName, fail, packageName, optionName, options.warn) : gatewayLookup(templated, lookupByName)
}

/** What both lookups need besides the templates: a named route's entry, the `$` entries. */
interface Named<T> {
  named: (method: string, template: string) => T | undefined
  special: ReadonlyMap<string, T>
}

/** In front of API Gateway's routes: the route it names, or the most specific template for a path. */
function gatewayLookup<T>(templated: readonly TemplateRoute<T>[], { named, special }: Named<T>): (event: AnyEvent) => T | undefined {
  const byPath = gatewayMatcher(templated)
  return (event) => {
    const route = readEventRoute(event)
    if (!route) return undefined
    // The gateway names the route: only that key counts. Matching its concrete path against
    // other templates could hand one route's (weaker) requirements to another.
    if (route.template !== undefined) return named(route.method, route.template)
    const found = route.gatewayPath !== undefined ? byPath(route.method, route.gatewayPath) : undefined
    return found ?? (route.special !== undefined ? special.get(route.special) : undefined)
  }
}

/** Beside `@middy/http-router`: the entry of the handler the router runs. */
function routerLookup<T>(
  templated: readonly TemplateRoute<T>[],
  { named, special }: Named<T>,
  fail: (message: string) => TypeError,
  packageName: string,
  optionName: string,
  warn: (message: string) => void = (message) => console.warn(message),
): (event: AnyEvent) => T | undefined {
  const byPath = routerMatcher(templated, fail)
  const warned = new Set<string>()
  // Typed as the lookup's answer (always `undefined`), which each `return hint(…)` below gives.
  function hint(topic: string, message: string): T | undefined {
    // Topics are route keys and stages, from the gateway's configuration; bounded anyway.
    if (warned.has(topic) || warned.size >= 100) return undefined
    warned.add(topic)
    warn(`${packageName}: ${optionName} ${message}`)
    return undefined
  }
  const unmatched = (routeKey: string): T | undefined =>
    hint(
      routeKey,
      `has no entry for the gateway's route ${JSON.stringify(routeKey)}, so its requests get the default requirement. ` +
        'Write keys as the gateway names its routes; behind $default or a greedy route ({proxy+}) the path is matched as @middy/http-router matches it.',
    )
  const pathMissed = (routeKey: string): T | undefined =>
    hint(
      routeKey,
      `matches no entry to the path of a request through the gateway's catch-all route ${JSON.stringify(routeKey)} (@middy/http-router would answer 404), ` +
        'so such requests get the default requirement. Paths are matched as @middy/http-router matches them: literal templates first, then the others in the order written.',
    )
  function pathPick(method: string, path: string, gatewayPath: string): TemplateRoute<T> | undefined | 'ambiguous' {
    const viaRouter = byPath(method, path)
    // A named stage of the default endpoint: the router sees '/prod/files', API Gateway routed
    // '/files'. Where the two would run different entries, neither can be trusted.
    if (gatewayPath === path || byPath(method, gatewayPath) === viaRouter) return viaRouter
    return 'ambiguous'
  }
  return (event) => {
    const route = readEventRoute(event)
    if (!route) return undefined
    const routeKey = route.template !== undefined ? `${route.method} ${route.template}` : route.special
    if (route.template !== undefined && !isGreedyTemplate(route.template)) {
      const byName = named(route.requestMethod.toUpperCase(), route.template)
      // The gateway named its route, but a router behind it still picks the handler by the path:
      // a more specific template of the map (`/orders/admin` under the gateway's `/orders/{id}`),
      // or a `%2F` the event hands on decoded, would run another handler than the named entry's.
      // So the named entry counts only where matching the path (as the router sees it, and
      // without a named stage) finds the same entry, or nothing (no router, or its 404).
      for (const path of new Set([route.path, route.gatewayPath])) {
        const viaPath = path === undefined ? undefined : byPath(route.requestMethod, path)
        if (viaPath !== undefined && viaPath.value !== byName) {
          return hint(
            `${routeKey as string} ${viaPath.key}`,
            `takes the entry ${JSON.stringify(viaPath.key)} for a request the gateway routed to ${JSON.stringify(routeKey)}: a router behind the gateway runs that entry's handler, ` +
              'so neither entry counts for it (the default requirement applies). Give the gateway a route for each template of the map, or route everything through a catch-all.',
          )
        }
      }
      return byName ?? unmatched(routeKey as string)
    }
    // A catch-all: the router behind it picks the handler by the path, so the path picks the entry.
    const found = route.path !== undefined ? pathPick(route.requestMethod, route.path, route.gatewayPath ?? route.path) : undefined
    if (found === 'ambiguous') {
      return hint(
        `stage ${String(route.path).split('/')[1]}`,
        `matched ${JSON.stringify(route.path)} and ${JSON.stringify(route.gatewayPath)} (without the stage) to different entries, so neither counts: ` +
          'strip the stage from the event before @middy/http-router and this middleware, or serve the API on the $default stage or a custom domain.',
      )
    }
    if (found !== undefined) return found.value
    // Nothing matches: the router answers 404. Not even the gateway's own (greedy) key stands in.
    if (route.template !== undefined) return pathMissed(routeKey as string)
    if (route.special === undefined) return undefined
    if (special.has(route.special)) return special.get(route.special)
    return route.path === undefined ? unmatched(route.special) : pathMissed(route.special)
  }
}
