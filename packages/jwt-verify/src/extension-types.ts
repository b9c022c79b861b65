/**
 * The shapes of jwtVerify's extensions (see ./extensions.ts): what the lean entry's options take,
 * and what the options' compiler reads from each, the code of the rarely used options (DPoP and
 * mTLS, API Gateway's claims, opaque tokens, keys given in the configuration, OIDC discovery,
 * token sources other than a header, the user's claims checks, RFC 9728's resource metadata in
 * challenges, the JWKS fetching and cache settings). Types only: nothing here is bundled.
 */
import type { AuthContext, AuthError } from '@middy-auth/core'
import type { ConfigError, Extension, TokenLookup, TokenSource } from '@middy-auth/core/internal'
import type { HmacAlgorithm } from './algorithms.js'
import type { RunClaimsCheck } from './claims-check-runner.js'
import type { PresentedAs } from './confirmation.js'
import type { ClaimsCheck, IssuerConfig } from './issuer-config.js'
import type { KeyResolver, ResolvedKey } from './key-resolver.js'
import type { JwtVerifyDenialReason } from './rejection.js'
import type { RemoteKeyResolverSettings } from './remote-key-resolver.js'
import type { NoteRequestSpecific } from './request-specific-notes.js'
import type { CompileBinding, DpopChallenge } from './sender-binding-options.js'
import type { AuthRequest } from './jwt-verifier.js'
import type { CompiledIssuer, Verifier } from './verifier.js'

/** How the middleware renders its own refusals (its realm, `resource_metadata`, DPoP algs). */
export type Deny = (code: 'invalid_request' | 'invalid_token', reason: JwtVerifyDenialReason, description?: string) => AuthError

/**
 * An extension of `@middy-auth/jwt-verify/lean`, imported from `@middy-auth/jwt-verify/extensions`
 * (`senderConstraints`, `apiGatewayClaims`, `opaqueTokenHandoff`, `staticKeys`, `oidcDiscovery`,
 * `tokenSources`, `claimsChecks`, `resourceMetadataChallenge`, `tuning`) and listed in its
 * `extensions` option.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify/lean'
 * import { senderConstraints, type JwtVerifyExtension } from '@middy-auth/jwt-verify/extensions'
 *
 * const extensions: JwtVerifyExtension[] = [senderConstraints]
 * const middleware = jwtVerify({ issuers, dpop: { boundTokens: 'required' }, extensions })
 * ```
 */
export interface JwtVerifyExtension extends Extension {
  readonly package: '@middy-auth/jwt-verify'
}

/** An extension that can bring an identity holding for its request only: a cookie credential, a bound token (`confirmation`). */
export interface RequestSpecificNotesCarrier {
  /** What the middleware notes when it sets such an identity (./request-specific-notes.ts), for its token source. */
  readonly notes: (tokenSource: TokenSource) => NoteRequestSpecific
}

/**
 * The `senderConstraints` extension: the `dpop` and `mtls` options, of the middleware and of
 * each issuer entry.
 */
export interface SenderConstraintsExtension extends JwtVerifyExtension, RequestSpecificNotesCarrier {
  readonly name: 'senderConstraints'
  /** Checks `dpop` and `mtls` at cold start; the compiler of each entry's binding, and the DPoP challenge of the entries it compiled. */
  readonly compile: (
    options: { readonly dpop?: unknown; readonly mtls?: unknown; readonly tokenSource: TokenSource; readonly clock: () => number },
    fail: ConfigError,
  ) => readonly [CompileBinding, () => DpopChallenge]
  /** The check of a verified token against its entry's binding (the DPoP proof, the client certificate): the entry as `issuerFor` finds it, the time as `clock` tells it. */
  readonly bind: (issuerFor: Verifier['issuerFor'], clock: () => number) => CheckBinding
  /** The `AuthError` of an error only its binding check throws (DPoP refusals, the replay store's outage); `undefined` for any other. */
  readonly toAuthError: (error: unknown, dpop: { readonly algs: readonly string[] } | undefined) => AuthError | undefined
}

