/**
 * The `route` option of the API Gateway event builders: a gateway route (`DELETE /orders/{id}`)
 * and a concrete path give the method, the route key or resource, and the path parameters, the
 * way API Gateway fills them in. A route the path cannot reach is a mistake in the test, not an
 * event to build: it throws.
 */

const routePattern = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/\S*)$/
const variablePattern = /^\{([A-Za-z0-9_.:-]+)(\+?)\}$/

/** What a `route` option decides, for the builder to use instead of its own defaults. */
export interface RouteParts {
  /** The route's method, `ANY` included. */
  routeMethod: string
  /** The route template, `/orders/{id}`. */
  template: string
  /** The request's method: the route's, or under `ANY` the `method` option (default `GET`). */
  method: string
  /** The request's path: the `path` option, or the template when it has no variable. */
  path: string
  /** Each variable's segment (the rest of the path for a greedy `{name+}`), as written in the path; `undefined` when the template has none. */
  pathParameters: Record<string, string> | undefined
}

/**
 * Reads a `route` option against the `method` and `path` options. Throws an `Error` naming the
 * builder when the route is malformed, contradicts `method`, or does not match `path`.
 */
export function routeParts(route: string, options: { method?: string | undefined; path?: string | undefined }, builder: string): RouteParts {
  const fail = (why: string) => new Error(`${builder}: route ${JSON.stringify(route)} ${why}`)
  const match = routePattern.exec(route)
  if (!match) throw fail('must look like "GET /orders/{id}" (a method or ANY, a space, a path template)')
  const routeMethod = match[1] as string
  const template = match[2] as string
  if (options.method !== undefined && routeMethod !== 'ANY' && options.method !== routeMethod) {
    throw fail(`is a ${routeMethod} route: method ${JSON.stringify(options.method)} would not reach it (leave method out, or use an ANY route)`)
  }
  const method = options.method ?? (routeMethod === 'ANY' ? 'GET' : routeMethod)
  const segments = template === '/' ? [] : template.slice(1).split('/')
  const variables = segments.map((segment) => variablePattern.exec(segment))
  if (options.path === undefined) {
    if (variables.some(Boolean)) throw fail('has variables: give the concrete path too (path: "/orders/42")')
    return { routeMethod, template, method, path: template, pathParameters: undefined }
  }
  const path = options.path
  if (!path.startsWith('/')) throw fail(`does not match the path ${JSON.stringify(path)}: a path starts with "/"`)
  const parts = path === '/' ? [] : path.slice(1).split('/')
  const pathParameters: Record<string, string> = {}
  for (const [i, segment] of segments.entries()) {
    const variable = variables[i]
    const part = parts[i]
    if (variable?.[2]) {
      // A greedy variable takes the rest of the path, at least one character (API Gateway routes
      // the bare parent elsewhere).
      const rest = parts.slice(i).join('/')
      if (i !== segments.length - 1 || rest === '') throw fail(`does not match the path ${JSON.stringify(path)}`)
      pathParameters[variable[1] as string] = rest
      return { routeMethod, template, method, path, pathParameters }
    }
    if (part === undefined || part === '' || (!variable && part !== segment)) throw fail(`does not match the path ${JSON.stringify(path)}`)
    if (variable) pathParameters[variable[1] as string] = part
  }
  if (parts.length !== segments.length) throw fail(`does not match the path ${JSON.stringify(path)}`)
  return { routeMethod, template, method, path, pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined }
}
