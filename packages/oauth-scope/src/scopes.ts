import type { AuthContext } from '@middy-auth/core'

/** The scopes of a caller, as the check reads them. */
export type ScopeReader = (auth: AuthContext) => readonly unknown[]

/** Default: `context.auth.scopes`, which every identity middleware normalizes. */
export const fromAuthScopes: ScopeReader = (auth) => (Array.isArray(auth.scopes) ? auth.scopes : [])