/** A verified token's binding check, as the middleware calls it: with how the token came and its event. */
export type CheckBinding = (auth: AuthContext, token: string, presentedAs: PresentedAs, event: unknown) => AuthContext | Promise<AuthContext>

/** The middleware's authentication of a request: its identity set on `request` when given, else returned. */
export type Authenticate = (event: unknown, request?: AuthRequest) => AuthContext | void | Promise<AuthContext | void>

/** The `apiGatewayClaims` extension: `trustApiGateway: true`. */
export interface ApiGatewayClaimsExtension extends JwtVerifyExtension {
  readonly name: 'apiGatewayClaims'
  /**
   * `authenticate` preceded by the identity API Gateway verified when the event carries one,
   * checked against the issuer entries (those `verifier` trusts; any `verifier.checkGatewayClaims`
   * rule first); `deny` and `toAuthError` render its refusals as the middleware's own.
   */
  readonly wrap: (
    authenticate: Authenticate,
    verifier: Verifier,
    issuers: readonly CompiledIssuer[],
    deny: Deny,
    toAuthError: (error: unknown) => AuthError,
  ) => Authenticate
}

/** The verification of a token of any kind, as the middleware calls it: with how it came and its event. */
export type VerifyAnyToken = (token: string, presentedAs: PresentedAs, event: unknown) => AuthContext | Promise<AuthContext>

/** The `opaqueTokens` option, compiled: the hand-off of tokens that are not JWTs to its verifier. */
export interface OpaqueTokenHandoff {
  /** Whether a token goes to the opaque verifier (it is not shaped like a JWT). */
  readonly takes: (token: string) => boolean
  /**
   * The verification of every token, built once at cold start (which starts the opaque
   * verifier's `prefetch()`): a JWT goes to `verifyJwt`, any other token to the opaque verifier,
   * refused as the middleware refuses (`deny`) under the DPoP scheme and when an issuer entry
   * requires bound tokens.
   */
  readonly dispatch: (verifyJwt: VerifyAnyToken, deny: Deny, issuers: readonly CompiledIssuer[]) => VerifyAnyToken
}

/** The `opaqueTokenHandoff` extension: the `opaqueTokens` option. */
export interface OpaqueTokenHandoffExtension extends JwtVerifyExtension, RequestSpecificNotesCarrier {
  readonly name: 'opaqueTokenHandoff'
  /** Checks the option at cold start; its hand-off. */
  readonly compile: (value: unknown, fail: ConfigError) => OpaqueTokenHandoff
}

/**
 * The `staticKeys` extension: an issuer entry's `jwks` (a local JWKS), `keys` (PEM), `keyResolver`
 * (the user's own) and `secret` (HMAC).
 */
export interface StaticKeysExtension extends JwtVerifyExtension {
  readonly name: 'staticKeys'
  // Each named after the field it compiles: the minifier keeps property names.
  /** An entry's `jwks`, checked and imported, as its key set; `option` is its path (`issuers[0].jwks`). */
  readonly jwks: (jwks: unknown, option: string, fail: ConfigError) => KeyResolver
  /** An entry's PEM `keys`, checked and imported, as its key set; `option` is their path (`issuers[0].keys`). */
  readonly keys: (keys: unknown, option: string, fail: ConfigError) => KeyResolver
  /** An entry's `keyResolver`, checked (what the verifier calls on it); `option` is its path (`issuers[0].keyResolver`). */
  readonly keyResolver: (keyResolver: unknown, option: string, fail: ConfigError) => KeyResolver
  /**
   * An entry with a `secret`, checked (no public keys, HMAC algorithms only): its one key and
   * its algorithms; `at` is the entry's path (`issuers[0]`).
   */
  readonly secret: (
    entry: IssuerConfig,
    at: string,
    fail: ConfigError,
    readAlgorithms: (value: unknown, allowed: (alg: unknown) => boolean, what: string) => unknown[],
  ) => { key: ResolvedKey; resolver: KeyResolver; algorithms: HmacAlgorithm[] }
}

