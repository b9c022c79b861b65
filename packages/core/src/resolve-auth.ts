/**
 * The identity a consumer (oauth-scope, rbac) works on, without the code that reads API
 * Gateway's claims: that code (`gatewayAuth`, ./gateway.ts) is given as a value, by the root
 * entries always and by the lean entries only with their `apiGatewayClaims` extension, so a
 * bundle that does not read the gateway's claims leaves it out.
 */
import { getAuth, setAuth, type AuthContext } from './auth-context.js'
import type { AnyEvent } from './event.js'
import type { Extension } from './extension.js'
import type { MiddyRequestLike } from './middy-request.js'

/**
 * Reads the identity API Gateway verified for a request (`gatewayAuth`), or `undefined`.
 *
 * @example
 * ```ts
 * import { gatewayAuth } from '@middy-auth/core'
 * const readGateway: GatewayAuthReader = gatewayAuth
 * ```
 */
export type GatewayAuthReader = (event: AnyEvent) => AuthContext | undefined

/**
 * The `apiGatewayClaims` extension of a consumer's lean entry: `gatewayAuth`, under the consumer's
 * own package name and mark. oauth-scope and rbac each export one (`{ package, name:
 * 'apiGatewayClaims', mark, gatewayAuth }`), the same code.
 *
 * @example
 * ```ts
 * import { gatewayAuth } from '@middy-auth/core'
 * const mark = '@middy-auth/rbac extensions v1'
 * const apiGatewayClaims: ApiGatewayClaimsExtension = { package: '@middy-auth/rbac', name: 'apiGatewayClaims', mark, gatewayAuth }
 * ```
 */
export interface ApiGatewayClaimsExtension extends Extension {
  readonly name: 'apiGatewayClaims'
  readonly gatewayAuth: GatewayAuthReader
}

/**
 * The gateway's claims reader among a consumer's extensions: its `apiGatewayClaims` extension's
 * `gatewayAuth`, or `undefined` when the lean entry was not given it (then only `context.auth`
 * is read).
 *
 * @example
 * ```ts
 * const readGateway = gatewayReaderOf(extensions)
 * const auth = resolveAuthWith(request, readGateway)
 * ```
 */
export const gatewayReaderOf = (extensions: ReadonlyMap<string, Extension>): GatewayAuthReader | undefined =>
  // Extensions are keyed by name: the one named apiGatewayClaims has this shape.
  (extensions.get('apiGatewayClaims') as ApiGatewayClaimsExtension | undefined)?.gatewayAuth

/**
 * The identity on `request.context.auth`; without one, the identity `readGateway` finds (written
 * there, so later middlewares and the handler see the same object); `undefined`: no identity at
 * all. Without `readGateway` (a lean entry without `apiGatewayClaims`), the gateway's claims are
 * not read: the request has no identity, and is refused as one without any.
 *
 * @example
 * ```ts
 * const auth = resolveAuthWith(request, gatewayReaderOf(extensions))
 * if (!auth) throw new AuthError('missing_token', { package: '@middy-auth/rbac' })
 * ```
 */
export function resolveAuthWith(
  request: Pick<MiddyRequestLike, 'event' | 'context' | 'internal'>,
  readGateway: GatewayAuthReader | undefined,
): AuthContext | undefined {
  const existing = getAuth(request)
  if (existing) return existing
  if (!readGateway) return undefined
  const fromGateway = readGateway(request.event)
  if (fromGateway) setAuth(request, fromGateway)
  return fromGateway
}
