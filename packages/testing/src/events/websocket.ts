import {
  addCookieHeader,
  allValues,
  headerList,
  lastValues,
  randomBase64,
  requestTime,
  shortId,
  toValueList,
  traceId,
  type ValueList,
} from '../lib/event-parts.js'
import { basics, executeApiArn, executeApiHost, lambdaAuthorizer, WEBSOCKET_API_ID } from './common.js'
import type { EventOptions, LambdaAuthorizerOption } from './options.js'

// WebSocket APIs: the $connect event and its REQUEST authorizer.

/**
 * Options of {@link websocketConnectEvent}. `method`, `path` and `body` do not apply to `$connect`.
 *
 * @example
 * ```ts
 * const options: WebSocketConnectEventOptions = { query: { token }, authorizer: { principalId: 'alice' } }
 * ```
 */
export interface WebSocketConnectEventOptions extends Omit<EventOptions, 'method' | 'path' | 'body' | 'isBase64Encoded'> {
  /** The connection id. Default: random. */
  connectionId?: string
  /** `requestContext.authorizer` when a Lambda authorizer allowed the connection. Default: absent. */
  authorizer?: LambdaAuthorizerOption
}

/**
 * A WebSocket `$connect` event (`@types/aws-lambda` has no type for it).
 *
 * @example
 * ```ts
 * const event: WebSocketConnectEvent = websocketConnectEvent({ query: { token } })
 * event.queryStringParameters?.token // token
 * ```
 */
export interface WebSocketConnectEvent {
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  queryStringParameters?: Record<string, string>
  multiValueQueryStringParameters?: Record<string, string[]>
  requestContext: WebSocketRequestContext & { authorizer?: Record<string, string | number | null> }
  isBase64Encoded: boolean
}

/**
 * The `requestContext` of WebSocket `$connect` events and of their authorizers.
 *
 * @example
 * ```ts
 * const context: WebSocketRequestContext = websocketAuthorizerEvent().requestContext
 * context.eventType // 'CONNECT'
 * ```
 */
export interface WebSocketRequestContext {
  routeKey: '$connect'
  eventType: 'CONNECT'
  extendedRequestId: string
  requestTime: string
  messageDirection: 'IN'
  stage: string
  connectedAt: number
  requestTimeEpoch: number
  identity: { sourceIp: string }
  requestId: string
  domainName: string
  connectionId: string
  apiId: string
}

/**
 * Options of {@link websocketAuthorizerEvent}.
 *
 * @example
 * ```ts
 * const options: WebSocketAuthorizerEventOptions = { query: { token: jwt } }
 * ```
 */
export interface WebSocketAuthorizerEventOptions extends Omit<WebSocketConnectEventOptions, 'authorizer'> {
  /** Default: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`. */
  methodArn?: string
}

/**
 * The WebSocket REQUEST authorizer event (`$connect`; `@types/aws-lambda` has no type for it).
 *
 * @example
 * ```ts
 * const event: WebSocketAuthorizerEvent = websocketAuthorizerEvent({ query: { token: jwt } })
 * event.methodArn // 'arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect'
 * ```
 */
export interface WebSocketAuthorizerEvent {
  type: 'REQUEST'
  methodArn: string
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  queryStringParameters: Record<string, string>
  multiValueQueryStringParameters: Record<string, string[]>
  stageVariables: Record<string, string>
  requestContext: WebSocketRequestContext
  isBase64Encoded: boolean
  body: null
}

function websocketParts(options: WebSocketConnectEventOptions): { headers: ValueList; query: ValueList; requestContext: WebSocketRequestContext } {
  const b = basics(options)
  const apiId = options.apiId ?? WEBSOCKET_API_ID
  const host = executeApiHost(apiId, b.region)
  const headers = headerList({
    defaults: {
      Host: host,
      'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
      'Sec-WebSocket-Key': randomBase64(16),
      'Sec-WebSocket-Version': '13',
      'User-Agent': b.userAgent,
      'X-Amzn-Trace-Id': traceId(b.epochMs),
      'X-Forwarded-For': b.sourceIp,
      'X-Forwarded-Port': '443',
      'X-Forwarded-Proto': 'https',
    },
    headers: options.headers,
    bearer: options.bearer,
    lowerCase: false,
  })
  addCookieHeader(headers, options.cookies, 'Cookie')
  const requestId = shortId()
  return {
    headers,
    query: toValueList(options.query),
    requestContext: {
      routeKey: '$connect',
      eventType: 'CONNECT',
      extendedRequestId: requestId,
      requestTime: requestTime(b.epochMs),
      messageDirection: 'IN',
      stage: options.stage ?? 'prod',
      connectedAt: b.epochMs,
      requestTimeEpoch: b.epochMs,
      identity: { sourceIp: b.sourceIp },
      requestId,
      domainName: host,
      connectionId: options.connectionId ?? shortId(),
      apiId,
    },
  }
}

/**
 * A WebSocket API `$connect` event, shaped like a real capture. Headers keep their case, in
 * `headers` and `multiValueHeaders`; cookies join the `Cookie` header; the query (the usual way
 * to pass a token from a browser) fills `queryStringParameters` and
 * `multiValueQueryStringParameters`, which are absent when there is none.
 *
 * @param options - see {@link WebSocketConnectEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { websocketConnectEvent } from '@middy-auth/testing'
 *
 * const event = websocketConnectEvent({ query: { token } })
 * event.queryStringParameters?.token // token
 * const authorized = websocketConnectEvent({ authorizer: { principalId: 'alice', tenant: 'acme' } })
 * ```
 */
