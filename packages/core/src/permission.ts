/**
 * The one grammar of permissions, for rbac's policies and requirements and the authorizer's
 * `routes`: `'resource:action'`, each part a non-empty word without `:`, `*`, whitespace or a
 * control character, or `*` (every resource, every action); `'*'` alone is `'*:*'`. Control
 * characters are refused everywhere: a permission is written in configuration and logged in
 * decisions, and a NUL or a line break in it can only hide what it grants.
 */

// Each part a word or `*`, exactly one colon between them.
const permission = /^(\*|[^\s:*\p{Cc}]+):(\*|[^\s:*\p{Cc}]+)$/u

/**
 * A permission split into its resource and action (`'*'` is `{ resource: '*', action: '*' }`);
 * `undefined` when the value is not a permission.
 *
 * @example
 * ```ts
 * splitPermission('articles:read') // { resource: 'articles', action: 'read' }
 * splitPermission('articles:*')    // { resource: 'articles', action: '*' }
 * splitPermission('articles')      // undefined
 * ```
 */
export function splitPermission(value: unknown): { resource: string; action: string } | undefined {
  if (value === '*') return { resource: '*', action: '*' }
  const parts = typeof value === 'string' ? permission.exec(value) : null
  return parts ? { resource: parts[1] as string, action: parts[2] as string } : undefined
}

/**
 * Whether the value is a permission without wildcard (`'articles:update'`): what a requirement
 * names, where a wildcard is for grants.
 *
 * @example
 * ```ts
 * isConcretePermission('articles:update') // true
 * isConcretePermission('articles:*')      // false
 * ```
 */
export function isConcretePermission(value: unknown): value is string {
  const parts = splitPermission(value)
  return parts !== undefined && parts.resource !== '*' && parts.action !== '*'
}
