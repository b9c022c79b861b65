/**
 * Cookies a request must set or clear, kept on `request.internal` (per request, never in a
 * factory's closure) until the response exists, then written in the event kind's form.
 */
import { isAuthError } from '@middy-auth/core'
import { stateKeys } from '@middy-auth/core/internal'
import { authErrorResponse, withCookies } from './response.js'

const key = stateKeys.oauthLoginCookies

/** The part of a Middy request this needs. */
export interface CookieRequest {
  event: unknown
  response: unknown
  internal: Record<PropertyKey, unknown>
}

export const addPendingCookies = (request: CookieRequest, cookies: readonly string[]): void => {
  const pending = (request.internal[key] as string[] | undefined) ?? []
  request.internal[key] = [...pending, ...cookies]
}

/** Writes the pending cookies into `request.response`, once. */
export const flushPendingCookies = (request: CookieRequest): void => {
  const pending = request.internal[key] as string[] | undefined
  if (!pending || pending.length === 0 || request.response === undefined || request.response === null) return
  request.response = withCookies(request.event, request.response, pending)
  request.internal[key] = []
}

/**
 * On a denial that must set cookies (a session that ended is cleared), the `AuthError` is
 * rendered here, as `@middy/http-error-handler` would, when no error handler has rendered it
 * yet: an error handler used before this middleware runs its `onError` after it, and would
 * build a response without the cookies.
 */
export const renderWithPendingCookies = (request: CookieRequest & { error: unknown }): void => {
  const pending = request.internal[key] as string[] | undefined
  if (request.response === undefined && isAuthError(request.error) && pending && pending.length > 0) {
    request.response = authErrorResponse(request.error)
  }
  flushPendingCookies(request)
}
