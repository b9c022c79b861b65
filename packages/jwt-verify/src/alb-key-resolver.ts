import { createPublicKey } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { configErrors, readDuration, readFunction, readRenamed } from '@middy-auth/core/internal'
import { assertFetchableUrl } from './fetch-json.js'
import { KeysUnavailableError, type KeyResolver, type KeySet, type ResolvedKey } from './key-resolver.js'
import { packageName } from './package-name.js'

/**
 * GETs one PEM public key. Inject one in {@link createAlbKeyResolver} to fetch through a proxy
 * or answer from memory; it must honour `timeoutMs` and reject on anything but a 200, with the
 * HTTP status as the error's `status` when the server answered (403 and 404 mean "no such key").
 *
 * @example
 * ```ts
 * import type { FetchPem } from '@middy-auth/jwt-verify/keys'
 *
 * const fetchPem: FetchPem = async (url) => pems.get(url) ?? Promise.reject(new Error('404'))
 * ```
 */
export type FetchPem = (url: string, options: { timeoutMs: number }) => Promise<string>

/**
 * Options of {@link createAlbKeyResolver}.
 *
 * @example
 * ```ts
 * const options: AlbKeyResolverOptions = { endpoint: 'https://public-keys.auth.elb.eu-west-1.amazonaws.com' }
 * ```
 */
export interface AlbKeyResolverOptions {
  /** The key endpoint, without the trailing `/<kid>`: https:, or http: on a loopback host. */
  endpoint: string
  /** Milliseconds for one key fetch. Default 3000. */
  timeoutMs?: number
  /** After a key fetch fails, keys not yet cached fail at once for this long, in milliseconds. Default 10000. */
  cooldownMs?: number
  /** Replaces the HTTP client. Default: `node:https`. */
  fetchPem?: FetchPem
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number
  /**
   * The former name of `clock`.
   *
   * @deprecated Rename it `clock`: `now` still works, with a `DeprecationWarning` at cold start.
   */
  now?: () => number
}

/** ALB key ids are UUIDs: nothing else is put in the key URL's path. */
const albKid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Keys kept: an ALB signs with one key at a time and rotates rarely. */
const maxKeys = 16
/** A PEM P-256 public key is under 200 bytes. */
const maxPemBytes = 8 * 1024

/**
 * The default {@link FetchPem}: `node:https` (`node:http` for loopback), one timer for the
 * whole exchange, 200 only (no redirects), at most 8 KiB.
 */
const fetchPemWithNode: FetchPem = async function (url, { timeoutMs }) {
  const target = new URL(url)
  const { get } = target.protocol === 'https:' ? await import('node:https') : await import('node:http')
  return new Promise((resolve, reject) => {
    let settled = false
    const req = get(target, { headers: { accept: 'application/x-pem-file, text/plain' } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume()
        fail(`expected HTTP 200, got ${res.statusCode ?? 'no status'}`, res.statusCode)
        return
      }
      let text = ''
      res.setEncoding('ascii')
      res.on('data', (chunk: string) => {
        text += chunk
        if (text.length > maxPemBytes) fail(`body exceeds ${maxPemBytes} bytes`)
      })
      res.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(text)
      })
      res.on('error', (error) => fail(error.message))
      res.on('close', () => {
        if (!res.complete) fail('connection closed before the body was complete')
      })
    })
    function fail(message: string, status?: number): void {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      reject(Object.assign(new Error(`GET ${target.href}: ${message}`), { status }))
    }
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
    req.on('error', (error) => fail(error.message))
  })
}

/** Imports a PEM as an ES256 verification key; anything but a P-256 public key is refused. */
function importAlbKey(kid: string, pem: string): ResolvedKey {
  const key = createPublicKey({ key: pem, format: 'pem' })
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the key is not a P-256 public key')
  }
  return { kid, kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', key }
}

