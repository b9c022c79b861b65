import type {
  APIGatewayEventClientCertificate,
  APIGatewayEventIdentity,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda'
import {
  addCookieHeader,
  allValues,
  contentLength,
  headerList,
  joined,
  lastValues,
  requestTime,
  shortId,
  toValueList,
  traceId,
  uuid,
  type ValueList,
} from '../lib/event-parts.js'
import { restCognitoClaims } from '../lib/gateway-claims.js'
import { routeParts } from '../lib/route-template.js'
import { basics, clientCert, executeApiArn, executeApiHost, HTTP_API_ID, lambdaAuthorizer, REST_API_ID, type Basics } from './common.js'
import { httpApiDefaultHeaders } from './http-api.js'
import type { ClientCertOption, EventOptions, LambdaAuthorizerOption } from './options.js'

// Payload format 1.0: REST APIs, REST TOKEN and REQUEST authorizers, HTTP API authorizer 1.0.

/**
 * `requestContext.authorizer` of a REST event, as {@link restEvent} takes it:
 * - `{ claims }`: a Cognito user pool authorizer. Claims are rendered as the gateway does:
 *   `exp` and `iat` as dates (`"Tue Jun 18 15:00:04 UTC 2024"`), other numbers and booleans as
 *   strings, arrays comma-joined.
 * - `{ principalId, integrationLatency?, ...context }`: a Lambda authorizer. Context values are
 *   turned into strings, as the gateway does; `integrationLatency` defaults to 0.
 *
 * @example
 * ```ts
 * const cognito: RestAuthorizerOption = { claims: { sub: 'alice', 'cognito:groups': ['admin', 'editor'] } }
 * const lambda: RestAuthorizerOption = { principalId: 'user|alice', tenantId: 'acme', admin: true }
 * ```
 */
export type RestAuthorizerOption = { claims: Record<string, unknown>; principalId?: undefined } | LambdaAuthorizerOption

/**
 * Options of {@link restEvent}.
 *
 * @example
 * ```ts
 * const options: RestEventOptions = {
 *   resource: '/orders/{id}',
 *   path: '/orders/42',
 *   pathParameters: { id: '42' },
 *   identity: { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' },
 * }
 * ```
 */
export interface RestEventOptions extends EventOptions {
  /** The resource template. Default: the path, or `route`'s template. */
  resource?: string
  /**
   * The gateway's method and resource (`'DELETE /orders/{id}'`, `'ANY /{proxy+}'`), from which
   * `resource`, `pathParameters` (each variable's segment of `path`, the rest of it for
   * `{name+}`) and `httpMethod` (`method`, or `GET`, under `ANY`) are derived. `path` is then
   * required when the resource has variables. Throws when `path` or `method` could not reach it.
   * Default: absent.
   */
  route?: string
  /** `pathParameters`. Default is `null`, or derived from `route`. */
  pathParameters?: Record<string, string>
  /** `stageVariables`. Default is `null`. */
  stageVariables?: Record<string, string>
  /**
   * Merged over `requestContext.identity`, whose fields are all `null` by default but `sourceIp`
   * and `userAgent`. Set `userArn`, `accountId`, `caller`, `user`, `accessKey` for an IAM caller.
   */
  identity?: Partial<APIGatewayEventIdentity>
  /** Adds `requestContext.identity.clientCert` (mTLS). Default: absent. */
  clientCert?: ClientCertOption
  /** `requestContext.authorizer`. Default: absent. */
  authorizer?: RestAuthorizerOption
}

/**
 * Options of {@link authorizerTokenEvent}: `token` or `bearer` is required.
 *
 * @example
 * ```ts
 * const a: AuthorizerTokenEventOptions = { bearer: jwt }                  // authorizationToken: 'Bearer <jwt>'
 * const b: AuthorizerTokenEventOptions = { token: 'Basic dXNlcjpwYXNz' }  // exactly this
 * ```
 */
export interface AuthorizerTokenEventOptions extends Pick<EventOptions, 'method' | 'path' | 'region' | 'accountId' | 'apiId' | 'stage'> {
  /** `authorizationToken` verbatim: the whole header value the gateway passes (scheme included). */
  token?: string
  /** Shorthand for `token: 'Bearer ' + bearer`. */
  bearer?: string
  /** Default: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method><path>`. */
  methodArn?: string
}

/**
 * Options of {@link authorizerRequestEvent} (REST REQUEST authorizer).
 *
 * @example
 * ```ts
 * const options: AuthorizerRequestEventOptions = { bearer: jwt, resource: '/orders/{id}', path: '/orders/42', pathParameters: { id: '42' } }
 * ```
 */
export interface AuthorizerRequestEventOptions extends Omit<RestEventOptions, 'authorizer'> {
  /** Default: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method><path>`. */
  methodArn?: string
}

/**
 * Options of {@link httpAuthorizerEventV1} (HTTP API authorizer, payload 1.0).
 *
 * @example
 * ```ts
 * const options: HttpAuthorizerEventV1Options = { bearer: jwt, identitySource: ['Bearer ' + jwt] }
 * ```
 */
export interface HttpAuthorizerEventV1Options extends EventOptions {
  /** The identity source values; joined by commas into `identitySource` and `authorizationToken`. Default: the `Authorization` header, if any. */
  identitySource?: string[]
  pathParameters?: Record<string, string>
  stageVariables?: Record<string, string>
  clientCert?: ClientCertOption
  /** Default: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method><path>`. */
  methodArn?: string
}

/**
 * The HTTP API authorizer event of payload format 1.0 (`@types/aws-lambda` has no type for it).
 *
 * @example
 * ```ts
 * const event: HttpAuthorizerEventV1 = httpAuthorizerEventV1({ bearer: jwt })
 * event.identitySource // 'Bearer <jwt>'
 * ```
 */
export interface HttpAuthorizerEventV1 {
  version: '1.0'
  type: 'REQUEST'
  methodArn: string
  identitySource: string
  authorizationToken: string
  resource: string
  path: string
  httpMethod: string
  headers: Record<string, string>
  queryStringParameters: Record<string, string>
  pathParameters: Record<string, string>
  stageVariables: Record<string, string>
  requestContext: {
    path: string
    accountId: string
    resourceId: string
    stage: string
    requestId: string
    identity: { sourceIp: string; clientCert?: APIGatewayEventClientCertificate }
    resourcePath: string
    httpMethod: string
    apiId: string
  }
}

function restDefaultHeaders(host: string, b: Basics, options: EventOptions): Record<string, string> {
  return {
    Accept: '*/*',
    'Content-Length': contentLength(options.body, options.isBase64Encoded ?? false),
    Host: host,
    'User-Agent': b.userAgent,
    'X-Amzn-Trace-Id': traceId(b.epochMs),
    'X-Forwarded-For': b.sourceIp,
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  }
}

function restHeaders(options: EventOptions, defaults: Record<string, string>): ValueList {
  const list = headerList({ defaults, headers: options.headers, bearer: options.bearer, lowerCase: false })
  addCookieHeader(list, options.cookies, 'Cookie')
  return list
}

function restIdentity(b: Basics, options: RestEventOptions | AuthorizerRequestEventOptions): APIGatewayEventIdentity {
  const identity: Record<string, unknown> = {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: b.sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: b.userAgent,
    user: null,
  }
  if (options.clientCert !== undefined) identity.clientCert = clientCert(options.clientCert)
  return { ...identity, ...options.identity } as APIGatewayEventIdentity
}

function restRequestContext(
  b: Basics,
  options: RestEventOptions | AuthorizerRequestEventOptions,
  apiId: string,
  stage: string,
  resource: string,
  authorizer: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const requestContext: Record<string, unknown> = { resourceId: 'a1b2c3' }
  if (authorizer !== undefined) requestContext.authorizer = authorizer
  Object.assign(requestContext, {
    resourcePath: resource,
    httpMethod: b.method,
    extendedRequestId: shortId(),
    requestTime: requestTime(b.epochMs),
    path: `/${stage}${b.path}`,
    accountId: b.accountId,
    protocol: 'HTTP/1.1',
    stage,
    domainPrefix: apiId,
    requestTimeEpoch: b.epochMs,
    requestId: uuid(),
    identity: restIdentity(b, options),
    domainName: executeApiHost(apiId, b.region),
    deploymentId: 'd4e5f6',
    apiId,
  })
  return { ...requestContext, ...options.requestContext }
}

function restAuthorizer(option: RestAuthorizerOption | undefined): Record<string, unknown> | undefined {
  if (option === undefined) return undefined
  if (option.principalId === undefined && 'claims' in option) return { claims: restCognitoClaims(option.claims) }
  return lambdaAuthorizer(option)
}

/**
 * An API Gateway REST API proxy event (payload format 1.0), shaped like a real capture.
 *
 * Headers keep their case and appear in `headers` (last value) and `multiValueHeaders` (all
 * values); cookies join the `Cookie` header; the query fills `queryStringParameters` (last value)
 * and `multiValueQueryStringParameters`, both `null` when there is none. `path` has no stage and
 * `requestContext.path` has it. `requestContext.identity` has the client's IP and user agent and
 * `null` elsewhere unless `identity` sets them (an IAM caller, a Cognito identity pool).
 *
 * @param given - see {@link RestEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { restEvent } from '@middy-auth/testing'
 *
 * const event = restEvent({ bearer: token, query: { tag: ['a', 'b'] } })
 * event.headers.Authorization                    // 'Bearer <token>'
 * event.multiValueQueryStringParameters?.tag     // ['a', 'b']
 *
 * // a resource with variables: resource '/orders/{id}', httpMethod 'DELETE', pathParameters { id: '42' }
 * const deletion = restEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
 *
 * // behind a Cognito user pool authorizer
 * const cognito = restEvent({ authorizer: { claims: { sub: 'alice', 'cognito:groups': ['admin'] } } })
 * // signed with SigV4 by an IAM user
 * const iam = restEvent({ identity: { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', accessKey: 'AKIAIOSFODNN7EXAMPLE', caller: 'AIDAEXAMPLE', user: 'AIDAEXAMPLE' } })
 * ```
 */
export function restEvent(given: RestEventOptions = {}): APIGatewayProxyEvent {
  const options = withResource(given)
  const b = basics(options)
  const apiId = options.apiId ?? REST_API_ID
  const stage = options.stage ?? 'prod'
  const resource = options.resource ?? b.path
  const headers = restHeaders(options, restDefaultHeaders(executeApiHost(apiId, b.region), b, options))
  const query = toValueList(options.query)
  return {
    resource,
    path: b.path,
    httpMethod: b.method,
    headers: lastValues(headers),
    multiValueHeaders: allValues(headers),
    queryStringParameters: query.length > 0 ? lastValues(query) : null,
    multiValueQueryStringParameters: query.length > 0 ? allValues(query) : null,
    pathParameters: options.pathParameters === undefined ? null : { ...options.pathParameters },
    stageVariables: options.stageVariables === undefined ? null : { ...options.stageVariables },
    requestContext: restRequestContext(b, options, apiId, stage, resource, restAuthorizer(options.authorizer)),
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
  } as unknown as APIGatewayProxyEvent
}

/**
 * A REST API TOKEN authorizer event: `{ type: 'TOKEN', methodArn, authorizationToken }`.
 *
 * @param options - `token` (verbatim) or `bearer` (prefixed with `Bearer `) is required;
 *   `methodArn` defaults from `region`, `accountId`, `apiId`, `stage` (`prod`), `method`, `path`.
 * @throws TypeError when neither `token` nor `bearer` is given.
 *
 * @example
 * ```ts
 * import { authorizerTokenEvent } from '@middy-auth/testing'
 *
 * const event = authorizerTokenEvent({ bearer: token })
 * // { type: 'TOKEN', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/GET/orders', authorizationToken: 'Bearer <token>' }
 * const basic = authorizerTokenEvent({ token: 'Basic dXNlcjpwYXNz' })
 * ```
 */
export function authorizerTokenEvent(options: AuthorizerTokenEventOptions): APIGatewayTokenAuthorizerEvent {
  const token = options.token ?? (options.bearer === undefined ? undefined : `Bearer ${options.bearer}`)
  if (token === undefined) throw new TypeError('authorizerTokenEvent: give `token` (the header value) or `bearer`')
  const b = basics(options)
  const apiId = options.apiId ?? REST_API_ID
  return {
    type: 'TOKEN',
    methodArn: options.methodArn ?? executeApiArn(b, apiId, `${options.stage ?? 'prod'}/${b.method}${b.path}`),
    authorizationToken: token,
  }
}

/**
 * A REST API REQUEST authorizer event, shaped like a real capture: the request as in
 * {@link restEvent} plus `type` and `methodArn`; empty maps are `{}` (not `null`); there is no
 * `requestContext.authorizer`, `body` or `isBase64Encoded`.
 *
 * @param options - see {@link AuthorizerRequestEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { authorizerRequestEvent } from '@middy-auth/testing'
 *
 * const event = authorizerRequestEvent({ cookies: { session: sessionJwt }, method: 'POST' })
 * event.headers?.Cookie // 'session=<jwt>'
 * ```
 */
export function authorizerRequestEvent(options: AuthorizerRequestEventOptions = {}): APIGatewayRequestAuthorizerEvent {
  const b = basics(options)
  const apiId = options.apiId ?? REST_API_ID
  const stage = options.stage ?? 'prod'
  const resource = options.resource ?? b.path
  const headers = restHeaders(options, restDefaultHeaders(executeApiHost(apiId, b.region), b, options))
  const query = toValueList(options.query)
  return {
    type: 'REQUEST',
    methodArn: options.methodArn ?? executeApiArn(b, apiId, `${stage}/${b.method}${b.path}`),
    resource,
    path: b.path,
    httpMethod: b.method,
    headers: lastValues(headers),
    multiValueHeaders: allValues(headers),
    queryStringParameters: lastValues(query),
    multiValueQueryStringParameters: allValues(query),
    pathParameters: { ...options.pathParameters },
    stageVariables: { ...options.stageVariables },
    requestContext: restRequestContext(b, options, apiId, stage, resource, undefined),
  } as unknown as APIGatewayRequestAuthorizerEvent
}

/**
 * An HTTP API Lambda authorizer event, payload format 1.0, shaped like the AWS docs' sample:
 * `version: '1.0'`, `identitySource` and `authorizationToken` as one comma-joined string, a
 * REST-like request with lower-cased single-value `headers` and `queryStringParameters`, and a
 * small `requestContext` (no `multiValue*` maps).
 *
 * @param options - see {@link HttpAuthorizerEventV1Options} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { httpAuthorizerEventV1 } from '@middy-auth/testing'
 *
 * const event = httpAuthorizerEventV1({ bearer: token })
 * event.identitySource      // 'Bearer <token>'
 * event.authorizationToken  // 'Bearer <token>'
 * ```
 */
export function httpAuthorizerEventV1(options: HttpAuthorizerEventV1Options = {}): HttpAuthorizerEventV1 {
  const b = basics(options)
  const apiId = options.apiId ?? HTTP_API_ID
  const stage = options.stage ?? '$default'
  const list = headerList({
    defaults: httpApiDefaultHeaders(executeApiHost(apiId, b.region), b, options),
    headers: options.headers,
    bearer: options.bearer,
    lowerCase: true,
  })
  addCookieHeader(list, options.cookies, 'cookie')
  const headers = joined(list)
  const authorization = headers.authorization
  const identitySource = (options.identitySource ?? (authorization === undefined ? [] : [authorization])).join(',')
  const identity: HttpAuthorizerEventV1['requestContext']['identity'] = { sourceIp: b.sourceIp }
  if (options.clientCert !== undefined) identity.clientCert = clientCert(options.clientCert)
  return {
    version: '1.0',
    type: 'REQUEST',
    methodArn: options.methodArn ?? executeApiArn(b, apiId, `${stage}/${b.method}${b.path}`),
    identitySource,
    authorizationToken: identitySource,
    resource: b.path,
    path: b.path,
    httpMethod: b.method,
    headers,
    queryStringParameters: joined(toValueList(options.query)),
    pathParameters: { ...options.pathParameters },
    stageVariables: { ...options.stageVariables },
    requestContext: {
      path: b.path,
      accountId: b.accountId,
      resourceId: 'a1b2c3d',
      stage,
      requestId: shortId(),
      identity,
      resourcePath: b.path,
      httpMethod: b.method,
      apiId,
      ...options.requestContext,
    },
  }
}

/** The options with what `route` says filled in (`resource`, `method`, `path`, `pathParameters`). */
function withResource(options: RestEventOptions): RestEventOptions {
  if (options.route === undefined) return options
  if (options.resource !== undefined) throw new Error('restEvent: give route or resource, not both')
  const route = routeParts(options.route, options, 'restEvent')
  const pathParameters = options.pathParameters ?? route.pathParameters
  return { ...options, resource: route.template, method: route.method, path: route.path, ...(pathParameters && { pathParameters }) }
}
