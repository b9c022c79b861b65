import { type RejectionReason, TokenRejection } from './rejection.js'

/** The claim rules of one issuer, compiled at cold start. */
export interface ClaimRules {
  /** Accepted audiences, or `null` when the check is turned off. */
  readonly audiences: ReadonlySet<string> | null
  /** Normalized required `typ`, or `undefined`. */
  readonly tokenType: string | undefined
  readonly clockTolerance: number
  readonly maxTokenAge: number | undefined
  readonly requiredClaims: readonly string[]
}

/**
 * `typ` values compared as RFC 8725 §3.11 and jose do: case-insensitive, with the
 * `application/` prefix optional.
 *
 * @example
 * ```ts
 * normalizeTyp('application/AT+JWT') // 'at+jwt'
 * ```
 */
export const normalizeTyp = (typ: string): string => {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/** Refuses the token: why, and the claim concerned (never its value). */
const refuse: (reason: RejectionReason, detail?: string) => never = (reason, detail) => {
  throw new TokenRejection(reason, detail)
}

const numericClaim = (payload: Record<string, unknown>, name: string, required: boolean): number | undefined => {
  const value = payload[name]
  if (value === undefined) {
    if (required) refuse('missing_claim', name)
    return undefined
  }
  // Number.isFinite is false for anything but a finite number: no typeof needed.
  if (!Number.isFinite(value)) refuse('bad_claim_type', name)
  return value as number
}

/**
 * RFC 7519 / RFC 9068 checks of a payload whose signature and issuer are already verified.
 * `exp` is required and must be a number; `nbf` and `iat`, when present, must be numbers and
 * not in the future (docs/design.md#time-claims).
 *
 * @example
 * ```ts
 * checkClaims(header, payload, rules, Math.floor(Date.now() / 1000))
 * ```
 */
export const checkClaims = (header: Readonly<Record<string, unknown>>, payload: Record<string, unknown>, rules: ClaimRules, now: number): void => {
  if (rules.tokenType !== undefined) {
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== rules.tokenType) refuse('typ_mismatch')
  }
  const tolerance = rules.clockTolerance
  const exp = numericClaim(payload, 'exp', true) as number
  if (exp <= now - tolerance) refuse('expired')
  const nbf = numericClaim(payload, 'nbf', false)
  if (nbf !== undefined && nbf > now + tolerance) refuse('not_yet_valid')
  const iat = numericClaim(payload, 'iat', rules.maxTokenAge !== undefined)
  if (iat !== undefined) {
    if (iat > now + tolerance) refuse('issued_in_future')
    if (rules.maxTokenAge !== undefined && now - iat - tolerance > rules.maxTokenAge) refuse('too_old')
  }
  checkSubjectClaims(payload, rules)
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
export const checkSubjectClaims = (payload: Record<string, unknown>, rules: ClaimRules): void => {
  if (payload.sub !== undefined && typeof payload.sub !== 'string') refuse('bad_claim_type', 'sub')
  if (rules.audiences) checkAudience(payload.aud, rules.audiences)
  for (const name of rules.requiredClaims) {
    // Own properties only: `constructor` or `toString` must not count as present.
    if (!Object.hasOwn(payload, name) || payload[name] === undefined) refuse('missing_claim', name)
  }
}

const checkAudience = (aud: unknown, accepted: ReadonlySet<unknown>): void => {
  // The accepted set holds strings only: an `aud` (or a member of an `aud` list) of any other
  // type never matches, without a typeof.
  if (Array.isArray(aud) ? aud.some((value) => accepted.has(value)) : accepted.has(aud)) return
  if (aud === undefined) refuse('missing_claim', 'aud')
  refuse('audience_mismatch')
}
