export { default } from './middleware.js'
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
export { KeysUnavailableError } from './key-resolver.js'
export type { KeyResolver, KeySet, ResolvedKey } from './key-resolver.js'
export { createCachingKeyResolver, createRemoteKeyResolver } from './remote-key-resolver.js'
export type { CachingKeyResolverOptions, KeySetLoader, LoadedKeySet, RemoteKeyResolverOptions } from './remote-key-resolver.js'
export { importJwk, importKeySet } from './import-jwk.js'
export { assertFetchableUrl, fetchJson, fetchText, isLoopbackUrl } from './fetch-json.js'
export type { FetchJson, FetchJsonOptions, FetchTextOptions } from './fetch-json.js'
export { createStaticKeyResolver } from './static-key-resolver.js'
export { MAX_TOKEN_LENGTH } from './jws.js'
export { jwtVerifyValidateOptions } from './validate-options.js'
export { createJwtVerifier } from './jwt-verifier.js'
export type { JwtVerifier } from './jwt-verifier.js'
export type { DpopOptions, MtlsOptions } from './sender-binding-options.js'
export { createMemoryReplayStore } from './replay-store.js'
export type { MemoryReplayStoreOptions, ReplayStore } from './replay-store.js'
export { jwkThumbprint } from './jwk-thumbprint.js'
export { certificateThumbprint } from './client-certificate.js'
export { albIssuer } from './alb.js'
export type { AlbIssuerOptions } from './alb.js'
export { createAlbKeyResolver } from './alb-key-resolver.js'
export type { AlbKeyResolverOptions, FetchPem } from './alb-key-resolver.js'
export { protectedResourceMetadata, resourceMetadataUrl } from './protected-resource-metadata.js'
export type { MetadataResponse, ProtectedResourceMetadataOptions } from './protected-resource-metadata.js'
export type { OpaqueTokenVerifier } from './opaque-tokens.js'
