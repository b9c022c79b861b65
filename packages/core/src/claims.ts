/**
 * Tolerant readers of claims. Tokens carry lists and numbers as JSON; API Gateway hands them on
 * as strings: `"[a b]"` (HTTP API JWT authorizer), `"a,b"` (REST Cognito authorizer),
 * `"a b"` (OAuth `scope`), `"1718722804"` and `"Tue Jun 18 15:00:04 UTC 2024"` (times).
 */
import { hasExactClaims } from './exact-claims.js'

/**
 * A list of strings from an array or any of the string forms gateways produce.
 * `null`, `undefined` and `""` are the empty list; other types are the empty list too.
 *
 * @example
 * ```ts
 * readStringList('[admin editor]') // ['admin', 'editor']
 * readStringList('admin,editor')   // ['admin', 'editor']
 * readStringList('read write')     // ['read', 'write']
 * ```
 */
export const readStringList = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.length > 0)
  if (typeof value !== 'string') return []
  let text = value.trim()
  if (text.startsWith('[') && text.endsWith(']')) {
    const json = parseJsonList(text)
    if (json) return json
    text = text.slice(1, -1)
  }
  return text.split(/[\s,]+/).filter((v) => v.length > 0)
}

/**
 * OAuth scopes from a claim of a verified token: a list (Okta's `scp`), or a space-delimited
 * string (RFC 6749 §3.3 `scope`, Entra ID's `scp`). Only whitespace separates: a scope-token may
 * itself hold `,` or `[`, unlike the list strings gateways produce (use {@link readStringList}
 * for those).
 *
 * @example
 * ```ts
 * readScopeList('orders:read orders:write') // ['orders:read', 'orders:write']
 * readScopeList('read,admin')               // ['read,admin']: one scope
 * ```
 */
export const readScopeList = (value: unknown): string[] => {
  if (typeof value === 'string') return value.split(/\s+/).filter((scope) => scope.length > 0)
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope.length > 0)
  return []
}

/**
 * A list claim (groups, roles) of an identity, read as safely as its origin allows. A verified
 * token's claims are JSON, and `@middy-auth/authorizer` writes lists as JSON: there an array is
 * the list and a string is ONE name (`"Not Admins"` must never grant `Admins`). Claims that went through API Gateway are strings that may hold a list
 * (`"[a b]"`, `"a,b"`), read with {@link readStringList}: there a name with a space or a comma
 * cannot be told from two names, which the gateway's format loses, not this reader.
 *
 * @example
 * ```ts
 * readListClaim({ source: 'jwt' }, 'Not Admins')        // ['Not Admins']
 * readListClaim({ source: 'apigateway' }, '[admin editor]') // ['admin', 'editor']
 * ```
 */
export const readListClaim = (identity: { source: string }, value: unknown): string[] => {
  if (typeof value === 'string' && hasExactClaims(identity)) return value === '' ? [] : [value]
  return readStringList(value)
}

const parseJsonList = (text: string): string[] | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? parsed : undefined
  } catch {
    return undefined
  }
}

const decimal = /^-?\d+(\.\d+)?$/

/**
 * A finite number from a number or a decimal string; `undefined` otherwise.
 *
 * @example
 * ```ts
 * readNumber('1718722804') // 1718722804
 * readNumber('12abc')      // undefined
 * ```
 */
export const readNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && decimal.test(value.trim())) return Number(value.trim())
  return undefined
}

/**
 * A NumericDate (seconds since the epoch) from a number, a decimal string, or the date text
 * the REST Cognito authorizer writes (`"Tue Jun 18 15:00:04 UTC 2024"`).
 *
 * @example
 * ```ts
 * readNumericDate('Tue Jun 18 15:00:04 UTC 2024') // 1718722804
 * ```
 */
export const readNumericDate = (value: unknown): number | undefined => {
  const number = readNumber(value)
  if (number !== undefined) return number
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000)
}

/**
 * A boolean from a boolean or `"true"`/`"false"`; `undefined` otherwise.
 *
 * @example
 * ```ts
 * readBoolean('true') // true
 * ```
 */
export const readBoolean = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value
  if (value === 'true') return true
  if (value === 'false') return false
  return undefined
}

/**
 * The value at a claim path. A claim whose name itself contains dots (Auth0's namespaced
 * `https://example.com/roles`) is found first; otherwise the path walks nested objects
 * (`realm_access.roles`). An array path never splits.
 *
 * @example
 * ```ts
 * readClaimPath({ realm_access: { roles: ['admin'] } }, 'realm_access.roles') // ['admin']
 * readClaimPath(claims, ['resource_access', 'my.client', 'roles'])
 * ```
 */
export const readClaimPath = (claims: unknown, path: string | readonly string[]): unknown => {
  if (claims === null || typeof claims !== 'object') return undefined
  if (typeof path === 'string') {
    if (Object.hasOwn(claims, path)) return (claims as Record<string, unknown>)[path]
    return readClaimPath(claims, path.split('.'))
  }
  let current: unknown = claims
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

const timeClaims = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at'])
const booleanClaims = new Set(['email_verified', 'phone_number_verified'])
const listClaims = new Set(['cognito:groups', 'cognito:roles', 'groups', 'roles', 'amr', 'scp', 'permissions'])

/**
 * Gives back to gateway claims (all strings) the types the token had: times become numbers,
 * the verified flags booleans, and group, role and permission claims lists (`aud` too, when
 * bracketed). Other claims are left as they are: a string that looks like a number may be a
 * user name.
 *
 * @example
 * ```ts
 * restoreGatewayClaims({ exp: '1718722804', 'cognito:groups': '[admin editor]' })
 * // { exp: 1718722804, 'cognito:groups': ['admin', 'editor'] }
 * ```
 */
export const restoreGatewayClaims = (claims: Record<string, unknown>): Record<string, unknown> => {
  const restored: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(claims)) {
    restored[name] = restoreClaim(name, value)
  }
  return restored
}

/**
 * Gives a time claim its number and a verified flag its boolean; leaves every other value as it
 * is (lists included). For contexts whose lists are written exactly (JSON text).
 *
 * @example
 * ```ts
 * restoreScalarClaim('exp', '1718722804') // 1718722804
 * restoreScalarClaim('groups', 'Not Admins') // 'Not Admins'
 * ```
 */
export const restoreScalarClaim = (name: string, value: unknown): unknown => {
  if (typeof value !== 'string') return value
  if (timeClaims.has(name)) return readNumericDate(value) ?? value
  if (booleanClaims.has(name)) return readBoolean(value) ?? value
  return value
}

const restoreClaim = (name: string, value: unknown): unknown => {
  if (typeof value !== 'string') return value
  if (timeClaims.has(name) || booleanClaims.has(name)) return restoreScalarClaim(name, value)
  if (listClaims.has(name)) return readStringList(value)
  if (name === 'aud' && value.startsWith('[') && value.endsWith(']')) return readStringList(value)
  return value
}
