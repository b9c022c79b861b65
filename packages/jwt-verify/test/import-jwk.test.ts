import { describe, expect, test } from '@jest/globals'
import { createSecretKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { importJwk, importKeySet } from '../src/import-jwk.js'

type Jwk = Record<string, unknown>

const publicJwk = (key: KeyObject, extra: Jwk = {}): Jwk => ({ ...key.export({ format: 'jwk' }), ...extra })

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 })
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' })
const ed25519 = generateKeyPairSync('ed25519')
const ed448 = generateKeyPairSync('ed448')

describe('importJwk: accepted keys', () => {
  test('RSA 2048 keeps kid, alg and use, and verifies what its private key signed', () => {
    const key = importJwk(publicJwk(rsa.publicKey, { kid: 'r1', alg: 'RS256', use: 'sig' }))
    expect(key).toMatchObject({ kid: 'r1', kty: 'RSA', crv: undefined, alg: 'RS256', use: 'sig' })
    const data = Buffer.from('header.payload')
    const signature = sign('sha256', data, rsa.privateKey)
    expect(verify('sha256', data, key!.key, signature)).toBe(true)
  })

  test.each([
    ['P-256', p256.publicKey, 'ES256'],
    ['P-384', p384.publicKey, 'ES384'],
    ['P-521', p521.publicKey, 'ES512'],
  ])('EC %s', (crv, publicKey, alg) => {
    expect(importJwk(publicJwk(publicKey, { kid: crv, alg }))).toMatchObject({ kty: 'EC', crv, alg, kid: crv })
    expect(importJwk(publicJwk(publicKey))).toMatchObject({ kty: 'EC', crv, alg: undefined, kid: undefined })
  })

  test.each([
    ['Ed25519', ed25519.publicKey],
    ['Ed448', ed448.publicKey],
  ])('OKP %s, with alg EdDSA or the fully specified name', (crv, publicKey) => {
    expect(importJwk(publicJwk(publicKey, { alg: 'EdDSA' }))).toMatchObject({ kty: 'OKP', crv, alg: 'EdDSA' })
    expect(importJwk(publicJwk(publicKey, { alg: crv }))).toMatchObject({ kty: 'OKP', crv, alg: crv })
  })

  test('an RSA key of 3072 bits with e = 3; an OKP key with a stray y', () => {
    const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 })
    expect(importJwk(publicJwk(rsa3072.publicKey, { alg: 'PS512' }))).toMatchObject({ kty: 'RSA', alg: 'PS512' })
    // y is no member of an OKP key: ignored, as it is not given to createPublicKey.
    expect(importJwk(publicJwk(ed25519.publicKey, { y: 'not base64url!' }))).toMatchObject({ kty: 'OKP', crv: 'Ed25519' })
  })

  test('use stays undefined when absent; unknown members are ignored', () => {
    const key = importJwk(publicJwk(rsa.publicKey, { x5t: 'abc', ext: true, key_ops: ['verify'] }))
    expect(key?.use).toBeUndefined()
    expect(key?.kty).toBe('RSA')
  })

  test('the result is frozen', () => {
    const key = importJwk(publicJwk(p256.publicKey))
    expect(Object.isFrozen(key)).toBe(true)
  })
})

