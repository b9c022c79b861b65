import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, generateKeyPair, signToken, tamper, unsignedToken, type TestIssuer } from '@middy-auth/testing'
import { SignJWT } from 'jose'
import { createSecretKey } from 'node:crypto'
import { loadFixture } from '../../../test/support/fixtures.js'
import { bearer, outcome, protect } from './support.js'

let iss: TestIssuer
let protectedApi: ReturnType<typeof protect>
const audience = 'orders-api'

beforeAll(async () => {
  iss = await createTestIssuer({ algorithms: ['RS256', 'ES256'] })
  protectedApi = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, algorithms: ['RS256', 'EdDSA'] }] })
})
afterAll(() => iss.close())

const sign = (claims: Record<string, unknown> = {}, options: Parameters<TestIssuer['sign']>[1] = {}) => iss.sign(claims, { audience, ...options })

describe('a valid token', () => {
  test('reaches the handler with context.auth', async () => {
    const token = await sign({ sub: 'alice', scope: 'orders:read orders:write', email: 'a@example.com' })
    const before = protectedApi.seen.length
    const response = await protectedApi.invoke(bearer(token))
    expect(response.statusCode).toBe(200)
    const auth = protectedApi.seen[before]!
    expect(auth).toMatchObject({ source: 'jwt', subject: 'alice', issuer: iss.issuer, scopes: ['orders:read', 'orders:write'], roles: [] })
    expect(auth.claims.email).toBe('a@example.com')
  })

  test('a cached token does not vouch for another token with the same signature', async () => {
    const token = await sign({ sub: 'alice', scope: 'orders:read' })
    expect((await protectedApi.invoke(bearer(token))).statusCode).toBe(200)
    const forged = tamper(token, { scope: 'orders:admin' })
    expect(forged.slice(-32)).toBe(token.slice(-32))
    expect(outcome(await protectedApi.invoke(bearer(forged)))).toEqual([401, 'invalid_token'])
    expect((await protectedApi.invoke(bearer(token))).statusCode).toBe(200)
  })

  test('each request gets its own lists, also on a cache hit', async () => {
    const token = await sign({ sub: 'bob' })
    await protectedApi.invoke(bearer(token))
    const first = protectedApi.seen.at(-1)!
    first.roles.push('admin')
    await protectedApi.invoke(bearer(token))
    expect(protectedApi.seen.at(-1)!.roles).toEqual([])
    expect(Object.isFrozen(protectedApi.seen.at(-1)!.claims)).toBe(true)
  })

  test('claims are frozen all the way down: a handler cannot change what the next request with the token sees', async () => {
    const token = await sign({ sub: 'carol', groups: ['viewer'], address: { country: 'FR', lines: ['1 rue'] } })
    await protectedApi.invoke(bearer(token))
    const claims = protectedApi.seen.at(-1)!.claims as any
    expect(Object.isFrozen(claims.groups)).toBe(true)
    expect(Object.isFrozen(claims.address)).toBe(true)
    expect(Object.isFrozen(claims.address.lines)).toBe(true)
    expect(() => claims.groups.push('admin')).toThrow(TypeError)
  })
})

