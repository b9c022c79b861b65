import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import jwksRsa from 'jwks-rsa'
import type { JwksClient } from 'jwks-rsa'
import { jwksRsaResolver } from '../src/jwks-rsa.js'
import type { JwksRsaResolverOptions } from '../src/jwks-rsa.js'
import { KeysUnavailableError } from '../src/key-resolver.js'
import type { KeySet } from '../src/key-resolver.js'

type Jwk = Record<string, unknown>
const jwkOf = (publicKey: KeyObject, extra: Jwk): Jwk => ({ ...publicKey.export({ format: 'jwk' }), ...extra })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const k1 = jwkOf(rsa.publicKey, { kid: 'k1', use: 'sig', alg: 'RS256' })
const k2 = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, { kid: 'k2' })
const k3 = jwkOf(generateKeyPairSync('ed25519').publicKey, { kid: 'k3', alg: 'EdDSA' })
const weak = jwkOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, { kid: 'weak' })
const mislabelled = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, { kid: 'mislabelled', alg: 'ES256' })

const state = { keys: [] as Jwk[], status: 200, requests: 0 }
let server: Server
let jwksUri: string

beforeAll(async () => {
  server = createServer((_req, res) => {
    state.requests++
    if (state.status !== 200) {
      res.writeHead(state.status).end('{"message":"down"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

let clock: number
const now = (): number => clock

beforeEach(() => {
  state.keys = [k1, k2, weak, mislabelled]
  state.status = 200
  state.requests = 0
  clock = 1_700_000_000_000
})

// A real jwks-rsa client, as a user would configure it (its own cache on, by default).
const resolverFor = (options: JwksRsaResolverOptions = {}, client: JwksClient = new jwksRsa.JwksClient({ jwksUri })) =>
  jwksRsaResolver(client, { clock: now, ...options })

const kids = (set: KeySet): string[] => [...set.byKid.keys()]

// Polls for what a background load does, rather than sleeping a guessed time (slow CI, 1 CPU).
const waitFor = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met within 5 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('jwksRsaResolver', () => {
  test('loads the set with getSigningKeys, keeping only keys that pass importJwk', async () => {
    const resolver = resolverFor()
    const set = await resolver.getKeySet('k1')
    expect(kids(set)).toEqual(['k1', 'k2'])
    expect(set.byKid.get('k1')).toMatchObject({ kty: 'RSA', alg: 'RS256', use: undefined })
    expect(set.byKid.get('k2')).toMatchObject({ kty: 'EC', crv: 'P-256', alg: undefined })
    const data = Buffer.from('header.payload')
    expect(verify('sha256', data, set.byKid.get('k1')!.key, sign('sha256', data, rsa.privateKey))).toBe(true)
    expect(state.requests).toBe(1)
  })

  test('100 concurrent cold calls make one request', async () => {
    const resolver = resolverFor()
    const sets = await Promise.all(Array.from({ length: 100 }, () => resolver.getKeySet('k2')))
    expect(new Set(sets).size).toBe(1)
    expect(state.requests).toBe(1)
  })

  test('prefetch loads at once and never rejects', async () => {
    const resolver = resolverFor()
    resolver.prefetch()
    await waitFor(() => resolver.cached() !== undefined)
    expect(state.requests).toBe(1)
    expect(kids(resolver.cached()!)).toEqual(['k1', 'k2'])

    state.status = 500
    const failing = resolverFor()
    expect(() => failing.prefetch()).not.toThrow()
    await expect(failing.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError) // waits for it
    expect(failing.cached()).toBeUndefined()
  })

  test('a key rotated in is found with getSigningKey on its first token; others keep their identity', async () => {
    const resolver = resolverFor()
    const first = await resolver.getKeySet('k1')
    state.keys = [k1, k2, k3]
    const second = await resolver.getKeySet('k3')
    expect(second.byKid.get('k3')).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })
    expect(second.byKid.get('k1')).toBe(first.byKid.get('k1'))
    expect(state.requests).toBe(2)
  })

  test('1,000 unknown kids: SigningKeyNotFoundError resolves with the set, one request per cooldown', async () => {
    const resolver = resolverFor()
    const set = await resolver.getKeySet('k1')
    const flood = () => Promise.all(Array.from({ length: 1000 }, (_, i) => resolver.getKeySet(`unknown-${i}`)))
    expect((await flood()).every((result) => result === set)).toBe(true)
    expect(state.requests).toBe(2)
    await flood()
    expect(state.requests).toBe(2)
    clock += 10_000
    await flood()
    expect(state.requests).toBe(3)
  })

  test('a key that importJwk refuses is not added when getSigningKey finds it', async () => {
    const resolver = resolverFor()
    await resolver.getKeySet('k1')
    expect((await resolver.getKeySet('weak')).byKid.has('weak')).toBe(false)
    clock += 10_000
    expect((await resolver.getKeySet('mislabelled')).byKid.has('mislabelled')).toBe(false)
  })

  test('the set is reloaded after maxAgeMs; unchanged keys keep their identity', async () => {
    const resolver = resolverFor({ maxAgeMs: 60_000 })
    const first = await resolver.getKeySet('k1')
    state.keys = [k1, k3]
    clock += 60_000
    expect(resolver.cached()).toBe(first)
    await waitFor(() => resolver.cached() !== first)
    const second = resolver.cached()!
    expect(kids(second)).toEqual(['k1', 'k3'])
    expect(second.byKid.get('k1')).toBe(first.byKid.get('k1'))
    expect(state.requests).toBe(2)
  })

  test('endpoint down with nothing cached: KeysUnavailableError, retried once per cooldown', async () => {
    state.status = 503
    const resolver = resolverFor()
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    await expect(resolver.getKeySet('k1')).rejects.toBeInstanceOf(KeysUnavailableError)
    expect(state.requests).toBe(1)
    state.status = 200
    clock += 10_000
    expect(kids(await resolver.getKeySet('k1'))).toEqual(['k1', 'k2'])
  })

  test('endpoint down with a cached set: the stale set is served', async () => {
    const resolver = resolverFor()
    const set = await resolver.getKeySet('k1')
    state.status = 500
    expect(await resolver.getKeySet('unknown')).toBe(set) // lookup fails: stale set
    expect(await resolver.getKeySet('k2')).toBe(set)
    expect(state.requests).toBe(2)
  })

  test('a client with its own rate limit: JwksRateLimitError is a failed lookup, the set stays', async () => {
    const client = new jwksRsa.JwksClient({ jwksUri, rateLimit: true, jwksRequestsPerMinute: 1 })
    const resolver = resolverFor({ cooldownMs: 0 }, client)
    const set = await resolver.getKeySet('k1') // getSigningKeys: not rate limited by jwks-rsa
    expect(await resolver.getKeySet('unknown-1')).toBe(set) // uses the one token
    expect(await resolver.getKeySet('unknown-2')).toBe(set) // JwksRateLimitError
    expect(state.requests).toBe(2)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['an object without the methods', { getKeys: () => [] }],
  ])('%s as client: TypeError', (_name, client) => {
    expect(() => jwksRsaResolver(client as JwksClient)).toThrow(TypeError)
    expect(() => jwksRsaResolver(client as JwksClient)).toThrow('client must be a jwks-rsa JwksClient')
  })

  test.each<[string, JwksRsaResolverOptions]>([
    ['cooldownMs negative', { cooldownMs: -1 }],
    ['maxAgeMs 0', { maxAgeMs: 0 }],
  ])('%s: TypeError', (_name, options) => {
    expect(() => jwksRsaResolver(new jwksRsa.JwksClient({ jwksUri }), options)).toThrow(TypeError)
  })
})
