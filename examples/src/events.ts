/**
 * The events the local gateway hands to Lambda functions, shaped like API Gateway's own: HTTP API
 * payload 2.0, REST (payload 1.0), and the Lambda authorizer inputs of both (HTTP API 2.0
 * REQUEST, REST REQUEST and TOKEN). `test/gateway-events.test.ts` compares each with the
 * recorded events of `test/fixtures/aws-events/`.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda'

/** The account and API the local gateway pretends to be. */
export const LOCAL_API = { accountId: '123456789012', apiId: 'local', region: 'eu-west-1' } as const

/** Connection-level headers: the gateway does not pass them on to the function. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** One request as the gateway received it, read once from node's `IncomingMessage`. */
export interface ReceivedRequest {
  method: string
  /** The path as sent, without the query. */
  rawPath: string
  /** The query as sent, without `?`. */
  rawQuery: string
  /** Header names and values in arrival order, names as the client wrote them. */
  rawHeaders: readonly string[]
  /** Lower-cased names, repeats comma-joined, `cookie` and connection-level headers left out, the gateway's `x-forwarded-*` added. */
  headers: Readonly<Record<string, string>>
  /** Every `name=value` of every `Cookie` header, in order. */
  cookies: readonly string[]
  sourceIp: string
  protocol: string
  body: Buffer
  requestId: string
  /** Milliseconds since the epoch. */
  now: number
}

/** Where the request went: its route, and what the route template took from the path. */
export interface RouteMatch {
  /** `GET /orders/{id}`, or `$default`. */
  routeKey: string
  /** The route's path template (`/orders/{id}`); REST calls it the resource. */
  resource: string
  pathParameters: Record<string, string> | undefined
}

const plainIp = (address: string | undefined): string => (address ?? '127.0.0.1').replace(/^::ffff:/, '')

/** API Gateway's `requestContext.time`: `27/Nov/2025:20:55:01 +0000`. */
const requestTime = (epochMs: number): string => {
  const d = new Date(epochMs)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

/** Bodies of these types reach the function as text; anything else is base64-encoded. */
const isTextual = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return true
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return type.startsWith('text/') || /[/+](json|xml)$/.test(type) || type === 'application/x-www-form-urlencoded' || type === 'application/javascript'
}

const pairs = (rawHeaders: readonly string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out.push([rawHeaders[i] as string, rawHeaders[i + 1] as string])
  return out
}

/** A new request id, as HTTP API writes them (`ZhLNpgotDoEEJUQ=`). */
export const newRequestId = (): string => randomBytes(11).toString('base64')

/** Reads what every event is built from: the request line, the headers, the peer, the body. */
export const receive = (request: IncomingMessage, body: Buffer, options: { requestId?: string; now?: number } = {}): ReceivedRequest => {
  const now = options.now ?? Date.now()
  const target = request.url ?? '/'
  const queryAt = target.indexOf('?')
  const sourceIp = plainIp(request.socket.remoteAddress)
  const headers = new Map<string, string>()
  const cookies: string[] = []
  for (const [rawName, value] of pairs(request.rawHeaders)) {
    const name = rawName.toLowerCase()
    if (name === 'cookie') {
      for (const part of value.split(';')) if (part.trim() !== '') cookies.push(part.trim())
      continue
    }
    if (HOP_BY_HOP.includes(name)) continue
    const previous = headers.get(name)
    headers.set(name, previous === undefined ? value : `${previous},${value}`)
  }
  headers.set('x-forwarded-for', headers.has('x-forwarded-for') ? `${headers.get('x-forwarded-for')}, ${sourceIp}` : sourceIp)
  headers.set('x-forwarded-port', String(request.socket.localPort ?? 80))
  headers.set('x-forwarded-proto', 'http')
  headers.set('x-amzn-trace-id', `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`)
  return {
    method: request.method ?? 'GET',
    rawPath: queryAt === -1 ? target : target.slice(0, queryAt),
    rawQuery: queryAt === -1 ? '' : target.slice(queryAt + 1),
    rawHeaders: request.rawHeaders,
    headers: Object.fromEntries(headers),
    cookies,
    sourceIp,
    protocol: `HTTP/${request.httpVersion}`,
    body,
    requestId: options.requestId ?? newRequestId(),
    now,
  }
}

