import { readClaimPath, readScopeClaim, type AuthContext } from '@middy-auth/core'

/** The scopes of a caller, as the check reads them. */
export type ScopeReader = (auth: AuthContext) => readonly unknown[]

/** Default: `context.auth.scopes`, which every identity middleware normalizes. */
const fromAuthScopes: ScopeReader = (auth) => (Array.isArray(auth.scopes) ? auth.scopes : [])

/**
 * How scopes are read: from `context.auth.scopes`, or, with `scopeClaims`, from those claims
 * (names or dotted paths, as `readClaimPath` reads them), all of them together, each by core's
 * one scope rule (`readScopeClaim`): whitespace separates, a comma never does, and a bracketed
 * string is a list only when the claims went through API Gateway as strings.
 */
export const compileScopeReader = (scopeClaims: readonly string[] | undefined): ScopeReader => {
  if (scopeClaims === undefined) return fromAuthScopes
  return (auth) => {
    const held: unknown[] = []
    for (const claim of scopeClaims) held.push(...readScopeClaim(auth, readClaimPath(auth.claims, claim)))
    return held
  }
}
