/**
 * Red team: every test here tries to get a false accept, a 500 or a leak out of the middleware
 * and its key handling, beyond what the oracle (oracle.test.ts) covers. Each one asserts the
 * status and `error` code, that the handler never ran, and that nothing of the token, its kid
 * or its claims is in the response.
 */
import { describe, expect, test } from '@jest/globals'
import { CompactSign, createLocalJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import { constants, createHash, createHmac, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import jwtVerify, { type JwtVerifyOptions } from '../src/index.js'
import { errorCode, protect as protectWith, type Response } from '../../../test/support/protect.js'

// ---------------------------------------------------------------------------------------------
// World
// ---------------------------------------------------------------------------------------------

const NOW = 1_760_000_000
const NOW_MS = NOW * 1000
const ISS_A = 'https://issuer-a.example.com/'
const ISS_B = 'https://issuer-b.example.com/'
const AUDIENCE = 'orders-api'
const SUBJECT = 'subject-that-must-not-leak'

type Jwk = Record<string, unknown>
type Alg = 'RS256' | 'RS384' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA'

interface TestKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  jwk: Jwk
}

const makeKey = (kid: string, pair: { privateKey: KeyObject; publicKey: KeyObject }, extra: Jwk = {}): TestKey => ({
  kid,
  ...pair,
  jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, ...extra },
})

const rsaA = makeKey('kid-rsa-a', generateKeyPairSync('rsa', { modulusLength: 2048 }))
const ec256A = makeKey('kid-ec256-a', generateKeyPairSync('ec', { namedCurve: 'P-256' }))
const ec384A = makeKey('kid-ec384-a', generateKeyPairSync('ec', { namedCurve: 'P-384' }))
const ed25519A = makeKey('kid-ed25519-a', generateKeyPairSync('ed25519'))
const ed448A = makeKey('kid-ed448-a', generateKeyPairSync('ed448'))
const rsaB = makeKey('kid-rsa-b', generateKeyPairSync('rsa', { modulusLength: 2048 }))
const ec256B = makeKey('kid-ec256-b', generateKeyPairSync('ec', { namedCurve: 'P-256' }))
const attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' })

const keysA = [rsaA, ec256A, ec384A, ed25519A, ed448A]
const allKids = [...keysA, rsaB, ec256B].map((key) => key.kid)

const b64u = (data: string | Buffer): string => Buffer.from(data).toString('base64url')
const text = (value: string | object): string => (typeof value === 'string' ? value : JSON.stringify(value))

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISS_A,
  sub: SUBJECT,
  aud: AUDIENCE,
  iat: NOW - 10,
  exp: NOW + 600,
  ...extra,
})

const signWith = (alg: Alg, key: KeyObject, data: Buffer): Buffer => {
  switch (alg) {
    case 'RS256':
      return nodeSign('sha256', data, key)
    case 'RS384':
      return nodeSign('sha384', data, key)
    case 'PS256':
      return nodeSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
    case 'ES256':
      return nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
    case 'ES384':
      return nodeSign('sha384', data, { key, dsaEncoding: 'ieee-p1363' })
    case 'EdDSA':
      return nodeSign(null, data, key)
  }
}

/** A compact JWS over exactly this header and payload text (duplicates, __proto__, 1e309 survive). */
const jws = (header: string | object, payload: string | object, signAlg: Alg, key: KeyObject): string => {
  const input = `${b64u(text(header))}.${b64u(text(payload))}`
  return `${input}.${b64u(signWith(signAlg, key, Buffer.from(input)))}`
}

/** The signing input of a token with a signature put in by hand. */
const withSignature = (header: string | object, payload: string | object, signature: Buffer): string =>
  `${b64u(text(header))}.${b64u(text(payload))}.${b64u(signature)}`

// ---------------------------------------------------------------------------------------------
// The middleware as users wire it, and what a refusal must look like
// ---------------------------------------------------------------------------------------------

interface Result extends Response {
  /** How many times the handler ran for this request. */
  called: number
  auth: Record<string, any> | undefined
}

const defaultIssuers = () => [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: keysA.map((key) => key.jwk) } }]

const protect = (options: Partial<JwtVerifyOptions> = {}) => {
  const api = protectWith<Record<string, any> | undefined>([
    jwtVerify({ issuers: defaultIssuers(), clock: () => NOW_MS, cache: false, ...options } as JwtVerifyOptions),
  ])
  return async (event: unknown): Promise<Result> => {
    const before = api.seen.length
    const response = await api.invoke(event)
    const called = api.seen.length - before
    return { ...response, called, auth: called > 0 ? api.seen.at(-1) : undefined }
  }
}

const bearer = (token: string) => ({ version: '2.0', headers: { authorization: `Bearer ${token}` }, requestContext: { http: { method: 'GET' } } })

/** Nothing the client sent or the token holds may come back: not the token, a segment, a kid, a claim. */
const secretsOf = (token: string, extra: string[] = []): string[] =>
  [token, ...token.split('.'), ...allKids, SUBJECT, AUDIENCE, 'issuer-a.example.com', 'issuer-b.example.com', ...extra].filter((secret) => secret.length >= 6)

const expectRefused = (result: Result, status: number, code: string, secrets: string[] = []): void => {
  expect([result.statusCode, errorCode(result), result.called]).toEqual([status, code, 0])
  expect(Object.keys(JSON.parse(result.body) as object).sort()).toEqual(['error', 'error_description'])
  const visible = result.body + JSON.stringify(result.headers)
  for (const secret of secrets) expect(visible).not.toContain(secret)
  for (const value of Object.values(result.headers)) expect(String(value)).not.toMatch(/[\r\n]/)
}

const refuses = async (token: string, options: Partial<JwtVerifyOptions> = {}, extraSecrets: string[] = []) =>
  expectRefused(await protect(options)(bearer(token)), 401, 'invalid_token', secretsOf(token, extraSecrets))

const accepts = async (token: string, options: Partial<JwtVerifyOptions> = {}) => {
  const result = await protect(options)(bearer(token))
  expect([result.statusCode, result.called]).toEqual([200, 1])
  return result
}

/** jose's verdict with the same configuration, for the cases where we must agree with it. */
const joseAccepts = async (token: string, keys: Jwk[] = keysA.map((key) => key.jwk)): Promise<boolean> => {
  try {
    await joseJwtVerify(token, createLocalJWKSet({ keys: keys as never }), {
      issuer: ISS_A,
      audience: AUDIENCE,
      clockTolerance: 5,
      currentDate: new Date(NOW_MS),
      requiredClaims: ['exp'],
    })
    return true
  } catch {
    return false
  }
}