describe('importJwk: skipped keys', () => {
  const rsaJwk = publicJwk(rsa.publicKey)

  test.each<[string, unknown]>([
    ['a private RSA key', rsa.privateKey.export({ format: 'jwk' })],
    ['a private EC key', p256.privateKey.export({ format: 'jwk' })],
    ['a private OKP key', ed25519.privateKey.export({ format: 'jwk' })],
    ['a public key with a d member', { ...rsaJwk, d: undefined }],
    ['a symmetric key', createSecretKey(randomBytes(32)).export({ format: 'jwk' })],
    ['oct with no k', { kty: 'oct' }],
    ['RSA under 2048 bits', publicJwk(rsa1024.publicKey)],
    ['use enc', { ...rsaJwk, use: 'enc' }],
    ['use not a string', { ...rsaJwk, use: ['sig'] }],
    ['key_ops without verify', { ...rsaJwk, key_ops: ['encrypt'] }],
    ['key_ops not an array', { ...rsaJwk, key_ops: 'verify' }],
    ['kid not a string', { ...rsaJwk, kid: 7 }],
    ['alg HS256 on an RSA key', { ...rsaJwk, alg: 'HS256' }],
    ['alg RSA-OAEP on an RSA key', { ...rsaJwk, alg: 'RSA-OAEP' }],
    ['alg none', { ...rsaJwk, alg: 'none' }],
    ['alg ES384 on a P-256 key', publicJwk(p256.publicKey, { alg: 'ES384' })],
    ['alg RS256 on an EC key', publicJwk(p256.publicKey, { alg: 'RS256' })],
    ['alg ES256 on an Ed25519 key', publicJwk(ed25519.publicKey, { alg: 'ES256' })],
    ['alg Ed448 on an Ed25519 key', publicJwk(ed25519.publicKey, { alg: 'Ed448' })],
    ['alg Ed25519 on an Ed448 key', publicJwk(ed448.publicKey, { alg: 'Ed25519' })],
    ['alg ES256 on a P-384 key', publicJwk(p384.publicKey, { alg: 'ES256' })],
    ['RSA without e', { kty: 'RSA', n: rsaJwk['n'] }],
    ['RSA with e = 1', { ...rsaJwk, e: 'AQ' }],
    ['RSA with an even e (65538)', { ...rsaJwk, e: 'AQAC' }],
    ['RSA with n not base64url', { ...rsaJwk, n: `${String(rsaJwk['n']).slice(0, 40)}+/${String(rsaJwk['n']).slice(42)}` }],
    ['RSA with padded n', { ...rsaJwk, n: `${String(rsaJwk['n'])}=` }],
    ['RSA with a crv', { ...rsaJwk, crv: 'P-256' }],
    ['EC on secp256k1', publicJwk(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey)],
    ['EC without y', { ...publicJwk(p256.publicKey), y: undefined }],
    ['EC point off the curve', { ...publicJwk(p256.publicKey), y: publicJwk(p256.publicKey)['x'] }],
    ['EC with the coordinates of another curve', { ...publicJwk(p384.publicKey), crv: 'P-256' }],
    ['OKP X25519 (not a signature key)', publicJwk(generateKeyPairSync('x25519').publicKey)],
    ['OKP Ed25519 with a short x', { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }],
    ['OKP Ed448 with an Ed25519 x', { ...publicJwk(ed25519.publicKey), crv: 'Ed448' }],
    ['alg constructor (not an own algorithm name)', { ...rsaJwk, alg: 'constructor' }],
    ['alg __proto__', { ...rsaJwk, alg: '__proto__' }],
    ['alg P-256 (a curve name) on a P-256 key', publicJwk(p256.publicKey, { alg: 'P-256' })],
    ['kty OKP on a P-256 curve', { ...publicJwk(p256.publicKey), kty: 'OKP' }],
    ['kty EC on an Ed25519 curve', { ...publicJwk(ed25519.publicKey), kty: 'EC', y: publicJwk(ed25519.publicKey)['x'] }],
    ['kty RSA with crv null', { ...rsaJwk, crv: null }],
    ['EC without crv', { ...publicJwk(p256.publicKey), crv: undefined }],
    ['no kty and an unknown crv', { crv: 'P-192', x: 'AAAA', y: 'AAAA' }],
    ['no kty and no crv', { x: 'AAAA' }],
    ['an unknown kty', { kty: 'AKP', x: 'AAAA' }],
    ['no kty', { n: rsaJwk['n'], e: rsaJwk['e'] }],
    ['null', null],
    ['a string', JSON.stringify(rsaJwk)],
    ['an array', [rsaJwk]],
    ['a number', 42],
  ])('%s', (_name, jwk) => {
    expect(importJwk(jwk)).toBeUndefined()
  })

  test('never throws, even on hostile objects', () => {
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom')
        },
        has: () => {
          throw new Error('boom')
        },
      },
    )
    const getter = Object.defineProperty({ kty: 'RSA', e: 'AQAB' }, 'n', {
      get: () => {
        throw new Error('boom')
      },
      enumerable: true,
    })
    expect(importJwk(throwing)).toBeUndefined()
    expect(importJwk(getter)).toBeUndefined()
  })
})

