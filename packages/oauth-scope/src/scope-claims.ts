/**
 * The `scopeClaims` option: the scopes read from named claims instead of `context.auth.scopes`.
 * The code of the `scopeClaims` extension, which `@middy-auth/oauth-scope/lean` leaves out
 * unless listed.
 */
import { readClaimPath, readScopeClaim } from '@middy-auth/core'
import { isListOf } from '@middy-auth/core/internal'
import { fail } from './requirements.js'
import type { ScopeReader } from './scopes.js'

/**
 * How scopes are read with the `scopeClaims` option: from those claims (names or dotted paths, as `readClaimPath` reads them), all of them
 * together, each by core's one scope rule (`readScopeClaim`): whitespace separates, a comma never
 * does, and a bracketed string is a list only when the claims went through API Gateway as strings.
 */
export function compileScopeClaims(scopeClaims: unknown): ScopeReader {
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
