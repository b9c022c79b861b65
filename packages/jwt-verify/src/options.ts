/**
 * `jwtVerify()`'s options: their types, and `compileOptions`, which checks them when the factory
 * runs (a `TypeError` at cold start for anything that can never work) and builds what a request
 * needs from them: each issuer entry with its key resolver, algorithms and binding rules.
 */
import {
  checkOptionNames,
  compileHeaderSource,
  configErrors,
  headerSourceProblem,
  isCookieQueryOrFunction,
  isRecord,
  needExtension,
  readExtensions,
  readDuration,
  readRealm,
  readRenamed,
  resourceMetadataProblem,
  type DurationRule,
  type HeaderTokenSource,
  type ReadToken,
} from '@middy-auth/core/internal'
import { defaultTokenSource } from './alb-entries.js'
import { isAlgorithm, isHmacAlgorithm, SUPPORTED_ALGORITHMS, type Algorithm, type HmacAlgorithm } from './algorithms.js'
import { normalizeTyp } from './claims-check.js'
import { checkUnbound } from './confirmation.js'
import { assertFetchableUrl, type FetchJson } from './fetch-json.js'
import type { IssuerConfig } from './issuer-config.js'
import type { KeyResolver } from './key-resolver.js'
import type {
  ApiGatewayClaimsExtension,
  JwtVerifyExtension,
  JwtVerifyExtensions,
  KnownExtension,
  OpaqueTokenHandoffExtension,
  SenderConstraintsExtension,
} from './extension-types.js'
import type { OpaqueTokenVerifier } from './opaque-tokens.js'
import { packageName } from './package-name.js'
import { remoteKeyResolver, type RemoteKeyResolverSettings } from './remote-key-resolver.js'
import type { CompileBinding, CompiledBinding, DpopOptions, MtlsOptions } from './sender-binding-options.js'
import { createStaticKeyResolver } from './static-key-resolver.js'
import type { TokenSource } from './token-source.js'
import type { CompiledIssuer } from './verifier.js'

/**
 * How JWKS endpoints are fetched.
 *
 * @example
 * ```ts
 * jwtVerify({ issuers, jwks: { timeoutMs: 2000, cooldownMs: 30_000 } })
 * ```
 */
export interface JwksOptions {
  /** Timeout of one fetch, in milliseconds. Default 3000. */
  timeoutMs?: number
  /** After a refetch for an unknown `kid` that still lacks it, unknown kids fail without fetching for this long, in milliseconds. Default 10000. */
  cooldownMs?: number
  /** Keys older than this are refreshed in the background while still served, in milliseconds. Default 600000 (10 minutes). */
  maxAgeMs?: number
  /** Replaces the HTTP client (tests, proxies). Default: `node:https`. */
  fetchJson?: FetchJson
}

/** The options every form of the options takes (the API reference shows them in place). @inline */
interface CommonOptions {
  /** Where the token comes from. Default `{ header: 'Authorization', scheme: 'Bearer' }`. */
  tokenSource?: TokenSource
  /** `false`: a request without a token goes on with no `context.auth`; a bad token is still refused. Default `true`. */
  credentialsRequired?: boolean
  /** The `realm` of the `WWW-Authenticate` challenge. Default `'api'`. */
  realm?: string
  /**
   * The URL of this API's protected resource metadata (RFC 9728), added to every `Bearer`
   * challenge as `resource_metadata="…"` so clients (MCP clients, agents) find the
   * authorization server. Serve the document with `protectedResourceMetadata()`. Default: none.
   */
  resourceMetadata?: string
  /** The verified-token cache; `false` turns it off. Default `{ maxEntries: 1000 }`. */
  cache?: { maxEntries: number } | false
  /** JWKS fetching. */
  jwks?: JwksOptions
  /** The clock, in milliseconds since the epoch (tests). Default `Date.now`. */
  clock?: () => number
  /** DPoP-bound tokens (RFC 9449), for every issuer entry that sets no `dpop` of its own. Default: off. */
  dpop?: DpopOptions
  /** mTLS-bound tokens (RFC 8705), for every issuer entry that sets no `mtls` of its own. Default: off. */
  mtls?: MtlsOptions
  /**
   * Where tokens that are not JWTs go (opaque access tokens), such as
   * `createIntrospectionVerifier({ … })` of `@middy-auth/token-introspection`; a JWT never goes
   * there, and an opaque token never reaches the JWT checks. Default: none (an opaque token is
   * `invalid_token`).
   */
  opaqueTokens?: OpaqueTokenVerifier
  /**
   * The extensions, from `@middy-auth/jwt-verify/extensions`, that the lean entry
   * (`@middy-auth/jwt-verify/lean`) needs for `dpop` and `mtls` (`senderConstraints`),
   * `trustApiGateway` (`apiGatewayClaims`), `opaqueTokens` (`opaqueTokenHandoff`) and an issuer
   * entry's `keys` or `secret` (`pemKeysAndSecrets`), a `tokenSource` other than a header
   * (`tokenSources`). The root entry has every extension: there
   * the list is only checked. Default: none.
   */
  extensions?: readonly JwtVerifyExtension[]
}

