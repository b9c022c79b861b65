/**
 * A tiny local stand-in for API Gateway HTTP API: a `node:http` server on 127.0.0.1 that turns
 * each request into a payload format 2.0 event, invokes a Lambda handler with it, and writes the
 * handler's result back the way the gateway does. For demos and tests, not for production.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { lambdaContext } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'

/**
 * Any Lambda handler that takes an HTTP API event; a Middy handler is one. The gateway calls it
 * with `(event, context)` only (`...rest: never[]` lets Middy's optional third argument through).
 *
 * `TContext`: Middy types a handler's outer signature with the context its middlewares produce
 * (`Context & { auth }` after `jwtVerify`), although Lambda, and this gateway, pass a plain
 * `Context` that the middlewares then complete.
 */
export type HttpApiHandler<TContext extends Context = Context> = (event: APIGatewayProxyEventV2, context: TContext, ...rest: never[]) => unknown

export interface GatewayOptions<TContext extends Context = Context> {
  /** The function behind every route (`$default`). */
  handler: HttpApiHandler<TContext>
  /** The port to listen on. Default: the `PORT` environment variable, else 0 (a free port). */
  port?: number
  /** Default `'127.0.0.1'`: the gateway is for this machine only. */
  host?: string
  /** The `routeKey` of the events. Default `'$default'` (one catch-all route). */
  routeKey?: string
  /** The `functionName` of the Lambda context. Default `'orders-api'`. */
  functionName?: string
  /** Like API Gateway's integration timeout, in milliseconds: after it, 503. Default 30000. */
  timeoutMs?: number
  /** Called with one line when the handler fails or returns what the gateway cannot use. Default `console.error`. */
  log?: (line: string) => void
}

export interface Gateway {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string
  readonly port: number
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
const ACCOUNT_ID = '123456789012'
const API_ID = 'local'
/** Connection-level headers: the gateway does not pass them on to the function. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `PORT` from the environment, or 0. A bad value is an error, not a silent fallback. */
export const portFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env.PORT
  if (raw === undefined || raw === '') return 0
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`PORT must be a port number (0-65535), got ${JSON.stringify(raw)}`)
  return port
}

/** API Gateway's `requestContext.time`: `27/Nov/2025:20:55:01 +0000`. */
const requestTime = (epochMs: number): string => {
  const d = new Date(epochMs)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

/** Bodies of these types reach the function as text; anything else is base64-encoded. */
const isTextual = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return true
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return type.startsWith('text/') || /[/+](json|xml)$/.test(type) || type === 'application/x-www-form-urlencoded' || type === 'application/javascript'
}

const plainIp = (address: string | undefined): string => (address ?? '127.0.0.1').replace(/^::ffff:/, '')

/** Lower-cased header names, repeats comma-joined in arrival order, as HTTP API does. */
const joinHeaders = (rawHeaders: readonly string[]): Map<string, string> => {
  const headers = new Map<string, string>()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    const value = rawHeaders[i + 1] as string
    const previous = headers.get(name)
    headers.set(name, previous === undefined ? value : `${previous},${value}`)
  }
  return headers
}

/** Every `name=value` of every `Cookie` header, in order (the gateway's `cookies[]`). */
const cookiesOf = (rawHeaders: readonly string[]): string[] => {
  const cookies: string[] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== 'cookie') continue
    for (const part of (rawHeaders[i + 1] as string).split(';')) if (part.trim() !== '') cookies.push(part.trim())
  }
  return cookies
}

export interface EventDetails {
  /** The request body as received. */
  body: Buffer
  routeKey?: string
  requestId?: string
  /** Milliseconds since the epoch. */
  now?: number
}

/**
 * The HTTP API (payload 2.0) event for a request, shaped like a capture: lower-cased headers
 * with repeats comma-joined; cookies moved from `cookie` to `cookies[]`; the query in
 * `rawQueryString` and, decoded with repeats comma-joined, in `queryStringParameters`; the
 * `x-forwarded-*` and `x-amzn-trace-id` headers the gateway adds, without the connection-level
 * ones; a text body as it is, any other base64-encoded (`isBase64Encoded: true`). `cookies`,
 * `queryStringParameters` and `body` are present only when there is something to put in them.
 */
