/**
 * `jwtVerify()`'s options: their types, and `compileOptions`, which checks them when the factory
 * runs (a `TypeError` at cold start for anything that can never work) and builds what a request
 * needs from them: each issuer entry with its key resolver, algorithms and binding rules.
 */
import {
  asText,
  checkOptionNames,
  compileHeaderSource,
  configErrors,
  headerSourceProblem,
  isCookieQueryOrFunction,
  isListOf,
  needExtension,
  readOptionNamesAndExtensions,
  readDuration,
  readRealm,
} from '@middy-auth/core/internal'
import type { AlbRules } from './alb-rules.js'
import { isAlgorithm, SUPPORTED_ALGORITHMS, type Algorithm, type HmacAlgorithm } from './algorithms.js'
import { normalizeTyp } from './claims-check.js'
import { checkUnbound } from './confirmation.js'
import type { FetchJson } from './fetch-json.js'
import type { IssuerConfig } from './issuer-config.js'
import type { KeyResolver } from './key-resolver.js'
import type {
  ApiGatewayClaimsExtension,
  JwtVerifyExtension,
  JwtVerifyExtensions,
  KnownExtension,
  OpaqueTokenHandoff,
  ReadTokenRefusingCrossSite,
  RequestSpecificNotesCarrier,
  SenderConstraintsExtension,
  TokenSourcesExtension,
} from './extension-types.js'
import type { OpaqueTokenVerifier } from './opaque-tokens.js'
import { extensionMark, packageName } from './package-name.js'
import { remoteKeyResolver } from './remote-key-resolver.js'
import type { NoteRequestSpecific } from './request-specific-notes.js'
import type { CompileBinding, CompiledBinding, DpopChallenge, DpopOptions, MtlsOptions } from './sender-binding-options.js'
import type { TokenSource } from './token-source.js'
import { createVerifier, type CompiledIssuer } from './verifier.js'

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
  /** The verified-token cache; `false` turns it off (in the lean entry, with the `tuning` extension). Default `{ maxEntries: 1000 }`. */
  cache?: { maxEntries: number } | false
  /** JWKS fetching (in the lean entry, with the `tuning` extension). */
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
   * entry's `jwks`, `keys`, `keyResolver` or `secret` (`staticKeys`), an issuer entry without
   * `jwksUri` (OIDC discovery: `oidcDiscovery`), a `tokenSource` other than a header
   * (`tokenSources`), an issuer entry's `claimsCheck` and `claimsCacheTtl` (`claimsChecks`),
   * `resourceMetadata` (`resourceMetadataChallenge`), `jwks` and `cache` (`tuning`). The root
   * entry has every extension: there the list is only checked. Default: none.
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

/**
 * The settings of one middleware instance, checked and compiled at cold start: a list, read once
 * by destructuring (./jwt-verifier.ts), so that their names are local variables the minifier
 * shortens rather than properties it must keep.
 */
export type CompiledOptions = readonly [
  issuers: CompiledIssuer[],
  /** The reader of `tokenSource` (the `DPoP` scheme too when an issuer entry takes DPoP proofs). */
  readToken: ReadTokenRefusingCrossSite,
  /** What notes an identity as holding for this request only; `undefined` without an extension that can bring one. */
  noteRequestSpecific: NoteRequestSpecific | undefined,
  credentialsRequired: boolean,
  /** `trustApiGateway: true`: the wrapper of the middleware's authentication that takes the identity API Gateway verified first; `undefined` without the option. */
  trustGateway: ApiGatewayClaimsExtension['wrap'] | undefined,
  realm: string,
  /** `resource_metadata` of every Bearer challenge; `undefined` without the option. */
  resourceMetadata: string | undefined,
  /** The challenge's `algs`: every algorithm a DPoP proof may use under some issuer entry; `undefined` without DPoP. */
  dpop: DpopChallenge,
  /** The hand-off of tokens that are not JWTs to their verifier; `undefined` without the option. */
  opaqueTokens: OpaqueTokenHandoff | undefined,
  /** Binding checks: the `senderConstraints` extension's, or the check of unbound tokens. */
  binding: BindingChecks,
  cacheMaxEntries: number,
  clock: () => number,
  /** The ALB verifier when an entry came from `albIssuer()` (it refuses other issuers beside it), else the JWT verifier. */
  createVerifier: AlbRules['createVerifier'],
]

