import { checkOptionNames, configErrors, readDuration, readFunction, readRenamed, type ConfigError } from '@middy-auth/core/internal'
import { fetchableUrl, fetchableUrlRule, fetchCheckedJson, fetchJson as defaultFetchJson, retryAfterMsOf, type FetchJson } from './fetch-json.js'
import { importKeySet } from './import-jwk.js'
import { KeysUnavailableError, type KeyResolver, type KeySet } from './key-resolver.js'
import { discoverJwksUri } from './oidc-discovery.js'
import { packageName } from './package-name.js'

/**
 * Options of {@link createRemoteKeyResolver}. All durations are in milliseconds.
 *
 * @example
 * ```ts
 * import type { RemoteKeyResolverOptions } from '@middy-auth/jwt-verify/keys'
 *
 * const options: RemoteKeyResolverOptions = { issuer: 'https://login.example.com/', cooldownMs: 30_000 }
 * ```
 */
export interface RemoteKeyResolverOptions {
  /**
   * Where the JWKS is served: `https:`, or `http:` on a loopback host only. When absent, it is
   * found by OIDC discovery from `issuer`.
   */
  jwksUri?: string
  /**
   * The issuer, for OIDC discovery when `jwksUri` is absent: the document at
   * `${issuer}/.well-known/openid-configuration` must name exactly this `issuer`, and its
   * `jwks_uri` must be `https:` (or loopback `http:`). Ignored when `jwksUri` is given.
   */
  issuer?: string
  /** Milliseconds allowed for each HTTP request (discovery, JWKS). Default is 3000 (3 seconds). */
  timeoutMs?: number
  /**
   * Milliseconds during which no fetch is made after a refetch for an unknown `kid` that still
   * lacked it, or after a failed fetch (the penalty box): tokens with unknown kids then fail
   * fast, and an unreachable endpoint is tried once per cooldown. Default is 10000 (10 seconds).
   * `0` turns the protection off.
   */
  cooldownMs?: number
  /**
   * Milliseconds after a successful fetch when the cached set becomes due for a refresh: the
   * next call still answers from the cache at once and starts a refetch in the background.
   * Default is 600000 (10 minutes). `Infinity` never refreshes (keys still refetch on an
   * unknown kid).
   */
  maxAgeMs?: number
  /** Fetches one JSON document. Default is {@link defaultFetchJson | fetchJson} (`node:https`). */
  fetchJson?: FetchJson
  /** The clock, in milliseconds since the epoch. Default is `Date.now`. */
  clock?: () => number
  /**
   * The former name of `clock`.
   *
   * @deprecated Rename it `clock`: `now` still works, with a `DeprecationWarning` at cold start.
   */
  now?: () => number
}

/**
 * A {@link KeyResolver} for a JWKS served over HTTPS, found directly (`jwksUri`) or by OIDC
 * discovery (`issuer`).
 *
 * - `prefetch()` starts the fetch at once (call it at cold start); it never throws or rejects.
 * - The set is cached across invocations; one fetch at a time is shared by every caller, so 100
 *   concurrent cold requests cost one JWKS request (and one discovery request, once ever).
 * - A token whose `kid` is not in the set triggers a refetch (shared by concurrent misses). When
 *   the refetch still lacks the kid, every unknown kid fails fast for `cooldownMs`: a flood of
 *   made-up kids costs at most one request per cooldown. A prefetch or age refresh starts no
 *   cooldown, so a key rotated in after it is found on its first token.
 * - When a fetch fails, the cached (stale) set is served; with nothing cached, `getKeySet`
 *   rejects with {@link KeysUnavailableError}. A failed fetch is retried at most once per
 *   cooldown, or after the server's `Retry-After` (a 429 or 503) when that is longer, up to
 *   five minutes.
 * - After `maxAgeMs` the set is refreshed in the background while the cache keeps answering.
 *
 * Keys whose JWK is unchanged keep their {@link ResolvedKey} object across refetches.
 *
 * > **Security:** configuration errors (no source, a non-https URL, bad numbers) throw a
 * > `TypeError` here, at cold start. The JWKS URL comes only from configuration or from the
 * > configured issuer's discovery document, never from a token (`jku`, `x5u` are not followed).
 *
 * @param options - See {@link RemoteKeyResolverOptions}. `jwksUri` or `issuer` is required.
 * @returns A resolver; nothing is fetched before `prefetch()` or the first `getKeySet()`.
 * @throws TypeError when the options can never work.
 *
 * @example
 * ```ts
 * import { createRemoteKeyResolver } from '@middy-auth/jwt-verify/keys'
 *
 * // The JWKS URL of a Cognito user pool, prefetched while Lambda initializes.
 * const resolver = createRemoteKeyResolver({
 *   jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123/.well-known/jwks.json',
 *   timeoutMs: 2000,
 * })
 * resolver.prefetch()
 *
 * // Or by OIDC discovery:
 * const auth0 = createRemoteKeyResolver({ issuer: 'https://tenant.eu.auth0.com/' })
 * ```
 */
