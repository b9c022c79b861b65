/**
 * Scope requirements as oauthScope's options write them (a list, or `{ required?, anyOf? }`),
 * compiled at cold start with `@middy-auth/core`'s scope check, which `@middy-auth/authorizer`
 * shares; and what the middleware and the `routeMaps` extension both build from: the package's
 * name, its configuration errors and its denials.
 */
import { AuthError, type AuthErrorOptions } from '@middy-auth/core'
import { checkOptionNames, configErrors, isRecord, readScopeCheck, refuseMisspelled, type ScopeCheck } from '@middy-auth/core/internal'
import type { OAuthScopeDenialReason } from './middleware.js'

export const packageName = '@middy-auth/oauth-scope'

/**
 * The mark of this package's extensions (core's `Extension.mark`): raise its number with any
 * change of an extension's code that a lean entry of another version would call wrongly (a
 * function added, removed, renamed, or taking other arguments). test/extension-marks.test.ts
 * records the shapes each mark stands for.
 */
export const extensionMark = `${packageName} extensions v1`

/** The `TypeError` of configuration that can never work, thrown at cold start. */
export const fail = configErrors(packageName, 'oauthScope')

/** A denial: the `AuthError` for `@middy/http-error-handler`, with why (`reason`). */
export const deny = (
  code: 'missing_token' | 'access_denied' | 'insufficient_scope',
  reason: OAuthScopeDenialReason,
  options: Omit<AuthErrorOptions, 'package' | 'reason'>,
) => new AuthError<OAuthScopeDenialReason>(code, { package: packageName, reason, ...options })

const requirementFields = ['required', 'anyOf']

/** A requirement, compiled. */
export type CompiledRequirement = ScopeCheck

/**
 * `required` (every one of these scopes) and `anyOf` (at least one), each left out or a
 * non-empty list, as one requirement. `at` prefixes their paths in error messages (`''` for the
 * options, `routes["GET /orders"].` in a route).
 */
export const compileScopes = (required: unknown, anyOf: unknown, at = ''): CompiledRequirement =>
  readScopeCheck(required, anyOf, [`${at}required`, `${at}anyOf`], fail)

/**
 * Compiles one requirement: a list (all of them) or `{ required?, anyOf? }` with at least one
 * of the two. `at` names it in error messages (`routes["GET /orders"]`, `routesDefault`).
 */
export function compileRequirement(value: unknown, at: string): CompiledRequirement {
  if (Array.isArray(value)) return readScopeCheck(value, undefined, [at, at], fail)
  if (!isRecord(value)) throw fail(at, `must be a list of scopes (all of them) or { required?, anyOf? }`)
  refuseMisspelled(value, requirementFields, fail, `${at}.`)
  checkOptionNames(value, requirementFields, fail, `${at}.`)
  if (value.required === undefined && value.anyOf === undefined) throw fail(at, `requires nothing: give required, anyOf, or both`)
  return compileScopes(value.required, value.anyOf, `${at}.`)
}
