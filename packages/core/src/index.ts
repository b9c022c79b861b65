// What application authors use: the identity on context.auth, the one error type, the event and
// claim readers. The building blocks the middy-auth packages share are on
// '@middy-auth/core/internal' (./internal.ts). test/public-api.test.ts snapshots both lists.
export type { AuthContext, AuthSource, IamCaller, WithAuth, WithOptionalAuth } from './auth-context.js'
export type { MiddyRequestLike } from './middy-request.js'
export { getAuth, setAuth } from './auth-context.js'
export { AuthError, forbidden, isAuthError } from './auth-error.js'
export { authRoutes } from './route-handler.js'
export type { AuthRoute, AuthRouteHandler, RouteMethod, RouterRoute } from './route-handler.js'
export type { AuthErrorCode, AuthErrorOptions } from './auth-error.js'
export { eventKind, getCookieValues, getHeader, getHeaderValues, getQueryValues } from './event.js'
export type { AnyEvent, EventKind } from './event.js'
export { readBoolean, readClaimPath, readListClaim, readScopeClaim, readNumber, readNumericDate, readStringList, restoreGatewayClaims } from './claims.js'
export { gatewayAuth } from './gateway.js'
