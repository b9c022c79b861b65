import {
  checkOptionNames,
  configErrors,
  isListOf,
  isRecord,
  readDuration,
  readFunction,
  readRealm,
  tokenSourceProblem,
  type TokenSource,
} from '@middy-auth/core/internal'
import { SUPPORTED_ALGORITHMS, type Algorithm } from '@middy-auth/jwt-verify'
import { assertFetchableUrl } from '@middy-auth/jwt-verify/keys'
import { createPrivateKey, KeyObject } from 'node:crypto'
import { assertionAlgorithm, type ClientCredentials } from './client-auth.js'

export const packageName = '@middy-auth/token-introspection'

/**
 * How the function authenticates to the introspection endpoint (RFC 7662 §2.1 requires it):
 * `client_secret_basic` (the `Authorization: Basic` header, RFC 6749 §2.3.1),
 * `client_secret_post` (`client_id` and `client_secret` in the form), or `private_key_jwt` (a
 * signed assertion, RFC 7523; no shared secret).
 *
 * @example
 * ```ts
 * const method: ClientAuthMethod = 'client_secret_post'
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'

/**
 * The client's credentials: a secret (`client_secret_basic`, the default, or
 * `client_secret_post`), or a private key (`private_key_jwt`).
 *
 * @example
 * ```ts
 * const bySecret: ClientAuthOptions = { clientSecret: 'from-secrets-manager' }
 * const byKey: ClientAuthOptions = { clientAuthMethod: 'private_key_jwt', privateKey: pem, keyId: 'k1' }
 * ```
 */
export type ClientAuthOptions =
  | {
      /** The client secret (keep it in Secrets Manager or SSM, not in code). */
      clientSecret: string
      /** How the client authenticates. Default `'client_secret_basic'`. */
      clientAuthMethod?: 'client_secret_basic' | 'client_secret_post'
      privateKey?: undefined
      keyId?: undefined
    }
  | {
      clientAuthMethod: 'private_key_jwt'
      /** The private key the provider knows the public half of: a `KeyObject` or a PEM (PKCS#8, RSA ≥ 2048 bits, EC P-256/384/521, Ed25519). */
      privateKey: KeyObject | string
      /** The `kid` the provider registered the public key under. Default: none. */
      keyId?: string
      clientSecret?: undefined
    }

/**
 * The caches of introspection results, per middleware instance.
 *
 * @example
 * ```ts
 * const cache: IntrospectionCacheOptions = { ttl: 30, inactiveTtl: 5, maxEntries: 500 }
 * ```
 */
export interface IntrospectionCacheOptions {
  /** Seconds an active result is reused; never past its `exp`. A revoked token is accepted for at most this long. Default 60. */
  ttl?: number
  /** Seconds an inactive result is reused, so a repeated bad token costs one call per period. `0` turns it off. Default 10. */
  inactiveTtl?: number
  /** Entries of each cache (active and inactive kept apart, so bad tokens cannot evict good ones). Default 1000. */
  maxEntries?: number
}

/** The options every form of the options takes (the API reference shows them in place). @inline */
interface CommonOptions {
  /** The client id the function authenticates with at the introspection endpoint. */
  clientId: string
  /** Accepted `aud` values (any one must match), or `null` to skip the audience check on purpose. Required. */
  audience: string | readonly string[] | null
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockTolerance?: number
  /** Where the token comes from, as in jwt-verify. Default `{ header: 'Authorization', scheme: 'Bearer' }`. */
  tokenSource?: TokenSource
  /** `false`: a request without a token goes on with no `context.auth`; a bad token is still refused. Default `true`. */
  credentialsRequired?: boolean
  /** The `realm` of the `WWW-Authenticate` challenge. Default `'api'`. */
  realm?: string
  /** Milliseconds for one call to the provider (connection, headers and body). Default 3000. */
  timeoutMs?: number
  /** Caching of results; `false` turns it off (every request is a call). Default `{ ttl: 60, inactiveTtl: 10, maxEntries: 1000 }`. */
  cache?: IntrospectionCacheOptions | false
  /** The clock, in milliseconds since the epoch (tests). Default `Date.now`. */
  clock?: () => number
  /**
   * Ask for answers signed by the provider (RFC 9701, `application/token-introspection+jwt`) and
   * accept only those: `true`, or `{ jwksUri?, algorithms? }`. Requires `issuer`; the keys come from
   * `jwksUri` or the issuer's discovery document. Default: plain JSON answers.
   */
  jwtResponse?: boolean | JwtResponseOptions
}

/**
 * How signed introspection answers (RFC 9701) are verified.
 *
 * @example
 * ```ts
 * const jwtResponse: JwtResponseOptions = { jwksUri: 'https://auth.example.com/jwks', algorithms: ['ES256'] }
 * ```
 */
