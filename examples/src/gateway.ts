/**
 * A small local stand-in for API Gateway: a `node:http` server on 127.0.0.1 that routes each
 * request as an HTTP API (or a REST API) does, authorizes it as the route says (SigV4 against
 * local credentials for `AWS_IAM`, a Lambda authorizer with the gateway's cache for `CUSTOM`),
 * turns it into the event API Gateway would send (see `events.ts`), invokes the route's Lambda
 * handler, and writes the handler's result back the way the gateway does. For demos and tests,
 * not for production.
 *
 * Not simulated: IAM's own permission check of an `AWS_IAM` caller (every known signer passes the
 * gateway; the function's `iamContext` allow-lists decide), JWT and Cognito authorizers, mutual
 * TLS, stage variables, API keys and usage plans, custom gateway responses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { lambdaContext } from '@middy-auth/testing'
import {
  executeApiArn,
  HTTP_STAGE,
  httpApiAuthorizerEvent,
  httpApiEvent,
  LOCAL_API,
  newRequestId,
  receive,
  REST_STAGE,
  restApiEvent,
  restRequestAuthorizerEvent,
  restTokenAuthorizerEvent,
  type ReceivedRequest,
  type RestIdentityCaller,
  type RouteMatch,
} from './events.js'
import {
  answerAllows,
  AuthorizerCache,
  identityValues,
  parseIdentitySources,
  readAnswer,
  type AuthorizerAnswer,
  type IdentitySourceRef,
  type LambdaAuthorizer,
  type LambdaFunction,
} from './lambda-authorizer.js'
import { verifySignature, type LocalCredentials } from './sigv4.js'

export type { LambdaAuthorizer, LambdaFunction } from './lambda-authorizer.js'
export type { LocalCredentials } from './sigv4.js'

/** How a route is authorized: not at all (the function decides), SigV4, or a Lambda authorizer. */
export type RouteAuthorization =
  { type: 'NONE' } | { type: 'AWS_IAM'; credentials: readonly LocalCredentials[] } | { type: 'CUSTOM'; authorizer: LambdaAuthorizer }

/** One route of the API and the function behind it. */
export interface GatewayRoute {
  /** `GET /orders`, `DELETE /orders/{id}`, `ANY /files/{proxy+}`, or `$default`. */
  route: string
  handler: LambdaFunction
  /** Default `{ type: 'NONE' }`. */
  authorization?: RouteAuthorization
}

export interface GatewayOptions {
  /** The function behind `$default`: every request no other route takes. */
  handler?: LambdaFunction
  /** The API's routes; the most specific match wins, as on API Gateway. */
  routes?: readonly GatewayRoute[]
  /** `'http'` (HTTP API, payload 2.0, the default) or `'rest'` (REST API, payload 1.0). */
  api?: 'http' | 'rest'
  /** The port to listen on. Default: the `PORT` environment variable, else 0 (a free port). */
  port?: number
  /** Default `'127.0.0.1'`: the gateway is for this machine only. */
  host?: string
  /** The `functionName` of the Lambda context. Default `'orders-api'`. */
  functionName?: string
  /** Like API Gateway's integration timeout, in milliseconds: after it, 503. Default 30000. */
  timeoutMs?: number
  /** The gateway's clock (SigV4 dates, the authorizer cache), in milliseconds. Default `Date.now`. */
  now?: () => number
  /** Called with one line when a function fails or returns what the gateway cannot use. Default `console.error`. */
  log?: (line: string) => void
}

export interface Gateway {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string
  readonly port: number
  /** The region the API is in, to which SigV4 signatures must be scoped. */
  readonly region: string
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>
}

/** What the gateway sends back. */
export interface GatewayResponse {
  statusCode: number
  headers: Record<string, string | string[]>
  body: Buffer
}

/** Lambda's synchronous invocation payload limit: a bigger request never reaches the function. */
const MAX_BODY_BYTES = 6 * 1024 * 1024

/** `PORT` from the environment, or 0. A bad value is an error, not a silent fallback. */
export const portFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env.PORT
  if (raw === undefined || raw === '') return 0
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`PORT must be a port number (0-65535), got ${JSON.stringify(raw)}`)
  return port
}

