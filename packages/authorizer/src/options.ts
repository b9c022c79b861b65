import type { AuthContext } from '@middy-auth/core'
import { checkOptionNames, configErrors, isListOf, readFunction, type RequestSpecificCheck, type RouteMap } from '@middy-auth/core/internal'
import { compileDeniedFields, maxAppSyncTtl, type DeniedFields, type DeniedFieldsOf } from './appsync.js'
import { reservedContextKeys, type ContextValue } from './context.js'
import { compileRoutes, type CompiledRoutes, type RouteRequirement } from './routes.js'

export const packageName = '@middy-auth/authorizer'

/** The `TypeError` of configuration that can never work, thrown at cold start. */
const fail = configErrors(packageName, 'authorizerResponse')

/**
 * Why the authorizer logged: a configuration that cannot be answered safely, a failure, or a
 * decision narrowed for cache safety.
 *
 * @example
 * ```ts
 * const reason: AuthorizerLogReason = 'request_specific_check'
 * ```
 */
export type AuthorizerLogReason =
  /** The event is not an API Gateway or AppSync Lambda authorizer event. */
  | 'not_an_authorizer_event'
  /** `routes` (API Gateway routes) on an AppSync event: AppSync's per-field rules are `deniedFields`. */
  | 'routes_on_appsync'
  /** The event's `methodArn` / `routeArn` is missing or not an `execute-api` ARN. */
  | 'no_arn'
  /** A middleware in front decided for this request only (`oauthScope({ routes })`, …). */
  | 'request_specific_check'
  /** The identity has no subject to be the `principalId`. */
  | 'no_subject'
  /** Simple responses with `routes`, but the route is not part of the cache key. */
  | 'route_key_not_in_identity_source'
  /**
   * Simple responses with `routes`, and the gateway's route key (`$default`, a greedy route) is the
   * same for several listed routes: the cached answer would be reused across them.
   */
  | 'route_key_not_separating'
  /**
   * The token the middlewares in front verified is not among the identity sources (HTTP API
   * payload 2.0), or not AppSync's `authorizationToken` (the answer is then not cached: `ttlOverride: 0`).
   */
  | 'credential_not_in_identity_source'
  /** `routes` does not list the request's route. */
  | 'route_not_listed'
  /** A route needs permissions, and no middleware in front (`rbac()`) answers for them. */
  | 'no_permission_check'
  /** Routes the caller may call that the policy grants for this request only (see README). */
  | 'policy_narrowed'
  /** The response is larger than `maxResponseBytes`. */
  | 'response_too_large'
  /** The identity could not be checked: keys could not be fetched (the gateway answers 500). */
  | 'keys_unavailable'
  /** Anything else that failed: the request is denied. */
  | 'unexpected_error'

/**
 * What the authorizer logs: never a token, a claim value or a scope of the caller.
 *
 * @example
 * ```ts
 * const entry: AuthorizerLogEntry = {
 *   level: 'error',
 *   package: '@middy-auth/authorizer',
 *   reason: 'request_specific_check',
 *   message: 'a check in front of the authorizer decided for this route only: …',
 * }
 * ```
 */
export interface AuthorizerLogEntry {
  level: 'warn' | 'error'
  package: '@middy-auth/authorizer'
  reason: AuthorizerLogReason
  message: string
  /** The request's route key or ARN tail (`GET/orders/42`), when it matters. */
  route?: string
  /** The route keys concerned (`policy_narrowed`). */
  routes?: string[]
  /** What the middlewares in front noted (`request_specific_check`). */
  checks?: readonly RequestSpecificCheck[]
  /** The error that failed the request (`unexpected_error`, `keys_unavailable`). */
  error?: unknown
}

/**
 * Options of `authorizerResponse()`.
 *
 * @example
 * ```ts
 * const options: AuthorizerResponseOptions = {
 *   routes: {
 *     'GET /orders': { scopes: ['orders/read'] },
 *     'POST /orders': { scopes: ['orders/write'], permissions: ['orders:create'] },
 *   },
 *   contextClaims: ['sub', 'client_id', 'exp', 'custom:tenantId'],
 * }
 * ```
 */
