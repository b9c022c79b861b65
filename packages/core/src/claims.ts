/**
 * Tolerant readers of claims. Tokens carry lists and numbers as JSON; API Gateway hands them on
 * as strings: `"[a b]"` (HTTP API JWT authorizer), `"a,b"` (REST Cognito authorizer),
 * `"a b"` (OAuth `scope`), `"1718722804"` and `"Tue Jun 18 15:00:04 UTC 2024"` (times).
 */
import { hasExactClaims } from './exact-claims.js'
import { emptyRecord } from './record.js'

/**
 * A list of names (groups, roles) from an array or the string forms gateways make of one: the
 * HTTP API JWT authorizer's `"[a b]"` (bracketed, space-separated), JSON text (`'["a","b"]'`), and
 * the REST Cognito authorizer's `"a,b"`. An unbracketed string is split on commas only, so a name
 * with a space (`"Domain Editors"`, `"Not Admins"`) stays one name. `null`, `undefined`, `""` and
 * other types are the empty list.
 *
 * @example
 * ```ts
 * readStringList('[admin editor]') // ['admin', 'editor']
 * readStringList('admin,editor')   // ['admin', 'editor']
 * readStringList('Not Admins')     // ['Not Admins']
 * ```
 */
export function readStringList(value: unknown): string[] {
  if (typeof value !== 'string') return nonEmptyStrings(value)
  const text = value.trim()
  // Each item is trimmed: splitting on the comma alone is splitting on it and the spaces around it.
  return bracketedList(text, (inside) => splitOn(inside, /[\s,]+/)) ?? splitOn(text, ',')
}

/**
 * The list a bracketed string holds: JSON (`'["a","b"]'`), else what is inside the brackets as
 * `readItems` reads it (`"[a b]"`); `undefined` when the text is not bracketed.
 */
const bracketedList = (text: string, readItems: (inside: string) => string[]): string[] | undefined =>
  isBracketed(text) ? (parseJsonList(text) ?? readItems(text.slice(1, -1))) : undefined

const isBracketed = (text: string): boolean => text.startsWith('[') && text.endsWith(']')

const splitOn = (text: string, separator: string | RegExp): string[] =>
  text
    .split(separator)
    .map((v) => v.trim())
    .filter(Boolean)

/** The non-empty strings of a list, in order; `[]` for anything else. */
const nonEmptyStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : []

/** Printable ASCII scope-tokens (`!` to `~`) separated by single spaces: `split(' ')` reads them as the regex split does. */
const singleSpacedAscii = /^[!-~]+(?: [!-~]+)*$/

/**
 * OAuth scopes from a claim of a verified token: a list (Okta's `scp`), or a space-delimited
 * string (RFC 6749 §3.3 `scope`, Entra ID's `scp`). Only whitespace separates: a scope-token may
 * itself hold `,` or `[`. {@link readScopeClaim} also reads the strings gateways make of lists.
 *
 * @example
 * ```ts
 * readScopeList('orders:read orders:write') // ['orders:read', 'orders:write']
 * readScopeList('read,admin')               // ['read,admin']: one scope
 * ```
 */
export function readScopeList(value: unknown): string[] {
  if (typeof value !== 'string') return nonEmptyStrings(value)
  // The usual form, printable ASCII scope-tokens between single spaces, without a regex split.
  return singleSpacedAscii.test(value) ? value.split(' ') : value.split(/\s+/).filter(Boolean)
}

/**
 * The scopes of a scope claim (`scope`, `scp`, a context's `scopes`), by the suite's one rule:
 * a list is the list; a string is space-delimited scope-tokens (RFC 6749 §3.3), so a comma never
 * separates (a scope-token may hold one); and only when the identity's claims went through API
 * Gateway as strings (`stringifiedClaims`), a bracketed string is the gateway's form of a list:
 * JSON (`'["a","b"]'`) or the HTTP API JWT authorizer's `"[a b]"`, whose items are
 * space-separated as scope-tokens cannot hold a space.
 *
 * @example
 * ```ts
 * readScopeClaim({}, 'orders:read orders:write')                       // ['orders:read', 'orders:write']
 * readScopeClaim({}, 'read,admin')                                     // ['read,admin']
 * readScopeClaim({ stringifiedClaims: true }, '[orders:read orders:write]') // ['orders:read', 'orders:write']
 * readScopeClaim({}, '[orders:read]')                                  // ['[orders:read]']: a token's own scope-token
 * ```
 */