const json = (statusCode: number, value: unknown): GatewayResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(value)),
})

/** API Gateway's own answers: `{"message": "..."}`. */
const gatewayError = (statusCode: number, message: string): GatewayResponse => json(statusCode, { message })

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const statusOf = (statusCode: unknown): number | undefined => {
  const status = typeof statusCode === 'string' ? Number(statusCode) : statusCode
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined
}

const headersOf = (headers: unknown, into: Record<string, string | string[]>): boolean => {
  if (headers === undefined || headers === null) return true
  if (!isRecord(headers)) return false
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue
    into[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return true
}

const bodyOf = (body: unknown, isBase64Encoded: unknown): Buffer => {
  const text = body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  return Buffer.from(text, isBase64Encoded === true ? 'base64' : 'utf8')
}

/**
 * The HTTP response for a handler's result, by the payload 2.0 rules: a result with `statusCode`
 * is a response (`headers`, `cookies`, `body`, `isBase64Encoded`); anything else is a 200 whose
 * JSON body is the result (a string is sent as it is). A response the gateway cannot use is a
 * 500, as API Gateway answers, with the reason in `problem` for the log.
 */
export const toHttpResponse = (result: unknown): { response: GatewayResponse; problem?: string } => {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null)
    return { response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) } }
  }
  const status = statusOf(result.statusCode)
  if (status === undefined) return { response: gatewayError(500, 'Internal Server Error'), problem: `invalid statusCode ${JSON.stringify(result.statusCode)}` }
  const out: Record<string, string | string[]> = {}
  if (!headersOf(result.headers, out)) return { response: gatewayError(500, 'Internal Server Error'), problem: 'headers is not an object' }
  if (Array.isArray(result.cookies) && result.cookies.length > 0) out['set-cookie'] = result.cookies.map(String)
  return { response: { statusCode: status, headers: out, body: bodyOf(result.body, result.isBase64Encoded) } }
}

/**
 * The HTTP response for a handler's result behind a REST API (payload 1.0): only a proxy
 * response (`statusCode`, `headers`, `multiValueHeaders`, `body`) will do; anything else is a 502,
 * as API Gateway answers a malformed Lambda proxy response.
 */
export const toRestResponse = (result: unknown): { response: GatewayResponse; problem?: string } => {
  const malformed = (problem: string) => ({ response: gatewayError(502, 'Internal server error'), problem })
  if (!isRecord(result)) return malformed('the result is not an object with statusCode')
  const status = statusOf(result.statusCode)
  if (status === undefined) return malformed(`invalid statusCode ${JSON.stringify(result.statusCode)}`)
  const out: Record<string, string | string[]> = {}
  if (!headersOf(result.multiValueHeaders, out) || !headersOf(result.headers, out)) return malformed('headers is not an object')
  return { response: { statusCode: status, headers: out, body: bodyOf(result.body, result.isBase64Encoded) } }
}

type Segment = { kind: 'static'; value: string } | { kind: 'param' | 'greedy'; name: string }

interface CompiledRoute {
  routeKey: string
  resource: string
  method: string
  /** `undefined` for `$default`. */
  segments: Segment[] | undefined
  handler: LambdaFunction
  authorization: RouteAuthorization
  /** For a `CUSTOM` route: its identity sources and its cache (one per authorizer, shared by its routes). */
  authorizer?: { config: LambdaAuthorizer; sources: IdentitySourceRef[]; cache: AuthorizerCache }
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/[^\s?#]*)$/

const compileSegments = (path: string, routeKey: string): Segment[] =>
  path
    .split('/')
    .slice(1)
    .map((part, index, all) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part)
      if (!param) return { kind: 'static', value: part }
      if (param[2] === '+' && index !== all.length - 1) throw new TypeError(`gateway: route ${routeKey}: a greedy {${param[1]}+} must be the last segment`)
      return { kind: param[2] === '+' ? 'greedy' : 'param', name: param[1] as string }
    })