/** Every row of the issue that must be refused: status, code, and nothing of the token in the answer. */
describe('refused requests', () => {
  const refuse = async (event: unknown, status: number, code: string, secrets: string[] = []) => {
    const before = protectedApi.seen.length
    const response = await protectedApi.invoke(event)
    expect(outcome(response)).toEqual([status, code])
    expect(protectedApi.seen.length).toBe(before)
    const visible = response.body + JSON.stringify(response.headers)
    for (const secret of secrets) expect(visible).not.toContain(secret)
    return response
  }
  const refuseToken = async (token: string, status = 401, code = 'invalid_token') => {
    const [header, payload] = token.split('.')
    return refuse(
      bearer(token),
      status,
      code,
      [token, header ?? '', payload ?? '', iss.keys[0]!.kid, 'alice'].filter((s) => s.length > 3),
    )
  }

  test('no header: 401 missing_token with a bare challenge', async () => {
    const response = await refuse({ headers: {} }, 401, 'missing_token')
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api"')
  })
  test('null headers (console test invocation): 401 missing_token', async () => {
    await refuse(loadFixture('rest-v1-console-test-invoke.json'), 401, 'missing_token')
  })
  test('another scheme: 401 missing_token', async () => {
    await refuse({ headers: { Authorization: 'Basic YWxpY2U6c2VjcmV0' } }, 401, 'missing_token', ['YWxpY2U6c2VjcmV0'])
  })
  test.each(['Bearer', 'Bearer ', 'bearer    '])('empty bearer %j: 400 invalid_request', async (value) => {
    const response = await refuse({ headers: { authorization: value } }, 400, 'invalid_request')
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api", error="invalid_request"')
  })
  test('two tokens in one header, two headers, comma-joined repeats: 400', async () => {
    const token = await sign({ sub: 'alice' })
    await refuse({ headers: { authorization: `Bearer ${token} ${token}` } }, 400, 'invalid_request', [token])
    await refuse({ headers: { authorization: `Bearer ${token}, Bearer ${token}` } }, 400, 'invalid_request', [token])
    await refuse(
      { multiValueHeaders: { Authorization: [`Bearer ${token}`, `Bearer ${token}`] }, headers: { Authorization: `Bearer ${token}` } },
      400,
      'invalid_request',
      [token],
    )
  })
  test('the scheme is case-insensitive', async () => {
    const response = await protectedApi.invoke({ headers: { authorization: `bEaReR ${await sign()}` } })
    expect(response.statusCode).toBe(200)
  })

  test('not three segments', async () => {
    const token = await sign()
    await refuseToken(token.split('.').slice(0, 2).join('.'))
    await refuseToken(`${token}.x`)
    await refuseToken('abc')
  })
  test('bad base64url: padding, +, /', async () => {
    const [h, p, s] = (await sign()).split('.') as [string, string, string]
    await refuseToken(`${h}=.${p}.${s}`)
    await refuseToken(`${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}x+`)
    await refuseToken(`${h}.${p}.${s}==`)
  })
  test('header or payload not a JSON object', async () => {
    await refuseToken(unsignedToken('[]', { iss: iss.issuer }, 'c2ln'))
    await refuseToken(unsignedToken({ alg: 'RS256' }, '"a string"', 'c2ln'))
    await refuseToken(unsignedToken({ alg: 'RS256' }, 'null', 'c2ln'))
    await refuseToken(unsignedToken('not json', { iss: iss.issuer }, 'c2ln'))
  })
  test('alg none, in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      await refuseToken(unsignedToken({ alg, kid: iss.keys[0]!.kid }, { iss: iss.issuer, aud: audience, sub: 'alice', exp: 9999999999 }))
    }
  })
  test('HMAC with the public key as the secret (key confusion)', async () => {
    const pair = iss.keys[0]!
    const secrets = [pair.publicKey.export({ type: 'spki', format: 'pem' }), JSON.stringify(pair.publicJwk), String(pair.publicJwk.n)]
    for (const secret of secrets) {
      const token = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256', kid: pair.kid })
        .setIssuer(iss.issuer)
        .setAudience(audience)
        .setExpirationTime('1h')
        .sign(createSecretKey(Buffer.from(secret)))
      await refuseToken(token)
    }
  })
  test('an alg outside the issuer allow-list, even with a published key that fits', async () => {
    const es256 = iss.keys.find((k) => k.alg === 'ES256')!
    await refuseToken(await sign({ sub: 'alice' }, { key: es256 }))
  })
  test('unknown kid', async () => {
    const stranger = generateKeyPair('RS256')
    await refuseToken(await sign({ sub: 'alice' }, { key: stranger }))
  })
  test('bad signature: tampered payload, foreign key with a known kid', async () => {
    const token = await sign({ sub: 'alice', scope: 'orders:read' })
    await refuseToken(tamper(token, { sub: 'alice', scope: 'orders:admin', iss: iss.issuer, aud: audience, exp: 9999999999 }))
    const forged = generateKeyPair('RS256', { kid: iss.keys[0]!.kid })
    await refuseToken(await sign({ sub: 'alice' }, { key: forged }))
  })
  test('unknown or missing iss: refused without fetching keys', async () => {
    iss.resetCounters()
    await refuseToken(await signToken({ sub: 'alice' }, { issuer: 'https://evil.example.com', audience, key: iss.keys[0]! }))
    await refuseToken(await sign({ sub: 'alice' }, { omit: ['iss'] }))
    await refuseToken(await signToken({ sub: 'alice' }, { issuer: `${iss.issuer}/`, audience, key: iss.keys[0]! }))
    expect(iss.requests.total).toBe(0)
  })
  test('wrong or missing aud', async () => {
    await refuseToken(await sign({ sub: 'alice' }, { audience: 'another-api' }))
    await refuseToken(await sign({ sub: 'alice' }, { audience: null }))
    await refuseToken(await sign({ sub: 'alice', aud: ['a', 'b'] }))
  })
  test('expired: the description says so', async () => {
    const response = await refuseToken(await sign({ sub: 'alice' }, { now: Math.floor(Date.now() / 1000) - 7200, expiresIn: 60 }))
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"')
  })
  test('nbf or iat in the future', async () => {
    const now = Math.floor(Date.now() / 1000)
    await refuseToken(await sign({ sub: 'alice', nbf: now + 600 }))
    await refuseToken(await sign({ sub: 'alice', iat: now + 600, exp: now + 3600 }))
  })
  test('exp missing or not a number; nbf, iat not numbers', async () => {
    await refuseToken(await sign({ sub: 'alice' }, { omit: ['exp'] }))
    await refuseToken(await sign({ sub: 'alice', exp: String(Math.floor(Date.now() / 1000) + 600) }))
    await refuseToken(await sign({ sub: 'alice', nbf: '0' }))
    await refuseToken(await sign({ sub: 'alice', iat: 'yesterday' }))
  })
  test('unknown or empty crit', async () => {
    await refuseToken(await sign({ sub: 'alice' }, { header: { crit: ['exp'], exp: 1 } }))
    await refuseToken(await sign({ sub: 'alice' }, { header: { crit: [] } }))
  })
  test('a token over 16 KiB', async () => {
    await refuseToken(await sign({ sub: 'alice', padding: 'x'.repeat(17 * 1024) }))
  })
})

