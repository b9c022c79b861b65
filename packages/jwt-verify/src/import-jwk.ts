import { createPublicKey, type KeyObject } from 'node:crypto'
import { isRecord } from '@middy-auth/core/internal'
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
  return fields === undefined ? undefined : importFields(fields)
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
  kty: 'RSA' | 'EC' | 'OKP'
  crv: string | undefined
  alg: string | undefined
  use: string | undefined
  /** Exactly the members `createPublicKey` needs: nothing private, nothing unknown. */
  material: { kty: 'RSA' | 'EC' | 'OKP'; crv?: string; n?: string; e?: string; x?: string; y?: string }
}

// Fingerprints of the keys this module imported. A WeakMap rather than a field on the key, so
// that ResolvedKey stays the plain shape the interface declares.
const fingerprints = new WeakMap<ResolvedKey, string>()

const base64url = /^[A-Za-z0-9_-]+$/

// Members that only a private (or secret) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037).
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

// Which `alg` values may go with which key: anything else (HS*, RSA-OAEP, ECDH-ES, none, an
// RS256 label on an EC key) is either not a signature algorithm or not this key's algorithm.
const rsaAlgs = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
const ecAlgByCurve: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
const okpAlgsByCurve: Record<string, ReadonlySet<string>> = {
  Ed25519: new Set(['EdDSA', 'Ed25519']),
  Ed448: new Set(['EdDSA', 'Ed448']),
}
// node:crypto's name for each JWK curve, to check what createPublicKey actually built.
const nodeCurves: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' }

const minRsaBits = 2048

/**
 * Whether a JWK has any member that only a private or secret key has (`d`, `p`, `q`, `dp`,
 * `dq`, `qi`, `oth`, `k`): such a key is never used, wherever it appears.
 */
export const hasPrivateMembers = (jwk: Readonly<Record<string, unknown>>): boolean => privateMembers.some((member) => member in jwk)

function optionalString(value: unknown): string | undefined | null {
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : null
}

function isBase64url(value: unknown): value is string {
  return typeof value === 'string' && base64url.test(value)
}

/** Structural checks only; returns undefined for anything that must not become a key. */
function readJwk(jwk: unknown): JwkFields | undefined {
  try {
    if (!isRecord(jwk)) return undefined
    for (const member of privateMembers) if (member in jwk) return undefined

    const kid = optionalString(jwk['kid'])
    const alg = optionalString(jwk['alg'])
    const use = optionalString(jwk['use'])
    if (kid === null || alg === null || use === null) return undefined
    if (use !== undefined && use !== 'sig') return undefined
    // As jose, our oracle: key_ops of a public key is `verify` alone (jose hands key_ops to
    // WebCrypto as the key's usages, which refuses repeats and anything else); ext is a boolean.
    const keyOps = jwk['key_ops']
    if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.length === 1 && keyOps[0] === 'verify')) return undefined
    if (jwk['ext'] !== undefined && typeof jwk['ext'] !== 'boolean') return undefined

    const material = publicMaterial(jwk, alg)
    return material && { kid, kty: material.kty, crv: material.crv, alg, use, material }
  } catch {
    // A hostile object (a Proxy, a throwing getter) is just an unusable key.
    return undefined
  }
}

/**
 * The members `createPublicKey` needs of an RSA, EC or OKP public key whose curve and `alg`
 * (when given) go with its type; undefined for anything else.
 */
function publicMaterial(jwk: Record<string, unknown>, alg: string | undefined): JwkFields['material'] | undefined {
  const { kty, crv, n, e, x, y } = jwk
  if (kty === 'RSA') {
    if (crv !== undefined || !isBase64url(n) || !isBase64url(e)) return undefined
    if (alg !== undefined && !rsaAlgs.has(alg)) return undefined
    return { kty, n, e }
  }
  if (kty === 'EC') {
    if (typeof crv !== 'string' || !Object.hasOwn(ecAlgByCurve, crv)) return undefined
    if (!isBase64url(x) || !isBase64url(y)) return undefined
    if (alg !== undefined && alg !== ecAlgByCurve[crv]) return undefined
    return { kty, crv, x, y }
  }
  if (kty === 'OKP') {
    if (typeof crv !== 'string' || !Object.hasOwn(okpAlgsByCurve, crv)) return undefined
    if (!isBase64url(x)) return undefined
    if (alg !== undefined && okpAlgsByCurve[crv]?.has(alg) !== true) return undefined
    return { kty, crv, x }
  }
  return undefined
}

function fingerprintOf(fields: JwkFields): string {
  const { kid, kty, crv, alg, use, material } = fields
  return JSON.stringify([kid, kty, crv, alg, use, material.n, material.e, material.x, material.y])
}

function importFields(fields: JwkFields, fingerprint = fingerprintOf(fields)): ResolvedKey | undefined {
  let key: KeyObject
  try {
    key = createPublicKey({ key: fields.material, format: 'jwk' })
  } catch {
    return undefined // off-curve point, wrong OKP length, …
  }
  if (!isExpectedKey(key, fields)) return undefined
  const resolved: ResolvedKey = Object.freeze({
    kid: fields.kid,
    kty: fields.kty,
    crv: fields.crv,
    alg: fields.alg,
    use: fields.use,
    key,
  })
  fingerprints.set(resolved, fingerprint)
  return resolved
}

/** Checks the imported key itself, not only the JWK's labels. */
function isExpectedKey(key: KeyObject, fields: JwkFields): boolean {
  if (key.type !== 'public') return false
  const details = key.asymmetricKeyDetails
  switch (fields.kty) {
    case 'RSA': {
      if (key.asymmetricKeyType !== 'rsa') return false
      const bits = details?.modulusLength ?? 0
      const exponent = details?.publicExponent ?? 0n
      // e = 1 (or any even e) makes a key that "verifies" forged signatures or none at all.
      return bits >= minRsaBits && exponent >= 3n && exponent % 2n === 1n
    }
    case 'EC':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === nodeCurves[fields.crv ?? '']
    case 'OKP':
      return key.asymmetricKeyType === fields.crv?.toLowerCase()
  }
}
