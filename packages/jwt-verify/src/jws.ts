import { TokenRejection } from './rejection.js'

/**
 * Tokens longer than this are refused before any decoding or crypto: 16 KiB.
 *
 * @example
 * ```ts
 * if (token.length > MAX_TOKEN_LENGTH) console.warn('will be refused')
 * ```
 */
export const MAX_TOKEN_LENGTH = 16 * 1024

/** A compact JWS split and decoded, not yet verified. */
export interface DecodedJws {
  readonly header: Readonly<Record<string, unknown>>
  readonly payload: Record<string, unknown>
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, what the signature covers. */
  readonly signingInput: Buffer
  readonly signature: Buffer
}

// Strict base64url: the URL alphabet only, no padding (RFC 7515 §2). Node's decoder would
// silently accept `+`, `/`, `=` and stray characters; jose, our oracle, rejects them.
const base64url = /^[A-Za-z0-9_-]*$/

/** One strict base64url segment, decoded. */
export const decodeSegment = (segment: string): Buffer => {
  if (!base64url.test(segment) || segment.length % 4 === 1) throw new TokenRejection('malformed', 'base64url')
  return Buffer.from(segment, 'base64url')
}

// UTF-8 as jose decodes it: invalid sequences are an error (Buffer#toString would put U+FFFD in
// their place and let the token through), and a leading BOM is dropped.
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** One segment holding a JSON object, as jose decodes it. */
export const parseObject = (segment: string, part: string): Record<string, unknown> => {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(decodeSegment(segment)))
  } catch (error) {
    if (error instanceof TokenRejection) throw error
    throw new TokenRejection('malformed', part)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TokenRejection('malformed', part)
  return value as Record<string, unknown>
}

/**
 * Splits and decodes a compact JWS (three base64url segments, JSON object header and payload).
 * Verifies nothing: the result must go through signature and claim checks.
 *
 * @example
 * ```ts
 * const { header, payload } = decodeJws(token)
 * ```
 */
export const decodeJws = (token: string): DecodedJws => {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejection('too_large')
  const firstDot = token.indexOf('.')
  const secondDot = token.indexOf('.', firstDot + 1)
  if (firstDot <= 0 || secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw new TokenRejection('malformed', 'segments')
  }
  const header = parseObject(token.slice(0, firstDot), 'header')
  const payload = parseObject(token.slice(firstDot + 1, secondDot), 'payload')
  const signature = decodeSegment(token.slice(secondDot + 1))
  return { header, payload, signingInput: Buffer.from(token.slice(0, secondDot), 'ascii'), signature }
}