// Sanity: the world works, so that every refusal below is for the reason the test names.
test('control: a well-formed token of each key is accepted', async () => {
  await accepts(jws({ alg: 'RS256', kid: rsaA.kid }, claims(), 'RS256', rsaA.privateKey))
  await accepts(jws({ alg: 'PS256', kid: rsaA.kid }, claims(), 'PS256', rsaA.privateKey))
  await accepts(jws({ alg: 'ES256', kid: ec256A.kid }, claims(), 'ES256', ec256A.privateKey))
  await accepts(jws({ alg: 'ES384', kid: ec384A.kid }, claims(), 'ES384', ec384A.privateKey))
  await accepts(jws({ alg: 'EdDSA', kid: ed25519A.kid }, claims(), 'EdDSA', ed25519A.privateKey))
  await accepts(await new CompactSign(Buffer.from(JSON.stringify(claims()))).setProtectedHeader({ alg: 'ES256', kid: ec256A.kid }).sign(ec256A.privateKey))
})

// ---------------------------------------------------------------------------------------------
// Key confusion and algorithm tricks
// ---------------------------------------------------------------------------------------------

describe('HS256 with the public key as the HMAC secret (key confusion)', () => {
  const rsaPem = rsaA.publicKey.export({ format: 'pem', type: 'spki' }) as string
  const secrets: Array<[string, Buffer | string]> = [
    ['RSA SPKI PEM', rsaPem],
    ['RSA SPKI PEM without the final newline', rsaPem.trimEnd()],
    ['RSA PKCS#1 PEM', rsaA.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string],
    ['RSA SPKI DER', rsaA.publicKey.export({ format: 'der', type: 'spki' })],
    ['RSA JWK JSON', JSON.stringify(rsaA.jwk)],
    ['RSA modulus n (base64url text)', rsaA.jwk.n as string],
    ['RSA modulus n (bytes)', Buffer.from(rsaA.jwk.n as string, 'base64url')],
    ['EC SPKI PEM', ec256A.publicKey.export({ format: 'pem', type: 'spki' }) as string],
    ['EC JWK JSON', JSON.stringify(ec256A.jwk)],
    ['Ed25519 raw x', Buffer.from(ed25519A.jwk.x as string, 'base64url')],
    ['empty secret', ''],
  ]
  test.each(secrets)('%s', async (_name, secret) => {
    for (const [alg, hash] of [
      ['HS256', 'sha256'],
      ['HS384', 'sha384'],
      ['HS512', 'sha512'],
    ] as const) {
      for (const kid of [rsaA.kid, ec256A.kid, undefined]) {
        const header = { alg, typ: 'JWT', ...(kid ? { kid } : {}) }
        const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims()))}`
        const token = `${input}.${b64u(createHmac(hash, secret).update(input).digest())}`
        await refuses(token)
        await refuses(token, { issuers: [{ ...defaultIssuers()[0]!, algorithms: ['RS256', 'ES256'] }] })
      }
    }
  })

  test('HS256 cannot be allowed, and an oct key in the JWKS is never used', async () => {
    expect(() => jwtVerify({ issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [rsaA.jwk] }, algorithms: ['HS256' as never] }] })).toThrow(TypeError)
    const k = b64u('shared-secret-of-32-bytes-length!')
    expect(() => jwtVerify({ issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [{ kty: 'oct', k, kid: 'oct' }] } }] })).toThrow(TypeError)
    const input = `${b64u(JSON.stringify({ alg: 'HS256', kid: 'oct' }))}.${b64u(JSON.stringify(claims()))}`
    const token = `${input}.${b64u(createHmac('sha256', Buffer.from(k, 'base64url')).update(input).digest())}`
    await refuses(token, { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [{ kty: 'oct', k, kid: 'oct' }, rsaA.jwk] } }] })
  })
})

describe("alg 'none' in every spelling", () => {
  const spellings: unknown[] = [
    'none',
    'None',
    'NONE',
    'nOnE',
    'none ',
    ' none',
    'none\u0000',
    '\u006eone',
    'ｎｏｎｅ',
    '',
    null,
    0,
    false,
    ['none'],
    { none: true },
  ]
  test.each(spellings.map((alg) => [JSON.stringify(alg), alg]))('alg %s', async (_name, alg) => {
    const valid = jws({ alg: 'RS256', kid: rsaA.kid }, claims(), 'RS256', rsaA.privateKey)
    const validSignature = valid.split('.')[2] as string
    for (const kid of [rsaA.kid, undefined]) {
      const header = b64u(JSON.stringify({ alg, ...(kid ? { kid } : {}) }))
      const payload = b64u(JSON.stringify(claims()))
      for (const signature of ['', validSignature, 'e30', 'AA']) await refuses(`${header}.${payload}.${signature}`)
      await refuses(`${header}.${payload}`)
    }
  })
  test('no alg at all, and alg only in a __proto__ member', async () => {
    await refuses(jws({ kid: rsaA.kid }, claims(), 'RS256', rsaA.privateKey))
    await refuses(jws(`{"__proto__":{"alg":"RS256"},"kid":"${rsaA.kid}"}`, claims(), 'RS256', rsaA.privateKey))
  })
})

describe('curves and key types that do not fit the algorithm', () => {
  test('ES256 with the kid of a P-384 key (signed by it over SHA-256), and ES384 with a P-256 key', async () => {
    const signingInput = (header: object) => `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims()))}`
    const es256OnP384 = signingInput({ alg: 'ES256', kid: ec384A.kid })
    await refuses(`${es256OnP384}.${b64u(nodeSign('sha256', Buffer.from(es256OnP384), { key: ec384A.privateKey, dsaEncoding: 'ieee-p1363' }))}`)
    const es384OnP256 = signingInput({ alg: 'ES384', kid: ec256A.kid })
    await refuses(`${es384OnP256}.${b64u(nodeSign('sha384', Buffer.from(es384OnP256), { key: ec256A.privateKey, dsaEncoding: 'ieee-p1363' }))}`)
    // Without a kid: the only P-384 key cannot verify a P-256 signature.
    const noKid = signingInput({ alg: 'ES384' })
    await refuses(`${noKid}.${b64u(nodeSign('sha384', Buffer.from(noKid), { key: ec256A.privateKey, dsaEncoding: 'ieee-p1363' }))}`)
  })

  test('RS256 with the kid of an EC key, ES256 with the kid of an RSA key', async () => {
    await refuses(jws({ alg: 'RS256', kid: ec256A.kid }, claims(), 'RS256', rsaA.privateKey))
    await refuses(jws({ alg: 'ES256', kid: rsaA.kid }, claims(), 'ES256', ec256A.privateKey))
  })

  test('a JWK whose crv says P-256 over a P-384 point, or secp256k1 (ES256K), is never used', async () => {
    const lying = { ...ec384A.jwk, crv: 'P-256', kid: 'kid-lying' }
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const k1Jwk = { ...k1.publicKey.export({ format: 'jwk' }), kid: 'kid-k1' }
    const options = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [lying, k1Jwk, ec256A.jwk] } }] }
    await refuses(jws({ alg: 'ES256', kid: 'kid-lying' }, claims(), 'ES384', ec384A.privateKey), options)
    await refuses(jws({ alg: 'ES384', kid: 'kid-lying' }, claims(), 'ES384', ec384A.privateKey), options)
    const input = `${b64u(JSON.stringify({ alg: 'ES256K', kid: 'kid-k1' }))}.${b64u(JSON.stringify(claims()))}`
    await refuses(`${input}.${b64u(nodeSign('sha256', Buffer.from(input), { key: k1.privateKey, dsaEncoding: 'ieee-p1363' }))}`, options)
    const as256 = `${b64u(JSON.stringify({ alg: 'ES256', kid: 'kid-k1' }))}.${b64u(JSON.stringify(claims()))}`
    await refuses(`${as256}.${b64u(nodeSign('sha256', Buffer.from(as256), { key: k1.privateKey, dsaEncoding: 'ieee-p1363' }))}`, options)
  })

  test('an Ed448 key with alg Ed25519; an Ed448 signature under the Ed25519 kid; alg Ed448', async () => {
    const input = (header: object) => `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims()))}`
    const ed448Signed = (header: object) => `${input(header)}.${b64u(nodeSign(null, Buffer.from(input(header)), ed448A.privateKey))}`
    await refuses(ed448Signed({ alg: 'Ed25519', kid: ed448A.kid }))
    await refuses(ed448Signed({ alg: 'EdDSA', kid: ed25519A.kid }))
    await refuses(ed448Signed({ alg: 'Ed25519', kid: ed25519A.kid }))
    await refuses(ed448Signed({ alg: 'Ed448', kid: ed448A.kid }))
    // And the other way: an Ed25519 signature under the Ed448 kid.
    await refuses(jws({ alg: 'EdDSA', kid: ed448A.kid }, claims(), 'EdDSA', ed25519A.privateKey))
  })

  test('a JWK whose alg or use does not fit the token (alg RS384 signed RS256, use enc, key_ops encrypt, alg RSA-OAEP)', async () => {
    const pair = { privateKey: rsaB.privateKey, publicKey: rsaB.publicKey }
    const variants: Array<[Jwk, Alg]> = [
      [{ alg: 'RS384' }, 'RS256'],
      [{ alg: 'RS256' }, 'PS256'],
      [{ alg: 'PS256' }, 'RS256'],
      [{ use: 'enc' }, 'RS256'],
      [{ key_ops: ['encrypt'] }, 'RS256'],
      [{ alg: 'RSA-OAEP' }, 'RS256'],
      [{ alg: 'HS256' }, 'RS256'],
      [{ alg: 'none' }, 'RS256'],
    ]
    for (const [extra, alg] of variants) {
      const key = makeKey('kid-misfit', pair, extra)
      const options = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [key.jwk, ec256A.jwk] } }] }
      await refuses(jws({ alg, kid: key.kid }, claims(), alg, rsaB.privateKey), options)
      await refuses(jws({ alg }, claims(), alg, rsaB.privateKey), options)
    }
  })

  test('JWK metadata jose refuses (key_ops other than [verify], ext not a boolean): refused as jose does', async () => {
    const token = jws({ alg: 'ES256', kid: ec256B.kid }, claims(), 'ES256', ec256B.privateKey)
    for (const extra of [
      { key_ops: ['verify', 'verify'] },
      { key_ops: ['verify', 1] },
      { key_ops: ['verify', null] },
      { key_ops: ['sign', 'verify'] },
      { key_ops: ['verify', 'encrypt'] },
      { key_ops: [] },
      { key_ops: 'verify' },
      { ext: 'true' },
      { ext: 1 },
    ]) {
      const jwk = { ...ec256B.jwk, ...extra }
      expect([extra, await joseAccepts(token, [jwk])]).toEqual([extra, false])
      await refuses(token, { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [jwk, rsaA.jwk] } }] })
    }
    for (const extra of [{ key_ops: ['verify'] }, { ext: true }, { ext: false }, { key_ops: ['verify'], ext: true }]) {
      const jwk = { ...ec256B.jwk, ...extra }
      expect([extra, await joseAccepts(token, [jwk])]).toEqual([extra, true])
      await accepts(token, { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [jwk] } }] })
    }
  })

  test('two keys under one kid: the second one never verifies (first one wins, the rest are dropped)', async () => {
    const options = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [rsaA.jwk, { ...rsaB.jwk, kid: rsaA.kid }] } }] }
    await refuses(jws({ alg: 'RS256', kid: rsaA.kid }, claims(), 'RS256', rsaB.privateKey), options)
    // Also across key types: the EC key listed second under the RSA kid.
    const mixed = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [rsaA.jwk, { ...ec256B.jwk, kid: rsaA.kid }] } }] }
    await refuses(jws({ alg: 'ES256', kid: rsaA.kid }, claims(), 'ES256', ec256B.privateKey), mixed)
  })

  test('a private JWK published by mistake is not used, nor is a signer outside the set under a trusted kid', async () => {
    const leaked = makeKey('kid-leaked', generateKeyPairSync('ec', { namedCurve: 'P-256' }))
    const privateJwk = { ...leaked.privateKey.export({ format: 'jwk' }), kid: leaked.kid }
    const options = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [privateJwk, ec256A.jwk] } }] }
    await refuses(jws({ alg: 'ES256', kid: leaked.kid }, claims(), 'ES256', leaked.privateKey), options)
    await refuses(jws({ alg: 'ES256', kid: ec256A.kid }, claims(), 'ES256', attackerEc.privateKey))
    await refuses(jws({ alg: 'RS256', kid: rsaA.kid }, claims(), 'RS256', attackerRsa.privateKey))
  })
})

// ---------------------------------------------------------------------------------------------
// Weak RSA keys and forged signatures
// ---------------------------------------------------------------------------------------------

const bigOf = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex') || '0'}`)
const bytesOf = (value: bigint, length: number): Buffer => Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex')
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')
const pkcs1Prefix = (data: Buffer): Buffer => Buffer.concat([SHA256_DIGEST_INFO, createHash('sha256').update(data).digest()])