const compileRoutes = (routes: readonly GatewayRoute[], api: 'http' | 'rest'): CompiledRoute[] => {
  const caches = new Map<LambdaAuthorizer, { sources: IdentitySourceRef[]; cache: AuthorizerCache }>()
  return routes.map((route) => {
    const authorization = route.authorization ?? { type: 'NONE' }
    let authorizer: CompiledRoute['authorizer']
    if (authorization.type === 'CUSTOM') {
      const config = authorization.authorizer
      const ttl = config.ttlSeconds ?? 300
      if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600)
        throw new TypeError(`gateway: authorizer ${config.name}: ttlSeconds must be an integer from 0 to 3600`)
      if (api === 'rest' && config.responseFormat === 'simple') throw new TypeError(`gateway: authorizer ${config.name}: a REST API takes IAM policies only`)
      const shared = caches.get(config) ?? { sources: parseIdentitySources(config), cache: new AuthorizerCache(ttl * 1000) }
      if (config.type === 'TOKEN' && (shared.sources.length !== 1 || shared.sources[0]?.from !== 'header')) {
        throw new TypeError(`gateway: authorizer ${config.name}: a TOKEN authorizer reads exactly one header`)
      }
      caches.set(config, shared)
      authorizer = { config, ...shared }
    }
    if (route.route === '$default') {
      return {
        routeKey: '$default',
        resource: '/{proxy+}',
        method: 'ANY',
        segments: undefined,
        handler: route.handler,
        authorization,
        ...(authorizer ? { authorizer } : {}),
      }
    }
    const match = ROUTE_KEY.exec(route.route)
    if (!match) throw new TypeError(`gateway: route ${JSON.stringify(route.route)} is not "METHOD /path" or $default`)
    const [, method, path] = match as unknown as [string, string, string]
    return {
      routeKey: route.route,
      resource: path,
      method,
      segments: compileSegments(path, route.route),
      handler: route.handler,
      authorization,
      ...(authorizer ? { authorizer } : {}),
    }
  })
}

/** The path parameters a route takes from `parts`, or `undefined` when it does not match. */
const matchSegments = (segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined => {
  const params: Record<string, string> = {}
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = parts.slice(index)
      if (rest.length === 0 || rest.join('/') === '') return undefined
      params[segment.name] = rest.map(decodeURIComponent).join('/')
      return params
    }
    const part = parts[index]
    if (part === undefined) return undefined
    if (segment.kind === 'static' ? part !== segment.value : part === '') return undefined
    if (segment.kind === 'param') params[segment.name] = decodeURIComponent(part)
  }
  return parts.length === segments.length ? params : undefined
}

/** Static segments before parameters before greedy ones, then a method before `ANY`: API Gateway's priority. */
const rank = (route: CompiledRoute): string =>
  `${(route.segments ?? []).map((s) => (s.kind === 'static' ? 0 : s.kind === 'param' ? 1 : 2)).join('')}${route.method === 'ANY' ? 1 : 0}`

/**
 * The route that takes a request, and the path parameters it took. `$default` takes what no other
 * route does; behind a REST API it is the resource `/{proxy+}`, whose parameter is the path.
 */
const findRoute = (
  routes: readonly CompiledRoute[],
  api: 'http' | 'rest',
  method: string,
  rawPath: string,
): { route: CompiledRoute; match: RouteMatch } | undefined => {
  const parts = rawPath.split('/').slice(1)
  let best: { route: CompiledRoute; params: Record<string, string>; rank: string } | undefined
  for (const route of routes) {
    if (route.segments === undefined || (route.method !== 'ANY' && route.method !== method)) continue
    let params: Record<string, string> | undefined
    try {
      params = matchSegments(route.segments, parts)
    } catch {
      continue // a malformed %-escape matches no parameter
    }
    if (params === undefined) continue
    const routeRank = rank(route)
    if (best === undefined || routeRank < best.rank) best = { route, params, rank: routeRank }
  }
  if (best !== undefined) {
    const { route, params } = best
    return { route, match: { routeKey: route.routeKey, resource: route.resource, pathParameters: Object.keys(params).length > 0 ? params : undefined } }
  }
  const fallback = routes.find((r) => r.segments === undefined)
  if (fallback === undefined) return undefined
  const pathParameters = api === 'rest' && rawPath !== '/' ? { proxy: rawPath.slice(1) } : undefined
  return { route: fallback, match: { routeKey: fallback.routeKey, resource: fallback.resource, pathParameters } }
}

