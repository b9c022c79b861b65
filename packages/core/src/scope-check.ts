/**
 * Scope requirements (RFC 6749 §3.3 scope-tokens): checked and compiled into Sets once, at cold
 * start; checked per request with Set lookups only. Shared by `@middy-auth/oauth-scope` and
 * `@middy-auth/authorizer`, so a route needs the same scopes in a function and at the gateway.
 */

import { challengeSafeText, isDpopNonceSafe } from './challenge.js'
import type { ConfigError } from './config-error.js'

/**
 * The RFC 6749 §3.3 scope-token charset as a JSON-schema `pattern`, for `validateOptions`.
 *
 * @example
 * ```ts
 * const scopeList = { type: 'array', items: { type: 'string', pattern: scopeTokenPattern } }
 * ```
 */
export const scopeTokenPattern = '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$'

/**
 * Whether a value is one RFC 6749 scope-token: printable ASCII without space, `"` or `\`.
 *
 * @example
 * ```ts
 * isScopeToken('orders:read') // true
 * isScopeToken('orders read') // false
 * ```
 */
// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`, the characters of a DPoP nonce
// (RFC 9449 §8.1's NQCHAR without the space): one check of them in the bundle.
export const isScopeToken = (value: unknown): value is string => typeof value === 'string' && isDpopNonceSafe(value)

/**
 * A scope requirement, compiled: every scope of `required`, and one of `anyOf` when it is set.
 *
 * @example
 * ```ts
 * const check: ScopeCheck = compileScopeCheck(['orders:write'], ['tenant:eu', 'tenant:us'])
 * check.challengeScope // ['orders:write', 'tenant:eu', 'tenant:us']
 * ```
 */
export interface ScopeCheck {
  /** Every one of these. Empty: none. */
  readonly required: ReadonlySet<string>
  /** At least one of these, when set. */
  readonly anyOf: ReadonlySet<string> | undefined
  /** Every scope that would satisfy the requirement, required ones first: a challenge's `scope`. */
  readonly challengeScope: readonly string[]
}

/** The one message for a value that is not a scope-token, read from options or compiled. */
const notAScope = (scope: unknown): string => `${JSON.stringify(scope)} is not a scope (RFC 6749 §3.3: ${challengeSafeText} or spaces)`

/**
 * Reads a configured list of scopes: a non-empty array of scope-tokens, duplicates dropped.
 * Anything else is reported through the caller's {@link ConfigError}, at `at` (or the item's
 * path), with a hint: a string where a list belongs, an empty list, a scope with a space in it.
 *
 * @example
 * ```ts
 * const fail = configErrors('my-middleware', 'myMiddleware')
 * readScopeTokens(['orders:read', 'orders:read'], 'required', fail) // ['orders:read']
 * readScopeTokens('orders:read', 'required', fail) // throws: required must be a list of scopes such as ['orders:read'], not a string: …
 * ```
 */
export function readScopeTokens(value: unknown, at: string, fail: ConfigError): string[] {
  if (!Array.isArray(value)) {
    const words = typeof value === 'string' ? value.trim() : ''
    throw fail(at, `must be a list of scopes such as ['orders:read']${words ? `, not a string: write ['${words.split(/\s+/).join("', '")}']` : ''}`)
  }
  if (value.length === 0) throw fail(at, `is empty: list at least one scope, or leave it out`)
  // Every index, holes of a sparse array included (forEach would skip them).
  for (let index = 0; index < value.length; index++) {
    const scope: unknown = value[index]
    if (isScopeToken(scope)) continue
    const hint = typeof scope === 'string' && /\s/.test(scope) ? `; list ${JSON.stringify(scope)} as separate scopes` : ''
    throw fail(`${at}[${index}]`, notAScope(scope) + hint)
  }
  return [...new Set(value as string[])]
}

/**
 * Compiles a requirement from lists already read with {@link readScopeTokens}: every scope of
 * `required` (may be empty) and, when given, at least one of `anyOf`. Throws a `TypeError` on
 * a value that is not a scope-token.
 *
 * @example
 * ```ts
 * const write = compileScopeCheck(['orders:write'])
 * const readOrAdmin = compileScopeCheck([], ['orders:read', 'orders:admin'])
 * ```
 */
export function compileScopeCheck(required: readonly string[], anyOf?: readonly string[]): ScopeCheck {
  for (const scope of [...required, ...(anyOf ?? [])]) {
    if (!isScopeToken(scope)) throw new TypeError(notAScope(scope), { cause: { package: '@middy-auth/core' } })
  }
  return scopeCheckOf(required, anyOf)
}

/**
 * Reads a requirement from options and compiles it: `required` (every one; left out, none) and
 * `anyOf` (one of them; left out, no such condition), each read with {@link readScopeTokens} at
 * its path in `paths`. What it reads is checked once, there.
 *
 * @example
 * ```ts
 * const fail = configErrors('my-middleware', 'myMiddleware')
 * const check = readScopeCheck(['orders:read'], undefined, ['required', 'anyOf'], fail)
 * ```
 */
export const readScopeCheck = (required: unknown, anyOf: unknown, paths: readonly [required: string, anyOf: string], fail: ConfigError): ScopeCheck =>
  scopeCheckOf(
    required === undefined ? [] : readScopeTokens(required, paths[0], fail),
    anyOf === undefined ? undefined : readScopeTokens(anyOf, paths[1], fail),
  )

function scopeCheckOf(required: readonly string[], anyOf: readonly string[] | undefined): ScopeCheck {
  return { required: new Set(required), anyOf: anyOf && new Set(anyOf), challengeScope: Object.freeze([...new Set([...required, ...(anyOf ?? [])])]) }
}

/**
 * Whether the held scopes satisfy the requirement: every required scope, and one of `anyOf`.
 * Scopes compare exactly (RFC 6749: case-sensitive). No allocation: Set lookups over the held list.
 *
 * @example
 * ```ts
 * scopesSatisfy(compileScopeCheck(['orders:read']), context.auth.scopes) // true or false
 * ```
 */
export function scopesSatisfy({ required, anyOf }: ScopeCheck, held: readonly unknown[]): boolean {
  if (required.size > 0) {
    let missing = required.size
    for (let i = 0; i < held.length; i++) {
      const scope = held[i] as string
      // `indexOf` skips a scope the token lists twice, so it is counted once.
      if (required.has(scope) && held.indexOf(scope) === i) missing--
    }
    if (missing > 0) return false
  }
  if (anyOf === undefined) return true
  for (let i = 0; i < held.length; i++) if (anyOf.has(held[i] as string)) return true
  return false
}

/**
 * What is missing, for logs (`cause.data`): only scopes from the configuration, never the
 * caller's own.
 *
 * @example
 * ```ts
 * unmetScopes(compileScopeCheck(['a', 'b'], ['c']), ['a']) // { missing: ['b'], anyOf: ['c'] }
 * ```
 */
export function unmetScopes({ required, anyOf }: ScopeCheck, held: readonly unknown[]): { missing: string[]; anyOf?: string[] } {
  const holds = new Set(held)
  const missing = [...required].filter((scope) => !holds.has(scope))
  const anyOfMet = anyOf === undefined || [...anyOf].some((scope) => holds.has(scope))
  return anyOfMet ? { missing } : { missing, anyOf: [...anyOf] }
}