export function websocketConnectEvent(options: WebSocketConnectEventOptions = {}): WebSocketConnectEvent {
  const { headers, query, requestContext } = websocketParts(options)
  const event: Record<string, unknown> = { headers: lastValues(headers), multiValueHeaders: allValues(headers) }
  if (query.length > 0) {
    event.queryStringParameters = lastValues(query)
    event.multiValueQueryStringParameters = allValues(query)
  }
  const { routeKey, ...rest } = requestContext
  const context: Record<string, unknown> = { routeKey }
  if (options.authorizer !== undefined) context.authorizer = lambdaAuthorizer(options.authorizer)
  event.requestContext = { ...context, ...rest, ...options.requestContext }
  event.isBase64Encoded = false
  return event as unknown as WebSocketConnectEvent
}

/**
 * A WebSocket API REQUEST authorizer event (on `$connect`), shaped like the AWS docs' sample:
 * `methodArn` ends with `/$connect`; headers, query and stage variables are always present
 * (`{}` when empty); `body` is `null`.
 *
 * @param options - see {@link WebSocketAuthorizerEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { websocketAuthorizerEvent } from '@middy-auth/testing'
 *
 * const event = websocketAuthorizerEvent({ query: { token } })
 * event.methodArn // 'arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect'
 * ```
 */
export function websocketAuthorizerEvent(options: WebSocketAuthorizerEventOptions = {}): WebSocketAuthorizerEvent {
  const b = basics(options)
  const { headers, query, requestContext } = websocketParts(options)
  return {
    type: 'REQUEST',
    methodArn: options.methodArn ?? executeApiArn(b, requestContext.apiId, `${requestContext.stage}/$connect`),
    headers: lastValues(headers),
    multiValueHeaders: allValues(headers),
    queryStringParameters: lastValues(query),
    multiValueQueryStringParameters: allValues(query),
    stageVariables: {},
    requestContext: { ...requestContext, ...options.requestContext },
    isBase64Encoded: false,
    body: null,
  }
}

/**
 * Options of {@link websocketMessageEvent}. Headers, cookies and the query do not apply: a
 * message carries none (they were the `$connect` request's).
 *
 * @example
 * ```ts
 * const options: WebSocketMessageEventOptions = { routeKey: 'sendMessage', body: '{"action":"sendMessage"}' }
 * ```
 */
export interface WebSocketMessageEventOptions extends Pick<EventOptions, 'sourceIp' | 'region' | 'apiId' | 'stage' | 'requestContext' | 'isBase64Encoded'> {
  /** The route the message was routed to. Default `'$default'`. */
  routeKey?: string
  /** The message. Default `'{}'`. */
  body?: string
  /** The connection id. Default: random. */
  connectionId?: string
  /**
   * `requestContext.authorizer`: what the `$connect` authorizer answered, which API Gateway gives
   * every message of the connection (context values as strings). Default: absent.
   */
  authorizer?: LambdaAuthorizerOption
}

/**
 * A WebSocket API message event (a route other than `$connect` and `$disconnect`; `@types/aws-lambda`
 * has no type for it).
 *
 * @example
 * ```ts
 * const event: WebSocketMessageEvent = websocketMessageEvent({ routeKey: 'sendMessage' })
 * event.requestContext.eventType // 'MESSAGE'
 * ```
 */
export interface WebSocketMessageEvent {
  requestContext: Omit<WebSocketRequestContext, 'routeKey' | 'eventType'> & {
    routeKey: string
    eventType: 'MESSAGE'
    messageId: string
    authorizer?: Record<string, string | number | null>
  }
  body: string
  isBase64Encoded: boolean
}

/**
 * A WebSocket API message event, shaped like the `$connect` capture with `eventType: 'MESSAGE'`,
 * a `messageId` and the message in `body`. With `authorizer`, `requestContext.authorizer` holds
 * what the `$connect` authorizer allowed the connection with, as on every message route.
 *
 * @param options - see {@link WebSocketMessageEventOptions}.
 *
 * @example
 * ```ts
 * import { websocketMessageEvent } from '@middy-auth/testing'
 *
 * const event = websocketMessageEvent({ routeKey: 'sendMessage', authorizer: { principalId: 'alice', roles: '["editor"]' } })
 * event.requestContext.authorizer?.principalId // 'alice'
 * ```
 */
export function websocketMessageEvent(options: WebSocketMessageEventOptions = {}): WebSocketMessageEvent {
  const { requestContext } = websocketParts({ ...options })
  // Every field of the connection but those of `$connect` itself.
  const { routeKey: _routeKey, eventType: _eventType, ...rest } = requestContext
  const context: Record<string, unknown> = { routeKey: options.routeKey ?? '$default', messageId: shortId(), eventType: 'MESSAGE', ...rest }
  if (options.authorizer !== undefined) context.authorizer = lambdaAuthorizer(options.authorizer)
  return {
    requestContext: { ...context, ...options.requestContext } as WebSocketMessageEvent['requestContext'],
    body: options.body ?? '{}',
    isBase64Encoded: options.isBase64Encoded ?? false,
  }
}