/**
 * The keys of Application Load Balancers: not a JWKS, but one PEM per key id at
 * `<endpoint>/<kid>`. Implements jwt-verify's {@link KeyResolver}, so the verifier looks keys
 * up as for any issuer:
 *
 * - a key is fetched the first time a token names its `kid` (a UUID; any other kid is never
 *   fetched), concurrent requests for one kid share the fetch, and fetched keys are kept (16 at
 *   most, the oldest dropped);
 * - after a fetch fails (an unknown kid, the endpoint down), kids not yet cached fail at once for
 *   `cooldownMs`, so forged kids cannot make us flood the endpoint; a kid that was not found is a
 *   refused token, an endpoint that cannot be reached is a 503.
 *
 * @example
 * ```ts
 * import { createAlbKeyResolver } from '@middy-auth/jwt-verify/keys'
 *
 * const resolver = createAlbKeyResolver({ endpoint: 'https://public-keys.auth.elb.eu-west-1.amazonaws.com' })
 * ```
 */
export function createAlbKeyResolver(options: AlbKeyResolverOptions): KeyResolver {
  const endpoint = assertFetchableUrl(options.endpoint, 'endpoint').href.replace(/\/+$/, '')
  const fail = configErrors(packageName, 'createAlbKeyResolver')
  const timeoutMs = readDuration(options.timeoutMs, 'timeoutMs', fail, { unit: 'milliseconds', fallback: 3000 })
  const cooldownMs = readDuration(options.cooldownMs, 'cooldownMs', fail, { unit: 'milliseconds', fallback: 10_000, zero: true })
  const fetchPem = readFunction<FetchPem>(options.fetchPem, 'fetchPem', fail) ?? fetchPemWithNode
  const now = readFunction<() => number>(readRenamed(options, 'clock', 'now', fail), 'clock', fail) ?? Date.now
  const byKid = new Map<string, ResolvedKey>()
  let keySet: KeySet = { keys: [], byKid }
  const fetching = new Map<string, Promise<KeySet>>()
  let coolingUntil = 0
  /** Why the last fetch failed: an unreachable endpoint is a 503, an unknown kid a refused token. */
  let lastFailureWasOutage = false

  function remember(key: ResolvedKey): KeySet {
    if (byKid.size >= maxKeys) byKid.delete(byKid.keys().next().value as string)
    byKid.set(key.kid as string, key)
    keySet = { keys: [...byKid.values()], byKid }
    return keySet
  }

  const unavailable = (message: string): KeysUnavailableError =>
    new KeysUnavailableError(message, {
      cause: { package: packageName, data: { retryAfterMs: Math.max(coolingUntil - now(), 1000) } },
    })

  const fetchKey = (kid: string): Promise<KeySet> =>
    fetchPem(`${endpoint}/${kid}`, { timeoutMs }).then(
      (pem) => {
        try {
          return remember(importAlbKey(kid, pem))
        } catch {
          // A body that is no P-256 key is a kid we cannot use: as not found.
          coolingUntil = now() + cooldownMs
          lastFailureWasOutage = false
          return keySet
        }
      },
      (error: unknown) => {
        coolingUntil = now() + cooldownMs
        // The endpoint answers 403 or 404 for a kid it does not have: the token is refused.
        const status = (error as { status?: unknown }).status
        lastFailureWasOutage = status !== 403 && status !== 404
        if (lastFailureWasOutage) throw unavailable(`ALB key ${endpoint}/<kid> cannot be fetched: ${(error as Error).message}`)
        return keySet
      },
    )

  return {
    // Nothing to prefetch: which kid the load balancer signs with is known from its first token.
    prefetch: () => undefined,
    cached: () => keySet,
    getKeySet: (kid) => {
      if (kid === undefined || !albKid.test(kid) || byKid.has(kid)) return Promise.resolve(keySet)
      const pending = fetching.get(kid)
      if (pending) return pending
      if (now() < coolingUntil) {
        return lastFailureWasOutage ? Promise.reject(unavailable('ALB key endpoint failed recently')) : Promise.resolve(keySet)
      }
      const fetch = fetchKey(kid).finally(() => fetching.delete(kid))
      fetching.set(kid, fetch)
      return fetch
    },
  }
}
