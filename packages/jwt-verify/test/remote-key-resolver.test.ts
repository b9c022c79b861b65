import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fetchJson } from '../src/fetch-json.js'
import type { FetchJson } from '../src/fetch-json.js'
import { createAlbKeyResolver } from '../src/alb-key-resolver.js'
import { KeysUnavailableError } from '../src/key-resolver.js'
import type { KeySet } from '../src/key-resolver.js'
import { createCachingKeyResolver, createRemoteKeyResolver } from '../src/remote-key-resolver.js'
import jwtVerify from '../src/index.js'
import type { RemoteKeyResolverOptions } from '../src/remote-key-resolver.js'

type Jwk = Record<string, unknown>
const jwkOf = (publicKey: KeyObject, kid: string): Jwk => ({ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' })
const k1 = jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, 'k1')
const k2 = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'k2')
const k3 = jwkOf(generateKeyPairSync('ed25519').publicKey, 'k3')

// What the loopback issuer serves; reset before each test.
type Mode = 'ok' | 'hang' | 'bad-json' | number
const state = {
  keys: [] as Jwk[],
  mode: 'ok' as Mode,
  delayMs: 0,
  discovery: {} as Record<string, unknown>,
  hits: new Map<string, number>(),
  /** Every request: its path, its Connection header, and the server's socket it came on. */
  requests: [] as Array<{ path: string; connection: string | undefined; socket: Socket }>,
}
const hits = (path: string): number => state.hits.get(path) ?? 0

let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    state.hits.set(path, hits(path) + 1)
    state.requests.push({ path, connection: req.headers.connection, socket: req.socket })
    // The answer is decided when the request arrives, even if it is sent later.
    const { mode, keys, discovery } = state
    const respond = (): void => {
      if (mode === 'hang') return
      if (typeof mode === 'number') {
        res.writeHead(mode).end('{"error":"unavailable"}')
        return
      }
      if (mode === 'bad-json') {
        res.writeHead(200).end('{"keys": [')
        return
      }
      const body = path.endsWith('/.well-known/openid-configuration') ? discovery : { keys }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    if (state.delayMs > 0) setTimeout(respond, state.delayMs)
    else respond()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

let clock: number
const now = (): number => clock
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}

beforeEach(() => {
  state.keys = [k1, k2]
  state.mode = 'ok'
  state.delayMs = 0
  state.hits = new Map()
  state.requests = []
  clock = 1_700_000_000_000
  unhandled.length = 0
  process.on('unhandledRejection', onUnhandled)
})

afterEach(async () => {
  // Let any background refresh settle before checking that nothing rejected unhandled.
  await pause(20)
  process.off('unhandledRejection', onUnhandled)
  expect(unhandled).toEqual([])
  server.closeAllConnections() // 'hang' tests leave requests open
})

const resolverFor = (options: Partial<RemoteKeyResolverOptions> = {}) => createRemoteKeyResolver({ jwksUri: `${base}/jwks`, clock: now, ...options })

const kids = (set: KeySet): string[] => [...set.byKid.keys()]

// Polls for what a background fetch does, rather than sleeping a guessed time (slow CI, 1 CPU).
const waitFor = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met within 5 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the JWKS connection', () => {
  test('is closed after each key set: Connection: close, and the next fetch opens another', async () => {
    const resolver = resolverFor()
    resolver.prefetch()
    await resolver.getKeySet('k1')
    await resolver.getKeySet('unknown') // a refetch
    expect(state.requests.map(({ path, connection }) => [path, connection])).toEqual([
      ['/jwks', 'close'],
      ['/jwks', 'close'],
    ])
    const [first, second] = state.requests
    expect(second?.socket).not.toBe(first?.socket)
    await waitFor(() => state.requests.every(({ socket }) => socket.destroyed))
  })
})