/** The `oidcDiscovery` extension: an issuer entry without `jwksUri` (or with `jwksUri: null`). */
export interface OidcDiscoveryExtension extends JwtVerifyExtension {
  readonly name: 'oidcDiscovery'
  /** The entry's key resolver, by discovery from `settings.issuer` (checked: a fetchable URL), named at `at` (`issuers[0].`). */
  readonly keyResolver: (settings: RemoteKeyResolverSettings, fail: ConfigError, at: string) => KeyResolver
}

/** The `tokenSources` extension: a `tokenSource` of the cookie, query or function form. */
export interface TokenSourcesExtension extends JwtVerifyExtension, RequestSpecificNotesCarrier {
  readonly name: 'tokenSources'
  /** What is wrong with a token source of any form, `undefined` when it can be compiled (core's `tokenSourceProblem`). */
  readonly problem: (source: unknown) => string | undefined
  /**
   * The reader of a token source of any form (core's `compileTokenSource`). A cookie credential
   * on a cross-site request is refused there (its 403 thrown), so the reader returns every other
   * lookup, and a bundle without this extension leaves that refusal out.
   */
  readonly compile: (source: TokenSource, acceptDpop: boolean) => ReadTokenRefusingCrossSite
}

/** The `claimsChecks` extension: an issuer entry's `claimsCheck` (or its former name `claims`) and `claimsCacheTtl`. */
export interface ClaimsChecksExtension extends JwtVerifyExtension {
  readonly name: 'claimsChecks'
  /** The entry's check, checked at cold start (a function; `claims` with its `DeprecationWarning`); `at` is the entry's path (`issuers[0].`). */
  readonly read: (entry: IssuerConfig, at: string, fail: ConfigError) => ClaimsCheck | undefined
  /** The runner of the entry's check, whose async successes are reused `claimsCacheTtl` seconds; `undefined` without a check. */
  readonly compile: (check: ClaimsCheck | undefined, claimsCacheTtl: number) => RunClaimsCheck | undefined
}

/** The `resourceMetadataChallenge` extension: the `resourceMetadata` option (RFC 9728). */
export interface ResourceMetadataChallengeExtension extends JwtVerifyExtension {
  readonly name: 'resourceMetadataChallenge'
  /** The option's URL, checked (core's `readResourceMetadata`): a `TypeError` unless challenges can carry it. */
  readonly read: (value: unknown, fail: ConfigError) => string
}

/** The key resolvers' settings that the `jwks` option sets (the clock is the middleware's). */
export type JwksSettings = Pick<RemoteKeyResolverSettings, 'timeoutMs' | 'cooldownMs' | 'maxAgeMs' | 'fetchJson'>

/** The `tuning` extension: the `jwks` and `cache` options. */
export interface TuningExtension extends JwtVerifyExtension {
  readonly name: 'tuning'
  // Each named after the option it reads: the minifier keeps property names.
  /** The `cache` option, given and checked: the verified-token cache's number of entries (0: off). */
  readonly cache: (cache: unknown, fail: ConfigError) => number
  /** The `jwks` option, given and checked: the key resolvers' settings, the defaults for what it leaves out. */
  readonly jwks: (jwks: unknown, fail: ConfigError) => JwksSettings
}

/** A token source's reader as the verifier calls it: a cross-site lookup never comes back from it. */
export type ReadTokenRefusingCrossSite = (event: unknown) => Exclude<TokenLookup, { kind: 'cross-site' }>

/** Each extension's code, by name: what the options' compiler reads from the one it is given. */
export type KnownExtension =
  | SenderConstraintsExtension
  | ApiGatewayClaimsExtension
  | OpaqueTokenHandoffExtension
  | StaticKeysExtension
  | OidcDiscoveryExtension
  | TokenSourcesExtension
  | ClaimsChecksExtension
  | ResourceMetadataChallengeExtension
  | TuningExtension

/** The extensions of one middleware instance, by name. */
export type JwtVerifyExtensions = ReadonlyMap<string, JwtVerifyExtension>
