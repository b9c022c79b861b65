/**
 * `@middy-auth/jwt-verify/extensions`: the code of jwtVerify's rarely used options, for the lean
 * entry (`@middy-auth/jwt-verify/lean`). Each is a plain value: a bundler leaves out every one a
 * handler does not import, and the code it carries with it. (`satisfies` checks each one's code
 * against what the options' compiler reads; the exported type hides it.)
 */
import { compileTokenSource, crossSiteDenial, readResourceMetadata, tokenSourceProblem, type TokenSource } from '@middy-auth/core/internal'
import { compileClaimsCheck, readClaimsCheck } from './claims-check-runner.js'
import { extensionMark, packageName } from './package-name.js'
import { compileOpaqueTokens } from './opaque-tokens.js'
import { trustGateway } from './gateway-identity.js'
import type {
  ApiGatewayClaimsExtension,
  ClaimsChecksExtension,
  JwtVerifyExtension,
  OidcDiscoveryExtension,
  OpaqueTokenHandoffExtension,
  ReadTokenRefusingCrossSite,
  ResourceMetadataChallengeExtension,
  SenderConstraintsExtension,
  StaticKeysExtension,
  TokenSourcesExtension,
  TuningExtension,
} from './extension-types.js'
import { bindingAuthError, bindingCheck } from './sender-binding.js'
import { compileBindings } from './sender-binding-options.js'
import { requestSpecificNotes } from './request-specific-notes.js'
import { discoveryKeyResolver } from './remote-key-resolver.js'
import { staticKeyResolver } from './static-key-resolver.js'
import { checkKeyResolver, compilePemKeys, compileSecretEntry } from './static-keys.js'
import { readCache, readJwks } from './tuning.js'

export type { JwtVerifyExtension } from './extension-types.js'

/**
 * DPoP- and mTLS-bound tokens (RFC 9449, RFC 8705): the `dpop` and `mtls` options of the lean
 * `jwtVerify` and `createJwtVerifier`, and of each issuer entry. Without it, the lean entry
 * refuses a token bound by `cnf` and the `DPoP` scheme, as the root entry does without those
 * options.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { senderConstraints } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({ issuers, dpop: { boundTokens: 'required' }, extensions: [senderConstraints] })
 * ```
 */
export const senderConstraints = {
  package: packageName,
  mark: extensionMark,
  name: 'senderConstraints',
  compile: compileBindings,
  bind: bindingCheck,
  toAuthError: bindingAuthError,
  notes: requestSpecificNotes,
} satisfies SenderConstraintsExtension as JwtVerifyExtension

/**
 * `trustApiGateway: true` of the lean `jwtVerify`: the identity API Gateway already verified
 * (JWT or Cognito authorizer, a Lambda authorizer's context), checked against the issuer entries.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { apiGatewayClaims } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({ trustApiGateway: true, extensions: [apiGatewayClaims] })
 * ```
 */
export const apiGatewayClaims = {
  package: packageName,
  mark: extensionMark,
  name: 'apiGatewayClaims',
  wrap: trustGateway,
} satisfies ApiGatewayClaimsExtension as JwtVerifyExtension

/**
 * The `opaqueTokens` option of the lean `jwtVerify`: tokens that are not JWTs go to another
 * verifier, such as `createIntrospectionVerifier()` of `@middy-auth/token-introspection`.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { opaqueTokenHandoff } from '@middy-auth/jwt-verify/extensions'
 * import { createIntrospectionVerifier } from '@middy-auth/token-introspection'
 *
 * const middleware = jwtVerify({
 *   issuers,
 *   opaqueTokens: createIntrospectionVerifier({ issuer: 'https://auth.example.com/', clientId: 'api', clientSecret, audience: 'api' }),
 *   extensions: [opaqueTokenHandoff],
 * })
 * ```
 */
export const opaqueTokenHandoff = {
  package: packageName,
  mark: extensionMark,
  name: 'opaqueTokenHandoff',
  compile: compileOpaqueTokens,
  notes: requestSpecificNotes,
} satisfies OpaqueTokenHandoffExtension as JwtVerifyExtension

/**
 * Keys given in the configuration rather than fetched from a `jwksUri` or by discovery, for the
 * lean `jwtVerify`: an issuer entry's `jwks` (a local JWKS), `keys` (PEM public keys or
 * certificates), `keyResolver` (a key resolver of your own, such as `createRemoteKeyResolver()`
 * or the `jwks-rsa` adapter) and `secret` (HMAC). (A `jwksUri` needs no extension, nor does an
 * `albIssuer()` entry, whose resolver is its own.)
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { staticKeys } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({
 *   issuers: [{ issuer: 'https://orders.example.com', audience: 'orders-worker', secret: process.env.TOKEN_SECRET ?? '', algorithms: ['HS256'] }],
 *   extensions: [staticKeys],
 * })
 * ```
 */