/**
 * Options of `jwtVerify()`. `issuers` is required, unless `trustApiGateway` is `true`.
 *
 * @example
 * ```ts
 * const options: JwtVerifyOptions = {
 *   issuers: [{ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }],
 *   tokenSource: { cookie: 'session' },
 * }
 * ```
 */
export type JwtVerifyOptions = CommonOptions &
  (
    | {
        /** The trusted issuers; a token's `iss` picks one before any key is fetched. */
        issuers: readonly IssuerConfig[]
        /** Build `context.auth` from what API Gateway already verified (JWT or Cognito authorizer, Lambda authorizer context). Default `false`. */
        trustApiGateway?: boolean
      }
    | { issuers?: readonly IssuerConfig[]; trustApiGateway: true }
  )

/** The `TypeError` of configuration that can never work, thrown at cold start. */
const fail = configErrors(packageName, 'jwtVerify')

const ms = (fallback: number, zero = false, infinity = false): DurationRule => ({ unit: 'milliseconds', fallback, zero, infinity })
const seconds = (fallback: number): DurationRule => ({ unit: 'seconds', fallback, zero: true })

/**
 * The largest verified-token cache: its ring is allocated when the factory runs (about 25 bytes
 * per slot, 2.5 MB here), so a size meant for "unbounded" must not take a function's memory at
 * cold start.
 */
const maxCacheEntries = 100_000

const readMaxEntries = (value: unknown): number => {
  if (value === undefined) return 1000
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= maxCacheEntries) return Math.floor(value)
  throw fail('cache.maxEntries', `must be a number of entries from 0 to ${maxCacheEntries}`)
}

const stringList = (value: unknown, name: string): string[] => {
  const values = typeof value === 'string' ? [value] : value
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
    throw fail(name, `must be a non-empty string or a non-empty list of non-empty strings`)
  }
  return values as string[]
}

/** The settings of one middleware instance, checked and compiled at cold start. */
export interface CompiledOptions {
  issuers: CompiledIssuer[]
  tokenSource: TokenSource
  /** The reader of `tokenSource` (the `DPoP` scheme too when an issuer entry takes DPoP proofs). */
  readToken: ReadToken
  credentialsRequired: boolean
  /** `trustApiGateway: true`: the identity API Gateway verified; `undefined` without the option. */
  fromGateway: ApiGatewayClaimsExtension['fromGateway'] | undefined
  realm: string
  /** `resource_metadata` of every Bearer challenge; `undefined` without the option. */
  resourceMetadata: string | undefined
  cacheMaxEntries: number
  clock: () => number
  /** Every algorithm a DPoP proof may use under some issuer entry, for the challenge's `algs`; empty without DPoP. */
  dpopAlgorithms: Algorithm[]
  /** The verifier of tokens that are not JWTs, and its hand-off; `undefined` without the option. */
  opaqueTokens: { verifier: OpaqueTokenVerifier; handoff: OpaqueTokenHandoffExtension } | undefined
  /** Binding checks: the `senderConstraints` extension's, or the check of unbound tokens. */
  binding: Pick<SenderConstraintsExtension, 'check' | 'toAuthError'>
}

const knownOptions = [
  'issuers',
  'tokenSource',
  'credentialsRequired',
  'trustApiGateway',
  'realm',
  'resourceMetadata',
  'cache',
  'jwks',
  'clock',
  'dpop',
  'mtls',
  'opaqueTokens',
  'extensions',
]
const knownIssuerFields = [
  'issuer',
  'audience',
  'jwksUri',
  'jwks',
  'keyResolver',
  'algorithms',
  'tokenType',
  'clockTolerance',
  'maxTokenAge',
  'requiredClaims',
  'claimsCheck',
  'claims',
  'claimsCacheTtl',
  'dpop',
  'mtls',
  'keys',
  'secret',
]

const from = { packageName, factory: 'jwtVerify' }

