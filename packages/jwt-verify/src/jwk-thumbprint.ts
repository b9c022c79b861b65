import { hash } from 'node:crypto'

/** The required members of each key type, in the lexicographic order RFC 7638 §3.2 hashes them. */
const requiredMembers: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
}

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key, as DPoP's `cnf.jkt` carries
 * it (RFC 9449 §6.1). Only the required members count, so `kid`, `alg` or `use` do not change
 * it. `undefined` for a key type other than RSA, EC and OKP, or a member that is not a string.
 *
 * @example
 * ```ts
 * import { jwkThumbprint } from '@middy-auth/jwt-verify/keys'
 * jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' }) // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 * ```
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' && Object.hasOwn(requiredMembers, jwk.kty) ? requiredMembers[jwk.kty] : undefined
  if (!members) return undefined
  const canonical: Record<string, string> = {}
  for (const name of members) {
    const value = jwk[name]
    if (typeof value !== 'string') return undefined
    canonical[name] = value
  }
  // JSON.stringify writes members in insertion order without whitespace: the canonical form.
  return hash('sha256', JSON.stringify(canonical), 'base64url')
}

/**
 * The members of a JWK that {@link jwkThumbprint} hashes, and nothing else: what a DPoP proof key
 * is imported from, so that labels (`alg`, `use`, `key_ops`) cannot change what it verifies.
 */
export function requiredJwkMembers(jwk: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const members = typeof jwk.kty === 'string' && Object.hasOwn(requiredMembers, jwk.kty) ? requiredMembers[jwk.kty] : undefined
  if (!members) return undefined
  const picked: Record<string, unknown> = {}
  for (const name of members) picked[name] = jwk[name]
  return picked
}
