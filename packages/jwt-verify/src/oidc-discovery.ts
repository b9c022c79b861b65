/**
 * OIDC discovery (OpenID Connect Discovery 1.0, RFC 8414): the `jwks_uri` of an issuer, read
 * from its `/.well-known/openid-configuration`. Its own module so that a bundle whose issuer
 * entries all give a `jwksUri` leaves it out (the lean entry's `oidcDiscovery` extension).
 */
import { assertFetchableUrl, type FetchJson } from './fetch-json.js'

/**
 * The `jwks_uri` the discovery document of `issuer` names, checked as a fetchable URL. Rejects
 * when the document is not a JSON object, names another issuer or no `jwks_uri`, or names one
 * that key material must not come from.
 *
 * @example
 * ```ts
 * const jwksUri = await discoverJwksUri('https://login.example.com/', fetchJson, 3000)
 * ```
 */
export async function discoverJwksUri(issuer: string, fetchJson: FetchJson, timeoutMs: number): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  const unusable = (problem: string): Error => new Error(`OIDC discovery ${url}: ${problem}`)
  const document = await fetchJson(url, { timeoutMs })
  if (typeof document !== 'object' || document === null) throw unusable('not a JSON object')
  const { issuer: served, jwks_uri: jwksUri } = document as Record<string, unknown>
  // RFC 8414 §3.3 / OIDC Discovery §4.3: a document for another issuer must not be used.
  if (served !== issuer) throw unusable(`issuer ${JSON.stringify(served)} is not ${JSON.stringify(issuer)}`)
  if (typeof jwksUri !== 'string') throw unusable('no jwks_uri')
  return assertFetchableUrl(jwksUri, 'jwks_uri').href
}