describe('weak RSA keys', () => {
  test('e = 1: the PKCS#1 encoding is its own signature (a naive verifier accepts it); the key is never imported', async () => {
    const weak = { kty: 'RSA', n: rsaB.jwk.n, e: 'AQ', kid: 'kid-e1' }
    const input = `${b64u(JSON.stringify({ alg: 'RS256', kid: 'kid-e1' }))}.${b64u(JSON.stringify(claims()))}`
    const digestInfo = pkcs1Prefix(Buffer.from(input))
    const forged = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(256 - 3 - digestInfo.length, 0xff), Buffer.from([0]), digestInfo])
    // The forgery is real: node:crypto alone verifies it under the e = 1 key.
    expect(nodeVerify('sha256', Buffer.from(input), createPublicKey({ key: weak as never, format: 'jwk' }), forged)).toBe(true)
    const token = `${input}.${b64u(forged)}`
    await refuses(token, { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [weak, rsaA.jwk] } }] })
    // Without a kid the only RSA key left is rsaA, which does not verify it either.
    const noKid = `${b64u(JSON.stringify({ alg: 'RS256' }))}.${b64u(JSON.stringify(claims()))}`
    const noKidInfo = pkcs1Prefix(Buffer.from(noKid))
    const noKidForged = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(256 - 3 - noKidInfo.length, 0xff), Buffer.from([0]), noKidInfo])
    await refuses(`${noKid}.${b64u(noKidForged)}`, { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [weak, ec256A.jwk] } }] })
    // A set with only the e = 1 key is a configuration error at cold start.
    expect(() => jwtVerify({ issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [weak] } }] })).toThrow(TypeError)
  })

  test('even exponents and tiny moduli (512, 1024 bits) are never imported', async () => {
    const small512 = makeKey('kid-512', generateKeyPairSync('rsa', { modulusLength: 512 }))
    const small1024 = makeKey('kid-1024', generateKeyPairSync('rsa', { modulusLength: 1024 }))
    const even = { kty: 'RSA', n: rsaB.jwk.n, e: b64u(Buffer.from([2])), kid: 'kid-even' }
    const options = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [small512.jwk, small1024.jwk, even, ec256A.jwk] } }] }
    await refuses(jws({ alg: 'RS256', kid: small512.kid }, claims(), 'RS256', small512.privateKey), options)
    await refuses(jws({ alg: 'RS256', kid: small1024.kid }, claims(), 'RS256', small1024.privateKey), options)
    await refuses(jws({ alg: 'RS256' }, claims(), 'RS256', small1024.privateKey), options)
    await refuses(jws({ alg: 'RS256', kid: 'kid-even' }, claims(), 'RS256', rsaB.privateKey), options)
  })

  test("e = 3: Bleichenbacher's 2006 cube-root forgery (garbage after the DigestInfo) is refused", async () => {
    const e3 = makeKey('kid-e3', generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }))
    const options = { issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [e3.jwk] } }] }
    await accepts(jws({ alg: 'RS256', kid: e3.kid }, claims(), 'RS256', e3.privateKey), options) // a legitimate e = 3 key works
    const input = `${b64u(JSON.stringify({ alg: 'RS256', kid: e3.kid }))}.${b64u(JSON.stringify(claims()))}`
    const prefix = Buffer.concat([Buffer.from([0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]), pkcs1Prefix(Buffer.from(input))])
    const target = bigOf(Buffer.concat([prefix, Buffer.alloc(256 - prefix.length, 0)]))
    let root = 1n << 700n
    for (;;) {
      const next = (2n * root + target / (root * root)) / 3n
      if (next >= root) break
      root = next
    }
    while (root ** 3n < target) root++
    const forged = bytesOf(root, 256)
    // A verifier that only reads the prefix would take it: s^3 starts with the right encoding.
    expect(
      bytesOf(root ** 3n, 256)
        .subarray(0, prefix.length)
        .equals(prefix),
    ).toBe(true)
    await refuses(`${input}.${b64u(forged)}`, options)
  })
})