export interface JwtResponseOptions {
  /** The provider's JWKS (https:, or http: on loopback). Default: `jwks_uri` of the issuer's discovery document. */
  jwksUri?: string
  /** Accepted signature algorithms. Default: every asymmetric algorithm jwt-verify supports. */
  algorithms?: readonly Algorithm[]
}

/**
 * Options of `tokenIntrospection()`: the endpoint, or the issuer to discover it from, plus the
 * client's credentials and the accepted audience.
 *
 * @example
 * ```ts
 * const options: TokenIntrospectionOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'orders-api',
 *   clientSecret: 'from-secrets-manager',
 *   audience: 'https://api.example.com',
 * }
 * ```
 */
export type TokenIntrospectionOptions = CommonOptions &
  ClientAuthOptions &
  (
    | {
        /** The introspection endpoint (https:, or http: on a loopback host). */
        endpoint: string
        /** The `iss` the provider's answers must carry. Default: not checked. */
        issuer?: string
      }
    | {
        /** The provider: its `/.well-known/openid-configuration` names the endpoint, and answers must carry this `iss`. */
        issuer: string
        endpoint?: undefined
      }
  )

/** The settings of one middleware instance, checked at cold start. */
export interface CompiledOptions {
  endpoint: URL | undefined
  issuer: string | undefined
  client: ClientCredentials
  audiences: ReadonlySet<string> | null
  clockTolerance: number
  tokenSource: TokenSource
  credentialsRequired: boolean
  realm: string
  timeoutMs: number
  /** Set when answers must be signed (RFC 9701). */
  jwtResponse: { jwksUri: string | undefined; algorithms: readonly Algorithm[] } | undefined
  /** In milliseconds; all 0 when caching is off. */
  cache: { ttlMs: number; inactiveTtlMs: number; maxEntries: number }
  clock: () => number
}

/**
 * A configuration that can never work, as a `TypeError` at cold start:
 * `tokenIntrospection: <option> <problem>`.
 *
 * @example
 * ```ts
 * throw fail('clientId', 'is required')
 * ```
 */
export const fail = configErrors(packageName, 'tokenIntrospection')

const knownOptions = [
  'endpoint',
  'issuer',
  'clientId',
  'clientSecret',
  'clientAuthMethod',
  'privateKey',
  'keyId',
  'audience',
  'clockTolerance',
  'tokenSource',
  'credentialsRequired',
  'realm',
  'timeoutMs',
  'cache',
  'clock',
  'jwtResponse',
]

const seconds = (value: unknown, name: string, fallback: number, zero: boolean): number => readDuration(value, name, fail, { unit: 'seconds', fallback, zero })

const nonEmptyString = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw fail(name, `must be a non-empty string`)
  return value
}

const fetchableUrl = (value: string, name: string): URL => {
  try {
    return assertFetchableUrl(value, name)
  } catch (error) {
    throw fail(name, (error as Error).message.slice(name.length + 1))
  }
}

const compileAudience = (value: unknown): ReadonlySet<string> | null => {
  if (value === undefined) {
    throw fail('audience', `is required: give the accepted audience(s), or audience: null to skip the check on purpose`)
  }
  if (value === null) return null
  const values = typeof value === 'string' ? [value] : value
  if (!isListOf(values, (v) => typeof v === 'string' && v !== '') || values.length === 0) {
    throw fail('audience', `must be a non-empty string or a non-empty list of non-empty strings, or null`)
  }
  return new Set(values as string[])
}

const compileCache = (value: unknown): CompiledOptions['cache'] => {
  if (value === false) return { ttlMs: 0, inactiveTtlMs: 0, maxEntries: 0 }
  const cache = value ?? {}
  if (!isRecord(cache)) throw fail('cache', `must be { ttl?, inactiveTtl?, maxEntries? } or false`)
  checkOptionNames(cache, ['ttl', 'inactiveTtl', 'maxEntries'], fail, 'cache.')
  const maxEntries = cache.maxEntries ?? 1000
  if (typeof maxEntries !== 'number' || !Number.isFinite(maxEntries) || maxEntries <= 0) throw fail('cache.maxEntries', `must be a number of entries > 0`)
  return {
    ttlMs: seconds(cache.ttl, 'cache.ttl', 60, false) * 1000,
    inactiveTtlMs: seconds(cache.inactiveTtl, 'cache.inactiveTtl', 10, true) * 1000,
    maxEntries: Math.floor(maxEntries),
  }
}

