/**
 * Responses with several `Set-Cookie` values, written the way each event kind's integration
 * reads them: `cookies[]` for HTTP API payload 2.0 and function URLs, `multiValueHeaders` for
 * REST (payload 1.0) and ALB. ALB reads `multiValueHeaders` only when the target group has
 * multi-value headers on (its events then carry `multiValueHeaders`), and then reads nothing
 * from `headers`: every header moves there. A single-value ALB target can take one cookie.
 */
import { eventKind, type AuthError } from '@middy-auth/core'
import { isRecord } from '@middy-auth/core/internal'
import { packageName } from './errors.js'

/**
 * The HTTP response a Lambda function returns to API Gateway, a function URL or ALB.
 *
 * @example
 * ```ts
 * const response: HttpResponse = { statusCode: 302, headers: { Location: '/' }, cookies: ['a=1; Secure'] }
 * ```
 */
export interface HttpResponse {
  statusCode: number
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  cookies?: string[]
  body?: string
  isBase64Encoded?: boolean
}

const usesCookiesArray = (event: unknown): boolean => {
  const kind = eventKind(event)
  if (kind === 'http-api' || kind === 'function-url') return true
  if (kind === 'rest' || kind === 'alb') return false
  return isRecord(event) && event.version === '2.0'
}

/**
 * A payload 2.0 result without `statusCode` is, for API Gateway, a 200 whose JSON body is the
 * result (a string is the body as it is): made explicit here so that cookies can be added.
 */
const asHttpResponse = (result: unknown): Record<string, unknown> | undefined => {
  if (isRecord(result) && 'statusCode' in result) return result
  if (typeof result === 'string') return { statusCode: 200, body: result }
  if (isRecord(result) || Array.isArray(result)) return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(result) }
  return undefined
}

/** Adds `Set-Cookie` values to a response (a copy), in the form the event's integration reads. */
export const withCookies = <R>(event: unknown, result: R, setCookies: readonly string[]): R => {
  if (setCookies.length === 0) return result
  const response = usesCookiesArray(event) ? asHttpResponse(result) : isRecord(result) ? result : undefined
  if (!response) return result
  const out: Record<string, unknown> = { ...response }
  if (usesCookiesArray(event)) {
    out.cookies = [...(Array.isArray(response.cookies) ? (response.cookies as unknown[]) : []), ...setCookies]
    return out as R
  }
  const kind = eventKind(event)
  if (kind === 'alb' && !isRecord((event as Record<string, unknown>).multiValueHeaders)) {
    // A single-value ALB target reads `headers` only, where one Set-Cookie fits and two do not.
    if (setCookies.length > 1) throw new Error(`${packageName}: ALB needs multi-value headers enabled on the target group to set several cookies`)
    out.headers = { ...(isRecord(response.headers) ? response.headers : {}), 'Set-Cookie': setCookies[0] }
    return out as R
  }
  const multi: Record<string, string[]> = {}
  if (isRecord(response.multiValueHeaders)) {
    for (const [name, values] of Object.entries(response.multiValueHeaders)) if (Array.isArray(values)) multi[name] = values.map(String)
  }
  if (kind === 'alb' && isRecord(response.headers)) {
    for (const [name, value] of Object.entries(response.headers)) multi[name] = [...(multi[name] ?? []), String(value)]
    delete out.headers
  }
  const existing = Object.keys(multi).find((name) => name.toLowerCase() === 'set-cookie') ?? 'Set-Cookie'
  multi[existing] = [...(multi[existing] ?? []), ...setCookies]
  out.multiValueHeaders = multi
  return out as R
}

/** A redirect that no cache keeps. */
export const redirect = (location: string): HttpResponse => ({
  statusCode: 302,
  headers: { Location: location, 'Cache-Control': 'no-store' },
  body: '',
})

/** A JSON response that no cache keeps. */
export const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  body: JSON.stringify(body),
})

/** An `AuthError` as `@middy/http-error-handler` renders it: its status, headers and JSON body. */
export const authErrorResponse = (error: AuthError): HttpResponse => jsonResponse(error.statusCode, JSON.parse(error.message), error.headers)