export function readScopeClaim(identity: { readonly stringifiedClaims?: boolean | undefined }, value: unknown): string[] {
  // A bracketed string is a list only in claims a gateway made strings of.
  const bracketed = typeof value === 'string' && !hasExactClaims(identity) ? bracketedList(value.trim(), readScopeList) : undefined
  return bracketed ?? readScopeList(value)
}

/**
 * A list claim (groups, roles) of an identity, read as safely as its origin allows. A verified
 * token's claims are JSON, and `@middy-auth/authorizer` writes lists as JSON: there an array is
 * the list and a string is ONE name (`"Not Admins"` must never grant `Admins`). Only claims that
 * went through API Gateway as strings (the identity's `stringifiedClaims`) may hold a list in a
 * string (`"[a b]"`, `"a,b"`), read with {@link readStringList}: there a name with a space or a
 * comma cannot be told from two names, which the gateway's format loses, not this reader.
 *
 * @example
 * ```ts
 * readListClaim({ source: 'jwt' }, 'Not Admins')                                   // ['Not Admins']
 * readListClaim({ source: 'apigateway', stringifiedClaims: true }, '[admin editor]') // ['admin', 'editor']
 * ```
 */
export function readListClaim(identity: { readonly source?: string; readonly stringifiedClaims?: boolean | undefined }, value: unknown): string[] {
  if (typeof value === 'string' && hasExactClaims(identity)) return value === '' ? [] : [value]
  return readStringList(value)
}

/** The array a JSON text holds, whatever its items; `undefined` for any other text. */
export function parseJsonArray(text: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

/** A JSON list of strings, or `undefined` for any other text. */
export function parseJsonList(text: string): string[] | undefined {
  const parsed = parseJsonArray(text)
  return parsed?.every((v): v is string => typeof v === 'string') ? parsed : undefined
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
export function readNumber(value: unknown): number | undefined {
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
export function readNumericDate(value: unknown): number | undefined {
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
export function readBoolean(value: unknown): boolean | undefined {
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
export function readClaimPath(claims: unknown, path: string | readonly string[]): unknown {
  if (claims === null || typeof claims !== 'object') return undefined
  if (typeof path === 'string' && Object.hasOwn(claims, path)) return (claims as Record<string, unknown>)[path]
  let current: unknown = claims
  for (const segment of typeof path === 'string' ? path.split('.') : path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

const timeClaims = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at'])
const booleanClaims = new Set(['email_verified', 'phone_number_verified'])
const listClaims = new Set(['cognito:groups', 'cognito:roles', 'groups', 'roles', 'amr', 'permissions'])

/**
 * Gives back to gateway claims (all strings) the types the token had: times become numbers,
 * the verified flags booleans, group, role and permission claims lists (`aud` too, when
 * bracketed), and `scp` a list of scopes by {@link readScopeClaim}'s rule. Other claims are left
 * as they are: a string that looks like a number may be a user name. The copy has no prototype,
 * so a `__proto__` claim is data.
 *
 * @example
 * ```ts
 * restoreGatewayClaims({ exp: '1718722804', 'cognito:groups': '[admin editor]' })
 * // { exp: 1718722804, 'cognito:groups': ['admin', 'editor'] }
 * ```
 */
export function restoreGatewayClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const restored = emptyRecord()
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
export function restoreScalarClaim(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value
  if (timeClaims.has(name)) return readNumericDate(value) ?? value
  if (booleanClaims.has(name)) return readBoolean(value) ?? value
  return value
}

function restoreClaim(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value
  if (timeClaims.has(name) || booleanClaims.has(name)) return restoreScalarClaim(name, value)
  if (listClaims.has(name)) return readStringList(value)
  if (name === 'scp') return readScopeClaim({ stringifiedClaims: true }, value)
  if (name === 'aud' && isBracketed(value)) return readStringList(value)
  return value
}
