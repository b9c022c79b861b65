import { createPublicKey } from 'node:crypto'
import { isRecord } from '@middy-auth/core/internal'
import { isJwsAlgorithm, keyFitsAlgorithm } from './algorithms.js'
import { base64url } from './jws.js'
import type { KeySet, ResolvedKey } from './key-resolver.js'

/**
 * Validates one JWK of a key set and imports it as a public {@link ResolvedKey}.
 *
 * Accepted: public asymmetric signature keys only —
 * `RSA` (`n`, `e`, at least 2048 bits), `EC` (`crv` `P-256`, `P-384` or `P-521`, `x`, `y`) and
 * `OKP` (`crv` `Ed25519` or `Ed448`, `x`).
 *
 * Skipped (returns `undefined`): private keys (any private member such as `d`), symmetric keys
 * (`oct`), other key types and curves, malformed members (not base64url, off-curve points),
 * RSA keys under 2048 bits, keys whose `use` is present and not `sig`, whose `key_ops` is
 * present and not `['verify']` (a public key can do nothing else; jose refuses such keys too),
 * whose `ext` is present and not a boolean, or whose `alg` cannot be a signature algorithm of that key type
 * (an RSA key with `alg: 'HS256'` or `'RSA-OAEP'`, for instance).
 *
 * `use` and `alg` stay `undefined` when the JWK has none. Never throws, whatever the input.
 *
 * @param jwk - One member of a JWKS `keys` array, as parsed from JSON.
 * @returns The imported key, or `undefined` when the key must not verify tokens.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto'
 * import { importJwk } from '@middy-auth/jwt-verify/keys'
 *
 * const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
 * const key = importJwk({ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' })
 * key?.kty // 'EC'
 * ```
 */
export function importJwk(jwk: unknown): ResolvedKey | undefined {
  return keyOf(jwk)
}

/**
 * Validates and imports a whole JWKS document (`{ keys: [...] }`).
 *
 * Unusable keys are skipped (see {@link importJwk}); when two keys share a `kid`, the first one
 * wins. Keys without a `kid` are in `keys` but not in `byKid`.
 *
 * Pass the set imported from the previous fetch as `previous`: a key whose members are unchanged
 * keeps the very same {@link ResolvedKey} object (and is not imported again), so that caches
 * keyed by the key object — the verified-token cache — survive a refetch, and drop exactly the
 * entries whose key left the set.
 *
 * @param json - A parsed JWKS document.
 * @param previous - The set returned by the previous call for the same source, if any.
 * @returns The usable keys. May be empty: the key set then verifies no token.
 * @throws Error when `json` is not an object with a `keys` array.
 *
 * @example
 * ```ts
 * import { importKeySet } from '@middy-auth/jwt-verify/keys'
 *
 * const first = importKeySet(await (await fetch(jwksUri)).json())
 * const second = importKeySet(await (await fetch(jwksUri)).json(), first)
 * second.byKid.get('k1') === first.byKid.get('k1') // true when key k1 did not change
 * ```
 */
export function importKeySet(json: unknown, previous?: KeySet): KeySet {
  const jwks = isRecord(json) ? json['keys'] : undefined
  if (!Array.isArray(jwks)) throw new Error('A JWKS must be a JSON object with a "keys" array')

  // The keys by fingerprint: the previous set's, then those of this document as they are imported.
  const known = new Map(previous?.keys.map((key) => [fingerprints.get(key), key]))
  // The accepted keys, in the document's order: a key listed twice is kept once.
  const keys = new Set<ResolvedKey>()
  const byKid = new Map<string, ResolvedKey>()
  for (const jwk of jwks as unknown[]) {
    const key = keyOf(jwk, known)
    // A kid that is already taken would make key selection depend on the order of lookups:
    // the first key of the document wins, always. (byKid has no undefined kid.) A key under a
    // taken kid was still imported, as any other key of the document: the work a document
    // can ask for is bounded by its number of keys either way.
    if (!key || keys.has(key) || byKid.has(key.kid as string)) continue
    keys.add(key)
    if (key.kid !== undefined) byKid.set(key.kid, key)
  }
  return Object.freeze({ keys: Object.freeze([...keys]), byKid })
}

