import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2, LambdaFunctionURLEvent } from 'aws-lambda'
import {
  contentLength,
  headerList,
  joined,
  rawQueryString,
  requestTime,
  shortId,
  takeCookies,
  toValueList,
  traceId,
  type ValueList,
} from '../lib/event-parts.js'
import { httpApiClaims } from '../lib/gateway-claims.js'
import { basics, clientCert, DEFAULT_IAM, executeApiArn, executeApiHost, FUNCTION_URL_ID, HTTP_API_ID, stagePath, type Basics } from './common.js'
import { routeParts } from '../lib/route-template.js'
import type { ClientCertOption, EventOptions, IamAuthorizerIdentity } from './options.js'

// Payload format 2.0: HTTP API, Lambda function URLs, HTTP API authorizer 2.0.

/**
 * `requestContext.authorizer` of an HTTP API event, as {@link httpApiEvent} takes it:
 * - `{ jwt: { claims, scopes? } }`: a JWT authorizer. Claims are rendered as the gateway does
 *   (numbers and booleans as strings, arrays as `"[a b]"`); `scopes` defaults to `null`.
 * - `{ iam: {...} }`: IAM auth; the given fields are merged over a default assumed-role caller
 *   (`arn:aws:sts::123456789012:assumed-role/TestRole/test-session`), so `{ iam: {} }` works.
 * - `{ lambda: {...} | null }`: a Lambda authorizer's context, JSON types kept (simple responses).
 *
 * @example
 * ```ts
 * const authorizer: HttpApiAuthorizerOption = { jwt: { claims: { sub: 'alice', exp: 1718722804 }, scopes: ['orders:read'] } }
 * const event = httpApiEvent({ authorizer })
 * event.requestContext.authorizer // { jwt: { claims: { sub: 'alice', exp: '1718722804' }, scopes: ['orders:read'] } }
 * ```
 */
export type HttpApiAuthorizerOption =
  { jwt: { claims: Record<string, unknown>; scopes?: string[] | null } } | { iam: Partial<IamAuthorizerIdentity> } | { lambda: Record<string, unknown> | null }

/**
 * `requestContext.authorizer` of an HTTP API or function URL event, as built.
 *
 * @example
 * ```ts
 * const event = httpApiEvent({ authorizer: { iam: {} } })
 * const authorizer: HttpApiAuthorizerContext | undefined = event.requestContext.authorizer
 * ```
 */
export type HttpApiAuthorizerContext =
  { jwt: { claims: Record<string, string>; scopes: string[] | null } } | { iam: IamAuthorizerIdentity } | { lambda: Record<string, unknown> | null }

/**
 * Options of {@link httpApiEvent}.
 *
 * @example
 * ```ts
 * const options: HttpApiEventOptions = { routeKey: 'GET /orders/{id}', path: '/orders/42', pathParameters: { id: '42' } }
 * ```
 */
export interface HttpApiEventOptions extends EventOptions {
  /** The route key, as given. Default is `` `${method} ${path}` `` (so `'GET /orders'`), or `route`. */
  routeKey?: string
  /**
   * The gateway's route (`'DELETE /orders/{id}'`, `'ANY /{proxy+}'`), from which `routeKey`,
   * `pathParameters` (each variable's segment of `path`, the rest of it for `{name+}`) and the
   * method (`method`, or `GET`, under `ANY`) are derived. `path` is then required when the route
   * has variables. Throws when `path` or `method` could not reach the route. Default: absent.
   */
  route?: string
  /** `pathParameters`. Default: absent, or derived from `route`. */
  pathParameters?: Record<string, string>
  /** `stageVariables`. Default: absent. */
  stageVariables?: Record<string, string>
  /** Adds `requestContext.authentication.clientCert` (mTLS). Default: absent. */
  clientCert?: ClientCertOption
  /** `requestContext.authorizer`. Default: absent (a route without authorization). */
  authorizer?: HttpApiAuthorizerOption
}

