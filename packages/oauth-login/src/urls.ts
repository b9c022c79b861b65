/**
 * The public URLs of the routes, from the configuration or, when it does not give them, from
 * the request: `https://<domain>` plus the stage on `execute-api` domains (custom domains map
 * stages to paths of their own, so there the configuration must say).
 */
import { asRecord, asText } from '@middy-auth/core/internal'
import type { CompiledConfig } from './options.js'

/** `https://<domain>/<stage>`: where this API's routes live, as the browser sees them. */
const requestBase = (event: unknown, includeStage: boolean): string | undefined => {
  const requestContext = asRecord(asRecord(event)?.requestContext)
  const domain = asText(requestContext?.domainName)
  if (!domain || !/^[a-z0-9.-]+(:\d+)?$/i.test(domain)) return undefined
  const stage = asText(requestContext?.stage)
  const withStage = includeStage && domain.includes('.execute-api.') && stage && stage !== '$default'
  return `https://${domain}${withStage ? `/${stage}` : ''}`
}

/** The callback URL of this request's sign-in. */
export const redirectUriOf = (config: CompiledConfig, event: unknown): URL | undefined => {
  if (config.redirectUri) return config.redirectUri
  const base = requestBase(event, true)
  return base === undefined ? undefined : new URL(`${base}${config.callbackPath}`)
}

/**
 * A configured redirect target made absolute (the provider needs an absolute
 * `post_logout_redirect_uri`): a path is on `redirectUri`'s origin, else the request's, as a
 * browser resolves a `Location: /path`.
 */
export const absoluteUrl = (config: CompiledConfig, event: unknown, target: string): string | undefined => {
  if (!target.startsWith('/')) return target
  if (config.redirectUri) return new URL(target, config.redirectUri.origin).href
  const base = requestBase(event, false)
  return base === undefined ? undefined : `${base}${target}`
}
