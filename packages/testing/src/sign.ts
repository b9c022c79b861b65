import { CompactSign, type CompactJWSHeaderParameters } from 'jose'
import { generateKeyPair, type TestKeyPair } from './keys.js'
import { base64url, fromBase64url } from './lib/base64url.js'
import { algorithmFitsKey, rawSign } from './lib/raw-sign.js'

/** The `iss` of tokens signed by {@link signToken} unless told otherwise. */
const DEFAULT_ISSUER = 'https://issuer.example.com'
const DEFAULT_AUDIENCE = 'api://default'
const DEFAULT_SUBJECT = 'user-123'
const DEFAULT_EXPIRES_IN = 3600

/**
 * Options of {@link signToken}. Every claim default can be overridden by the claims argument,
 * and removed with `omit`.
 *
 * @example
 * ```ts
 * const options: SignTokenOptions = {
 *   issuer: 'https://login.example.com',
 *   audience: ['api://orders', 'api://billing'],
 *   expiresIn: 60,
 *   header: { typ: 'at+jwt' },
 *   omit: ['iat'],
 * }
 * const token = await signToken({ scope: 'orders:read' }, options)
 * ```
 */
export interface SignTokenOptions {
  /** The signing key; its `alg` and `kid` go in the header. Default: {@link defaultKeyPair}. */
  key?: TestKeyPair
  /** The `iss` claim. Default is `'https://issuer.example.com'`; `null` omits it. */
  issuer?: string | null
  /** The `aud` claim. Default is `'api://default'`; `null` omits it. */
  audience?: string | string[] | null
  /** The `sub` claim. Default is `'user-123'`; `null` omits it. */
  subject?: string | null
  /** Lifetime in seconds: `exp = iat + expiresIn`. Default is 3600 (one hour); negative values make expired tokens. */
  expiresIn?: number
  /** The `iat` claim, in seconds since the epoch (not milliseconds). Default is the current time. */
  now?: number
  /**
   * Merged over the protected header `{ alg: key.alg, kid: key.kid }`. `typ` is only set when
   * given here. A member set to `undefined` is left out (`{ kid: undefined }` makes a token without kid).
   */
  header?: Record<string, unknown>
  /** Claim names removed from the final payload, defaults and given claims alike, e.g. `['exp', 'iat']`. */
  omit?: string[]
}

let defaultPair: TestKeyPair | undefined

/**
 * The RS256 key pair that {@link signToken} uses when no `key` is given. Made on first use,
 * then the same for the life of the module (one per Jest test file).
 *
 * @example
 * ```ts
 * import { defaultKeyPair, jwksOf, signToken } from '@middy-auth/testing'
 *
 * const token = await signToken({ sub: 'alice' })
 * const jwks = jwksOf(defaultKeyPair()) // publishes the key that signed `token`
 * ```
 */
export function defaultKeyPair(): TestKeyPair {
  defaultPair ??= generateKeyPair('RS256')
  return defaultPair
}

/**
 * Signs a JWT (compact JWS) for tests.
 *
 * The payload is `{ iss, sub, aud, iat, exp }` from the options, then the given `claims` over
 * them, then `omit` applied. Claims are written as given, without validation, so hostile tokens
 * are easy to build (`{ exp: 'x' }`, `{ nbf: now + 600 }`, `{ aud: [] }`).
 *
 * Signing goes through `jose`'s `CompactSign`, with the algorithm named by the header's `alg`.
 * When `jose` refuses the header or the key (a `crit` or `b64` member, an `alg` the key cannot
 * compute such as `none` or `HS256`, an RSA key under 2048 bits) the token is signed with
 * `node:crypto` instead: the header is kept exactly as given, and the signature is computed with
 * the header's `alg` if the key can compute it, otherwise with the key's own `alg`.
 *
 * @param claims - claims over the defaults. Default is `{}`.
 * @param options - see {@link SignTokenOptions}.
 * @returns the compact JWS `header.payload.signature`.
 *
 * @example
 * ```ts
 * import { generateKeyPair, signToken } from '@middy-auth/testing'
 *
 * const key = generateKeyPair('ES256')
 * const token = await signToken({ scope: 'orders:read', 'cognito:groups': ['admin'] }, { key, audience: 'my-client' })
 *
 * // hostile tokens for rejection tests
 * const expired = await signToken({}, { key, expiresIn: -60 })
 * const noExp = await signToken({}, { key, omit: ['exp'] })
 * const stringExp = await signToken({ exp: 'tomorrow' }, { key })
 * const emptyCrit = await signToken({}, { key, header: { crit: [] } })
 * ```
 */
