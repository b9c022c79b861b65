import { describe, expect, test } from '@jest/globals'
import { verify as cryptoVerify, constants, type KeyObject } from 'node:crypto'
import { compactVerify, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import { defaultKeyPair, generateKeyPair, signToken, tamper, unsignedToken, type TestAlgorithm } from '../src/index.js'

const algorithms: TestAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA']
const decodePart = (part: string | undefined): unknown => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'))

/** Verifies a compact JWS with node:crypto only, whatever its header says. */
function verifyRaw(token: string, alg: string, key: KeyObject): boolean {
  const [h, p, s] = token.split('.')
  const data = Buffer.from(`${h}.${p}`)
  const signature = Buffer.from(s ?? '', 'base64url')
  const hash = `sha${alg.slice(2)}`
  if (alg === 'EdDSA') return cryptoVerify(null, data, key, signature)
  if (alg.startsWith('PS'))
    return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
  if (alg.startsWith('ES')) return cryptoVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
  return cryptoVerify(hash, data, key, signature)
}

describe('signToken', () => {
  test.each(algorithms)('%s: jose verifies it with the public key', async (alg) => {
    const key = generateKeyPair(alg)
    const token = await signToken({ scope: 'orders:read' }, { key })
    const { payload, protectedHeader } = await jwtVerify(token, key.publicKey, {
      algorithms: [alg],
      issuer: 'https://issuer.example.com',
      audience: 'api://default',
    })
    expect(protectedHeader).toEqual({ alg, kid: key.kid })
    expect(payload.scope).toBe('orders:read')
    expect(payload.sub).toBe('user-123')
  })

  test('default claims: iss, sub, aud, iat = now, exp = iat + 3600; default key is a lazy RS256 pair', async () => {
    const before = Math.floor(Date.now() / 1000)
    const token = await signToken()
    const payload = decodeJwt(token)
    expect(Object.keys(payload)).toEqual(['iss', 'sub', 'aud', 'iat', 'exp'])
    expect(payload).toMatchObject({ iss: 'https://issuer.example.com', sub: 'user-123', aud: 'api://default' })
    expect(payload.iat).toBeGreaterThanOrEqual(before)
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
    expect(payload.exp).toBe((payload.iat ?? 0) + 3600)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: defaultKeyPair().kid })
    expect(defaultKeyPair()).toBe(defaultKeyPair())
    await expect(jwtVerify(token, defaultKeyPair().publicKey)).resolves.toBeDefined()
  })

  test('options set the claims; null omits iss, sub and aud', async () => {
    const token = await signToken({}, { issuer: 'https://a.example', subject: 'alice', audience: ['x', 'y'], now: 1_000_000, expiresIn: 60 })
    expect(decodeJwt(token)).toEqual({ iss: 'https://a.example', sub: 'alice', aud: ['x', 'y'], iat: 1_000_000, exp: 1_000_060 })
    const bare = await signToken({}, { issuer: null, subject: null, audience: null, now: 5 })
    expect(decodeJwt(bare)).toEqual({ iat: 5, exp: 3605 })
  })

  test('claims override defaults as given, even hostile ones, and omit removes claims', async () => {
    const token = await signToken({ exp: 'x', aud: [], nbf: 'soon', extra: { a: 1 } }, { omit: ['iat', 'sub'] })
    expect(decodeJwt(token)).toEqual({ iss: 'https://issuer.example.com', aud: [], exp: 'x', nbf: 'soon', extra: { a: 1 } })
    const noExp = await signToken({}, { omit: ['exp'] })
    expect(decodeJwt(noExp)).not.toHaveProperty('exp')
  })

  test('an expired token is rejected by jose', async () => {
    const token = await signToken({}, { expiresIn: -120 })
    await expect(jwtVerify(token, defaultKeyPair().publicKey)).rejects.toBeInstanceOf(errors.JWTExpired)
  })

  test('header: merged over { alg, kid }; typ only when given; undefined removes a member', async () => {
    const key = generateKeyPair('ES256', { kid: 'k1' })
    expect(decodeProtectedHeader(await signToken({}, { key }))).toEqual({ alg: 'ES256', kid: 'k1' })
    expect(decodeProtectedHeader(await signToken({}, { key, header: { typ: 'at+jwt', kid: 'other' } }))).toEqual({ alg: 'ES256', kid: 'other', typ: 'at+jwt' })
    const noKid = await signToken({}, { key, header: { kid: undefined } })
    expect(decodeProtectedHeader(noKid)).toEqual({ alg: 'ES256' })
    await expect(jwtVerify(noKid, key.publicKey)).resolves.toBeDefined()
  })

  test('header alg that the key can compute signs with that algorithm (RS384 with an RSA pair)', async () => {
    const key = generateKeyPair('RS256')
    const token = await signToken({}, { key, header: { alg: 'RS384' } })
    await expect(jwtVerify(token, key.publicKey, { algorithms: ['RS384'] })).resolves.toBeDefined()
    await expect(jwtVerify(token, key.publicKey, { algorithms: ['RS256'] })).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed)
  })

  test('headers jose refuses are still signed (node:crypto): crit, b64, alg none', async () => {
    const key = generateKeyPair('ES256')
    const emptyCrit = await signToken({}, { key, header: { crit: [] } })
    expect(decodeProtectedHeader(emptyCrit)).toEqual({ alg: 'ES256', kid: key.kid, crit: [] })
    expect(verifyRaw(emptyCrit, 'ES256', key.publicKey)).toBe(true)
    await expect(compactVerify(emptyCrit, key.publicKey)).rejects.toBeInstanceOf(errors.JWSInvalid)

    const b64 = await signToken({}, { key, header: { b64: false, crit: ['b64'] } })
    expect(verifyRaw(b64, 'ES256', key.publicKey)).toBe(true)
    expect(decodeJwt(b64).sub).toBe('user-123') // the payload is still base64url

    const none = await signToken({}, { key, header: { alg: 'none' } })
    expect(decodeProtectedHeader(none).alg).toBe('none')
    expect(verifyRaw(none, 'ES256', key.publicKey)).toBe(true) // signed with the key's own algorithm
  })

  test('an RSA key under 2048 bits still signs (jose refuses such keys)', async () => {
    const weak = generateKeyPair('RS256', { modulusLength: 1024 })
    const token = await signToken({}, { key: weak })
    expect(verifyRaw(token, 'RS256', weak.publicKey)).toBe(true)
    await expect(jwtVerify(token, weak.publicKey)).rejects.toThrow(TypeError)
  })

  test('PS256 via the raw path uses a salt as long as the hash (jose verifies it)', async () => {
    const key = generateKeyPair('PS256')
    const token = await signToken({}, { key, header: { crit: ['exp'], exp: 1 } })
    expect(verifyRaw(token, 'PS256', key.publicKey)).toBe(true)
    await expect(compactVerify(token, key.publicKey, { crit: { exp: true } })).resolves.toBeDefined()
  })
})

