import { isRecord } from '@middy-auth/core/internal'
import { assertFetchableUrl, fetchJson } from '@middy-auth/jwt-verify/keys'
import { clientAuthentication } from './client-auth.js'
import type { CompiledOptions } from './options.js'
import { createJwtAnswerReader, jwtAnswerType } from './jwt-answer.js'
import { jsonObject, postForm, ProviderUnavailableError } from './post-form.js'

/** Asks the provider about a token: resolves with its answer, or rejects with {@link ProviderUnavailableError}. */
export type Introspect = (token: string) => Promise<Record<string, unknown>>

type ProviderSettings = Pick<CompiledOptions, 'endpoint' | 'issuer' | 'client' | 'timeoutMs' | 'clock' | 'jwtResponse'>

/**
 * The endpoint named by the issuer's OIDC discovery document, which must name exactly this
 * issuer (RFC 8414 §3.3) and an endpoint we may send tokens to (https:, or loopback http:).
 */
const discoverEndpoint = async (issuer: string, timeoutMs: number): Promise<URL> => {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  let document: unknown
  try {
    document = await fetchJson(url, { timeoutMs })
  } catch (error) {
    throw new ProviderUnavailableError(`discovery failed: ${(error as Error).message}`)
  }
  if (!isRecord(document) || document.issuer !== issuer) {
    throw new ProviderUnavailableError(`discovery document at ${url} does not name the configured issuer`)
  }
  if (typeof document.introspection_endpoint !== 'string') {
    throw new ProviderUnavailableError(`discovery document at ${url} names no introspection_endpoint`)
  }
  try {
    return assertFetchableUrl(document.introspection_endpoint, 'introspection_endpoint')
  } catch (error) {
    throw new ProviderUnavailableError((error as Error).message)
  }
}

/**
 * The calls to one provider: the endpoint (discovered once, when only the issuer is given; a
 * failed discovery is retried by the next request) and the authenticated POST of RFC 7662 §2.1.
 *
 * @example
 * ```ts
 * const provider = createProvider(settings)
 * provider.prefetch() // cold start: discovery starts now
 * const answer = await provider.introspect(token)
 * ```
 */
export const createProvider = (settings: ProviderSettings): { prefetch(): void; introspect: Introspect } => {
  const { issuer, client, timeoutMs, clock, jwtResponse } = settings
  // RFC 9701: answers signed by the provider, when asked for (the options require the issuer then).
  const readJwt = jwtResponse ? createJwtAnswerReader({ issuer: issuer as string, clientId: client.clientId, ...jwtResponse, timeoutMs, clock }) : undefined
  let endpoint: URL | undefined = settings.endpoint
  let discovering: Promise<URL> | undefined

  const resolveEndpoint = (): URL | Promise<URL> => {
    if (endpoint) return endpoint
    discovering ??= discoverEndpoint(issuer as string, timeoutMs).then(
      (found) => {
        endpoint = found
        return found
      },
      (error: unknown) => {
        discovering = undefined
        throw error
      },
    )
    return discovering
  }

  const introspect: Introspect = async (token) => {
    const url = await resolveEndpoint()
    // An assertion names the authorization server: its issuer identifier, else the endpoint.
    const auth = clientAuthentication(client, issuer ?? url.href, clock())
    // RFC 7662 §2.1: the token, with the hint that it is an access token.
    const form = new URLSearchParams({ token, token_type_hint: 'access_token', ...auth.form })
    const accept = readJwt ? jwtAnswerType : 'application/json'
    const body = await postForm({ url, headers: auth.headers, form, timeoutMs, accept })
    return readJwt ? readJwt(body) : jsonObject(body, url)
  }

  const prefetch = (): void => {
    if (endpoint) return
    // Never awaited at cold start; the first request awaits it (or starts a new one if it failed).
    Promise.resolve(resolveEndpoint()).catch(() => undefined)
  }

  return { prefetch, introspect }
}
