/**
 * What an event says about its route: the gateway's route key or resource, the request's method,
 * and the path as `@middy/http-router` reads it.
 */
import { eventKind } from './event.js'
import { parseExecuteApiArn } from './execute-api-arn.js'
import { asRecord, asText } from './record.js'

/** A request's route as the matchers read it. */
export interface EventRoute {
  /** The method of the gateway's route (`ANY` for an `ANY` route key), or of the request. */
  method: string
  /** The method of the request itself, as sent (`GET` under an `ANY` route key). */
  requestMethod: string
  /** The gateway's route template (`/orders/{id}`), when the event names one. */
  template: string | undefined
  /** The path `@middy/http-router` routes on (with a named stage of the default endpoint in front). */
  path: string | undefined
  /** The path API Gateway routes on: `path` without that stage. */
  gatewayPath: string | undefined
  /** A whole route key that is not `METHOD /path` (`$connect`, `$default`). */
  special: string | undefined
}

/**
 * The route of an `execute-api` ARN's tail (`<METHOD>/<path…>`, `$connect`), as REST TOKEN
 * authorizers and HTTP API authorizers give it (`methodArn`, `routeArn`).
 */
function fromArn(arn: unknown): EventRoute | undefined {
  const tail = parseExecuteApiArn(arn)?.tail
  if (tail === undefined) return undefined
  const [method, ...path] = tail.split('/')
  if (!method) return undefined
  if (method.startsWith('$')) return { method: '', requestMethod: '', template: undefined, path: undefined, gatewayPath: undefined, special: method }
  const upper = method.toUpperCase()
  // The ARN's path follows the stage: it is the path API Gateway routes on.
  return { method: upper, requestMethod: upper, template: undefined, path: `/${path.join('/')}`, gatewayPath: `/${path.join('/')}`, special: undefined }
}

/**
 * The path `@middy/http-router` routes on: `requestContext.http.path` on payload 2.0 (decoded,
 * where `rawPath` keeps `%2F`), `path` otherwise.
 */
const routerPath = (e: Record<string, unknown>, requestContext: Record<string, unknown> | undefined): string | undefined =>
  e.version === '2.0' ? (asText(asRecord(requestContext?.http)?.path) ?? asText(e.rawPath)) : (asText(e.path) ?? asText(e.rawPath))

/**
 * The path API Gateway routes on. On an HTTP API's default endpoint
 * (`<api>.execute-api.<region>.amazonaws.com/<stage>/…`) a named stage is the first segment of
 * the event's path (payload 2.0 and 1.0 alike, `rawPath` and `requestContext.http.path` alike);
 * the gateway routes on what follows it. REST events carry no `version` and give `path` without
 * the stage already; a custom domain has no stage in its paths (its API mapping's base path stays).
 */
function gatewayPathOf(path: string | undefined, e: Record<string, unknown>, requestContext: Record<string, unknown> | undefined): string | undefined {
  if (path === undefined || (e.version !== '2.0' && e.version !== '1.0')) return path
  const stage = asText(requestContext?.stage)
  const apiId = asText(requestContext?.apiId)
  const domainName = asText(requestContext?.domainName)
  if (!stage || stage === '$default' || !apiId || !domainName?.startsWith(`${apiId}.execute-api.`)) return path
  if (path === `/${stage}`) return '/'
  return path.startsWith(`/${stage}/`) ? path.slice(stage.length + 1) : path
}

/** The route of a request, for every event kind the suite reads. */
export function readEventRoute(event: unknown): EventRoute | undefined {
  const e = asRecord(event)
  if (!e) return undefined
  const kind = eventKind(event)
  if (kind === 'authorizer-token') return fromArn(e.methodArn)
  const requestContext = asRecord(e.requestContext)
  // As sent: the router compares methods exactly (a `get` is no GET route's).
  const requestMethod = asText(e.httpMethod) ?? asText(requestContext?.httpMethod) ?? asText(asRecord(requestContext?.http)?.method)
  const path = routerPath(e, requestContext)
  const gatewayPath = gatewayPathOf(path, e, requestContext)
  const routeKey = asText(e.routeKey) ?? asText(requestContext?.routeKey)
  if (routeKey?.startsWith('$')) {
    // `$default` (function URLs, catch-all HTTP API routes): the method and path still tell.
    if (routeKey === '$default' && requestMethod && path)
      return { method: requestMethod.toUpperCase(), requestMethod, template: undefined, path, gatewayPath, special: routeKey }
    return { method: '', requestMethod: '', template: undefined, path: undefined, gatewayPath: undefined, special: routeKey }
  }
  const space = routeKey?.indexOf(' ') ?? -1
  if (routeKey && space > 0) {
    const method = routeKey.slice(0, space).toUpperCase()
    return { method, requestMethod: requestMethod ?? method, template: routeKey.slice(space + 1), path, gatewayPath, special: undefined }
  }
  if (!requestMethod) {
    const arn = asText(e.methodArn) ?? asText(e.routeArn)
    return arn ? fromArn(arn) : undefined
  }
  return {
    method: requestMethod.toUpperCase(),
    requestMethod,
    // ALB has no resource: its path is matched against the templates.
    template: kind === 'alb' ? undefined : (asText(e.resource) ?? asText(requestContext?.resourcePath)),
    path,
    gatewayPath,
    special: undefined,
  }
}
