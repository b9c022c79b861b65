import { fetchText } from '@middy-auth/jwt-verify/keys'

/** The largest introspection response read, in bytes: a response is a few hundred bytes. */
const maxBytes = 64 * 1024

/**
 * The provider could not give an answer (down, slow, not 200, not a JSON object): the request
 * is refused with 503, never accepted, and nothing is cached.
 */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError'
}

/** One form POST: the URL was checked at cold start (https:, or http: on loopback only). */
export interface FormPost {
  url: URL
  headers: Record<string, string>
  form: URLSearchParams
  timeoutMs: number
  /** The media type asked for: `application/json`, or `application/token-introspection+jwt` (RFC 9701). */
  accept: string
}

/**
 * A body as a JSON object, or {@link ProviderUnavailableError}.
 *
 * @example
 * ```ts
 * const answer = jsonObject(await postForm(request), url)
 * ```
 */
export const jsonObject = (text: string, url: URL): Record<string, unknown> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProviderUnavailableError(`POST ${url.origin}${url.pathname}: body is not JSON`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProviderUnavailableError(`POST ${url.origin}${url.pathname}: body is not a JSON object`)
  }
  return value as Record<string, unknown>
}

/**
 * POSTs a form and resolves with the body of a 200 answer, as text, through jwt-verify's
 * `fetchText` (one timer for the whole exchange, no redirects followed: the token must not go
 * anywhere else, at most 64 KiB). Any failure is a {@link ProviderUnavailableError}, whose
 * message names the URL, never the token or the body.
 */
export const postForm = async ({ url, headers, form, timeoutMs, accept }: FormPost): Promise<string> => {
  try {
    return await fetchText(url.href, {
      method: 'POST',
      headers: { ...headers, accept, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      timeoutMs,
      maxBytes,
    })
  } catch (error) {
    throw new ProviderUnavailableError(error instanceof Error ? error.message : 'request failed')
  }
}