/**
 * An HTTP API (payload 2.0) event with its `requestContext.authorizer` typed.
 *
 * @example
 * ```ts
 * const event: HttpApiEvent = httpApiEvent({ authorizer: { lambda: { tenant: 'acme' } } })
 * ```
 */
export type HttpApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayEventRequestContextV2 & { authorizer?: HttpApiAuthorizerContext }
}

/**
 * Options of {@link functionUrlEvent}. A function URL has no stage or routes (`$default`).
 *
 * @example
 * ```ts
 * const options: FunctionUrlEventOptions = { authorizer: { iam: { userArn: 'arn:aws:iam::111122223333:user/alice' } } }
 * ```
 */
export interface FunctionUrlEventOptions extends Omit<EventOptions, 'stage'> {
  /** `{ iam }` for an `AWS_IAM` function URL (merged over the default caller). Default: absent (auth type `NONE`). */
  authorizer?: { iam: Partial<IamAuthorizerIdentity> }
}

/**
 * Options of {@link httpAuthorizerEventV2} (HTTP API authorizer, payload 2.0).
 *
 * @example
 * ```ts
 * const options: HttpAuthorizerEventV2Options = { bearer: jwt, routeKey: 'POST /orders', method: 'POST' }
 * ```
 */
export interface HttpAuthorizerEventV2Options extends EventOptions {
  /** Default is `` `${method} ${path}` ``. */
  routeKey?: string
  /** The `identitySource` array. Default: `[<Authorization header>]` if there is one, else `[]`. */
  identitySource?: string[]
  pathParameters?: Record<string, string>
  stageVariables?: Record<string, string>
  clientCert?: ClientCertOption
  /** Default: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method><path>`. */
  routeArn?: string
}

interface V2Parts {
  rawPath: string
  rawQueryString: string
  cookies: string[]
  headers: Record<string, string>
  query: ValueList
  requestContext: APIGatewayEventRequestContextV2
}

function v2Parts(options: EventOptions, b: Basics, domainName: string, stage: string, routeKey: string, defaultHeaders: Record<string, string>): V2Parts {
  const rawPath = stagePath(stage, b.path)
  const list = headerList({ defaults: defaultHeaders, headers: options.headers, bearer: options.bearer, lowerCase: true })
  const cookies = takeCookies(list, options.cookies)
  const query = toValueList(options.query)
  return {
    rawPath,
    rawQueryString: rawQueryString(query),
    cookies,
    headers: joined(list),
    query,
    requestContext: {
      accountId: b.accountId,
      apiId: domainName.split('.')[0] ?? '',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? '',
      http: { method: b.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: b.sourceIp, userAgent: b.userAgent },
      requestId: shortId(),
      routeKey,
      stage,
      time: requestTime(b.epochMs),
      timeEpoch: b.epochMs,
    },
  }
}

export function httpApiDefaultHeaders(host: string, b: Basics, options: EventOptions): Record<string, string> {
  return {
    accept: '*/*',
    'content-length': contentLength(options.body, options.isBase64Encoded ?? false),
    host,
    'user-agent': b.userAgent,
    'x-amzn-trace-id': traceId(b.epochMs),
    'x-forwarded-for': b.sourceIp,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  }
}

/** The payload 2.0 `requestContext`, keys in the order of captures, with the options' overrides last. */
function v2RequestContext(
  base: APIGatewayEventRequestContextV2,
  options: EventOptions & { clientCert?: ClientCertOption },
  authorizer: HttpApiAuthorizerContext | undefined,
): Record<string, unknown> {
  const requestContext: Record<string, unknown> = { accountId: base.accountId, apiId: base.apiId }
  if (options.clientCert !== undefined) requestContext.authentication = { clientCert: clientCert(options.clientCert) }
  if (authorizer !== undefined) requestContext.authorizer = authorizer
  return Object.assign(requestContext, base, options.requestContext)
}