const readBody = (request: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) tooLarge = true
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)))
    request.on('error', reject)
  })

const send = (res: ServerResponse, response: GatewayResponse, requestId: string): void => {
  if (res.headersSent || res.destroyed) return
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.length), 'apigw-requestid': requestId })
  res.end(response.body)
}

/** Invokes a function with the gateway's timeout. */
const invoke = async (handler: LambdaFunction, event: unknown, functionName: string, timeoutMs: number) => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
  })
  const deadline = Date.now() + timeoutMs
  // A plain Lambda context, as Lambda passes; the function's middlewares add the rest.
  const context = lambdaContext({ functionName, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) })
  const call = handler as unknown as (event: unknown, context: unknown) => unknown
  try {
    return { result: await Promise.race([Promise.resolve().then(() => call(event, context)), timeout]) }
  } catch (error) {
    return { error: error as Error, timedOut: (error as Error).message.startsWith('timed out after') }
  } finally {
    clearTimeout(timer)
  }
}

/** What an authorization step decided: go on (with what the event's `requestContext` gets), or answer now. */
type Authorized = { authorizer?: Record<string, unknown>; caller?: RestIdentityCaller } | { refuse: GatewayResponse }

/**
 * Starts the gateway. Each request becomes one invocation of its route's function with a fresh
 * event and a Lambda context; functions are reused across requests, as warm Lambda functions are.
 *
 * @example
 * ```ts
 * const gateway = await startGateway({ routes: [{ route: 'GET /orders', handler: listOrders }] })
 * const res = await fetch(`${gateway.url}/orders`, { headers: { authorization: `Bearer ${token}` } })
 * await gateway.close()
 * ```
 */