describe('caching and de-duplication', () => {
  test('100 concurrent cold calls make one request and get the same set', async () => {
    const resolver = resolverFor()
    expect(resolver.cached()).toBeUndefined()
    const sets = await Promise.all(Array.from({ length: 100 }, () => resolver.getKeySet('k1')))
    expect(hits('/jwks')).toBe(1)
    expect(new Set(sets).size).toBe(1)
    expect(kids(sets[0]!)).toEqual(['k1', 'k2'])
    expect(resolver.cached()).toBe(sets[0])
  })

  test('the set is cached across calls, for known kids and for tokens without a kid', async () => {
    const resolver = resolverFor()
    const set = await resolver.getKeySet('k1')
    for (let i = 0; i < 50; i++) {
      expect(await resolver.getKeySet(i % 2 === 0 ? 'k2' : undefined)).toBe(set)
      expect(resolver.cached()).toBe(set)
    }
    expect(hits('/jwks')).toBe(1)
  })

  test('prefetch starts at once, and the first callers share it', async () => {
    state.delayMs = 50
    const resolver = resolverFor()
    resolver.prefetch()
    resolver.prefetch() // a second prefetch while one is in flight does nothing
    await waitFor(() => hits('/jwks') === 1) // requested before any getKeySet
    const sets = await Promise.all(Array.from({ length: 100 }, (_, i) => resolver.getKeySet(i % 2 ? 'k1' : 'k2')))
    expect(hits('/jwks')).toBe(1)
    expect(new Set(sets).size).toBe(1)
    resolver.prefetch() // cached and fresh: nothing to do
    await pause(20)
    expect(hits('/jwks')).toBe(1)
  })

  test('prefetch never throws nor rejects, whatever fails', async () => {
    state.mode = 500
    const resolver = resolverFor()
    expect(() => resolver.prefetch()).not.toThrow()
    const throwing = createRemoteKeyResolver({
      jwksUri: `${base}/jwks`,
      fetchJson: () => {
        throw new Error('synchronous failure')
      },
    })
    expect(() => throwing.prefetch()).not.toThrow()
    await waitFor(() => hits('/jwks') === 1)
    // Both loads have failed once getKeySet answers; afterEach checks for unhandledRejection.
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    await expect(throwing.getKeySet('k1')).rejects.toThrow('synchronous failure')
  })

  test('prefetch never throws, even when the clock does, and then fetches nothing', async () => {
    const resolver = createRemoteKeyResolver({
      jwksUri: `${base}/jwks`,
      clock: () => {
        throw new Error('clock failure')
      },
    })
    expect(() => resolver.prefetch()).not.toThrow()
    await pause(20)
    expect(hits('/jwks')).toBe(0)
  })
})

