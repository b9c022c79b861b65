/**
 * What one configuration needs at request time, built once at cold start and shared by the
 * handlers and `sessionAuth`: the compiled options, the provider, the cookie stores.
 */
import { compileConfig, type CompiledConfig, type OAuthLoginConfig } from './options.js'
import { createProvider, type ProviderConfiguration } from './provider.js'
import { createSessionStore, type SessionStore } from './session.js'
import { createTransactionStore, type TransactionStore } from './transaction.js'

export interface Runtime {
  config: CompiledConfig
  provider: ProviderConfiguration
  sessions: SessionStore
  transactions: TransactionStore
  /** Extra token-endpoint parameters: the resource indicators. */
  tokenParams: URLSearchParams
}

/** One runtime per configuration object, so `oauthLogin(config)` and `sessionAuth(config)` share discovery. */
const runtimes = new WeakMap<OAuthLoginConfig, Runtime>()

export const runtimeOf = (options: OAuthLoginConfig): Runtime => {
  const known = typeof options === 'object' && options !== null ? runtimes.get(options) : undefined
  if (known) return known
  const config = compileConfig(options)
  const provider = createProvider(config)
  // Discovery starts during init; a failure here is retried by the first request.
  provider().catch(() => undefined)
  const tokenParams = new URLSearchParams()
  for (const resource of config.resource) tokenParams.append('resource', resource)
  const runtime = { config, provider, sessions: createSessionStore(config), transactions: createTransactionStore(config), tokenParams }
  runtimes.set(options, runtime)
  return runtime
}
