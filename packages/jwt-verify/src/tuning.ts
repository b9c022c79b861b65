/**
 * The `tuning` extension's code: jwtVerify's `jwks` (how JWKS endpoints are fetched) and `cache`
 * (the verified-token cache's size) options, checked at cold start. The lean entry without it
 * takes their defaults, `jwksDefaults` and `defaultCacheEntries` (./options.ts).
 */
import { isRecord, readDuration, readFunction, type ConfigError } from '@middy-auth/core/internal'
import type { JwksSettings } from './extension-types.js'
import type { FetchJson } from './fetch-json.js'
import { defaultCacheEntries, jwksDefaults } from './options.js'

/**
 * The largest verified-token cache: its ring is allocated when the factory runs (about 25 bytes
 * per slot, 2.5 MB here), so a size meant for "unbounded" must not take a function's memory at
 * cold start.
 */
const maxCacheEntries = 100_000

/** The `cache` option, given: its number of entries (`false`: 0, the cache off; `{}`: the default). */
export function readCache(cache: unknown, fail: ConfigError): number {
  if (cache === false) return 0
  if (!isRecord(cache)) throw fail('cache', `must be { maxEntries } or false`)
  const { maxEntries = defaultCacheEntries } = cache
  if (typeof maxEntries === 'number' && maxEntries >= 0 && maxEntries <= maxCacheEntries) return Math.floor(maxEntries)
  throw fail('cache.maxEntries', `must be a number of entries from 0 to ${maxCacheEntries}`)
}

/** The `jwks` option, given: the key resolvers' settings, the defaults for what it leaves out. */
export function readJwks(jwks: unknown, fail: ConfigError): JwksSettings {
  if (!isRecord(jwks)) throw fail('jwks', `must be an object`)
  const ms = (name: keyof typeof jwksDefaults, zero?: boolean, infinity?: boolean): number =>
    readDuration(jwks[name], `jwks.${name}`, fail, { unit: 'milliseconds', fallback: jwksDefaults[name], zero, infinity })
  return {
    timeoutMs: ms('timeoutMs'),
    cooldownMs: ms('cooldownMs', true),
    maxAgeMs: ms('maxAgeMs', false, true),
    fetchJson: readFunction<FetchJson>(jwks.fetchJson, 'jwks.fetchJson', fail),
  }
}
