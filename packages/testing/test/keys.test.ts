import { describe, expect, test } from '@jest/globals'
import { createPublicKey } from 'node:crypto'
import { generateKeyPair, jwksOf, type TestAlgorithm } from '../src/index.js'

const expected: Record<TestAlgorithm, { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
}

describe('generateKeyPair', () => {
  test.each(Object.keys(expected) as TestAlgorithm[])('%s: key type, curve and public JWK', (alg) => {
    const pair = generateKeyPair(alg, { kid: `kid-${alg}` })
    expect(pair.alg).toBe(alg)
    expect(pair.kid).toBe(`kid-${alg}`)
    expect(pair.privateKey.type).toBe('private')
    expect(pair.publicKey.type).toBe('public')
    expect(pair.publicJwk).toMatchObject({ ...expected[alg], kid: `kid-${alg}`, alg, use: 'sig' })
    expect(pair.publicJwk).not.toHaveProperty('d')
    // the JWK is the same key as publicKey
    const imported = createPublicKey({ key: pair.publicJwk, format: 'jwk' })
    expect(imported.equals(pair.publicKey)).toBe(true)
  })

  test('defaults: RS256, 2048-bit modulus, random test-<8 hex> kid', () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    expect(a.alg).toBe('RS256')
    expect(a.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(a.kid).toMatch(/^test-[0-9a-f]{8}$/)
    expect(b.kid).not.toBe(a.kid)
  })

  test('modulusLength is honoured for RSA', () => {
    expect(generateKeyPair('PS256', { modulusLength: 3072 }).privateKey.asymmetricKeyDetails?.modulusLength).toBe(3072)
  })

  test('an unknown algorithm is a TypeError', () => {
    expect(() => generateKeyPair('HS256' as TestAlgorithm)).toThrow(TypeError)
  })
})

describe('jwksOf', () => {
  test('publishes every pair, in order, as copies', () => {
    const a = generateKeyPair('ES256')
    const b = generateKeyPair('EdDSA')
    const jwks = jwksOf(a, b)
    expect(jwks.keys.map((k) => k.kid)).toEqual([a.kid, b.kid])
    expect(jwks.keys[0]).toEqual(a.publicJwk)
    jwks.keys[0]!.kid = 'changed'
    expect(a.publicJwk.kid).toBe(a.kid)
  })

  test('no pairs: an empty key set', () => {
    expect(jwksOf()).toEqual({ keys: [] })
  })
})
