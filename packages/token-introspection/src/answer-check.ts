import { readScopeClaim, type AuthContext } from '@middy-auth/core'
import { emptyRecord } from '@middy-auth/core/internal'
import type { CompiledOptions } from './options.js'
import type { Answer } from './result-cache.js'

/** The check of the provider's answer that failed. */
export type AnswerRejectionReason =
  | 'inactive'
  | 'sender_constrained'
  | 'not_a_bearer_token'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'missing_exp'
  | 'expired'
  | 'malformed_sub'
  | `malformed_${'nbf' | 'iat'}`
  | `${'nbf' | 'iat'}_in_future`

/**
 * Why tokenIntrospection (or `createIntrospectionVerifier`) denied: `AuthError.reason`, also
 * `cause.data.reason`, never sent to the client. The answer's check that failed (401
 * `invalid_token`: `inactive`, `expired`, `audience_mismatch`, …, see `AnswerRejectionReason` in answer-check.ts),
 * a token that never reaches the provider (`malformed_token`), no or several tokens
 * (`no_credentials`, `empty_token`, `multiple_tokens`), a cookie sent from another site
 * (`cross_site_request`, `foreign_origin`), the provider unreachable or its signed answer refused
 * (`provider_unavailable`, with the cause as `detail`; `introspection_error`), or an error
 * nobody foresaw (`answer_check_error`, `clock_not_a_number`).
 *
 * @example
 * ```ts
 * import type { AuthError } from '@middy-auth/core'
 * const inactive = (error: AuthError<TokenIntrospectionDenialReason>) => error.reason === 'inactive'
 * ```
 */
export type TokenIntrospectionDenialReason =
  | AnswerRejectionReason
  | 'malformed_token'
  | 'no_credentials'
  | 'empty_token'
  | 'multiple_tokens'
  | 'cross_site_request'
  | 'foreign_origin'
  | 'provider_unavailable'
  | 'introspection_error'
  | 'answer_check_error'
  | 'clock_not_a_number'

/**
 * Why the provider's answer does not let the request in: logged (`cause.data.reason`), never
 * sent; the client sees 401 `invalid_token`.
 */
export class AnswerRejection extends Error {
  override readonly name = 'AnswerRejection'
  constructor(readonly reason: AnswerRejectionReason) {
    super(reason)
  }
}

type AnswerRules = Pick<CompiledOptions, 'issuer' | 'audiences' | 'clockTolerance'>

const audienceMatches = (aud: unknown, accepted: ReadonlySet<string>): boolean => {
  if (typeof aud === 'string') return accepted.has(aud)
  return Array.isArray(aud) && aud.some((value) => typeof value === 'string' && accepted.has(value))
}

/** `nbf` and `iat`, when present, must be numbers and not in the future (beyond the tolerance). */
const checkOptionalTime = (value: unknown, latest: number, reason: 'nbf' | 'iat'): void => {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new AnswerRejection(`malformed_${reason}`)
  if (value > latest) throw new AnswerRejection(`${reason}_in_future`)
}

/**
 * Checks an introspection answer as jwt-verify checks a payload, and builds the identity:
 *
 * - `active` must be `true` (RFC 7662 §2.2); anything else is an inactive token;
 * - a token bound to a key or certificate (`cnf`), or of another type than `Bearer`
 *   (`token_type`: `DPoP`, `refresh_token`), is not a bearer token and is refused;
 * - `iss` must equal the configured issuer, when one is configured;
 * - `aud` must hold an accepted audience, unless `audience: null`;
 * - `exp` is required and must not have passed; `nbf` and `iat` must not be in the future
 *   (each within `clockTolerance` seconds).
 *
 * The claims are a frozen, null-prototype copy of the answer: an `__proto__` member is data.
 *
 * @example
 * ```ts
 * const auth = checkAnswer({ active: true, sub: 'u1', exp }, rules, Math.floor(Date.now() / 1000))
 * ```
 */
export const checkAnswer = (answer: Answer, rules: AnswerRules, nowSeconds: number): AuthContext => {
  if (answer.active !== true) throw new AnswerRejection('inactive')
  if (answer.cnf !== undefined) throw new AnswerRejection('sender_constrained')
  if (answer.token_type !== undefined && (typeof answer.token_type !== 'string' || answer.token_type.toLowerCase() !== 'bearer')) {
    throw new AnswerRejection('not_a_bearer_token')
  }
  if (rules.issuer !== undefined && answer.iss !== rules.issuer) throw new AnswerRejection('issuer_mismatch')
  if (rules.audiences !== null && !audienceMatches(answer.aud, rules.audiences)) throw new AnswerRejection('audience_mismatch')
  const { exp } = answer
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new AnswerRejection('missing_exp')
  // As jose compares: expired once `exp` is at or before now, minus the tolerance.
  if (exp <= nowSeconds - rules.clockTolerance) throw new AnswerRejection('expired')
  checkOptionalTime(answer.nbf, nowSeconds + rules.clockTolerance, 'nbf')
  checkOptionalTime(answer.iat, nowSeconds + rules.clockTolerance, 'iat')
  if (answer.sub !== undefined && typeof answer.sub !== 'string') throw new AnswerRejection('malformed_sub')

  const claims = emptyRecord()
  for (const [name, value] of Object.entries(answer)) claims[name] = value
  return {
    source: 'introspection',
    subject: typeof answer.sub === 'string' ? answer.sub : '',
    ...(typeof answer.iss === 'string' ? { issuer: answer.iss } : {}),
    scopes: readScopeClaim({}, answer.scope),
    roles: [],
    claims: Object.freeze(claims),
  }
}
