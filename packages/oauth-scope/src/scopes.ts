import { readClaimPath, readScopeList, readStringList, type AuthContext } from '@middy-auth/core'

/** The scopes of a caller, as the check reads them. */
export type ScopeReader = (auth: AuthContext) => readonly unknown[]

/** Default: `context.auth.scopes`, which every identity middleware normalizes. */
const fromAuthScopes: ScopeReader = (auth) => (Array.isArray(auth.scopes) ? auth.scopes : [])

/**
 * A claim's scopes. A verified token's claims are JSON: a list, or a space-delimited string
 * (RFC 6749 §3.3; Entra ID's `scp`), where only whitespace separates (a scope-token may contain
 * a comma). Claims that went through API Gateway (`apigateway`, `lambda-authorizer`) are
 * strings that may hold a list (`"[a b]"`, `"a,b"`): core's tolerant reader restores it.
 */
const claimScopes = (value: unknown, stringified: boolean): readonly unknown[] =>
  // Only the bracketed form is a gateway-made list; any other string is space-delimited scopes,
  // as in the token (a scope may hold a comma).
  stringified && typeof value === 'string' && value.startsWith('[') && value.endsWith(']') ? readStringList(value) : readScopeList(value)

/**
 * How scopes are read: from `context.auth.scopes`, or, with `scopeClaims`, from those claims
 * (names or dotted paths, as `readClaimPath` reads them), all of them together.
 */
export const compileScopeReader = (scopeClaims: readonly string[] | undefined): ScopeReader => {
  if (scopeClaims === undefined) return fromAuthScopes
  return (auth) => {
    const stringified = auth.source === 'apigateway' || auth.source === 'lambda-authorizer'
    const held: unknown[] = []
    for (const claim of scopeClaims) held.push(...claimScopes(readClaimPath(auth.claims, claim), stringified))
    return held
  }
}