/** Each extension's code (./extension-types.ts): an object named like one but without it is refused at cold start. */
const extensionShapes = {
  senderConstraints: ['compile', 'check', 'toAuthError'],
  apiGatewayClaims: ['fromGateway'],
  opaqueTokenHandoff: ['compile', 'takes', 'authenticate'],
  pemKeysAndSecrets: ['compileSecretEntry', 'compilePemKeys'],
  tokenSources: ['problem', 'compile'],
} satisfies { [Name in KnownExtension['name']]: ReadonlyArray<Exclude<keyof Extract<KnownExtension, { name: Name }>, 'package' | 'name'>> }

/** The extension an option needs: a `TypeError` that names its import when the lean entry was not given it. */
const need = <Name extends KnownExtension['name']>(extensions: JwtVerifyExtensions, name: Name, option: string) =>
  // Extensions are keyed by name: the one named `name` has that name's shape.
  needExtension(extensions, name, option, from, fail) as Extract<KnownExtension, { name: Name }>

/** `dpop` or `mtls` set to anything but off (`undefined`, `false`): the option needs `senderConstraints`. */
const isSet = (value: unknown): boolean => value !== undefined && value !== false

const unbound: CompiledBinding = { dpop: undefined, mtls: undefined }

/** The binding checks without `senderConstraints`: a bound token is refused, and no other error can come. */
const unboundChecks: CompiledOptions['binding'] = { check: (auth, _binding, request) => checkUnbound(auth, request.presentedAs), toAuthError: () => undefined }

/**
 * Without `senderConstraints`: no entry binds its tokens, and a `dpop` or `mtls` (of the
 * middleware, of an entry) is the `TypeError` that names the extension.
 */
const withoutSenderConstraints = (options: JwtVerifyOptions, extensions: JwtVerifyExtensions): CompileBinding => {
  const refuseBinding = (holder: { readonly dpop?: unknown; readonly mtls?: unknown }, prefix: string): void => {
    for (const name of ['dpop', 'mtls'] as const) if (isSet(holder[name])) need(extensions, 'senderConstraints', `${prefix}${name}`)
  }
  refuseBinding(options, '')
  return (entry, at) => {
    refuseBinding(entry, `${at}.`)
    return unbound
  }
}

/**
 * Checks every option and compiles the issuers (key resolvers shared per JWKS URL). Anything
 * that can never work is a `TypeError` naming the option, thrown at cold start. `every`: the
 * root entry's extensions (all of them), which stand for `options.extensions` (still checked).
 */
