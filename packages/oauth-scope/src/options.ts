import type { MiddyRequestLike } from '@middy-auth/core'
import { needExtension, type RouteMap } from '@middy-auth/core/internal'
import type {
  OAuthScopeExtension,
  OAuthScopeExtensions,
  ResourceMetadataChallengeExtension,
  RouteMapsExtension,
  ScopeClaimsExtension,
} from './extension-types.js'
import { compileScopes, fail, type CompiledRequirement } from './requirements.js'
import { fromAuthScopes, type ScopeReader } from './scopes.js'

/**
 * What a caller needs: every scope of `required`, and at least one of `anyOf`. Give one of
 * them or both; lists are never empty.
 *
 * @example
 * ```ts
 * const write: ScopeRequirement = { required: ['orders:write'] }
 * const readOrAdmin: ScopeRequirement = { anyOf: ['orders:read', 'orders:admin'] }
 * const both: ScopeRequirement = { required: ['orders'], anyOf: ['orders:read', 'orders:admin'] }
 * ```
 */
export type ScopeRequirement = { required: readonly string[]; anyOf?: readonly string[] } | { required?: readonly string[]; anyOf: readonly string[] }

/**
 * The requirement of one route: a list (all of these scopes) or a {@link ScopeRequirement}.
 *
 * @example
 * ```ts
 * const list: RouteRequirement = ['orders:read']
 * const alternatives: RouteRequirement = { anyOf: ['orders:write', 'orders:admin'] }
 * ```
 */
export type RouteRequirement = readonly string[] | ScopeRequirement

/** The options every form of the options takes (the API reference shows them in place). @inline */
interface CommonOptions {
  /**
   * Read scopes from these claims of `context.auth.claims` (names, or dotted paths such as
   * `'ext.scopes'`), all of them together, instead of from `context.auth.scopes`. Default:
   * `context.auth.scopes`, which jwt-verify fills from `scope` and `scp` and API Gateway's
   * reader from the gateway's `scopes` (or `scope`/`scp`).
   */
  scopeClaims?: string | readonly string[]
  /** The `realm` of the `WWW-Authenticate` challenge. Default `'api'`. */
  realm?: string
  /**
   * The URL of this API's protected resource metadata (RFC 9728), added to every `Bearer`
   * challenge as `resource_metadata="…"` (set the same URL on `jwtVerify`); the lean entry needs the
   * `resourceMetadataChallenge` extension for it. Default: none.
   */
  resourceMetadata?: string
  /**
   * The extensions, from `@middy-auth/oauth-scope/extensions`, that the lean entry
   * (`@middy-auth/oauth-scope/lean`) needs for `routes` and `routesDefault` (`routeMaps`), for
   * `scopeClaims` (`scopeClaims`), for `resourceMetadata` (`resourceMetadataChallenge`) and to read the identity API Gateway verified (`apiGatewayClaims`). The root entry has every
   * extension: there the list is only checked. Default: none.
   */
  extensions?: readonly OAuthScopeExtension[]
}

/**
 * Options of `oauthScope()`: one requirement for every request (`required`, `anyOf`, or both),
 * or one per route (`routes`, with `routesDefault` for the routes it does not list).
 *
 * @example
 * ```ts
 * const whole: OAuthScopeOptions = { required: ['orders:read'] }
 * const perRoute: OAuthScopeOptions = {
 *   routes: {
 *     'GET /orders': ['orders:read'],
 *     'POST /orders': { anyOf: ['orders:write', 'orders:admin'] },
 *   },
 * }
 * ```
 */
export type OAuthScopeOptions = CommonOptions &
  (
    | {
        /** Every one of these scopes. */
        required: readonly string[]
        /** At least one of these scopes. */
        anyOf?: readonly string[]
        routes?: undefined
        routesDefault?: undefined
      }
    | {
        required?: readonly string[]
        anyOf: readonly string[]
        routes?: undefined
        routesDefault?: undefined
      }
    | {
        /**
         * Per route, keyed `"METHOD /path"` as the event carries it (`routeKey` on HTTP API,
         * `httpMethod` + `resource` on REST; `{id}` path parameters, `ANY`, `$default`). A
         * route that is not listed is refused (403 `access_denied`) unless `routesDefault` is set.
         */
        routes: RouteMap<RouteRequirement>
        /** The requirement of routes missing from `routes`. Default: refuse them. */
        routesDefault?: RouteRequirement
        required?: undefined
        anyOf?: undefined
      }
  )

/** Every option's name, for the message of one that is not. */
export const knownOptions = ['required', 'anyOf', 'routes', 'routesDefault', 'scopeClaims', 'realm', 'resourceMetadata', 'extensions']

/**
 * `resourceMetadata`, checked (by the `resourceMetadataChallenge` extension): the URL every
 * challenge names, or `undefined` (none).
 */
export const readResourceMetadataOf = (resourceMetadata: unknown, extensions: OAuthScopeExtensions): string | undefined =>
  resourceMetadata === undefined
    ? undefined
    : // readExtensions keys each extension by its name: the one named resourceMetadataChallenge is a ResourceMetadataChallengeExtension.
      (needExtension(extensions, 'resourceMetadataChallenge', 'resourceMetadata', fail) as ResourceMetadataChallengeExtension).read(resourceMetadata)

/**
 * How the caller's scopes are read: from `context.auth.scopes`, or from the claims `scopeClaims`
 * names (with the `scopeClaims` extension).
 */
export const compileScopeReader = (scopeClaims: unknown, extensions: OAuthScopeExtensions): ScopeReader =>
  scopeClaims === undefined
    ? fromAuthScopes
    : // readExtensions keys each extension by its name: the one named scopeClaims is a ScopeClaimsExtension.
      (needExtension(extensions, 'scopeClaims', 'scopeClaims', fail) as ScopeClaimsExtension).compileScopeClaims(scopeClaims)

/**
 * The requirement of each request: `required` and `anyOf`, or per route (`routes`, with the
 * `routeMaps` extension, which also refuses `required` and `anyOf` beside it, and a request to a
 * route that `routes` does not list).
 */
export function compileRequirementOf(options: OAuthScopeOptions, extensions: OAuthScopeExtensions): (request: MiddyRequestLike) => CompiledRequirement {
  const { required, anyOf, routes, routesDefault } = options
  // readExtensions keys each extension by its name: the one named routeMaps is a RouteMapsExtension.
  if (routes !== undefined) return (needExtension(extensions, 'routeMaps', 'routes', fail) as RouteMapsExtension).compileRoutes(options)
  if (routesDefault !== undefined) throw fail('routesDefault', `goes with routes`)
  if (required === undefined && anyOf === undefined) throw fail('options', `need required, anyOf or routes`)
  const requirement = compileScopes(required, anyOf)
  return () => requirement
}
