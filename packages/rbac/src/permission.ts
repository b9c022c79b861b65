/**
 * Permissions: `'*'` or `'resource:action'`, each part a word or `*`. A permission is parsed
 * once (at cold start for the policy and static requirements) into the pattern keys that can
 * match it.
 */
import { configErrors, splitPermission } from '@middy-auth/core/internal'

export const packageName = '@middy-auth/rbac'

/**
 * The mark of this package's extensions (core's `Extension.mark`): raise its number with any
 * change of an extension's code that a lean entry of another version would call wrongly (a
 * function added, removed, renamed, or taking other arguments). test/extension-marks.test.ts
 * records the shapes each mark stands for.
 */
export const extensionMark = `${packageName} extensions v1`

/** The `TypeError` of configuration that can never work, thrown at cold start (`rbac: <option> <problem>`). */
export const fail = configErrors(packageName, 'rbac')

/**
 * A permission: `'*'` or `'resource:action'`, where each part is a non-empty word without `:`,
 * `*` or whitespace, or `*` (every resource, every action). Compared exactly (case-sensitive).
 *
 * @example
 * ```ts
 * const permissions: Permission[] = ['articles:read', 'articles:*', '*:read', '*']
 * ```
 */
export type Permission = string

/** A permission split once. */
export interface ParsedPermission {
  /** As written; `'*:*'` becomes `'*'`. */
  text: string
  /**
   * `resource:action`, `resource:*`, `*:action`, `*:*` (with `*` kept where the permission has
   * it): every pattern that covers this permission. The first is the permission's own key.
   */
  keys: readonly string[]
}

/** `undefined` when the value is not a permission (core's one grammar, `splitPermission`). */
export function parsePermission(value: unknown): ParsedPermission | undefined {
  const parts = splitPermission(value)
  if (parts === undefined) return undefined
  const { resource, action } = parts
  const text = resource === '*' && action === '*' ? '*' : `${resource}:${action}`
  return {
    text,
    keys: [`${resource}:${action}`, `${resource}:*`, `*:${action}`, '*:*'],
  }
}

/** The problem of a value that is not a permission, with the grammar it must follow. */
export const notAPermission = (value: unknown, grammar: string): string => `${JSON.stringify(value)} is not a permission (${grammar})`
