// What application authors use: the middleware, its options, presets, replay store and resource
// metadata. Key resolvers, the HTTP client and thumbprints are on '@middy-auth/jwt-verify/keys'
// (./keys.ts). test/public-api.test.ts snapshots both lists.
export { default } from './middleware.js'
// Typed handlers for @middy/http-router, where every HTTP service starts: no import of core needed.
export { authRoutes } from '@middy-auth/core'
export type { AuthRoute, AuthRouteHandler } from '@middy-auth/core'
export type { DefaultClaims, JwtVerifyMiddleware, OptionalJwtVerifyMiddleware } from './middleware.js'
export type { JwtVerifyOptions, JwksOptions } from './options.js'
export type { IssuerConfig, ClaimsCheck, PublicKeyIssuerConfig, SecretIssuerConfig, StaticPemKey } from './issuer-config.js'
export type { JwtVerifyDenialReason } from './rejection.js'
export type { TokenSource } from './token-source.js'
export type { Algorithm, HmacAlgorithm } from './algorithms.js'
export { SUPPORTED_ALGORITHMS } from './algorithms.js'
export {
  auth0Issuer,
  cognitoIssuer,
  entraIssuer,
  keycloakIssuer,
  oktaIssuer,
} from './presets.js'
export type {
  Auth0IssuerOptions,
  CognitoIssuerOptions,
  EntraIssuerOptions,
  KeycloakIssuerOptions,
  OktaIssuerOptions,
  PresetOverrides,
} from './presets.js'
export { MAX_TOKEN_LENGTH } from './jws.js'
export { jwtVerifyValidateOptions } from './validate-options.js'
export { createJwtVerifier } from './jwt-verifier.js'
export type { JwtVerifier } from './jwt-verifier.js'
export type { DpopOptions, MtlsOptions } from './sender-binding-options.js'
export { createMemoryReplayStore } from './replay-store.js'
export type { MemoryReplayStoreOptions, ReplayStore } from './replay-store.js'
export { albIssuer } from './alb.js'
export type { AlbIssuerOptions } from './alb.js'
export { protectedResourceMetadata, resourceMetadataUrl } from './protected-resource-metadata.js'
export type { MetadataResponse, ProtectedResourceMetadataOptions } from './protected-resource-metadata.js'
export type { OpaqueTokenVerifier } from './opaque-tokens.js'
