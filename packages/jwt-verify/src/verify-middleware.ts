import { setAuth, type MiddyRequestLike } from '@middy-auth/core'
import type { CompiledJwtVerifier } from './jwt-verifier.js'

/**
 * The middleware of both entries' `jwtVerify`, on the verification their options compiled to.
 * Keys start loading now, during Lambda's init, and are awaited by the first request.
 */
export function verifyMiddleware(verifier: CompiledJwtVerifier): { before: (request: MiddyRequestLike) => void | Promise<void> } {
  verifier.prefetch()

  // Not `async`: on the warm path (keys cached, no DPoP replay store to ask) verification is
  // synchronous and returns no Promise, which spares Middy a microtask per request.
  function jwtVerifyMiddlewareBefore(request: MiddyRequestLike): void | Promise<void> {
    const result = verifier.authenticate(request.event, request)
    if (result instanceof Promise) {
      return result.then((auth) => {
        if (auth) setAuth(request, auth)
      })
    }
    if (result) setAuth(request, result)
  }

  return { before: jwtVerifyMiddlewareBefore }
}
