import type { AnyEvent } from '@middy-auth/core'
import { asRecord, asText } from '@middy-auth/core/internal'

/** The method and URL of a request as its client sent them: DPoP's `htm` and `htu`. */
export interface RequestTarget {
  method: string
  /** Scheme, host and path; no query, no fragment. */
  url: string
}

/**
 * The path the function's router sees: `rawPath` without a named stage on HTTP API (the
 * `$default` stage adds none), `path` on REST and ALB.
 */
function routePath(event: Record<string, unknown>, requestContext: Record<string, unknown> | undefined): string | undefined {
  const rawPath = asText(event.rawPath)
  if (rawPath !== undefined) {
    const stage = asText(requestContext?.stage)
    if (stage && stage !== '$default' && (rawPath === `/${stage}` || rawPath.startsWith(`/${stage}/`))) {
      return rawPath.slice(stage.length + 1) || '/'
    }
    return rawPath
  }
  return asText(event.path)
}

/**
 * The path under the host the client called: on API Gateway, the domain's path (`/prod/orders`
 * on the `execute-api` domain, `/v1/orders` under a custom domain's base path mapping, as
 * `requestContext.path` and `rawPath` carry it); on ALB and function URLs the request's path.
 */
const clientPath = (event: Record<string, unknown>, requestContext: Record<string, unknown> | undefined): string | undefined =>
  asText(event.rawPath) ?? asText(requestContext?.path) ?? asText(event.path)

const methodOf = (event: Record<string, unknown>, requestContext: Record<string, unknown> | undefined): string | undefined =>
  asText(asRecord(requestContext?.http)?.method) ?? asText(event.httpMethod) ?? asText(requestContext?.httpMethod)

/**
 * Rebuilds the request's method and URL from the event, the way the client saw them.
 *
 * - With `publicBaseUrl` (`https://api.example.com/v1`): that URL followed by the path the
 *   function routes on (`event.path` on REST and ALB; `rawPath` without a named stage on HTTP
 *   API and function URLs). For APIs behind CloudFront or any proxy that changes the host.
 * - Otherwise API Gateway (REST, HTTP API, authorizer events) and function URLs give
 *   `https://<requestContext.domainName><path>`, the custom domain and its base path or the
 *   stage included as the client sent them. ALB has no domain name, only the client's own
 *   `Host` header, which a listener forwards whatever it says: an ALB event needs
 *   `publicBaseUrl`, or a proof made for another server (`Host: other-api.example`) would match.
 *
 * `undefined` when the event does not say (a TOKEN authorizer event, an ALB event without
 * `publicBaseUrl`, an unknown shape): the proof is then refused.
 */
export function requestTarget(event: AnyEvent, publicBaseUrl: string | undefined): RequestTarget | undefined {
  const e = asRecord(event)
  if (!e) return undefined
  const requestContext = asRecord(e.requestContext)
  const method = methodOf(e, requestContext)
  if (!method) return undefined
  if (publicBaseUrl !== undefined) {
    const path = routePath(e, requestContext)
    return path === undefined ? undefined : { method: method.toUpperCase(), url: joinUrl(publicBaseUrl, path) }
  }
  const path = clientPath(e, requestContext)
  if (path === undefined) return undefined
  // ALB (eventKind's test, without its other checks: this runs per request): only the client's
  // Host header would tell, and the client chooses it.
  if (asRecord(requestContext?.elb)) return undefined
  const domainName = asText(requestContext?.domainName)
  if (!domainName) return undefined
  return { method: method.toUpperCase(), url: `https://${domainName}${path}` }
}

const joinUrl = (base: string, path: string): string => `${base.endsWith('/') ? base.slice(0, -1) : base}${path.startsWith('/') ? path : `/${path}`}`

/**
 * A URL in the form compared with `htu` (RFC 9449 §4.3: no query or fragment; syntax- and
 * scheme-based normalization: case of scheme and host, default port, empty path, dot segments).
 * `undefined` when it is not an absolute http(s) URL.
 */
export function normalizeHtu(url: string): string | undefined {
  const known = normalized.get(url)
  if (known !== undefined) return known ?? undefined
  let result: string | null = null
  try {
    const parsed = new URL(url)
    const isHttp = parsed.protocol === 'https:' || parsed.protocol === 'http:'
    if (isHttp && parsed.username === '' && parsed.password === '') result = `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    // Not a URL: null, refused.
  }
  if (normalized.size >= MAX_NORMALIZED) normalized.delete(normalized.keys().next().value as string)
  normalized.set(url, result)
  return result ?? undefined
}

/** URLs already normalized: an API has few, and parsing one costs more than the rest of the htu check. */
const normalized = new Map<string, string | null>()
const MAX_NORMALIZED = 1000
