/**
 * Cross-site request forgery: a browser sends the session cookie with any request to this
 * site, including a form another site submits. Unsafe methods from a cookie session are
 * accepted only from this site, told by the browser's `Sec-Fetch-Site` or, from browsers that
 * do not send it, by `Origin` (the approach of Go's `net/http.CrossOriginProtection`).
 */
import { AuthError, asRecord, asText, getHeader } from '@middy-auth/core'
import { packageName } from './errors.js'

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The method the client used, from any event kind (not the route's: an `ANY /{proxy+}` route
 * key says nothing about it).
 */
const requestMethod = (event: unknown): string | undefined => {
  const e = asRecord(event)
  const requestContext = asRecord(e?.requestContext)
  return (asText(asRecord(requestContext?.http)?.method) ?? asText(e?.httpMethod) ?? asText(requestContext?.httpMethod))?.toUpperCase()
}

const originOf = (value: string): string | undefined => {
  try {
    const url = new URL(value)
    return url.origin === 'null' ? undefined : url.origin
  } catch {
    return undefined
  }
}

/**
 * Throws 403 `access_denied` for an unsafe request (POST, PUT, PATCH, DELETE) that a browser
 * says comes from another site. Allowed: `Sec-Fetch-Site: same-origin` or `none` (typed by the
 * user); an `Origin` in `allowedOrigins`; without `Sec-Fetch-Site`, an `Origin` whose host is
 * the request's `Host`, or no `Origin` at all (not a browser: no ambient cookie to abuse).
 */
export const checkSameOrigin = (event: unknown, allowedOrigins: ReadonlySet<string>): void => {
  const method = requestMethod(event)
  if (method !== undefined && !unsafeMethods.has(method)) return
  const origin = getHeader(event, 'origin')
  const parsedOrigin = origin === undefined ? undefined : originOf(origin)
  if (parsedOrigin !== undefined && allowedOrigins.has(parsedOrigin)) return
  const fetchSite = getHeader(event, 'sec-fetch-site')?.toLowerCase()
  if (fetchSite !== undefined) {
    if (fetchSite === 'same-origin' || fetchSite === 'none') return
    throw denied('cross_site_request', fetchSite)
  }
  if (origin === undefined) return
  const host = getHeader(event, 'host')
  if (parsedOrigin !== undefined && host !== undefined && new URL(parsedOrigin).host === host.toLowerCase()) return
  throw denied('foreign_origin', parsedOrigin ?? 'unparsable')
}

const denied = (reason: string, seen: string): AuthError =>
  new AuthError('access_denied', {
    package: packageName,
    description: 'Cross-site request refused',
    data: { reason, seen },
  })