export const compileOptions = (options: JwtVerifyOptions, every?: JwtVerifyExtensions): CompiledOptions => {
  checkOptionNames(options, knownOptions, fail)
  const given = readExtensions<JwtVerifyExtension>(options.extensions, packageName, fail, extensionShapes)
  const extensions = every ?? given
  const trustApiGateway = options.trustApiGateway ?? false
  if (typeof trustApiGateway !== 'boolean') throw fail('trustApiGateway', `must be a boolean`)
  const fromGateway = trustApiGateway ? need(extensions, 'apiGatewayClaims', 'trustApiGateway').fromGateway : undefined
  const credentialsRequired = options.credentialsRequired ?? true
  if (typeof credentialsRequired !== 'boolean') throw fail('credentialsRequired', `must be a boolean`)
  const realm = readRealm(options.realm, fail)
  const resourceMetadata = options.resourceMetadata
  const metadataProblem = resourceMetadata === undefined ? undefined : resourceMetadataProblem(resourceMetadata)
  if (metadataProblem !== undefined) throw fail('resourceMetadata', metadataProblem)
  const handoff = options.opaqueTokens === undefined ? undefined : need(extensions, 'opaqueTokenHandoff', 'opaqueTokens')
  const opaqueTokens = handoff && { verifier: handoff.compile(options.opaqueTokens, fail), handoff }
  const cache = options.cache ?? { maxEntries: 1000 }
  if (cache !== false && !isRecord(cache)) throw fail('cache', `must be { maxEntries } or false`)
  const cacheMaxEntries = cache === false ? 0 : readMaxEntries(cache.maxEntries)
  const clock = options.clock ?? Date.now
  if (typeof clock !== 'function') throw fail('clock', `must be a function returning milliseconds`)
  const tokenSource = options.tokenSource ?? defaultTokenSource(options.issuers)
  // A header is read without an extension; a cookie, a query parameter or a function needs tokenSources.
  const tokenSources = isCookieQueryOrFunction(tokenSource) ? need(extensions, 'tokenSources', 'tokenSource') : undefined
  checkTokenSource((tokenSources?.problem ?? headerSourceProblem)(tokenSource))

  const rawIssuers = options.issuers
  if (rawIssuers === undefined && !trustApiGateway) throw fail('issuers', `is required (or set trustApiGateway: true)`)
  if (rawIssuers !== undefined && (!Array.isArray(rawIssuers) || (rawIssuers.length === 0 && !trustApiGateway))) {
    throw fail('issuers', `must be a non-empty list of issuer entries`)
  }
  const jwks: JwksOptions = options.jwks ?? {}
  // jwks comes from JavaScript callers too: the guard tests the value as unknown, without narrowing its declared type.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  if (!isRecord(jwks as unknown)) throw fail('jwks', `must be an object`)
  const { fetchJson } = jwks
  if (fetchJson !== undefined && typeof fetchJson !== 'function') throw fail('jwks.fetchJson', `must be a function`)
  const resolverSettings = {
    timeoutMs: readDuration(jwks.timeoutMs, 'jwks.timeoutMs', fail, ms(3000)),
    cooldownMs: readDuration(jwks.cooldownMs, 'jwks.cooldownMs', fail, ms(10_000, true)),
    maxAgeMs: readDuration(jwks.maxAgeMs, 'jwks.maxAgeMs', fail, ms(600_000, false, true)),
    fetchJson,
    clock,
  }
  const resolvers = new Map<string, KeyResolver>()
  const seen = new Set<string>()
  const senderConstraints = extensions.get('senderConstraints') as SenderConstraintsExtension | undefined
  const bindingOf: CompileBinding = senderConstraints
    ? senderConstraints.compile({ dpop: options.dpop, mtls: options.mtls, tokenSource, clock }, fail)
    : withoutSenderConstraints(options, extensions)
  const issuers = ((rawIssuers ?? []) as IssuerConfig[]).map((entry, index) =>
    compileIssuer(entry, index, resolverSettings, resolvers, seen, bindingOf, extensions),
  )
  const dpopAlgorithms = [...new Set(issuers.flatMap((issuer) => [...(issuer.binding.dpop?.rules.algorithms ?? [])]))]
  const acceptDpop = dpopAlgorithms.length > 0
  return {
    issuers,
    tokenSource,
    // Without tokenSources, the source is of the header form (checked above).
    readToken: tokenSources ? tokenSources.compile(tokenSource, acceptDpop) : compileHeaderSource(tokenSource as HeaderTokenSource, acceptDpop),
    credentialsRequired,
    fromGateway,
    realm,
    resourceMetadata,
    cacheMaxEntries,
    clock,
    dpopAlgorithms,
    opaqueTokens,
    binding: senderConstraints ?? unboundChecks,
  }
}

const checkTokenSource = (problem: string | undefined): void => {
  if (problem !== undefined) throw fail(problem.slice(0, problem.indexOf(' ')), problem.slice(problem.indexOf(' ') + 1))
}

const compileIssuer = (
  entry: IssuerConfig,
  index: number,
  resolverSettings: Omit<RemoteKeyResolverSettings, 'jwksUri' | 'issuer'>,
  resolvers: Map<string, KeyResolver>,
  seen: Set<string>,
  bindingOf: CompileBinding,
  extensions: JwtVerifyExtensions,
): CompiledIssuer => {
  const at = `issuers[${index}]`
  checkOptionNames(entry, knownIssuerFields, fail, `${at}.`)
  const issuerNames = stringList(entry.issuer, `${at}.issuer`)
  for (const name of issuerNames) {
    if (seen.has(name)) throw fail(`${at}.issuer`, `${JSON.stringify(name)} is listed twice`)
    seen.add(name)
  }
  if (!('audience' in entry) || entry.audience === undefined) {
    throw fail(`${at}.audience`, `is required: give the accepted audience(s), or audience: null to skip the check on purpose`)
  }
  const audiences = entry.audience === null ? null : new Set(stringList(entry.audience, `${at}.audience`))

  // A secret entry (its checks, its HMAC algorithms) is the pemKeysAndSecrets extension's.
  const secret =
    entry.secret === undefined
      ? undefined
      : need(extensions, 'pemKeysAndSecrets', `${at}.secret`).compileSecretEntry(entry, at, fail, (value) => algorithmList(value, at))
  const algorithms = secret?.algorithms ?? publicKeyAlgorithms(entry.algorithms ?? SUPPORTED_ALGORITHMS, at)
  const { tokenType } = entry
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType === '')) {
    throw fail(`${at}.tokenType`, `must be a non-empty string such as 'at+jwt'`)
  }
  const maxTokenAge = entry.maxTokenAge === undefined ? undefined : readDuration(entry.maxTokenAge, `${at}.maxTokenAge`, fail, seconds(0))
  const requiredClaims = entry.requiredClaims ?? []
  if (!Array.isArray(requiredClaims) || requiredClaims.some((c) => typeof c !== 'string' || c === '')) {
    throw fail(`${at}.requiredClaims`, `must be a list of claim names`)
  }
  const claimsCheck = readRenamed(entry, 'claimsCheck', 'claims', fail, `${at}.`)
  if (claimsCheck !== undefined && typeof claimsCheck !== 'function') {
    throw fail(`${at}.${entry.claimsCheck === undefined ? 'claims' : 'claimsCheck'}`, `must be a function of the payload`)
  }

  return {
    issuers: issuerNames,
    algorithms: new Set<Algorithm | HmacAlgorithm>(algorithms),
    resolver: secret?.resolver ?? keyResolverFor(entry, at, issuerNames[0] as string, resolverSettings, resolvers, extensions),
    ...(secret ? { secretKey: secret.key } : {}),
    rules: {
      audiences,
      tokenType: tokenType === undefined ? undefined : normalizeTyp(tokenType),
      clockTolerance: readDuration(entry.clockTolerance, `${at}.clockTolerance`, fail, seconds(5)),
      maxTokenAge,
      requiredClaims,
    },
    claimsCheck: claimsCheck as IssuerConfig['claimsCheck'],
    claimsCacheTtl: readDuration(entry.claimsCacheTtl, `${at}.claimsCacheTtl`, fail, seconds(60)),
    binding: bindingOf(entry, at),
  }
}

