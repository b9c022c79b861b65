import { verify } from 'node:crypto'
import type { ResolvedKey } from './key-resolver.js'

/**
 * The JWS algorithms jwt-verify verifies: asymmetric only (RFC 8725 §3.1).
 *
 * @example
 * ```ts
 * const algorithms: Algorithm[] = ['RS256', 'ES256']
 * ```
 */
export type Algorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519'

/**
 * The HMAC algorithms, accepted only by an issuer entry that has a `secret` and lists them in
 * its `algorithms` (never by default, never next to public keys: RFC 8725 §3.1).
 *
 * @example
 * ```ts
 * const algorithms: HmacAlgorithm[] = ['HS256']
 * ```
 */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512'

type KeyLabels = Pick<ResolvedKey, 'kty' | 'crv'>

interface AlgorithmRule {
  /** The type of the keys that may verify this algorithm (the JWK's own `alg` and `use` aside). */
  kty: string
  /** The curves those keys may be on; `undefined` for a type without curves (RSA, oct). */
  curves: readonly string[] | undefined
  verify: (data: Buffer, signature: Buffer, key: ResolvedKey) => boolean
}

const rule = (kty: string, verify: AlgorithmRule['verify'], curves?: readonly string[]): AlgorithmRule => ({ kty, curves, verify })

// A bare KeyObject: an options object costs about 16 µs per call on RS256
// (docs/design.md#verifying-at-the-floor). `null`: EdDSA names no hash.
const bare =
  (hash: string | null): AlgorithmRule['verify'] =>
  (data, signature, key) =>
    verify(hash, data, key.key, signature)

/**
 * An issuer entry's secret (./static-keys.ts), which carries its HMAC check: a bundle without
 * secrets carries no HMAC code, and the check is the key's own, whichever installed copy of the
 * package compiled it (no state of this module to switch on).
 */
export interface SecretKey extends ResolvedKey {
  /** Whether `signature` is the HMAC with `hash` of `data` under this key. */
  readonly hmac: (hash: string, data: Buffer, signature: Buffer, key: ResolvedKey) => boolean
}

// Both kinds in one table: a token's algorithm is looked up once per verification, whatever its
// kind. Filled family by family, so that its asymmetric names come in the order of
// SUPPORTED_ALGORITHMS, which is read from it.
const rules = {} as Record<Algorithm | HmacAlgorithm, AlgorithmRule>

// The SHA-2 families, each at three digest sizes: RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA on the
// curve of that size (P-521 for SHA-512, where r and s are each 66 bytes) and HMAC (RFC 7518
// §3.2–3.5). Each family makes the verify function of one size from its hash.
const families: [family: string, kty: string, verifier: (hash: string, partLength: number) => AlgorithmRule['verify']][] = [
  ['RS', 'RSA', bare],
  // PSS needs the padding options; RFC 7518 §3.5 fixes the salt to the digest length. The
  // numbers are OpenSSL's, as crypto.constants names them: RSA_PKCS1_PSS_PADDING is 6 and
  // RSA_PSS_SALTLEN_DIGEST is -1 (algorithms.test.ts holds both).
  ['PS', 'RSA', (hash) => (data, signature, key) => verify(hash, data, { key: key.key, padding: 6, saltLength: -1 }, signature)],
  // JWS signatures are raw r||s (RFC 7518 §3.4). Converting them to DER lets us pass the bare
  // KeyObject: `{ dsaEncoding: 'ieee-p1363' }` would cost about 33 µs per call
  // (docs/design.md#verifying-at-the-floor).
  [
    'ES',
    'EC',
    (hash, partLength) => (data, signature, key) => signature.length === partLength * 2 && verify(hash, data, key.key, rawEcdsaToDer(signature, partLength)),
  ],
  // Only a secret entry lists an HMAC algorithm, and its one key is a SecretKey; any other key fails.
  ['HS', 'oct', (hash) => (data, signature, key) => (key as Partial<SecretKey>).hmac?.(hash, data, signature, key) === true],
]
for (const [family, kty, verifier] of families) {
  for (const [size, curve, partLength] of [
    ['256', 'P-256', 32],
    ['384', 'P-384', 48],
    ['512', 'P-521', 66],
  ] as const) {
    rules[`${family}${size}` as Algorithm] = rule(kty, verifier(`sha${size}`, partLength), kty === 'EC' ? [curve] : undefined)
  }
}
const eddsa = bare(null)
rules.EdDSA = rule('OKP', eddsa, ['Ed25519', 'Ed448'])
// RFC 9864's fully specified name for EdDSA over Ed25519.
rules.Ed25519 = rule('OKP', eddsa, ['Ed25519'])

/**
 * Every algorithm jwt-verify supports, the default allow-list: the table's names but HMAC.
 *
 * @example
 * ```ts
 * SUPPORTED_ALGORITHMS.includes('EdDSA') // true
 * ```
 */
