import type { AuthContext } from '@middy-auth/core'
import { compileHeaderSource, type ConfigError, type ConfigErrorCause } from '@middy-auth/core/internal'
import type { IssuerConfig } from './issuer-config.js'
import { checkUnbound } from './confirmation.js'
import { claimsChecks, oidcDiscovery, staticKeys } from './extensions.js'
import { compileOptions } from './options.js'
import { TokenRejection } from './rejection.js'
import { createVerifier, type CompiledIssuer } from './verifier.js'

/**
 * Checks the identity provider's access token of a request whose `x-amzn-oidc-data` verified:
 * resolves with that identity, its scopes joined by the access token's.
 */
export type AccessTokenCheck = (albAuth: AuthContext, event: unknown) => AuthContext | Promise<AuthContext>

/** The `accessToken` entry of an `albIssuer()`, compiled at cold start. */
export interface AlbAccessToken {
  /** Starts fetching the provider's keys (at cold start, with the rest). */
  readonly prefetch: () => void
  /** Its verification for one jwtVerify instance: that instance's clock and cache size. */
  readonly createCheck: (cacheMaxEntries: number, now: () => number) => AccessTokenCheck
}

// The load balancer forwards the token bare, as it got it from the identity provider.
const readAccessToken = compileHeaderSource({ header: 'x-amzn-oidc-accesstoken', scheme: null }, false)

/**
 * Compiles the issuer entry of `x-amzn-oidc-accesstoken` with jwt-verify's own option checks,
 * so that it is verified exactly as jwtVerify would verify that entry's tokens. A mistake is a
 * `TypeError` from `albIssuer` at cold start.
 *
 * @example
 * ```ts
 * const accessToken = compileAlbAccessToken(cognitoIssuer({ userPoolId, clientId, tokenUse: 'access' }), 3000, fail)
 * ```
 */
export function compileAlbAccessToken(entry: IssuerConfig, timeoutMs: number | undefined, fail: ConfigError): AlbAccessToken {
  if (entry === null || typeof entry !== 'object') throw fail('accessToken', `must be an issuer entry such as cognitoIssuer({ ..., tokenUse: 'access' })`)
  // The load balancer forwards no DPoP proof and no client certificate: such a binding could never pass.
  if (entry.dpop !== undefined || entry.mtls !== undefined)
    throw fail('accessToken', `cannot use dpop or mtls: the load balancer forwards neither proofs nor certificates`)
  let compiled: CompiledIssuer
  try {
    // What an issuer entry may hold in jwtVerify's root entry (its key sources, its own claims
    // check: cognitoIssuer() has one); dpop and mtls are refused above.
    const extensions = new Map([staticKeys, oidcDiscovery, claimsChecks].map((extension) => [extension.name, extension]))
    const [issuers] = compileOptions({ issuers: [entry], ...(timeoutMs === undefined ? {} : { jwks: { timeoutMs } }) }, extensions)
    compiled = issuers[0] as CompiledIssuer
  } catch (error) {
    // jwtVerify's message, naming this option instead of the entry it compiled.
    const { message, cause } = error as TypeError & { cause: ConfigErrorCause }
    throw fail(cause.option.replace(/^issuers\[0\]/, 'accessToken'), message.slice(`jwtVerify: ${cause.option} `.length))
  }
  return {
    prefetch: () => compiled.resolver.prefetch(),
    createCheck: (cacheMaxEntries, now) => {
      const { verify } = createVerifier([compiled], cacheMaxEntries, now)
      function combine(albAuth: AuthContext, accessAuth: AuthContext): AuthContext {
        // Both tokens must be about one user: an access token of someone else is no authorization of this one.
        if (accessAuth.subject === '' || accessAuth.subject !== albAuth.subject) throw new TokenRejection('subject_mismatch')
        return { ...albAuth, scopes: [...new Set([...albAuth.scopes, ...accessAuth.scopes])] }
      }
      return (albAuth, event) => {
        const lookup = readAccessToken(event)
        if (lookup.kind !== 'token') throw new TokenRejection('access_token_missing')
        // Neither dpop nor mtls (refused above): a bound access token is refused, as by jwtVerify without them.
        const bearerOnly = (accessAuth: AuthContext): AuthContext => checkUnbound(accessAuth, 'bearer')
        const verified = verify(lookup.token)
        const bound = verified instanceof Promise ? verified.then(bearerOnly) : bearerOnly(verified)
        return bound instanceof Promise ? bound.then((accessAuth) => combine(albAuth, accessAuth)) : combine(albAuth, bound)
      }
    },
  }
}
