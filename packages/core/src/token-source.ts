import { eventKind, getCookieValues, getHeader, getQueryValues, type AnyEvent } from './event.js'
import { isRecord } from './record.js'
import { crossSiteRequest } from './same-origin.js'

/**
 * Where the token is read from. Default: `{ header: 'Authorization', scheme: 'Bearer' }`.
 *
 * - `{ header, scheme? }`: a header; with `scheme` (matched case-insensitively, RFC 7235) the
 *   value is `<scheme> <token>`, with `scheme: null` it is the token itself.
 * - `{ cookie, allowedOrigins? }`: a cookie (`cookies[]` or `Cookie`), e.g. the access-token
 *   cookie of oauth-login. A browser sends it with requests another site makes, so a request that
 *   may change something (any method but GET, HEAD, OPTIONS) is refused as cross-site unless the
 *   browser says it comes from this site or an origin of `allowedOrigins` (core's
 *   `crossSiteRequest`).
 * - `{ query }`: a query-string parameter, for WebSocket `$connect`, where browsers cannot set headers.
 * - a function of the event returning the token, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * const fromQuery: TokenSource = { query: 'access_token' } // WebSocket $connect
 * ```
 */
export type TokenSource =
  | { header: string; scheme?: string | null }
  | { cookie: string; allowedOrigins?: readonly string[] }
  | { query: string }
  | ((event: unknown) => string | undefined)

/**
 * What a request carries.
 *
 * @example
 * ```ts
 * const lookup: TokenLookup = { kind: 'token', token: 'eyJ…', presentedAs: 'bearer' }
 * ```
 */
export type TokenLookup =
  | { kind: 'token'; token: string; presentedAs: 'bearer' | 'dpop' }
  /** No credentials of ours: 401 `missing_token`, or no identity when credentials are optional. */
  | { kind: 'missing' }
  /** Present but malformed (empty, or several): 400 `invalid_request`. */
  | { kind: 'malformed'; reason: 'empty' | 'multiple' }
  /** A cookie credential on a request another site made: 403 `access_denied`. */
  | { kind: 'cross-site'; reason: 'cross_site_request' | 'foreign_origin'; seen: string }

/**
 * A compiled token source: one function, chosen at cold start.
 *
 * @example
 * ```ts
 * const read: ReadToken = compileTokenSource({ header: 'Authorization', scheme: 'Bearer' })
 * ```
 */
export type ReadToken = (event: AnyEvent) => TokenLookup

const missing: TokenLookup = { kind: 'missing' }
const token = (value: string, presentedAs: 'bearer' | 'dpop' = 'bearer'): TokenLookup => ({ kind: 'token', token: value, presentedAs })
const malformed = (reason: 'empty' | 'multiple'): TokenLookup => ({ kind: 'malformed', reason })

/**
 * Reads `<scheme> <token>` from an `Authorization`-style value. Another scheme is "no
 * credentials" (docs/design.md#scheme); the scheme alone is an empty token. What follows the
 * scheme is the token, even with spaces or commas in it (see {@link looksLikeSeveralTokens}).
 */
const fromSchemeValue = (value: string | undefined, scheme: string, acceptDpop: boolean): TokenLookup => {
  if (value === undefined) return missing
  const trimmed = value.trim()
  const space = trimmed.search(/\s/)
  const givenScheme = (space === -1 ? trimmed : trimmed.slice(0, space)).toLowerCase()
  const presentedAs = givenScheme === scheme ? 'bearer' : acceptDpop && givenScheme === 'dpop' ? 'dpop' : undefined
  if (presentedAs === undefined) return missing
  const rest = space === -1 ? '' : trimmed.slice(space).trim()
  return rest === '' ? malformed('empty') : token(rest, presentedAs)
}

/** A bare token value. */
const fromRawValue = (value: string | undefined): TokenLookup => {
  if (value === undefined) return missing
  const trimmed = value.trim()
  return trimmed === '' ? malformed('empty') : token(trimmed)
}