export const SUPPORTED_ALGORITHMS: readonly Algorithm[] = Object.freeze((Object.keys(rules) as Algorithm[]).filter((alg) => rules[alg].kty !== 'oct'))

/**
 * Whether a string names an algorithm jwt-verify verifies, asymmetric or HMAC (which an issuer
 * entry's allow-list then narrows).
 *
 * @example
 * ```ts
 * isJwsAlgorithm('HS256') // true
 * isJwsAlgorithm('none') // false
 * ```
 */
export const isJwsAlgorithm = (alg: unknown): alg is Algorithm | HmacAlgorithm =>
  // Own entries only: never `constructor` or `__proto__`.
  typeof alg === 'string' && Object.hasOwn(rules, alg)

/**
 * Whether a string names a supported algorithm.
 *
 * @example
 * ```ts
 * isAlgorithm('RS256') // true
 * isAlgorithm('HS256') // false: HMAC algorithms are isHmacAlgorithm's, accepted only with an entry's `secret`
 * ```
 */
export const isAlgorithm = (alg: unknown): alg is Algorithm => SUPPORTED_ALGORITHMS.includes(alg as Algorithm)

/**
 * Whether a string names an HMAC algorithm (`HS256`, `HS384`, `HS512`).
 *
 * @example
 * ```ts
 * isHmacAlgorithm('HS256') // true
 * ```
 */
export const isHmacAlgorithm = (alg: unknown): alg is HmacAlgorithm =>
  // The table's names that are not asymmetric are the HMAC ones.
  isJwsAlgorithm(alg) && !isAlgorithm(alg)

/**
 * Whether `key` may verify a token signed with `alg`: the key type and curve fit, the JWK's own
 * `alg`, when it has one, is the token's (RFC 8725 §3.1), and its `use`, when it has one, is
 * `sig`.
 *
 * @example
 * ```ts
 * if (!keyFitsAlgorithm(key, 'ES256')) reject()
 * ```
 */
export function keyFitsAlgorithm(key: KeyLabels & Partial<Pick<ResolvedKey, 'alg' | 'use'>>, alg: Algorithm | HmacAlgorithm): boolean {
  const { kty, curves } = rules[alg]
  return (
    (key.alg === undefined || key.alg === alg) &&
    (key.use === undefined || key.use === 'sig') &&
    key.kty === kty &&
    (!curves || curves.includes(key.crv as string))
  )
}

/**
 * Checks a JWS signature with `node:crypto`. Any error (a malformed signature) is `false`.
 *
 * @example
 * ```ts
 * verifySignature('RS256', signingInput, signature, key) // true or false
 * ```
 */
export function verifySignature(alg: Algorithm | HmacAlgorithm, data: Buffer, signature: Buffer, key: ResolvedKey): boolean {
  try {
    return rules[alg].verify(data, signature, key)
  } catch {
    return false
  }
}

/** Where the unsigned big-endian integer in `bytes[start, to)` has its significant bytes (its last byte is kept for zero). */
function significantStart(bytes: Buffer, start: number, to: number): number {
  while (start < to - 1 && bytes[start] === 0) start++
  return start
}

/** Writes one minimal ASN.1 INTEGER (a 0 byte first when the high bit is set); returns the new offset. */
function writeInteger(der: Buffer, offset: number, source: Buffer, start: number, end: number, length: number): number {
  der[offset++] = 0x02
  der[offset++] = length
  if (length > end - start) der[offset++] = 0
  source.copy(der, offset, start, end)
  return offset + end - start
}

/**
 * Converts a raw `r||s` ECDSA signature to DER, in one allocation (this runs on every ES256
 * verification). INTEGERs stay under 128 bytes for every JWS curve, so their lengths take one
 * byte; the SEQUENCE of a P-521 signature may need the `0x81` long form.
 *
 * @example
 * ```ts
 * const der = rawEcdsaToDer(signature, 32) // ES256
 * ```
 */
export function rawEcdsaToDer(signature: Buffer, partLength: number): Buffer {
  const end = 2 * partLength
  const rStart = significantStart(signature, 0, partLength)
  const sStart = significantStart(signature, partLength, end)
  // One more byte when the high bit is set: the 0 that keeps the INTEGER positive.
  const rLength = partLength - rStart + ((signature[rStart] as number) >> 7)
  const sLength = end - sStart + ((signature[sStart] as number) >> 7)
  const bodyLength = 4 + rLength + sLength
  // 1 in the long form (bodyLength is at most 138): the length byte comes after 0x81.
  const long = bodyLength >> 7
  const der = Buffer.allocUnsafe(2 + long + bodyLength)
  der[0] = 0x30
  der[1] = 0x81 // in the short form, overwritten by the length just below
  der[1 + long] = bodyLength
  writeInteger(der, writeInteger(der, 2 + long, signature, rStart, partLength, rLength), signature, sStart, end, sLength)
  return der
}
