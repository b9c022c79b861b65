import { AuthError, getAuth, isAuthError, type AuthContext, type MiddyRequestLike } from '@middy-auth/core'
import { encodeAuthorizerContext, notedCredential, requestSpecificChecks, type ExecuteApiArn } from '@middy-auth/core/internal'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { appsyncTtl, type AppSyncAuthorizerResponse } from './appsync.js'
import { isHttpApi, readAuthorizerEvent, type AuthorizerEvent, type AuthorizerKind } from './event.js'
import { compileOptions, packageName, type AuthorizerLogEntry, type AuthorizerLogReason, type AuthorizerResponseOptions } from './options.js'
import { iamPolicy, unauthorized, unavailable, type AuthorizerResult } from './responses.js'
import type { CompiledRoutes } from './routes.js'

/**
 * The middleware `authorizerResponse()` returns: it answers in `after` (an Allow built from
 * `context.auth`) and in `onError` (the denials of the middlewares in front).
 *
 * @example
 * ```ts
 * const middleware: AuthorizerResponseMiddleware = authorizerResponse({ format: 'iam-policy' })
 * ```
 */
export type AuthorizerResponseMiddleware = MiddlewareObj<unknown, unknown, Error, Context>

/** What an API Gateway answer says, decided before it is written (see `planAnswer`). */
interface AnswerPlan {
  /** Whether this very request is allowed: the decision the response reports. */
  allowed: boolean
  /** ARN tails (after `<apiId>/<stage>/`) the policy allows and denies; none in a simple response. */
  allow: readonly string[]
  deny: readonly string[]
  /** Whether a policy of this request's ARN alone may stand in for one larger than `maxResponseBytes`. */
  exactFallback: boolean
  /** What to log about the decision. */
  logs: readonly PlanLog[]
}

/** A log entry, before `log` adds the package. */
type PlanLog = Omit<AuthorizerLogEntry, 'package'>

/** A plan with `routes`, and whether they list the request's route. */
interface RoutePlan extends AnswerPlan {
  listed: boolean
}

/** A failure of the authorizer's own: denied and logged with its reason. */
class AuthorizerFailure extends Error {
  constructor(
    readonly reason: AuthorizerLogReason,
    message: string,
    readonly details: Partial<AuthorizerLogEntry> = {},
  ) {
    super(message)
  }
}

/** The ARN of a tail under the request's API and stage. */
const arnOf = (target: ExecuteApiArn, tail: string): string => `${target.prefix}:${target.apiId}/${target.stage}/${tail}`

/**
 * Whether the client sent `value` itself, in a header, a query parameter, a cookie or a path
 * parameter (whole, or within one: repeated ones are comma-joined).
 */
const clientSent = (event: unknown, value: string): boolean => {
  const e = (event ?? {}) as Record<string, unknown>
  const values = (field: unknown): unknown[] => (field !== null && typeof field === 'object' ? Object.values(field) : [])
  let query: string[] = []
  try {
    query = typeof e.rawQueryString === 'string' ? [...new URLSearchParams(e.rawQueryString).values()] : []
  } catch {
    // Unreadable: the parsed parameters below still count.
  }
  const sent = [...values(e.headers), ...values(e.queryStringParameters), ...values(e.pathParameters), ...values(e.cookies), ...query]
  return sent.some((text) => typeof text === 'string' && text.includes(value))
}

/**
 * Route keys that take many requests: `$default`, greedy routes (`GET /{proxy+}`), and `ANY`
 * routes (every method, which a router behind may tell apart).
 */
const isCatchAll = (routeKey: string): boolean => routeKey === '$default' || routeKey.endsWith('+}') || routeKey.startsWith('ANY ')

/** The whole stage: every method and path, or the `$connect` of a WebSocket API. */
const stageTails = (kind: AuthorizerKind): string[] => (kind === 'websocket' ? ['$connect'] : ['*/*'])

