import { type Algorithm, type HmacAlgorithm, isJwsAlgorithm } from './algorithms.js'
import { refuse } from './rejection.js'

/** Header parameters that carry or point at a key: never followed (RFC 8725 §3.10). */
const embeddedKeyParameters = ['jku', 'x5u', 'jwk', 'x5c'] as const

/**
 * Checks the protected header before any key is looked up: a supported `alg` (never `none`;
 * HMAC only passes on to the issuer entry's allow-list, where only an entry with a `secret`
 * lists it), a string `kid` if any, no key-carrying parameters, and a `crit`
 * list of only what we understand (RFC 7515 §4.1.11). Returns the header itself, its `alg`
 * and `kid` now known to be what they must (no object is allocated per request).
 *
 * @example
 * ```ts
 * const { alg, kid } = checkHeader({ alg: 'RS256', kid: 'k1' })
 * ```
 */
export function checkHeader(header: Readonly<Record<string, unknown>>): { readonly alg: Algorithm | HmacAlgorithm; readonly kid: string | undefined } {
  const { alg, kid, crit } = header
  if (!isJwsAlgorithm(alg)) refuse('alg_not_allowed')
  if (kid !== undefined && typeof kid !== 'string') refuse('bad_header', 'kid')
  for (const name of embeddedKeyParameters) if (header[name] !== undefined) refuse('embedded_key_header', name)
  if (crit !== undefined) {
    // The one extension a JWT may mark critical, as jose accepts it: `b64`, present, with its
    // default `true` (RFC 7797 unencoded payloads are not JWTs, RFC 7797 §7). The header is
    // parsed JSON: `crit` has no holes for some() to skip.
    if (!Array.isArray(crit) || crit.length === 0 || header.b64 === undefined || crit.some((name) => name !== 'b64')) refuse('crit_unsupported')
    if (header.b64 !== true) refuse('crit_unsupported', 'b64')
  }
  return header as { readonly alg: Algorithm | HmacAlgorithm; readonly kid: string | undefined }
}