/** The checks of a token's binding (`cnf`) to the request. */
type BindingChecks = Pick<SenderConstraintsExtension, 'bind' | 'toAuthError'>

/**
 * The rules of `albIssuer()` entries by their key resolver (set by ./alb.ts): found here, without
 * importing the ALB code, which only `albIssuer()` brings into a bundle. A WeakMap, not a
 * property of the resolver: a copy of the resolver (spread, `Object.assign`, a prototype child)
 * is no ALB entry, and reading it never runs a user's Proxy trap.
 */
export const albEntries = new WeakMap<object, AlbRules>()

/** The rules of an `albIssuer()` entry's key resolver; `undefined` for any other value. */
export const albRulesOf = (resolver: unknown): AlbRules | undefined => albEntries.get(resolver as object)

/** The `TypeError` of configuration that can never work, thrown at cold start. */
const fail = configErrors(packageName, 'jwtVerify')

/** What an option must be: its test, and the words that finish the `TypeError`'s `<option> must be …`. */
type Rule = readonly [test: (value: unknown) => boolean, what: string]

/**
 * `value` when it is left out or `rule` takes it; anything else is the `TypeError`
 * `<option> must be <what>`. A default is the caller's (`options.clock ?? Date.now`), so that
 * `null` stays what it was for each option.
 */
function checked<T>(value: T, [test, what]: Rule, option: string): T {
  if (value === undefined || test(value)) return value
  throw fail(option, `must be ${what}`)
}

const isText = (value: unknown): boolean => asText(value) !== undefined
const isTextList = (value: unknown): value is string[] => isListOf(value, isText)
/** A value of one `typeof`, named in the `TypeError` (`a boolean`). */
const typeRule = (type: 'boolean' | 'function'): Rule => [(value) => typeof value === type, `a ${type}`]
const aBoolean = typeRule('boolean')
const aFunction = typeRule('function')

/** The verified-token cache's size when `cache` is left out (or gives no `maxEntries`). */
export const defaultCacheEntries = 1000
/** The key resolvers' settings that `jwks` leaves out (all of them without the `tuning` extension). */
export const jwksDefaults = { timeoutMs: 3000, cooldownMs: 10_000, maxAgeMs: 600_000 }

/** The `TypeError` of a list that must hold something: `issuers`, an entry's `issuer`, `audience` and `algorithms`. */
const notANonEmptyList = (option: string, what: string): TypeError => fail(option, `must be a non-empty list of ${what}`)

/** A non-empty list of values `allowed` takes, which `what` names for the `TypeError`. */
function nonEmptyList(value: unknown, option: string, allowed: (item: unknown) => boolean, what: string): unknown[] {
  if (isListOf(value, allowed) && value.length > 0) return value
  throw notANonEmptyList(option, what)
}

/** An entry's `issuer` or `audience`: one name, or a non-empty list of them. */
const nameList = (value: unknown, option: string): string[] =>
  nonEmptyList(typeof value === 'string' ? [value] : value, option, isText, `non-empty strings (or one)`) as string[]

/** An entry's key sources, of which it gives one (or none: OIDC discovery from its issuer). */
const keySources = ['jwksUri', 'jwks', 'keyResolver', 'keys'] as const
/** Sender-constrained tokens: options of the middleware, and of each entry. */
const bindingOptions = ['dpop', 'mtls'] as const
/** The user's own check of an entry (`claims`: its former name) and its cache's lifetime: the claimsChecks extension's. */
const claimsCheckFields = ['claimsCheck', 'claims', 'claimsCacheTtl'] as const

