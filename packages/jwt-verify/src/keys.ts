// '@middy-auth/jwt-verify/keys': where keys come from. The key resolvers behind `jwksUri`, `jwks`
// and `albIssuer` (to share one between middleware instances, or to wrap a loader of your own),
// the key checks, the HTTP client and its URL rules (to wrap in `jwks.fetchJson`), and the
// RFC 7638 / RFC 8705 thumbprints. Documented in the README's "Keys" section.
export { KeysUnavailableError } from './key-resolver.js'
export type { KeyResolver, KeySet, ResolvedKey } from './key-resolver.js'
export { createCachingKeyResolver, createRemoteKeyResolver } from './remote-key-resolver.js'
export type { CachingKeyResolverOptions, KeySetLoader, LoadedKeySet, RemoteKeyResolverOptions } from './remote-key-resolver.js'
export { createStaticKeyResolver } from './static-key-resolver.js'
export { createAlbKeyResolver } from './alb-key-resolver.js'
export type { AlbKeyResolverOptions, FetchPem } from './alb-key-resolver.js'
export { importJwk, importKeySet } from './import-jwk.js'
export { assertFetchableUrl, fetchJson, fetchText, isLoopbackUrl } from './fetch-json.js'
export type { FetchJson, FetchJsonOptions, FetchTextOptions } from './fetch-json.js'
export { jwkThumbprint } from './jwk-thumbprint.js'
export { certificateThumbprint } from './client-certificate.js'
