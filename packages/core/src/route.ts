import { eventKind, type AnyEvent } from './event.js'
import { asRecord, asText } from './record.js'

/**
 * Per-route requirements, keyed `"METHOD /path"` as the event carries them: `routeKey` on HTTP
 * API (`GET /orders/{id}`), `httpMethod` + `resource` on REST (`GET /orders/{id}`), method and
 * path elsewhere. `ANY` matches every method; `{name}` one path segment; `{name+}` the rest;
 * `$default` / `$connect` WebSocket and default routes as written.
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
  /** The concrete path (`/orders/42`). */
  path: string | undefined
  /** A whole route key that is not `METHOD /path` (`$connect`, `$default`). */
  special: string | undefined
}


/**
 * Splits an `execute-api` ARN's tail (`<api>/<stage>/<METHOD>/<path…>`) as REST TOKEN
 * authorizers and HTTP API authorizers give it (`methodArn`, `routeArn`).
 */
const fromArn = (arn: string): RequestRoute | undefined => {
  const resource = arn.split(':').slice(5).join(':')
  const [, , method, ...path] = resource.split('/')
  if (!method) return undefined
  if (method.startsWith('$')) return { method: '', template: undefined, path: undefined, special: method }
  return { method: method.toUpperCase(), template: undefined, path: `/${path.join('/')}`, special: undefined }
}

/**
 * The route of a request, for every event kind the suite reads.
 *
 * @example
 * ```ts
 * requestRoute({ routeKey: 'GET /orders/{id}', rawPath: '/orders/42', requestContext: { http: { method: 'GET' } }, version: '2.0' })
 * // { method: 'GET', template: '/orders/{id}', path: '/orders/42', special: undefined }
 * ```
 */
export const requestRoute = (event: AnyEvent): RequestRoute | undefined => {
  const e = asRecord(event)
  if (!e) return undefined
  const requestContext = asRecord(e.requestContext)
  const routeKey = asText(e.routeKey) ?? asText(requestContext?.routeKey)
  if (routeKey?.startsWith('$')) {
    // `$default` on function URLs and catch-all HTTP API routes: the method and path still tell.
    const method = asText(asRecord(requestContext?.http)?.method)
    const path = asText(e.rawPath)
    if (routeKey === '$default' && method && path) return { method: method.toUpperCase(), template: undefined, path, special: routeKey }
    return { method: '', template: undefined, path: undefined, special: routeKey }
  }
  if (routeKey) {
    const space = routeKey.indexOf(' ')
    return { method: routeKey.slice(0, space).toUpperCase(), template: routeKey.slice(space + 1), path: asText(e.rawPath), special: undefined }
  }
  const kind = eventKind(event)
  if (kind === 'authorizer-token') return fromArn(String(e.methodArn ?? ''))
  const method = asText(e.httpMethod) ?? asText(requestContext?.httpMethod) ?? asText(asRecord(requestContext?.http)?.method)
  if (!method) {
    const arn = asText(e.methodArn) ?? asText(e.routeArn)
    return arn ? fromArn(arn) : undefined
  }
  return {
    method: method.toUpperCase(),
    // ALB has no resource: its path is matched against the templates.
    template: kind === 'alb' ? undefined : (asText(e.resource) ?? asText(requestContext?.resourcePath)),
    path: asText(e.path) ?? asText(e.rawPath),
    special: undefined,
  }
}

interface CompiledRoute<T> {
  key: string
  method: string
  template: string
  segments: string[]
  value: T
}

const routeKeyPattern = /^(?:(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/[^\s]*)|(\$[A-Za-z]+))$/

const segmentsOf = (path: string): string[] => path.split('/').filter((segment) => segment !== '')

const matches = (templateSegments: readonly string[], pathSegments: readonly string[]): boolean => {
  for (let i = 0; i < templateSegments.length; i++) {
    const segment = templateSegments[i] as string
    if (segment.startsWith('{') && segment.endsWith('+}')) return pathSegments.length > i
    if (i >= pathSegments.length) return false
    if (segment.startsWith('{') && segment.endsWith('}')) continue
    if (segment !== pathSegments[i]) return false
  }
  return templateSegments.length === pathSegments.length
}

/**
 * Compiles a route map at cold start (malformed keys are a `TypeError` naming the key) into a
 * lookup from event to value. An exact method beats `ANY`. When the gateway names the route
 * (`routeKey`, `resource`), only that key is looked up; otherwise (ALB, function URLs, ARNs) the
 * concrete path is matched against the templates, the one with more literal segments first.
 *
 * @example
 * ```ts
 * const lookup = compileRouteMap({ 'GET /orders/{id}': ['orders:read'] }, '@middy-auth/oauth-scope', 'routes')
 * lookup(event) // ['orders:read'] or undefined
 * ```
 */
export const compileRouteMap = <T>(routes: RouteMap<T>, packageName: string, optionName: string): ((event: AnyEvent) => T | undefined) => {
  if (routes === null || typeof routes !== 'object' || Array.isArray(routes)) {
    throw new TypeError(`${optionName} must be an object keyed by "METHOD /path"`, { cause: { package: packageName } })
  }
  const compiled: CompiledRoute<T>[] = []
  const special = new Map<string, T>()
  for (const [key, value] of Object.entries(routes)) {
    const match = routeKeyPattern.exec(key)
    if (!match) {
      throw new TypeError(`${optionName}: route key ${JSON.stringify(key)} must look like "GET /orders/{id}" (or "ANY /path", "$default")`, {
        cause: { package: packageName },
      })
    }
    if (match[3]) special.set(match[3], value)
    else compiled.push({ key, method: match[1] as string, template: match[2] as string, segments: segmentsOf(match[2] as string), value })
  }
  const literalCount = (route: CompiledRoute<T>) => route.segments.filter((s) => !s.startsWith('{')).length
  // Most specific first: more literal segments, then exact methods before ANY.
  compiled.sort((a, b) => literalCount(b) - literalCount(a) || Number(a.method === 'ANY') - Number(b.method === 'ANY'))
  const byTemplate = new Map(compiled.map((route) => [`${route.method} ${route.template}`, route.value]))

  return (event) => {
    const route = requestRoute(event)
    if (!route) return undefined
    if (route.template !== undefined) {
      // The gateway names the route: only that key counts. Matching its concrete path against
      // other templates could hand one route's (weaker) requirements to another.
      return byTemplate.get(`${route.method} ${route.template}`) ?? byTemplate.get(`ANY ${route.template}`)
    }
    if (route.path !== undefined) {
      const pathSegments = segmentsOf(route.path)
      for (const candidate of compiled) {
        if ((candidate.method === route.method || candidate.method === 'ANY') && matches(candidate.segments, pathSegments)) {
          return candidate.value
        }
      }
    }
    return route.special !== undefined ? special.get(route.special) : undefined
  }
}
