// The fault matrix of the key path: what a protected handler answers, and how many requests reach
// the identity provider, when its discovery or JWKS endpoint misbehaves. Every row goes through
// the real middleware and the real HTTP client against a server on loopback; docs/security.md
// ("Faults on the key path") states the same behaviours for users.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from '@jest/globals'
import { generateKeyPair, signToken, type TestKeyPair } from '@middy-auth/testing'
import { bearer, outcome, protect } from './support.js'

const audience = 'orders-api'

/** What an endpoint does with the next requests. */
type Fault =
  | { kind: 'ok' }
  | { kind: 'slow'; ms: number }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'not-json' }
  | { kind: 'reset-mid-body' }
  | { kind: 'oversize' }

interface FaultyIssuer {
  readonly issuer: string
  readonly jwksUri: string
  readonly requests: { discovery: number; jwks: number }
  keys: TestKeyPair[]
  jwks: Fault
  discovery: Fault
  /** Overrides of the discovery document's members. */
  document: Record<string, unknown>
  sign(claims?: Record<string, unknown>, key?: TestKeyPair): Promise<string>
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

async function faultyIssuer(): Promise<FaultyIssuer> {
  const state = {
    keys: [generateKeyPair('RS256', { kid: 'key-1' })],
    jwks: { kind: 'ok' } as Fault,
    discovery: { kind: 'ok' } as Fault,
    document: {} as Record<string, unknown>,
    requests: { discovery: 0, jwks: 0 },
  }
  const serve = (res: ServerResponse, fault: Fault, body: () => unknown): void => {
    const json = JSON.stringify(body())
    switch (fault.kind) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(json)
        return
      case 'slow':
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(json), fault.ms)
        return
      case 'hang':
        return // never answers; the server's close destroys the socket
      case 'status':
        res.writeHead(fault.status, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }).end('{"error":"busy"}')
        return
      case 'not-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>maintenance</html>')
        return
      case 'reset-mid-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(json.length) })
        res.write(json.slice(0, 20))
        setTimeout(() => res.socket?.destroy(), 10)
        return
      case 'oversize':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ...(body() as object), padding: 'x'.repeat(600 * 1024) }))
        return
    }
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/.well-known/openid-configuration') {
      state.requests.discovery++
      serve(res, state.discovery, () => ({ issuer: base, jwks_uri: `${base}/jwks`, ...state.document }))
    } else if (req.url === '/jwks') {
      state.requests.jwks++
      serve(res, state.jwks, () => ({ keys: state.keys.map((pair) => pair.publicJwk) }))
    } else {
      res.writeHead(404).end()
    }
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.defineProperties(state as unknown as FaultyIssuer, {
    issuer: { value: base },
    jwksUri: { value: `${base}/jwks` },
    sign: {
      value: (claims: Record<string, unknown> = {}, key?: TestKeyPair) => signToken(claims, { key: key ?? state.keys[0]!, issuer: base, audience }),
    },
  })
}

/** A handler for `idp` whose clock the test moves; `discover` leaves `jwksUri` out. */
function protectedBy(idp: FaultyIssuer, { discover = false, timeoutMs = 300 } = {}) {
  const clock = { now: Date.now() }
  const api = protect({
    issuers: [{ issuer: idp.issuer, audience, ...(discover ? {} : { jwksUri: idp.jwksUri }) }],
    clock: () => clock.now,
    jwks: { timeoutMs, cooldownMs: 10_000 },
  })
  return { ...api, clock }
}

/** Lets the factory's prefetch run to its end. */
const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms))

const invokeMany = async (api: ReturnType<typeof protectedBy>, tokens: string[]) => Promise.all(tokens.map((token) => api.invoke(bearer(token))))

