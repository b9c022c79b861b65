// The token source is shared with @middy-auth/token-introspection, so it lives in core.
export { looksLikeSeveralTokens } from '@middy-auth/core/internal'
export type { ReadToken, TokenLookup, TokenSource } from '@middy-auth/core/internal'