export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const api = options.api ?? 'http'
  const routes = compileRoutes([...(options.routes ?? []), ...(options.handler ? [{ route: '$default', handler: options.handler }] : [])], api)
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? portFromEnv()
  const functionName = options.functionName ?? 'orders-api'
  const timeoutMs = options.timeoutMs ?? 30_000
  const now = options.now ?? Date.now
  const log = options.log ?? ((line: string) => console.error(line))
  const stage = api === 'http' ? HTTP_STAGE : REST_STAGE

  const signedBy = async (received: ReceivedRequest, credentials: readonly LocalCredentials[]): Promise<Authorized> => {
    const check = await verifySignature(
      { method: received.method, path: received.rawPath, rawQuery: received.rawQuery, headers: received.headers, body: received.body },
      { credentials, region: LOCAL_API.region, now: now() },
    )
    // HTTP APIs say only "Forbidden"; REST APIs say why.
    if (!check.ok) return { refuse: gatewayError(403, api === 'http' ? 'Forbidden' : check.message) }
    const { caller } = check
    const accountId = caller.arn.split(':')[4] ?? ''
    if (api === 'rest')
      return {
        caller: { accountId, caller: caller.principalId, accessKey: caller.accessKeyId, userArn: caller.arn, principalOrgId: caller.principalOrgId ?? null },
      }
    return {
      authorizer: {
        iam: {
          accessKey: caller.accessKeyId,
          accountId,
          callerId: caller.principalId,
          cognitoIdentity: null,
          principalOrgId: caller.principalOrgId ?? null,
          userArn: caller.arn,
          userId: caller.principalId,
        },
      },
    }
  }

  const askAuthorizer = async (received: ReceivedRequest, route: CompiledRoute, match: RouteMatch): Promise<Authorized> => {
    const { config, sources, cache } = route.authorizer!
    const values = identityValues(sources, { headers: received.headers, rawQuery: received.rawQuery, routeKey: match.routeKey })
    if (values === undefined) return { refuse: gatewayError(401, 'Unauthorized') }
    const started = Date.now()
    let answer: AuthorizerAnswer | undefined = cache.get(values, now())
    if (answer === undefined) {
      const event =
        api === 'http'
          ? httpApiAuthorizerEvent(received, match, values)
          : config.type === 'TOKEN'
            ? restTokenAuthorizerEvent(received, values[0] as string)
            : restRequestAuthorizerEvent(received, match)
      const outcome = await invoke(config.handler, event, config.name, timeoutMs)
      if ('error' in outcome) {
        // `throw new Error('Unauthorized')` is how an authorizer asks for a 401.
        if (outcome.error?.message === 'Unauthorized') return { refuse: gatewayError(401, 'Unauthorized') }
        log(`[gateway] authorizer ${config.name}: ${outcome.timedOut ? 'timed out' : 'failed'}: ${outcome.error?.message}`)
        return { refuse: gatewayError(500, 'Internal Server Error') }
      }
      answer = readAnswer(outcome.result, api === 'http' ? (config.responseFormat ?? 'simple') : 'iam-policy')
      if (answer === undefined) {
        log(`[gateway] authorizer ${config.name}: a response API Gateway cannot use`)
        return { refuse: gatewayError(500, 'Internal Server Error') }
      }
      cache.set(values, answer, now())
    }
    if (!answerAllows(answer, executeApiArn(stage, received.method, received.rawPath))) {
      return { refuse: gatewayError(403, api === 'http' ? 'Forbidden' : 'User is not authorized to access this resource') }
    }
    if (api === 'http') return { authorizer: { lambda: answer.context } }
    const flat: Record<string, unknown> = { principalId: answer.kind === 'policy' ? answer.principalId : '', integrationLatency: Date.now() - started }
    for (const [key, value] of Object.entries(answer.context ?? {})) {
      // A REST API passes strings, numbers and booleans on as strings, and fails on anything else.
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        log(`[gateway] authorizer ${config.name}: context.${key} is not a string, number or boolean`)
        return { refuse: gatewayError(500, 'Internal Server Error') }
      }
      flat[key] = String(value)
    }
    return { authorizer: flat }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId()
    const body = await readBody(req)
    if (body === undefined) {
      send(res, gatewayError(413, 'Request Entity Too Large'), requestId)
      return
    }
    const received = receive(req, body, { requestId, now: now() })
    const found = findRoute(routes, api, received.method, received.rawPath)
    if (found === undefined) {
      send(res, api === 'http' ? gatewayError(404, 'Not Found') : gatewayError(403, 'Missing Authentication Token'), requestId)
      return
    }
    const { route, match } = found
    const authorized: Authorized =
      route.authorization.type === 'AWS_IAM'
        ? await signedBy(received, route.authorization.credentials)
        : route.authorization.type === 'CUSTOM'
          ? await askAuthorizer(received, route, match)
          : {}
    if ('refuse' in authorized) {
      send(res, authorized.refuse, requestId)
      return
    }
    const event = api === 'http' ? httpApiEvent(received, match) : restApiEvent(received, match, authorized.caller)
    if (authorized.authorizer !== undefined) (event.requestContext as { authorizer?: unknown }).authorizer = authorized.authorizer
    const outcome = await invoke(route.handler, event, functionName, timeoutMs)
    if ('error' in outcome) {
      log(
        `[gateway] ${received.method} ${received.rawPath}: ${outcome.timedOut ? 'timed out' : 'the function failed'}: ${outcome.error?.message ?? String(outcome.error)}`,
      )
      send(res, outcome.timedOut ? gatewayError(503, 'Service Unavailable') : gatewayError(500, 'Internal Server Error'), requestId)
      return
    }
    const { response, problem } = api === 'http' ? toHttpResponse(outcome.result) : toRestResponse(outcome.result)
    if (problem) log(`[gateway] ${received.method} ${received.rawPath}: malformed Lambda proxy response: ${problem}`)
    send(res, response, requestId)
  }

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log(`[gateway] ${req.method} ${req.url}: ${(error as Error).message}`)
      send(res, gatewayError(500, 'Internal Server Error'), 'none')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    region: LOCAL_API.region,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