describe('faults with nothing cached: 503 temporarily_unavailable, the handler never runs, one fetch per cooldown', () => {
  const rows: Array<[string, Fault]> = [
    ['HTTP 500', { kind: 'status', status: 500 }],
    ['a timeout (the endpoint never answers)', { kind: 'hang' }],
    ['a body that is not JSON', { kind: 'not-json' }],
    ['a connection reset in the middle of the body', { kind: 'reset-mid-body' }],
    ['a body over the size limit (512 KiB)', { kind: 'oversize' }],
  ]
  test.each(rows)('%s', async (_name, fault) => {
    const idp = await faultyIssuer()
    idp.jwks = fault
    const api = protectedBy(idp)
    await settle(400) // the prefetch fails (a timeout takes timeoutMs)
    expect(idp.requests.jwks).toBe(1)

    const token = await idp.sign({ sub: 'alice' })
    const first = await api.invoke(bearer(token))
    expect(outcome(first)).toEqual([503, 'temporarily_unavailable'])
    expect(first.headers['Retry-After']).toBe('10')
    expect(first.headers['WWW-Authenticate']).toBeUndefined()
    expect(first.body).not.toContain(idp.issuer)
    // A failed prefetch starts no cooldown: this first request tried again, and its failure did.
    expect(idp.requests.jwks).toBe(2)

    const more = await invokeMany(api, await Promise.all(Array.from({ length: 50 }, (_, i) => idp.sign({ sub: `user-${i}` }))))
    expect(more.every((response) => outcome(response)[0] === 503)).toBe(true)
    expect(idp.requests.jwks).toBe(2)
    expect(api.seen).toEqual([])

    // The endpoint recovers; the next request after the cooldown fetches and succeeds.
    idp.jwks = { kind: 'ok' }
    api.clock.now += 10_001
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
    expect(idp.requests.jwks).toBe(3)
    expect(api.seen.map((auth) => auth?.subject)).toEqual(['alice'])
  })

  test('DNS failure (a host that cannot resolve) is a 503 too, within the timeout', async () => {
    const api = protect({
      issuers: [{ issuer: 'https://jwks.invalid', audience, jwksUri: 'https://jwks.invalid/.well-known/jwks.json' }],
      jwks: { timeoutMs: 2000 },
    })
    const token = await signToken({}, { issuer: 'https://jwks.invalid', audience })
    const started = Date.now()
    const response = await api.invoke(bearer(token))
    expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
    expect(Date.now() - started).toBeLessThan(2500)
    expect(response.body).not.toContain('jwks.invalid')
    expect(api.seen).toEqual([])
  })
})

describe('429 and 503 with Retry-After: no fetch before the time the server asked for', () => {
  test.each([
    ['429 with Retry-After: 120 (seconds)', 429, '120', 120],
    ['503 with Retry-After: 30', 503, '30', 30],
    ['429 with Retry-After: 3600, capped at five minutes', 429, '3600', 300],
    ['429 with Retry-After: 2, shorter than the cooldown: the cooldown holds', 429, '2', 10],
  ])('%s', async (_name, status, retryAfter, waitSeconds) => {
    const idp = await faultyIssuer()
    idp.jwks = { kind: 'status', status, retryAfter }
    const api = protectedBy(idp)
    await settle()
    const token = await idp.sign()
    const response = await api.invoke(bearer(token))
    expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
    expect(response.headers['Retry-After']).toBe(String(waitSeconds))
    const fetchesSoFar = idp.requests.jwks

    idp.jwks = { kind: 'ok' }
    api.clock.now += waitSeconds * 1000 - 1000
    expect(outcome(await api.invoke(bearer(token)))[0]).toBe(503)
    expect(idp.requests.jwks).toBe(fetchesSoFar)
    api.clock.now += 1001
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
    expect(idp.requests.jwks).toBe(fetchesSoFar + 1)
  })

  test('Retry-After as an HTTP date', async () => {
    const idp = await faultyIssuer()
    idp.jwks = { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString() }
    const api = protectedBy(idp)
    await settle()
    const response = await api.invoke(bearer(await idp.sign()))
    expect(Number(response.headers['Retry-After'])).toBeGreaterThanOrEqual(58)
    expect(Number(response.headers['Retry-After'])).toBeLessThanOrEqual(60)
  })
})

describe('faults with keys cached: the cached keys keep answering, one fetch per cooldown', () => {
  test.each<[string, Fault]>([
    ['HTTP 500', { kind: 'status', status: 500 }],
    ['a timeout', { kind: 'hang' }],
    ['a connection reset in the middle of the body', { kind: 'reset-mid-body' }],
    ['a body that is not JSON', { kind: 'not-json' }],
  ])('%s during the age refresh', async (_name, fault) => {
    const idp = await faultyIssuer()
    const api = protectedBy(idp)
    expect((await api.invoke(bearer(await idp.sign()))).statusCode).toBe(200)
    expect(idp.requests.jwks).toBe(1)

    idp.jwks = fault
    api.clock.now += 11 * 60_000 // past maxAgeMs: the next call refreshes in the background
    const responses = await invokeMany(api, await Promise.all(Array.from({ length: 20 }, (_, i) => idp.sign({ sub: `u${i}` }))))
    expect(responses.every((response) => response.statusCode === 200)).toBe(true)
    await settle(400)
    expect(idp.requests.jwks).toBe(2)
    expect((await api.invoke(bearer(await idp.sign()))).statusCode).toBe(200)
    expect(idp.requests.jwks).toBe(2)
  })

  test('a slow endpoint (under the timeout) delays no request that has its key', async () => {
    const idp = await faultyIssuer()
    const api = protectedBy(idp, { timeoutMs: 2000 })
    expect((await api.invoke(bearer(await idp.sign()))).statusCode).toBe(200)
    idp.jwks = { kind: 'slow', ms: 500 }
    api.clock.now += 11 * 60_000
    const started = Date.now()
    expect((await api.invoke(bearer(await idp.sign()))).statusCode).toBe(200)
    expect(Date.now() - started).toBeLessThan(300)
    await settle(600)
    expect(idp.requests.jwks).toBe(2)
  })
})

