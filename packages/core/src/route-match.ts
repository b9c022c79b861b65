/**
 * Matching a concrete path against route templates, two ways: as `@middy/http-router` routes it
 * (for middlewares beside the router) and as API Gateway picks among its routes (for an
 * authorizer in front of them). Everything is decided at cold start except the match itself.
 */

import type { TemplateSegment as Segment } from './route-key.js'

/** A route map entry with its template read (by core's one route-key grammar, `parseRouteKey`). */
export interface TemplateRoute<T> {
  key: string
  method: string
  template: string
  segments: readonly Segment[]
  value: T
}

interface Compiled<T> extends TemplateRoute<T> {
  /** Segments before a final greedy variable, or all of them. */
  fixed: number
  greedy: boolean
  /** No variable: matched by string equality. */
  literal: boolean
}

/** The methods `ANY` stands for, as `@middy/http-router` expands it. */
export const anyMethods: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'])

/** Whether a template ends with a greedy variable (`/{proxy+}`, `/files/{path+}`). */
export const isGreedyTemplate = (template: string): boolean => /\/\{[^/{}]+\+\}$/.test(template)

/** The template with its variable names dropped (`/orders/{}`, `/files/{+}`): how route names are compared. */
export const templateShape = (template: string): string => template.replace(/\{[^/{}]+?(\+?)\}/g, '{$1}')

function compile<T>(route: TemplateRoute<T>): Compiled<T> {
  const segments = route.segments
  const greedy = segments.at(-1) === 'greedy'
  return { ...route, greedy, fixed: greedy ? segments.length - 1 : segments.length, literal: segments.every((s) => typeof s === 'object') }
}

const methodCovers = (routeMethod: string, requestMethod: string): boolean =>
  routeMethod === requestMethod || (routeMethod === 'ANY' && anyMethods.has(requestMethod))

/**
 * Whether a template with variables matches a path as `@middy/http-router`'s patterns do:
 * `{name}` is one non-empty segment; a final `{name+}` is nothing, `/`, or `/` and anything (so
 * `/files/{proxy+}` matches `/files` and `/files/`); a template without one may be followed by
 * one `/`.
 */
function routerMatches(route: Compiled<unknown>, path: string): boolean {
  if (!path.startsWith('/')) return false
  const trimmed = !route.greedy && path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  const parts = trimmed.slice(1).split('/')
  if (route.greedy ? parts.length < route.fixed : parts.length !== route.fixed) return false
  for (let i = 0; i < route.fixed; i++) {
    const segment = route.segments[i] as Segment
    const part = parts[i] as string
    if (segment === 'param' ? part === '' : segment !== 'greedy' && segment.literal !== part) return false
  }
  return true
}

/** Whether every path `b` matches, `a` (both with variables) matches too. */
function covers(a: Compiled<unknown>, b: Compiled<unknown>): boolean {
  if (a.greedy ? b.fixed < a.fixed : b.greedy || b.fixed !== a.fixed) return false
  for (let i = 0; i < a.fixed; i++) {
    const sa = a.segments[i] as Segment
    const sb = b.segments[i] as Segment
    if (sa === 'param') continue
    if (typeof sa === 'object' && typeof sb === 'object' && sa.literal === sb.literal) continue
    return false
  }
  return true
}

/**
 * Refuses entries `@middy/http-router` would never choose: a literal route written before an
 * `ANY` route of the same path (the router keeps the last), a route with variables after one
 * that takes every request it would (the router takes the first).
 */
function refuseUnreachable(routes: readonly Compiled<unknown>[], fail: (message: string) => TypeError): void {
  for (const [j, later] of routes.entries()) {
    for (const earlier of routes.slice(0, j)) {
      if (later.literal && earlier.literal && earlier.template === later.template && later.method === 'ANY') {
        throw fail(
          `: ${JSON.stringify(earlier.key)} is never used: ${JSON.stringify(later.key)}, written after it, takes its requests (@middy/http-router keeps the last route written for a path); write ${JSON.stringify(later.key)} first, here and in the router`,
        )
      }
      if (!later.literal && !earlier.literal && methodCovers(earlier.method, later.method) && covers(earlier, later)) {
        throw fail(
          `: ${JSON.stringify(later.key)} is never used: ${JSON.stringify(earlier.key)}, written before it, takes all its requests (@middy/http-router takes the first route that matches); write the more specific route first, here and in the router`,
        )
      }
    }
  }
}

/**
 * The entry `@middy/http-router` routes a request to, given the routes in the order written:
 * routes without variables first (the last one written for a method and path wins, as the router
 * overwrites), then the others in order, the first that matches. `HEAD` is its own method.
 * Unreachable entries are refused (`fail`) at cold start.
 */
export function routerMatcher<T>(
  routes: readonly TemplateRoute<T>[],
  fail: (message: string) => TypeError,
): (method: string, path: string) => TemplateRoute<T> | undefined {
  const compiled = routes.map(compile)
  refuseUnreachable(compiled, fail)
  const literal = compiled.filter((route) => route.literal)
  const variable = compiled.filter((route) => !route.literal)
  return (method, path) => {
    if (!anyMethods.has(method)) return undefined
    for (let i = literal.length - 1; i >= 0; i--) {
      const route = literal[i] as Compiled<T>
      if (methodCovers(route.method, method) && (path === route.template || path === `${route.template}/`)) return route
    }
    return variable.find((route) => methodCovers(route.method, method) && routerMatches(route, path))
  }
}

/**
 * The entry API Gateway's own choice of route most likely fell on, for events that show only a
 * path (REST TOKEN authorizers' ARNs, `$default`): more literal segments first, then an exact
 * method before `ANY`; a greedy variable covers one or more characters after its parent's `/`,
 * not its bare parent (API Gateway's "child resources"). Strict: a trailing `/` or an empty
 * segment matches no literal or `{name}` segment, so a path matches a template exactly when an
 * IAM policy's ARN pattern for that template (`*` for each variable) would, less the paths a
 * `*` reaches that a segment cannot hold. A Lambda authorizer's cached policy is reasoned about in
 * exactly those terms, so this matcher must not be more lenient than them.
 */
export function gatewayMatcher<T>(routes: readonly TemplateRoute<T>[]): (method: string, path: string) => T | undefined {
  const literalCount = (route: TemplateRoute<T>) => route.segments.filter((segment) => typeof segment === 'object').length
  const compiled = [...routes].sort((a, b) => literalCount(b) - literalCount(a) || Number(a.method === 'ANY') - Number(b.method === 'ANY'))
  function matches(segments: readonly Segment[], path: string): boolean {
    if (!path.startsWith('/')) return false
    if (segments.length === 0) return path === '/'
    const pathParts = path.slice(1).split('/')
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as Segment
      if (segment === 'greedy') return pathParts.slice(i).join('/') !== ''
      const part = pathParts[i]
      if (part === undefined || part === '') return false
      if (segment !== 'param' && segment.literal !== part) return false
    }
    return segments.length === pathParts.length
  }
  return (method, path) => compiled.find((route) => (route.method === method || route.method === 'ANY') && matches(route.segments, path))?.value
}