export function createRemoteKeyResolver(options: RemoteKeyResolverOptions): KeyResolver {
  const fail = configErrors(packageName, 'createRemoteKeyResolver')
  checkOptionNames(options, ['jwksUri', 'issuer', 'timeoutMs', 'cooldownMs', 'maxAgeMs', 'fetchJson', 'clock', 'now'], fail)
  const settings: RemoteKeyResolverSettings = {
    jwksUri: options.jwksUri,
    issuer: options.issuer,
    timeoutMs: readDuration(options.timeoutMs, 'timeoutMs', fail, { unit: 'milliseconds', fallback: 3000 }),
    cooldownMs: readDuration(options.cooldownMs, 'cooldownMs', fail, { unit: 'milliseconds', fallback: 10_000, zero: true }),
    maxAgeMs: readDuration(options.maxAgeMs, 'maxAgeMs', fail, { unit: 'milliseconds', fallback: 600_000, infinity: true }),
    fetchJson: readFunction<FetchJson>(options.fetchJson, 'fetchJson', fail),
    clock: readFunction<() => number>(readRenamed(options, 'clock', 'now', fail), 'clock', fail) ?? Date.now,
  }
  if (options.jwksUri === undefined && options.issuer === undefined) throw fail('jwksUri', 'or issuer is required to fetch keys')
  return options.jwksUri === undefined ? discoveryKeyResolver(settings, fail) : remoteKeyResolver(settings, fail)
}

/**
 * The settings of {@link remoteKeyResolver} and {@link discoveryKeyResolver}: durations,
 * `fetchJson` and `clock` already checked (by `createRemoteKeyResolver`, or by `jwtVerify()`
 * under its own option names).
 */
export type RemoteKeyResolverSettings = Pick<RemoteKeyResolverOptions, 'jwksUri' | 'issuer' | 'fetchJson'> &
  Required<Pick<RemoteKeyResolverOptions, 'timeoutMs' | 'cooldownMs' | 'maxAgeMs' | 'clock'>>

/**
 * The key source, which must be a fetchable URL given as a string (a `URL` object or a list
 * would pass `new URL()`): else a `TypeError` of the caller (`fail`) naming `option`.
 */
function fetchableOption(url: unknown, option: string, fail: ConfigError, purpose = ''): string {
  if (typeof url === 'string' && fetchableUrl(url)) return url
  throw fail(option, `must be ${fetchableUrlRule}${purpose}`)
}

/**
 * {@link createRemoteKeyResolver} of a `jwksUri`, after its other option checks: `jwtVerify()`
 * calls it directly, so the lean bundle does not carry the checks twice. The `TypeError` of a
 * `jwksUri` that is not fetchable is the caller's (`fail`), naming the option at `at`
 * (`'issuers[0].'` for jwtVerify's entries).
 */
export function remoteKeyResolver(settings: RemoteKeyResolverSettings, fail: ConfigError, at = ''): KeyResolver {
  const jwksUri = fetchableOption(settings.jwksUri, `${at}jwksUri`, fail)
  return jwksKeyResolver(() => jwksUri, settings)
}

/**
 * {@link remoteKeyResolver} by OIDC discovery from `settings.issuer`, which must be a fetchable
 * URL string: the `oidcDiscovery` extension of the lean entry (./oidc-discovery.ts).
 */
export function discoveryKeyResolver(settings: RemoteKeyResolverSettings, fail: ConfigError, at = ''): KeyResolver {
  const issuer = fetchableOption(settings.issuer, `${at}issuer`, fail, ', for OIDC discovery')
  const { timeoutMs, fetchJson = defaultFetchJson } = settings
  // Discovered once, then remembered: discovery is not repeated for refetches.
  let jwksUri: string | undefined
  return jwksKeyResolver(async () => (jwksUri ??= await discoverJwksUri(issuer, fetchJson, timeoutMs)), settings)
}

