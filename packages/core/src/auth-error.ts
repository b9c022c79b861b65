import { bearerChallenge, dpopChallenge, isDpopNonceSafe } from './challenge.js'
import { isRecord } from './record.js'

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

/** One row of the table below: the status, the default description and the challenge of a code. */
const codeRule = (statusCode: number, description: string, challenge: CodeRule['challenge']): CodeRule => ({ statusCode, description, challenge })

const rules: Record<AuthErrorCode, CodeRule> = {
  missing_token: codeRule(401, 'Bearer token required', 'bare'),
  missing_credentials: codeRule(401, 'IAM credentials required', 'none'),
  invalid_request: codeRule(400, 'The request is malformed', 'error'),
  invalid_token: codeRule(401, 'The access token is invalid', 'error'),
  insufficient_scope: codeRule(403, 'The access token lacks the required scope', 'error'),
  access_denied: codeRule(403, 'Access denied', 'none'),
  temporarily_unavailable: codeRule(503, 'Authentication is temporarily unavailable', 'none'),
  login_required: codeRule(401, 'Sign-in required', 'none'),
  invalid_dpop_proof: codeRule(401, 'The DPoP proof is invalid', 'dpop'),
  use_dpop_nonce: codeRule(401, 'Authorization server requires nonce in DPoP proof', 'dpop'),
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
  /** The package that denied, for logs (`cause.package`). Default `'application'`. */
  package?: string
  /**
   * The check that failed, a snake_case code of the package's reason union (`'exp'`,
   * `'route_not_listed'`), for logs and for `error.reason`: never rendered. Default: `data.reason`.
   */
  reason?: string
  /** The reason in words, for logs and for `error.detail`: never rendered. Must not hold a token or claim values. */
  detail?: string
  /** What else logs should know (`cause.data`, with `reason` and `detail`): never rendered. Must not hold a token. */
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
 * `{"error": code, "error_description": text}`. Which check failed stays out of the response:
 * `reason` (a snake_case code of the denying package's reason union, such as
 * `JwtVerifyDenialReason`) and `detail` (in words), also in `cause.data` for logs.
 *
 * @typeParam Reason - the reason union of the package that denied (`string` when unknown)
 * @example
 * ```ts
 * import { AuthError } from '@middy-auth/core'
 * throw new AuthError('invalid_token', { package: '@middy-auth/jwt-verify', reason: 'exp' })
 * ```
 */
export class AuthError<Reason extends string = string> extends Error {
  override readonly name = 'AuthError'
  readonly code: AuthErrorCode
  readonly statusCode: number
  /** Tells `@middy/http-error-handler` the message is safe to send. */
  readonly expose = true
  readonly headers: Record<string, string>
  /** The check that failed (`cause.data.reason`), for logs and tests; `undefined` when none was given. */
  readonly reason: Reason | undefined
  /** The reason in words (`cause.data.detail`); `undefined` when none was given. */
  readonly detail: string | undefined
  declare readonly cause: { package: string; data?: unknown }

  /**
   * @param options - what the denying package says; leave it out in application code (from
   * plain JavaScript too): `cause.package` is then `'application'`.
   */
  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const rule = Object.hasOwn(rules, code) ? rules[code] : undefined
    if (rule === undefined) throw new TypeError(`AuthError: code must be one of ${Object.keys(rules).join(', ')}`)
    const description = options.description ?? rule.description
    const data = causeData(options)
    super(JSON.stringify({ error: code, error_description: description }), {
      cause: { package: options.package ?? 'application', data },
    })
    this.code = code
    this.statusCode = rule.statusCode
    this.headers = renderHeaders(code, rule, description, options)
    const fields = isRecord(data) ? data : {}
    this.reason = typeof fields.reason === 'string' ? (fields.reason as Reason) : undefined
    this.detail = typeof fields.detail === 'string' ? fields.detail : undefined
  }
}

/** `reason` and `detail` join `data`, where logs have always found them. */
const causeData = ({ reason, detail, data }: AuthErrorOptions): unknown => {
  if (reason === undefined && detail === undefined) return data
  return {
    ...(reason === undefined ? {} : { reason }),
    ...(detail === undefined ? {} : { detail }),
    ...(isRecord(data) ? data : data === undefined ? {} : { data }),
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
  // bearerChallenge leaves out every attribute given as undefined.
  const bearer = bearerChallenge({
    realm,
    resourceMetadata,
    error: rule.challenge === 'bare' ? undefined : code,
    // RFC 6750 shows error_description on invalid_token; the others carry their own attributes.
    errorDescription: code === 'invalid_token' ? description : undefined,
    scope: code === 'insufficient_scope' ? scope : undefined,
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

/**
 * Denies the request from inside the handler, after a check of the application's own (rbac's
 * `can()`, an ownership test): throws the same JSON `403 access_denied` the middlewares throw,
 * which `@middy/http-error-handler` renders. `reason` (snake_case) and `detail` are for logs.
 *
 * @example
 * ```ts
 * import { forbidden } from '@middy-auth/core'
 * const order = { ownerId: 'alice' }
 * if (order.ownerId !== 'alice') forbidden('not_owner', 'only the owner may cancel an order')
 * ```
 */
export function forbidden(reason = 'forbidden', detail?: string): never {
  throw new AuthError('access_denied', { reason, ...(detail === undefined ? {} : { detail }) })
}
