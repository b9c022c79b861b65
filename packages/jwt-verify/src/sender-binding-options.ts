import { checkOptionNames, isListOf, isRecord, readDuration, type ConfigError, type TokenSource } from '@middy-auth/core/internal'
import { isAlgorithm, SUPPORTED_ALGORITHMS, type Algorithm } from './algorithms.js'
import { createNonceIssuer } from './dpop-nonce.js'
import type { DpopProofRules } from './dpop-proof.js'
import { createMemoryReplayStore, type ReplayStore } from './replay-store.js'
import { normalizeHtu } from './request-target.js'

/**
 * DPoP (RFC 9449): tokens bound to a key the client proves it holds on every request, with
 * `Authorization: DPoP <token>` and a `DPoP` proof header.
 *
 * @example
 * ```ts
 * jwtVerify({ issuers, dpop: { boundTokens: 'required', nonce: { secret: process.env.DPOP_NONCE_SECRET } } })
 * ```
 */
export interface DpopOptions {
  /**
   * `'required'`: only DPoP-bound tokens with a valid proof are accepted. `'allowed'`: plain
   * bearer tokens are accepted too, but a DPoP-bound token always needs its proof.
   */
  boundTokens: 'required' | 'allowed'
  /** Algorithms a proof may be signed with. Default: every supported asymmetric algorithm. */
  algorithms?: readonly Algorithm[]
  /** Seconds a proof is accepted after its `iat`. Default 300. */
  maxAge?: number
  /** Seconds of leeway for the client's clock. Default 5. */
  clockTolerance?: number
  /** Where used proofs are remembered. Default: an in-memory store per middleware instance. */
  replayStore?: ReplayStore
  /**
   * Server nonces (RFC 9449 §8): a proof without a fresh nonce gets 401 `use_dpop_nonce` and a
   * `DPoP-Nonce` header. `true` uses a random secret per instance; give the same `secret` (32
   * bytes or more) to every instance so that they accept each other's nonces. Default `false`.
   */
  nonce?: boolean | { secret?: string | Uint8Array; lifetime?: number }
  /**
   * The URL clients call for this API's root (`https://api.example.com/v1`), when it cannot be
   * read from the event (CloudFront or another proxy in front). Default: rebuilt from the event.
   */
  publicBaseUrl?: string
}

/**
 * mTLS-bound tokens (RFC 8705): a token with `cnf['x5t#S256']` is accepted only with that client
 * certificate, as API Gateway's mutual TLS passes it in the event.
 *
 * @example
 * ```ts
 * jwtVerify({ issuers, mtls: { boundTokens: 'required' } })
 * ```
 */
export interface MtlsOptions {
  /** `'required'`: only certificate-bound tokens are accepted. `'allowed'`: unbound tokens too. */
  boundTokens: 'required' | 'allowed'
}

/** DPoP settings of one issuer entry, compiled at cold start. */
export interface CompiledDpop {
  readonly boundTokens: 'required' | 'allowed'
  readonly rules: DpopProofRules
  readonly replayStore: ReplayStore
  readonly publicBaseUrl: string | undefined
}

/** What a token's binding is checked against; both `undefined` (or left out) for an entry that binds nothing. */
export interface CompiledBinding {
  readonly dpop?: CompiledDpop | undefined
  readonly mtls?: { readonly boundTokens: 'required' | 'allowed' } | undefined
}

/** Compiles the `dpop` and `mtls` of one issuer entry (`at`: `issuers[0]`), with the middleware's as defaults. */
export type CompileBinding = (entry: { readonly dpop?: unknown; readonly mtls?: unknown }, at: string) => CompiledBinding

/** The DPoP challenge's `algs`: every algorithm a proof may use under some issuer entry; `undefined` without DPoP. */
export type DpopChallenge = { algs: Algorithm[] } | undefined

/**
 * Checks the middleware's `dpop` and `mtls` (even when every entry has its own, so that a
 * mistake there is never silent) and returns the compiler of each entry's binding, and the
 * {@link DpopChallenge} of the entries it compiled (read once they all are). DPoP needs the
 * token in the Authorization header, where the `DPoP` scheme can come (RFC 9449 §7.1).
 */
export function compileBindings(
  options: { readonly dpop?: unknown; readonly mtls?: unknown; readonly tokenSource: TokenSource; readonly clock: () => number },
  fail: ConfigError,
): readonly [CompileBinding, () => DpopChallenge] {
  // One in-memory replay store per middleware instance, made only when some entry uses DPoP without its own.
  let memoryStore: ReplayStore | undefined
  const shared = { replayStore: () => (memoryStore ??= createMemoryReplayStore({ clock: options.clock })), clock: options.clock }
  compileDpop(options.dpop, 'dpop', shared, fail)
  compileMtls(options.mtls, 'mtls', fail)
  /** The algorithms of the entries' proofs, in the order of the entries. */
  const algs = new Set<Algorithm>()
  const compileBinding: CompileBinding = function (entry, at) {
    const dpop = compileDpop(entry.dpop !== undefined ? entry.dpop : options.dpop, entry.dpop !== undefined ? `${at}.dpop` : 'dpop', shared, fail)
    if (dpop && !acceptsDpopScheme(options.tokenSource)) {
      throw fail('dpop', `needs the token in the Authorization header: remove 'tokenSource' or set it to { header: 'Authorization', scheme: 'Bearer' }`)
    }
    for (const alg of dpop?.rules.algorithms ?? []) algs.add(alg)
    return { dpop, mtls: compileMtls(entry.mtls !== undefined ? entry.mtls : options.mtls, entry.mtls !== undefined ? `${at}.mtls` : 'mtls', fail) }
  }
  return [compileBinding, () => (algs.size > 0 ? { algs: [...algs] } : undefined)]
}