const compileClient = (options: TokenIntrospectionOptions): ClientCredentials => {
  const clientId = nonEmptyString(options.clientId, 'clientId')
  const method = options.clientAuthMethod ?? 'client_secret_basic'
  if (method === 'client_secret_basic' || method === 'client_secret_post') {
    if (options.privateKey !== undefined) throw fail('privateKey', `is for clientAuthMethod: 'private_key_jwt'`)
    return { method, clientId, clientSecret: nonEmptyString(options.clientSecret, 'clientSecret') }
  }
  if (method !== 'private_key_jwt') {
    throw fail('clientAuthMethod', `must be 'client_secret_basic', 'client_secret_post' or 'private_key_jwt'`)
  }
  if (options.clientSecret !== undefined) throw fail('clientSecret', `is not used with 'private_key_jwt': give privateKey`)
  const keyId = options.keyId === undefined ? undefined : nonEmptyString(options.keyId, 'keyId')
  let key: KeyObject
  try {
    key = options.privateKey instanceof KeyObject ? options.privateKey : createPrivateKey(nonEmptyString(options.privateKey, 'privateKey'))
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('tokenIntrospection:')) throw error
    throw fail('privateKey', `must be a private KeyObject or a PEM private key`)
  }
  const alg = assertionAlgorithm(key)
  if (typeof alg !== 'string') throw fail('privateKey', alg.problem)
  return { method, clientId, signer: { alg, key, keyId } }
}

const compileJwtResponse = (value: unknown, issuer: string | undefined): CompiledOptions['jwtResponse'] => {
  if (value === undefined || value === false) return undefined
  if (value !== true && !isRecord(value)) throw fail('jwtResponse', `must be true, false or { jwksUri?, algorithms? }`)
  if (issuer === undefined) throw fail('jwtResponse', `needs issuer: signed answers must name the provider`)
  const options: Record<string, unknown> = value === true ? {} : value
  checkOptionNames(options, ['jwksUri', 'algorithms'], fail, 'jwtResponse.')
  const jwksUri = options.jwksUri === undefined ? undefined : fetchableUrl(nonEmptyString(options.jwksUri, 'jwtResponse.jwksUri'), 'jwtResponse.jwksUri').href
  const algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS
  // A hole (`[, 'RS256']`) too, as any algorithm not supported.
  if (!isListOf(algorithms, (alg) => SUPPORTED_ALGORITHMS.includes(alg as Algorithm)) || algorithms.length === 0) {
    throw fail('jwtResponse.algorithms', `must be a non-empty list of ${SUPPORTED_ALGORITHMS.join(', ')}`)
  }
  return { jwksUri, algorithms: algorithms as Algorithm[] }
}

/**
 * Checks every option; anything that can never work is a `TypeError` naming the option.
 *
 * @example
 * ```ts
 * const settings = compileOptions({ endpoint, clientId, clientSecret, audience: 'api' })
 * ```
 */
export const compileOptions = (options: TokenIntrospectionOptions): CompiledOptions => {
  checkOptionNames(options, knownOptions, fail)
  if (options.endpoint === undefined && options.issuer === undefined) {
    throw fail('endpoint', `(the introspection endpoint) or issuer (to discover it) is required`)
  }
  const issuer = options.issuer === undefined ? undefined : nonEmptyString(options.issuer, 'issuer')
  const endpoint = options.endpoint === undefined ? undefined : fetchableUrl(nonEmptyString(options.endpoint, 'endpoint'), 'endpoint')
  // Discovery fetches from the issuer itself: it must then be fetchable too.
  if (endpoint === undefined && issuer !== undefined) fetchableUrl(issuer, 'issuer')
  const credentialsRequired = options.credentialsRequired ?? true
  if (typeof credentialsRequired !== 'boolean') throw fail('credentialsRequired', `must be a boolean`)
  const realm = readRealm(options.realm, fail)
  const clock = readFunction<() => number>(options.clock, 'clock', fail, 'a function returning milliseconds') ?? Date.now
  const tokenSource = options.tokenSource ?? { header: 'Authorization', scheme: 'Bearer' }
  const problem = tokenSourceProblem(tokenSource)
  if (problem !== undefined) throw fail(problem.slice(0, problem.indexOf(' ')), problem.slice(problem.indexOf(' ') + 1))
  return {
    endpoint,
    issuer,
    client: compileClient(options),
    audiences: compileAudience(options.audience),
    clockTolerance: seconds(options.clockTolerance, 'clockTolerance', 5, true),
    tokenSource,
    credentialsRequired,
    realm,
    timeoutMs: readDuration(options.timeoutMs, 'timeoutMs', fail, { unit: 'milliseconds', fallback: 3000 }),
    jwtResponse: compileJwtResponse(options.jwtResponse, issuer),
    cache: compileCache(options.cache),
    clock,
  }
}