/** The caching resolver over the JWKS at the URL `jwksUri()` gives. */
function jwksKeyResolver(jwksUri: () => string | Promise<string>, settings: RemoteKeyResolverSettings): KeyResolver {
  // The URL is fetchable (checked here or by discovery): the default fetch does not check it again.
  const { timeoutMs, fetchJson = fetchCheckedJson } = settings
  return cachingKeyResolver(async (previous) => {
    const url = await jwksUri()
    // The next JWKS fetch comes a cooldown or maxAgeMs later, when an idle connection is long
    // gone (Node's agent drops one after 5 s): this one is not kept. Discovery's connection
    // is, for the JWKS request that follows it, usually to the same host.
    const json = await fetchJson(url, { timeoutMs, keepAlive: false })
    try {
      return { keySet: importKeySet(json, previous), complete: true }
    } catch (error) {
      throw new Error(`GET ${url}: ${(error as Error).message}`, { cause: error })
    }
  }, settings)
}

/**
 * Loads a key set for {@link createCachingKeyResolver}; rejects on failure. `previous` is the set
 * in cache (pass it to `importKeySet` to keep the identity of unchanged keys). `kid` is the
 * token's kid when the load was started for a token, `undefined` for a prefetch or refresh.
 *
 * @example
 * ```ts
 * import { importKeySet, type KeySetLoader } from '@middy-auth/jwt-verify/keys'
 *
 * const load: KeySetLoader = async (previous) => ({ keySet: importKeySet(await readJwks(), previous), complete: true })
 * ```
 */
export type KeySetLoader = (previous: KeySet | undefined, kid: string | undefined) => Promise<LoadedKeySet>

/**
 * What a {@link KeySetLoader} loaded.
 *
 * @example
 * ```ts
 * import { importKeySet, type LoadedKeySet } from '@middy-auth/jwt-verify/keys'
 *
 * const loaded: LoadedKeySet = { keySet: importKeySet({ keys: [] }), complete: true }
 * ```
 */
export interface LoadedKeySet {
  /** The key set to cache from now on. */
  keySet: KeySet
  /**
   * `true` when `keySet` is the whole set as the source serves it now, so its age restarts;
   * `false` when the loader only looked one kid up and merged it into the previous set (the
   * set stays due for its refresh at `maxAgeMs`, whatever lookups happen meanwhile).
   */
  complete: boolean
}

/**
 * Options of {@link createCachingKeyResolver}; all required (the callers apply defaults).
 *
 * @example
 * ```ts
 * import type { CachingKeyResolverOptions } from '@middy-auth/jwt-verify/keys'
 *
 * const options: CachingKeyResolverOptions = { cooldownMs: 10_000, maxAgeMs: 600_000, clock: Date.now }
 * ```
 */
export interface CachingKeyResolverOptions {
  /** Milliseconds of the penalty box after a refetch that lacked the kid or a failed load. */
  cooldownMs: number
  /** Milliseconds after a successful load when the next call starts a background refresh. */
  maxAgeMs: number
  /** The clock, in milliseconds since the epoch. Required (or its former name, `now`). */
  clock?: () => number
  /**
   * The former name of `clock`.
   *
   * @deprecated Rename it `clock`: `now` still works, with a `DeprecationWarning`.
   */
  now?: () => number
}

/**
 * The caching, de-duplication and penalty-box rules of {@link createRemoteKeyResolver}, around
 * any loader. Exported for adapters (`@middy-auth/jwt-verify/jwks-rsa`) and custom sources that
 * should behave exactly the same; most users want `createRemoteKeyResolver`.
 *
 * @param load - Loads the key set (see {@link KeySetLoader}); rejects on failure.
 * @param options - `cooldownMs`, `maxAgeMs` (milliseconds) and the `clock`, all required.
 *
 * @example
 * ```ts
 * import { createCachingKeyResolver, importKeySet } from '@middy-auth/jwt-verify/keys'
 *
 * const resolver = createCachingKeyResolver(
 *   async (previous) => ({ keySet: importKeySet(await loadJwksFromParameterStore(), previous), complete: true }),
 *   { cooldownMs: 10_000, maxAgeMs: 600_000, clock: Date.now },
 * )
 * ```
 */
export function createCachingKeyResolver(load: KeySetLoader, options: CachingKeyResolverOptions): KeyResolver {
  const fail = configErrors(packageName, 'createCachingKeyResolver')
  const clock = readRenamed(options, 'clock', 'now', fail)
  if (typeof clock !== 'function') throw fail('clock', 'must be a function returning milliseconds')
  return cachingKeyResolver(load, { cooldownMs: options.cooldownMs, maxAgeMs: options.maxAgeMs, clock: clock as () => number })
}

