/**
 * The package's name in every error's `cause`, the cold-start `TypeError`, and the mapping of
 * what openid-client throws to the suite's `AuthError`s.
 */
import { AuthError } from '@middy-auth/core'
import { configErrors } from '@middy-auth/core/internal'
import { AuthorizationResponseError, ClientError, ResponseBodyError } from 'openid-client'

export const packageName = '@middy-auth/oauth-login'

/**
 * Why oauth-login or sessionAuth denied (`AuthError.reason`, also `cause.data.reason`), for
 * logs: 401 `login_required` (`no_session`, `invalid_or_expired_session`,
 * `access_token_expired_no_refresh_token`, `refresh_changed_subject`, `refresh_rejected`,
 * `authorization_error`, `token_request_rejected`), 400 `invalid_request`
 * (`missing_or_expired_transaction`, `invalid_authorization_response`, `no_redirect_uri`), 403
 * `access_denied` (`cross_site_request`, `foreign_origin`), 503 `temporarily_unavailable`
 * (`discovery_failed`, `token_endpoint_unavailable`, `refresh_unavailable`).
 *
 * @example
 * ```ts
 * import type { AuthError } from '@middy-auth/core'
 * const ended = (error: AuthError<OAuthLoginDenialReason>) => error.reason === 'invalid_or_expired_session'
 * ```
 */
export type OAuthLoginDenialReason =
  | 'no_session'
  | 'invalid_or_expired_session'
  | 'access_token_expired_no_refresh_token'
  | 'refresh_changed_subject'
  | 'refresh_rejected'
  | 'refresh_unavailable'
  | 'discovery_failed'
  | 'token_endpoint_unavailable'
  | 'authorization_error'
  | 'token_request_rejected'
  | 'invalid_authorization_response'
  | 'missing_or_expired_transaction'
  | 'no_redirect_uri'
  | 'cross_site_request'
  | 'foreign_origin'

/** A `TypeError` for configuration that can never work, thrown at cold start. */
export const fail = configErrors(packageName, 'oauthLogin')

/** openid-client's codes for a provider that did not answer (timeout, aborted request). */
const unreachableCodes = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON'])

/**
 * `fetch` rejects with a bare TypeError ("fetch failed") when the connection fails;
 * openid-client's own argument errors are TypeErrors with an `ERR_` code. Told by its name:
 * `fetch` may create it in another realm (a test runner's), where `instanceof` fails.
 */
const isConnectionFailure = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'TypeError' &&
  !String((error as { code?: unknown }).code ?? '').startsWith('ERR_')

/** Whether the identity provider could not be reached or failed (5xx): worth a retry later. */
export const isProviderUnavailable = (error: unknown): boolean => {
  if (error instanceof ResponseBodyError) return error.status >= 500
  // The token request wraps a failed connection in a ClientError ("something went wrong") whose
  // cause is fetch's TypeError: the provider is down, not the response wrong.
  if (error instanceof ClientError) return unreachableCodes.has(error.code ?? '') || isConnectionFailure(error.cause)
  return isConnectionFailure(error)
}

/** 503 `temporarily_unavailable`: the identity provider is down or too slow. */
export const unavailable = (reason: OAuthLoginDenialReason, error?: unknown): AuthError =>
  new AuthError('temporarily_unavailable', { package: packageName, data: { reason, error: describe(error) } })

/**
 * What a failed callback becomes: 503 when the provider is unreachable, 401 `login_required`
 * when the provider refused (an `error` in the response, a rejected code: used, expired, or not
 * this client's), 400 `invalid_request` for a response that does not belong to this sign-in
 * (state, issuer or nonce mismatch, a bad ID token). Anything else is rethrown: a bug, not input.
 */
export const callbackError = (error: unknown): AuthError => {
  if (isProviderUnavailable(error)) return unavailable('token_endpoint_unavailable', error)
  if (error instanceof AuthorizationResponseError) {
    return new AuthError('login_required', {
      package: packageName,
      description: 'The identity provider did not sign the user in',
      data: { reason: 'authorization_error', error: error.error },
    })
  }
  if (error instanceof ResponseBodyError) {
    return new AuthError('login_required', {
      package: packageName,
      description: 'The sign-in could not be completed; start again',
      data: { reason: 'token_request_rejected', error: error.error, status: error.status },
    })
  }
  if (error instanceof ClientError) {
    return new AuthError('invalid_request', {
      package: packageName,
      description: 'The sign-in response is invalid; start again',
      data: { reason: 'invalid_authorization_response', code: error.code, message: error.message },
    })
  }
  throw error
}

/** For logs: an error's class, code and message, never a token (openid-client's messages hold none). */
const describe = (error: unknown): unknown =>
  error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code, message: error.message } : error
