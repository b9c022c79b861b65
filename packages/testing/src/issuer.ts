import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { generateKeyPair, jwksOf, type TestAlgorithm, type TestKeyPair } from './keys.js'
import { signToken, type SignTokenOptions } from './sign.js'

/**
 * How a {@link TestIssuer} misbehaves, set with `failWith`:
 * - `'status-500'`: every request gets `500` with a JSON error body;
 * - `'timeout'`: requests are never answered (until `close()`, which drops them);
 * - `'bad-json'`: `200`, `content-type: application/json`, a truncated JSON body;
 * - `'not-json-object'`: `200` with valid JSON that is not an object (`["keys"]`);
 * - `null`: back to normal.
 *
 * @example
 * ```ts
 * const mode: TestIssuerFailure = 'timeout'
 * iss.failWith(mode)
 * ```
 */
export type TestIssuerFailure = 'status-500' | 'timeout' | 'bad-json' | 'not-json-object' | null

/**
 * Options of {@link createTestIssuer}.
 *
 * @example
 * ```ts
 * const options: TestIssuerOptions = { algorithms: ['RS256', 'ES256'], path: '/realms/test' }
 * const iss = await createTestIssuer(options)
 * ```
 */
export interface TestIssuerOptions {
  /** One signing key is made per entry, in order; the first signs by default. Default is `['RS256']`. */
  algorithms?: TestAlgorithm[]
  /** A path under the origin, like Keycloak's `/realms/x` or Auth0's none. Default is `''`. */
  path?: string
}

/**
 * Request counters of a {@link TestIssuer}. The object is live: it changes as requests arrive.
 *
 * @example
 * ```ts
 * const counters: TestIssuerRequests = iss.requests
 * await fetch(iss.jwksUri)
 * counters.jwks // 1
 * ```
 */
export interface TestIssuerRequests {
  /** Requests for `<path>/.well-known/openid-configuration`. */
  discovery: number
  /** Requests for `<path>/.well-known/jwks.json`. */
  jwks: number
  /** Every request received, whatever its path or method. */
  total: number
}

/**
 * A loopback OpenID Connect issuer made by {@link createTestIssuer}.
 *
 * @example
 * ```ts
 * await using iss = await createTestIssuer()
 * const token = await iss.sign({ sub: 'alice' })
 * iss.requests.jwks // how many times the JWKS was fetched
 * ```
 */
