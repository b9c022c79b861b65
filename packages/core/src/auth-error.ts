import { bearerChallenge, dpopChallenge, isDpopNonceSafe } from './challenge.js'

/**
 * The stable codes of every denial in the suite (docs/design.md#denials).
 *
 * @example
 * ```ts
 * const code: AuthErrorCode = 'insufficient_scope'
 * ```
 */
export type AuthErrorCode =
  | 'missing_token'
  | 'missing_credentials'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'access_denied'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

interface CodeRule {
  statusCode: number
  description: string
  /** `'bare'`: `Bearer realm` only (RFC 6750 §3.1: no error attribute when no credentials came). */
  challenge: 'bare' | 'error' | 'none' | 'dpop'
}

const rules: Record<AuthErrorCode, CodeRule> = {
  missing_token: { statusCode: 401, description: 'Bearer token required', challenge: 'bare' },
  missing_credentials: { statusCode: 401, description: 'IAM credentials required', challenge: 'none' },
  invalid_request: { statusCode: 400, description: 'The request is malformed', challenge: 'error' },
  invalid_token: { statusCode: 401, description: 'The access token is invalid', challenge: 'error' },
  insufficient_scope: { statusCode: 403, description: 'The access token lacks the required scope', challenge: 'error' },
  access_denied: { statusCode: 403, description: 'Access denied', challenge: 'none' },
  temporarily_unavailable: { statusCode: 503, description: 'Authentication is temporarily unavailable', challenge: 'none' },
  login_required: { statusCode: 401, description: 'Sign-in required', challenge: 'none' },
  invalid_dpop_proof: { statusCode: 401, description: 'The DPoP proof is invalid', challenge: 'dpop' },
  use_dpop_nonce: { statusCode: 401, description: 'Authorization server requires nonce in DPoP proof', challenge: 'dpop' },
}

/**
 * What a package says about a denial.
 *
 * @example
 * ```ts
 * const options: AuthErrorOptions = { package: '@middy-auth/oauth-scope', scope: ['orders:read'] }
 * ```
 */
export interface AuthErrorOptions {
  /** The package that denied, for logs (`cause.package`). */
  package: string
  /** The reason, for logs only: never rendered. Must not hold a token. */
  data?: unknown
  /** The `realm` of a Bearer challenge. Default `'api'`. */
  realm?: string
  /**
   * A fixed, generic description to use instead of the code's default (e.g. "The access token
   * expired"). Never pass request data here: it is sent to the client.
   */
  description?: string
  /** `insufficient_scope`: every scope that would satisfy the route. */
  scope?: readonly string[]
  /** `temporarily_unavailable`: seconds for `Retry-After`. Default 5. */
  retryAfter?: number
  /**
   * DPoP (RFC 9449) is accepted: the algorithms a proof may use, for the `algs` attribute, and,
   * for `use_dpop_nonce`, the fresh nonce sent in the `DPoP-Nonce` header. With it, Bearer
   * challenges also offer `DPoP algs="…"` (RFC 9449 §7.2).
   */
  dpop?: { algs: readonly string[]; nonce?: string }
  /**
   * The URL of the protected resource's metadata (RFC 9728): every `Bearer` challenge carries
   * it as `resource_metadata="…"`. Must be printable ASCII without `"` and `\\` (checked by the
   * middleware's options at cold start; an unsafe value is left out here).
   */
  resourceMetadata?: string
}

/**
 * Every denial in the suite. `@middy/http-error-handler` renders it as-is: `statusCode`,
 * `headers` (the RFC 6750 challenge), and `message`, a JSON body
 * `{"error": code, "error_description": text}`. The reason stays in `cause.data` for logs.
 *
 * @example
 * ```ts
 * import { AuthError } from '@middy-auth/core'
 * throw new AuthError('invalid_token', { package: '@middy-auth/jwt-verify', data: { reason: 'expired' } })
 * ```
 */
export class AuthError extends Error {
  override readonly name = 'AuthError'
  readonly code: AuthErrorCode
  readonly statusCode: number
  /** Tells `@middy/http-error-handler` the message is safe to send. */
  readonly expose = true
  readonly headers: Record<string, string>
  declare readonly cause: { package: string; data?: unknown }

  /**
   * @param options - what the denying package says; leave it out in application code (from
   * plain JavaScript too): `cause.package` is then `'application'`.
   */
  constructor(code: AuthErrorCode, options: AuthErrorOptions = { package: 'application' }) {
    const rule = rules[code]
    const description = options.description ?? rule.description
    super(JSON.stringify({ error: code, error_description: description }), {
      cause: { package: options.package, data: options.data },
    })
    this.code = code
    this.statusCode = rule.statusCode
    this.headers = renderHeaders(code, rule, description, options)
  }
}

const renderHeaders = (
  code: AuthErrorCode,
  rule: CodeRule,
  description: string,
  { realm = 'api', scope, retryAfter = 5, dpop, resourceMetadata }: AuthErrorOptions,
): Record<string, string> => {
  if (code === 'temporarily_unavailable') return { 'Retry-After': String(retryAfter) }
  if (rule.challenge === 'none') return {}
  if (code === 'use_dpop_nonce') {
    // RFC 9449 §8: the challenge names the error, the nonce travels in its own header.
    const headers: Record<string, string> = { 'WWW-Authenticate': dpopChallenge({ error: code }) }
    if (dpop?.nonce !== undefined && isDpopNonceSafe(dpop.nonce)) headers['DPoP-Nonce'] = dpop.nonce
    return headers
  }
  if (rule.challenge === 'dpop') return { 'WWW-Authenticate': dpopChallenge({ algs: dpop?.algs ?? [], error: code }) }
  const bearer =
    rule.challenge === 'bare'
      ? bearerChallenge({ realm, ...(resourceMetadata !== undefined ? { resourceMetadata } : {}) })
      : bearerChallenge({
          realm,
          ...(resourceMetadata !== undefined ? { resourceMetadata } : {}),
          error: code,
          // RFC 6750 shows error_description on invalid_token; the others carry their own attributes.
          ...(code === 'invalid_token' ? { errorDescription: description } : {}),
          ...(code === 'insufficient_scope' && scope ? { scope } : {}),
        })
  return { 'WWW-Authenticate': dpop ? `${bearer}, ${dpopChallenge({ algs: dpop.algs })}` : bearer }
}

/**
 * Whether a value is an {@link AuthError} (also across duplicated copies of this package).
 *
 * @example
 * ```ts
 * if (isAuthError(request.error)) logger.info({ code: request.error.code })
 * ```
 */
export const isAuthError = (value: unknown): value is AuthError =>
  value instanceof AuthError ||
  // An AuthError of another installed copy of core is not an instance of this class: it counts by its shape.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  (value instanceof Error && value.name === 'AuthError' && typeof (value as AuthError).code === 'string')
