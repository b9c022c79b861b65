import { bearer, dpop, isDpopNonceSafe } from './challenge.js'
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

/**
 * Each code's status, default description and headers (docs/design.md#denials). The headers,
 * as a number, `headerKind` (a bundle spells a number in fewer bytes than a name):
 * - 0: none;
 * - 1: `Retry-After`;
 * - 2: `Bearer realm` only (RFC 6750 §3.1: no error attribute when no credentials came);
 * - 3: `Bearer` with the error;
 * - 4: `Bearer` with the error and the description (RFC 6750 shows error_description on invalid_token);
 * - 5: `Bearer` with the error and every scope that would do;
 * - 6: `DPoP` with the algorithms a proof may use and the error (RFC 9449 §7.1);
 * - 7: `DPoP` with the error only, the fresh nonce in its own `DPoP-Nonce` header (RFC 9449 §8).
 */
const rules: Record<AuthErrorCode, readonly [statusCode: number, description: string, headerKind: number]> = {
  missing_token: [401, 'Bearer token required', 2],
  missing_credentials: [401, 'IAM credentials required', 0],
  invalid_request: [400, 'The request is malformed', 3],
  invalid_token: [401, 'The access token is invalid', 4],
  insufficient_scope: [403, 'The access token lacks the required scope', 5],
  access_denied: [403, 'Access denied', 0],
  temporarily_unavailable: [503, 'Authentication is temporarily unavailable', 1],
  login_required: [401, 'Sign-in required', 0],
  invalid_dpop_proof: [401, 'The DPoP proof is invalid', 6],
  use_dpop_nonce: [401, 'Authorization server requires nonce in DPoP proof', 7],
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
  // Defined, not assigned: with Error.prototype frozen (a hardened runtime), assigning `name`,
  // read-only there, would throw and turn every refusal into a 500.
  override readonly name = 'AuthError'
  // Declared, and set in one Object.assign below (in this order): a bundle spells each name once.
  declare readonly code: AuthErrorCode
  declare readonly statusCode: number
  /** Tells `@middy/http-error-handler` the message is safe to send. */
  declare readonly expose: true
  declare readonly headers: Record<string, string>
  /** The check that failed (`cause.data.reason`), for logs and tests; `undefined` when none was given. */
  declare readonly reason: Reason | undefined
  /** The reason in words (`cause.data.detail`); `undefined` when none was given. */
  declare readonly detail: string | undefined
  declare readonly cause: { package: string; data?: unknown }

  /**
   * @param options - what the denying package says; leave it out in application code (from
   * plain JavaScript too): `cause.package` is then `'application'`.
   */
  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    if (!Object.hasOwn(rules, code)) throw new TypeError(`AuthError: code must be one of ${Object.keys(rules).join(', ')}`)
    const [statusCode, defaultDescription, headerKind] = rules[code]
    const { reason, detail, data } = options
    const description = options.description ?? defaultDescription
    // `reason` and `detail` join `data`, where logs have always found them.
    const logged =
      reason === undefined && detail === undefined
        ? data
        : {
            // Spreading `false` adds nothing: each field given as undefined is left out.
            ...(reason !== undefined && { reason }),
            ...(detail !== undefined && { detail }),
            ...(isRecord(data) ? data : data !== undefined && { data }),
          }
    super(JSON.stringify({ error: code, error_description: description }), {
      cause: { package: options.package ?? 'application', data: logged },
    })
    // `reason` and `detail` as logs read them: `data.reason` (`data.detail`) stands in for the
    // option left out, and wins over one given (`data` is spread after them).
    const fields = isRecord(logged) ? logged : {}
    Object.assign(this, {
      code,
      statusCode,
      expose: true,
      headers: renderHeaders(code, headerKind, description, options),
      reason: textOrUndefined(fields.reason),
      detail: textOrUndefined(fields.detail),
    })
  }
}

const textOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/**
 * The headers of a denial: `headerKind` is its rule's number (see `rules`), `error` its code (the
 * challenge's `error` attribute).
 */
function renderHeaders(error: AuthErrorCode, headerKind: number, description: string, options: AuthErrorOptions): Record<string, string> {
  // `dpopOptions`: the option, so that `dpop()` names the challenge builder, as `bearer()` does.
  const { retryAfter = 5, dpop: dpopOptions } = options
  if (headerKind < 2) return headerKind ? { 'Retry-After': String(retryAfter) } : {}
  // Read only for a challenge: a denial without one never touches them (a throwing getter there is not a 500).
  const { realm = 'api', scope, resourceMetadata } = options
  // Each attribute given as false or undefined is left out. With DPoP accepted, a Bearer
  // challenge also offers it (RFC 9449 §7.2).
  const rendered: Record<string, string> = {
    'WWW-Authenticate':
      headerKind > 5
        ? dpop(headerKind === 6 ? dpopOptions?.algs : undefined, error)
        : bearer(realm, headerKind > 2 && error, headerKind === 4 && description, headerKind === 5 && scope, resourceMetadata) +
          (dpopOptions ? `, ${dpop(dpopOptions.algs)}` : ''),
  }
  const nonce = dpopOptions?.nonce
  if (headerKind === 7 && nonce !== undefined && isDpopNonceSafe(nonce)) rendered['DPoP-Nonce'] = nonce
  return rendered
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
  // An undefined detail is left out of cause.data.
  throw new AuthError('access_denied', { reason, detail })
}