/**
 * Turns the middlewares in front of it (`jwtVerify`, `iamContext`, `oauthScope`, `rbac`) into an
 * API Gateway Lambda authorizer, so the same configuration protects a route inside a function or
 * at the gateway. Put it last; the function needs no handler of its own.
 *
 * It answers REST API TOKEN and REQUEST authorizers, HTTP API authorizers (payload 1.0 and 2.0)
 * and WebSocket `$connect` authorizers:
 *
 * - **Allow**: an IAM policy (`principalId`, `policyDocument`, `context`, `usageIdentifierKey`)
 *   or, for HTTP API payload 2.0 with `format: 'simple'`, `{ isAuthorized: true, context }`. The
 *   Allow covers the whole stage, or with `routes` exactly the routes this caller may call, so a
 *   policy the gateway caches for the caller's token never answers for a route it was not
 *   checked for.
 * - **401** (no token, a bad or expired one): `throw new Error('Unauthorized')`;
 *   `{ isAuthorized: false }` for simple responses, which have no 401.
 * - **403** (scopes, roles, a route not listed): an explicit Deny; `{ isAuthorized: false }`.
 * - **Keys that cannot be fetched**: an error, which the gateway answers with 500 and does not
 *   cache, so an outage does not lock callers out for the cache's TTL.
 * - **Anything else** (a misconfiguration, a bug): a Deny, never an Allow, logged.
 *
 * It also answers AppSync Lambda authorizers (the token in `authorizationToken`):
 * `{ isAuthorized: true, resolverContext, deniedFields?, ttlOverride? }`, where `resolverContext`
 * is the context below, `deniedFields` comes from the option of that name, and `ttlOverride` never
 * reaches past the token's `exp`; every refusal is `{ isAuthorized: false }` (not cached for a
 * missing or bad token), and keys that cannot be fetched are an error, which AppSync does not cache.
 *
 * The context holds `principalId` (HTTP APIs), `source`, `iss`, `scopes` and `roles` (JSON
 * lists), and the `contextClaims`, flattened to strings, numbers and booleans, from which
 * `jwtVerify({ trustApiGateway: true })`, `oauthScope` and `rbac` in the target function rebuild
 * `context.auth`, types restored.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import authorizerResponse from '@middy-auth/authorizer'
 * import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
 * import oauthScope from '@middy-auth/oauth-scope'
 *
 * // A REST API TOKEN authorizer: the token is read from `authorizationToken`.
 * export const handler = middy()
 *   .use(jwtVerify({ issuers: [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'access' })] }))
 *   .use(oauthScope({ required: ['orders/read'] }))
 *   .use(authorizerResponse({
 *     routes: {
 *       'GET /orders': { scopes: ['orders/read'] },
 *       'POST /orders': { scopes: ['orders/write'] },
 *     },
 *   }))
 * ```
 */