describe('importKeySet', () => {
  const k1 = publicJwk(rsa.publicKey, { kid: 'k1', use: 'sig', alg: 'RS256' })
  const k2 = publicJwk(p256.publicKey, { kid: 'k2' })
  const noKid = publicJwk(ed25519.publicKey)

  test('imports the usable keys and indexes them by kid', () => {
    const set = importKeySet({ keys: [k1, k2, noKid, rsa.privateKey.export({ format: 'jwk' }), { kty: 'oct', k: 'c2VjcmV0' }] })
    expect(set.keys.map((key) => key.kid)).toEqual(['k1', 'k2', undefined])
    expect([...set.byKid.keys()]).toEqual(['k1', 'k2'])
    expect(set.byKid.get('k1')?.kty).toBe('RSA')
  })

  test('members that are not the key (a stray y on an OKP key, x5t) do not make another key', () => {
    const set = importKeySet({ keys: [noKid, { ...noKid, y: 'AAAA' }, { ...noKid, x5t: 'abc' }] })
    expect(set.keys).toHaveLength(1)
  })

  test('an empty keys array is an empty set', () => {
    const set = importKeySet({ keys: [] })
    expect(set.keys).toEqual([])
    expect(set.byKid.size).toBe(0)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['an array', [k1]],
    ['keys not an array', { keys: k1 }],
    ['no keys', { jwks: [k1] }],
    ['a string', '{"keys":[]}'],
  ])('throws a plain Error on %s', (_name, json) => {
    expect(() => importKeySet(json)).toThrow(Error)
    expect(() => importKeySet(json)).toThrow('"keys" array')
  })

  test('on a duplicate kid, the first key wins', () => {
    const impostor = publicJwk(p384.publicKey, { kid: 'k1' })
    const set = importKeySet({ keys: [k1, impostor] })
    expect(set.keys).toHaveLength(1)
    expect(set.byKid.get('k1')?.kty).toBe('RSA')
    // An unusable key takes no kid: some issuers publish an `enc` and a `sig` key under one kid.
    const afterUnusable = importKeySet({ keys: [{ ...k1, use: 'enc' }, impostor] })
    expect(afterUnusable.byKid.get('k1')?.kty).toBe('EC')
  })

  test('unchanged keys keep their identity across fetches; changed and new keys do not', () => {
    const first = importKeySet({ keys: [k1, k2, noKid] })
    const rotated = publicJwk(p384.publicKey, { kid: 'k3' })
    // Same members in another order, and unrelated members changed: still the same key.
    const reordered = Object.fromEntries(Object.entries(k1).reverse())
    const second = importKeySet({ keys: [rotated, { ...reordered, x5t: 'new' }, { ...k2, alg: 'ES256' }, noKid] }, first)
    expect(second.byKid.get('k1')).toBe(first.byKid.get('k1'))
    expect(second.keys).toContain(first.keys[2]) // the kid-less key too
    expect(second.byKid.get('k2')).not.toBe(first.byKid.get('k2')) // its alg changed
    expect(second.byKid.get('k2')?.alg).toBe('ES256')
    expect(second.byKid.get('k3')?.crv).toBe('P-384')
    // The same kid over a different key is a different key.
    const third = importKeySet(
      { keys: [publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, { kid: 'k1', use: 'sig', alg: 'RS256' })] },
      second,
    )
    expect(third.byKid.get('k1')).not.toBe(first.byKid.get('k1'))
  })

  test('a key imported alone keeps its identity through a hand-made previous set (as jwksRsaResolver merges one)', () => {
    const single = importJwk(k1)!
    const handMade = { keys: [single], byKid: new Map([['k1', single]]) }
    const next = importKeySet({ keys: [k2, k1] }, handMade)
    expect(next.byKid.get('k1')).toBe(single)
    expect(next.keys).toHaveLength(2)
  })

  test('a key that left the set does not come back through previous', () => {
    const first = importKeySet({ keys: [k1, k2] })
    const second = importKeySet({ keys: [k2] }, first)
    expect(second.byKid.has('k1')).toBe(false)
    expect(second.keys).toEqual([first.byKid.get('k2')])
  })

  test('the set is frozen', () => {
    const set = importKeySet({ keys: [k1] })
    expect(Object.isFrozen(set)).toBe(true)
    expect(Object.isFrozen(set.keys)).toBe(true)
  })
})
