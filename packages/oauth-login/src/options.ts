/**
 * The configuration of `oauthLogin()` and `sessionAuth()` (one object serves both), with its
 * defaults, checked and compiled once at cold start.
 */
import { Buffer } from 'node:buffer'
import { ClientSecretBasic, ClientSecretPost, None, PrivateKeyJwt, type ClientAuth, type CryptoKey as ClientCryptoKey, type PrivateKey } from 'openid-client'
import { checkOptionNames, isListOf, readDuration } from '@middy-auth/core/internal'
import { fail } from './errors.js'
import { checkPrivateKey } from './private-key.js'
import { compileReturnToPaths } from './return-to.js'

/**
 * Cookie settings. The names carry the `__Host-` prefix by default: the browser then accepts
 * them only with `Secure`, `Path=/` and no `Domain`, so no subdomain can set or shadow them.
 *
 * @example
 * ```ts
 * const cookie: CookieOptions = { name: '__Host-orders-session', sameSite: 'Strict' }
 * ```
 */
export interface CookieOptions {
  /** The session cookie (and its chunks `<name>.0`, `<name>.1`, …). Default `'__Host-session'`. */
  name?: string
  /** The login transaction cookie. Default `'__Host-login'`. */
  transactionName?: string
  /** `SameSite` of every cookie. Default `'Lax'` (the callback is a top-level cross-site navigation, which `Strict` would strip). */
  sameSite?: 'Lax' | 'Strict'
}

/**
 * Session lifetimes, in seconds.
 *
 * @example
 * ```ts
 * const session: SessionOptions = { rolling: 3600, absolute: 8 * 3600 }
 * ```
 */
export interface SessionOptions {
  /** Idle timeout: a session unused this long ends; each use extends it. Default 86400 (1 day). */
  rolling?: number
  /** The longest a session lives, however active. Default 604800 (7 days). */
  absolute?: number
  /** `sessionAuth` refreshes the access token when it expires within this many seconds. Default 60. */
  refreshBefore?: number
}

/**
 * How the client authenticates at the token endpoint: a secret, a private key
 * (`private_key_jwt`), or nothing (a public client, PKCE only).
 *
 * @example
 * ```ts
 * const confidential: OAuthLoginConfig['clientAuth'] = 'client_secret_post'
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/**
 * The configuration of `oauthLogin()` and `sessionAuth()`. Give both the same object.
 *
 * @example
 * ```ts
 * const config: OAuthLoginConfig = {
 *   issuer: 'https://login.example.com',
 *   clientId: 'orders-web',
 *   clientSecret: process.env.CLIENT_SECRET,
 *   secret: process.env.SESSION_SECRET ?? '',
 *   redirectUri: 'https://orders.example.com/auth/callback',
 *   scopes: ['openid', 'profile', 'orders:read'],
 * }
 * ```
 */
