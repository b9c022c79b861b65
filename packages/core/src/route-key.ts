/**
 * The one grammar of route keys, for every route map of the suite (`oauthScope({ routes })`,
 * `rbac({ routes })`, `authorizerResponse({ routes })`): `"METHOD /path"` as API Gateway names
 * its routes, or a whole key such as `$default` or `$connect`. A path's segments are literals,
 * `{name}` (one segment) or a final `{name+}` (the rest of the path). What the matchers and the
 * authorizer's policy patterns read, they read from here, so they never disagree on a key.
 */

/**
 * One segment of a route template: a literal, `'param'` (`{name}`, one segment) or `'greedy'`
 * (a final `{name+}`, the rest of the path).
 *
 * @example
 * ```ts
 * const segments: TemplateSegment[] = [{ literal: 'orders' }, 'param'] // /orders/{id}
 * ```
 */
export type TemplateSegment = { literal: string } | 'param' | 'greedy'

/**
 * A route key, read: `special` for a whole key (`$default`, `$connect`), else the method, the
 * template and its segments.
 *
 * @example
 * ```ts
 * const key: RouteKey = { special: undefined, method: 'GET', template: '/orders/{id}', segments: [{ literal: 'orders' }, 'param'] }
 * ```
 */
export type RouteKey =
  | { special: string; method?: undefined; template?: undefined; segments?: undefined }
  | { special: undefined; method: string; template: string; segments: readonly TemplateSegment[] }

const routeKeyPattern = /^(?:(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/\S*)|(\$[A-Za-z]+))$/
/** The route keys that start with `$`: HTTP API's catch-all and WebSocket's. */
const specialKeys: ReadonlySet<string> = new Set(['$default', '$connect', '$disconnect'])
const variablePattern = /^\{([A-Za-z0-9_.:-]+)(\+?)\}$/

/**
 * Why a path template is not one every reader of routes accepts, or `undefined`. API Gateway and
 * `@middy/http-router` refuse a trailing `/`, an empty segment and a greedy variable before the
 * end; a variable is a whole segment; `*` and `?` are no path characters (an IAM policy, such as
 * the one an authorizer answers with, reads them as wildcards).
 *
 * @example
 * ```ts
 * templateProblem('/orders/{id}')   // undefined
 * templateProblem('/files/{id}.json') // 'has the segment "{id}.json": a variable is a whole segment, …'
 * ```
 */
export function templateProblem(template: string): string | undefined {
  if (template === '/') return undefined
  // A control character cannot be in a request's path, and '#' never reaches the server.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f#]/.test(template)) return 'has a control character or "#", which no request path holds'
  if (template.endsWith('/')) return 'ends with "/" (one trailing slash is matched anyway; API Gateway and @middy/http-router refuse such routes)'
  const parts = template.slice(1).split('/')
  for (const [i, part] of parts.entries()) {
    if (part === '') return 'has an empty segment ("//")'
    const variable = variablePattern.exec(part)
    if (variable) {
      if (variable[2] && i !== parts.length - 1) return `has the greedy variable "${part}" before its end: a greedy parameter {name+} must be the last segment`
      continue
    }
    if (/[{}]/.test(part))
      return `has the segment "${part}": a variable is a whole segment, "{name}" or a final "{name+}", its name letters, digits and _ . : -`
    if (/[*?]/.test(part)) return `has the segment "${part}": "*" and "?" are not path characters (an IAM policy reads them as wildcards)`
  }
  return undefined
}

/** The segments of a template `templateProblem` accepts (`/` has none). */
const segmentsOf = (template: string): TemplateSegment[] =>
  template === '/'
    ? []
    : template
        .slice(1)
        .split('/')
        .map((part) => {
          const variable = variablePattern.exec(part)
          return variable ? (variable[2] ? 'greedy' : 'param') : { literal: part }
        })

/**
 * Why a route key does not follow the grammar, or `undefined`.
 *
 * @example
 * ```ts
 * routeKeyProblem('GET /orders/{id}') // undefined
 * routeKeyProblem('/orders')          // 'must look like "GET /orders/{id}" (or "ANY /path", "$default")'
 * ```
 */
export function routeKeyProblem(key: string): string | undefined {
  const match = routeKeyPattern.exec(key)
  if (!match) return 'must look like "GET /orders/{id}" (or "ANY /path", "$default")'
  if (match[3] !== undefined && !specialKeys.has(match[3])) return `is not a route key API Gateway knows: the special keys are ${[...specialKeys].join(', ')}`
  return match[2] === undefined ? undefined : templateProblem(match[2])
}

/**
 * A route key read by the grammar; `undefined` when {@link routeKeyProblem} finds a problem.
 *
 * @example
 * ```ts
 * parseRouteKey('ANY /files/{proxy+}') // { special: undefined, method: 'ANY', template: '/files/{proxy+}', segments: [{ literal: 'files' }, 'greedy'] }
 * parseRouteKey('$default')            // { special: '$default' }
 * ```
 */
export function parseRouteKey(key: string): RouteKey | undefined {
  if (routeKeyProblem(key) !== undefined) return undefined
  const match = routeKeyPattern.exec(key) as RegExpExecArray
  if (match[3] !== undefined) return { special: match[3] }
  const template = match[2] as string
  return { special: undefined, method: match[1] as string, template, segments: segmentsOf(template) }
}
