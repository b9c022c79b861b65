import { describe, expect, test } from '@jest/globals'
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { createStaticKeyResolver } from '../src/static-key-resolver.js'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const k1 = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }
const k2 = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'k2' }

describe('createStaticKeyResolver', () => {
  test('serves the configured keys, the same set every time, without I/O', async () => {
    const resolver = createStaticKeyResolver({ keys: [k1, k2] })
    const set = resolver.cached()
    expect([...set!.byKid.keys()]).toEqual(['k1', 'k2'])
    expect(() => resolver.prefetch()).not.toThrow()
    expect(await resolver.getKeySet('k1')).toBe(set)
    expect(await resolver.getKeySet(undefined)).toBe(set)
    expect(resolver.cached()).toBe(set)
  })

  test('an unknown kid resolves with the set (the verifier rejects the token)', async () => {
    const resolver = createStaticKeyResolver({ keys: [k1] })
    const set = await resolver.getKeySet('unknown')
    expect(set.byKid.has('unknown')).toBe(false)
  })

  test('unusable keys are skipped when a usable one remains', () => {
    const resolver = createStaticKeyResolver({
      keys: [rsa.privateKey.export({ format: 'jwk' }), { kty: 'oct', k: 'c2VjcmV0' }, k2],
    })
    expect(resolver.cached()?.keys.map((key) => key.kid)).toEqual(['k2'])
  })

  test.each<[string, unknown[]]>([
    ['no keys', []],
    ['only a private key', [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'k1' }]],
    ['only a symmetric key', [createSecretKey(randomBytes(32)).export({ format: 'jwk' })]],
    ['only a short RSA key', [generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })]],
    ['only an encryption key', [{ ...k1, use: 'enc' }]],
  ])('%s: TypeError naming jwks', (_name, keys) => {
    expect(() => createStaticKeyResolver({ keys })).toThrow(TypeError)
    expect(() => createStaticKeyResolver({ keys })).toThrow(/^createStaticKeyResolver: jwks has no usable key/)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['an array of keys', [k1]],
    ['keys not an array', { keys: k1 }],
  ])('%s: TypeError naming jwks', (_name, jwks) => {
    const create = () => createStaticKeyResolver(jwks as { keys: unknown[] })
    expect(create).toThrow(TypeError)
    expect(create).toThrow(/^createStaticKeyResolver: jwks must be a JWKS object/)
  })

  test('the TypeError names the package', () => {
    try {
      createStaticKeyResolver({ keys: [] })
      throw new Error('expected a TypeError')
    } catch (error) {
      expect((error as TypeError).cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'jwks' })
    }
  })
})
