// The floor: the least work any JWS verifier must do per token (docs/design.md#performance-budgets).
import { verify, type KeyObject } from 'node:crypto'

const HASH: Record<string, string | null> = { RS256: 'sha256', ES256: 'sha256', EdDSA: null }

/**
 * Raw `r||s` (64 bytes) to a DER `SEQUENCE { INTEGER r, INTEGER s }`, written into one buffer.
 * The least a verifier passing a bare KeyObject to `crypto.verify` must do for ES256.
 */
export const rawP256ToDer = (raw: Buffer): Buffer => {
  let rStart = 0
  while (rStart < 31 && raw[rStart] === 0) rStart++
  let sStart = 32
  while (sStart < 63 && raw[sStart] === 0) sStart++
  const rPad = (raw[rStart] as number) & 0x80 ? 1 : 0
  const sPad = (raw[sStart] as number) & 0x80 ? 1 : 0
  const rLen = 32 - rStart + rPad
  const sLen = 64 - sStart + sPad
  const der = Buffer.allocUnsafe(6 + rLen + sLen)
  der[0] = 0x30
  der[1] = 4 + rLen + sLen // at most 70: a short-form length
  der[2] = 0x02
  der[3] = rLen
  let at = 4
  if (rPad) der[at++] = 0
  at += raw.copy(der, at, rStart, 32)
  der[at++] = 0x02
  der[at++] = sLen
  if (sPad) der[at++] = 0
  raw.copy(der, at, sStart, 64)
  return der
}

/**
 * The floor verifier of one algorithm and key: split, base64url-decode header and payload (and
 * the signature, which `crypto.verify` needs as bytes), two `JSON.parse`, the signing input as
 * bytes, and `crypto.verify` with a bare KeyObject. ES256 adds the raw→DER conversion of the
 * signature. No key lookup, no claim check, no error mapping.
 */
export const floorVerifier = (alg: string, key: KeyObject): ((token: string) => Record<string, unknown>) => {
  const hash = HASH[alg] ?? null
  const der = alg === 'ES256'
  return (token) => {
    const [h = '', p = '', s = ''] = token.split('.')
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const raw = Buffer.from(s, 'base64url')
    const signature = der ? rawP256ToDer(raw) : raw
    if (!verify(hash, Buffer.from(token.slice(0, h.length + 1 + p.length), 'latin1'), key, signature)) {
      throw new Error('floor: bad signature')
    }
    return header.alg === undefined ? header : payload
  }
}

/**
 * ES256 the other way, for reference: `crypto.verify` with `{ key, dsaEncoding: 'ieee-p1363' }`
 * (no DER conversion, but an options object, which costs more: docs/design.md#facts-for-the-floor).
 */
export const es256OptionsVerifier = (key: KeyObject): ((token: string) => Record<string, unknown>) => {
  const options = { key, dsaEncoding: 'ieee-p1363' as const }
  return (token) => {
    const [h = '', p = '', s = ''] = token.split('.')
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    if (!verify('sha256', Buffer.from(token.slice(0, h.length + 1 + p.length), 'latin1'), options, Buffer.from(s, 'base64url'))) {
      throw new Error('floor: bad signature')
    }
    return header.alg === undefined ? header : payload
  }
}
