import { checkOptionNames, configErrors, isListOf, isRecord } from '@middy-auth/core/internal'
import { packageName } from './package-name.js'

/**
 * The protected resource metadata document (RFC 9728 §2), in camelCase. Only `resource` and
 * `authorizationServers` are required here; the rest is left out of the document when unset.
 *
 * @example
 * ```ts
 * const options: ProtectedResourceMetadataOptions = {
 *   resource: 'https://api.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 *   scopesSupported: ['tools:read', 'tools:call'],
 * }
 * ```
 */
export interface ProtectedResourceMetadataOptions {
  /**
   * This API's resource identifier: the `https` URL clients call (no fragment). Clients compare
   * it with the URL they requested (RFC 9728 §3.3); use it as the tokens' audience (RFC 8707).
   */
  resource: string
  /** Issuer identifiers of the authorization servers whose tokens this API accepts (`authorization_servers`). */
  authorizationServers: readonly string[]
  /** The scopes this API checks (`scopes_supported`). Recommended. */
  scopesSupported?: readonly string[]
  /** How a token may be sent (`bearer_methods_supported`): `'header'`, `'body'`, `'query'`. Default: left out. */
  bearerMethodsSupported?: ReadonlyArray<'header' | 'body' | 'query'>
  /** A human-readable name (`resource_name`). */
  resourceName?: string
  /** A page about this API for developers (`resource_documentation`). */
  resourceDocumentation?: string
  /** JWS algorithms DPoP proofs may use (`dpop_signing_alg_values_supported`). */
  dpopSigningAlgValuesSupported?: readonly string[]
  /** Whether only DPoP-bound tokens are accepted (`dpop_bound_access_tokens_required`). */
  dpopBoundAccessTokensRequired?: boolean
  /** Whether mTLS-bound tokens are supported (`tls_client_certificate_bound_access_tokens`). */
  tlsClientCertificateBoundAccessTokens?: boolean
  /** `Cache-Control: public, max-age=<seconds>` of the answer. Default 3600. */
  maxAge?: number
}

/**
 * The Lambda response of the metadata handler, for every HTTP event kind (API Gateway, function
 * URLs, ALB).
 *
 * @example
 * ```ts
 * const response: MetadataResponse = { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' }
 * ```
 */
export interface MetadataResponse {
  statusCode: number
  headers: Record<string, string>
  body: string
}

/** The `TypeError` of configuration that can never work, thrown at cold start. */
const fail = configErrors(packageName, 'protectedResourceMetadata')

/** RFC 9728 §2 and §3: identifiers are `https` URLs without a fragment; `http` is for loopback tests. */
function httpsUrl(value: unknown, name: string): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  const loopback = url?.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (!url || (url.protocol !== 'https:' && !loopback) || (value as string).includes('#')) {
    throw fail(name, `must be an absolute https URL without a fragment (http only on loopback), got ${JSON.stringify(value)}`)
  }
  return value as string
}

function nonEmptyStrings(value: unknown, name: string): string[] {
  if (!isListOf(value, (item) => typeof item === 'string' && item !== '') || value.length === 0) {
    throw fail(name, `must be a non-empty list of non-empty strings`)
  }
  return value as string[]
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw fail(name, `must be a boolean`)
  return value
}

const bearerMethods = new Set(['header', 'body', 'query'])
const knownOptions = [
  'resource',
  'authorizationServers',
  'scopesSupported',
  'bearerMethodsSupported',
  'resourceName',
  'resourceDocumentation',
  'dpopSigningAlgValuesSupported',
  'dpopBoundAccessTokensRequired',
  'tlsClientCertificateBoundAccessTokens',
  'maxAge',
]