/** The options, and the fields of an issuer entry, in the order the `TypeError` of an unknown one lists them. */
const knownOptions = [
  ...'issuers tokenSource credentialsRequired trustApiGateway realm resourceMetadata cache jwks clock'.split(' '),
  ...bindingOptions,
  'opaqueTokens',
  'extensions',
]
const knownIssuerFields = [
  'issuer',
  'audience',
  ...keySources,
  ...'secret algorithms tokenType clockTolerance maxTokenAge requiredClaims'.split(' '),
  ...claimsCheckFields,
  ...bindingOptions,
]

/** The token sources read without the `tokenSources` extension: `{ header, scheme? }`. */
const headerForm: Pick<TokenSourcesExtension, 'problem' | 'compile'> = {
  problem: headerSourceProblem,
  // Called once headerSourceProblem found none: the source is of the header form (which has no cross-site lookup).
  compile: compileHeaderSource as (source: TokenSource, acceptDpop: boolean) => ReadTokenRefusingCrossSite,
}

/** An extension that can bring an identity that holds for its request only (a cookie credential, a bound token). */
const carriesNotes = (extension: JwtVerifyExtension): extension is JwtVerifyExtension & RequestSpecificNotesCarrier => 'notes' in extension

/** The binding of an entry without `dpop` and `mtls`. */
const unbound: CompiledBinding = {}

/** The binding checks without `senderConstraints`: a bound token is refused, and no other error can come. */
const unboundChecks: BindingChecks = { bind: () => (auth, _token, presentedAs) => checkUnbound(auth, presentedAs), toAuthError: () => undefined }

/**
 * Checks every option and compiles the issuers (key resolvers shared per JWKS URL). Anything
 * that can never work is a `TypeError` naming the option, thrown at cold start. `every`: the
 * root entry's extensions (all of them), which stand for `options.extensions` (still checked).
 */