describe('unknown kids and the cooldown', () => {
  test('1,000 unknown kids cost one refetch per cooldown, and another after it', async () => {
    const resolver = resolverFor()
    const warm = await resolver.getKeySet('k1')
    expect(hits('/jwks')).toBe(1)

    const flood = (round: number) => Promise.all(Array.from({ length: 1000 }, (_, i) => resolver.getKeySet(`unknown-${round}-${i}`)))

    const first = await flood(1)
    expect(hits('/jwks')).toBe(2) // one refetch, shared by the 1,000 concurrent misses
    expect(first.every((set) => kids(set).join() === 'k1,k2')).toBe(true)

    await flood(2) // concurrent, within the cooldown
    for (let i = 0; i < 1000; i++) await resolver.getKeySet(`sequential-${i}`)
    clock += 9_999
    await flood(3)
    expect(hits('/jwks')).toBe(2) // failed fast: no fetch at all

    clock += 1 // 10 s after the refetch
    await flood(4)
    expect(hits('/jwks')).toBe(3)
    await flood(5)
    expect(hits('/jwks')).toBe(3)
    // Known kids are unaffected by the cooldown.
    expect((await resolver.getKeySet('k2')).byKid.has('k2')).toBe(true)
    expect(warm.byKid.get('k1')).toBe((await resolver.getKeySet('k1')).byKid.get('k1'))
  })

  test('a key rotated in after the prefetch is found on its first token', async () => {
    const resolver = resolverFor()
    resolver.prefetch()
    await resolver.getKeySet('k1')
    state.keys = [k1, k2, k3]
    const set = await resolver.getKeySet('k3')
    expect(set.byKid.get('k3')?.kty).toBe('OKP')
    expect(hits('/jwks')).toBe(2)
  })

  test('a key rotated in after an age refresh is found on its first token', async () => {
    const resolver = resolverFor({ maxAgeMs: 60_000 })
    await resolver.getKeySet('k1')
    clock += 60_000
    const before = resolver.cached() // starts the refresh
    await waitFor(() => resolver.cached() !== before)
    expect(hits('/jwks')).toBe(2)
    state.keys = [k1, k2, k3]
    expect((await resolver.getKeySet('k3')).byKid.has('k3')).toBe(true)
    expect(hits('/jwks')).toBe(3)
  })

  test('a miss arriving during a prefetch waits for it, then refetches once if still missing', async () => {
    state.delayMs = 50
    const resolver = resolverFor()
    resolver.prefetch()
    const pending = resolver.getKeySet('k3')
    await waitFor(() => hits('/jwks') === 1)
    state.keys = [k1, k2, k3] // published after the prefetch request was answered
    expect((await pending).byKid.has('k3')).toBe(true)
    expect(hits('/jwks')).toBe(2) // the prefetch, then one refetch for the miss
  })

  test('a key published during the cooldown is found once the cooldown is over', async () => {
    const resolver = resolverFor()
    await resolver.getKeySet('k1')
    expect((await resolver.getKeySet('k3')).byKid.has('k3')).toBe(false) // starts the cooldown
    state.keys = [k1, k2, k3]
    expect((await resolver.getKeySet('k3')).byKid.has('k3')).toBe(false)
    clock += 10_000
    expect((await resolver.getKeySet('k3')).byKid.has('k3')).toBe(true)
    expect(hits('/jwks')).toBe(3)
  })

  test('a cold call for an unknown kid is its own refetch: the next unknown kid fails fast', async () => {
    const resolver = resolverFor()
    expect(kids(await resolver.getKeySet('nope'))).toEqual(['k1', 'k2'])
    await resolver.getKeySet('nope-either')
    expect(hits('/jwks')).toBe(1)
  })

  test('cooldownMs is configurable', async () => {
    const resolver = resolverFor({ cooldownMs: 1000 })
    await resolver.getKeySet('k1')
    await resolver.getKeySet('unknown-1')
    clock += 999
    await resolver.getKeySet('unknown-2')
    expect(hits('/jwks')).toBe(2)
    clock += 1
    await resolver.getKeySet('unknown-3')
    expect(hits('/jwks')).toBe(3)
  })

  test('a clock that jumps backwards ends the cooldown instead of extending it', async () => {
    const resolver = resolverFor()
    await resolver.getKeySet('k1')
    await resolver.getKeySet('unknown-1')
    expect(hits('/jwks')).toBe(2)
    clock -= 3_600_000
    await resolver.getKeySet('unknown-2')
    expect(hits('/jwks')).toBe(3)
  })
})

describe('age refresh', () => {
  test('after maxAgeMs, the cached set answers at once and is refreshed in the background', async () => {
    const resolver = resolverFor({ maxAgeMs: 60_000 })
    const first = await resolver.getKeySet('k1')
    clock += 59_999
    expect(resolver.cached()).toBe(first)
    await pause(20)
    expect(hits('/jwks')).toBe(1)

    state.keys = [k1, k3] // k2 withdrawn, k3 added
    clock += 1
    expect(resolver.cached()).toBe(first) // stale but served; refresh started
    expect(await resolver.getKeySet('k1')).toBe(first) // still the old set while in flight
    await waitFor(() => resolver.cached() !== first)
    expect(hits('/jwks')).toBe(2)
    const second = resolver.cached()!
    expect(second).not.toBe(first)
    expect(kids(second)).toEqual(['k1', 'k3'])
    // The unchanged key is the same object: the verified-token cache keeps its entries.
    expect(second.byKid.get('k1')).toBe(first.byKid.get('k1'))
    expect(second.keys).not.toContain(first.byKid.get('k2'))
  })

  test('getKeySet triggers the refresh too, and a refresh starts no cooldown', async () => {
    const resolver = resolverFor({ maxAgeMs: 60_000 })
    await resolver.getKeySet('k1')
    clock += 60_000
    const first = await resolver.getKeySet('k1')
    await waitFor(() => resolver.cached() !== first)
    expect(hits('/jwks')).toBe(2)
    await resolver.getKeySet('unknown') // a miss right after a refresh still refetches
    expect(hits('/jwks')).toBe(3)
  })
})