export interface TestIssuer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` followed by the path; no trailing slash. The `iss` of its tokens. */
  readonly issuer: string
  /** `<issuer>/.well-known/jwks.json`. */
  readonly jwksUri: string
  /** `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUri: string
  /** A copy of the current keys, all published; the first is the default signing key. */
  readonly keys: TestKeyPair[]
  /** Live request counters. */
  readonly requests: TestIssuerRequests
  /**
   * Signs a token with, unless the options say otherwise, `iss` set to this issuer and the first
   * current key. `options.issuer` sets another `iss` (a preset's, such as
   * `https://cognito-idp.<region>.amazonaws.com/<pool>`, while its keys are served here; `null`
   * leaves it out). Same claims and options as {@link signToken} otherwise.
   */
  sign(claims?: Record<string, unknown>, options?: SignTokenOptions): Promise<string>
  /** Sets every counter back to 0 (the `requests` object stays the same). */
  resetCounters(): void
  /**
   * Makes a new key (default algorithm: the current first key's, or RS256), puts it first so it
   * becomes the default signing key, and keeps the old keys published. Returns the new pair.
   */
  rotate(alg?: TestAlgorithm): TestKeyPair
  /** Removes the key with this kid from the keys and the JWKS. Returns whether one was removed. */
  retire(kid: string): boolean
  /** Publishes another key, after the current ones (it does not become the default signing key). */
  addKey(pair: TestKeyPair): void
  /** Makes every request fail in the given way, or behave again with `null`. */
  failWith(mode: TestIssuerFailure): void
  /** Delays every response by `ms` milliseconds (0 for none), for concurrency tests. */
  delayMs(ms: number): void
  /**
   * Serves this value, JSON-serialized, at the JWKS endpoint instead of the keys (for malformed
   * key sets). `undefined` goes back to serving the keys.
   */
  setJwks(raw: unknown): void
  /** Stops the server and destroys its connections, answered or not. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Starts a loopback OpenID Connect issuer: an HTTP server on `127.0.0.1`, on a free port, that
 * serves `GET <path>/.well-known/openid-configuration` and `GET <path>/.well-known/jwks.json`
 * from keys it makes, and can rotate keys, count requests, be slow, and fail on demand.
 *
 * The server is `unref()`'d, so a test that forgets `close()` does not keep Jest alive; still,
 * close it (or use `await using`) to drop its connections.
 *
 * @param options - `algorithms` (default `['RS256']`) and `path` (default `''`).
 *
 * @example
 * ```ts
 * import { createRemoteJWKSet, jwtVerify } from 'jose'
 * import { createTestIssuer } from '@middy-auth/testing'
 *
 * const iss = await createTestIssuer({ algorithms: ['ES256'] })
 * const token = await iss.sign({ scope: 'orders:read' })
 * const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(iss.jwksUri)), {
 *   issuer: iss.issuer,
 *   audience: 'api://default',
 * })
 * iss.requests.jwks // 1
 * const next = iss.rotate() // new tokens are signed with `next`; the old key stays published
 * await iss.close()
 * ```
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const path = normalizePath(options.path ?? '')
  let keys = (options.algorithms ?? ['RS256']).map((alg) => generateKeyPair(alg))
  const requests: TestIssuerRequests = { discovery: 0, jwks: 0, total: 0 }
  let failure: TestIssuerFailure = null
  let delay = 0
  let rawJwks: { value: unknown } | undefined
  let closed: Promise<void> | undefined
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()

  const server = createServer((req, res) => {
    requests.total++
    const route = routeOf(req)
    if (route === 'discovery') requests.discovery++
    if (route === 'jwks') requests.jwks++
    if (failure === 'timeout') return // never answered; close() destroys the socket
    const respond = (): void => answer(res, route, req.method)
    if (delay > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        respond()
      }, delay)
      timer.unref()
      timers.add(timer)
    } else {
      respond()
    }
  })
  server.on('connection', (socket) => {
    socket.unref()
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.unref()
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('createTestIssuer: the server has no TCP address')
  const issuer = `http://127.0.0.1:${address.port}${path}`
  const jwksUri = `${issuer}/.well-known/jwks.json`
  const discoveryUri = `${issuer}/.well-known/openid-configuration`

  function routeOf(req: IncomingMessage): 'discovery' | 'jwks' | undefined {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (pathname === `${path}/.well-known/openid-configuration`) return 'discovery'
    if (pathname === `${path}/.well-known/jwks.json`) return 'jwks'
    return undefined
  }

  function answer(res: ServerResponse, route: 'discovery' | 'jwks' | undefined, method: string | undefined): void {
    if (res.destroyed) return
    if (route === undefined) return send(res, 404, JSON.stringify({ error: 'not_found' }))
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), { allow: 'GET, HEAD' })
    if (failure === 'status-500') return send(res, 500, JSON.stringify({ error: 'server_error' }))
    if (failure === 'bad-json') return send(res, 200, '{"keys": [{"kty": "RSA", "kid": ')
    if (failure === 'not-json-object') return send(res, 200, '["keys"]')
    if (route === 'jwks') return send(res, 200, JSON.stringify(rawJwks === undefined ? jwksOf(...keys) : rawJwks.value) ?? 'null')
    return send(res, 200, JSON.stringify(discoveryDocument()))
  }

  function discoveryDocument(): Record<string, unknown> {
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: jwksUri,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...new Set(keys.map((key) => key.alg))],
      scopes_supported: ['openid'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
    }
  }

  const testIssuer: TestIssuer = {
    issuer,
    jwksUri,
    discoveryUri,
    get keys() {
      return [...keys]
    },
    requests,
    sign(claims = {}, signOptions = {}) {
      const key = signOptions.key ?? keys[0]
      if (key === undefined) return Promise.reject(new Error('TestIssuer.sign: no key left to sign with; pass options.key'))
      return signToken(claims, { ...signOptions, key, issuer: signOptions.issuer === undefined ? issuer : signOptions.issuer })
    },
    resetCounters() {
      requests.discovery = 0
      requests.jwks = 0
      requests.total = 0
    },
    rotate(alg) {
      const pair = generateKeyPair(alg ?? keys[0]?.alg ?? 'RS256')
      keys = [pair, ...keys]
      return pair
    },
    retire(kid) {
      const before = keys.length
      keys = keys.filter((key) => key.kid !== kid)
      return keys.length !== before
    },
    addKey(pair) {
      keys = [...keys, pair]
    },
    failWith(mode) {
      failure = mode
    },
    delayMs(ms) {
      delay = ms
    },
    setJwks(raw) {
      rawJwks = raw === undefined ? undefined : { value: raw }
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    },
    [Symbol.asyncDispose]() {
      return testIssuer.close()
    },
  }
  return testIssuer
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(body)
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}
