export type { AuthContext, AuthSource, IamCaller, WithAuth, WithOptionalAuth } from './auth-context.js'
export type { MiddyRequestLike } from './middy-request.js'
export { getAuth, setAuth } from './auth-context.js'
export { AuthError, isAuthError } from './auth-error.js'
export type { AuthErrorCode, AuthErrorOptions } from './auth-error.js'
export { bearerChallenge, dpopChallenge, isChallengeSafe, isDpopNonceSafe, resourceMetadataProblem } from './challenge.js'
export type { BearerChallenge, DpopChallenge } from './challenge.js'
export { eventKind, getCookieValues, getHeader, getHeaderValues, getQueryValues } from './event.js'
export type { AnyEvent, EventKind } from './event.js'
export {
  readBoolean,
  readClaimPath,
  readListClaim,
  readScopeClaim,
  readNumber,
  readNumericDate,
  readScopeList,
  readStringList,
  restoreGatewayClaims,
  restoreScalarClaim,
} from './claims.js'
export { gatewayAuth, resolveAuth } from './gateway.js'
export {
  authorizerContextLists,
  authorizerContextMark,
  decodeAuthorizerContext,
  encodeAuthorizerContext,
  reservedContextKeys,
} from './authorizer-context.js'
export type { AuthorizerContextValue } from './authorizer-context.js'
export { attachState, readState, stateKeys } from './state-keys.js'
export { asRecord, asText, deepFreeze, emptyRecord, isRecord } from './record.js'
export { matchesWildcard } from './wildcard.js'
export { crossSiteDenial, crossSiteRequest } from './same-origin.js'
export { hasExactClaims } from './exact-claims.js'
export { compileRouteMap, requestRoute } from './route.js'
export { parseExecuteApiArn } from './execute-api-arn.js'
export { isConcretePermission, splitPermission } from './permission.js'
export { parseRouteKey, routeKeyProblem, templateProblem } from './route-key.js'
export type { RouteKey, TemplateSegment } from './route-key.js'
export type { ExecuteApiArn } from './execute-api-arn.js'
export { compileScopeCheck, isScopeToken, readScopeTokens, scopesSatisfy, scopeTokenPattern, unmetScopes } from './scope-check.js'
export type { ScopeCheck } from './scope-check.js'
export { attachPermissionCheck, holdsPermission, noteCredential, notedCredential, noteRequestSpecificCheck, requestSpecificChecks } from './request-checks.js'
export type { PermissionCheck, RequestSpecificCheck } from './request-checks.js'
export type { RequestRoute, RouteMap, RouteMapOptions } from './route.js'
export { compileTokenSource, looksLikeSeveralTokens, tokenSourceProblem } from './token-source.js'
export type { ReadToken, TokenLookup, TokenSource } from './token-source.js'