describe('failures', () => {
  test.each<[string, Mode]>([
    ['HTTP 500', 500],
    ['a timeout', 'hang'],
    ['a body that is not JSON', 'bad-json'],
    ['HTTP 503', 503],
  ])('on %s, the cached set is served stale', async (_name, mode) => {
    const resolver = resolverFor({ maxAgeMs: 60_000, timeoutMs: 200 })
    const cached = await resolver.getKeySet('k1')
    state.mode = mode

    clock += 60_000 // refresh due: fails in the background
    expect(resolver.cached()).toBe(cached)
    expect(await resolver.getKeySet('k2')).toBe(cached) // known kid: answered at once
    // An unknown kid waits for the refresh in flight; it failed, which started the cooldown:
    // the stale set is served, and neither this miss nor the refresh fetches again.
    expect(await resolver.getKeySet('unknown')).toBe(cached)
    expect(hits('/jwks')).toBe(2)
    expect(resolver.cached()).toBe(cached)
    await pause(20)
    expect(hits('/jwks')).toBe(2)

    clock += 10_000 // after the cooldown: one more try, still failing, still stale
    expect(await resolver.getKeySet('unknown')).toBe(cached)
    expect(hits('/jwks')).toBe(3)

    state.mode = 'ok' // recovery after the next cooldown
    clock += 10_000
    resolver.cached()
    await waitFor(() => resolver.cached() !== cached)
    expect(hits('/jwks')).toBe(4)
  })

  test('a failed miss refetch serves the stale set and starts the cooldown', async () => {
    const resolver = resolverFor()
    const cached = await resolver.getKeySet('k1')
    state.mode = 500
    const sets = await Promise.all(Array.from({ length: 100 }, (_, i) => resolver.getKeySet(`unknown-${i}`)))
    expect(sets.every((set) => set === cached)).toBe(true)
    await resolver.getKeySet('unknown-again')
    expect(hits('/jwks')).toBe(2)
  })

  test('with nothing cached, every caller gets KeysUnavailableError; retried once per cooldown', async () => {
    state.mode = 503
    const resolver = resolverFor()
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => resolver.getKeySet('k1')))
    expect(hits('/jwks')).toBe(1)
    for (const result of results) {
      expect(result.status).toBe('rejected')
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(KeysUnavailableError)
    }
    const error = (results[0] as PromiseRejectedResult).reason as KeysUnavailableError
    expect(error.name).toBe('KeysUnavailableError')
    expect(error.message).toContain('got 503')
    expect(error.cause).toMatchObject({ package: '@middy-auth/jwt-verify', data: { retryAfterMs: 10_000 } })

    // Within the cooldown: no request, fail fast, with the time left.
    clock += 4_000
    const fast = (await resolver.getKeySet(undefined).catch((e: unknown) => e)) as KeysUnavailableError
    expect(fast).toBeInstanceOf(KeysUnavailableError)
    expect(fast.cause).toMatchObject({ data: { retryAfterMs: 6_000 } })
    expect(hits('/jwks')).toBe(1)
    expect(resolver.cached()).toBeUndefined()

    // After it: one more request, and recovery.
    clock += 6_000
    state.mode = 'ok'
    const sets = await Promise.all(Array.from({ length: 100 }, () => resolver.getKeySet('k1')))
    expect(hits('/jwks')).toBe(2)
    expect(kids(sets[0]!)).toEqual(['k1', 'k2'])
  })

  test('a failed prefetch starts no cooldown: the first request retries, its failure does', async () => {
    state.mode = 500
    const resolver = resolverFor()
    resolver.prefetch()
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    expect(hits('/jwks')).toBe(2)
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    expect(hits('/jwks')).toBe(2)
    state.mode = 'ok'
    clock += 10_000
    await expect(resolver.getKeySet('k1')).resolves.toMatchObject({ keys: expect.any(Array) })
    expect(hits('/jwks')).toBe(3)
  })

  test('a blip during the prefetch costs no request a 503', async () => {
    state.mode = 500
    const resolver = resolverFor()
    resolver.prefetch()
    await new Promise((resolve) => setTimeout(resolve, 50))
    state.mode = 'ok'
    await expect(resolver.getKeySet('k1')).resolves.toMatchObject({ keys: expect.any(Array) })
  })

  test('a JWKS that is not { keys: [...] } is a failed fetch', async () => {
    const resolver = createRemoteKeyResolver({ jwksUri: `${base}/jwks`, clock: now, fetchJson: async () => ({ keys: 'nope' }) })
    await expect(resolver.getKeySet('k1')).rejects.toThrow('"keys" array')
  })

  test('the timeout applies to the JWKS request (timeoutMs 200)', async () => {
    state.mode = 'hang'
    const resolver = resolverFor({ timeoutMs: 200 })
    const started = Date.now()
    await expect(resolver.getKeySet('k1')).rejects.toThrow('timed out after 200 ms')
    expect(Date.now() - started).toBeLessThan(2000)
  })
})