export const toHttpApiEvent = (request: IncomingMessage, details: EventDetails): APIGatewayProxyEventV2 => {
  const now = details.now ?? Date.now()
  const requestId = details.requestId ?? newRequestId()
  const routeKey = details.routeKey ?? '$default'
  const target = request.url ?? '/'
  const queryAt = target.indexOf('?')
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt)
  const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1)
  const sourceIp = plainIp(request.socket.remoteAddress)

  const headers = joinHeaders(request.rawHeaders)
  headers.delete('cookie')
  for (const name of HOP_BY_HOP) headers.delete(name)
  const cookies = cookiesOf(request.rawHeaders)
  headers.set('x-forwarded-for', headers.has('x-forwarded-for') ? `${headers.get('x-forwarded-for')}, ${sourceIp}` : sourceIp)
  headers.set('x-forwarded-port', String(request.socket.localPort ?? 80))
  headers.set('x-forwarded-proto', 'http')
  headers.set('x-amzn-trace-id', `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`)

  const query = new Map<string, string>()
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = query.get(name)
    query.set(name, previous === undefined ? value : `${previous},${value}`)
  }

  const textual = isTextual(headers.get('content-type'))
  const host = headers.get('host') ?? '127.0.0.1'
  const domainName = host.replace(/:\d+$/, '')
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: Object.fromEntries(headers),
    ...(query.size > 0 ? { queryStringParameters: Object.fromEntries(query) } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers.get('user-agent') ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now,
    },
    ...(details.body.length > 0 ? { body: details.body.toString(textual ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: details.body.length > 0 && !textual,
  }
  return event
}

const json = (statusCode: number, value: unknown): GatewayResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(value)),
})

const gatewayError = (statusCode: 500 | 503 | 413, message: string): GatewayResponse => json(statusCode, { message })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

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
  const { statusCode, headers, cookies, body, isBase64Encoded } = result
  const status = typeof statusCode === 'string' ? Number(statusCode) : statusCode
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    return { response: gatewayError(500, 'Internal Server Error'), problem: `invalid statusCode ${JSON.stringify(statusCode)}` }
  }
  const out: Record<string, string | string[]> = {}
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return { response: gatewayError(500, 'Internal Server Error'), problem: 'headers is not an object' }
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value)
    }
  }
  if (Array.isArray(cookies) && cookies.length > 0) out['set-cookie'] = cookies.map(String)
  const text = body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  return { response: { statusCode: status, headers: out, body: Buffer.from(text, isBase64Encoded === true ? 'base64' : 'utf8') } }
}

const newRequestId = (): string => randomBytes(11).toString('base64')

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

/** Invokes the handler, with the gateway's integration timeout. */
const invoke = async <TContext extends Context>(handler: HttpApiHandler<TContext>, event: APIGatewayProxyEventV2, context: TContext, timeoutMs: number) => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`integration timed out after ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return { result: await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]) }
  } catch (error) {
    return { error: error as Error, timedOut: (error as Error).message.startsWith('integration timed out') }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts the gateway. Each request becomes one invocation of `handler` with a fresh event and a
 * Lambda context; the handler is reused across requests, as a warm Lambda function is.
 *
 * @example
 * ```ts
 * const gateway = await startGateway({ handler: createHandler(issuer.issuer) })
 * const res = await fetch(`${gateway.url}/orders`, { headers: { authorization: `Bearer ${token}` } })
 * await gateway.close()
 * ```
 */
export const startGateway = async <TContext extends Context>(options: GatewayOptions<TContext>): Promise<Gateway> => {
  const { handler } = options
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? portFromEnv()
  const routeKey = options.routeKey ?? '$default'
  const functionName = options.functionName ?? 'orders-api'
  const timeoutMs = options.timeoutMs ?? 30_000
  const log = options.log ?? ((line: string) => console.error(line))

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId()
    const body = await readBody(req)
    if (body === undefined) {
      send(res, gatewayError(413, 'Request Entity Too Large'), requestId)
      return
    }
    const event = toHttpApiEvent(req, { body, routeKey, requestId })
    // A plain Lambda context, as Lambda passes; the handler's middlewares add the rest (see HttpApiHandler).
    const context = lambdaContext({ functionName, getRemainingTimeInMillis: deadlineIn(timeoutMs) }) as TContext
    const outcome = await invoke(handler, event, context, timeoutMs)
    if ('error' in outcome) {
      log(`[gateway] ${req.method} ${event.rawPath}: ${outcome.timedOut ? 'timed out' : 'the function failed'}: ${outcome.error?.message ?? String(outcome.error)}`)
      send(res, outcome.timedOut ? gatewayError(503, 'Service Unavailable') : gatewayError(500, 'Internal Server Error'), requestId)
      return
    }
    const { response, problem } = toHttpResponse(outcome.result)
    if (problem) log(`[gateway] ${req.method} ${event.rawPath}: malformed Lambda proxy response: ${problem}`)
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
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

const deadlineIn = (ms: number): (() => number) => {
  const deadline = Date.now() + ms
  return () => Math.max(0, deadline - Date.now())
}
