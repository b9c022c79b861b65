/** Identities whose claims were read exactly (a context written by `@middy-auth/authorizer`). */
const exactIdentities = new WeakSet<object>()

/**
 * Records that an identity's string claims are each one value. Internal to the suite's readers.
 *
 * @example
 * ```ts
 * markExactClaims(auth)
 * ```
 */
export const markExactClaims = (identity: object): void => {
  exactIdentities.add(identity)
}

/**
 * Whether an identity's string claims are each one value (a verified token's JSON, an IAM
 * caller, or a context written by `@middy-auth/authorizer`), rather than strings a gateway made
 * out of lists.
 *
 * @example
 * ```ts
 * hasExactClaims(context.auth) // true after jwtVerify, false behind the HTTP API JWT authorizer
 * ```
 */
export const hasExactClaims = (identity: { source: string }): boolean =>
  identity.source === 'jwt' || identity.source === 'iam' || exactIdentities.has(identity)
