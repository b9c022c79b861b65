/**
 * Sealed values: JWE compact serialization, `dir` + `A256GCM` (encrypted and authenticated),
 * with `jose`. Each secret gives one 256-bit key per purpose and per client (issuer and client
 * id) through HKDF-SHA-256, so a login transaction can never be unsealed as a session, and a
 * session of another configuration that shares the secret (another provider, another client) is
 * never ours. The key's id (a hash of the key, not of the
 * secret) travels in the header to pick the key among rotated secrets.
 */
import { createHash, hkdfSync } from 'node:crypto'
import { EncryptJWT, decodeProtectedHeader, jwtDecrypt, type JWTPayload } from 'jose'

/** What a sealed value is for; part of the key derivation. */
export type SealPurpose = 'session' | 'transaction'

/** Seals and unseals values for one purpose. */
export interface Sealer {
  /** Encrypts `payload`, valid until `expiresAt` (seconds since the epoch). */
  seal(payload: Record<string, unknown>, now: number, expiresAt: number): Promise<string>
  /** The payload, or `undefined` when the value is not ours, tampered with, or expired. */
  unseal(value: string, now: number): Promise<(JWTPayload & Record<string, unknown>) | undefined>
}

interface DerivedKey {
  kid: string
  key: Uint8Array
}

/** Whose values a sealer seals: the configuration's issuer and client. */
export interface SealAudience {
  issuer: string
  clientId: string
}

const deriveKey = (secret: string, purpose: SealPurpose, { issuer, clientId }: SealAudience): DerivedKey => {
  // JSON keeps the parts apart whatever they hold (an issuer with a space, a client id with one).
  const info = JSON.stringify(['@middy-auth/oauth-login', purpose, 'A256GCM', issuer, clientId])
  const key = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), info, 32))
  return { kid: createHash('sha256').update(key).digest('base64url').slice(0, 12), key }
}

/** A JWE compact value has five base64url parts; anything else is refused before parsing. */
const jweShape = /^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/

/** The first secret seals; every secret unseals (rotation: add the new one first, drop the old one later). */
export const createSealer = (secrets: readonly string[], purpose: SealPurpose, audience: SealAudience): Sealer => {
  const keys = secrets.map((secret) => deriveKey(secret, purpose, audience))
  const sealing = keys[0] as DerivedKey
  const byKid = new Map(keys.map((k) => [k.kid, k.key]))

  return {
    seal: (payload, now, expiresAt) =>
      new EncryptJWT(payload)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: sealing.kid })
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(expiresAt)
        .encrypt(sealing.key),

    async unseal(value, now) {
      if (value.length > 64 * 1024 || !jweShape.test(value)) return undefined
      try {
        const { kid } = decodeProtectedHeader(value)
        const key = typeof kid === 'string' ? byKid.get(kid) : undefined
        if (!key) return undefined
        const { payload } = await jwtDecrypt(value, key, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
          currentDate: new Date(now),
          requiredClaims: ['exp', 'iat'],
        })
        return payload
      } catch {
        return undefined
      }
    },
  }
}
