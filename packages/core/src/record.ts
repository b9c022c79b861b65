/**
 * Whether a value is a plain JSON-like object (not `null`, not an array): what events, claims
 * and options are checked with before their fields are read.
 *
 * @example
 * ```ts
 * isRecord({ a: 1 }) // true
 * isRecord([1])      // false
 * ```
 */
export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * The value as an object whose fields can be read, or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * asRecord(event.requestContext)?.authorizer
 * ```
 */
export const asRecord = (value: unknown): Record<string, unknown> | undefined => (isRecord(value) ? value : undefined)

/**
 * The value when it is a non-empty string, else `undefined`: how event fields are read.
 *
 * @example
 * ```ts
 * asText(event.requestContext?.stage) ?? 'default'
 * ```
 */
export const asText = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/**
 * An empty object without a prototype, to copy claims and contexts into: an own `__proto__` key
 * (as `JSON.parse` delivers it from an event) is then stored as data, never taken as the
 * object's prototype, so a copied claim can never be inherited from attacker-chosen values.
 *
 * @example
 * ```ts
 * const copy = emptyRecord()
 * for (const [name, value] of Object.entries(JSON.parse('{"__proto__":{"admin":true}}'))) copy[name] = value
 * copy.admin // undefined
 * ```
 */
export const emptyRecord = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>

/**
 * Freezes an object and every object it holds (claims, a verified payload), so that what one
 * request was given cannot be changed for the next one that shares it from a cache.
 *
 * @example
 * ```ts
 * const claims = deepFreeze(JSON.parse('{"sub":"a","realm_access":{"roles":["admin"]}}'))
 * Object.isFrozen(claims.realm_access) // true
 * ```
 */
export function deepFreeze<T extends object>(value: T): T {
  Object.freeze(value)
  // Only objects recurse: a call per primitive claim cost half of this function (measured).
  for (const key in value) {
    const child: unknown = value[key]
    if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) deepFreeze(child)
  }
  return value
}
