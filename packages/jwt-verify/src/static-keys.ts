import { createHmac, createPublicKey, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import { isRecord, type ConfigError } from '@middy-auth/core/internal'
import { isAlgorithm, isHmacAlgorithm, type HmacAlgorithm, type SecretKey } from './algorithms.js'
import { importJwk } from './import-jwk.js'
import type { IssuerConfig, StaticPemKey } from './issuer-config.js'
import type { KeyResolver, ResolvedKey } from './key-resolver.js'
import { fixedKeyResolver } from './static-key-resolver.js'

/** HMAC keys shorter than the hash are weak (RFC 7518 §3.2 asks for at least the hash size): 32 bytes for HS256 and up. */
const MIN_SECRET_BYTES = 32

/** The HMAC check of HS256/384/512 (RFC 7518 §3.2), which an entry's secret carries. */
function hmacMatches(hash: string, data: Buffer, signature: Buffer, key: ResolvedKey): boolean {
  const expected = createHmac(hash, key.key).update(data).digest()
  // Constant time: a byte-by-byte comparison would tell an attacker how much of a MAC is right.
  return signature.length === expected.length && timingSafeEqual(signature, expected)
}

/**
 * An issuer entry's `secret` as its one key. `kty: 'oct'` fits only the HMAC algorithms, and an
 * entry with a secret lists only those, so no public key can ever be taken for this secret nor
 * this secret for a public key.
 */
function compileSecret(secret: unknown, at: string, fail: ConfigError): { key: ResolvedKey; resolver: KeyResolver } {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret instanceof Uint8Array ? Buffer.from(secret) : undefined
  if (!bytes) throw fail(`${at}.secret`, `must be a string or bytes`)
  if (bytes.byteLength < MIN_SECRET_BYTES) throw fail(`${at}.secret`, `must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.byteLength}`)
  // The only way to an HMAC verification: the bundles without secrets carry none.
  const key: SecretKey = Object.freeze({
    kid: undefined,
    kty: 'oct',
    crv: undefined,
    alg: undefined,
    use: undefined,
    key: createSecretKey(bytes),
    hmac: hmacMatches,
  })
  return { key, resolver: fixedKeyResolver(Object.freeze({ keys: Object.freeze([key]), byKid: new Map() })) }
}

/** What the verifier calls on a key resolver. */
const resolverMethods = ['prefetch', 'cached', 'getKeySet'] as const

/**
 * An issuer entry's `keyResolver` (the user's own, such as `createRemoteKeyResolver()` or the
 * `jwks-rsa` adapter), given: itself, once it has every method the verifier calls (`option`: its
 * path, `issuers[0].keyResolver`).
 */
export function checkKeyResolver(keyResolver: unknown, option: string, fail: ConfigError): KeyResolver {
  // A falsy keyResolver (null, false) is a mistake, not a request for discovery.
  if (keyResolver != null && resolverMethods.every((method) => typeof (keyResolver as Partial<KeyResolver>)[method] === 'function'))
    return keyResolver as KeyResolver
  throw fail(option, `must be a key resolver with prefetch(), cached() and getKeySet()`)
}

/**
 * An issuer entry with a `secret`: no public keys on it, HMAC algorithms only, and required (so
 * that a public key can never be taken for the secret, RFC 8725 §2.1); the secret as its one key.
 * `readAlgorithms`: jwtVerify's reading of the entry's `algorithms`, a non-empty list of those
 * `allowed` takes.
 */
export function compileSecretEntry(
  entry: IssuerConfig,
  at: string,
  fail: ConfigError,
  readAlgorithms: (value: unknown, allowed: (alg: unknown) => boolean, what: string) => unknown[],
): { key: ResolvedKey; resolver: KeyResolver; algorithms: HmacAlgorithm[] } {
  const publicKeySources = (['jwksUri', 'jwks', 'keyResolver', 'keys'] as const).filter((name) => entry[name] !== undefined)
  if (publicKeySources.length > 0) {
    throw fail(`${at}.secret`, `is never mixed with public keys (${publicKeySources.join(', ')}): put them on another entry`)
  }
  if (entry.algorithms === undefined) throw fail(`${at}.algorithms`, `is required with a secret: algorithms: ['HS256']`)
  const algorithms = readAlgorithms(entry.algorithms, isHmacAlgorithm, `HS256, HS384, HS512 with a secret (put public keys on another entry)`)
  return { ...compileSecret(entry.secret, at, fail), algorithms: algorithms as HmacAlgorithm[] }
}

/**
 * An issuer entry's `keys` (PEM public keys or certificates) as a key set, each imported with
 * the rules of a JWKS key (RSA of 2048 bits or more, the JWS curves). A private key, or a key
 * that could not verify tokens, is a configuration error naming it (`option`: the path of
 * `keys`, `issuers[0].keys`).
 */
export function compilePemKeys(keys: unknown, option: string, fail: ConfigError): KeyResolver {
  if (!Array.isArray(keys) || keys.length === 0) throw fail(option, `must be a non-empty list of { kid, pem }`)
  const accepted: ResolvedKey[] = []
  const byKid = new Map<string, ResolvedKey>()
  keys.forEach((entry: unknown, index) => {
    const where = `${option}[${index}]`
    if (!isRecord(entry) || typeof entry.pem !== 'string') throw fail(where, `must be { kid, pem }`)
    const { kid, pem, alg } = entry as Partial<StaticPemKey> & { pem: string }
    if (kid !== undefined && (typeof kid !== 'string' || kid === '')) throw fail(`${where}.kid`, `must be a non-empty string`)
    if (alg !== undefined && !isAlgorithm(alg)) throw fail(`${where}.alg`, `must be an asymmetric algorithm`)
    // createPublicKey would derive the public half of a private key: a private key in the
    // configuration is a leak waiting to happen, never accepted.
    if (/PRIVATE KEY/.test(pem)) throw fail(`${where}.pem`, `is a private key: give the public key or the certificate`)
    let publicKey: KeyObject
    try {
      publicKey = createPublicKey(pem)
    } catch {
      throw fail(`${where}.pem`, `is not a PEM public key (SPKI or PKCS#1) or X.509 certificate`)
    }
    const key = importJwk({ ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), ...(kid ? { kid } : {}), ...(alg ? { alg } : {}) })
    if (!key) throw fail(where, `cannot verify tokens: only RSA (2048 bits or more), EC P-256/P-384/P-521 and Ed25519/Ed448 keys`)
    if (kid !== undefined) {
      if (byKid.has(kid)) throw fail(where, `kid ${JSON.stringify(kid)} is listed twice`)
      byKid.set(kid, key)
    }
    accepted.push(key)
  })
  return fixedKeyResolver(Object.freeze({ keys: Object.freeze(accepted), byKid }))
}
