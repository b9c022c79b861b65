/**
 * The cookies oauth-login writes: `HttpOnly; Secure; Path=/; SameSite=…`, always (the
 * `__Host-` prefix requires `Secure`, `Path=/` and no `Domain`). A sealed value over one
 * cookie's budget is split into `<name>.0`, `<name>.1`, … and joined again on read.
 */
import { getCookieValues } from '@middy-auth/core'

/** Browsers keep at least 4096 bytes per cookie (name, value and attributes, RFC 6265 §6.1). */
const COOKIE_BUDGET = 4000
/** At most this many chunks are read or cleared: 8 × 4 KB is already a large header. */
export const MAX_CHUNKS = 8

export interface CookieAttributes {
  sameSite: 'Lax' | 'Strict'
}

/** One `Set-Cookie` value. `maxAge` 0 deletes the cookie. */
export const serializeCookie = (name: string, value: string, maxAge: number, { sameSite }: CookieAttributes): string =>
  `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAge))}; HttpOnly; Secure; SameSite=${sameSite}`

const chunkName = (name: string, index: number): string => `${name}.${index}`

/**
 * The cookie's value as the client sent it: the single cookie `name`, or the chunks
 * `name.0`… joined in order. `undefined` when absent, or ambiguous (a name sent twice).
 */
export const readChunkedCookie = (event: unknown, name: string): string | undefined => {
  const whole = getCookieValues(event, name)
  if (whole.length > 1) return undefined
  if (whole.length === 1) return whole[0]
  const parts: string[] = []
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const values = getCookieValues(event, chunkName(name, i))
    if (values.length === 0) break
    if (values.length > 1) return undefined
    parts.push(values[0] as string)
  }
  return parts.length === 0 ? undefined : parts.join('')
}

/** The names of every cookie of this value the client sent (the whole one, or its chunks). */
const sentNames = (event: unknown, name: string): string[] => {
  const names = getCookieValues(event, name).length > 0 ? [name] : []
  for (let i = 0; i < MAX_CHUNKS; i++) if (getCookieValues(event, chunkName(name, i)).length > 0) names.push(chunkName(name, i))
  return names
}

/**
 * `Set-Cookie` values that store `value` under `name`, chunked when it does not fit one
 * cookie, and that delete whatever the client holds of an earlier value under other names
 * (the single cookie after a split, chunks beyond the new count).
 */
export const writeChunkedCookie = (event: unknown, name: string, value: string, maxAge: number, attributes: CookieAttributes): string[] => {
  const overhead = serializeCookie(chunkName(name, MAX_CHUNKS), '', maxAge, attributes).length
  const room = COOKIE_BUDGET - overhead
  const written =
    value.length + overhead <= COOKIE_BUDGET
      ? [{ cookieName: name, part: value }]
      : Array.from({ length: Math.ceil(value.length / room) }, (_, i) => ({ cookieName: chunkName(name, i), part: value.slice(i * room, (i + 1) * room) }))
  if (written.length > MAX_CHUNKS) throw new RangeError(`the sealed ${name} cookie needs ${written.length} chunks, more than ${MAX_CHUNKS}`)
  const keep = new Set(written.map((w) => w.cookieName))
  return [
    ...written.map(({ cookieName, part }) => serializeCookie(cookieName, part, maxAge, attributes)),
    ...sentNames(event, name)
      .filter((n) => !keep.has(n))
      .map((n) => serializeCookie(n, '', 0, attributes)),
  ]
}

/** `Set-Cookie` values that delete every cookie of this value the client sent. */
export const clearChunkedCookie = (event: unknown, name: string, attributes: CookieAttributes): string[] =>
  sentNames(event, name).map((n) => serializeCookie(n, '', 0, attributes))