describe('ECDSA signatures with r or s out of range (psychic signatures, CVE-2022-21449)', () => {
  const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
  const P384_N = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n
  test.each([
    ['ES256', ec256A, 32, P256_N],
    ['ES384', ec384A, 48, P384_N],
  ] as const)('%s', async (alg, key, size, n) => {
    const header = { alg, kid: key.kid }
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims()))}`
    const valid = signWith(alg, key.privateKey, Buffer.from(input))
    const r = valid.subarray(0, size)
    const s = valid.subarray(size)
    const N = bytesOf(n, size)
    const zero = Buffer.alloc(size)
    const one = bytesOf(1n, size)
    const ff = Buffer.alloc(size, 0xff)
    const signatures: Buffer[] = [
      Buffer.alloc(size * 2), // r = s = 0: CVE-2022-21449
      Buffer.concat([zero, s]),
      Buffer.concat([r, zero]),
      Buffer.concat([N, N]),
      Buffer.concat([N, s]),
      Buffer.concat([r, N]),
      Buffer.concat([bytesOf(bigOf(r) + n < 1n << BigInt(size * 8) ? bigOf(r) + n : n + 1n, size), s]), // r + n
      Buffer.concat([r, bytesOf(bigOf(s) + n < 1n << BigInt(size * 8) ? bigOf(s) + n : n + 1n, size)]), // s + n
      Buffer.concat([one, one]),
      Buffer.concat([ff, ff]),
      Buffer.concat([s, r]),
      Buffer.from('3006020100020100', 'hex'), // r = s = 0 in DER
      Buffer.concat([Buffer.from([0]), valid]), // one byte too long
      valid.subarray(1),
      Buffer.alloc(0),
    ]
    for (const signature of signatures) await refuses(withSignature(header, claims(), signature))
    // The DER encoding of the valid signature is refused too (JWS is raw r||s).
    const der = nodeSign(alg === 'ES256' ? 'sha256' : 'sha384', Buffer.from(input), key.privateKey)
    await refuses(`${input}.${b64u(der)}`)
    await accepts(`${input}.${b64u(valid)}`)
  })

  test('EdDSA: all-zero signature, S + L (non-canonical), the identity as R', async () => {
    const header = { alg: 'EdDSA', kid: ed25519A.kid }
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims()))}`
    const valid = nodeSign(null, Buffer.from(input), ed25519A.privateKey)
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    const le = (bytes: Buffer) => bigOf(Buffer.from(bytes).reverse())
    const toLe = (value: bigint) => bytesOf(value, 32).reverse()
    const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])
    for (const signature of [
      Buffer.alloc(64),
      Buffer.concat([valid.subarray(0, 32), toLe(le(valid.subarray(32)) + L)]),
      Buffer.concat([identity, Buffer.alloc(32)]),
      Buffer.concat([identity, valid.subarray(32)]),
    ]) {
      await refuses(withSignature(header, claims(), signature))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Payload tricks
// ---------------------------------------------------------------------------------------------

describe('hostile JSON', () => {
  const signed = (payload: string | object, header: object = { alg: 'ES256', kid: ec256A.kid }) => jws(header, payload, 'ES256', ec256A.privateKey)

  test('over 16 KiB, up to 1 MiB: refused before any parsing, fast', async () => {
    for (const size of [16 * 1024 + 1, 64 * 1024, 1024 * 1024]) {
      const token = signed(claims({ pad: 'x'.repeat(size) }))
      const started = performance.now()
      await refuses(token)
      expect(performance.now() - started).toBeLessThan(1000)
    }
    // And an unsigned 1 MiB blob of dots and base64.
    await refuses(`${'A'.repeat(600_000)}.${'B'.repeat(600_000)}.`)
    await refuses('.'.repeat(100_000))
  })

  test('deep nesting inside 16 KiB: no stack overflow, no 500 (and jose agrees on the verdict)', async () => {
    for (const depth of [1000, 5000]) {
      for (const [open, close] of [
        ['[', ']'],
        ['{"a":', '}'],
      ] as const) {
        const payload = `{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600},"deep":${open.repeat(depth)}1${close.repeat(depth)}}`
        const token = signed(payload)
        if (token.length > 16 * 1024) continue
        const result = await protect()(bearer(token))
        expect([200, 401]).toContain(result.statusCode)
        expect(result.statusCode === 200).toBe(await joseAccepts(token))
      }
    }
    // Unsigned deep nesting, and nesting in the header.
    await refuses(`${b64u(`{"alg":"ES256","x":${'['.repeat(6000)}${']'.repeat(6000)}}`)}.${b64u('{}')}.AAAA`)
  })

  test('__proto__ claims cannot supply aud, exp or iss, and pollute nothing', async () => {
    const proto = `{"aud":"${AUDIENCE}","exp":${NOW + 600},"iss":"${ISS_A}","sub":"admin"}`
    await refuses(signed(`{"iss":"${ISS_A}","sub":"${SUBJECT}","__proto__":${proto}}`))
    await refuses(signed(`{"iss":"${ISS_A}","aud":"${AUDIENCE}","__proto__":${proto}}`))
    await refuses(signed(`{"__proto__":${proto}}`))
    await refuses(signed(`{"constructor":{"prototype":${proto}},"iss":"${ISS_A}"}`))
    // Accepted, but the prototype of nothing changed.
    const result = await accepts(
      signed(
        `{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600},"__proto__":{"admin":true,"scope":"all"},"constructor":{"prototype":{"polluted":true}}}`,
      ),
    )
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(result.auth?.claims.admin).toBeUndefined()
    expect(result.auth?.scopes).toEqual([])
    expect(Object.getPrototypeOf(result.auth?.claims)).toBe(Object.prototype)
  })

  test('requiredClaims named like Object.prototype members need an own claim', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      await refuses(signed(claims()), { issuers: [{ ...defaultIssuers()[0]!, requiredClaims: [name] }] })
    }
  })

  test('numbers: 1e309, -0, NaN and Infinity spellings, 1e-400', async () => {
    for (const exp of [
      '1e309',
      '-1e309',
      '-0',
      '0',
      '1e-400',
      '"NaN"',
      '"Infinity"',
      'NaN',
      'Infinity',
      '-Infinity',
      '0x68D3A2B8',
      `"${NOW + 600}"`,
      'null',
      `[${NOW + 600}]`,
    ]) {
      await refuses(signed(`{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${exp}}`))
    }
    for (const name of ['nbf', 'iat']) {
      for (const value of ['1e309', '-1e309', '"0"', 'null', `"${NOW}"`]) {
        await refuses(signed(`{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600},"${name}":${value}}`))
      }
    }
  })

  test('duplicate JSON keys: the last one counts, as in jose', async () => {
    const payloads = [
      `{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":1,"exp":${NOW + 600}}`,
      `{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600},"exp":1}`,
      `{"iss":"https://evil.example.com/","iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600}}`,
      `{"iss":"${ISS_A}","iss":"https://evil.example.com/","aud":"${AUDIENCE}","exp":${NOW + 600}}`,
      `{"iss":"${ISS_A}","aud":"other","aud":"${AUDIENCE}","exp":${NOW + 600}}`,
      `{"iss":"${ISS_A}","aud":"${AUDIENCE}","aud":"other","exp":${NOW + 600}}`,
      `{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600},"nbf":${NOW + 999},"nbf":${NOW}}`,
      `{"iss":"${ISS_A}","aud":"${AUDIENCE}","exp":${NOW + 600},"nbf":${NOW},"nbf":${NOW + 999}}`,
    ]
    const headers = [
      `{"alg":"none","alg":"ES256","kid":"${ec256A.kid}"}`,
      `{"alg":"ES256","alg":"none","kid":"${ec256A.kid}"}`,
      `{"alg":"ES256","kid":"nope","kid":"${ec256A.kid}"}`,
      `{"alg":"ES256","kid":"${ec256A.kid}","kid":"nope"}`,
      `{"alg":"ES256","kid":"${ec256A.kid}","crit":["exp"],"crit":["b64"],"b64":true}`,
    ]
    const tokens = [
      ...payloads.map((payload) => jws({ alg: 'ES256', kid: ec256A.kid }, payload, 'ES256', ec256A.privateKey)),
      ...headers.map((header) => jws(header, claims(), 'ES256', ec256A.privateKey)),
    ]
    for (const token of tokens) {
      const result = await protect()(bearer(token))
      const expected = (await joseAccepts(token)) ? 200 : 401
      expect([
        token
          .split('.')
          .slice(0, 2)
          .map((part) => Buffer.from(part, 'base64url').toString()),
        result.statusCode,
      ]).toEqual([
        token
          .split('.')
          .slice(0, 2)
          .map((part) => Buffer.from(part, 'base64url').toString()),
        expected,
      ])
      if (expected === 401) expectRefused(result, 401, 'invalid_token', secretsOf(token))
    }
  })

  test('header parameters that carry keys are never followed (jku, x5u, jwk, x5c), even with a valid signature', async () => {
    const attackerJwk = { ...attackerEc.publicKey.export({ format: 'jwk' }), kid: ec256A.kid }
    for (const extra of [
      { jwk: attackerJwk },
      { jku: 'https://attacker.example.com/jwks.json' },
      { x5u: 'https://attacker.example.com/cert.pem' },
      { x5c: ['MIIBszCCAVmgAwIBAgIU'] },
    ]) {
      await refuses(jws({ alg: 'ES256', kid: ec256A.kid, ...extra }, claims(), 'ES256', attackerEc.privateKey))
      await refuses(jws({ alg: 'ES256', kid: ec256A.kid, ...extra }, claims(), 'ES256', ec256A.privateKey))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Issuers, clocks, the cache
// ---------------------------------------------------------------------------------------------

describe('issuer and key crossing', () => {
  const twoIssuers = {
    issuers: [
      { issuer: ISS_A, audience: AUDIENCE, jwks: { keys: [rsaA.jwk, ec256A.jwk] } },
      { issuer: ISS_B, audience: AUDIENCE, jwks: { keys: [rsaB.jwk, ec256B.jwk] } },
    ],
  }
  test("iss picks issuer A; a kid (or no kid) of issuer B and B's signature are refused", async () => {
    await accepts(jws({ alg: 'RS256', kid: rsaA.kid }, claims({ iss: ISS_A }), 'RS256', rsaA.privateKey), twoIssuers)
    await accepts(jws({ alg: 'RS256', kid: rsaB.kid }, claims({ iss: ISS_B }), 'RS256', rsaB.privateKey), twoIssuers)
    await refuses(jws({ alg: 'RS256', kid: rsaB.kid }, claims({ iss: ISS_A }), 'RS256', rsaB.privateKey), twoIssuers)
    await refuses(jws({ alg: 'RS256' }, claims({ iss: ISS_A }), 'RS256', rsaB.privateKey), twoIssuers)
    await refuses(jws({ alg: 'ES256', kid: ec256B.kid }, claims({ iss: ISS_A }), 'ES256', ec256B.privateKey), twoIssuers)
    await refuses(jws({ alg: 'ES256', kid: ec256A.kid }, claims({ iss: ISS_B }), 'ES256', ec256A.privateKey), twoIssuers)
    // iss as a list, or as both: never a way to pick.
    await refuses(jws({ alg: 'RS256', kid: rsaB.kid }, claims({ iss: [ISS_A, ISS_B] }), 'RS256', rsaB.privateKey), twoIssuers)
    await refuses(jws({ alg: 'RS256', kid: rsaB.kid }, claims({ iss: [ISS_B] }), 'RS256', rsaB.privateKey), twoIssuers)
  })

  test('an unknown kid with static keys is refused, never a 503', async () => {
    for (let i = 0; i < 50; i++) await refuses(jws({ alg: 'RS256', kid: `kid-unknown-${i}` }, claims(), 'RS256', rsaA.privateKey))
  })
})

describe('clocks and the verified-token cache', () => {
  test.each([
    ['() => Date.now (the function, not its value)', () => Date.now as unknown as number],
    ['() => NaN', () => NaN],
    ['() => undefined', () => undefined as unknown as number],
    ['() => "soon"', () => 'soon' as unknown as number],
    ['() => -Infinity', () => -Infinity],
  ])('a clock that returns no time (%s) fails closed', async (_name, clock) => {
    // Expired for an hour, and no nbf or iat that a -Infinity clock would trip over.
    const expired = jws({ alg: 'ES256', kid: ec256A.kid }, { iss: ISS_A, aud: AUDIENCE, exp: NOW - 3600 }, 'ES256', ec256A.privateKey)
    await refuses(expired, { clock })
    await refuses(expired, { clock, cache: { maxEntries: 10 } })
  })

  test('a cached token stops being accepted at exp; a claims check that turns to deny is applied on hits', async () => {
    let now = NOW_MS
    let allow = true
    const invoke = protect({
      clock: () => now,
      cache: { maxEntries: 10 },
      issuers: [{ ...defaultIssuers()[0]!, claims: () => allow }],
    })
    const token = jws({ alg: 'ES256', kid: ec256A.kid }, claims({ exp: NOW + 60 }), 'ES256', ec256A.privateKey)
    expect((await invoke(bearer(token))).statusCode).toBe(200)
    expect((await invoke(bearer(token))).statusCode).toBe(200)
    allow = false
    expectRefused(await invoke(bearer(token)), 401, 'invalid_token', secretsOf(token))
    allow = true
    now = (NOW + 66) * 1000 // past exp and its tolerance
    expectRefused(await invoke(bearer(token)), 401, 'invalid_token', secretsOf(token))
  })

  test('a claims check that throws, rejects, or answers anything but true or nothing refuses', async () => {
    const token = jws({ alg: 'ES256', kid: ec256A.kid }, claims(), 'ES256', ec256A.privateKey)
    await refuses(token, {
      issuers: [
        {
          ...defaultIssuers()[0]!,
          claims: () => {
            throw new Error(`boom ${SUBJECT}`)
          },
        },
      ],
    })
    await refuses(token, {
      issuers: [
        {
          ...defaultIssuers()[0]!,
          claims: async () => {
            throw new Error(`boom ${SUBJECT}`)
          },
        },
      ],
    })
    await refuses(token, { issuers: [{ ...defaultIssuers()[0]!, claims: (async () => 'yes') as never }] })
    await refuses(token, { issuers: [{ ...defaultIssuers()[0]!, claims: (() => 'yes') as never }] })
  })
})

describe('hostile key endpoints (jwksUri, OIDC discovery)', () => {
  const token = jws({ alg: 'ES256', kid: ec256A.kid }, claims(), 'ES256', ec256A.privateKey)
  const trap = new Proxy(
    {},
    {
      get: () => {
        throw new Error('trap')
      },
      has: () => {
        throw new Error('trap')
      },
      ownKeys: () => {
        throw new Error('trap')
      },
    },
  )
  const documents: Array<[string, () => unknown]> = [
    ['not an object', () => 'x'],
    ['null', () => null],
    ['keys is a string', () => ({ keys: 'x' })],
    ['junk keys', () => ({ keys: [null, 1, 'x', [], { kty: 'RSA', n: 'AA', e: 'AQ' }, trap, { ...ec256A.jwk, x: 'not base64!' }] })],
    ['a Proxy that throws', () => trap],
    [
      'keys behind a throwing getter',
      () => ({
        get keys() {
          throw new Error('getter')
        },
      }),
    ],
    [
      'a key behind throwing getters',
      () => ({
        keys: [
          {
            ...ec256A.jwk,
            get kty() {
              throw new Error('getter')
            },
          },
        ],
      }),
    ],
    ['another key under the token kid', () => ({ keys: [{ ...attackerEc.publicKey.export({ format: 'jwk' }), kid: ec256A.kid }] })],
  ]
  test.each(documents)('JWKS %s: 401 or 503, never a 500 or an accept', async (_name, document) => {
    const invoke = protect({
      issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwksUri: 'https://issuer-a.example.com/jwks' }],
      jwks: { timeoutMs: 200, fetchJson: (async () => document()) as never },
    })
    const result = await invoke(bearer(token))
    expect([401, 503]).toContain(result.statusCode)
    expectRefused(result, result.statusCode, result.statusCode === 401 ? 'invalid_token' : 'temporarily_unavailable', secretsOf(token))
  })

  test.each([
    ['a fetch that rejects', () => Promise.reject(new Error(`down ${SUBJECT}`))],
    [
      'a fetch that throws synchronously',
      () => {
        throw new Error('sync')
      },
    ],
  ])('%s: 503 temporarily_unavailable', async (_name, fetchJson) => {
    const invoke = protect({
      issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwksUri: 'https://issuer-a.example.com/jwks' }],
      jwks: { timeoutMs: 200, fetchJson: fetchJson as never },
    })
    expectRefused(await invoke(bearer(token)), 503, 'temporarily_unavailable', secretsOf(token))
  })

  test.each([
    ['jwks_uri over http to another host', { issuer: ISS_A, jwks_uri: 'http://evil.example.com/jwks' }],
    ['jwks_uri file:', { issuer: ISS_A, jwks_uri: 'file:///etc/passwd' }],
    ['an issuer that is not ours', { issuer: 'https://evil.example.com/', jwks_uri: 'https://issuer-a.example.com/jwks' }],
  ])('discovery with %s: no keys, 503', async (_name, discovery) => {
    const fetched: string[] = []
    const fetchJson = async (url: string) => {
      fetched.push(url)
      return url.endsWith('/openid-configuration') ? discovery : { keys: [ec256A.jwk] }
    }
    const invoke = protect({ issuers: [{ issuer: ISS_A, audience: AUDIENCE }], jwks: { timeoutMs: 200, fetchJson: fetchJson as never } })
    expectRefused(await invoke(bearer(token)), 503, 'temporarily_unavailable', secretsOf(token))
    expect(fetched.every((url) => url.startsWith('https://issuer-a.example.com/'))).toBe(true)
  })

  test('a token naming an unknown issuer, or a jku, never causes a fetch', async () => {
    const fetched: string[] = []
    const invoke = protect({
      issuers: [{ issuer: ISS_A, audience: AUDIENCE, jwksUri: 'https://issuer-a.example.com/jwks' }],
      jwks: { timeoutMs: 200, fetchJson: (async (url: string) => (fetched.push(url), { keys: [ec256A.jwk] })) as never },
    })
    await invoke(bearer(token)) // the prefetch and first request
    const before = fetched.length
    expectRefused(
      await invoke(bearer(jws({ alg: 'ES256', kid: 'x' }, claims({ iss: 'https://evil.example.com/' }), 'ES256', attackerEc.privateKey))),
      401,
      'invalid_token',
    )
    expectRefused(
      await invoke(bearer(jws({ alg: 'ES256', kid: 'kid-new', jku: 'https://evil.example.com/jwks' }, claims(), 'ES256', attackerEc.privateKey))),
      401,
      'invalid_token',
    )
    expect(fetched.slice(before)).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Where the token comes from
// ---------------------------------------------------------------------------------------------

describe('token sources', () => {
  const valid = jws({ alg: 'ES256', kid: ec256A.kid }, claims(), 'ES256', ec256A.privateKey)
  const forged = jws({ alg: 'ES256', kid: ec256A.kid }, claims({ sub: 'admin' }), 'ES256', attackerEc.privateKey)

  test('a cookie repeated (cookies[], Cookie header, both) is 400 invalid_request, whichever copy is valid', async () => {
    const invoke = protect({ tokenSource: { cookie: 'session' } })
    for (const [first, second] of [
      [valid, valid],
      [valid, forged],
      [forged, valid],
    ] as const) {
      const secrets = secretsOf(first, secretsOf(second))
      expectRefused(await invoke({ cookies: [`session=${first}`, `session=${second}`] }), 400, 'invalid_request', secrets)
      expectRefused(await invoke({ headers: { cookie: `session=${first}; session=${second}` } }), 400, 'invalid_request', secrets)
      expectRefused(await invoke({ cookies: [`session=${first}`], headers: { Cookie: `session=${second}` } }), 400, 'invalid_request', secrets)
      expectRefused(await invoke({ headers: { cookie: `session=${first}`, Cookie: `session=${second}` } }), 400, 'invalid_request', secrets)
    }
    expectRefused(await invoke({ cookies: [`session=${forged}`] }), 401, 'invalid_token', secretsOf(forged))
    expectRefused(await invoke({ cookies: [`session="${forged}"`] }), 401, 'invalid_token', secretsOf(forged))
    expect((await invoke({ cookies: [`session=${valid}`] })).statusCode).toBe(200)
  })

  test('a query parameter repeated (HTTP API raw query, REST multi-value, comma-joined) is 400 invalid_request', async () => {
    const invoke = protect({ tokenSource: { query: 'access_token' } })
    for (const [first, second] of [
      [valid, valid],
      [valid, forged],
      [forged, valid],
    ] as const) {
      const secrets = secretsOf(first, secretsOf(second))
      expectRefused(await invoke({ version: '2.0', rawQueryString: `access_token=${first}&access_token=${second}` }), 400, 'invalid_request', secrets)
      expectRefused(
        await invoke({
          httpMethod: 'GET',
          multiValueQueryStringParameters: { access_token: [first, second] },
          queryStringParameters: { access_token: second },
        }),
        400,
        'invalid_request',
        secrets,
      )
      expectRefused(await invoke({ httpMethod: 'GET', queryStringParameters: { access_token: `${first},${second}` } }), 400, 'invalid_request', secrets)
    }
    expectRefused(await invoke({ version: '2.0', rawQueryString: `access_token=${forged}` }), 401, 'invalid_token', secretsOf(forged))
    expect((await invoke({ version: '2.0', rawQueryString: `access_token=${valid}` })).statusCode).toBe(200)
  })

  test('two Authorization headers (different case, multi-value) are 400, never one of them', async () => {
    const invoke = protect()
    const secrets = secretsOf(valid, secretsOf(forged))
    expectRefused(await invoke({ headers: { Authorization: `Bearer ${valid}`, authorization: `Bearer ${forged}` } }), 400, 'invalid_request', secrets)
    expectRefused(
      await invoke({ headers: { authorization: `Bearer ${valid}` }, multiValueHeaders: { authorization: [`Bearer ${forged}`, `Bearer ${valid}`] } }),
      400,
      'invalid_request',
      secrets,
    )
    expectRefused(await invoke({ headers: { authorization: `Bearer ${valid},Bearer ${forged}` } }), 400, 'invalid_request', secrets)
    expectRefused(await invoke({ headers: { authorization: `Bearer ${valid} ${forged}` } }), 400, 'invalid_request', secrets)
    expectRefused(await invoke({ headers: { authorization: `Bearer ${valid}\r\nX-Injected: 1` } }), 400, 'invalid_request', secrets)
  })

  test('TOKEN authorizer: "Bearer a, Bearer b" and friends', async () => {
    const invoke = protect()
    const token = (authorizationToken: unknown) => ({
      type: 'TOKEN',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/',
      authorizationToken,
    })
    expectRefused(await invoke(token('Bearer a, Bearer b')), 400, 'invalid_request')
    expectRefused(await invoke(token(`Bearer ${valid}, Bearer ${valid}`)), 400, 'invalid_request', secretsOf(valid))
    expectRefused(await invoke(token(`Bearer ${forged}, Bearer ${valid}`)), 400, 'invalid_request', secretsOf(valid, secretsOf(forged)))
    expectRefused(await invoke(token(`Bearer ${forged}`)), 401, 'invalid_token', secretsOf(forged))
    expectRefused(await invoke(token('Bearer ')), 400, 'invalid_request')
    expectRefused(await invoke(token(`Basic ${valid}`)), 401, 'missing_token', secretsOf(valid))
    expect((await invoke(token(`Bearer ${valid}`))).statusCode).toBe(200)
  })

  test('realm: nothing can be injected into WWW-Authenticate', async () => {
    for (const realm of ['api"\r\nSet-Cookie: a=b', 'api", error="none', 'api\\', 'äpi', '', 'api\n']) {
      expect(() => jwtVerify({ issuers: defaultIssuers(), realm })).toThrow(TypeError)
    }
    const result = await protect({ realm: 'orders' })(bearer(forged))
    expectRefused(result, 401, 'invalid_token', secretsOf(forged))
    expect(result.headers['WWW-Authenticate']).toBe('Bearer realm="orders", error="invalid_token", error_description="The access token is invalid"')
    // A token full of quotes and CRLFs is not echoed either.
    const hostile = `${b64u('{"alg":"ES256"}')}.${b64u('{}')}."\r\nSet-Cookie:x=1`
    expectRefused(await protect()(bearer(hostile)), 400, 'invalid_request', ['Set-Cookie', hostile])
  })

  test('strange events never give a 500 or reach the handler', async () => {
    const invoke = protect()
    const events: unknown[] = [
      null,
      undefined,
      'Bearer x',
      42,
      [],
      [bearer(forged)],
      {},
      { headers: null },
      { headers: [] },
      { headers: 'authorization: Bearer x' },
      { headers: { authorization: null } },
      { headers: { authorization: 42 } },
      { headers: { authorization: [`Bearer ${forged}`] } },
      { headers: { authorization: { toString: () => `Bearer ${forged}` } } },
      { multiValueHeaders: { authorization: `Bearer ${forged}` } },
      { multiValueHeaders: { authorization: [null, 42] } },
      { type: 'TOKEN', authorizationToken: 42 },
      { type: 'TOKEN', authorizationToken: null },
      { type: 'TOKEN', authorizationToken: [`Bearer ${forged}`] },
      { cookies: 'session=x' },
      { version: '2.0', rawQueryString: 42 },
      { requestContext: null, headers: { authorization: `Bearer ${forged}` } },
      { requestContext: { elb: 'x' }, headers: { authorization: `Bearer ${forged}` } },
      { headers: { authorization: `Bearer ${'\u0000'.repeat(10)}` } },
      { headers: { authorization: 'Bearer \ud800' } },
      { headers: { authorization: `Bearer ${'.'.repeat(5)}` } },
      { headers: { authorization: `Bearer ${forged}`.normalize('NFKC') } },
      { headers: { authorization: `Bearer ${forged.replace(/\./g, '\u2024')}` } },
    ]
    for (const event of events) {
      const result = await invoke(event)
      expect([JSON.stringify(event)?.slice(0, 60), result.called, [400, 401].includes(result.statusCode)]).toEqual([
        JSON.stringify(event)?.slice(0, 60),
        0,
        true,
      ])
      expect(['missing_token', 'invalid_request', 'invalid_token']).toContain(errorCode(result))
      expect(result.body + JSON.stringify(result.headers)).not.toContain(forged.split('.')[2])
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Every event kind, from the real fixtures
// ---------------------------------------------------------------------------------------------

const fixturesDir = new URL('../../../test/fixtures/aws-events/', import.meta.url)
const requestFixtures = readdirSync(fixturesDir).filter((name) => name.endsWith('.json') && !name.startsWith('authorizer-response'))

/** Puts the Authorization value into a fixture, where its event kind carries it. */
const withAuthorization = (name: string, value: string): Record<string, any> => {
  const event = JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as Record<string, any>
  // REST TOKEN and AppSync authorizer events (AppSync's has no `type`) carry it in authorizationToken.
  if (event.type === 'TOKEN' || (event.type === undefined && typeof event.authorizationToken === 'string')) {
    event.authorizationToken = value
    return event
  }
  for (const map of [event.headers, event.multiValueHeaders]) {
    for (const header of Object.keys(map ?? {})) if (header.toLowerCase() === 'authorization') delete map[header]
  }
  if (event.multiValueHeaders) event.multiValueHeaders.Authorization = [value]
  if (event.headers || !event.multiValueHeaders) event.headers = { ...(event.headers ?? {}), Authorization: value }
  return event
}

describe('forged tokens on every event kind (real fixtures)', () => {
  const valid = jws({ alg: 'ES256', kid: ec256A.kid }, claims(), 'ES256', ec256A.privateKey)
  const forgedTokens = [
    jws({ alg: 'ES256', kid: ec256A.kid }, claims({ sub: 'admin' }), 'ES256', attackerEc.privateKey),
    `${b64u(JSON.stringify({ alg: 'none', kid: ec256A.kid }))}.${b64u(JSON.stringify(claims()))}.`,
    withSignature({ alg: 'ES256', kid: ec256A.kid }, claims(), Buffer.alloc(64)),
    valid.slice(0, -2),
  ]
  test('the fixture list covers every kind', () => {
    expect(requestFixtures.length).toBeGreaterThanOrEqual(25)
  })
  test.each(requestFixtures)('%s', async (name) => {
    const invoke = protect()
    // The gateway's own claims or context in the fixture are not trusted unless told (trustApiGateway).
    expectRefused(await invoke(withAuthorization(name, 'Bearer ')), 400, 'invalid_request')
    for (const forged of forgedTokens) {
      expectRefused(await invoke(withAuthorization(name, `Bearer ${forged}`)), 401, 'invalid_token', secretsOf(forged))
    }
    expect((await invoke(withAuthorization(name, `Bearer ${valid}`))).statusCode).toBe(200)
  })
})
