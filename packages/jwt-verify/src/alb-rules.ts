/**
 * What jwt-verify's options and verifier ask of `albIssuer()` entries, which carry their own
 * rules (./alb.ts), found by their key resolver in `albEntries` (./options.ts): types only, so
 * that a bundle without `albIssuer()` holds no ALB code.
 */
import type { TokenSource } from '@middy-auth/core/internal'
import type { AlbAccessToken } from './alb-access-token.js'
import type { CreateVerifier } from './verifier.js'

/** What sets an `albIssuer()` entry apart from other issuers. */
export interface AlbRules {
  readonly signers: ReadonlySet<string>
  readonly clientId: string | undefined
  readonly issuer: string | undefined
  /** The identity provider's access token, also required when set (`x-amzn-oidc-accesstoken`). */
  readonly accessToken: AlbAccessToken | undefined
  /** The token source when none is configured and the first issuer entry is this one: `undefined` unless every entry is an ALB entry. */
  readonly tokenSource: (issuers: readonly unknown[]) => TokenSource | undefined
  /** The ALB verifier, which refuses other issuers beside ALB entries: carried by `albIssuer()` entries, so that its code is bundled only with them. */
  readonly createVerifier: CreateVerifier
}
