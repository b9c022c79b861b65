/**
 * The authorizer's `context` is written by core's `encodeAuthorizerContext`, and read back in
 * the target function by core's `decodeAuthorizerContext`: encoder, decoder and the reserved
 * keys have one owner, `@middy-auth/core`. This module names the value type for this package's
 * public API.
 */
import type { AuthorizerContextValue } from '@middy-auth/core/internal'

export { reservedContextKeys } from '@middy-auth/core/internal'

/**
 * A context value as API Gateway accepts it.
 *
 * @example
 * ```ts
 * const values: ContextValue[] = ['acme', 3, true]
 * ```
 */
export type ContextValue = AuthorizerContextValue