describe('the key set changes', () => {
  test('a slow cold endpoint: 100 concurrent first requests wait for one fetch', async () => {
    const idp = await faultyIssuer()
    idp.jwks = { kind: 'slow', ms: 150 }
    const api = protectedBy(idp, { timeoutMs: 2000 })
    const responses = await invokeMany(api, await Promise.all(Array.from({ length: 100 }, (_, i) => idp.sign({ sub: `u${i}` }))))
    expect(responses.every((response) => response.statusCode === 200)).toBe(true)
    expect(idp.requests.jwks).toBe(1)
  })

  test('an empty key set refuses every token (401 invalid_token), with one refetch per cooldown', async () => {
    const idp = await faultyIssuer()
    const signer = idp.keys[0]!
    idp.keys = []
    const api = protectedBy(idp)
    const responses = await invokeMany(api, await Promise.all(Array.from({ length: 30 }, () => idp.sign({}, signer))))
    expect(responses.every((response) => outcome(response)[1] === 'invalid_token')).toBe(true)
    expect(responses[0]!.headers['WWW-Authenticate']).toMatch(/^Bearer /)
    expect(responses[0]!.body).not.toContain('key-1')
    expect(idp.requests.jwks).toBeLessThanOrEqual(2)
    expect(api.seen).toEqual([])
  })

  test('a key removed from the set stops verifying at the next refresh; a rotated-in key works at once', async () => {
    const idp = await faultyIssuer()
    const api = protectedBy(idp)
    const [oldKey] = idp.keys
    const oldToken = await idp.sign({ sub: 'old' })
    expect((await api.invoke(bearer(oldToken))).statusCode).toBe(200)

    const newKey = generateKeyPair('ES256', { kid: 'key-2' })
    idp.keys = [oldKey!, newKey]
    expect((await api.invoke(bearer(await idp.sign({ sub: 'new' }, newKey)))).statusCode).toBe(200)
    expect(idp.requests.jwks).toBe(2)

    idp.keys = [newKey]
    api.clock.now += 11 * 60_000
    await api.invoke(bearer(await idp.sign({}, newKey))) // starts the refresh
    await settle()
    expect(outcome(await api.invoke(bearer(await idp.sign({ sub: 'old-again' }, oldKey))))).toEqual([401, 'invalid_token'])
    expect(idp.requests.jwks).toBeLessThanOrEqual(4)
  })
})

describe('OIDC discovery faults', () => {
  test.each<[string, (idp: FaultyIssuer) => void]>([
    ['a discovery document for another issuer', (idp) => (idp.document = { issuer: 'https://evil.example.com' })],
    ['a jwks_uri over plain http to another host', (idp) => (idp.document = { jwks_uri: 'http://keys.example.com/jwks' })],
    ['no jwks_uri', (idp) => (idp.document = { jwks_uri: undefined })],
    ['discovery answering 500', (idp) => (idp.discovery = { kind: 'status', status: 500 })],
    ['discovery timing out', (idp) => (idp.discovery = { kind: 'hang' })],
  ])('%s: 503, no JWKS fetched from anywhere, discovery retried once per cooldown', async (_name, breakIt) => {
    const idp = await faultyIssuer()
    breakIt(idp)
    const api = protectedBy(idp, { discover: true })
    await settle(400)
    const tokens = await Promise.all(Array.from({ length: 20 }, () => idp.sign()))
    const responses = await invokeMany(api, tokens)
    expect(responses.every((response) => outcome(response)[0] === 503)).toBe(true)
    expect(idp.requests.jwks).toBe(0)
    expect(idp.requests.discovery).toBe(2) // the prefetch, then the first request's retry
    expect(api.seen).toEqual([])

    idp.document = {}
    idp.discovery = { kind: 'ok' }
    api.clock.now += 10_001
    expect((await api.invoke(bearer(tokens[0]!))).statusCode).toBe(200)
    expect(idp.requests).toEqual({ discovery: 3, jwks: 1 })
  })
})
