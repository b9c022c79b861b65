import { describe, expect, test } from '@jest/globals'
import { constants, createHmac, createSecretKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import {
  isAlgorithm,
  isHmacAlgorithm,
  isJwsAlgorithm,
  keyFitsAlgorithm,
  rawEcdsaToDer,
  SUPPORTED_ALGORITHMS,
  verifySignature,
  type Algorithm,
  type HmacAlgorithm,
} from '../src/algorithms.js'
import type { ResolvedKey } from '../src/key-resolver.js'
import { configErrors } from '@middy-auth/core/internal'
import { compileSecretEntry } from '../src/static-keys.js'

const resolved = (key: KeyObject, kty: string, crv?: string): ResolvedKey => ({ kid: undefined, kty, crv, alg: undefined, use: undefined, key })

describe('algorithm names', () => {
  test('the supported list, in its documented order, frozen', () => {
    expect(SUPPORTED_ALGORITHMS).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'])
    expect(Object.isFrozen(SUPPORTED_ALGORITHMS)).toBe(true)
  })

  test.each<[unknown, boolean, boolean, boolean]>([
    // name, isAlgorithm, isHmacAlgorithm, isJwsAlgorithm
    ['RS256', true, false, true],
    ['ES512', true, false, true],
    ['Ed25519', true, false, true],
    ['HS256', false, true, true],
    ['HS512', false, true, true],
    ['none', false, false, false],
    ['Ed448', false, false, false],
    ['rs256', false, false, false],
    ['constructor', false, false, false],
    ['__proto__', false, false, false],
    ['toString', false, false, false],
    ['', false, false, false],
    [{ toString: () => 'RS256' }, false, false, false],
    [['RS256'], false, false, false],
    [undefined, false, false, false],
  ])('%p: asymmetric %p, HMAC %p, either %p', (name, asymmetric, hmac, either) => {
    expect(isAlgorithm(name)).toBe(asymmetric)
    expect(isHmacAlgorithm(name)).toBe(hmac)
    expect(isJwsAlgorithm(name)).toBe(either)
  })
})

describe('keyFitsAlgorithm', () => {
  const fits = (kty: string | undefined, crv: string | undefined): string[] =>
    [...SUPPORTED_ALGORITHMS, 'HS256', 'HS384', 'HS512'].filter((alg) => keyFitsAlgorithm({ kty: kty as string, crv }, alg as Algorithm | HmacAlgorithm))

  test.each<[string | undefined, string | undefined, string[]]>([
    ['RSA', undefined, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    ['EC', 'P-256', ['ES256']],
    ['EC', 'P-384', ['ES384']],
    ['EC', 'P-521', ['ES512']],
    ['EC', 'secp256k1', []],
    ['OKP', 'Ed25519', ['EdDSA', 'Ed25519']],
    ['OKP', 'Ed448', ['EdDSA']],
    ['OKP', 'X25519', []],
    ['oct', undefined, ['HS256', 'HS384', 'HS512']],
    [undefined, undefined, []],
  ])('%s %s fits %j', (kty, crv, expected) => {
    expect(fits(kty, crv)).toEqual(expected)
  })

  test("the key's own alg and use", () => {
    expect(keyFitsAlgorithm({ kty: 'RSA', crv: undefined, alg: 'RS256' }, 'RS256')).toBe(true)
    expect(keyFitsAlgorithm({ kty: 'RSA', crv: undefined, alg: 'RS256' }, 'PS256')).toBe(false)
    expect(keyFitsAlgorithm({ kty: 'RSA', crv: undefined, use: 'sig' }, 'RS256')).toBe(true)
    expect(keyFitsAlgorithm({ kty: 'RSA', crv: undefined, use: 'enc' }, 'RS256')).toBe(false)
  })
})

describe('verifySignature', () => {
  const data = Buffer.from('header.payload')

  test.each<[Algorithm, () => { publicKey: KeyObject; privateKey: KeyObject }, string | null, string, string | undefined]>([
    ['RS384', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha384', 'RSA', undefined],
    ['ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha384', 'EC', 'P-384'],
    ['ES512', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }), 'sha512', 'EC', 'P-521'],
    ['EdDSA', () => generateKeyPairSync('ed448'), null, 'OKP', 'Ed448'],
  ])('%s: a signature verifies, a changed one does not', (alg, pair, hash, kty, crv) => {
    const { publicKey, privateKey } = pair()
    const signature = sign(hash, data, kty === 'EC' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey)
    const key = resolved(publicKey, kty, crv)
    expect(verifySignature(alg, data, signature, key)).toBe(true)
    const changed = Buffer.from(signature)
    changed[changed.length - 1]! ^= 1
    expect(verifySignature(alg, data, changed, key)).toBe(false)
    expect(verifySignature(alg, Buffer.from('header.payloaD'), signature, key)).toBe(false)
  })

  test("PSS is verified with OpenSSL's numbers for its padding and digest-length salt, as crypto.constants names them", () => {
    // algorithms.ts writes them as numbers: RSA_PKCS1_PSS_PADDING (6), RSA_PSS_SALTLEN_DIGEST (-1).
    expect([constants.RSA_PKCS1_PSS_PADDING, constants.RSA_PSS_SALTLEN_DIGEST]).toEqual([6, -1])
  })

  test('PS256 with the digest-length salt only', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pss = sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
    expect(verifySignature('PS256', data, pss, resolved(publicKey, 'RSA'))).toBe(true)
    expect(
      verifySignature(
        'PS256',
        data,
        sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }),
        resolved(publicKey, 'RSA'),
      ),
    ).toBe(false)
  })

  test("HMAC only with a secret entry's key, which carries its check; then HS512 with the whole MAC of its own digest", () => {
    const bytes = randomBytes(64)
    const mac = createHmac('sha512', bytes).update(data).digest()
    // An oct key that no secret entry compiled has no check: the bundle's HMAC code comes with secrets only.
    expect(verifySignature('HS512', data, mac, resolved(createSecretKey(bytes), 'oct'))).toBe(false)
    const entry = { issuer: 'https://issuer.example.com', audience: null, secret: bytes, algorithms: ['HS512' as const] }
    const { key } = compileSecretEntry(entry, 'issuers[0]', configErrors('@middy-auth/jwt-verify', 'jwtVerify'), (value) => value as unknown[])
    expect(verifySignature('HS512', data, mac, key)).toBe(true)
    expect(verifySignature('HS512', data, mac.subarray(0, 32), key)).toBe(false)
    expect(verifySignature('HS256', data, mac, key)).toBe(false)
  })

  test('an ECDSA signature of the wrong length, or in DER, is false, never an error', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const key = resolved(publicKey, 'EC', 'P-256')
    const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    expect(verifySignature('ES256', data, raw.subarray(1), key)).toBe(false)
    expect(verifySignature('ES256', data, Buffer.concat([raw, Buffer.from([0])]), key)).toBe(false)
    expect(verifySignature('ES256', data, sign('sha256', data, privateKey), key)).toBe(false)
    // A key of another type: node:crypto throws, the answer is false.
    expect(verifySignature('ES256', data, raw, resolved(generateKeyPairSync('ed25519').publicKey, 'OKP', 'Ed25519'))).toBe(false)
  })
})

