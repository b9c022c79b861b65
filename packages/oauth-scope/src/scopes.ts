import { readClaimPath, readScopeClaim, type AuthContext } from '@middy-auth/core'
import { isListOf, type ConfigError } from '@middy-auth/core/internal'

/** The scopes of a caller, as the check reads them. */
export type ScopeReader = (auth: AuthContext) => readonly unknown[]

/** Default: `context.auth.scopes`, which every identity middleware normalizes. */
const fromAuthScopes: ScopeReader = (auth) => (Array.isArray(auth.scopes) ? auth.scopes : [])

/**
 * How scopes are read, from the `scopeClaims` option: from `context.auth.scopes` without it, or
 * from those claims (names or dotted paths, as `readClaimPath` reads them), all of them
 * together, each by core's one scope rule (`readScopeClaim`): whitespace separates, a comma never
 * does, and a bracketed string is a list only when the claims went through API Gateway as strings.
 */
export const compileScopeReader = (scopeClaims: unknown, fail: ConfigError): ScopeReader => {
  if (scopeClaims === undefined) return fromAuthScopes
  const names: unknown = typeof scopeClaims === 'string' ? [scopeClaims] : scopeClaims
  // A hole (`[, 'scp']`) too: read at run time, it was a 500 on every request.
  if (!isListOf(names, (name) => typeof name === 'string' && name !== '') || names.length === 0) {
    throw fail('scopeClaims', `must be a claim name or a non-empty list of them, such as ['scope', 'scp']`)
  }
  return (auth) => {
    const held: unknown[] = []
    for (const claim of names as string[]) held.push(...readScopeClaim(auth, readClaimPath(auth.claims, claim)))
    return held
  }
}