function authorizerResponse(options: AuthorizerResponseOptions = {}): AuthorizerResponseMiddleware {
  const settings = compileOptions(options)
  const { routes, log } = settings

  const isSimple = (event: AuthorizerEvent | undefined): boolean => event?.kind === 'http-v2' && settings.format === 'simple'

  /** A Deny of the whole stage: the caller may call nothing here. */
  const denyAll = (request: MiddyRequestLike, event: AuthorizerEvent | undefined): AuthorizerResult => {
    if (isSimple(event)) return { isAuthorized: false }
    const subject = getAuth(request)?.subject
    const principalId = typeof subject === 'string' && subject !== '' ? subject : 'anonymous'
    const target = event?.target
    return iamPolicy(principalId, [], target && event ? stageTails(event.kind).map((tail) => arnOf(target, tail)) : ['*'])
  }

  const answer = (request: MiddyRequestLike): AuthorizerResult | AppSyncAuthorizerResponse => {
    const event = readAuthorizerEvent(request.event)
    if (!event) throw new AuthorizerFailure('not_an_authorizer_event', 'the event is not a Lambda authorizer event (API Gateway TOKEN or REQUEST, or AppSync)')
    const auth = getAuth(request)
    if (!auth) throw new AuthError('missing_token', { package: packageName, data: { reason: 'no_identity' } })
    if (event.kind === 'appsync') return appsyncAllow(request, auth)
    const plan = planAnswer(request, event, auth)
    for (const entry of plan.logs) log(entry)
    return renderAnswer(plan, request, event, auth)
  }

  /**
   * What the answer to an API Gateway authorizer event says, decided from the identity, the event
   * and what the middlewares in front noted, before anything is written. It logs nothing (`logs`
   * says what to log) and changes nothing; a failure of the authorizer's own is thrown.
   */
  const planAnswer = (request: MiddyRequestLike, event: AuthorizerEvent, auth: AuthContext): AnswerPlan => {
    const checks = requestSpecificChecks(request)
    if (checks.length > 0 && settings.gatewayCache) {
      throw new AuthorizerFailure(
        'request_specific_check',
        `a check in front of the authorizer decided for this request only (${checks.map((c) => `${c.package}: ${c.reason}`).join(', ')}), ` +
          `while the gateway caches the answer for other requests: give per-route requirements to authorizerResponse({ routes }), ` +
          `or turn the authorizer's result cache off (TTL 0) and set gatewayCache: false`,
        { checks },
      )
    }
    if (typeof auth.subject !== 'string' || auth.subject === '') throw new AuthorizerFailure('no_subject', 'the identity has no subject to be the principalId')
    // The gateway caches the answer under the identity sources' values: an answer for this caller's
    // token, cached under values that do not hold it, would be given to every other caller.
    // HTTP API payload 2.0 events list those values (none: no caching); the token is the credential
    // jwtVerify noted.
    const credential = notedCredential(request)
    const cacheKey = event.identitySource
    if (event.kind === 'http-v2' && credential !== undefined && cacheKey.length > 0 && !cacheKey.some((value) => value.includes(credential))) {
      throw new AuthorizerFailure(
        'credential_not_in_identity_source',
        `the token is not among the authorizer's identity sources, so its answer would be cached for every caller: add $request.header.Authorization (or the cookie the token comes from) to the identity sources`,
      )
    }
    const simple = isSimple(event)
    if (!routes) return { allowed: true, allow: simple ? [] : stageTails(event.kind), deny: [], exactFallback: false, logs: [] }
    const { satisfied, permissionCheckMissing } = routes.satisfied(auth)
    const logs: PlanLog[] = []
    if (permissionCheckMissing) {
      logs.push({
        level: 'error',
        reason: 'no_permission_check',
        message: `routes need permissions, and no middleware in front answers for them: put rbac() in front of the authorizer`,
      })
    }
    const routeName = event.routeKey ?? event.target?.tail
    const notListed: PlanLog = {
      level: 'warn',
      reason: 'route_not_listed',
      message: `'routes' does not list this route: denied`,
      ...(routeName ? { route: routeName } : {}),
    }
    const plan = simple ? planSimple(routes, request, event, satisfied) : planPolicy(routes, request, event, satisfied)
    return { ...plan, logs: [...logs, ...(plan.listed ? [] : [notListed]), ...plan.logs] }
  }

  /** A simple response (HTTP API payload 2.0): cached per route key, so decided by it alone. */
  const planSimple = (routes: CompiledRoutes, request: MiddyRequestLike, event: AuthorizerEvent, satisfied: readonly boolean[]): RoutePlan => {
    // A simple response is cached per identity source for every route: the route must be part of it.
    // The event gives the identity sources' values, not their names: a value the client sent
    // (a header, a query parameter) equal to the route key cannot be told from $context.routeKey.
    if (event.routeKey === undefined || !event.identitySource.includes(event.routeKey) || clientSent(request.event, event.routeKey)) {
      throw new AuthorizerFailure(
        'route_key_not_in_identity_source',
        `with routes, simple responses must be cached per route: add $context.routeKey to the authorizer's identity sources, or use format: 'iam-policy'`,
      )
    }
    // The cache key holds the route key, not the path: the answer may depend on the route key
    // alone. `$default` or a greedy route key is the same for every path it takes.
    const current = routes.lookupKey(event.routeKey)
    // `$default` and a greedy route key take many paths, and the answer cached for the key is
    // reused for all of them: `true` only for a caller who may call every entry of the map
    // they could reach (a stricter `DELETE /admin/{id}` under `$default` must not be answered
    // by what `GET /public/{id}` allowed).
    const under = isCatchAll(event.routeKey) ? routes.entriesUnder(event.routeKey).filter((i) => i !== current) : []
    if (under.length > 0 && (current === undefined || !under.every((i) => satisfied[i] === true))) {
      throw new AuthorizerFailure(
        'route_key_not_separating',
        `the gateway's route key ${event.routeKey} takes the paths of other routes of the map, and a simple response is cached per route key: ` +
          `it is true only for a caller who may call all of them. Give each route its own gateway route, or use format: 'iam-policy'`,
        { route: event.routeKey },
      )
    }
    const allowed = current !== undefined && satisfied[current] === true
    return { allowed, allow: [], deny: [], exactFallback: false, listed: current !== undefined, logs: [] }
  }

  /** An IAM policy: exactly the routes this caller may call, with the Denies their patterns need. */
  const planPolicy = (routes: CompiledRoutes, request: MiddyRequestLike, event: AuthorizerEvent, satisfied: readonly boolean[]): RoutePlan => {
    const tail = event.target?.tail
    if (tail === undefined || !event.target) throw new AuthorizerFailure('no_arn', 'the event has no execute-api methodArn / routeArn to build the policy from')
    // HTTP API payload 1.0 events carry `resource`, but not documented as the route's template:
    // their route is found from the ARN's method and path, as for REST TOKEN events.
    const current = routes.lookup(event.kind === 'http-v1' ? { methodArn: arnOf(event.target, tail) } : request.event)
    // Whether the gateway named the route: `$default` does not.
    const routeNamed =
      event.kind === 'rest-request' ||
      event.kind === 'websocket' ||
      (event.kind === 'http-v2' && event.routeKey !== undefined && !event.routeKey.startsWith('$'))
    const plan = routes.plan(satisfied, current, tail, routeNamed, isHttpApi(event.kind))
    const narrowed: PlanLog[] =
      plan.narrowed.length > 0
        ? [
            {
              level: 'warn',
              reason: 'policy_narrowed',
              message: `these routes' ARN patterns also cover requests this caller may not make: the cached policy grants them for this request's ARN only`,
              routes: plan.narrowed,
            },
          ]
        : []
    return {
      allowed: plan.allowed,
      allow: plan.allow,
      deny: plan.deny,
      exactFallback: plan.exactSafe && plan.allowed,
      listed: current !== undefined,
      logs: narrowed,
    }
  }

  /** Writes a plan as the response the gateway expects, within `maxResponseBytes`. */
  const renderAnswer = (plan: AnswerPlan, request: MiddyRequestLike, event: AuthorizerEvent, auth: AuthContext): AuthorizerResult => {
    if (isSimple(event)) return fitting(plan.allowed ? { isAuthorized: true, context: contextOf(auth, event, request.event) } : { isAuthorized: false })
    const target = event.target
    if (!target) throw new AuthorizerFailure('no_arn', 'the event has no execute-api methodArn / routeArn to build the policy from')
    const arns = (tails: readonly string[]) => tails.map((t) => arnOf(target, t))
    if (!plan.allowed) return fitting(iamPolicy(auth.subject, arns(plan.allow), arns(plan.deny)))
    const usageIdentifierKey = settings.usageIdentifierKey?.(auth, request.event)
    const extras = {
      context: contextOf(auth, event, request.event),
      ...(typeof usageIdentifierKey === 'string' ? { usageIdentifierKey } : {}),
    }
    const response = iamPolicy(auth.subject, arns(plan.allow), arns(plan.deny), extras)
    if (!plan.exactFallback || sizeOf(response) <= settings.maxResponseBytes) return fitting(response)
    // Too many routes to list: this request's own ARN only. The caller's other requests are then
    // refused from the cache until it expires (the gateway does not call the authorizer again).
    const routeName = event.routeKey ?? target.tail
    log({
      level: 'warn',
      reason: 'response_too_large',
      message: `the policy of every route this caller may call is larger than maxResponseBytes (${settings.maxResponseBytes}): it covers this request only`,
      ...(routeName ? { route: routeName } : {}),
    })
    return fitting(iamPolicy(auth.subject, arns([target.tail]), [], extras))
  }

  /** AppSync: the Allow, with the fields this identity may not read and how long it may be cached. */
  const appsyncAllow = (request: MiddyRequestLike, auth: AuthContext): AppSyncAuthorizerResponse => {
    if (routes) {
      throw new AuthorizerFailure('routes_on_appsync', `'routes' are API Gateway routes and AppSync has none: give per-field requirements to deniedFields`)
    }
    if (typeof auth.subject !== 'string' || auth.subject === '') throw new AuthorizerFailure('no_subject', 'the identity has no subject to be the principalId')
    const response: AppSyncAuthorizerResponse = {
      isAuthorized: true,
      resolverContext: encodeAuthorizerContext(auth, settings.contextClaims, settings.context?.(auth, request.event), true),
    }
    const denied = settings.deniedFields?.(auth)
    if (denied?.permissionCheckMissing) {
      log({
        level: 'error',
        reason: 'no_permission_check',
        message: `deniedFields need permissions, and no middleware in front answers for them (the fields are denied): put rbac() in front of the authorizer`,
      })
    }
    if (denied && denied.fields.length > 0) response.deniedFields = denied.fields
    const ttl = appsyncCacheTtl(request, auth)
    if (ttl !== undefined) response.ttlOverride = ttl
    return fitting(response)
  }

  /**
   * How long AppSync may cache an answer. It caches it under the `authorizationToken` and gives it
   * for every later operation with that token: an answer that depended on this request (a check
   * in front noted one) or on a credential other than `authorizationToken` is not cached.
   */
  const appsyncCacheTtl = (request: MiddyRequestLike, auth: AuthContext | undefined): number | undefined => {
    if (requestSpecificChecks(request).length > 0) return 0
    const credential = notedCredential(request)
    const token = (request.event as { authorizationToken?: unknown }).authorizationToken
    if (credential !== undefined && !(typeof token === 'string' && token.includes(credential))) {
      log({
        level: 'warn',
        reason: 'credential_not_in_identity_source',
        message: `the token was not read from authorizationToken, under which AppSync caches the answer: it is not cached (ttlOverride: 0)`,
      })
      return 0
    }
    return appsyncTtl(auth, settings.ttlOverride, Date.now())
  }

  /** AppSync: a refusal, cached only when it depends on the identity alone (a scope or a role it lacks). */
  const appsyncDeny = (request: MiddyRequestLike, cacheable: boolean): AppSyncAuthorizerResponse => {
    const ttl = cacheable ? appsyncCacheTtl(request, getAuth(request)) : 0
    return ttl === undefined ? { isAuthorized: false } : { isAuthorized: false, ttlOverride: ttl }
  }

  const sizeOf = (response: AuthorizerResult | AppSyncAuthorizerResponse): number => Buffer.byteLength(JSON.stringify(response))

  /** The response as it is, unless it is larger than `maxResponseBytes`: a failure then (Deny, logged). */
  const fitting = <R extends AuthorizerResult | AppSyncAuthorizerResponse>(response: R): R => {
    const bytes = sizeOf(response)
    if (bytes > settings.maxResponseBytes) {
      throw new AuthorizerFailure(
        'response_too_large',
        `the response is ${bytes} bytes, more than maxResponseBytes (${settings.maxResponseBytes}): fewer contextClaims or context values`,
      )
    }
    return response
  }

  const contextOf = (auth: AuthContext, event: AuthorizerEvent, rawEvent: unknown) =>
    encodeAuthorizerContext(auth, settings.contextClaims, settings.context?.(auth, rawEvent), isHttpApi(event.kind))

  const authorizerResponseAfter = (request: MiddyRequestLike): void => {
    request.response = answer(request)
  }

  const authorizerResponseOnError = (request: MiddyRequestLike): void => {
    const error = request.error
    const event = readAuthorizerEvent(request.event)
    const appsync = event?.kind === 'appsync'
    if (isAuthError(error)) {
      if (appsync && error.code !== 'temporarily_unavailable') {
        // AppSync has no 401 and no 403: `isAuthorized: false` is its UnauthorizedException. A
        // missing or bad token is not cached (it may be valid in a moment: `nbf`, a key being
        // published); a scope or role the identity lacks is, as long as an Allow would be.
        request.response = appsyncDeny(request, error.statusCode === 403)
        return
      }
      if (error.statusCode === 401 || error.statusCode === 400) {
        if (isSimple(event)) {
          request.response = { isAuthorized: false }
          return
        }
        throw unauthorized()
      }
      if (error.statusCode === 403) {
        const checks = requestSpecificChecks(request)
        if (checks.length > 0 && settings.gatewayCache) {
          log({
            level: 'error',
            reason: 'request_specific_check',
            message: `a check in front of the authorizer decided for this request only: give per-route requirements to authorizerResponse({ routes })`,
            checks,
          })
        }
        request.response = denyAll(request, event)
        return
      }
      if (error.code === 'temporarily_unavailable') {
        log({ level: 'error', reason: 'keys_unavailable', message: 'the identity could not be checked: the gateway answers 500 and caches nothing', error })
        throw unavailable()
      }
    }
    if (error instanceof AuthorizerFailure) {
      log({ level: 'error', reason: error.reason, message: error.message, ...error.details })
    } else {
      log({ level: 'error', reason: 'unexpected_error', message: 'the request failed and is denied', error })
    }
    request.response = appsync ? appsyncDeny(request, false) : denyAll(request, event)
  }

  return { after: authorizerResponseAfter, onError: authorizerResponseOnError }
}

export default authorizerResponse
export type { AppSyncAuthorizerResponse, DeniedFields } from './appsync.js'
export type { ContextValue } from './context.js'
export type { AuthorizerLogEntry, AuthorizerLogReason, AuthorizerResponseOptions } from './options.js'
export type { AuthorizerResult, IamPolicyResponse, PolicyStatement, SimpleResponse } from './responses.js'
export type { RouteRequirement } from './routes.js'
export { authorizerResponseValidateOptions } from './validate-options.js'