export const staticKeys = {
  package: packageName,
  mark: extensionMark,
  name: 'staticKeys',
  jwks: staticKeyResolver,
  keys: compilePemKeys,
  keyResolver: checkKeyResolver,
  secret: compileSecretEntry,
} satisfies StaticKeysExtension as JwtVerifyExtension

/**
 * OIDC discovery, for the lean `jwtVerify`: an issuer entry without `jwksUri` (or with
 * `jwksUri: null`) finds its JWKS through `<issuer>/.well-known/openid-configuration`, which must
 * name exactly that issuer. (An entry with a `jwksUri`, such as the presets', needs no
 * extension.)
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { oidcDiscovery } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({
 *   issuers: [{ issuer: 'https://tenant.eu.auth0.com/', audience: 'https://api.example.com' }],
 *   extensions: [oidcDiscovery],
 * })
 * ```
 */
export const oidcDiscovery = {
  package: packageName,
  mark: extensionMark,
  name: 'oidcDiscovery',
  keyResolver: discoveryKeyResolver,
} satisfies OidcDiscoveryExtension as JwtVerifyExtension

/** Core's reader of every token source form, with the 403 of a cookie credential on a cross-site request (the one form that can produce it). */
function compileRefusingCrossSite(source: TokenSource, acceptDpop: boolean): ReadTokenRefusingCrossSite {
  const read = compileTokenSource(source, acceptDpop)
  return (event) => {
    const lookup = read(event)
    if (lookup.kind === 'cross-site') throw crossSiteDenial(packageName, lookup)
    return lookup
  }
}

/**
 * A `tokenSource` other than a header, for the lean `jwtVerify`: `{ cookie, allowedOrigins? }`
 * (with its cross-site check), `{ query }` and a function of the event. (The default,
 * `Authorization: Bearer`, and any `{ header, scheme? }` need no extension.)
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { tokenSources } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({ issuers, tokenSource: { cookie: 'access_token' }, extensions: [tokenSources] })
 * ```
 */
export const tokenSources = {
  package: packageName,
  mark: extensionMark,
  name: 'tokenSources',
  problem: tokenSourceProblem,
  compile: compileRefusingCrossSite,
  notes: requestSpecificNotes,
} satisfies TokenSourcesExtension as JwtVerifyExtension

/**
 * An issuer entry's own check of the claims, for the lean `jwtVerify`: `claimsCheck` (and its
 * deprecated name `claims`) and `claimsCacheTtl`. The presets that check claims themselves
 * (`cognitoIssuer()`, `entraIssuer()`, `keycloakIssuer()` with a `clientId`, and any preset given a
 * `claimsCheck`) return entries with a `claimsCheck`: with the lean entry they need it too.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { claimsChecks } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({
 *   issuers: [{ ...issuers[0], claimsCheck: (payload) => payload.tenant === 'acme' }],
 *   extensions: [claimsChecks],
 * })
 * ```
 */
export const claimsChecks = {
  package: packageName,
  mark: extensionMark,
  name: 'claimsChecks',
  read: readClaimsCheck,
  compile: compileClaimsCheck,
} satisfies ClaimsChecksExtension as JwtVerifyExtension

/**
 * The `resourceMetadata` option of the lean `jwtVerify` (RFC 9728): the URL of this API's
 * protected resource metadata, checked at cold start, then sent in every `Bearer` challenge as
 * `resource_metadata="…"` so that clients (MCP clients, agents) find the authorization server.
 * (The document itself is served by `protectedResourceMetadata()` of `@middy-auth/jwt-verify`.)
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { resourceMetadataChallenge } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({
 *   issuers,
 *   resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource',
 *   extensions: [resourceMetadataChallenge],
 * })
 * ```
 */
export const resourceMetadataChallenge = {
  package: packageName,
  mark: extensionMark,
  name: 'resourceMetadataChallenge',
  read: readResourceMetadata,
} satisfies ResourceMetadataChallengeExtension as JwtVerifyExtension

/**
 * The `jwks` (`timeoutMs`, `cooldownMs`, `maxAgeMs`, `fetchJson`) and `cache` options of the lean
 * `jwtVerify`, checked at cold start. Without it, the lean entry takes their defaults: JWKS
 * fetched with `node:https`, a 3 s timeout, a 10 s cooldown, keys refreshed after 10 minutes, a
 * verified-token cache of 1000 entries. Either option given, even `cache: false`, needs it.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { tuning } from '@middy-auth/jwt-verify/extensions'
 *
 * const middleware = jwtVerify({ issuers, jwks: { timeoutMs: 1500 }, cache: false, extensions: [tuning] })
 * ```
 */
export const tuning = {
  package: packageName,
  mark: extensionMark,
  name: 'tuning',
  cache: readCache,
  jwks: readJwks,
} satisfies TuningExtension as JwtVerifyExtension
