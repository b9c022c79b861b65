/**
 * Scope requirements as oauthScope's options write them (a list, or `{ required?, anyOf? }`),
 * compiled at cold start with `@middy-auth/core`'s scope check, which `@middy-auth/authorizer`
 * shares.
 */
import { checkOptionNames, compileScopeCheck, configErrors, isRecord, readScopeTokens, type ScopeCheck } from '@middy-auth/core/internal'

export const packageName = '@middy-auth/oauth-scope'

/** The `TypeError` of configuration that can never work, thrown at cold start. */
export const fail = configErrors(packageName, 'oauthScope')

const requirementFields = ['required', 'anyOf']

/** A requirement, compiled. */
export type CompiledRequirement = ScopeCheck

/** A non-empty list of scope tokens, without duplicates. */
const scopeList = (value: unknown, at: string): string[] => readScopeTokens(value, at, fail)

/**
 * Compiles one requirement: a list (all of them) or `{ required?, anyOf? }` with at least one
 * of the two. `at` names it in error messages (`required`, `routes["GET /orders"]`).
 */
export const compileRequirement = (value: unknown, at: string): CompiledRequirement => {
  if (Array.isArray(value)) return compileScopeCheck(scopeList(value, at))
  if (!isRecord(value)) throw fail(at, `must be a list of scopes (all of them) or { required?, anyOf? }`)
  checkOptionNames(value, requirementFields, fail, `${at}.`, { require: 'required' })
  const required = value.required === undefined ? [] : scopeList(value.required, `${at}.required`)
  const anyOf = value.anyOf === undefined ? undefined : scopeList(value.anyOf, `${at}.anyOf`)
  if (required.length === 0 && anyOf === undefined) throw fail(at, `requires nothing: give required, anyOf, or both`)
  return compileScopeCheck(required, anyOf)
}

/** The top-level `required` and `anyOf` options as one requirement. */
export const compileTopLevel = (required: unknown, anyOf: unknown): CompiledRequirement =>
  compileScopeCheck(required === undefined ? [] : scopeList(required, 'required'), anyOf === undefined ? undefined : scopeList(anyOf, 'anyOf'))
