/**
 * Token sources: their types, and the compiler and checks of the `{ header, scheme? }` form, the
 * default and the only form a lean entry takes without an extension. The cookie, query and
 * function forms are ./every-token-source.ts's, so that a bundle without them leaves them out.
 */
import { authorizerWithToken, getHeader, type AnyEvent } from './event.js'
import { isRecord } from './record.js'

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
 * const read: ReadToken = compileHeaderSource({ header: 'Authorization', scheme: 'Bearer' })
 * ```
 */
export type ReadToken = (event: AnyEvent) => TokenLookup

/**
 * The `{ header, scheme? }` form of a {@link TokenSource}, the one {@link compileHeaderSource} reads.
 *
 * @example
 * ```ts
 * const source: HeaderTokenSource = { header: 'x-amzn-oidc-data', scheme: null }
 * ```
 */
export type HeaderTokenSource = Extract<TokenSource, { header: string }>

export const missing: TokenLookup = { kind: 'missing' }
export const malformed = (reason: 'empty' | 'multiple'): TokenLookup => ({ kind: 'malformed', reason })
/**
 * A token read as `text` (already trimmed): the token, or `malformed('empty')` when nothing is
 * left (written out here, so that a bundle with the header form alone leaves `malformed` out).
 */
const found = (text: string, presentedAs: 'bearer' | 'dpop' = 'bearer'): TokenLookup =>
  text === '' ? { kind: 'malformed', reason: 'empty' } : { kind: 'token', token: text, presentedAs }

/** A bare token value. */
export const fromRawValue = (value: string | undefined): TokenLookup => (value === undefined ? missing : found(value.trim()))

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

/**
 * Compiles the `{ header, scheme? }` form of a {@link TokenSource} (every form: core's
 * `compileTokenSource`). REST TOKEN and AppSync authorizer events carry the header's value in
 * `authorizationToken`; it is read there when the source is the `Authorization` header (on
 * AppSync, a value of one word is the token itself, with or without the scheme). With
 * `acceptDpop`, the `DPoP` scheme (RFC 9449 §7.1) is read as well as the configured one.
 *
 * @example
 * ```ts
 * const read = compileHeaderSource({ header: 'Authorization', scheme: 'Bearer' })
 * read(event) // { kind: 'token', token: 'eyJ…', presentedAs: 'bearer' }
 * ```
 */
export function compileHeaderSource(source: HeaderTokenSource, acceptDpop = false): ReadToken {
  const { header, scheme = 'Bearer' } = source
  // `undefined` for `scheme: null`: the value is the token itself.
  const lowerScheme = scheme?.toLowerCase()
  const isAuthorization = header.toLowerCase() === 'authorization'
  return (event) => {
    const value = isAuthorization && authorizerWithToken(event) ? (event as { authorizationToken: string }).authorizationToken : getHeader(event, header)
    if (value === undefined) return missing
    const trimmed = value.trim()
    if (lowerScheme === undefined) return found(trimmed)
    // `<scheme> <token>` (docs/design.md#scheme): another scheme is "no credentials", the scheme
    // alone an empty token. What follows the scheme is the token, even with spaces or commas in
    // it (see looksLikeSeveralTokens). `end`: the first whitespace, or the end of a one-word value.
    const end = trimmed.search(/\s|$/)
    const givenScheme = trimmed.slice(0, end).toLowerCase()
    // AppSync clients send the token in `Authorization` bare (as AppSync's own Cognito and OIDC
    // modes want it) or after the scheme: one word other than the scheme is the token itself.
    if (end === trimmed.length && givenScheme !== lowerScheme && authorizerWithToken(event) === 'authorizer-appsync') return found(trimmed)
    const presentedAs = givenScheme === lowerScheme ? 'bearer' : acceptDpop && givenScheme === 'dpop' ? 'dpop' : undefined
    return presentedAs === undefined ? missing : found(trimmed.slice(end).trim(), presentedAs)
  }
}

/** The problems a token source can have, as the text after the option's path (shared with ./every-token-source.ts). */
export const sourceShapeProblem = `tokenSource must be { header, scheme? }, { cookie }, { query } or a function of the event`
export const allowedOriginsProblem = `tokenSource.allowedOrigins goes with { cookie } and must be a list of origins such as 'https://app.example.com'`

/** A header, cookie or query parameter name. */
export const isSourceName = (name: unknown): boolean => typeof name === 'string' && name.trim() !== ''

/** `scheme`, when set (not `undefined`, not `null`): only the header form has one, an HTTP auth scheme (RFC 7235's token: `\w` is its letters, digits and `_`). */
export const schemeProblem = (scheme: unknown, isHeader: boolean): string | undefined =>
  scheme === undefined || scheme === null || (isHeader && typeof scheme === 'string' && /^[\w!#$%&'*+.^`|~-]+$/.test(scheme))
    ? undefined
    : `tokenSource.scheme must be an HTTP auth scheme such as 'Bearer', or null`

/**
 * Whether a token source is of a form only core's `compileTokenSource` reads: a function, or an
 * object naming a cookie or a query parameter. Anything else is meant as the header form, and
 * checked as one by {@link headerSourceProblem}.
 *
 * @example
 * ```ts
 * isCookieQueryOrFunction({ cookie: 'session' })        // true
 * isCookieQueryOrFunction({ header: 'Authorization' })  // false
 * ```
 */
export const isCookieQueryOrFunction = (source: unknown): boolean =>
  typeof source === 'function' || (isRecord(source) && ('cookie' in source || 'query' in source))

/**
 * What is wrong with a token source that {@link isCookieQueryOrFunction} does not take, or
 * `undefined` when it is a header form {@link compileHeaderSource} compiles: the text (the
 * option's path, then the problem) of the `TypeError` a middleware throws at cold start. Core's
 * `tokenSourceProblem` checks every form, with the same messages.
 *
 * @example
 * ```ts
 * headerSourceProblem({ header: 'Authorization' })  // undefined
 * headerSourceProblem({ header: '' })               // "tokenSource must be { header, scheme? }, …"
 * ```
 */
export function headerSourceProblem(source: unknown): string | undefined {
  if (!isRecord(source) || !isSourceName(source.header)) return sourceShapeProblem
  // Spelled out, not built from allowedOriginsProblem: a bundle with the header form alone
  // carries this shorter text only (its origins would never be read).
  if (source.allowedOrigins !== undefined) return 'tokenSource.allowedOrigins goes with { cookie } only'
  return schemeProblem(source.scheme, true)
}