/** Builds a payload 2.0 event: the optional keys appear only when they have content, as in captures. */
function v2Event(parts: V2Parts, routeKey: string, options: HttpApiEventOptions, authorizer: HttpApiAuthorizerContext | undefined): HttpApiEvent {
  const requestContext = v2RequestContext(parts.requestContext, options, authorizer)
  const event: Record<string, unknown> = { version: '2.0', routeKey, rawPath: parts.rawPath, rawQueryString: parts.rawQueryString }
  if (parts.cookies.length > 0) event.cookies = parts.cookies
  event.headers = parts.headers
  if (parts.query.length > 0) event.queryStringParameters = joined(parts.query)
  event.requestContext = requestContext
  if (options.body !== undefined) event.body = options.body
  if (options.pathParameters !== undefined) event.pathParameters = { ...options.pathParameters }
  event.isBase64Encoded = options.isBase64Encoded ?? false
  if (options.stageVariables !== undefined) event.stageVariables = { ...options.stageVariables }
  return event as unknown as HttpApiEvent
}

function httpApiAuthorizer(option: HttpApiAuthorizerOption | undefined): HttpApiAuthorizerContext | undefined {
  if (option === undefined) return undefined
  if ('jwt' in option) return { jwt: { claims: httpApiClaims(option.jwt.claims), scopes: option.jwt.scopes ?? null } }
  if ('iam' in option) return { iam: { ...DEFAULT_IAM, ...option.iam } }
  return { lambda: option.lambda }
}

/** What an HTTP API request and its payload 2.0 authorizer event share: API, stage, route, parts. */
const httpApiRequest = (options: HttpApiEventOptions & { routeKey?: string }) => {
  const b = basics(options)
  const apiId = options.apiId ?? HTTP_API_ID
  const stage = options.stage ?? '$default'
  const routeKey = options.routeKey ?? `${b.method} ${b.path}`
  const host = executeApiHost(apiId, b.region)
  return { b, apiId, stage, routeKey, parts: v2Parts(options, b, host, stage, routeKey, httpApiDefaultHeaders(host, b, options)) }
}

/**
 * An API Gateway HTTP API event (payload format 2.0), shaped like a real capture.
 *
 * Header names are lower-cased and repeated headers comma-joined; cookies (the `cookies`
 * option and any `cookie` header) go to the `cookies` array, not to `headers`; the query goes to
 * `rawQueryString` (percent-encoded) and `queryStringParameters` (decoded, repeated values
 * comma-joined). `cookies`, `queryStringParameters`, `body`, `pathParameters`, `stageVariables`
 * and `requestContext.authentication` are present only when there is something to put in them,
 * as in captures. A named stage prefixes `rawPath` and `http.path`; `routeKey` never has it.
 *
 * @param options - see {@link HttpApiEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { httpApiEvent } from '@middy-auth/testing'
 *
 * const event = httpApiEvent({ bearer: token, cookies: { session: 'abc' }, query: { page: '2' } })
 * event.headers.authorization        // 'Bearer <token>'
 * event.cookies                      // ['session=abc']
 * event.routeKey                     // 'GET /orders'
 *
 * // a route with variables: routeKey 'DELETE /orders/{id}', pathParameters { id: '42' }
 * const deletion = httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
 *
 * // what API Gateway's own JWT authorizer passes on
 * const verified = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice', scope: 'orders:read' }, scopes: ['orders:read'] } } })
 * ```
 */
export function httpApiEvent(options: HttpApiEventOptions = {}): HttpApiEvent {
  const routed = withRoute(options)
  const { routeKey, parts } = httpApiRequest(routed)
  return v2Event(parts, routeKey, routed, httpApiAuthorizer(routed.authorizer))
}

/** The options with what `route` says filled in (`routeKey`, `method`, `path`, `pathParameters`). */
function withRoute(options: HttpApiEventOptions): HttpApiEventOptions {
  if (options.route === undefined) return options
  if (options.routeKey !== undefined) throw new Error('httpApiEvent: give route or routeKey, not both')
  const route = routeParts(options.route, options, 'httpApiEvent')
  const pathParameters = options.pathParameters ?? route.pathParameters
  return { ...options, routeKey: `${route.routeMethod} ${route.template}`, method: route.method, path: route.path, ...(pathParameters && { pathParameters }) }
}