/** The query, decoded, repeats comma-joined (HTTP API) or as lists (REST's multi-value fields). */
const queryOf = (rawQuery: string) => {
  const joined: Record<string, string> = {}
  const last: Record<string, string> = {}
  const multi: Record<string, string[]> = {}
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    joined[name] = joined[name] === undefined ? value : `${joined[name]},${value}`
    last[name] = value
    ;(multi[name] ??= []).push(value)
  }
  return { joined, last, multi, empty: Object.keys(multi).length === 0 }
}

const domainOf = (received: ReceivedRequest) => {
  const domainName = (received.headers.host ?? '127.0.0.1').replace(/:\d+$/, '')
  return { domainName, domainPrefix: domainName.split('.')[0] ?? domainName }
}

/** The ARN of a route, as authorizer events and IAM policies name it: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`. */
export const executeApiArn = (stage: string, method: string, path: string): string =>
  `arn:aws:execute-api:${LOCAL_API.region}:${LOCAL_API.accountId}:${LOCAL_API.apiId}/${stage}/${method}/${path.replace(/^\//, '')}`

/** HTTP API's stage: the `$default` one. */
export const HTTP_STAGE = '$default'
/** The local REST API's stage. */
export const REST_STAGE = 'local'

/** `requestContext` of an HTTP API event, without `authorizer`. */
const httpRequestContext = (received: ReceivedRequest, route: RouteMatch): APIGatewayProxyEventV2['requestContext'] => ({
  accountId: LOCAL_API.accountId,
  apiId: LOCAL_API.apiId,
  ...domainOf(received),
  http: {
    method: received.method,
    path: received.rawPath,
    protocol: received.protocol,
    sourceIp: received.sourceIp,
    userAgent: received.headers['user-agent'] ?? '',
  },
  requestId: received.requestId,
  routeKey: route.routeKey,
  stage: HTTP_STAGE,
  time: requestTime(received.now),
  timeEpoch: received.now,
})

/**
 * The HTTP API (payload 2.0) event of a request, shaped like a capture: lower-cased headers with
 * repeats comma-joined; cookies moved from `cookie` to `cookies[]`; the query in
 * `rawQueryString` and, decoded with repeats comma-joined, in `queryStringParameters`; a text
 * body as it is, any other base64-encoded. `cookies`, `queryStringParameters`, `pathParameters`
 * and `body` are present only when there is something to put in them.
 */
export const httpApiEvent = (received: ReceivedRequest, route: RouteMatch): APIGatewayProxyEventV2 => {
  const query = queryOf(received.rawQuery)
  const textual = isTextual(received.headers['content-type'])
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: received.rawPath,
    rawQueryString: received.rawQuery,
    ...(received.cookies.length > 0 ? { cookies: [...received.cookies] } : {}),
    headers: { ...received.headers },
    ...(query.empty ? {} : { queryStringParameters: query.joined }),
    ...(route.pathParameters === undefined ? {} : { pathParameters: route.pathParameters }),
    requestContext: httpRequestContext(received, route),
    ...(received.body.length > 0 ? { body: received.body.toString(textual ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: received.body.length > 0 && !textual,
  }
}

/** The HTTP API Lambda authorizer's input (payload 2.0, REQUEST), for a route whose identity sources gave `identitySource`. */
export const httpApiAuthorizerEvent = (received: ReceivedRequest, route: RouteMatch, identitySource: string[]): APIGatewayRequestAuthorizerEventV2 => {
  const { version, routeKey, rawPath, rawQueryString, cookies, headers, queryStringParameters, pathParameters, requestContext } = httpApiEvent(received, route)
  return {
    version,
    type: 'REQUEST',
    routeArn: executeApiArn(HTTP_STAGE, received.method, received.rawPath),
    identitySource,
    routeKey,
    rawPath,
    rawQueryString,
    // Present only when the request has cookies, as in a capture (the type says always).
    ...((cookies === undefined ? {} : { cookies }) as { cookies: string[] }),
    headers: headers as Record<string, string>,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters: queryStringParameters as Record<string, string> }),
    requestContext,
    ...(pathParameters === undefined ? {} : { pathParameters: pathParameters as Record<string, string> }),
  }
}

