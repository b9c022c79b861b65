/**
 * Every form of a token source: the cookie, query and function forms, and the header form of
 * ./token-source.ts. Kept apart so that a bundle whose middleware reads only a header (a lean
 * entry without its extension) leaves out the cookie's cross-site check and the parsing of cookies
 * and query strings.
 */
import { getCookieValues, getQueryValues } from './event.js'
import { isListOf } from './config-error.js'
import { crossSiteRequest } from './same-origin.js'
import {
  allowedOriginsProblem,
  compileHeaderSource,
  fromRawValue,
  headerSourceProblem,
  isCookieQueryOrFunction,
  isSourceName,
  malformed,
  missing,
  schemeProblem,
  sourceShapeProblem,
  type ReadToken,
  type TokenLookup,
  type TokenSource,
} from './token-source.js'

const fromValues = (values: string[]): TokenLookup => (values.length > 1 ? malformed('multiple') : fromRawValue(values[0]))

/**
 * Compiles a {@link TokenSource} of any form; the header form as core's `compileHeaderSource`
 * does (with `acceptDpop`, the `DPoP` scheme is read as well as the configured one). A cookie
 * credential on a request another site made is a `cross-site` lookup (core's `crossSiteRequest`).
 *
 * @example
 * ```ts
 * const read = compileTokenSource({ cookie: 'session' })
 * read(event) // { kind: 'token', token: 'eyJ…' }
 * ```
 */
export function compileTokenSource(source: TokenSource, acceptDpop = false): ReadToken {
  if (typeof source === 'function') {
    return (event) => {
      let value: string | undefined
      try {
        value = source(event)
      } catch {
        // A reader written for one event shape meets another (`headers: null` on a console test
        // invocation): no token found, never a 500.
        return missing
      }
      return typeof value === 'string' ? fromRawValue(value) : missing
    }
  }
  if ('cookie' in source) {
    const allowedOrigins = new Set(source.allowedOrigins ?? [])
    return (event) => {
      const lookup = fromValues(getCookieValues(event, source.cookie))
      if (lookup.kind !== 'token') return lookup
      const refused = crossSiteRequest(event, allowedOrigins)
      return refused ? { kind: 'cross-site', ...refused } : lookup
    }
  }
  if ('query' in source) return (event) => fromValues(getQueryValues(event, source.query))
  return compileHeaderSource(source, acceptDpop)
}

const isOrigin = (value: unknown): boolean => typeof value === 'string' && URL.canParse(value) && new URL(value).origin === value

/**
 * What is wrong with a {@link TokenSource} of any form given as an option, or `undefined` when it
 * can be compiled: each middleware that reads tokens turns the text (the option's path, then the
 * problem) into its own `TypeError` at cold start.
 *
 * @example
 * ```ts
 * tokenSourceProblem({ header: 'Authorization' })  // undefined
 * tokenSourceProblem({ cookie: 'a', query: 'b' })  // "tokenSource must be { header, scheme? }, …"
 * ```
 */
export function tokenSourceProblem(source: unknown): string | undefined {
  if (!isCookieQueryOrFunction(source)) return headerSourceProblem(source)
  if (typeof source === 'function') return undefined
  // An object naming a cookie or a query parameter, so not the header form alone.
  const record = source as Record<string, unknown>
  const kinds = ['header', 'cookie', 'query'].filter((kind) => kind in record)
  const kind = kinds[0] as string
  if (kinds.length !== 1 || !isSourceName(record[kind])) return sourceShapeProblem
  const origins = record.allowedOrigins
  if (origins !== undefined && (kind !== 'cookie' || !isListOf(origins, isOrigin))) return allowedOriginsProblem
  return schemeProblem(record.scheme, false)
}
