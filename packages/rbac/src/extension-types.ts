/**
 * The shapes of rbac's extensions (see ./extensions.ts): what the lean entry's options take, and
 * what the options' compiler reads from each. Types only: nothing here is bundled.
 */
import type { AnyEvent } from '@middy-auth/core'
import type { Extension } from '@middy-auth/core/internal'
import type { CompiledRequirement } from './requirement.js'

/**
 * An extension of `@middy-auth/rbac/lean`, imported from `@middy-auth/rbac/extensions`
 * (`routeMaps`, `apiGatewayClaims`) and listed in its `extensions` option.
 *
 * @example
 * ```ts
 * import { routeMaps } from '@middy-auth/rbac/extensions'
 * const extensions: readonly RbacExtension[] = [routeMaps]
 * ```
 */
export interface RbacExtension extends Extension {
  readonly package: '@middy-auth/rbac'
}

/** The extensions of one middleware, by name (the root entry's: every one). */
export type RbacExtensions = ReadonlyMap<string, RbacExtension>

/** The code of `routes` and `routesDefault`. */
export interface RouteMapsExtension extends RbacExtension {
  readonly name: 'routeMaps'
  /** The requirement of a request by its route; a string: refused before any check, and why. */
  readonly compileRoutes: (routes: unknown, routesDefault: unknown) => (event: AnyEvent) => CompiledRequirement | 'route not listed'
}