describe('headers that point at keys are never followed', () => {
  test.each(['jku', 'x5u', 'jwk'])('%s', async (name) => {
    const attacker = await createTestIssuer()
    try {
      const value = name === 'jwk' ? attacker.keys[0]!.publicJwk : attacker.jwksUri
      const token = await signToken({ sub: 'alice' }, { issuer: iss.issuer, audience, key: attacker.keys[0]!, header: { [name]: value } })
      const response = await protectedApi.invoke(bearer(token))
      expect(outcome(response)).toEqual([401, 'invalid_token'])
      expect(attacker.requests.total).toBe(0)
    } finally {
      await attacker.close()
    }
  })
})

describe('token types and Cognito token use', () => {
  test('typ required when tokenType is set; application/ prefix and case do not matter', async () => {
    const api = protect({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, tokenType: 'at+jwt' }] })
    expect((await api.invoke(bearer(await sign({}, { header: { typ: 'application/AT+JWT' } })))).statusCode).toBe(200)
    expect(outcome(await api.invoke(bearer(await sign({}, { header: { typ: 'JWT' } }))))).toEqual([401, 'invalid_token'])
    expect(outcome(await api.invoke(bearer(await sign())))).toEqual([401, 'invalid_token'])
  })
})

describe('credentialsRequired: false', () => {
  const optional = () => protect({ credentialsRequired: false, issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
  test('no token: the handler runs without context.auth', async () => {
    const api = optional()
    expect((await api.invoke({ headers: {} })).statusCode).toBe(200)
    expect(api.seen).toEqual([undefined])
  })
  test('a bad or malformed token is still refused', async () => {
    const api = optional()
    expect(outcome(await api.invoke(bearer('x.y.z')))).toEqual([401, 'invalid_token'])
    expect(outcome(await api.invoke({ headers: { authorization: 'Bearer' } }))).toEqual([400, 'invalid_request'])
    expect(api.seen).toEqual([])
  })
})

describe('the realm option', () => {
  test('appears in every challenge', async () => {
    const api = protect({ realm: 'orders', issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
    expect((await api.invoke({})).headers['WWW-Authenticate']).toBe('Bearer realm="orders"')
  })
})