// The kty of every curve we import, and its public members (each base64url); an RSA key has no
// curve. Another curve, or a kty that does not go with the curve, is not imported.
const ec = ['EC', 'x', 'y'] as const
const okp = ['OKP', 'x'] as const
const kinds = new Map<unknown, readonly [kty: string, ...members: string[]]>([
  [undefined, ['RSA', 'n', 'e']],
  ['P-256', ec],
  ['P-384', ec],
  ['P-521', ec],
  ['Ed25519', okp],
  ['Ed448', okp],
])

// Fingerprints of the keys this module imported. A WeakMap rather than a field on the key, so
// that ResolvedKey stays the plain shape the interface declares.
const fingerprints = new WeakMap<ResolvedKey, string | undefined>()

// Members that only a private (or secret) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037).
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/**
 * Whether a JWK has any member that only a private or secret key has (`d`, `p`, `q`, `dp`,
 * `dq`, `qi`, `oth`, `k`): such a key is never used, wherever it appears.
 */
export const hasPrivateMembers = (jwk: Readonly<Record<string, unknown>>): boolean => privateMembers.some((member) => member in jwk)

/**
 * The key of a JWK ({@link importJwk}), or undefined. `known` (importKeySet's) holds keys by
 * fingerprint: a JWK with the fingerprint of a known key is that key, not imported again; a key
 * imported here joins it.
 */
function keyOf(jwk: unknown, known?: Map<string | undefined, ResolvedKey>): ResolvedKey | undefined {
  try {
    if (!isRecord(jwk) || hasPrivateMembers(jwk)) return undefined
    const { kid, alg, use, key_ops: keyOps, ext, kty, crv } = jwk
    const kind = kinds.get(crv)
    if (
      (kid !== undefined && typeof kid !== 'string') ||
      (use !== undefined && use !== 'sig') ||
      // As jose, our oracle: key_ops of a public key is `verify` alone (jose hands key_ops to
      // WebCrypto as the key's usages, which refuses repeats and anything else); ext is a boolean.
      (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.length === 1 && keyOps[0] === 'verify')) ||
      (ext !== undefined && typeof ext !== 'boolean') ||
      !kind ||
      kind[0] !== kty
    ) {
      return undefined
    }
    // Exactly the members createPublicKey needs (kty, crv and the kind's public members):
    // nothing private, nothing unknown.
    const material: { kty: string; crv: string | undefined } & Record<string, string | undefined> = { kty, crv: crv as string | undefined }
    // The key must fit its own alg (not HS256, RSA-OAEP, ECDH-ES, none, nor RS256 on an EC key);
    // an OKP key may also name its curve, RFC 9864's fully specified name (Ed448 has no other).
    // An alg that is not a string is neither, so it is refused here too.
    if (alg !== undefined && !(isJwsAlgorithm(alg) && keyFitsAlgorithm(material, alg)) && !(kty === 'OKP' && alg === crv)) return undefined
    for (const member of kind.slice(1)) {
      const value = jwk[member]
      if (typeof value !== 'string' || value === '' || !base64url.test(value)) return undefined
      material[member] = value
    }
    // Equal for two JWKs exactly when they make the same key.
    const fingerprint = JSON.stringify([kid, alg, use, material])
    const reused = known?.get(fingerprint)
    if (reused) return reused
    // A public key of exactly the kty and crv given (kinds lists only curves Node knows); it
    // throws on an off-curve point or a wrong length.
    const key = createPublicKey({ key: material, format: 'jwk' })
    if (kty === 'RSA') {
      // The imported key's size, not the JWK's text. e = 1 (or any even e) makes a key that
      // "verifies" forged signatures or none at all. (An RSA KeyObject always has both details.)
      const { modulusLength, publicExponent } = key.asymmetricKeyDetails as { modulusLength: number; publicExponent: bigint }
      if (!(modulusLength >= 2048 && publicExponent >= 3n && publicExponent % 2n === 1n)) return undefined
    }
    const resolved: ResolvedKey = Object.freeze({ kid, kty, crv: crv as string | undefined, alg: alg as string | undefined, use, key })
    fingerprints.set(resolved, fingerprint)
    known?.set(fingerprint, resolved)
    return resolved
  } catch {
    // A hostile object (a Proxy, a throwing getter) is just an unusable key, as is a key
    // createPublicKey refuses.
    return undefined
  }
}