/** Checks the options and builds the JSON document once, at cold start. */
function compileDocument(options: ProtectedResourceMetadataOptions): Record<string, unknown> {
  checkOptionNames(options, knownOptions, fail)
  const document: Record<string, unknown> = {
    resource: httpsUrl(options.resource, 'resource'),
    authorization_servers: nonEmptyStrings(options.authorizationServers, 'authorizationServers').map((server, index) =>
      httpsUrl(server, `authorizationServers[${index}]`),
    ),
  }
  if (options.scopesSupported !== undefined) {
    const scopes = options.scopesSupported
    // An empty list is allowed: an API may check no scope.
    if (!isListOf(scopes, (scope) => typeof scope === 'string' && scope !== '' && !scope.includes(' '))) {
      throw fail('scopesSupported', `must be a list of scope names without spaces`)
    }
    document.scopes_supported = [...(scopes as string[])]
  }
  if (options.bearerMethodsSupported !== undefined) {
    const methods = options.bearerMethodsSupported as unknown
    if (!isListOf(methods, (method) => bearerMethods.has(method as string))) {
      throw fail('bearerMethodsSupported', `must list 'header', 'body' or 'query'`)
    }
    document.bearer_methods_supported = [...(methods as string[])]
  }
  if (options.resourceName !== undefined) {
    if (typeof options.resourceName !== 'string' || options.resourceName === '') throw fail('resourceName', `must be a non-empty string`)
    document.resource_name = options.resourceName
  }
  if (options.resourceDocumentation !== undefined) document.resource_documentation = httpsUrl(options.resourceDocumentation, 'resourceDocumentation')
  if (options.dpopSigningAlgValuesSupported !== undefined) {
    document.dpop_signing_alg_values_supported = nonEmptyStrings(options.dpopSigningAlgValuesSupported, 'dpopSigningAlgValuesSupported')
  }
  const dpopRequired = optionalBoolean(options.dpopBoundAccessTokensRequired, 'dpopBoundAccessTokensRequired')
  if (dpopRequired !== undefined) document.dpop_bound_access_tokens_required = dpopRequired
  const mtls = optionalBoolean(options.tlsClientCertificateBoundAccessTokens, 'tlsClientCertificateBoundAccessTokens')
  if (mtls !== undefined) document.tls_client_certificate_bound_access_tokens = mtls
  return document
}

/**
 * The Lambda handler of `GET /.well-known/oauth-protected-resource` (RFC 9728): answers the
 * metadata document as `application/json`, cacheable (`Cache-Control: public, max-age=3600`),
 * to `GET` and `HEAD`; any other method is 405. Takes any HTTP event kind; use it on its own
 * route, without `jwtVerify` (clients fetch it before they hold a token). Options are checked
 * at cold start (`TypeError`).
 *
 * Point `jwtVerify`'s and `oauthScope`'s `resourceMetadata` at the URL it is served from (see
 * {@link resourceMetadataUrl}), so every `401`/`403` tells clients where to look.
 *
 * @example
 * ```ts
 * import { protectedResourceMetadata } from '@middy-auth/jwt-verify'
 *
 * export const handler = protectedResourceMetadata({
 *   resource: 'https://api.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 *   scopesSupported: ['tools:read', 'tools:call'],
 *   bearerMethodsSupported: ['header'],
 *   resourceName: 'Example MCP server',
 * })
 * ```
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): (event: unknown) => Promise<MetadataResponse> {
  const body = JSON.stringify(compileDocument(options))
  const maxAge = options.maxAge ?? 3600
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0) throw fail('maxAge', `must be a non-negative whole number of seconds`)
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${maxAge}` }

  // async: whatever throws becomes a rejected promise, as from any Lambda handler.
  // eslint-disable-next-line @typescript-eslint/require-await
  return async (event: unknown): Promise<MetadataResponse> => {
    const method = requestMethod(event)
    if (method === 'GET' || method === 'HEAD' || method === undefined) return { statusCode: 200, headers: { ...headers }, body: method === 'HEAD' ? '' : body }
    return { statusCode: 405, headers: { Allow: 'GET, HEAD' }, body: '' }
  }
}

/** The HTTP method as sent: `requestContext.http.method` (payload 2.0, function URLs) or `httpMethod` (REST, ALB). */
function requestMethod(event: unknown): string | undefined {
  if (!isRecord(event)) return undefined
  const http = isRecord(event.requestContext) && isRecord(event.requestContext.http) ? event.requestContext.http : undefined
  const method = http?.method ?? event.httpMethod
  return typeof method === 'string' ? method.toUpperCase() : undefined
}

/**
 * Where a resource's metadata lives by default (RFC 9728 §3.1): the well-known path inserted
 * between the host and the resource's path, for `resourceMetadata`.
 *
 * @example
 * ```ts
 * resourceMetadataUrl('https://api.example.com/mcp')
 * // 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(httpsUrl(resource, 'resource'))
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`
}
