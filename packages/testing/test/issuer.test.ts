import { afterEach, describe, expect, test } from '@jest/globals'
import { connect } from 'node:net'
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import { createTestIssuer, generateKeyPair, type TestAlgorithm, type TestIssuer } from '../src/index.js'

const algorithms: TestAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA']

const open: TestIssuer[] = []
async function issuer(...args: Parameters<typeof createTestIssuer>): Promise<TestIssuer> {
  const iss = await createTestIssuer(...args)
  open.push(iss)
  return iss
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((iss) => iss.close()))
})

async function verify(iss: TestIssuer, token: string, algs?: string[]): Promise<Record<string, unknown>> {
  const jwks = createRemoteJWKSet(new URL(iss.jwksUri))
  const { payload } = await jwtVerify(token, jwks, { issuer: iss.issuer, audience: 'api://default', ...(algs && { algorithms: algs }) })
  return payload
}

/** Resolves with the error code of a raw TCP connection attempt ('connected' if it succeeds). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
  })
}

describe('createTestIssuer: tokens verify against the JWKS served over HTTP', () => {
  test.each(algorithms)('%s', async (alg) => {
    const iss = await issuer({ algorithms: [alg] })
    const token = await iss.sign({ scope: 'orders:read' })
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: iss.keys[0]?.kid })
    const payload = await verify(iss, token, [alg])
    expect(payload).toMatchObject({ iss: iss.issuer, sub: 'user-123', aud: 'api://default', scope: 'orders:read' })
    expect(iss.requests.jwks).toBe(1)
  })

  test('one issuer with several algorithms publishes every key; each verifies', async () => {
    const iss = await issuer({ algorithms })
    expect(iss.keys.map((k) => k.alg)).toEqual(algorithms)
    const jwks = (await (await fetch(iss.jwksUri)).json()) as { keys: Array<{ kid: string; alg: string; use: string }> }
    expect(jwks.keys.map((k) => k.kid)).toEqual(iss.keys.map((k) => k.kid))
    for (const key of iss.keys) {
      await expect(verify(iss, await iss.sign({}, { key }), [key.alg])).resolves.toBeDefined()
    }
  })
})

describe('createTestIssuer: addresses and documents', () => {
  test('loopback issuer on a free port; discovery document points at the JWKS', async () => {
    const iss = await issuer()
    expect(iss.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(iss.jwksUri).toBe(`${iss.issuer}/.well-known/jwks.json`)
    expect(iss.discoveryUri).toBe(`${iss.issuer}/.well-known/openid-configuration`)
    const response = await fetch(iss.discoveryUri)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toMatchObject({
      issuer: iss.issuer,
      jwks_uri: iss.jwksUri,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
    })
  })

  test('path: issuer under a path, no trailing slash; documents served under it only', async () => {
    const iss = await issuer({ path: 'realms/test/', algorithms: ['ES256', 'ES256', 'EdDSA'] })
    expect(iss.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/test$/)
    const discovery = (await (await fetch(iss.discoveryUri)).json()) as Record<string, unknown>
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['ES256', 'EdDSA'])
    const root = new URL(iss.issuer).origin
    expect((await fetch(`${root}/.well-known/jwks.json`)).status).toBe(404)
    expect((await fetch(`${iss.jwksUri}?cache=bust`)).status).toBe(200)
    expect((await fetch(iss.jwksUri, { method: 'POST' })).status).toBe(405)
  })

  test('sign(): iss is the issuer; claims and options still apply', async () => {
    const iss = await issuer()
    const token = await iss.sign({ sub: 'alice' }, { audience: 'other', expiresIn: 10, now: 100 })
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
    expect(payload).toEqual({ iss: iss.issuer, sub: 'alice', aud: 'other', iat: 100, exp: 110 })
  })

  test("sign(): options.issuer sets a preset's iss, signed with this issuer's key; null leaves it out", async () => {
    const iss = await issuer()
    const pool = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123'
    const token = await iss.sign({ token_use: 'access' }, { issuer: pool, audience: null })
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(iss.jwksUri)), { issuer: pool })
    expect(payload).toMatchObject({ iss: pool, token_use: 'access' })
    expect(payload).not.toHaveProperty('aud')
    const without = await iss.sign({}, { issuer: null })
    expect(JSON.parse(Buffer.from(without.split('.')[1] ?? '', 'base64url').toString())).not.toHaveProperty('iss')
    const defaulted = await iss.sign({}, { issuer: undefined })
    expect(JSON.parse(Buffer.from(defaulted.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({ iss: iss.issuer })
  })
})

describe('createTestIssuer: counters', () => {
  test('count discovery, jwks and every request; resetCounters keeps the same live object', async () => {
    const iss = await issuer()
    const counters = iss.requests
    await fetch(iss.discoveryUri)
    await fetch(iss.discoveryUri)
    await fetch(iss.jwksUri)
    await fetch(`${iss.issuer}/nowhere`)
    expect(counters).toEqual({ discovery: 2, jwks: 1, total: 4 })
    iss.resetCounters()
    expect(iss.requests).toBe(counters)
    expect(counters).toEqual({ discovery: 0, jwks: 0, total: 0 })
    await fetch(iss.jwksUri)
    expect(counters.jwks).toBe(1)
  })

  test("jose's remote key set fetches once for several tokens", async () => {
    const iss = await issuer()
    const jwks = createRemoteJWKSet(new URL(iss.jwksUri))
    for (let i = 0; i < 3; i++) await jwtVerify(await iss.sign(), jwks, { issuer: iss.issuer })
    expect(iss.requests).toEqual({ discovery: 0, jwks: 1, total: 1 })
  })
})

describe('createTestIssuer: key changes', () => {
  const kids = async (iss: TestIssuer): Promise<string[]> =>
    ((await (await fetch(iss.jwksUri)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)

  test('rotate puts a new key first and keeps the old one published', async () => {
    const iss = await issuer()
    const old = iss.keys[0]!
    const oldToken = await iss.sign()
    const next = iss.rotate('ES256')
    expect(next.alg).toBe('ES256')
    expect(iss.keys.map((k) => k.kid)).toEqual([next.kid, old.kid])
    expect(await kids(iss)).toEqual([next.kid, old.kid])
    const newToken = await iss.sign()
    expect(decodeProtectedHeader(newToken).kid).toBe(next.kid)
    await expect(verify(iss, newToken)).resolves.toBeDefined()
    await expect(verify(iss, oldToken)).resolves.toBeDefined()
    expect(iss.rotate().alg).toBe('ES256') // default: the current first key's algorithm
  })

  test('retire removes a key from the JWKS; its tokens no longer verify', async () => {
    const iss = await issuer()
    const old = iss.keys[0]!
    const oldToken = await iss.sign()
    iss.rotate()
    expect(iss.retire(old.kid)).toBe(true)
    expect(iss.retire('no-such-kid')).toBe(false)
    expect(await kids(iss)).toEqual([iss.keys[0]!.kid])
    await expect(verify(iss, oldToken)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
  })

  test('addKey publishes a key after the others without making it the signer', async () => {
    const iss = await issuer()
    const extra = generateKeyPair('EdDSA', { kid: 'extra' })
    iss.addKey(extra)
    expect(await kids(iss)).toEqual([iss.keys[0]!.kid, 'extra'])
    expect(decodeProtectedHeader(await iss.sign()).kid).not.toBe('extra')
    await expect(verify(iss, await iss.sign({}, { key: extra }))).resolves.toBeDefined()
  })

  test('sign without any key left rejects', async () => {
    const iss = await issuer()
    iss.retire(iss.keys[0]!.kid)
    expect(await kids(iss)).toEqual([])
    await expect(iss.sign()).rejects.toThrow(/no key/)
  })

  test('setJwks serves arbitrary JSON until set back to undefined', async () => {
    const iss = await issuer()
    iss.setJwks({ keys: 'not-an-array' })
    expect(await (await fetch(iss.jwksUri)).json()).toEqual({ keys: 'not-an-array' })
    iss.setJwks(null)
    expect(await (await fetch(iss.jwksUri)).text()).toBe('null')
    iss.setJwks(undefined)
    expect(await kids(iss)).toEqual([iss.keys[0]!.kid])
  })
})

describe('createTestIssuer: failures', () => {
  test("'status-500' fails both documents with 500, null restores", async () => {
    const iss = await issuer()
    iss.failWith('status-500')
    expect((await fetch(iss.jwksUri)).status).toBe(500)
    expect((await fetch(iss.discoveryUri)).status).toBe(500)
    expect(iss.requests).toEqual({ discovery: 1, jwks: 1, total: 2 })
    iss.failWith(null)
    expect((await fetch(iss.jwksUri)).status).toBe(200)
  })

  test("'timeout' never answers (the request is counted)", async () => {
    const iss = await issuer()
    iss.failWith('timeout')
    const error = await fetch(iss.jwksUri, { signal: AbortSignal.timeout(200) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'TimeoutError' }) // a DOMException, from another realm under Jest
    expect(iss.requests.jwks).toBe(1)
  })

  test("'bad-json' answers 200 with a body that does not parse", async () => {
    const iss = await issuer()
    iss.failWith('bad-json')
    const response = await fetch(iss.jwksUri)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    await expect(response.json()).rejects.toMatchObject({ name: 'SyntaxError' })
    await expect(verify(iss, await iss.sign())).rejects.toThrow()
  })

  test("'not-json-object' answers 200 with JSON that is not an object", async () => {
    const iss = await issuer()
    iss.failWith('not-json-object')
    const body: unknown = await (await fetch(iss.discoveryUri)).json()
    expect(Array.isArray(body) || typeof body !== 'object' || body === null).toBe(true)
    await expect(verify(iss, await iss.sign())).rejects.toBeInstanceOf(errors.JWKSInvalid)
  })

  test('delayMs delays every response; concurrent requests all complete', async () => {
    const iss = await issuer()
    iss.delayMs(300)
    const start = performance.now()
    const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(iss.jwksUri)))
    const elapsed = performance.now() - start
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(3 * 300) // delayed together, not one after another
    iss.delayMs(0)
    const quick = performance.now()
    await fetch(iss.jwksUri)
    expect(performance.now() - quick).toBeLessThan(250)
  })
})

describe('createTestIssuer: close', () => {
  test('close drops answered, hanging and delayed connections, and frees the port; twice is fine', async () => {
    const iss = await createTestIssuer()
    const port = Number(new URL(iss.issuer).port)
    expect(await tryConnect(port)).toBe('connected')
    expect((await fetch(iss.jwksUri)).status).toBe(200) // leaves a keep-alive connection
    iss.failWith('timeout')
    const hanging = fetch(iss.jwksUri).then(
      () => 'answered',
      () => 'dropped',
    )
    const delayed = await createTestIssuer()
    delayed.delayMs(10_000)
    const pending = fetch(delayed.jwksUri).then(
      () => 'answered',
      () => 'dropped',
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(iss.requests.total).toBe(2)

    const start = performance.now()
    await Promise.all([iss.close(), delayed.close()])
    expect(performance.now() - start).toBeLessThan(1000) // server.close() resolves only once every socket is gone
    await expect(hanging).resolves.toBe('dropped')
    await expect(pending).resolves.toBe('dropped')
    await iss.close()
    expect(await tryConnect(port)).toBe('ECONNREFUSED')
    expect(await tryConnect(Number(new URL(delayed.issuer).port))).toBe('ECONNREFUSED')
  })

  test('Symbol.asyncDispose closes it (await using)', async () => {
    let uri: string
    {
      await using iss = await createTestIssuer()
      uri = iss.jwksUri
      expect((await fetch(uri)).status).toBe(200)
    }
    expect(await tryConnect(Number(new URL(uri).port))).toBe('ECONNREFUSED')
  })
})
