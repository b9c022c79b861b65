// Keys, JWKS and pools of distinct pre-signed tokens, made locally with node:crypto (no network).
import { generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto'

export const ISSUER = 'https://issuer.bench.example/'
export const AUDIENCE = 'https://api.bench.example'
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const
export type BenchAlgorithm = (typeof ALGORITHMS)[number]

/** A signing key pair with its public JWK, as an issuer publishes it. */
export interface BenchKey {
  alg: string
  kid: string
  publicKey: KeyObject
  privateKey: KeyObject
  jwk: JsonWebKey & { kid: string; alg: string; use: string }
}

/** One algorithm's keys, JWKS and distinct tokens. */
export interface Fixture {
  alg: BenchAlgorithm
  key: BenchKey
  next: BenchKey
  jwks: { keys: BenchKey['jwk'][] }
  tokens: string[]
}

const b64u = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

const generate = (alg: string): { publicKey: KeyObject; privateKey: KeyObject } => {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  throw new Error(`no key generator for ${alg}`)
}

const signWith = (alg: string, privateKey: KeyObject, data: Buffer): Buffer => {
  if (alg === 'RS256') return sign('sha256', data, privateKey)
  // JWS ECDSA signatures are raw r||s (RFC 7518 §3.4).
  if (alg === 'ES256') return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return sign(null, data, privateKey)
}

/** A signing key pair with its public JWK (kid, alg, use: sig). */
export const makeKey = (alg: string, kid: string): BenchKey => {
  const { publicKey, privateKey } = generate(alg)
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  return { alg, kid, publicKey, privateKey, jwk }
}

/** Signs a compact JWS with the given header and claims. */
export const signJwt = (key: Pick<BenchKey, 'alg' | 'kid' | 'privateKey'>, claims: object, header: object = {}): string => {
  const signingInput = `${b64u({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${b64u(claims)}`
  return `${signingInput}.${signWith(key.alg, key.privateKey, Buffer.from(signingInput)).toString('base64url')}`
}

/** Claims shaped like a Cognito access token (plus `aud`), distinct per index. */
export const claimsFor = (
  index: number,
  { issuer = ISSUER, audience = AUDIENCE, nowSeconds = Math.floor(Date.now() / 1000) }: { issuer?: string; audience?: string; nowSeconds?: number } = {},
): Record<string, unknown> => ({
  sub: randomUUID(),
  iss: issuer,
  aud: audience,
  client_id: '4kfe0ooc2nq6ddsm8bccjj8q6e',
  token_use: 'access',
  scope: 'orders:read orders:write profile',
  auth_time: nowSeconds - 60,
  iat: nowSeconds - 60,
  nbf: nowSeconds - 60,
  exp: nowSeconds + 24 * 3600,
  jti: randomUUID(),
  username: `user-${index}`,
  version: 2,
})

/**
 * For each algorithm: two keys (a current one that signs, and the next one, published as
 * identity providers such as Cognito do), the JWKS, and `count` distinct tokens.
 */
export const makeFixtures = ({
  count,
  algorithms = ALGORITHMS,
}: {
  count: number
  algorithms?: readonly BenchAlgorithm[]
}): Partial<Record<BenchAlgorithm, Fixture>> => {
  const fixtures: Partial<Record<BenchAlgorithm, Fixture>> = {}
  for (const alg of algorithms) {
    const current = makeKey(alg, `${alg.toLowerCase()}-current`)
    const next = makeKey(alg, `${alg.toLowerCase()}-next`)
    const jwks = { keys: [current.jwk, next.jwk] }
    const tokens = Array.from({ length: count }, (_, i) => signJwt(current, claimsFor(i)))
    fixtures[alg] = { alg, key: current, next, jwks, tokens }
  }
  return fixtures
}

/** One fixture, signed on its own. */
export const makeFixture = (alg: BenchAlgorithm, count: number): Fixture => makeFixtures({ count, algorithms: [alg] })[alg] as Fixture
