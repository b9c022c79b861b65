/**
 * The check of `privateKey` at cold start. openid-client checks the key only when it uses it: a
 * public key then failed every request (discovery included, a 500), and a key that cannot sign
 * failed each callback after the user had signed in at the provider.
 */
import { types } from 'node:util'
import type { PrivateKey } from 'openid-client'
import { fail } from './errors.js'

/** Gives `{ key, kid? }` for a `privateKey` that can sign client assertions, or throws a `TypeError` saying what to fix. */
export const checkPrivateKey = (value: unknown): PrivateKey => {
  const { key, kid } = types.isCryptoKey(value) ? { key: value, kid: undefined } : (value as { key?: unknown; kid?: unknown })
  if (!types.isCryptoKey(key)) {
    throw fail(
      'privateKey',
      `must be a CryptoKey or { key: CryptoKey, kid? }: import a PEM or JWK with crypto.subtle.importKey(), a KeyObject with keyObject.toCryptoKey()`,
    )
  }
  if (key.type !== 'private') throw fail('privateKey', `must be a private key, not a ${key.type} one`)
  if (!key.usages.includes('sign')) throw fail('privateKey', `must be a signing key (ECDSA, RSASSA-PKCS1-v1_5, RSA-PSS, Ed25519) with the 'sign' usage`)
  if (kid !== undefined && typeof kid !== 'string') throw fail('privateKey.kid', `must be a string`)
  return kid === undefined ? { key } : { key, kid }
}
