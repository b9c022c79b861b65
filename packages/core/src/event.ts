/**
 * Readers of what a request carries, for every event kind Lambda gives an HTTP function:
 * API Gateway REST (1.0) and HTTP API (2.0), function URLs, ALB (single and multi-value
 * headers), WebSocket `$connect`, and the Lambda authorizer events (API Gateway's and AppSync's). They never throw on a
 * missing or `null` field: the console's test invocations send `headers: null`.
 */
import { asRecord } from './record.js'

/**
 * The event kinds the suite understands.
 *
 * @example
 * ```ts
 * if (eventKind(event) === 'authorizer-token') console.log('a REST TOKEN authorizer')
 * ```
 */
export type EventKind =
  | 'http-api'
  | 'function-url'
  | 'rest'
  | 'alb'
  | 'websocket'
  | 'authorizer-token'
  | 'authorizer-request'
  | 'authorizer-http-v2'
  | 'authorizer-appsync'
  | 'unknown'

/**
 * The loose shape every reader accepts: any Lambda event.
 *
 * @example
 * ```ts
 * const read = (event: AnyEvent) => getHeader(event, 'authorization')
 * ```
 */
export type AnyEvent = unknown

const isText = (value: unknown): value is string => typeof value === 'string'

/**
 * Which kind of event this is.
 *
 * @example
 * ```ts
 * eventKind({ version: '2.0', requestContext: { http: { method: 'GET' } } }) // 'http-api'
 * ```
 */
export function eventKind(event: AnyEvent): EventKind {
  const e = asRecord(event)
  if (!e) return 'unknown'
  const { type, version } = e
  const requestContext = asRecord(e.requestContext) ?? {}
  const withToken = authorizerWithToken(e)
  if (withToken) return withToken
  if (type === 'REQUEST') return version === '2.0' ? 'authorizer-http-v2' : 'authorizer-request'
  if (asRecord(requestContext.elb)) return 'alb'
  if (isText(requestContext.connectionId) || isText(requestContext.eventType)) return 'websocket'
  if (version === '2.0' && asRecord(requestContext.http)) {
    return isText(requestContext.domainName) && requestContext.domainName.includes('.lambda-url.') ? 'function-url' : 'http-api'
  }
  if (isText(e.httpMethod) || isText(requestContext.httpMethod)) return 'rest'
  return 'unknown'
}

/**
 * The kind of a Lambda authorizer event that carries a header's value in `authorizationToken`
 * (REST TOKEN, AppSync), as {@link eventKind} tells it; `undefined` for any other event. Token
 * sources ask only this, per request: a bundle without other readers of the kind leaves
 * {@link eventKind} out, and an HTTP event, which has no `authorizationToken`, is told apart at
 * the first field read.
 */
export function authorizerWithToken(event: AnyEvent): 'authorizer-token' | 'authorizer-appsync' | undefined {
  const e = asRecord(event)
  if (!isText(e?.authorizationToken)) return undefined
  if (e.type === 'TOKEN') return 'authorizer-token'
  // AppSync's Lambda authorizer event has no `type`: the GraphQL document in
  // `requestContext.queryString` and the API id tell it from every API Gateway event (a REQUEST
  // authorizer event is one, whatever else it holds).
  const requestContext = asRecord(e.requestContext)
  return e.type !== 'REQUEST' && isText(requestContext?.apiId) && isText(requestContext.queryString) ? 'authorizer-appsync' : undefined
}

/** The header maps, in the order they are read: `multiValueHeaders` first (see {@link getHeaderValues}). */
const headerMaps = ['multiValueHeaders', 'headers'] as const

/**
 * Every value of a header, matched case-insensitively. `multiValueHeaders` wins when it has the
 * header (REST and ALB put each occurrence there, while `headers` keeps only the last one).
 * HTTP API and function URLs join repeated headers with commas in one value.
 *
 * @example
 * ```ts
 * getHeaderValues(event, 'authorization') // ['Bearer eyJ…']
 * ```
 */
export function getHeaderValues(event: AnyEvent, name: string): string[] {
  const lowerName = name.toLowerCase()
  const values: string[] = []
  for (const map of headerMaps) {
    const entries = asRecord(asRecord(event)?.[map])
    if (!entries) continue
    for (const key of Object.keys(entries)) {
      // The length first: most headers are ruled out without lower-casing them.
      if (key.length !== lowerName.length || key.toLowerCase() !== lowerName) continue
      const value = entries[key]
      if (isText(value)) values.push(value)
      else if (Array.isArray(value)) for (const item of value) if (isText(item)) values.push(item)
    }
    // A map that had a value of the header is the one read.
    if (values.length > 0) break
  }
  return values
}

/**
 * A header's value, or `undefined`. Repeated headers are joined with `", "` (RFC 9110 §5.3),
 * so a caller that expects one value can see that there were several.
 *
 * @example
 * ```ts
 * getHeader(event, 'Authorization') // 'Bearer eyJ…'
 * ```
 */
export function getHeader(event: AnyEvent, name: string): string | undefined {
  const values = getHeaderValues(event, name)
  return values.length === 0 ? undefined : values.join(', ')
}

/**
 * Every value of a cookie, from `cookies[]` (HTTP API, function URLs) and every `Cookie`
 * header. More than one value means the client sent the name more than once.
 *
 * @example
 * ```ts
 * getCookieValues(event, 'session') // ['eyJ…']
 * ```
 */
export function getCookieValues(event: AnyEvent, name: string): string[] {
  const cookies = asRecord(event)?.cookies
  const values: string[] = []
  for (const list of [...(Array.isArray(cookies) ? cookies.filter(isText) : []), ...getHeaderValues(event, 'cookie')]) {
    for (const pair of list.split(';')) {
      const eq = pair.indexOf('=')
      if (eq !== -1 && pair.slice(0, eq).trim() === name) values.push(unquote(pair.slice(eq + 1).trim()))
    }
  }
  return values
}

const unquote = (value: string): string => (value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value)

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

/**
 * Every value of a query-string parameter. HTTP API and function URLs are read from
 * `rawQueryString` (their `queryStringParameters` joins repeats with commas); REST and ALB from
 * `multiValueQueryStringParameters` when present. ALB passes values still percent-encoded, so
 * they are decoded here.
 *
 * @example
 * ```ts
 * getQueryValues(event, 'access_token') // ['eyJ…']
 * ```
 */
export function getQueryValues(event: AnyEvent, name: string): string[] {
  const e = asRecord(event) ?? {}
  if (isText(e.rawQueryString)) return new URLSearchParams(e.rawQueryString).getAll(name)
  const fromMulti = asRecord(e.multiValueQueryStringParameters)?.[name]
  const values = Array.isArray(fromMulti) ? fromMulti : [asRecord(e.queryStringParameters)?.[name]]
  return values.filter(isText).map(eventKind(event) === 'alb' ? decode : (value) => value)
}
