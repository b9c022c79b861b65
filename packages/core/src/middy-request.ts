/**
 * The part of a Middy request (the `request` a middleware's hooks get) the suite's middlewares
 * and core's helpers read and write: one type for all of them, instead of a shape spelt out
 * in each. Middy's own `Request` fits it; so does a request built by hand (a test, a function
 * outside Middy), which may leave out `internal`, `response` and `error`.
 *
 * @example
 * ```ts
 * import type { MiddyRequestLike } from '@middy-auth/core'
import { resolveAuth } from '@middy-auth/core/internal'
 * const myMiddlewareBefore = (request: MiddyRequestLike): void => {
 *   const auth = resolveAuth(request)
 *   if (auth) console.log(auth.subject)
 * }
 * ```
 */
export interface MiddyRequestLike {
  /** The Lambda event. */
  event: unknown
  /** The Lambda context: identity middlewares write `context.auth` here. */
  context: object
  /** Middy's per-request store (`request.internal`): `auth`, and the suite's state under symbol keys. */
  internal?: Record<string, unknown>
  /** The handler's response, once there is one. */
  response?: unknown
  /** The error an `onError` hook handles. */
  error?: unknown
}
