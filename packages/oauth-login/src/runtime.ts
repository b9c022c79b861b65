/**
 * What one configuration needs at request time, built once at cold start and shared by the
 * handlers and `sessionAuth`: the compiled options, the provider, and the cookie stores (built
 * once for fixed secrets; for secrets from `request.internal`, again only when they change).
 */
import { getInternal } from '@middy/util'
import { compileConfig, compileSecrets, type CompiledConfig, type OAuthLoginConfig } from './options.js'
import { createProvider, type ProviderConfiguration } from './provider.js'
import { createSessionStore, type SessionStore } from './session.js'
import { createTransactionStore, type TransactionStore } from './transaction.js'

/** The stores that seal and unseal with the current secrets. */
export interface Stores {
  sessions: SessionStore
  transactions: TransactionStore
}

export interface Runtime {
  config: CompiledConfig
  provider: ProviderConfiguration
  /** The stores for this request (`internal` is the request's, where `@middy/ssm` puts secrets). */
  stores(internal: Record<string, unknown>): Promise<Stores>
  /** Extra token-endpoint parameters: the resource indicators. */
  tokenParams: URLSearchParams
}

/** One runtime per configuration object, so `oauthLogin(config)` and `sessionAuth(config)` share discovery. */
const runtimes = new WeakMap<OAuthLoginConfig, Runtime>()

const createStores = (config: CompiledConfig, secrets: readonly string[]): Stores => ({
  sessions: createSessionStore(config, secrets),
  transactions: createTransactionStore(config, secrets),
})

const storesSource = (config: CompiledConfig): Runtime['stores'] => {
  const { secrets } = config
  if (Array.isArray(secrets)) {
    const fixed = Promise.resolve(createStores(config, secrets))
    return () => fixed
  }
  const { internal: name } = secrets
  let current: { key: string; stores: Stores } | undefined
  return async (internal) => {
    const { secret } = (await getInternal({ secret: name }, { internal } as never)) as { secret?: unknown }
    // Checked here, not at cold start: the value arrives with the first request.
    const list = compileSecrets(secret)
    const key = list.join('\n')
    if (current?.key !== key) current = { key, stores: createStores(config, list) }
    return current.stores
  }
}

export const runtimeOf = (options: OAuthLoginConfig): Runtime => {
  const known = typeof options === 'object' && options !== null ? runtimes.get(options) : undefined
  if (known) return known
  const config = compileConfig(options)
  const provider = createProvider(config)
  // Discovery starts during init; a failure here is retried by the first request.
  provider().catch(() => undefined)
  const tokenParams = new URLSearchParams()
  for (const resource of config.resource) tokenParams.append('resource', resource)
  const runtime: Runtime = { config, provider, stores: storesSource(config), tokenParams }
  runtimes.set(options, runtime)
  return runtime
}