export interface OAuthLoginConfig {
  /** The issuer identifier; its `/.well-known/openid-configuration` is fetched (OIDC discovery). `http:` only for loopback hosts. */
  issuer: string
  clientId: string
  /**
   * The client secret (`client_secret_basic` by default). `undefined` is no secret, so that
   * `process.env.CLIENT_SECRET` fits under `exactOptionalPropertyTypes`.
   */
  clientSecret?: string | undefined
  /** The private key for `private_key_jwt` (a `CryptoKey`, or `{ key, kid }`). */
  privateKey?: ClientCryptoKey | PrivateKey
  /** Default: `'private_key_jwt'` with `privateKey`, `'client_secret_basic'` with `clientSecret`, else `'none'`. */
  clientAuth?: ClientAuthMethod
  /**
   * The secret the cookies are sealed with (AES-256-GCM, key derived with HKDF-SHA-256), at
   * least 32 bytes. A list rotates: the first seals, every one unseals. Required.
   * `{ internal: 'name' }` reads it (a string or a list) from `request.internal.name` at each
   * request, where `@middy/ssm` or `@middy/secrets-manager` put what they fetch; it is then
   * checked at the first request instead of at cold start.
   */
  secret: string | readonly string[] | { internal: string }
  /**
   * The callback's absolute URL, registered at the provider. Default: derived from the request,
   * `https://<domain><stage>` + `callbackPath` (the stage only on `execute-api` domains).
   */
  redirectUri?: string
  /** The callback's path when `redirectUri` is derived. Default `'/auth/callback'`. */
  callbackPath?: string
  /** Scopes to ask for; must contain `openid`. Default `['openid', 'profile', 'email']`. */
  scopes?: readonly string[]
  /** Resource indicators (RFC 8707): sent to the authorization and token endpoints. Default none. */
  resource?: string | readonly string[]
  /** An `audience` parameter for providers that want one (Auth0). Default none. */
  audience?: string
  /** More authorization request parameters (`prompt`, `acr_values`, `ui_locales`, …). Default none. */
  authorizationParams?: Readonly<Record<string, string>>
  /** Where the callback sends the user without a valid `returnTo`. Default `'/'`. */
  postLoginRedirect?: string
  /** Where the provider sends the user after logout (registered there), or where `logout` redirects without an end-session endpoint. Default `'/'` (made absolute from the request for the provider). */
  postLogoutRedirect?: string
  /**
   * Paths `login?returnTo=…` may send the user back to after sign-in: a path and everything
   * under it (`'/app'` allows `/app` and `/app/x`, not `/apple`). Default none: `returnTo` is
   * ignored. Never an absolute URL, so no open redirect.
   */
  returnToPaths?: readonly string[]
  /** Origins allowed to send unsafe requests with the session cookie (CSRF). Default: the request's own origin, and `redirectUri`'s. */
  allowedOrigins?: readonly string[]
  cookie?: CookieOptions
  session?: SessionOptions
  /**
   * Also put the access token in an `HttpOnly` cookie of this name, for APIs that verify it with
   * `jwtVerify({ tokenSource: { cookie: name } })`. Default: off (tokens stay in the sealed session).
   */
  accessTokenCookie?: string
  /** Seconds to wait for the provider (discovery, token requests). Default 5. */
  timeout?: number
  /** A `fetch` for every request to the provider (tests, proxies). Default: the platform's. */
  fetch?: typeof fetch
  /** Milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number
}

/** The configuration, checked, with every default filled in. */
export interface CompiledConfig {
  issuer: URL
  clientId: string
  clientAuth: () => ClientAuth
  /** The secrets, or where in `request.internal` to find them. */
  secrets: string[] | { internal: string }
  redirectUri: URL | undefined
  callbackPath: string
  scope: string
  resource: string[]
  extraParams: Record<string, string>
  postLoginRedirect: string
  postLogoutRedirect: string
  returnToAllowed: (value: string) => string | undefined
  allowedOrigins: Set<string>
  sessionCookie: string
  transactionCookie: string
  sameSite: 'Lax' | 'Strict'
  rolling: number
  absolute: number
  refreshBefore: number
  accessTokenCookie: string | undefined
  timeout: number
  fetch: typeof fetch | undefined
  clock: () => number
}

const knownOptions = [
  'issuer',
  'clientId',
  'clientSecret',
  'privateKey',
  'clientAuth',
  'secret',
  'redirectUri',
  'callbackPath',
  'scopes',
  'resource',
  'audience',
  'authorizationParams',
  'postLoginRedirect',
  'postLogoutRedirect',
  'returnToPaths',
  'allowedOrigins',
  'cookie',
  'session',
  'accessTokenCookie',
  'timeout',
  'fetch',
  'clock',
]

/** Loopback hosts: the only ones reached over plain `http:`. */
export const isLoopbackHost = (hostname: string): boolean => hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)

const MIN_SECRET_BYTES = 32
/** RFC 6265 token characters: what a cookie name may contain. */
const cookieName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw fail(name, `must be a non-empty string`)
  return value
}

const httpsUrl = (value: unknown, name: string): URL => {
  const raw = text(value, name)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw fail(name, `must be an absolute URL, got ${JSON.stringify(raw)}`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw fail(name, `must be an https: URL (http: only for loopback hosts), got ${JSON.stringify(raw)}`)
  }
  return url
}

