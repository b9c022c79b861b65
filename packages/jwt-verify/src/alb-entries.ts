/**
 * What jwt-verify's options and verifier ask of `albIssuer()` entries, which carry their own
 * rules (./alb.ts): a bundle without `albIssuer()` holds only this lookup.
 */
import type { TokenSource } from '@middy-auth/core/internal'
import type { AlbAccessToken } from './alb-access-token.js'
import type { KeyResolver } from './key-resolver.js'
import { createVerifier, type VerifierSettings } from './verifier.js'

/** What sets an `albIssuer()` entry apart from other issuers. */
export interface AlbRules {
  readonly signers: ReadonlySet<string>
  readonly clientId: string | undefined
  readonly issuer: string | undefined
  /** The identity provider's access token, also required when set (`x-amzn-oidc-accesstoken`). */
  readonly accessToken: AlbAccessToken | undefined
  /** The token source when none is configured and the first issuer entry is this one: `undefined` unless every entry is an ALB entry. */
  readonly tokenSource: (issuers: readonly unknown[]) => TokenSource | undefined
  /** The ALB verifier, which refuses other issuers beside ALB entries: registered by `albIssuer()`, so that its code is bundled only with it. */
  readonly createVerifier: (settings: VerifierSettings) => ReturnType<typeof createVerifier>
}

/**
 * `albIssuer()` entries by their key resolver: the entry itself stays a plain issuer entry, and
 * jwt-verify's options need no field for it.
 */
export const albEntries = new WeakMap<KeyResolver, AlbRules>()

/**
 * The token source when none is configured: `Authorization: Bearer`, unless the `albIssuer()`
 * entries decide (`x-amzn-oidc-data` when every entry is one). `issuers`: the list as given
 * (its items not checked yet).
 *
 * @example
 * ```ts
 * const tokenSource = options.tokenSource ?? defaultTokenSource(options.issuers ?? [])
 * ```
 */
export const defaultTokenSource = (issuers: readonly unknown[]): TokenSource =>
  albEntries.get((issuers[0] as { keyResolver?: KeyResolver } | null | undefined)?.keyResolver as KeyResolver)?.tokenSource(issuers) ?? {
    header: 'Authorization',
    scheme: 'Bearer',
  }

/**
 * The verifier of a jwtVerify instance: the ALB verifier when an entry came from `albIssuer()`
 * (which refuses a mix with other issuers), else the JWT verifier.
 *
 * @example
 * ```ts
 * const { verify } = createVerifierFor({ issuers, cacheMaxEntries: 1000, now: Date.now })
 * ```
 */
export function createVerifierFor(settings: VerifierSettings): ReturnType<typeof createVerifier> {
  for (const { resolver } of settings.issuers) {
    const alb = albEntries.get(resolver)
    if (alb) return alb.createVerifier(settings)
  }
  return createVerifier(settings)
}