/** {@link createCachingKeyResolver} after its check of the clock (`createRemoteKeyResolver` checked its own). */
function cachingKeyResolver(load: KeySetLoader, { cooldownMs, maxAgeMs, clock: now }: Required<Omit<CachingKeyResolverOptions, 'now'>>): KeyResolver {
  // The only state, shared by every invocation: nothing here belongs to one request.
  let current: KeySet | undefined
  let fetchedAt = 0
  // When the penalty box last started (-Infinity: never), and its length: cooldownMs, or longer
  // when the server asked for it.
  let cooldownFrom = -Infinity
  let penaltyMs = cooldownMs
  let lastError: unknown
  // The load in flight, which never rejects (its outcome is in the state above), and whether
  // getKeySet started it, after its token arrived, rather than a prefetch or refresh.
  let inFlight: Promise<void> | undefined
  let inFlightForToken = false

  // A clock that jumps backwards ends the cooldown (and makes the set stale: refreshIfDue),
  // rather than freezing both for as long as the jump.
  const coolingDown = (t: number): boolean => t >= cooldownFrom && t - cooldownFrom < penaltyMs
  const has = (kid: string | undefined): boolean => !!current && (kid === undefined || current.byKid.has(kid))

  /**
   * Starts a load. Its failure starts the penalty box, so an outage costs one request per
   * cooldown, except after the cold-start prefetch (no set yet, no token waiting): when that
   * fails (a blip during init), the first request retries at once instead of answering 503 for
   * a whole cooldown. A server's `Retry-After` is honoured even after the prefetch.
   */
  function start(kid: string | undefined, forToken: boolean): void {
    const previous = current
    // `new Promise` turns a loader that throws synchronously into a rejection.
    inFlight = new Promise<LoadedKeySet>((resolve) => resolve(load(previous, kid))).then(
      ({ keySet, complete }) => {
        current = keySet
        if (complete || !previous) fetchedAt = now()
        lastError = inFlight = undefined
      },
      (error: unknown) => {
        lastError = error
        const retryAfterMs = retryAfterMsOf(error)
        if (forToken || previous || retryAfterMs > 0) {
          cooldownFrom = now()
          // The longest Retry-After honoured is five minutes: a server cannot switch our key
          // fetching off for longer.
          penaltyMs = Math.max(cooldownMs, Math.min(retryAfterMs, 300_000))
        }
        inFlight = undefined
      },
    )
    inFlightForToken = forToken
  }

  /**
   * Starts a background load when the set is missing (the cold-start prefetch) or stale (a
   * clock gone backwards counts), unless one is in flight or the penalty box is on.
   */
  function refreshIfDue(): void {
    if (inFlight) return
    const t = now()
    if ((!current || t - fetchedAt >= maxAgeMs || t < fetchedAt) && !coolingDown(t)) start(undefined, false)
  }

  /**
   * A lookup that found no key for its kid at `t`: the penalty box starts unless it is on
   * already. Then the cached set, stale or lacking the kid (the verifier decides); with none,
   * `KeysUnavailableError`.
   */
  function missed(t: number): KeySet {
    if (!coolingDown(t)) {
      cooldownFrom = t
      penaltyMs = cooldownMs
    }
    if (current) return current
    const reason = lastError instanceof Error ? lastError.message : String(lastError)
    throw new KeysUnavailableError(`Keys could not be fetched: ${reason}`, {
      // Always after a cooldown started: the time left of it.
      cause: { package: packageName, data: { error: lastError, retryAfterMs: Math.max(0, cooldownFrom + penaltyMs - t) } },
    })
  }

  return {
    prefetch(): void {
      try {
        refreshIfDue()
      } catch {
        // prefetch runs at cold start, outside any request: it must never fail the init.
      }
    },

    cached(): KeySet | undefined {
      if (current) refreshIfDue()
      return current
    },

    async getKeySet(kid: string | undefined): Promise<KeySet> {
      if (has(kid)) {
        refreshIfDue()
        return current as KeySet
      }

      if (inFlight && !inFlightForToken) {
        // A prefetch or refresh that started before this token arrived may bring its key; if
        // it does not, it does not count as the refetch for this kid.
        await inFlight
        if (has(kid)) return current as KeySet
      }

      if (!inFlight) {
        const t = now()
        if (coolingDown(t)) return missed(t)
        start(kid, true)
      }
      // Every concurrent miss shares this one fetch, whatever its kid.
      await inFlight
      if (has(kid)) return current as KeySet

      // Fetched (or failed) after this token arrived and still no key: the penalty box.
      return missed(now())
    },
  }
}
