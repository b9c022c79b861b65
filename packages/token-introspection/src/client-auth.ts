import { randomUUID, sign, type KeyObject } from 'node:crypto'

/** How a `private_key_jwt` assertion is signed, from the key's type. */
export interface AssertionSigner {
  readonly alg: 'RS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'
  readonly key: KeyObject
  readonly keyId: string | undefined
}

/** The client's credentials, compiled at cold start. */
export type ClientCredentials =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'private_key_jwt'; readonly clientId: string; readonly signer: AssertionSigner }

/** The part of the introspection request that authenticates the client. */
export interface ClientAuthentication {
  readonly headers: Record<string, string>
  readonly form: Record<string, string>
}

const ecAlgorithms: Record<string, AssertionSigner['alg']> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }
const hashOf: Record<AssertionSigner['alg'], string | null> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', EdDSA: null }

/**
 * The JWS algorithm for a private key: RS256 for RSA (2048 bits or more), ES256/384/512 by curve,
 * EdDSA for Ed25519. Returns a reason when the key cannot sign an assertion.
 *
 * @example
 * ```ts
 * assertionAlgorithm(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey) // 'ES256'
 * ```
 */
export const assertionAlgorithm = (key: KeyObject): AssertionSigner['alg'] | { problem: string } => {
  if (key.type !== 'private') return { problem: 'must be a private key' }
  const details = key.asymmetricKeyDetails
  if (key.asymmetricKeyType === 'rsa') return (details?.modulusLength ?? 0) >= 2048 ? 'RS256' : { problem: 'an RSA key must have 2048 bits or more' }
  if (key.asymmetricKeyType === 'ec') return ecAlgorithms[details?.namedCurve ?? ''] ?? { problem: 'an EC key must be on P-256, P-384 or P-521' }
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  return { problem: 'must be an RSA, EC or Ed25519 key' }
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
const basicCredentials = (clientId: string, clientSecret: string): string => {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`
}

const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * A `private_key_jwt` client assertion (RFC 7523 §3, OpenID Connect Core §9): `iss` and `sub`
 * the client id, `aud` the authorization server, a fresh `jti`, valid for 60 seconds.
 */
const clientAssertion = (clientId: string, signer: AssertionSigner, audience: string, nowSeconds: number): string => {
  const header = segment({ alg: signer.alg, typ: 'JWT', ...(signer.keyId === undefined ? {} : { kid: signer.keyId }) })
  const payload = segment({ iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat: nowSeconds, exp: nowSeconds + 60 })
  const input = `${header}.${payload}`
  // JWS ECDSA signatures are raw r||s (RFC 7518 §3.4), not DER.
  const signature = sign(hashOf[signer.alg], Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}

/**
 * The header and form fields that authenticate the client for one call (RFC 7662 §2.1 requires
 * it): `Authorization: Basic`, `client_id` and `client_secret` in the form, or a fresh signed
 * assertion whose audience is the issuer (or, without one, the endpoint).
 *
 * @example
 * ```ts
 * const { headers, form } = clientAuthentication(credentials, 'https://auth.example.com', Date.now())
 * ```
 */
export const clientAuthentication = (credentials: ClientCredentials, audience: string, nowMs: number): ClientAuthentication => {
  switch (credentials.method) {
    case 'client_secret_basic':
      return { headers: { authorization: basicCredentials(credentials.clientId, credentials.clientSecret) }, form: {} }
    case 'client_secret_post':
      return { headers: {}, form: { client_id: credentials.clientId, client_secret: credentials.clientSecret } }
    case 'private_key_jwt':
      return {
        headers: {},
        form: {
          client_id: credentials.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion(credentials.clientId, credentials.signer, audience, Math.floor(nowMs / 1000)),
        },
      }
  }
}
