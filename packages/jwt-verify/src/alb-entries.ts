import { configErrors, type TokenSource } from '@middy-auth/core/internal'
import type { AlbAccessToken } from './alb-access-token.js'
import type { IssuerConfig } from './issuer-config.js'
import type { KeyResolver } from './key-resolver.js'
import { createVerifier, type VerifierSettings } from './verifier.js'
import { packageName } from './package-name.js'

/** What sets an `albIssuer()` entry apart from other issuers. */
export interface AlbRules {
  readonly signers: ReadonlySet<string>
  readonly clientId: string | undefined
  readonly issuer: string | undefined
  /** The identity provider's access token, also required when set (`x-amzn-oidc-accesstoken`). */
  readonly accessToken: AlbAccessToken | undefined
  /** The ALB verifier: registered by `albIssuer()`, so that its code is bundled only with it. */
  readonly createVerifier: (settings: VerifierSettings) => ReturnType<typeof createVerifier>
}

/**
 * `albIssuer()` entries by their key resolver: the entry itself stays a plain
 * {@link IssuerConfig}, and jwt-verify's options need no field for it.
 */
export const albEntries = new WeakMap<KeyResolver, AlbRules>()

const isAlbEntry = (entry: { keyResolver?: KeyResolver | undefined } | undefined): boolean =>
  entry?.keyResolver !== undefined && albEntries.has(entry.keyResolver)

/**
 * The token source when none is configured: `x-amzn-oidc-data` (the bare token) when every
 * entry came from `albIssuer()`, else `Authorization: Bearer`.
 *
 * @example
 * ```ts
 * const tokenSource = options.tokenSource ?? defaultTokenSource(options.issuers)
 * ```
 */
export const defaultTokenSource = (issuers: readonly IssuerConfig[] | undefined): TokenSource =>
  Array.isArray(issuers) && issuers.length > 0 && issuers.every(isAlbEntry)
    ? { header: 'x-amzn-oidc-data', scheme: null }
    : { header: 'Authorization', scheme: 'Bearer' }

/**
 * The verifier of a jwtVerify instance: the ALB verifier when every entry came from
 * `albIssuer()`, else the JWT verifier. ALB entries cannot be mixed with other issuers in one
 * jwtVerify (their tokens come from another header): a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * const { verify } = createVerifierFor({ issuers, cacheMaxEntries: 1000, now: Date.now })
 * ```
 */
export const createVerifierFor = (settings: VerifierSettings): ReturnType<typeof createVerifier> => {
  const alb = settings.issuers.map((entry) => albEntries.get(entry.resolver)).filter((rules) => rules !== undefined)
  if (alb.length === 0) return createVerifier(settings)
  if (alb.length !== settings.issuers.length) {
    throw configErrors(packageName, 'jwtVerify')('issuers', 'cannot mix albIssuer() entries with other issuers in one jwtVerify()')
  }
  return (alb[0] as AlbRules).createVerifier(settings)
}