/** An entry's `algorithms`: a non-empty list (each checked by the caller). */
const algorithmList = (value: unknown, at: string): unknown[] => {
  if (!Array.isArray(value) || value.length === 0) throw fail(`${at}.algorithms`, `must be a non-empty list`)
  return value
}

/** The algorithms of an entry with public keys: asymmetric ones we support, never HMAC. */
const publicKeyAlgorithms = (value: unknown, at: string): Algorithm[] => {
  const algorithms = algorithmList(value, at)
  for (const alg of algorithms) {
    if (isHmacAlgorithm(alg)) throw fail(`${at}.algorithms`, `${alg} needs a 'secret' on this entry`)
    if (!isAlgorithm(alg)) {
      throw fail(`${at}.algorithms`, `${JSON.stringify(alg)} is not supported (${SUPPORTED_ALGORITHMS.join(', ')}; HS256/384/512 with a secret)`)
    }
  }
  return algorithms as Algorithm[]
}

const keyResolverFor = (
  entry: IssuerConfig,
  at: string,
  firstIssuer: string,
  settings: Omit<RemoteKeyResolverSettings, 'jwksUri' | 'issuer'>,
  resolvers: Map<string, KeyResolver>,
  extensions: JwtVerifyExtensions,
): KeyResolver => {
  const sources = (['jwksUri', 'jwks', 'keyResolver', 'keys'] as const).filter((name) => entry[name] !== undefined)
  if (sources.length > 1) throw fail(`${at}.${sources[1] as string}`, `goes without ${sources[0] as string}: give one of jwksUri, jwks, keys and keyResolver`)
  const { jwksUri, jwks, keyResolver, keys } = entry
  if (keys !== undefined) return need(extensions, 'pemKeysAndSecrets', `${at}.keys`).compilePemKeys(keys, at, fail)
  if (keyResolver) {
    if (typeof keyResolver.cached !== 'function' || typeof keyResolver.getKeySet !== 'function' || typeof keyResolver.prefetch !== 'function') {
      throw fail(`${at}.keyResolver`, `must implement prefetch(), cached() and getKeySet()`)
    }
    return keyResolver
  }
  if (jwks !== undefined) {
    if (!isRecord(jwks) || !Array.isArray(jwks.keys)) throw fail(`${at}.jwks`, `must be a key set { keys: [...] }`)
    return createStaticKeyResolver(jwks as { keys: unknown[] })
  }
  // Discovery when jwksUri is absent: the issuer itself must then be fetchable.
  const cacheKey = jwksUri ?? `discovery:${firstIssuer}`
  const urlOption = jwksUri ? `${at}.jwksUri` : `${at}.issuer`
  try {
    assertFetchableUrl(jwksUri ?? firstIssuer, urlOption)
  } catch (error) {
    throw fail(urlOption, `${(error as Error).message.slice(urlOption.length + 1)}${jwksUri ? '' : ' (for OIDC discovery)'}`)
  }
  let resolver = resolvers.get(cacheKey)
  if (!resolver) {
    resolver = remoteKeyResolver({ ...settings, ...(jwksUri ? { jwksUri } : { issuer: firstIssuer }) })
    resolvers.set(cacheKey, resolver)
  }
  return resolver
}
