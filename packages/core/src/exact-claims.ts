/**
 * Whether an identity's string claims are each one value (a verified token's JSON, an IAM
 * caller, a context written by `@middy-auth/authorizer`), rather than strings a gateway made out
 * of lists. Read from the identity's own `stringifiedClaims` field, so that it travels with every
 * copy of the identity and never depends on which object a middleware holds.
 *
 * @example
 * ```ts
 * hasExactClaims(context.auth) // true after jwtVerify, false behind the HTTP API JWT authorizer
 * ```
 */
export const hasExactClaims = (identity: { readonly stringifiedClaims?: boolean | undefined }): boolean => identity.stringifiedClaims !== true
