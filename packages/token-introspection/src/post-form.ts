import type { ClientRequest, IncomingMessage } from 'node:http'

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
 * POSTs a form and resolves with the body of a 200 answer, as text. Rejects with
 * {@link ProviderUnavailableError} on a network error, a timeout (one timer for the whole
 * exchange: a server trickling bytes does not hold us longer), any other status (redirects are
 * not followed: the token must not go anywhere else), or a body over 64 KiB. Messages name the
 * URL, never the token or the body.
 *
 * `node:http(s)` rather than the platform's `fetch`, whose HTTP client costs tens of
 * milliseconds to load on a cold start.
 */
export const postForm = async ({ url, headers, form, timeoutMs, accept }: FormPost): Promise<string> => {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  const body = Buffer.from(form.toString(), 'utf8')
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined
    let settled = false
    const fail = (reason: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req?.destroy()
      reject(new ProviderUnavailableError(`POST ${url.origin}${url.pathname}: ${reason}`))
    }
    const succeed = (value: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(value)
    }
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
    const onResponse = (res: IncomingMessage): void => {
      if (res.statusCode !== 200) {
        res.resume()
        fail(`expected HTTP 200, got ${res.statusCode ?? 'no status'}`)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBytes) fail(`body exceeds ${maxBytes} bytes`)
        else chunks.push(chunk)
      })
      res.on('end', () => succeed(Buffer.concat(chunks).toString('utf8')))
      res.on('error', (error) => fail(error.message))
      res.on('close', () => {
        if (!res.complete) fail('connection closed before the body was complete')
      })
    }
    const send = (isRetry: boolean): void => {
      let responded = false
      let current: ClientRequest
      try {
        current = request(url, {
          method: 'POST',
          headers: {
            ...headers,
            accept,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(body.length),
          },
        }, (res) => {
          responded = true
          onResponse(res)
        })
      } catch (error) {
        fail(error instanceof Error ? error.message : 'request failed')
        return
      }
      req = current
      current.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle (or while Lambda was frozen) fails on
        // reuse before any response: retry once on a fresh connection, as Node's docs advise.
        if (!isRetry && !responded && !settled && current.reusedSocket && error.code === 'ECONNRESET') {
          send(true)
          return
        }
        fail(error.message)
      })
      current.end(body)
    }
    send(false)
  })
}