export async function signToken(claims: Record<string, unknown> = {}, options: SignTokenOptions = {}): Promise<string> {
  const key = options.key ?? defaultKeyPair()
  const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, ...options.header }
  const payload = JSON.stringify(buildPayload(claims, options))
  if (joseCanSign(header, key)) {
    return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader(header as CompactJWSHeaderParameters).sign(key.privateKey)
  }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(payload)}`
  const alg = algorithmFitsKey(header.alg, key.privateKey) ? header.alg : key.alg
  return `${signingInput}.${rawSign(alg, signingInput, key.privateKey)}`
}

/**
 * Builds a compact JWS string from arbitrary header and payload, with any signature (none by
 * default): for attack tests (`alg: 'none'`, missing `alg`, non-JSON parts, junk signatures).
 *
 * An object is serialized with `JSON.stringify`; a string is used as the raw text of the part
 * (so `'not json'` or `'[]'` are possible). Both are then base64url-encoded. The signature is
 * appended verbatim.
 *
 * @param header - the protected header, object or raw text.
 * @param payload - the payload, object or raw text.
 * @param signature - the third part, verbatim. Default is `''`.
 *
 * @example
 * ```ts
 * import { unsignedToken } from '@middy-auth/testing'
 *
 * const none = unsignedToken({ alg: 'none' }, { sub: 'admin', exp: 4102444800 })
 * // 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsImV4cCI6NDEwMjQ0NDgwMH0.'
 * const junk = unsignedToken({ alg: 'RS256', kid: 'k1' }, 'not json', 'AAAA')
 * ```
 */
export function unsignedToken(header: object | string, payload: object | string, signature = ''): string {
  return `${encodePart(header)}.${encodePart(payload)}.${signature}`
}

/**
 * Returns the token with its payload changed and its original header and signature kept, so
 * the signature no longer matches. The new payload is the token's payload with `claims` merged
 * over it (a claim set to `undefined` is removed).
 *
 * @param token - a compact JWS whose payload is a JSON object.
 * @param claims - claims to set over the token's payload.
 * @throws TypeError if the token does not have three parts or its payload is not a JSON object.
 *
 * @example
 * ```ts
 * import { signToken, tamper } from '@middy-auth/testing'
 *
 * const token = await signToken({ scope: 'orders:read' })
 * const forged = tamper(token, { scope: 'orders:read orders:admin' }) // same signature, new scope
 * ```
 */
export function tamper(token: string, claims: Record<string, unknown>): string {
  const parts = token.split('.')
  if (parts.length !== 3) throw new TypeError('tamper: the token must be a compact JWS with three parts')
  const [header = '', payload = '', signature = ''] = parts
  let decoded: unknown
  try {
    decoded = JSON.parse(fromBase64url(payload))
  } catch {
    decoded = undefined
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new TypeError('tamper: the token payload is not a JSON object')
  }
  return `${header}.${base64url(JSON.stringify({ ...decoded, ...claims }))}.${signature}`
}

function buildPayload(claims: Record<string, unknown>, options: SignTokenOptions): Record<string, unknown> {
  const iat = options.now ?? Math.floor(Date.now() / 1000)
  const defaults: Record<string, unknown> = {}
  if (options.issuer !== null) defaults.iss = options.issuer ?? DEFAULT_ISSUER
  if (options.subject !== null) defaults.sub = options.subject ?? DEFAULT_SUBJECT
  if (options.audience !== null) defaults.aud = options.audience ?? DEFAULT_AUDIENCE
  defaults.iat = iat
  defaults.exp = iat + (options.expiresIn ?? DEFAULT_EXPIRES_IN)
  const payload = { ...defaults, ...claims }
  // `omit` names the claims a test wants missing.
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  for (const name of options.omit ?? []) delete payload[name]
  return payload
}

/** Whether `jose` will sign this header with this key unchanged (see {@link signToken}). */
function joseCanSign(header: Record<string, unknown>, key: TestKeyPair): boolean {
  if (header.crit !== undefined || header.b64 !== undefined) return false
  if (!algorithmFitsKey(header.alg, key.privateKey)) return false
  const bits = key.privateKey.asymmetricKeyDetails?.modulusLength
  return bits === undefined || bits >= 2048
}

function encodePart(part: object | string): string {
  return base64url(typeof part === 'string' ? part : JSON.stringify(part))
}
