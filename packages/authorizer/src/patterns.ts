/**
 * The two languages of cache safety. A policy's `Resource` is an IAM wildcard pattern over
 * `execute-api` ARNs, where `*` stands for any characters, `/` included (so
 * `GET/orders/*` also covers `GET/orders/42/invoice`). A route template stands for the
 * requests the gateway routes to it: `{id}` is one non-empty path segment, `{proxy+}` one or
 * more. Whether an Allow of one route could let a cached policy through to another comes down
 * to whether a pattern and a template share a string: a product of two small automata,
 * searched breadth first.
 */

/** One non-empty path segment (`{id}`). */
export const SEGMENT = Symbol('segment')
/** One or more characters, `/` included (`{proxy+}`). */
export const REST = Symbol('rest')
/** Zero or more characters: every request (the HTTP API `$default` route). */
export const ANYTHING = Symbol('anything')

/** A template's language: literal characters and wildcards, in order. */
export type Token = string | typeof SEGMENT | typeof REST | typeof ANYTHING

/** What one step of each side accepts: one character, a non-`/` character, or any character. */
type CharClass = { literal: string } | 'nonslash' | 'any'

const compatible = (a: CharClass, b: CharClass): boolean => {
  if (typeof a === 'object' && typeof b === 'object') return a.literal === b.literal
  if (typeof a === 'object') return b === 'any' || a.literal !== '/'
  if (typeof b === 'object') return a === 'any' || b.literal !== '/'
  return true
}

/**
 * Whether an IAM wildcard pattern (`*`: any characters) and a template's language share at
 * least one string. The pattern has no `?`: patterns built here never hold one.
 */
export const intersects = (pattern: string, language: readonly Token[]): boolean => {
  if (!endsAgree(pattern, language)) return false
  const width = language.length + 1
  const seen = new Uint8Array((pattern.length + 1) * width * 2)
  const queue: number[] = []
  // k: whether the wildcard at language[j] has consumed a character (SEGMENT and REST need one).
  const push = (i: number, j: number, k: number) => {
    const key = (i * width + j) * 2 + k
    if (seen[key] === 1) return
    seen[key] = 1
    queue.push(i, j, k)
  }
  push(0, 0, 0)
  for (let head = 0; head < queue.length; head += 3) {
    const i = queue[head] as number
    const j = queue[head + 1] as number
    const k = queue[head + 2] as number
    if (i === pattern.length && j === language.length) return true
    const p = pattern[i]
    const t = language[j]
    // Steps that consume nothing.
    if (p === '*') push(i + 1, j, k)
    if ((t === SEGMENT || t === REST) && k === 1) push(i, j + 1, 0)
    if (t === ANYTHING) push(i, j + 1, 0)
    // Steps that consume one character on both sides.
    if (p === undefined || t === undefined) continue
    const left: CharClass = p === '*' ? 'any' : { literal: p }
    const right: CharClass = typeof t === 'string' ? { literal: t } : t === SEGMENT ? 'nonslash' : 'any'
    if (!compatible(left, right)) continue
    const nextI = p === '*' ? i : i + 1
    if (typeof t === 'string') push(nextI, j + 1, 0)
    else push(nextI, j, t === ANYTHING ? 0 : 1)
  }
  return false
}

/**
 * A necessary condition, cheap: the literal characters before the first wildcard of each side
 * agree, and so do those after the last one. Most pairs of routes differ there.
 */
const endsAgree = (pattern: string, language: readonly Token[]): boolean => {
  const firstStar = pattern.indexOf('*')
  const lastStar = pattern.lastIndexOf('*')
  const patternHead = firstStar === -1 ? pattern.length : firstStar
  const patternTail = lastStar === -1 ? pattern.length : pattern.length - lastStar - 1
  let languageHead = language.findIndex((token) => typeof token !== 'string')
  let languageTail = language.length - 1 - findLastIndex(language, (token) => typeof token !== 'string')
  if (languageHead === -1) languageHead = languageTail = language.length
  if (languageTail > language.length) languageTail = language.length
  for (let i = 0; i < Math.min(patternHead, languageHead); i++) if (pattern[i] !== language[i]) return false
  for (let i = 1; i <= Math.min(patternTail, languageTail); i++) if (pattern[pattern.length - i] !== language[language.length - i]) return false
  return true
}

const findLastIndex = <T>(list: readonly T[], predicate: (item: T) => boolean): number => {
  for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i] as T)) return i
  return -1
}

/** Characters IAM reads as wildcards: never let one through from a path. */
export const hasWildcard = (text: string): boolean => text.includes('*') || text.includes('?')