describe('rawEcdsaToDer', () => {
  /** DER of r||s written the plain way, independently of the code under test. */
  const expectedDer = (raw: Buffer, partLength: number): Buffer => {
    const integer = (bytes: Buffer): number[] => {
      let start = 0
      while (start < bytes.length - 1 && bytes[start] === 0) start++
      const body = [...bytes.subarray(start)]
      if ((body[0] as number) >= 0x80) body.unshift(0)
      return [0x02, body.length, ...body]
    }
    const body = [...integer(raw.subarray(0, partLength)), ...integer(raw.subarray(partLength))]
    return Buffer.from([0x30, ...(body.length >= 0x80 ? [0x81] : []), body.length, ...body])
  }

  test.each([32, 48, 66])('minimal INTEGERs and the right SEQUENCE length form, %i-byte halves', (partLength) => {
    const shapes = [
      () => randomBytes(2 * partLength),
      () => Buffer.alloc(2 * partLength, 0xff),
      () => Buffer.alloc(2 * partLength),
      () => Buffer.concat([Buffer.alloc(5), randomBytes(partLength - 5), Buffer.alloc(partLength - 1), Buffer.from([0x80])]),
      () => Buffer.concat([Buffer.from([0x00, 0x80]), randomBytes(2 * partLength - 2)]),
    ]
    for (const shape of shapes) {
      for (let i = 0; i < 50; i++) {
        const raw = shape()
        expect(rawEcdsaToDer(raw, partLength).toString('hex')).toBe(expectedDer(raw, partLength).toString('hex'))
      }
    }
  })
})