/** DPoP tokens come as `Authorization: DPoP <token>` (RFC 9449 §7.1), next to `Bearer`. */
const acceptsDpopScheme = (source: TokenSource): boolean =>
  typeof source === 'object' &&
  'header' in source &&
  source.header.toLowerCase() === 'authorization' &&
  (source.scheme === undefined || source.scheme?.toLowerCase() === 'bearer')

function boundTokensOf(value: unknown, at: string, fail: ConfigError): 'required' | 'allowed' {
  if (!isRecord(value)) throw fail(at, `must be { boundTokens: 'required' | 'allowed', … } or false`)
  if (value.boundTokens !== 'required' && value.boundTokens !== 'allowed') throw fail(`${at}.boundTokens`, `must be 'required' or 'allowed'`)
  return value.boundTokens
}

const seconds = (value: unknown, name: string, fallback: number, fail: ConfigError): number =>
  readDuration(value, name, fail, { unit: 'seconds', fallback, zero: true })

const knownDpopFields = ['boundTokens', 'algorithms', 'maxAge', 'clockTolerance', 'replayStore', 'nonce', 'publicBaseUrl']

/**
 * Checks and compiles a `dpop` option (of the middleware or of an issuer entry). `false` or
 * `undefined` is no DPoP.
 */
function compileDpop(value: unknown, at: string, shared: { replayStore: () => ReplayStore; clock: () => number }, fail: ConfigError): CompiledDpop | undefined {
  if (value === undefined || value === false) return undefined
  const boundTokens = boundTokensOf(value, at, fail)
  const options = value as DpopOptions
  checkOptionNames(options, knownDpopFields, fail, `${at}.`)
  const algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS
  // A hole (`[, 'ES256']`) too: it reached the challenge's algs and made every refusal a 500.
  if (!isListOf(algorithms, isAlgorithm) || algorithms.length === 0) {
    throw fail(`${at}.algorithms`, `must be a non-empty list of asymmetric algorithms (${SUPPORTED_ALGORITHMS.join(', ')})`)
  }
  const maxAge = seconds(options.maxAge, `${at}.maxAge`, 300, fail)
  const clockTolerance = seconds(options.clockTolerance, `${at}.clockTolerance`, 5, fail)
  const replayStore = options.replayStore ?? shared.replayStore()
  if (!isRecord(replayStore) || typeof replayStore.claim !== 'function') throw fail(`${at}.replayStore`, `must implement claim(jti, expiresAt)`)
  if (options.publicBaseUrl !== undefined && (typeof options.publicBaseUrl !== 'string' || normalizeHtu(options.publicBaseUrl) === undefined)) {
    throw fail(`${at}.publicBaseUrl`, `must be an absolute https: (or http:) URL such as 'https://api.example.com'`)
  }
  return {
    boundTokens,
    rules: { algorithms: new Set(algorithms), maxAge, clockTolerance, nonces: compileNonce(options.nonce, at, clockTolerance, shared.clock, fail) },
    replayStore,
    publicBaseUrl: options.publicBaseUrl,
  }
}

function compileNonce(value: DpopOptions['nonce'], at: string, clockTolerance: number, now: () => number, fail: ConfigError) {
  if (value === undefined || value === false) return undefined
  const options = value === true ? {} : value
  if (!isRecord(options)) throw fail(`${at}.nonce`, `must be true, false or { secret?, lifetime? }`)
  const { secret, lifetime } = options as { secret?: unknown; lifetime?: unknown }
  if (secret !== undefined) {
    const bytes = typeof secret === 'string' ? Buffer.byteLength(secret) : secret instanceof Uint8Array ? secret.byteLength : -1
    if (bytes < 32) throw fail(`${at}.nonce.secret`, `must be a string or bytes of at least 32 bytes`)
  }
  return createNonceIssuer({
    ...(secret !== undefined ? { secret: secret as string | Uint8Array } : {}),
    lifetimeSeconds: seconds(lifetime, `${at}.nonce.lifetime`, 300, fail),
    clockTolerance,
    now,
  })
}

const mtlsFields = ['boundTokens']

/** Checks and compiles an `mtls` option. `false` or `undefined` is no certificate binding. */
function compileMtls(value: unknown, at: string, fail: ConfigError): CompiledBinding['mtls'] {
  if (value === undefined || value === false) return undefined
  const boundTokens = boundTokensOf(value, at, fail)
  checkOptionNames(value, mtlsFields, fail, `${at}.`)
  return { boundTokens }
}