export interface AuthorizerResponseOptions {
  /**
   * The response of an HTTP API authorizer with payload format 2.0: `'simple'`
   * (`{ isAuthorized, context }`, the authorizer's "simple responses" setting on) or
   * `'iam-policy'`. Default `'simple'`. REST, WebSocket and payload 1.0 authorizers always
   * answer with an IAM policy.
   */
  format?: 'simple' | 'iam-policy'
  /**
   * What each route needs, keyed `"METHOD /path"` as in `oauthScope` (`{id}`, `{proxy+}`,
   * `ANY`, `$default`, `$connect`). The Allow then lists exactly the routes the caller may call,
   * so the gateway's cached policy answers for every route. A route not listed is denied.
   * Default: none, and the Allow covers the whole stage.
   */
  routes?: RouteMap<RouteRequirement>
  /**
   * Claims of `context.auth.claims` copied into the context (names, or dotted paths as
   * `readClaimPath` reads them). Default `['sub', 'client_id', 'exp']`. `principalId`, `source`,
   * `iss`, `scopes` and `roles` are always written.
   */
  contextClaims?: readonly string[]
  /** More context values from the identity: strings, numbers, booleans (lists and objects become JSON text). Default: none. */
  context?: (auth: AuthContext, event: unknown) => Readonly<Record<string, ContextValue>> | undefined
  /** The API key of a usage plan whose key source is `AUTHORIZER` (IAM-policy responses). Default: none. */
  usageIdentifierKey?: (auth: AuthContext, event: unknown) => string | undefined
  /** The largest response, in bytes of JSON, before the request is denied and logged instead. Default 8192. */
  maxResponseBytes?: number
  /** Where failures and narrowed policies are logged, or `false` for nowhere. Default `console.error`. */
  logger?: ((entry: AuthorizerLogEntry) => void) | false
  /**
   * Whether the gateway caches this authorizer's answers. Default `true`: then a decision that
   * held for one request only (a per-route check in front, a cookie credential, a DPoP- or
   * certificate-bound token) is refused, since the cached answer would be reused for other
   * requests. Set `false` only when the authorizer's result cache is off (TTL 0): every request
   * is then asked, and such decisions are answered.
   */
  gatewayCache?: boolean
  /**
   * AppSync only: how many seconds AppSync caches an answer for the token (0 to 3600; 0: not
   * cached). Never past the token's `exp`: the answer's `ttlOverride` is at most `exp` − now.
   * Default: none, and the API's `AuthorizerResultTtlInSeconds` applies (still capped at `exp`).
   */
  ttlOverride?: number
  /**
   * AppSync only: the fields the caller may not read (AppSync answers them with `null`), from the
   * identity alone: a function of `context.auth`, or a map of fields (`Type.field` or a field's ARN)
   * to what reading them requires (`{ scopes?, anyOf?, permissions? }` as in `routes`). Default: none.
   */
  deniedFields?: DeniedFields
}

/** The settings of one middleware instance, checked and compiled at cold start. */
export interface CompiledOptions {
  format: 'simple' | 'iam-policy'
  routes: CompiledRoutes | undefined
  contextClaims: readonly string[]
  context: AuthorizerResponseOptions['context']
  usageIdentifierKey: AuthorizerResponseOptions['usageIdentifierKey']
  maxResponseBytes: number
  gatewayCache: boolean
  ttlOverride: number | undefined
  deniedFields: DeniedFieldsOf | undefined
  log: (entry: Omit<AuthorizerLogEntry, 'package'>) => void
}

const knownOptions = [
  'format',
  'routes',
  'contextClaims',
  'context',
  'usageIdentifierKey',
  'maxResponseBytes',
  'logger',
  'ttlOverride',
  'deniedFields',
  'gatewayCache',
]

/** Default `contextClaims`: who, which client, until when. */
export const defaultContextClaims: readonly string[] = Object.freeze(['sub', 'client_id', 'exp'])

/**
 * Checks every option and compiles `routes`. Anything that can never work is a `TypeError`
 * naming the option, thrown at cold start.
 */
export const compileOptions = (options: AuthorizerResponseOptions = {}): CompiledOptions => {
  checkOptionNames(options, knownOptions, fail)
  const format = options.format ?? 'simple'
  if (format !== 'simple' && format !== 'iam-policy') throw fail('format', `must be 'simple' or 'iam-policy'`)

  const contextClaims = options.contextClaims ?? defaultContextClaims
  if (!isListOf(contextClaims, (name): name is string => typeof name === 'string' && name !== '')) {
    throw fail('contextClaims', `must be a list of claim names, such as ['sub', 'email']`)
  }
  for (const name of contextClaims as readonly string[]) {
    if (reservedContextKeys.has(name)) throw fail('contextClaims', `has '${name}', which the authorizer writes itself (from context.auth)`)
  }

  const maxResponseBytes = options.maxResponseBytes ?? 8192
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 512) throw fail('maxResponseBytes', `must be a whole number of bytes, 512 or more`)

  const ttlOverride = options.ttlOverride
  if (ttlOverride !== undefined && (!Number.isInteger(ttlOverride) || ttlOverride < 0 || ttlOverride > maxAppSyncTtl)) {
    throw fail('ttlOverride', `must be a whole number of seconds from 0 to ${maxAppSyncTtl} (AppSync's longest cache)`)
  }

  const gatewayCache = options.gatewayCache ?? true
  if (typeof gatewayCache !== 'boolean') throw fail('gatewayCache', `must be true (the default: the gateway caches answers) or false (its cache TTL is 0)`)

  const logger = options.logger === undefined ? console.error : options.logger
  if (logger !== false && typeof logger !== 'function') throw fail('logger', `must be a function of the log entry, or false`)

  return {
    format,
    routes: options.routes === undefined ? undefined : compileRoutes(options.routes, packageName, fail),
    contextClaims: [...new Set(contextClaims)],
    context: readFunction(options.context, 'context', fail, 'a function (auth, event) returning more context values'),
    usageIdentifierKey: readFunction(options.usageIdentifierKey, 'usageIdentifierKey', fail, 'a function (auth, event) returning the API key'),
    maxResponseBytes,
    gatewayCache,
    ttlOverride,
    deniedFields: compileDeniedFields(options.deniedFields, fail),
    log:
      logger === false
        ? () => undefined
        : (entry) => {
            try {
              const { level, ...rest } = entry
              logger({ level, package: packageName, ...rest })
            } catch {
              // A logger that throws must not turn a Deny into a 500, nor a denial into anything else.
            }
          },
  }
}
