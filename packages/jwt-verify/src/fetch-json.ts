import type { IncomingMessage, RequestOptions, ClientRequest } from 'node:http'
import { packageName } from './package-name.js'

/**
 * Options of {@link fetchJson}.
 *
 * @example
 * ```ts
 * import type { FetchJsonOptions } from '@middy-auth/jwt-verify/keys'
 *
 * const options: FetchJsonOptions = { timeoutMs: 3000, maxBytes: 64 * 1024, keepAlive: false }
 * ```
 */
export interface FetchJsonOptions {
  /** Milliseconds for the whole request: connection, headers and body. Required. */
  timeoutMs: number
  /** Largest accepted body, in bytes. Default is 524288 (512 KiB). */
  maxBytes?: number
  /** Aborts the request early (the promise rejects). */
  signal?: AbortSignal
  /**
   * `false` sends `Connection: close`: the connection ends with the answer instead of being
   * kept for the next request. Default `true`. The key resolver fetches each JWKS this way: its
   * next fetch comes a cooldown or `maxAgeMs` later, when an idle connection is long gone
   * (Node's agent drops one after 5 seconds), and a first request waiting for its keys is
   * spared the agent's bookkeeping of a kept socket.
   */
  keepAlive?: boolean
}

/**
 * A function with the signature of {@link fetchJson}: inject one in `createRemoteKeyResolver`
 * to fetch through a proxy, add headers, or answer from memory in tests. It must honour
 * `timeoutMs`: a fetch that never settles holds every caller waiting on it.
 *
 * @example
 * ```ts
 * import { createRemoteKeyResolver, type FetchJson } from '@middy-auth/jwt-verify/keys'
 *
 * const fetchJson: FetchJson = async () => ({ keys: [myJwk] })
 * const resolver = createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/jwks', fetchJson })
 * ```
 */
export type FetchJson = typeof fetchJson

/**
 * GETs a JSON document over `https:` (or `http:` for loopback hosts only, see
 * {@link isLoopbackUrl}) with `node:https`, which adds no cold-start cost on first use (the
 * platform's `fetch` loads its HTTP client lazily, tens of milliseconds).
 *
 * Rejects when: the URL is not fetchable ({@link assertFetchableUrl}); `timeoutMs` passes
 * before the whole body arrived; the status is not 200 (redirects are not followed: a key set
 * must come from the configured origin); the body exceeds `maxBytes` (default 512 KiB); the
 * body is not JSON; `signal` aborts. Error messages contain the URL, never the body.
 *
 * @param url - An absolute `https:` URL (or loopback `http:`).
 * @param options - `timeoutMs` (milliseconds, whole request), `maxBytes` (default 524288),
 *   `signal`, `keepAlive` (default `true`; `false` closes the connection after the answer).
 * @returns The parsed JSON value.
 *
 * @example
 * ```ts
 * import { fetchJson } from '@middy-auth/jwt-verify/keys'
 *
 * const jwks = await fetchJson('https://issuer.example.com/.well-known/jwks.json', { timeoutMs: 3000 })
 * ```
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  return fetchParsed(assertFetchableUrl(url, 'url'), { ...options, headers: acceptJson }, JSON.parse)
}

// fetchParsed copies the headers it is given: one object serves every request.
const acceptJson = { accept: 'application/json' }

/**
 * The key resolvers' JWKS GET, of a URL they have checked already (at cold start, or as
 * discovery gives it): the first request does not parse and check it again. It is
 * {@link fetchJson} with `keepAlive: false` and the default `maxBytes`, which is all the
 * resolvers ask for (a fetch of their own gets the whole options): no signal, no body, no
 * option to read. `url` must be fetchable.
 */
export function fetchCheckedJson(url: string, { timeoutMs }: Pick<FetchJsonOptions, 'timeoutMs'>): Promise<unknown> {
  return exchange(new URL(url), closingJsonGet, defaultMaxBytes, timeoutMs, JSON.parse)
}

