import { constants, verify } from 'node:crypto'
import type { ResolvedKey } from './key-resolver.js'

/**
 * The JWS algorithms jwt-verify verifies: asymmetric only (RFC 8725 §3.1).
 *
 * @example
 * ```ts
 * const algorithms: Algorithm[] = ['RS256', 'ES256']
 * ```
 */
export type Algorithm =
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA' | 'Ed25519'

interface AlgorithmRule {
  /** Which keys may verify this algorithm. */
  fits: (key: ResolvedKey) => boolean
  verify: (data: Buffer, signature: Buffer, key: ResolvedKey) => boolean
}

const rsa = (hash: string): AlgorithmRule => ({
  fits: (key) => key.kty === 'RSA',
  // A bare KeyObject: an options object costs about 16 µs per call on RS256 (DESIGN.md).
  verify: (data, signature, key) => verify(hash, data, key.key, signature),
})

const rsaPss = (hash: string): AlgorithmRule => ({
  fits: (key) => key.kty === 'RSA',
  // PSS needs the padding options; RFC 7518 §3.5 fixes the salt to the digest length.
  verify: (data, signature, key) =>
    verify(hash, data, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature),
})

const ecdsa = (hash: string, crv: string, partLength: number): AlgorithmRule => ({
  fits: (key) => key.kty === 'EC' && key.crv === crv,
  // JWS signatures are raw r||s (RFC 7518 §3.4). Converting them to DER lets us pass the bare
  // KeyObject: `{ dsaEncoding: 'ieee-p1363' }` would cost about 33 µs per call (DESIGN.md).
  verify: (data, signature, key) =>
    signature.length === partLength * 2 && verify(hash, data, key.key, rawEcdsaToDer(signature, partLength)),
})

const eddsa: AlgorithmRule = {
  fits: (key) => key.kty === 'OKP' && (key.crv === 'Ed25519' || key.crv === 'Ed448'),
  verify: (data, signature, key) => verify(null, data, key.key, signature),
}

const rules: Record<Algorithm, AlgorithmRule> = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: rsaPss('sha256'),
  PS384: rsaPss('sha384'),
  PS512: rsaPss('sha512'),
  ES256: ecdsa('sha256', 'P-256', 32),
  ES384: ecdsa('sha384', 'P-384', 48),
  ES512: ecdsa('sha512', 'P-521', 66),
  EdDSA: eddsa,
  // RFC 9864's fully specified name for EdDSA over Ed25519.
  Ed25519: { fits: (key) => key.kty === 'OKP' && key.crv === 'Ed25519', verify: eddsa.verify },
}

/**
 * Every algorithm jwt-verify supports, the default allow-list.
 *
 * @example
 * ```ts
 * SUPPORTED_ALGORITHMS.includes('EdDSA') // true
 * ```
 */
export const SUPPORTED_ALGORITHMS = Object.freeze(Object.keys(rules)) as readonly Algorithm[]

/**
 * Whether a string names a supported algorithm.
 *
 * @example
 * ```ts
 * isAlgorithm('RS256') // true
 * isAlgorithm('HS256') // false: symmetric algorithms are never accepted
 * ```
 */
export const isAlgorithm = (alg: unknown): alg is Algorithm => typeof alg === 'string' && Object.hasOwn(rules, alg)

/**
 * Whether `key` may verify a token signed with `alg`: the key type and curve fit, and the JWK's
 * own `alg`, when it has one, is the token's (RFC 8725 §3.1).
 *
 * @example
 * ```ts
 * if (!keyFitsAlgorithm(key, 'ES256')) reject()
 * ```
 */
export const keyFitsAlgorithm = (key: ResolvedKey, alg: Algorithm): boolean =>
  (key.alg === undefined || key.alg === alg) && (key.use === undefined || key.use === 'sig') && rules[alg].fits(key)

/**
 * Checks a JWS signature with `node:crypto`. Any error (a malformed signature) is `false`.
 *
 * @example
 * ```ts
 * verifySignature('RS256', signingInput, signature, key) // true or false
 * ```
 */
export const verifySignature = (alg: Algorithm, data: Buffer, signature: Buffer, key: ResolvedKey): boolean => {
  try {
    return rules[alg].verify(data, signature, key)
  } catch {
    return false
  }
}

/** DER length prefix (lengths here stay under 65536). */
const derLength = (length: number): number[] =>
  length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff]

/** One ASN.1 INTEGER from an unsigned big-endian integer: minimal, with a 0 byte before a set high bit. */
const derInteger = (bytes: Buffer): Buffer => {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const value = bytes.subarray(start)
  const pad = (value[0] ?? 0) & 0x80 ? 1 : 0
  return Buffer.concat([Buffer.from([0x02, ...derLength(value.length + pad)]), pad ? Buffer.from([0]) : Buffer.alloc(0), value])
}

/**
 * Converts a raw `r||s` ECDSA signature to DER.
 *
 * @example
 * ```ts
 * const der = rawEcdsaToDer(signature, 32) // ES256
 * ```
 */
export const rawEcdsaToDer = (signature: Buffer, partLength: number): Buffer => {
  const r = derInteger(signature.subarray(0, partLength))
  const s = derInteger(signature.subarray(partLength))
  return Buffer.concat([Buffer.from([0x30, ...derLength(r.length + s.length)]), r, s])
}
