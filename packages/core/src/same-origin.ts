/**
 * Cross-site request forgery: a browser sends a site's cookies with any request to it, including
 * a form another site submits. A request that carries its credential in a cookie and may change
 * something (any method but GET, HEAD and OPTIONS) is accepted only from the site itself, told by
 * the browser's `Sec-Fetch-Site` or, from browsers that do not send it, by `Origin` (the approach
 * of Go's `net/http.CrossOriginProtection`). One check for every cookie credential of the suite:
 * oauth-login's sessions and jwt-verify's cookie token source. (The 403 it becomes is
 * ./cross-site-denial.ts's, which reads no request.)
 */
import { getHeader } from './event.js'
import { asRecord, asText } from './record.js'

/** Methods that change nothing; everything else (POST, PUT, DELETE, PURGE, …) is checked. */
const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The method the client used, from any event kind (not the route's: an `ANY /{proxy+}` route
 * key says nothing about it).
 */
function requestMethod(event: unknown): string | undefined {
  const e = asRecord(event)
  const requestContext = asRecord(e?.requestContext)
  return (asText(asRecord(requestContext?.http)?.method) ?? asText(e?.httpMethod) ?? asText(requestContext?.httpMethod))?.toUpperCase()
}

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value)
    return url.origin === 'null' ? undefined : url.origin
  } catch {
    return undefined
  }
}

/**
 * Why a request that carries a cookie credential must be refused as cross-site, or `undefined`
 * when it may go on. Safe methods go on (unless `everyMethod`, for routes that act on GET, such
 * as a sign-out). Then: `Sec-Fetch-Site: same-origin` or `none` (typed by the user) goes on; an
 * `Origin` in `allowedOrigins` goes on; without `Sec-Fetch-Site`, an `Origin` whose host is the
 * request's `Host` goes on, and so does a request with no `Origin` at all (not a browser: no
 * ambient cookie to abuse). Anything else is refused: `same-site` too (a sibling subdomain is
 * another site's code), and `Origin: null`.
 *
 * @example
 * ```ts
 * const refused = crossSiteRequest(event, new Set(['https://app.example.com']))
 * if (refused) throw new AuthError('access_denied', { package: 'my-package', data: refused })
 * ```
 */
export function crossSiteRequest(
  event: unknown,
  allowedOrigins: ReadonlySet<string>,
  { everyMethod = false }: { everyMethod?: boolean } = {},
): { reason: 'cross_site_request' | 'foreign_origin'; seen: string } | undefined {
  const method = requestMethod(event)
  if (!everyMethod && method !== undefined && safeMethods.has(method)) return undefined
  const origin = getHeader(event, 'origin')
  const parsedOrigin = origin === undefined ? undefined : originOf(origin)
  if (parsedOrigin !== undefined && allowedOrigins.has(parsedOrigin)) return undefined
  const fetchSite = getHeader(event, 'sec-fetch-site')?.toLowerCase()
  if (fetchSite !== undefined) return fetchSite === 'same-origin' || fetchSite === 'none' ? undefined : { reason: 'cross_site_request', seen: fetchSite }
  if (origin === undefined) return undefined
  const host = getHeader(event, 'host')
  if (parsedOrigin !== undefined && host !== undefined && new URL(parsedOrigin).host === host.toLowerCase()) return undefined
  return { reason: 'foreign_origin', seen: parsedOrigin ?? 'unparsable' }
}