/**
 * A Lambda function URL event (payload 2.0), shaped like a real capture: `routeKey` and `stage`
 * are `$default`, the domain is `<url-id>.lambda-url.<region>.on.aws`. Without `authorizer`
 * (auth type `NONE`) `requestContext.accountId` is `'anonymous'`; with `authorizer: { iam }`
 * (`AWS_IAM`) it is the function owner's account and `authorizer.iam` holds the caller.
 * Headers, cookies and the query land as in {@link httpApiEvent}.
 *
 * @param options - see {@link FunctionUrlEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { functionUrlEvent } from '@middy-auth/testing'
 *
 * const open = functionUrlEvent({ bearer: token })
 * open.requestContext.accountId // 'anonymous'
 *
 * const signed = functionUrlEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' } } })
 * ```
 */
export function functionUrlEvent(options: FunctionUrlEventOptions = {}): LambdaFunctionURLEvent & HttpApiEvent {
  const b = basics(options)
  const urlId = options.apiId ?? FUNCTION_URL_ID
  const host = `${urlId}.lambda-url.${b.region}.on.aws`
  const iam = options.authorizer?.iam
  const defaults = {
    'x-amzn-tls-version': 'TLSv1.3',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-for': b.sourceIp,
    accept: '*/*',
    'x-amzn-tls-cipher-suite': 'TLS_AES_128_GCM_SHA256',
    'x-amzn-trace-id': traceId(b.epochMs),
    host,
    'content-length': contentLength(options.body, options.isBase64Encoded ?? false),
    'user-agent': b.userAgent,
  }
  const parts = v2Parts(options, b, host, '$default', '$default', defaults)
  parts.requestContext.accountId = iam === undefined ? 'anonymous' : b.accountId
  return v2Event(parts, '$default', options, iam === undefined ? undefined : { iam: { ...DEFAULT_IAM, ...iam } })
}

/**
 * An HTTP API Lambda authorizer event, payload format 2.0 (`type: 'REQUEST'`), shaped like a
 * real capture: `routeArn`, `identitySource` (an array), `routeKey`, and the request as in
 * {@link httpApiEvent} but without `authorizer`, `body` or `isBase64Encoded`. `cookies` is present
 * only when there are cookies, as in captures (the `@types/aws-lambda` type says it always is).
 *
 * @param options - see {@link HttpAuthorizerEventV2Options} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { httpAuthorizerEventV2 } from '@middy-auth/testing'
 *
 * const event = httpAuthorizerEventV2({ bearer: token, method: 'POST', path: '/orders' })
 * event.identitySource // ['Bearer <token>']
 * event.routeArn       // 'arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/POST/orders'
 * ```
 */
export function httpAuthorizerEventV2(options: HttpAuthorizerEventV2Options = {}): APIGatewayRequestAuthorizerEventV2 {
  const { b, apiId, stage, routeKey, parts } = httpApiRequest(options)
  const authorization = parts.headers.authorization
  const event: Record<string, unknown> = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: options.routeArn ?? executeApiArn(b, apiId, `${stage}/${b.method}${b.path}`),
    identitySource: options.identitySource ?? (authorization === undefined ? [] : [authorization]),
    routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
  }
  if (parts.cookies.length > 0) event.cookies = parts.cookies
  event.headers = parts.headers
  if (parts.query.length > 0) event.queryStringParameters = joined(parts.query)
  event.requestContext = v2RequestContext(parts.requestContext, options, undefined)
  if (options.pathParameters !== undefined) event.pathParameters = { ...options.pathParameters }
  if (options.stageVariables !== undefined) event.stageVariables = { ...options.stageVariables }
  return event as unknown as APIGatewayRequestAuthorizerEventV2
}
