import { refuse } from './rejection.js'

/**
 * The claim rules of one issuer, compiled at cold start: the accepted audiences (strings; `null`
 * when the check is turned off), the normalized required `typ` (or `undefined`), the clock
 * tolerance and the `maxTokenAge` (or `undefined`) in seconds, and the required claims. A tuple,
 * its parts named where they are read: the minifier shortens those names, never an object's
 * property names.
 */
export type ClaimRules = readonly [
  // Looked up with a value of any type (see checkSubjectClaims).
  audiences: ReadonlySet<unknown> | null,
  tokenType: string | undefined,
  clockTolerance: number,
  maxTokenAge: number | undefined,
  requiredClaims: readonly string[],
]

/**
 * `typ` values compared as RFC 8725 §3.11 and jose do: case-insensitive, with the
 * `application/` prefix optional.
 *
 * @example
 * ```ts
 * normalizeTyp('application/AT+JWT') // 'at+jwt'
 * ```
 */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

function numericClaim(payload: Record<string, unknown>, name: string, required?: boolean): number | undefined {
  const value = payload[name]
  if (value === undefined) {
    if (required) refuse('missing_claim', name)
  } else if (!Number.isFinite(value)) {
    // Number.isFinite is false for anything but a finite number: no typeof needed.
    refuse('bad_claim_type', name)
  }
  return value as number | undefined
}

/**
 * RFC 7519 / RFC 9068 checks of a payload whose signature and issuer are already verified.
 * `exp` is required and must be a number; `nbf` and `iat`, when present, must be numbers and
 * not in the future (docs/design.md#time-claims). Returns until when the token may be trusted,
 * in seconds: `exp`, or sooner under `maxTokenAge` (the verified-token cache's expiry).
 *
 * @example
 * ```ts
 * const expiresAt = checkClaims(header, payload, rules, Math.floor(Date.now() / 1000))
 * ```
 */
export function checkClaims(header: Readonly<Record<string, unknown>>, payload: Record<string, unknown>, rules: ClaimRules, now: number): number {
  const [, tokenType, tolerance, maxTokenAge] = rules
  if (tokenType !== undefined && (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== tokenType)) refuse('typ_mismatch')
  const exp = numericClaim(payload, 'exp', true) as number
  if (exp <= now - tolerance) refuse('expired')
  const nbf = numericClaim(payload, 'nbf')
  if (nbf !== undefined && nbf > now + tolerance) refuse('not_yet_valid')
  const iat = numericClaim(payload, 'iat', maxTokenAge !== undefined)
  if (iat !== undefined) {
    if (iat > now + tolerance) refuse('issued_in_future')
    if (maxTokenAge !== undefined && now - iat - tolerance > maxTokenAge) refuse('too_old')
  }
  checkSubjectClaims(payload, rules)
  // With maxTokenAge, iat is required (refused above when missing).
  return maxTokenAge === undefined ? exp : Math.min(exp, (iat as number) + maxTokenAge + tolerance)
}

/**
 * The checks of who the token is for, without time: `sub` type, audience, required claims. Also
 * applied to claims API Gateway verified (`trustApiGateway`), whose times the gateway checked
 * when the request arrived.
 *
 * @example
 * ```ts
 * checkSubjectClaims(gatewayClaims, rules)
 * ```
 */
export function checkSubjectClaims(payload: Record<string, unknown>, rules: ClaimRules): void {
  if (payload.sub !== undefined && typeof payload.sub !== 'string') refuse('bad_claim_type', 'sub')
  const { aud } = payload
  // The accepted set holds strings only: an `aud` (or a member of an `aud` list) of any other
  // type never matches, without a typeof.
  const [audiences, , , , requiredClaims] = rules
  if (audiences && !(Array.isArray(aud) ? aud.some((value) => audiences.has(value)) : audiences.has(aud))) {
    if (aud === undefined) refuse('missing_claim', 'aud')
    refuse('audience_mismatch')
  }
  for (const name of requiredClaims) {
    // Own properties only: `constructor` or `toString` must not count as present.
    if (!Object.hasOwn(payload, name) || payload[name] === undefined) refuse('missing_claim', name)
  }
}