// node:http copies the options and headers it is given: one object serves every JWKS request.
const closingJsonGet = { method: 'GET', headers: { ...acceptJson, connection: 'close' } }

// 512 KiB, the default of FetchJsonOptions.maxBytes.
const defaultMaxBytes = 524_288

/**
 * Options of {@link fetchText}: those of {@link fetchJson}, and the request's method, headers
 * and body.
 *
 * @example
 * ```ts
 * import type { FetchTextOptions } from '@middy-auth/jwt-verify/keys'
 *
 * const options: FetchTextOptions = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=…', timeoutMs: 3000 }
 * ```
 */
export interface FetchTextOptions extends FetchJsonOptions {
  /** Default `'GET'`. */
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** Sent as UTF-8, with its `content-length`. */
  body?: string
}

/**
 * `node:https` (or `node:http`), loaded on first use, never at import: neither is needed with
 * local keys. `process.getBuiltinModule` (Node 22.3+) hands it over synchronously, so the
 * request of a cold-start prefetch starts in the turn that asked for it, with no round trip
 * through the ES module loader (`import()` added a loop turn and its own bookkeeping); older
 * Node 22 releases fall back to `import()`.
 */
const httpClient = (name: 'node:https' | 'node:http'): HttpClient | Promise<HttpClient> => process.getBuiltinModule?.(name) ?? import(name)

