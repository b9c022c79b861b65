import type { MiddyRequestLike } from '@middy-auth/core'
import type { CompiledJwtVerifier } from './jwt-verifier.js'

/**
 * The middleware of both entries' `jwtVerify`, on the verification their options compiled to
 * (which sets `context.auth`, and started loading the keys during Lambda's init).
 */
export function verifyMiddleware(verifier: CompiledJwtVerifier): { before: (request: MiddyRequestLike) => void | Promise<void> } {
  // Not `async`: on the warm path (keys cached, no DPoP replay store to ask) verification is
  // synchronous and returns no Promise, which spares Middy a microtask per request. Named: Middy's
  // plugins (profilers, loggers) see the middleware by its function's name.
  function jwtVerifyMiddlewareBefore(request: MiddyRequestLike): void | Promise<void> {
    return verifier.authenticate(request.event, request)
  }
  return { before: jwtVerifyMiddlewareBefore }
}
