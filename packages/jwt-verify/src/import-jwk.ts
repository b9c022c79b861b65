import { createPublicKey, type KeyObject } from 'node:crypto'
import { isRecord } from '@middy-auth/core/internal'
import { isJwsAlgorithm, keyFitsAlgorithm } from './algorithms.js'
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
  const fields = readJwk(jwk)
  return fields && importFields(fields)
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
  const keys = isRecord(json) ? json['keys'] : undefined
  if (!Array.isArray(keys)) throw new Error('A JWKS must be a JSON object with a "keys" array')

  const reusable = new Map<string, ResolvedKey>()
  for (const key of previous?.keys ?? []) {
    const fingerprint = fingerprints.get(key)
    if (fingerprint !== undefined) reusable.set(fingerprint, key)
  }

  const accepted: ResolvedKey[] = []
  const byKid = new Map<string, ResolvedKey>()
  const seen = new Set<string>()
  for (const jwk of keys as unknown[]) {
    const fields = readJwk(jwk)
    if (fields === undefined) continue
    // A kid that is already taken would make key selection depend on the order of lookups:
    // the first key of the document wins, always.
    if (fields.kid !== undefined && byKid.has(fields.kid)) continue
    const fingerprint = fingerprintOf(fields)
    if (seen.has(fingerprint)) continue
    const key = reusable.get(fingerprint) ?? importFields(fields, fingerprint)
    if (key === undefined) continue
    seen.add(fingerprint)
    accepted.push(key)
    if (key.kid !== undefined) byKid.set(key.kid, key)
  }
  return Object.freeze({ keys: Object.freeze(accepted), byKid })
}

/** The members of a JWK that make a {@link ResolvedKey}, validated but not yet imported. */
interface JwkFields {
  kid: string | undefined
  alg: string | undefined
  use: string | undefined
  kind: KeyKind
  /** Exactly the members `createPublicKey` needs (`kty`, `crv` and the kind's public members): nothing private, nothing unknown. */
  material: { kty: KeyKind[0]; crv: string | undefined } & Record<string, string | undefined>
}

/**
 * A kind of key we import: its `kty`, its public members (each base64url), and what
 * node:crypto must report of the key it built (`asymmetricKeyType`, and `namedCurve` for EC).
 */
type KeyKind = readonly [kty: 'RSA' | 'EC' | 'OKP', members: readonly string[], nodeType: string, nodeCurve?: string]

const ecMembers = ['x', 'y']

// Every kind, by its JWK `crv` (an RSA key has none): another curve, or a kty that does not go
// with the curve, is not imported.
const kinds = new Map<unknown, KeyKind>([
  [undefined, ['RSA', ['n', 'e'], 'rsa']],
  ['P-256', ['EC', ecMembers, 'ec', 'prime256v1']],
  ['P-384', ['EC', ecMembers, 'ec', 'secp384r1']],
  ['P-521', ['EC', ecMembers, 'ec', 'secp521r1']],
  ['Ed25519', ['OKP', ['x'], 'ed25519']],
  ['Ed448', ['OKP', ['x'], 'ed448']],
])

// Fingerprints of the keys this module imported. A WeakMap rather than a field on the key, so
// that ResolvedKey stays the plain shape the interface declares.
const fingerprints = new WeakMap<ResolvedKey, string>()

const base64url = /^[A-Za-z0-9_-]+$/

// Members that only a private (or secret) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037).
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const minRsaBits = 2048

/**
 * Whether a JWK has any member that only a private or secret key has (`d`, `p`, `q`, `dp`,
 * `dq`, `qi`, `oth`, `k`): such a key is never used, wherever it appears.
 */
export const hasPrivateMembers = (jwk: Readonly<Record<string, unknown>>): boolean => privateMembers.some((member) => member in jwk)

const isOptionalString = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string'

const isBase64url = (value: unknown): value is string => typeof value === 'string' && base64url.test(value)

/** Structural checks only; returns undefined for anything that must not become a key. */
function readJwk(jwk: unknown): JwkFields | undefined {
  try {
    if (!isRecord(jwk) || hasPrivateMembers(jwk)) return undefined
    const { kid, alg, use, key_ops: keyOps, ext, kty, crv, n, e, x, y } = jwk
    if (!isOptionalString(kid) || !isOptionalString(alg) || (use !== undefined && use !== 'sig')) return undefined
    // As jose, our oracle: key_ops of a public key is `verify` alone (jose hands key_ops to
    // WebCrypto as the key's usages, which refuses repeats and anything else); ext is a boolean.
    if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.length === 1 && keyOps[0] === 'verify')) return undefined
    if (ext !== undefined && typeof ext !== 'boolean') return undefined

    const kind = kinds.get(crv)
    if (kind === undefined || kind[0] !== kty) return undefined
    const material: JwkFields['material'] = { kty: kind[0], crv: crv as string | undefined }
    // The key must fit its own alg (not HS256, RSA-OAEP, ECDH-ES, none, nor RS256 on an EC key);
    // an OKP key may also name its curve, RFC 9864's fully specified name (Ed448 has no other).
    if (alg !== undefined && !(isJwsAlgorithm(alg) && keyFitsAlgorithm({ ...material, alg, use }, alg)) && !(kty === 'OKP' && alg === crv)) {
      return undefined
    }
    const values: Record<string, unknown> = { n, e, x, y }
    for (const member of kind[1]) {
      const value = values[member]
      if (!isBase64url(value)) return undefined
      material[member] = value
    }
    return { kid, alg, use: use as string | undefined, kind, material }
  } catch {
    // A hostile object (a Proxy, a throwing getter) is just an unusable key.
    return undefined
  }
}

function fingerprintOf({ kid, alg, use, material }: JwkFields): string {
  return JSON.stringify([kid, alg, use, material])
}

function importFields(fields: JwkFields, fingerprint = fingerprintOf(fields)): ResolvedKey | undefined {
  const { kid, alg, use, kind, material } = fields
  const [kty, , nodeType, nodeCurve] = kind
  let key: KeyObject
  try {
    key = createPublicKey({ key: material, format: 'jwk' })
  } catch {
    return undefined // off-curve point, wrong OKP length, …
  }
  // Checks the imported key itself, not only the JWK's labels.
  const details = key.asymmetricKeyDetails
  if (key.type !== 'public' || key.asymmetricKeyType !== nodeType) return undefined
  if (nodeCurve !== undefined && details?.namedCurve !== nodeCurve) return undefined
  if (kty === 'RSA') {
    const exponent = details?.publicExponent ?? 0n
    // e = 1 (or any even e) makes a key that "verifies" forged signatures or none at all.
    if (!((details?.modulusLength ?? 0) >= minRsaBits && exponent >= 3n && exponent % 2n === 1n)) return undefined
  }
  const resolved: ResolvedKey = Object.freeze({ kid, kty, crv: material.crv, alg, use, key })
  fingerprints.set(resolved, fingerprint)
  return resolved
}
