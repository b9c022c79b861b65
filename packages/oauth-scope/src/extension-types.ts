/**
 * The shapes of oauth-scope's extensions (see ./extensions.ts): what the lean entry's options
 * take, and what `oauthScope()` reads from each. Types only: nothing here is bundled.
 */
import type { MiddyRequestLike } from '@middy-auth/core'
import type { Extension } from '@middy-auth/core/internal'
import type { OAuthScopeOptions } from './options.js'
import type { CompiledRequirement } from './requirements.js'
import type { ScopeReader } from './scopes.js'

/**
 * An extension of `@middy-auth/oauth-scope/lean`, imported from `@middy-auth/oauth-scope/extensions`
 * (`routeMaps`, `scopeClaims`, `apiGatewayClaims`, `resourceMetadataChallenge`) and listed in its `extensions` option.
 *
 * @example
 * ```ts
 * import { routeMaps } from '@middy-auth/oauth-scope/extensions'
 * const extensions: readonly OAuthScopeExtension[] = [routeMaps]
 * ```
 */
export interface OAuthScopeExtension extends Extension {
  readonly package: '@middy-auth/oauth-scope'
}

/** The extensions of one middleware, by name (the root entry's: every one). */
export type OAuthScopeExtensions = ReadonlyMap<string, OAuthScopeExtension>

/** The code of `routes` and `routesDefault`. */
export interface RouteMapsExtension extends OAuthScopeExtension {
  readonly name: 'routeMaps'
  /**
   * Checks `routes` and `routesDefault` (and that `required` and `anyOf` are not given beside
   * them), and compiles the requirement of a request by its route (noted as request-specific);
   * a route that `routes` does not list (and no `routesDefault`) is refused there: 403
   * `access_denied`, reason `route_not_listed`.
   */
  readonly compileRoutes: (options: OAuthScopeOptions) => (request: MiddyRequestLike) => CompiledRequirement
}

/** The code of `scopeClaims`. */
export interface ScopeClaimsExtension extends OAuthScopeExtension {
  readonly name: 'scopeClaims'
  /** Checks `scopeClaims` and compiles the reader of those claims' scopes. */
  readonly compileScopeClaims: (scopeClaims: unknown) => ScopeReader
}

/** The code of `resourceMetadata`. */
export interface ResourceMetadataChallengeExtension extends OAuthScopeExtension {
  readonly name: 'resourceMetadataChallenge'
  /** Checks `resourceMetadata` (given): the URL every challenge names, or the `TypeError`. */
  readonly read: (resourceMetadata: unknown) => string
}