const seconds = (value: unknown, name: string, fallback: number): number => readDuration(value, name, fail, { unit: 'seconds', fallback })

/** Checks secrets (from the configuration, or from `request.internal` at request time). */
export const compileSecrets = (value: unknown): string[] => {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0) {
    throw fail('secret', `is required: a string of at least ${MIN_SECRET_BYTES} bytes, or a list of them (the first seals); e.g. from @middy/ssm`)
  }
  return list.map((secret, i) => {
    if (typeof secret !== 'string' || Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw fail(`secret${list.length > 1 ? `[${i}]` : ''}`, `must be at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`)`)
    }
    return secret
  })
}

const isInternalSecret = (value: unknown): value is { internal: string } => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const { internal, ...rest } = value as { internal?: unknown }
  if (typeof internal !== 'string' || internal === '' || Object.keys(rest).length > 0) {
    throw fail('secret', `must be a string, a list of strings, or { internal: 'name' } (the request.internal key @middy/ssm fills)`)
  }
  return true
}

const compileCookieName = (value: unknown, name: string, fallback: string): string => {
  if (value === undefined) return fallback
  const raw = text(value, name)
  if (!cookieName.test(raw)) throw fail(name, `must be a cookie name (letters, digits, and !#$%&'*+-.^_\`|~)`)
  return raw
}

const compileClientAuthentication = (method: unknown, secret: string | undefined, privateKey: OAuthLoginConfig['privateKey']): (() => ClientAuth) => {
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!secret) throw fail('clientSecret', `is required with clientAuth: '${method}'`)
      return method === 'client_secret_basic' ? () => ClientSecretBasic(secret) : () => ClientSecretPost(secret)
    case 'private_key_jwt': {
      if (!privateKey) throw fail('privateKey', `is required with clientAuth: 'private_key_jwt'`)
      const key = checkPrivateKey(privateKey)
      return () => PrivateKeyJwt(key)
    }
    case 'none':
      if (secret || privateKey) throw fail('clientAuth', `'none' is a public client: remove clientSecret and privateKey`)
      return () => None()
    default:
      throw fail('clientAuth', `must be 'client_secret_basic', 'client_secret_post', 'private_key_jwt' or 'none'`)
  }
}

/** A resource indicator (RFC 8707 §2): an absolute URI without a fragment. */
const checkResource = (value: unknown): void => {
  const raw = text(value, 'resource')
  let url: URL | undefined
  try {
    url = new URL(raw)
  } catch {
    url = undefined
  }
  if (!url || url.hash !== '' || raw.includes('#')) throw fail('resource', `must be absolute URIs without a fragment, got ${JSON.stringify(raw)}`)
}

/** A redirect the configuration sets: a path on this site, or an absolute https: URL. */
const redirectTarget = (value: unknown, name: string): string => {
  if (value === undefined) return '/'
  const raw = text(value, name)
  if (raw.startsWith('/') && !raw.startsWith('//') && !raw.includes('\\')) return raw
  return httpsUrl(raw, name).href
}

/** Parameters the flow itself sets: `authorizationParams` may not replace them. */
const flowParams = new Set([
  'client_id',
  'response_type',
  'response_mode',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'request',
  'request_uri',
])

const compileAuthorizationParams = (value: unknown): Record<string, string> => {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('authorizationParams', `must be an object of strings`)
  const params: Record<string, string> = {}
  for (const [name, param] of Object.entries(value)) {
    if (flowParams.has(name)) throw fail(`authorizationParams.${name}`, `is set by the flow itself (use scopes, resource, redirectUri)`)
    if (typeof param !== 'string') throw fail(`authorizationParams.${name}`, `must be a string`)
    params[name] = param
  }
  return params
}

const optionalFunction = (value: unknown, name: string): unknown => {
  if (value !== undefined && typeof value !== 'function') throw fail(name, `must be a function`)
  return value
}

/** Checks the configuration and fills in the defaults: every mistake is a `TypeError` now, at cold start. */
export const compileConfig = (config: OAuthLoginConfig): CompiledConfig => {
  checkOptionNames(config, knownOptions, fail)
  const issuer = httpsUrl(config.issuer, 'issuer')
  const clientId = text(config.clientId, 'clientId')
  const clientSecret = config.clientSecret === undefined ? undefined : text(config.clientSecret, 'clientSecret')
  const clientAuthMethod = config.clientAuth ?? (config.privateKey ? 'private_key_jwt' : clientSecret ? 'client_secret_basic' : 'none')
  const clientAuth = compileClientAuthentication(clientAuthMethod, clientSecret, config.privateKey)
  const secrets = isInternalSecret(config.secret) ? { internal: config.secret.internal } : compileSecrets(config.secret)
  const redirectUri = config.redirectUri === undefined ? undefined : httpsUrl(config.redirectUri, 'redirectUri')
  const callbackPath = config.callbackPath ?? '/auth/callback'
  if (typeof callbackPath !== 'string' || !callbackPath.startsWith('/')) throw fail('callbackPath', `must be a path starting with '/'`)

  const scopes = config.scopes ?? ['openid', 'profile', 'email']
  if (!isListOf(scopes, (s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    throw fail('scopes', `must be a list of scope tokens`)
  }
  if (!scopes.includes('openid')) throw fail('scopes', `must contain 'openid': the session is built on the ID token`)
  const resource = config.resource === undefined ? [] : typeof config.resource === 'string' ? [config.resource] : [...config.resource]
  for (const r of resource) checkResource(r)
  const extraParams = compileAuthorizationParams(config.authorizationParams)
  if (config.audience !== undefined) extraParams.audience = text(config.audience, 'audience')

  const postLoginRedirect = redirectTarget(config.postLoginRedirect, 'postLoginRedirect')
  const postLogoutRedirect = redirectTarget(config.postLogoutRedirect, 'postLogoutRedirect')
  const cookie = config.cookie ?? {}
  const session = config.session ?? {}
  const sameSite = cookie.sameSite ?? 'Lax'
  if (sameSite !== 'Lax' && sameSite !== 'Strict')
    throw fail('cookie.sameSite', `must be 'Lax' or 'Strict' ('None' would send the session on cross-site requests)`)
  const rolling = seconds(session.rolling, 'session.rolling', 86_400)
  const absolute = seconds(session.absolute, 'session.absolute', 604_800)
  if (rolling > absolute) throw fail('session.rolling', `(${rolling}) must not exceed 'session.absolute' (${absolute})`)

  const allowedOrigins = new Set<string>()
  for (const origin of config.allowedOrigins ?? []) allowedOrigins.add(httpsUrl(origin, 'allowedOrigins').origin)
  if (redirectUri) allowedOrigins.add(redirectUri.origin)

  const sessionCookie = compileCookieName(cookie.name, 'cookie.name', '__Host-session')
  const transactionCookie = compileCookieName(cookie.transactionName, 'cookie.transactionName', '__Host-login')
  const accessTokenCookie = config.accessTokenCookie === undefined ? undefined : compileCookieName(config.accessTokenCookie, 'accessTokenCookie', '')
  const names = [sessionCookie, transactionCookie, accessTokenCookie].filter((n) => n !== undefined)
  if (new Set(names).size !== names.length) throw fail('cookie.name', `must differ from cookie.transactionName and accessTokenCookie`)

  return {
    issuer,
    clientId,
    clientAuth,
    secrets,
    redirectUri,
    callbackPath,
    scope: scopes.join(' '),
    resource,
    extraParams,
    postLoginRedirect,
    postLogoutRedirect,
    returnToAllowed: compileReturnToPaths(config.returnToPaths ?? [], fail),
    allowedOrigins,
    sessionCookie,
    transactionCookie,
    sameSite,
    rolling,
    absolute,
    refreshBefore: seconds(session.refreshBefore, 'session.refreshBefore', 60),
    accessTokenCookie,
    timeout: seconds(config.timeout, 'timeout', 5),
    fetch: optionalFunction(config.fetch, 'fetch') as typeof fetch | undefined,
    clock: (optionalFunction(config.clock, 'clock') as (() => number) | undefined) ?? Date.now,
  }
}
