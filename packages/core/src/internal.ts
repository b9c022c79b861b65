// '@middy-auth/core/internal': the building blocks the middy-auth packages share (challenges,
// token sources, scope checks, route maps, the notes a decision leaves for the authorizer,
// record helpers). Public and documented (README, "For middleware authors"), for writing a
// middleware that fits the suite; an application needs only the root entry.
export { bearerChallenge, dpopChallenge, isChallengeSafe, isDpopNonceSafe, resourceMetadataProblem } from './challenge.js'
export type { BearerChallenge, DpopChallenge } from './challenge.js'
export { readScopeList, restoreScalarClaim } from './claims.js'
export {
  checkOptionNames,
  configErrors,
  isListOf,
  readDuration,
  readFunction,
  readRealm,
  readRenamed,
  readResourceMetadata,
  refuseMisspelled,
} from './config-error.js'
export type { ConfigError, ConfigErrorCause, DurationRule } from './config-error.js'
export { resolveAuth } from './gateway.js'
export { gatewayReaderOf, resolveAuthWith } from './resolve-auth.js'
export type { ApiGatewayClaimsExtension, GatewayAuthReader } from './resolve-auth.js'
export { authorizerContextLists, authorizerContextMark, decodeAuthorizerContext, encodeAuthorizerContext, reservedContextKeys } from './authorizer-context.js'
export type { AuthorizerContextValue } from './authorizer-context.js'
export { attachState, rbacGrantKey, readState, stateKeys } from './state-keys.js'
export { parseExecuteApiArn } from './execute-api-arn.js'
export type { ExecuteApiArn } from './execute-api-arn.js'
export { isConcretePermission, splitPermission } from './permission.js'
export { parseRouteKey, routeKeyProblem, templateProblem } from './route-key.js'
export type { RouteKey, TemplateSegment } from './route-key.js'
export { asRecord, asText, deepFreeze, emptyRecord, isRecord } from './record.js'
export { matchesWildcard } from './wildcard.js'
export { crossSiteDenial } from './cross-site-denial.js'
export { crossSiteRequest } from './same-origin.js'
export { hasExactClaims } from './exact-claims.js'
export { compileRouteMap, requestRoute } from './route.js'
export type { RequestRoute, RouteMap, RouteMapOptions } from './route.js'
export { compileScopeCheck, isScopeToken, readScopeCheck, readScopeTokens, scopesSatisfy, scopeTokenPattern, unmetScopes } from './scope-check.js'
export type { ScopeCheck } from './scope-check.js'
export {
  attachedPermissionCheck,
  attachPermissionCheck,
  holdsPermission,
  noteCredential,
  notedCredential,
  noteRequestSpecificCheck,
  requestSpecificChecks,
} from './request-checks.js'
export type { PermissionCheck, RequestSpecificCheck } from './request-checks.js'
export { compileHeaderSource, headerSourceProblem, isCookieQueryOrFunction, looksLikeSeveralTokens } from './token-source.js'
export type { HeaderTokenSource, ReadToken, TokenLookup, TokenSource } from './token-source.js'
export { compileTokenSource, tokenSourceProblem } from './every-token-source.js'
export { needExtension, readExtensions, readOptionNamesAndExtensions } from './extension.js'
export type { Extension } from './extension.js'