describe('OIDC discovery', () => {
  const withDiscovery = (issuer: string, jwksUri = `${base}/jwks`): void => {
    state.discovery = { issuer, jwks_uri: jwksUri, authorization_endpoint: `${issuer}/authorize` }
  }

  test('finds jwks_uri once, for any number of callers and refetches', async () => {
    const issuer = `${base}/tenant/`
    withDiscovery(issuer)
    const urls: string[] = []
    const spy: FetchJson = (url, options) => {
      urls.push(url)
      return fetchJson(url, options)
    }
    const resolver = createRemoteKeyResolver({ issuer, clock: now, fetchJson: spy })
    resolver.prefetch()
    const sets = await Promise.all(Array.from({ length: 100 }, () => resolver.getKeySet('k1')))
    expect(kids(sets[0]!)).toEqual(['k1', 'k2'])
    // No double slash although the issuer ends with one.
    expect(urls).toEqual([`${base}/tenant/.well-known/openid-configuration`, `${base}/jwks`])
    await resolver.getKeySet('unknown') // refetch: JWKS only
    expect(urls.slice(2)).toEqual([`${base}/jwks`])
    expect(hits('/tenant/.well-known/openid-configuration')).toBe(1)
  })

  test("discovery's connection carries the JWKS request, which then closes it", async () => {
    const issuer = `${base}/tenant`
    withDiscovery(issuer)
    const resolver = createRemoteKeyResolver({ issuer, clock: now })
    expect(kids(await resolver.getKeySet('k1'))).toEqual(['k1', 'k2'])
    const [discovery, jwks] = state.requests
    expect([discovery?.path, jwks?.path]).toEqual(['/tenant/.well-known/openid-configuration', '/jwks'])
    // No second TCP and TLS handshake for the JWKS, usually on the same host...
    expect(discovery?.connection).not.toBe('close')
    expect(jwks?.socket).toBe(discovery?.socket)
    // ...and no idle socket kept for a key set fetched again minutes later at the soonest.
    expect(jwks?.connection).toBe('close')
    await waitFor(() => jwks?.socket.destroyed === true)
  })

  test('an issuer without a trailing slash', async () => {
    const issuer = `${base}/tenant`
    withDiscovery(issuer)
    const resolver = createRemoteKeyResolver({ issuer, clock: now })
    expect(kids(await resolver.getKeySet('k1'))).toEqual(['k1', 'k2'])
    expect(hits('/tenant/.well-known/openid-configuration')).toBe(1)
  })

  test('jwksUri wins over issuer: no discovery', async () => {
    const resolver = createRemoteKeyResolver({ issuer: `${base}/tenant`, jwksUri: `${base}/jwks`, clock: now })
    await resolver.getKeySet('k1')
    expect(hits('/tenant/.well-known/openid-configuration')).toBe(0)
  })

  test.each([
    ['another issuer', (issuer: string) => `${issuer}x`],
    ['the issuer without its trailing slash', (issuer: string) => issuer.slice(0, -1)],
    ['no issuer', () => undefined],
  ])('a document naming %s is rejected, and no JWKS is fetched', async (_name, served) => {
    const issuer = `${base}/tenant/`
    state.discovery = { issuer: served(issuer), jwks_uri: `${base}/jwks` }
    const resolver = createRemoteKeyResolver({ issuer, clock: now })
    const error = await resolver.getKeySet('k1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeysUnavailableError)
    expect((error as Error).message).toContain('issuer')
    expect(hits('/jwks')).toBe(0)
  })

  test.each([
    ['over http: to a non-loopback host', 'http://issuer.example.com/jwks'],
    ['not a URL', 'jwks.json'],
    ['missing', undefined],
  ])('a jwks_uri %s is rejected without fetching it', async (_name, jwksUri) => {
    const issuer = `${base}/tenant`
    state.discovery = { issuer, jwks_uri: jwksUri }
    const urls: string[] = []
    const spy: FetchJson = (url, options) => {
      urls.push(url)
      return fetchJson(url, options)
    }
    const resolver = createRemoteKeyResolver({ issuer, clock: now, fetchJson: spy })
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    expect(urls).toEqual([`${base}/tenant/.well-known/openid-configuration`])
  })

  test.each([null, 'a string', 42])('a document that is not a JSON object (%j) is rejected, and no JWKS is fetched', async (document) => {
    const issuer = `${base}/tenant`
    const urls: string[] = []
    const resolver = createRemoteKeyResolver({
      issuer,
      clock: now,
      fetchJson: async (url) => {
        urls.push(url)
        return document
      },
    })
    const error = await resolver.getKeySet('k1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeysUnavailableError)
    expect((error as Error).message).toBe(`Keys could not be fetched: OIDC discovery ${base}/tenant/.well-known/openid-configuration: not a JSON object`)
    expect(urls).toEqual([`${base}/tenant/.well-known/openid-configuration`])
  })

  test('a failed discovery is retried after the cooldown, then remembered', async () => {
    const issuer = `${base}/tenant`
    state.discovery = { issuer: 'https://evil.example.com', jwks_uri: `${base}/jwks` }
    const resolver = createRemoteKeyResolver({ issuer, clock: now })
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    expect(hits('/tenant/.well-known/openid-configuration')).toBe(1)
    withDiscovery(issuer)
    clock += 10_000
    await expect(resolver.getKeySet('k1')).resolves.toBeDefined()
    clock += 10_000
    await resolver.getKeySet('unknown')
    expect(hits('/tenant/.well-known/openid-configuration')).toBe(2)
    expect(hits('/jwks')).toBe(2)
  })
})

describe('options', () => {
  test.each<[string, RemoteKeyResolverOptions, string]>([
    ['no source', {}, 'jwksUri or issuer is required'],
    [
      'jwksUri over http: to another host',
      { jwksUri: 'http://issuer.example.com/jwks' },
      'createRemoteKeyResolver: jwksUri must be an https: URL (http: only for loopback hosts)',
    ],
    ['jwksUri not a URL', { jwksUri: '/jwks' }, 'jwksUri must be an https: URL'],
    [
      'issuer over http: to another host',
      { issuer: 'http://issuer.example.com' },
      'createRemoteKeyResolver: issuer must be an https: URL (http: only for loopback hosts), for OIDC discovery',
    ],
    [
      'jwksUri a URL object',
      { jwksUri: new URL('https://x.example/jwks') as unknown as string },
      'createRemoteKeyResolver: jwksUri must be an https: URL (http: only for loopback hosts)',
    ],
    ['issuer a number', { issuer: 42 as unknown as string }, 'createRemoteKeyResolver: issuer must be an https: URL (http: only for loopback hosts)'],
    [
      'jwksUri null, with an issuer',
      { jwksUri: null as unknown as string, issuer: 'https://x.example/' },
      'createRemoteKeyResolver: jwksUri must be an https: URL (http: only for loopback hosts)',
    ],
    ['timeoutMs 0', { jwksUri: 'https://x.example/jwks', timeoutMs: 0 }, 'timeoutMs'],
    ['timeoutMs NaN', { jwksUri: 'https://x.example/jwks', timeoutMs: NaN }, 'timeoutMs'],
    ['timeoutMs Infinity', { jwksUri: 'https://x.example/jwks', timeoutMs: Infinity }, 'timeoutMs'],
    ['cooldownMs negative', { jwksUri: 'https://x.example/jwks', cooldownMs: -1 }, 'cooldownMs'],
    ['cooldownMs a string', { jwksUri: 'https://x.example/jwks', cooldownMs: '10' as unknown as number }, 'cooldownMs'],
    ['maxAgeMs 0', { jwksUri: 'https://x.example/jwks', maxAgeMs: 0 }, 'maxAgeMs'],
  ])('%s: TypeError at creation', (_name, options, message) => {
    expect(() => createRemoteKeyResolver(options)).toThrow(TypeError)
    expect(() => createRemoteKeyResolver(options)).toThrow(message)
  })

  test('jwtVerify() refuses a jwksUri that is not a string, though it prints as a fetchable URL', () => {
    for (const jwksUri of [new URL('https://x.example/jwks'), ['https://x.example/jwks']]) {
      const options = { issuers: [{ issuer: 'https://x.example/', audience: 'api', jwksUri: jwksUri as unknown as string }] }
      expect(() => jwtVerify(options)).toThrow(TypeError)
      expect(() => jwtVerify(options)).toThrow(/^jwtVerify: issuers\[0\]\.jwksUri must be an https: URL \(http: only for loopback hosts\)$/)
    }
  })

  test('valid options do not fetch anything before prefetch or getKeySet', async () => {
    createRemoteKeyResolver({ jwksUri: `${base}/jwks`, maxAgeMs: Infinity, cooldownMs: 0 })
    createRemoteKeyResolver({ issuer: 'https://issuer.example.com/' })
    await pause(20)
    expect(hits('/jwks')).toBe(0)
  })

  test('the configuration TypeError names the package', () => {
    const error = (() => {
      try {
        createRemoteKeyResolver({})
      } catch (e) {
        return e
      }
    })() as TypeError
    expect(error.cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'jwksUri' })
    expect(error.message).toBe('createRemoteKeyResolver: jwksUri or issuer is required to fetch keys')
  })
})

describe('createCachingKeyResolver', () => {
  const emptySet: KeySet = { keys: [], byKid: new Map() }

  test('a partial load does not restart the age of the set', async () => {
    const calls: (string | undefined)[] = []
    const resolver = createCachingKeyResolver(
      async (previous, kid) => {
        calls.push(kid)
        return { keySet: previous ?? emptySet, complete: previous === undefined }
      },
      { cooldownMs: 0, maxAgeMs: 1000, clock: now },
    )
    await resolver.getKeySet(undefined)
    clock += 600
    await resolver.getKeySet('a') // partial lookup
    clock += 400
    resolver.cached() // 1000 ms after the full load: refresh due
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(calls).toEqual([undefined, 'a', undefined])
  })

  test('a loader that throws synchronously is a failed load', async () => {
    const resolver = createCachingKeyResolver(
      () => {
        throw new Error('sync')
      },
      { cooldownMs: 1000, maxAgeMs: 1000, clock: now },
    )
    await expect(resolver.getKeySet('a')).rejects.toThrow('Keys could not be fetched: sync')
  })

  test('a loader that rejects with something other than an Error is named in the message', async () => {
    const resolver = createCachingKeyResolver(() => Promise.reject('not an Error' as unknown as Error), { cooldownMs: 1000, maxAgeMs: 1000, clock: now })
    const error = await resolver.getKeySet('a').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeysUnavailableError)
    expect((error as Error).message).toBe('Keys could not be fetched: not an Error')
    expect((error as KeysUnavailableError).cause).toMatchObject({ data: { error: 'not an Error', retryAfterMs: 1000 } })
  })
})

