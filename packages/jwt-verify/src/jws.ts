import { isRecord } from '@middy-auth/core/internal'
import { refuse } from './rejection.js'

/**
 * Tokens longer than this are refused before any decoding or crypto: 16 KiB.
 *
 * @example
 * ```ts
 * if (token.length > MAX_TOKEN_LENGTH) console.warn('will be refused')
 * ```
 */
export const MAX_TOKEN_LENGTH = 16 * 1024

/**
 * A compact JWS split and decoded, not yet verified: its header, its payload, its signing input
 * (`BASE64URL(header) || '.' || BASE64URL(payload)`, what the signature covers) and its
 * signature. A tuple, its parts named where they are read: the minifier shortens those names,
 * never an object's property names.
 */
export type DecodedJws = readonly [header: Readonly<Record<string, unknown>>, payload: Record<string, unknown>, signingInput: Buffer, signature: Buffer]

/**
 * Strict base64url, the empty string too: the URL alphabet only, no padding (RFC 7515 §2).
 * Node's decoder would silently accept `+`, `/`, `=` and stray characters; jose, our oracle,
 * rejects them. Also the test of a JWK's members (./import-jwk.ts).
 */
export const base64url = /^[A-Za-z0-9_-]*$/

/** A character above U+00FF. */
// eslint-disable-next-line no-control-regex -- the class is every character up to U+00FF, controls included
const beyondLatin1 = /[^\x00-\xff]/

/**
 * Whether a token's segments may skip the regex: no character above U+00FF, none `+` or `/`.
 * Node's decoder then takes only the URL alphabet as data, stops at `=` and skips every other
 * character (controls, punctuation, U+0080–U+00FF), so a segment of `n` characters
 * (`n % 4 !== 1`) decodes to exactly `floor(3n / 4)` bytes if and only if it is strict
 * base64url: one character less already gives fewer bytes. The guard matters: a character
 * above U+00FF is read by its low byte (`Ł`, U+0141, as `A`) and would pass the length test.
 * (The regex finds such a character at once in the usual one-byte string; `Buffer.byteLength`
 * cost ten times more.)
 */
export const lengthTestApplies = (token: string): boolean => !beyondLatin1.test(token) && !token.includes('+') && !token.includes('/')

/**
 * One strict base64url segment, decoded. `byLength`: the caller checked its token with
 * {@link lengthTestApplies}, so the decoded length stands in for the regex (about 1 µs per token).
 */
export function decodeSegment(segment: string, byLength?: boolean): Buffer {
  const bytes = Buffer.from(segment, 'base64url')
  // A length no base64url has, or a character outside its alphabet (tested, or seen in the
  // decoded length when `byLength`): one refusal.
  if (segment.length % 4 === 1 || (!byLength && !base64url.test(segment)) || bytes.length !== (segment.length * 3) >>> 2) refuse('malformed', 'base64url')
  return bytes
}

// UTF-8 as jose decodes it: invalid sequences are an error (Buffer#toString would put U+FFFD in
// their place and let the token through), and a leading BOM is dropped. Marked pure: a bundle
// that imports only `base64url` from here (importJwk's) leaves it out.
const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true })

/** One segment holding a JSON object, as jose decodes it. */
export function parseObject(segment: string, part: string, byLength?: boolean): Record<string, unknown> {
  const bytes = decodeSegment(segment, byLength)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch {
    // Not UTF-8 or not JSON: `value` stays undefined, refused below.
  }
  // A value that did not parse or is not an object: one refusal.
  return isRecord(value) ? value : refuse('malformed', part)
}

/**
 * Splits and decodes a compact JWS (three base64url segments, JSON object header and payload).
 * Verifies nothing: the result must go through signature and claim checks.
 *
 * @example
 * ```ts
 * const [header, payload] = decodeJws(token)
 * ```
 */
export function decodeJws(token: string): DecodedJws {
  if (token.length > MAX_TOKEN_LENGTH) refuse('too_large')
  const firstDot = token.indexOf('.')
  const secondDot = token.indexOf('.', firstDot + 1)
  if (firstDot <= 0 || secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) refuse('malformed', 'segments')
  const byLength = lengthTestApplies(token)
  const header = parseObject(token.slice(0, firstDot), 'header', byLength)
  const payload = parseObject(token.slice(firstDot + 1, secondDot), 'payload', byLength)
  const signature = decodeSegment(token.slice(secondDot + 1), byLength)
  return [header, payload, Buffer.from(token.slice(0, secondDot), 'latin1'), signature]
}
