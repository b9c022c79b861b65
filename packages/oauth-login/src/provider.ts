/**
 * The identity provider, as openid-client sees it: discovered once per cold start (started at
 * init, awaited by the first request that needs it) and kept while the instance is warm. A
 * failed discovery is forgotten, so the next request tries again instead of failing for the
 * life of the instance.
 */
import { allowInsecureRequests, customFetch, discovery, type Configuration, type DiscoveryRequestOptions } from 'openid-client'
import { unavailable } from './errors.js'
import { isLoopbackHost, type CompiledConfig } from './options.js'

/** Gives the discovered configuration, or throws 503 `temporarily_unavailable`. */
export type ProviderConfiguration = () => Promise<Configuration>

export const createProvider = (config: CompiledConfig): ProviderConfiguration => {
  const options: DiscoveryRequestOptions = { timeout: config.timeout }
  if (config.fetch) options[customFetch] = config.fetch
  // openid-client refuses http: outright; the configuration check let http: through for loopback issuers only.
  // Deprecated by openid-client to stand out, not to go away: loopback issuers (tests, the demo) only.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (config.issuer.protocol === 'http:' && isLoopbackHost(config.issuer.hostname)) options.execute = [allowInsecureRequests]

  let discovered: Promise<Configuration> | undefined
  const discover = (): Promise<Configuration> => {
    const attempt = discovery(config.issuer, config.clientId, undefined, config.clientAuth(), options)
    attempt.catch(() => {
      if (discovered === attempt) discovered = undefined
    })
    return attempt
  }

  return async () => {
    discovered ??= discover()
    try {
      return await discovered
    } catch (error) {
      throw unavailable('discovery_failed', error)
    }
  }
}
