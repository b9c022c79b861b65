import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** Issues and checks the server nonces of RFC 9449 §8, without storing them. */
export interface NonceIssuer {
  /** A fresh nonce, to send in the `DPoP-Nonce` header. */
  issue(): string
  /** Whether a proof's `nonce` is one this issuer (or another instance with the same secret) made and is still fresh. */
  check(nonce: unknown): boolean
}

const macLength = 22 // base64url characters: 128 bits of HMAC-SHA-256

/**
 * Stateless nonces: `<issued-at, base 36>.<HMAC of it>`. Every Lambda instance that shares the
 * secret accepts the others' nonces; with the default random secret, each instance asks a
 * client once for its own nonce.
 *
 * @example
 * ```ts
 * const nonces = createNonceIssuer({ secret, lifetimeSeconds: 300, now: Date.now })
 * nonces.check(nonces.issue()) // true
 * ```
 */
export function createNonceIssuer({
  secret = randomBytes(32),
  lifetimeSeconds,
  clockTolerance,
  now,
}: {
  secret?: Uint8Array | string
  lifetimeSeconds: number
  clockTolerance: number
  now: () => number
}): NonceIssuer {
  const mac = (issuedAt: string): string => createHmac('sha256', secret).update(issuedAt).digest('base64url').slice(0, macLength)
  return {
    issue() {
      const issuedAt = Math.floor(now() / 1000).toString(36)
      return `${issuedAt}.${mac(issuedAt)}`
    },
    check(nonce) {
      if (typeof nonce !== 'string' || nonce.length > 64) return false
      const dot = nonce.indexOf('.')
      const issuedAt = nonce.slice(0, dot)
      if (dot <= 0 || !/^[0-9a-z]{1,12}$/.test(issuedAt)) return false
      const given = Buffer.from(nonce.slice(dot + 1))
      const expected = Buffer.from(mac(issuedAt))
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false
      const age = now() / 1000 - parseInt(issuedAt, 36)
      return age >= -clockTolerance && age <= lifetimeSeconds
    },
  }
}