/**
 * JWTs hold neither whitespace nor commas, so a "token" with either is several tokens (`Bearer
 * a b`, a comma-joined repeat of the header): 400, not 401. Checked only once verification has
 * refused the token, which it always does for these: scanning every token up front would cost a
 * tenth of a verified-token cache hit.
 *
 * @example
 * ```ts
 * looksLikeSeveralTokens('eyJ… eyJ…') // true
 * ```
 */
export const looksLikeSeveralTokens = (value: string): boolean => /[\s,]/.test(value)

/** One word, and not the scheme alone (which is an empty token). */
const isBareToken = (trimmed: string, scheme: string): boolean => !/\s/.test(trimmed) && trimmed.toLowerCase() !== scheme

const fromValues = (values: string[]): TokenLookup => (values.length > 1 ? malformed('multiple') : fromRawValue(values[0]))

/**
 * Compiles a {@link TokenSource}. REST TOKEN and AppSync authorizer events carry the header's
 * value in `authorizationToken`; it is read there when the source is the `Authorization` header
 * (on AppSync, a value of one word is the token itself, with or without the scheme). With
 * `acceptDpop`, the `DPoP` scheme (RFC 9449 §7.1) is read as well as the configured one.
 *
 * @example
 * ```ts
 * const read = compileTokenSource({ cookie: 'session' })
 * read(event) // { kind: 'token', token: 'eyJ…' }
 * ```
 */
export const compileTokenSource = (source: TokenSource, acceptDpop = false): ReadToken => {
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
  const header = source.header
  const scheme = source.scheme === undefined ? 'bearer' : (source.scheme?.toLowerCase() ?? null)
  const isAuthorization = header.toLowerCase() === 'authorization'
  const read = (event: AnyEvent): string | undefined => {
    const kind = isAuthorization ? eventKind(event) : undefined
    return kind === 'authorizer-token' || kind === 'authorizer-appsync'
      ? (event as { authorizationToken?: string }).authorizationToken
      : getHeader(event, header)
  }
  if (scheme === null) return (event) => fromRawValue(read(event))
  return (event) => {
    const value = read(event)
    // AppSync clients send the token in `Authorization` bare (as AppSync's own Cognito and OIDC
    // modes want it) or after the scheme: one word other than the scheme is the token, anything
    // else is read as `<scheme> <token>`, so another scheme is still "no credentials".
    if (value !== undefined && isBareToken(value.trim(), scheme) && eventKind(event) === 'authorizer-appsync') return fromRawValue(value)
    return fromSchemeValue(value, scheme, acceptDpop)
  }
}

/**
 * What is wrong with a {@link TokenSource} given as an option, or `undefined` when it can be
 * compiled: each middleware that reads tokens turns the text (the option's path, then the
 * problem) into its own `TypeError` at cold start.
 *
 * @example
 * ```ts
 * tokenSourceProblem({ header: 'Authorization' })  // undefined
 * tokenSourceProblem({ cookie: 'a', query: 'b' })  // "tokenSource must be { header, scheme? }, …"
 * ```
 */
export const tokenSourceProblem = (source: unknown): string | undefined => {
  if (typeof source === 'function') return undefined
  const shape = `tokenSource must be { header, scheme? }, { cookie }, { query } or a function of the event`
  if (!isRecord(source)) return shape
  const kinds = ['header', 'cookie', 'query'].filter((kind) => kind in source)
  if (kinds.length !== 1) return shape
  const name = source[kinds[0] as string]
  if (typeof name !== 'string' || name.trim() === '') return shape
  if ('allowedOrigins' in source && source.allowedOrigins !== undefined) {
    const origins = source.allowedOrigins
    const isOrigin = (value: unknown) => typeof value === 'string' && URL.canParse(value) && new URL(value).origin === value
    if (kinds[0] !== 'cookie' || !Array.isArray(origins) || !origins.every(isOrigin)) {
      return `tokenSource.allowedOrigins goes with { cookie } and must be a list of origins such as 'https://app.example.com'`
    }
  }
  if ('scheme' in source && source.scheme !== null && source.scheme !== undefined) {
    if (kinds[0] !== 'header' || typeof source.scheme !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(source.scheme)) {
      return `tokenSource.scheme must be an HTTP auth scheme such as 'Bearer', or null`
    }
  }
  return undefined
}
