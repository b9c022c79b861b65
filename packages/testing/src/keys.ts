import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'

/**
 * The asymmetric JWS algorithms the testing kit can make keys for and sign with.
 *
 * `ES512` uses the P-521 curve (the name is the hash, not the curve); `EdDSA` uses Ed25519.
 *
 * @example
 * ```ts
 * const algorithms: TestAlgorithm[] = ['RS256', 'ES256', 'EdDSA']
 * const pairs = algorithms.map((alg) => generateKeyPair(alg))
 * ```
 */
export type TestAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

/**
 * The public half of a {@link TestKeyPair} as a JWK, ready to publish in a JWKS: the key's
 * own members (`kty`, `n`/`e`, `crv`/`x`/`y`) plus `kid`, `alg` and `use: 'sig'`.
 *
 * @example
 * ```ts
 * const { publicJwk } = generateKeyPair('ES256', { kid: 'k1' })
 * publicJwk // { kty: 'EC', crv: 'P-256', x: '…', y: '…', kid: 'k1', alg: 'ES256', use: 'sig' }
 * ```
 */
// Its own fields, not node:crypto's JsonWebKey: @types/node 26 no longer exports that name, and
// an object type (not an interface) passes as a JWK to createPublicKey() under every version.
export type TestPublicJwk = {
  kty?: string
  crv?: string
  x?: string
  y?: string
  n?: string
  e?: string
  kid: string
  alg: string
  use: 'sig'
}

/**
 * A signing key pair made for tests.
 *
 * @example
 * ```ts
 * const pair: TestKeyPair = generateKeyPair('PS256')
 * const token = await signToken({ sub: 'alice' }, { key: pair })
 * ```
 */
export interface TestKeyPair {
  /** The algorithm this pair signs with, and the `alg` of its JWK. */
  alg: TestAlgorithm
  /** The key id: the `kid` of its JWK and of the tokens it signs. */
  kid: string
  /** The private key, for signing. */
  privateKey: KeyObject
  /** The public key, for verifying. */
  publicKey: KeyObject
  /** The public key as a JWK with `kid`, `alg` and `use: 'sig'`. */
  publicJwk: TestPublicJwk
}

/**
 * Options of {@link generateKeyPair}.
 *
 * @example
 * ```ts
 * const options: GenerateKeyPairOptions = { kid: 'rsa-4096', modulusLength: 4096 }
 * const pair = generateKeyPair('RS512', options)
 * ```
 */
export interface GenerateKeyPairOptions {
  /** The key id. Default: `test-` followed by 8 random hex digits. */
  kid?: string
  /**
   * RSA modulus length in bits (RS* and PS* only; ignored otherwise). Default is 2048.
   * Below 2048 the pair is still made (for tests of weak keys), and `signToken` signs with
   * `node:crypto` because `jose` refuses such keys.
   */
  modulusLength?: number
}

const curves: Partial<Record<TestAlgorithm, string>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
}

/**
 * Makes a key pair for one algorithm, synchronously (`crypto.generateKeyPairSync`).
 *
 * RSA keys (RS256, RS384, RS512, PS256) are 2048 bits unless `modulusLength` says otherwise;
 * ES256, ES384 and ES512 use P-256, P-384 and P-521; EdDSA uses Ed25519. RSA generation takes
 * tens of milliseconds: make pairs once per test file, not once per test.
 *
 * @param alg - the algorithm. Default is `'RS256'`.
 * @param options - `kid` (default `test-<8 hex>`) and `modulusLength` (default 2048).
 *
 * @example
 * ```ts
 * import { generateKeyPair, jwksOf, signToken } from '@middy-auth/testing'
 *
 * const pair = generateKeyPair('ES256', { kid: 'key-1' })
 * const token = await signToken({ scope: 'orders:read' }, { key: pair })
 * const jwks = jwksOf(pair) // { keys: [{ kty: 'EC', crv: 'P-256', kid: 'key-1', alg: 'ES256', use: 'sig', … }] }
 * ```
 */
export function generateKeyPair(alg: TestAlgorithm = 'RS256', options: GenerateKeyPairOptions = {}): TestKeyPair {
  const kid = options.kid ?? `test-${randomBytes(4).toString('hex')}`
  const { privateKey, publicKey } = generateKeys(alg, options.modulusLength ?? 2048)
  const publicJwk: TestPublicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  return { alg, kid, privateKey, publicKey, publicJwk }
}

/**
 * A JWKS (`{ keys: [...] }`) publishing the public JWKs of the given pairs, in order.
 * Each JWK is a fresh copy, so a test may edit it without touching the pair.
 *
 * @example
 * ```ts
 * const current = generateKeyPair('RS256')
 * const next = generateKeyPair('ES256')
 * const jwks = jwksOf(current, next)
 * jwks.keys.map((k) => k.kid) // [current.kid, next.kid]
 * ```
 */
export function jwksOf(...pairs: TestKeyPair[]): { keys: TestPublicJwk[] } {
  return { keys: pairs.map((pair) => ({ ...pair.publicJwk })) }
}

function generateKeys(alg: TestAlgorithm, modulusLength: number): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  const namedCurve = curves[alg]
  if (namedCurve !== undefined) return generateKeyPairSync('ec', { namedCurve })
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return generateKeyPairSync('rsa', { modulusLength })
  throw new TypeError(`generateKeyPair: unsupported algorithm ${JSON.stringify(alg)}`)
}