/** What is used of `node:https` and `node:http`. */
interface HttpClient {
  request: (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest
}

/**
 * {@link fetchJson}'s HTTP exchange, for any text answer: one request to a fetchable URL
 * (`https:`, or `http:` on loopback) with `node:https`, resolving with the body of a 200 answer.
 * It rejects, with a message naming the method and URL and never the body, on a timeout (one
 * timer for the whole exchange: a server trickling bytes does not hold it longer), any other
 * status (redirects are not followed: a credential must not go anywhere else), a body over
 * `maxBytes`, a broken connection, or `signal`. A kept-alive socket the server closed while idle
 * is retried once on a fresh connection. `@middy-auth/token-introspection` POSTs its form with it.
 *
 * @example
 * ```ts
 * import { fetchText } from '@middy-auth/jwt-verify/keys'
 *
 * const body = await fetchText('https://issuer.example.com/introspect', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
 *   body: new URLSearchParams({ token: 'opaque' }).toString(),
 *   timeoutMs: 3000,
 * })
 * ```
 */
export async function fetchText(url: string, options: FetchTextOptions): Promise<string> {
  return fetchParsed(assertFetchableUrl(url, 'url'), options, (text) => text)
}

/**
 * {@link fetchText} and {@link fetchJson} of `target`, a fetchable URL, with every option:
 * builds the request the {@link exchange} sends, resolving with what `parse` makes of the body.
 */
async function fetchParsed<T>(target: URL, options: FetchTextOptions, parse: (text: string) => T): Promise<T> {
  const { timeoutMs, maxBytes = defaultMaxBytes, signal, method = 'GET', headers, body, keepAlive = true } = options
  signal?.throwIfAborted()
  const payload = body === undefined ? undefined : Buffer.from(body)
  const requestHeaders: Record<string, string> = { ...headers }
  if (payload) requestHeaders['content-length'] = String(payload.length)
  if (keepAlive === false) requestHeaders.connection = 'close'
  return exchange(target, { method, headers: requestHeaders }, maxBytes, timeoutMs, parse, payload, signal && abortsWith(signal))
}

/** How an exchange fails: with a message, which it prefixes with the method and URL, and a cause. */
type Fail = (message: string, cause?: unknown) => void

/**
 * Wires `signal` to an exchange: its abort fails the exchange (`aborted`, with the signal's
 * reason as cause), at once when it is aborted already (while `node:https` was loading).
 * Returns what unwires it, which the exchange calls when it settles.
 */
function abortsWith(signal: AbortSignal): (fail: Fail) => () => void {
  return (fail) => {
    const onAbort = (): void => fail('aborted', signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort)
    return () => signal.removeEventListener('abort', onAbort)
  }
}

/**
 * The HTTP exchange of every fetch here, written once: one request (`init`: its method and
 * complete headers) to `target`, a fetchable URL, resolving with what `parse` makes of the body
 * of a 200 answer (a `parse` that throws: `body is not JSON`). See {@link fetchText} for when it
 * rejects.
 *
 * @param maxBytes - The largest body accepted, in bytes.
 * @param timeoutMs - Milliseconds for the whole exchange.
 * @param payload - The request's body, if any (its headers say how long it is).
 * @param attach - Wires an outside cause of failure (a signal: {@link abortsWith}) to the
 *   exchange once its timer runs, and returns what unwires it.
 */
async function exchange<T>(
  target: URL,
  init: { method: string; headers: Record<string, string> },
  maxBytes: number,
  timeoutMs: number,
  parse: (text: string) => T,
  payload?: Buffer,
  attach?: (fail: Fail) => () => void,
): Promise<T> {
  // `https:` or `http:`, as fetchable URLs are: the module of that name.
  const { request } = await httpClient(`node:${target.protocol.slice(0, -1) as 'https' | 'http'}`)

  return new Promise<T>((resolve, reject) => {
    let req: ClientRequest | undefined
    let settled = false
    // Whether a response arrived: then an error of the request is not retried.
    let responded = false
    // What unwires `attach`: set once, after finish is defined, which may run first (when the
    // signal had aborted already, attach fails the exchange at once).
    // eslint-disable-next-line prefer-const -- finish reads it before that assignment
    let detach: (() => void) | undefined
    function finish(error: Error | undefined, value?: T): void {
      if (settled) return
      settled = true
      clearTimeout(timer)
      detach?.()
      if (error) {
        req?.destroy()
        reject(error)
      } else {
        resolve(value as T)
      }
    }
    function fail(message: string, cause?: unknown): void {
      finish(new Error(`${init.method} ${target.href}: ${message}`, cause === undefined ? undefined : { cause }))
    }
    const failWith = (error: Error): void => fail(error.message, error)
    // One timer for the whole exchange: a server that trickles bytes must not hold us longer.
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
    detach = attach?.(fail)

    function onResponse(res: IncomingMessage): void {
      responded = true
      const { statusCode, headers: responseHeaders } = res
      if (statusCode !== 200) {
        res.resume()
        // A server that says when to come back (429, 503) is listened to: the key resolver
        // waits at least that long before its next attempt (see retryAfterMsOf). Retry-After
        // (RFC 9110 §10.2.3) is delta-seconds or an HTTP date; an unreadable date is NaN,
        // which is no cause.
        const retryAfter = (responseHeaders['retry-after'] ?? '').trim()
        const retryAfterMs = /^\d{1,10}$/.test(retryAfter) ? Number(retryAfter) * 1000 : Math.max(0, Date.parse(retryAfter) - Date.now())
        return fail(`expected HTTP 200, got ${statusCode}`, retryAfterMs >= 0 ? { retryAfterMs } : undefined)
      }
      const tooLarge = `body exceeds ${maxBytes} bytes`
      if (Number(responseHeaders['content-length']) > maxBytes) return fail(tooLarge)
      const chunks: Buffer[] = []
      let size = 0
      res
        .on('data', (chunk: Buffer) => {
          if ((size += chunk.length) > maxBytes) fail(tooLarge)
          else chunks.push(chunk)
        })
        .on('end', () => {
          // Only parse can throw here: finish does not.
          try {
            finish(undefined, parse(Buffer.concat(chunks, size).toString()))
          } catch (error) {
            // The response is complete, its socket back in the agent's pool: the failure's
            // destroy() does nothing to a finished request (fetch-json.test.ts holds it).
            fail('body is not JSON', error)
          }
        })
        .on('error', failWith)
        .on('close', () => {
          if (!res.complete) fail('connection closed before the body was complete')
        })
    }
    function send(isRetry: boolean): void {
      let current: ClientRequest
      try {
        current = req = request(target, init, onResponse)
      } catch (error) {
        return failWith(error as Error) // node:http throws Errors only (an invalid header, ...)
      }
      current
        .on('error', (error: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed while idle (or while Lambda was frozen) fails
          // on reuse before any response: retry once on a fresh connection, as Node's docs advise.
          if (!isRetry && !responded && !settled && current.reusedSocket && error.code === 'ECONNRESET') send(true)
          else failWith(error)
        })
        .end(payload)
    }
    // Not when the signal had aborted already.
    if (!settled) send(false)
  })
}

/**
 * How long the server that refused a request asked to be left alone, in milliseconds: the
 * `Retry-After` of a failed {@link fetchText}/{@link fetchJson}, found on the error or its
 * causes; 0 when it did not say.
 */
export function retryAfterMsOf(error: unknown): number {
  for (let depth = 0; error instanceof Error && depth++ < 5; error = error.cause) {
    const retryAfterMs = (error.cause as { retryAfterMs?: unknown } | undefined)?.retryAfterMs
    if (typeof retryAfterMs === 'number') return retryAfterMs
  }
  return 0
}

/**
 * Whether `url` names this machine: `localhost`, an IPv4 address in 127.0.0.0/8, or `[::1]`.
 * Only such URLs may be fetched over plain `http:` (local issuers in tests and development).
 *
 * @example
 * ```ts
 * import { isLoopbackUrl } from '@middy-auth/jwt-verify/keys'
 *
 * isLoopbackUrl(new URL('http://127.0.0.1:8080/jwks')) // true
 * isLoopbackUrl(new URL('http://127.0.0.1.example.com/jwks')) // false
 * ```
 */
export function isLoopbackUrl(url: URL): boolean {
  // URL has already normalized the host: lower case, IPv4 in dotted decimal, IPv6 in brackets.
  return /^(localhost|\[::1\]|127(\.\d{1,3}){3})$/.test(url.hostname)
}

/** What {@link fetchableUrl} accepts, in words: the messages of every option it checks say it. */
export const fetchableUrlRule = 'an https: URL (http: only for loopback hosts)'

/**
 * `url` parsed when key material may be fetched from it (as {@link assertFetchableUrl} checks),
 * else `undefined`: for checks that throw their own `TypeError`.
 */
export function fetchableUrl(url: string): URL | undefined {
  // Not a URL at all: unfetchable, like any other protocol.
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  return parsed?.protocol === 'https:' || (parsed?.protocol === 'http:' && isLoopbackUrl(parsed)) ? parsed : undefined
}

/**
 * Parses `url` and checks that key material may be fetched from it: `https:`, or `http:` to a
 * loopback host ({@link isLoopbackUrl}). Meant for option validation at cold start.
 *
 * @param url - The URL as configured.
 * @param what - The option's name, for the message (`'jwksUri'`, `'issuer'`).
 * @returns The parsed URL.
 * @throws TypeError `<what> must be an https: URL (http: only for loopback hosts): <url>`.
 *
 * @example
 * ```ts
 * import { assertFetchableUrl } from '@middy-auth/jwt-verify/keys'
 *
 * assertFetchableUrl('https://issuer.example.com/jwks', 'jwksUri') // URL
 * assertFetchableUrl('http://issuer.example.com/jwks', 'jwksUri') // throws TypeError
 * ```
 */
export function assertFetchableUrl(url: string, what: string): URL {
  const parsed = fetchableUrl(url)
  if (parsed) return parsed
  throw new TypeError(`${what} must be ${fetchableUrlRule}: ${url}`, {
    cause: { package: packageName },
  })
}
