import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import { accessTokenHash } from '../src/dpop-proof.js'
import { jwkThumbprint } from '../src/jwk-thumbprint.js'

/** A client's DPoP key: node's own key pair, so tests can sign any proof they need. */
export interface ProofKey {
  privateKey: KeyObject
  publicJwk: Record<string, unknown>
  jkt: string
  alg: string
}

export const proofKey = (alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256' = 'ES256'): ProofKey => {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>
  return { privateKey: pair.privateKey, publicJwk, jkt: jwkThumbprint(publicJwk) as string, alg }
}

export interface ProofOptions {
  method?: string
  url: string
  token?: string
  /** Seconds since the epoch. Default: now. */
  iat?: number
  jti?: string
  nonce?: string
  header?: Record<string, unknown>
  payload?: Record<string, unknown>
}

/** A DPoP proof signed with jose: every member can be changed, for the refusals. */
export const signProof = async (key: ProofKey, options: ProofOptions): Promise<string> => {
  const payload: Record<string, unknown> = {
    htm: options.method ?? 'GET',
    htu: options.url,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomUUID(),
    ...(options.token !== undefined ? { ath: accessTokenHash(options.token) } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...options.payload,
  }
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header } as never).sign(key.privateKey)
}

type AnyEvent = Record<string, any>

/** Sets headers on an event the way its kind carries them (multiValueHeaders too when present). */
export const withHeaders = <T extends AnyEvent>(event: T, headers: Record<string, string | undefined>): T => {
  for (const [name, value] of Object.entries(headers)) {
    for (const map of [event.headers, event.multiValueHeaders]) {
      for (const key of Object.keys(map ?? {})) if (key.toLowerCase() === name.toLowerCase()) delete map[key]
    }
    if (value === undefined) continue
    if (event.multiValueHeaders) event.multiValueHeaders[name] = [value]
    if (event.headers || !event.multiValueHeaders) (event as AnyEvent).headers = { ...(event.headers ?? {}), [name]: value }
  }
  return event
}
