// Keys, JWKS and pools of distinct pre-signed tokens, made locally with node:crypto (no network).
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'

export const ISSUER = 'https://issuer.bench.example/'
export const AUDIENCE = 'https://api.bench.example'
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA']

const b64u = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

const generate = (alg) => {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  throw new Error(`no key generator for ${alg}`)
}

const signWith = (alg, privateKey, data) => {
  if (alg === 'RS256') return sign('sha256', data, privateKey)
  // JWS ECDSA signatures are raw r||s (RFC 7518 §3.4).
  if (alg === 'ES256') return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return sign(null, data, privateKey)
}

/**
 * A signing key pair with its public JWK (kid, alg, use: sig), as an issuer publishes it.
 * @param {string} alg
 * @param {string} kid
 */
export const makeKey = (alg, kid) => {
  const { publicKey, privateKey } = generate(alg)
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  return { alg, kid, publicKey, privateKey, jwk }
}

/**
 * Signs a compact JWS with the given header and claims.
 * @param {{ alg: string, kid: string, privateKey: import('node:crypto').KeyObject }} key
 */
export const signJwt = (key, claims, header = {}) => {
  const signingInput = `${b64u({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${b64u(claims)}`
  return `${signingInput}.${signWith(key.alg, key.privateKey, Buffer.from(signingInput)).toString('base64url')}`
}

/** Claims shaped like a Cognito access token (plus `aud`), distinct per index. */
export const claimsFor = (index, { issuer = ISSUER, audience = AUDIENCE, nowSeconds = Math.floor(Date.now() / 1000) } = {}) => ({
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
 * @param {{ count: number }} options
 */
export const makeFixtures = ({ count }) => {
  const fixtures = {}
  for (const alg of ALGORITHMS) {
    const current = makeKey(alg, `${alg.toLowerCase()}-current`)
    const next = makeKey(alg, `${alg.toLowerCase()}-next`)
    const jwks = { keys: [current.jwk, next.jwk] }
    const tokens = Array.from({ length: count }, (_, i) => signJwt(current, claimsFor(i)))
    fixtures[alg] = { alg, key: current, next, jwks, tokens }
  }
  return fixtures
}