describe('unsignedToken', () => {
  test('base64url JSON header and payload, signature verbatim', () => {
    const token = unsignedToken({ alg: 'none' }, { sub: 'admin' })
    expect(token).toBe(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.`)
    const [h, p, s] = unsignedToken({ alg: 'RS256', kid: 'k' }, { a: 1 }, 'AAAA').split('.')
    expect(decodePart(h)).toEqual({ alg: 'RS256', kid: 'k' })
    expect(decodePart(p)).toEqual({ a: 1 })
    expect(s).toBe('AAAA')
  })

  test('strings are raw text, not JSON-encoded', () => {
    const [h, p] = unsignedToken('not json', '[]').split('.')
    expect(Buffer.from(h ?? '', 'base64url').toString()).toBe('not json')
    expect(Buffer.from(p ?? '', 'base64url').toString()).toBe('[]')
  })

  test('jose rejects alg none', async () => {
    const token = unsignedToken({ alg: 'none' }, { sub: 'admin', exp: 4102444800 })
    await expect(jwtVerify(token, defaultKeyPair().publicKey)).rejects.toBeInstanceOf(errors.JOSENotSupported)
  })
})

describe('tamper', () => {
  test('keeps header and signature, merges claims over the payload; the signature no longer verifies', async () => {
    const token = await signToken({ scope: 'read' })
    const forged = tamper(token, { scope: 'admin', sub: undefined })
    const [h1, , s1] = token.split('.')
    const [h2, , s2] = forged.split('.')
    expect(h2).toBe(h1)
    expect(s2).toBe(s1)
    const payload = decodeJwt(forged)
    expect(payload.scope).toBe('admin')
    expect(payload).not.toHaveProperty('sub')
    expect(payload.iss).toBe('https://issuer.example.com')
    await expect(jwtVerify(forged, defaultKeyPair().publicKey)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed)
  })

  test('malformed tokens are a TypeError', () => {
    expect(() => tamper('a.b', {})).toThrow(TypeError)
    expect(() => tamper(unsignedToken({ alg: 'none' }, '[]'), {})).toThrow(TypeError)
    expect(() => tamper(unsignedToken({ alg: 'none' }, 'not json'), {})).toThrow(TypeError)
  })
})
