/**
 * `login?returnTo=…`: where to send the user after sign-in. Only a path of this site under one
 * of the allowed paths is kept, so the login route is never an open redirect.
 */
import type { ConfigError } from '@middy-auth/core/internal'

/** A URL origin no real request has: relative paths are resolved against it and must stay on it. */
const PLACEHOLDER_ORIGIN = 'https://return-to.invalid'

const hasControlCharacter = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/**
 * Returns `normalizedPath + search + hash` when `value` is a same-site path under one of the
 * allowed paths, else `undefined`. Refused: absolute URLs, scheme-relative `//evil`, `/\evil`
 * (browsers read `\` as `/`), control characters, percent-encoded slashes and backslashes
 * (`/%2F%2Fevil`, `/%5Cevil`), and `..` segments that climb out of the allowed path.
 */
export const checkReturnTo = (value: string, allowed: readonly string[]): string | undefined => {
  if (value.length > 2048 || !value.startsWith('/') || value.startsWith('//')) return undefined
  // Backslashes, control characters and encoded separators are never needed in a return path.
  if (value.includes('\\') || hasControlCharacter(value) || /%(2f|5c|00|0[9ad])/i.test(value)) return undefined
  let url: URL
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN)
  } catch {
    return undefined
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return undefined
  const path = url.pathname
  // The parser collapses `/x/..//evil` and `/.//evil` into `//evil`, which a browser reads as
  // another host: the normalized path must not start with `//` either.
  if (path.startsWith('//')) return undefined
  const under = allowed.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))
  return under ? `${path}${url.search}${url.hash}` : undefined
}

/** Compiles `returnToPaths`: each a plain absolute path without `..`, query or fragment. */
export const compileReturnToPaths = (paths: readonly string[], fail: ConfigError): ((value: string) => string | undefined) => {
  if (!Array.isArray(paths)) throw fail('returnToPaths', `must be a list of paths such as '/app'`)
  const allowed = paths.map((path) => {
    if (typeof path !== 'string' || checkReturnTo(path, ['/']) !== path || /[?#]|\/\.\.?(\/|$)/.test(path)) {
      throw fail('returnToPaths', `entries must be plain paths such as '/app', got ${JSON.stringify(path)}`)
    }
    return path
  })
  return (value) => (allowed.length === 0 ? undefined : checkReturnTo(value, allowed))
}