/** REST's headers: names as the client wrote them (the first spelling), repeats in `multiValueHeaders`. */
const restHeaders = (received: ReceivedRequest) => {
  const spelling = new Map<string, string>()
  const multi: Record<string, string[]> = {}
  for (const [rawName, value] of pairs(received.rawHeaders)) {
    const name = rawName.toLowerCase()
    if (HOP_BY_HOP.includes(name)) continue
    const key = spelling.get(name) ?? rawName
    spelling.set(name, key)
    ;(multi[key] ??= []).push(value)
  }
  for (const name of ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Amzn-Trace-Id']) {
    multi[spelling.get(name.toLowerCase()) ?? name] = [received.headers[name.toLowerCase()] as string]
  }
  const single = Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values[values.length - 1] as string]))
  return { headers: single, multiValueHeaders: multi }
}

/** The caller fields of a REST `requestContext.identity`; an `AWS_IAM` route fills the IAM ones. */
export interface RestIdentityCaller {
  accountId: string
  caller: string
  accessKey: string
  userArn: string
  principalOrgId: string | null
}

const restRequestContext = (received: ReceivedRequest, route: RouteMatch, caller?: RestIdentityCaller): APIGatewayProxyEvent['requestContext'] =>
  ({
    resourceId: 'local1',
    resourcePath: route.resource,
    httpMethod: received.method,
    extendedRequestId: received.requestId,
    requestTime: requestTime(received.now),
    path: `/${REST_STAGE}${received.rawPath}`,
    accountId: LOCAL_API.accountId,
    protocol: received.protocol,
    stage: REST_STAGE,
    ...domainOf(received),
    requestTimeEpoch: received.now,
    requestId: randomUUID(),
    identity: {
      cognitoIdentityPoolId: null,
      accountId: caller?.accountId ?? null,
      cognitoIdentityId: null,
      caller: caller?.caller ?? null,
      sourceIp: received.sourceIp,
      principalOrgId: caller?.principalOrgId ?? null,
      accessKey: caller?.accessKey ?? null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: caller?.userArn ?? null,
      userAgent: received.headers['user-agent'] ?? null,
      user: caller?.caller ?? null,
      // API keys and client certificates are not part of a recorded identity without them.
    } as APIGatewayProxyEvent['requestContext']['identity'],
    apiId: LOCAL_API.apiId,
    deploymentId: 'local1',
    // No authorizer on the route: no `authorizer` key, as in a capture.
  }) as unknown as APIGatewayProxyEvent['requestContext']

/**
 * The REST API (payload 1.0) event of a request: headers as the client spelled them, every value
 * in `multiValueHeaders`; the query decoded, the last value of a repeat in
 * `queryStringParameters` and all of them in `multiValueQueryStringParameters`, `null` when there
 * is none, as `pathParameters`, `stageVariables` and `body` are.
 */
export const restApiEvent = (received: ReceivedRequest, route: RouteMatch, caller?: RestIdentityCaller): APIGatewayProxyEvent => {
  const query = queryOf(received.rawQuery)
  const textual = isTextual(received.headers['content-type'])
  return {
    resource: route.resource,
    path: received.rawPath,
    httpMethod: received.method,
    ...restHeaders(received),
    queryStringParameters: query.empty ? null : query.last,
    multiValueQueryStringParameters: query.empty ? null : query.multi,
    pathParameters: route.pathParameters ?? null,
    stageVariables: null,
    requestContext: restRequestContext(received, route, caller),
    body: received.body.length > 0 ? received.body.toString(textual ? 'utf8' : 'base64') : null,
    isBase64Encoded: received.body.length > 0 && !textual,
  }
}

/** The REST REQUEST authorizer's input: the method's ARN and the request, `{}` for what is absent. */
export const restRequestAuthorizerEvent = (received: ReceivedRequest, route: RouteMatch): APIGatewayRequestAuthorizerEvent => {
  const event = restApiEvent(received, route)
  return {
    type: 'REQUEST',
    methodArn: executeApiArn(REST_STAGE, received.method, received.rawPath),
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers as Record<string, string>,
    multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
    queryStringParameters: (event.queryStringParameters ?? {}) as Record<string, string>,
    multiValueQueryStringParameters: (event.multiValueQueryStringParameters ?? {}) as Record<string, string[]>,
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    stageVariables: {},
    requestContext: event.requestContext as APIGatewayRequestAuthorizerEvent['requestContext'],
  }
}

/** The REST TOKEN authorizer's input: the method's ARN and the one header's value. */
export const restTokenAuthorizerEvent = (received: ReceivedRequest, authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  methodArn: executeApiArn(REST_STAGE, received.method, received.rawPath),
  authorizationToken,
})