export function compileOptions(options: JwtVerifyOptions, every?: JwtVerifyExtensions): CompiledOptions {
  const extensions = readOptionNamesAndExtensions<JwtVerifyExtension>(options, knownOptions, fail, extensionMark, every)
  /** The extension an option needs: a `TypeError` that names its import when the lean entry was not given it. */
  const need = <Name extends KnownExtension['name']>(name: Name, option: string, when?: string) =>
    // Extensions are keyed by name: the one named `name` has that name's shape.
    needExtension(extensions, name, option, fail, when) as Extract<KnownExtension, { name: Name }>
  /** An option that `rule` takes, `fallback` when it is left out or null. */
  const option = <T>(name: 'trustApiGateway' | 'credentialsRequired' | 'clock', rule: Rule, fallback: T): T =>
    checked(options[name] ?? fallback, rule, name) as T

  // From JavaScript callers too: every option is checked as an unknown value, whatever its declared type.
  const trustApiGateway = option('trustApiGateway', aBoolean, false)
  const trustGateway = trustApiGateway ? need('apiGatewayClaims', 'trustApiGateway').wrap : undefined
  const credentialsRequired = option('credentialsRequired', aBoolean, true)
  const realm = readRealm(options.realm, fail)
  const { resourceMetadata: metadata, opaqueTokens: opaque } = options
  // The URL's rules (RFC 9728; challenges carry it as given): the resourceMetadataChallenge extension's.
  const resourceMetadata = metadata === undefined ? undefined : need('resourceMetadataChallenge', 'resourceMetadata').read(metadata, fail)
  const opaqueTokens = opaque === undefined ? undefined : need('opaqueTokenHandoff', 'opaqueTokens').compile(opaque, fail)
  // `cache` and `jwks` (below) are the tuning extension's; left out (or null), their defaults.
  const cache = options.cache ?? undefined
  const cacheMaxEntries = cache === undefined ? defaultCacheEntries : need('tuning', 'cache').cache(cache, fail)
  const clock = option('clock', aFunction, Date.now)
  // Only a given source is checked: the default (below) is a header, valid by construction, and
  // leaving its check out spares the cold start compiling and running it.
  const givenSource = options.tokenSource ?? undefined
  // A header is read without an extension; a cookie, a query parameter or a function needs tokenSources.
  const sourceForm = isCookieQueryOrFunction(givenSource) ? need('tokenSources', 'tokenSource') : headerForm
  const sourceProblem = givenSource === undefined ? undefined : sourceForm.problem(givenSource)
  // Its text starts with the option's path (`tokenSource.scheme must be …`).
  const space = sourceProblem?.indexOf(' ')
  if (sourceProblem) throw fail(sourceProblem.slice(0, space), sourceProblem.slice((space as number) + 1))

  const rawIssuers: unknown = options.issuers
  // Left out or empty only when API Gateway's identity is trusted instead.
  const issuersGiven = Array.isArray(rawIssuers) ? rawIssuers.length > 0 || trustApiGateway : rawIssuers === undefined && trustApiGateway
  if (!issuersGiven) throw notANonEmptyList('issuers', `issuer entries${trustApiGateway ? '' : ' (or set trustApiGateway: true)'}`)
  const entries = (rawIssuers ?? []) as IssuerConfig[]
  // Without one configured: `Authorization: Bearer`, unless the `albIssuer()` entries decide
  // (`x-amzn-oidc-data` when every entry is one). The entries are not checked yet.
  const tokenSource = givenSource ??
    albRulesOf((entries[0] as { keyResolver?: unknown } | null | undefined)?.keyResolver)?.tokenSource(entries) ?? { header: 'Authorization', scheme: 'Bearer' }
  const jwks = options.jwks ?? undefined
  const resolverSettings = { ...(jwks === undefined ? jwksDefaults : need('tuning', 'jwks').jwks(jwks, fail)), clock }
  /** Remote key resolvers by JWKS URL: entries with the same `jwksUri` share one. */
  const resolvers = new Map<string, KeyResolver>()
  const seen = new Set<string>()

  const senderConstraints = extensions.get('senderConstraints') as SenderConstraintsExtension | undefined
  /** Without `senderConstraints`, no entry binds its tokens (and no challenge is DPoP's): a `dpop` or `mtls` (of the middleware, of an entry) names the extension. */
  const [bindingOf, dpopChallenge]: readonly [CompileBinding, (() => DpopChallenge)?] = senderConstraints?.compile(
    { dpop: options.dpop, mtls: options.mtls, tokenSource, clock },
    fail,
  ) ?? [
    (holder, at) => {
      for (const name of bindingOptions) if (holder[name] !== undefined && holder[name] !== false) need('senderConstraints', at ? `${at}.${name}` : name)
      return unbound
    },
  ]
  if (!senderConstraints) bindingOf(options, '')

  function keyResolverFor(entry: IssuerConfig, at: string, firstIssuer: string): KeyResolver {
    const [source, another] = keySources.filter((name) => entry[name] !== undefined)
    if (another) throw fail(`${at}.${another}`, `goes without ${source as string}: give one of ${keySources.join(', ')}`)
    const option = `${at}.${source as string}`
    const { jwksUri, keyResolver } = entry
    // An albIssuer() entry's resolver (the entry's one source), valid by construction: its keys
    // are fetched, as a jwksUri's.
    if (albRulesOf(keyResolver)) return keyResolver as KeyResolver
    // Any other source but a jwksUri gives the keys in the configuration (a local `jwks`, PEM
    // `keys`, the user's own `keyResolver`): the staticKeys extension's check of that field.
    if (source && source !== 'jwksUri') return need('staticKeys', option)[source](entry[source], option, fail)
    // OIDC discovery when jwksUri is absent (or null, as it always meant): its resolver checks
    // that the issuer is fetchable. Never shared: no issuer is listed twice.
    if (jwksUri == null) return need('oidcDiscovery', at, 'without jwksUri ').keyResolver({ ...resolverSettings, issuer: firstIssuer }, fail, `${at}.`)
    const resolver = resolvers.get(jwksUri) ?? remoteKeyResolver({ ...resolverSettings, jwksUri }, fail, `${at}.`)
    resolvers.set(jwksUri, resolver)
    return resolver
  }

  function compileIssuer(entry: IssuerConfig, index: number): CompiledIssuer {
    const at = `issuers[${index}]`
    /** The path of one of the entry's fields, for its `TypeError`. */
    const path = (field: string): string => `${at}.${field}`
    checkOptionNames(entry, knownIssuerFields, fail, path(''))
    const issuerNames = nameList(entry.issuer, path('issuer'))
    for (const name of issuerNames) {
      if (seen.has(name)) throw fail(path('issuer'), `${JSON.stringify(name)} is listed twice`)
      seen.add(name)
    }
    const { audience } = entry
    if (audience === undefined) throw fail(path('audience'), `is required (audience: null skips the check)`)
    const audiences = audience === null ? null : new Set(nameList(audience, path('audience')))
    /** The entry's `algorithms`: the asymmetric ones we support, or the HMAC ones of a `secret` entry. */
    const readAlgorithms = (value: unknown, allowed: (alg: unknown) => boolean, what: string): unknown[] =>
      nonEmptyList(value, path('algorithms'), allowed, what)
    // A secret entry (its checks, its HMAC algorithms) is the staticKeys extension's.
    const secret = entry.secret === undefined ? undefined : need('staticKeys', path('secret')).secret(entry, at, fail, readAlgorithms)
    // Left out: every supported algorithm, valid by construction (so not checked at cold start).
    const givenAlgorithms = entry.algorithms ?? undefined
    const algorithms =
      secret?.algorithms ??
      (givenAlgorithms === undefined
        ? SUPPORTED_ALGORITHMS
        : (readAlgorithms(givenAlgorithms, isAlgorithm, `${SUPPORTED_ALGORITHMS.join(', ')} (HS256/384/512 with a secret)`) as Algorithm[]))
    const tokenType = checked(entry.tokenType, [isText, `a non-empty string such as 'at+jwt'`], path('tokenType'))
    const seconds = (name: 'clockTolerance' | 'maxTokenAge' | 'claimsCacheTtl', fallback: number): number =>
      readDuration(entry[name], path(name), fail, { unit: 'seconds', fallback, zero: true })
    const maxTokenAge = entry.maxTokenAge === undefined ? undefined : seconds('maxTokenAge', 0)
    const requiredClaims = checked(entry.requiredClaims ?? [], [isTextList, `a list of claim names`], path('requiredClaims'))
    // Read here, its cache's lifetime below: the order in which the root entry has always
    // checked an entry's fields, so a configuration with several mistakes names the same first.
    const checkField = claimsCheckFields.find((field) => entry[field] !== undefined)
    const claimsChecksExtension = checkField && need('claimsChecks', path(checkField))
    const userCheck = claimsChecksExtension?.read(entry, path(''), fail)

    return {
      issuers: issuerNames,
      algorithms: new Set<Algorithm | HmacAlgorithm>(algorithms),
      resolver: secret?.resolver ?? keyResolverFor(entry, at, issuerNames[0] as string),
      secretKey: secret?.key,
      rules: [audiences, tokenType && normalizeTyp(tokenType), seconds('clockTolerance', 5), maxTokenAge, requiredClaims],
      claimsCheck: claimsChecksExtension?.compile(userCheck, seconds('claimsCacheTtl', 60)),
      binding: bindingOf(entry, at),
    }
  }

  // Array.from, not map(): map() skips a hole (`[, entry]`), which must be refused by its index like any non-entry.
  const issuers = Array.from(entries, compileIssuer)
  const dpop = dpopChallenge?.()
  const alb = issuers.map((issuer) => albRulesOf(issuer.resolver)).find(Boolean)
  return [
    issuers,
    sourceForm.compile(tokenSource, dpop !== undefined),
    // The one of senderConstraints, tokenSources and opaqueTokenHandoff given first (they carry the same notes).
    [...extensions.values()].find(carriesNotes)?.notes(tokenSource),
    credentialsRequired,
    trustGateway,
    realm,
    resourceMetadata,
    dpop,
    opaqueTokens,
    senderConstraints ?? unboundChecks,
    cacheMaxEntries,
    clock,
    alb?.createVerifier ?? createVerifier,
  ]
}
