import { constants, sign, type KeyObject } from 'node:crypto'

/**
 * Signs a JWS signing input with `node:crypto`, the way the JWS algorithm `alg` says
 * (RFC 7518 §3, RFC 8037): PKCS#1 v1.5 or PSS (salt = hash length) for RSA, raw `r||s`
 * (IEEE P1363) for ECDSA, pure Ed25519 for EdDSA. Returns the signature in base64url.
 *
 * Used where `jose` refuses to sign (hostile headers, RSA keys under 2048 bits).
 */
export function rawSign(alg: string, signingInput: string, key: KeyObject): string {
  const data = Buffer.from(signingInput)
  const bits = alg.slice(2)
  const hash = `sha${bits}`
  if (alg === 'EdDSA' || alg === 'Ed25519') return sign(null, data, key).toString('base64url')
  if (alg.startsWith('RS')) return sign(hash, data, key).toString('base64url')
  if (alg.startsWith('PS')) {
    return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }).toString('base64url')
  }
  if (alg.startsWith('ES')) return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  throw new TypeError(`rawSign: unsupported algorithm ${JSON.stringify(alg)}`)
}

const ecAlgorithms: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }

/**
 * Whether a JWS `alg` can be computed with this private key: RS256/384/512 and PS256/384/512
 * for RSA keys, the ES algorithm of the key's curve for EC keys, EdDSA/Ed25519 for Ed25519.
 */
export function algorithmFitsKey(alg: unknown, key: KeyObject): alg is string {
  if (typeof alg !== 'string') return false
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return /^(RS|PS)(256|384|512)$/.test(alg)
    case 'ec':
      return ecAlgorithms[key.asymmetricKeyDetails?.namedCurve ?? ''] === alg
    case 'ed25519':
      return alg === 'EdDSA' || alg === 'Ed25519'
    default:
      return false
  }
}
