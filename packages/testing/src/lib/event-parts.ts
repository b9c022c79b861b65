import { randomBytes, randomUUID } from 'node:crypto'

/** Header or query values by name, in order, each name once, all values kept. */
export type ValueList = Array<[name: string, values: string[]]>

/** A record of single or repeated values, as the builders' options take them. */
export type MultiRecord = Record<string, string | string[]>

export function toValueList(record: MultiRecord | undefined): ValueList {
  return Object.entries(record ?? {}).map(([name, value]) => [name, Array.isArray(value) ? [...value] : [value]])
}

/** Sets `name` (matched case-insensitively) to `values`, in place of an existing entry or at the end. */
export function setValues(list: ValueList, name: string, values: string[]): void {
  const at = list.findIndex(([existing]) => existing.toLowerCase() === name.toLowerCase())
  if (at === -1) list.push([name, values])
  else list[at] = [name, values]
}

/** Removes `name` (case-insensitively) and returns its values. */
export function takeValues(list: ValueList, name: string): string[] {
  const at = list.findIndex(([existing]) => existing.toLowerCase() === name.toLowerCase())
  if (at === -1) return []
  const [[, values] = ['', []]] = list.splice(at, 1)
  return values
}

export interface HeaderInput {
  /** The gateway's own headers, before the caller's. */
  defaults: Record<string, string>
  headers: MultiRecord | undefined
  bearer: string | undefined
  /** Lower-case every name (HTTP API, function URLs, ALB). */
  lowerCase: boolean
}

/**
 * The request's headers: defaults, then `Authorization: Bearer <bearer>`, then the caller's
 * headers, each replacing a same-named (case-insensitive) one before it.
 */
export function headerList({ defaults, headers, bearer, lowerCase }: HeaderInput): ValueList {
  const name = (n: string): string => (lowerCase ? n.toLowerCase() : n)
  const list: ValueList = Object.entries(defaults).map(([n, v]) => [name(n), [v]])
  if (bearer !== undefined) setValues(list, name('Authorization'), [`Bearer ${bearer}`])
  for (const [n, values] of toValueList(headers)) setValues(list, name(n), values)
  return list
}

/** `name=value` pairs of the `cookies` option. */
export function cookiePairs(cookies: Record<string, string> | undefined): string[] {
  return Object.entries(cookies ?? {}).map(([name, value]) => `${name}=${value}`)
}

/**
 * Payload 2.0: the gateway moves `Cookie` headers into the `cookies` array. Removes them from
 * the list and returns every cookie pair, the header's first.
 */
export function takeCookies(list: ValueList, cookies: Record<string, string> | undefined): string[] {
  const fromHeader = takeValues(list, 'cookie')
    .flatMap((value) => value.split(/;\s*/))
    .filter((pair) => pair !== '')
  return [...fromHeader, ...cookiePairs(cookies)]
}

/** Payload 1.0 and ALB: the `cookies` option joins the `Cookie` header. */
export function addCookieHeader(list: ValueList, cookies: Record<string, string> | undefined, name: string): void {
  const pairs = cookiePairs(cookies)
  if (pairs.length === 0) return
  const existing = takeValues(list, name)
  list.push([name, [[...existing, ...pairs].join('; ')]])
}

/** Each name once with its values joined by commas (payload 2.0). */
export function joined(list: ValueList): Record<string, string> {
  return Object.fromEntries(list.map(([name, values]) => [name, values.join(',')]))
}

/** Each name once with its last value (payload 1.0 `headers`, single-value ALB). */
export function lastValues(list: ValueList): Record<string, string> {
  return Object.fromEntries(list.map(([name, values]) => [name, values.at(-1) ?? '']))
}

/** Each name with every value (`multiValueHeaders`, `multiValueQueryStringParameters`). */
export function allValues(list: ValueList): Record<string, string[]> {
  return Object.fromEntries(list.map(([name, values]) => [name, [...values]]))
}

/** The query string as a client sends it, percent-encoded, without `?`. */
export function rawQueryString(list: ValueList): string {
  return list.flatMap(([name, values]) => values.map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)).join('&')
}

/** The list with names and values percent-encoded (ALB passes the query undecoded). */
export function encodedValues(list: ValueList): ValueList {
  return list.map(([name, values]) => [encodeURIComponent(name), values.map((value) => encodeURIComponent(value))])
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const pad = (n: number): string => String(n).padStart(2, '0')

/** `17/Jun/2024:15:00:26 +0000`, the gateway's `requestTime` / `time`. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs)
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

/** `Tue Jun 18 15:00:04 UTC 2024` (Java's `Date.toString()`), how REST Cognito authorizers render `exp` and `iat`. */
export function javaDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000)
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

/** `Root=1-<epoch hex>-<24 hex>`. */
export function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`
}

/** `n` random bytes in base64. */
export function randomBase64(n: number): string {
  return randomBytes(n).toString('base64')
}

/** A gateway request id like `ZhMpgigvDoEEPlg=` (HTTP API `requestId`, REST `extendedRequestId`, WebSocket ids). */
export function shortId(): string {
  return randomBytes(10).toString('base64')
}

export function uuid(): string {
  return randomUUID()
}

/** Byte length of a body, as `content-length` shows it. */
export function contentLength(body: string | undefined | null, isBase64Encoded: boolean): string {
  if (body === undefined || body === null) return '0'
  return String(isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body))
}