describe('the clock is named clock, as everywhere in the suite', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  test('now still works, with one DeprecationWarning per factory', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/jwks', now: () => 0 })
    createCachingKeyResolver(async () => ({ keySet: { keys: [], byKid: new Map() }, complete: true }), { cooldownMs: 0, maxAgeMs: 1, now: () => 0 })
    createAlbKeyResolver({ endpoint: 'https://public-keys.auth.elb.eu-west-1.amazonaws.com', now: () => 0 })
    expect(warn.mock.calls).toEqual([
      ['createRemoteKeyResolver: now is deprecated: rename it clock', 'DeprecationWarning'],
      ['createCachingKeyResolver: now is deprecated: rename it clock', 'DeprecationWarning'],
      ['createAlbKeyResolver: now is deprecated: rename it clock', 'DeprecationWarning'],
    ])
  })

  test('mistakes are TypeErrors naming the option', () => {
    expect(() => createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/jwks', clock: 5 as never })).toThrow(
      /^createRemoteKeyResolver: clock must be a function$/,
    )
    expect(() => createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/jwks', clock: Date.now, now: Date.now })).toThrow(
      /^createRemoteKeyResolver: now is the deprecated name of clock: give clock only$/,
    )
    expect(() => createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/jwks', timeout: 1 } as never)).toThrow(
      /^createRemoteKeyResolver: timeout is not an option \(known: jwksUri, issuer, timeoutMs, /,
    )
    expect(() => createRemoteKeyResolver({ jwksUri: 'https://issuer.example.com/jwks', timeoutMs: 0 })).toThrow(
      /^createRemoteKeyResolver: timeoutMs must be a number of milliseconds > 0, got 0$/,
    )
    expect(() => createCachingKeyResolver(async () => ({ keySet: { keys: [], byKid: new Map() }, complete: true }), { cooldownMs: 0, maxAgeMs: 1 })).toThrow(
      /^createCachingKeyResolver: clock must be a function returning milliseconds$/,
    )
  })
})
