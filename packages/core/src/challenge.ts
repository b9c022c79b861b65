/**
 * RFC 6750 §3 / RFC 7235 challenge building. Attribute values are quoted-strings; RFC 6750
 * restricts `realm`-like values, `error_description` and `scope` to printable ASCII without
 * `"` and `\`, so anything else is dropped rather than escaped: a challenge must never carry a
 * byte a client could misparse, nor anything copied from a request.
 */

const notPrintableOrQuoteOrBackslash = /[^\x20-\x7e]|["\\]/g

const clean = (value: string): string => value.replace(notPrintableOrQuoteOrBackslash, '')

/** The value of a list attribute (`scope`, `algs`): the items cleaned, the empty ones left out, space-separated. */
const cleanList = (items: readonly string[]): string => items.map(clean).filter(Boolean).join(' ')

/**
 * Whether a value can be sent as a challenge attribute as-is (printable ASCII, no `"` or `\`).
 *
 * @example
 * ```ts
 * isChallengeSafe('api') // true
 * isChallengeSafe('a"b') // false
 * ```
 */
export const isChallengeSafe = (value: string): boolean => value.length > 0 && clean(value) === value

/** `, name="value"` with the value cleaned, or nothing when the value is missing or empty. */
const attribute = (name: string, value: string | false | undefined): string => (value ? `, ${name}="${clean(value)}"` : '')

/** What a challenge-safe value is, for the configuration messages of the options sent in challenges. */
export const challengeSafeText = `printable ASCII without '"' or '\\'`

/**
 * Attributes of a `Bearer` challenge, in the order RFC 6750's examples give them.
 *
 * @example
 * ```ts
 * const challenge: BearerChallenge = { realm: 'api', error: 'invalid_token' }
 * ```
 */
export interface BearerChallenge {
  realm: string
  error?: string
  errorDescription?: string
  scope?: readonly string[]
  /**
   * The URL of the protected resource's metadata (RFC 9728 §5.1), so a client can discover the
   * authorization server. Check it with {@link isChallengeSafe} when configured: an unsafe one
   * is left out here.
   */
  resourceMetadata?: string
}

/**
 * Builds a `WWW-Authenticate: Bearer …` value.
 *
 * @example
 * ```ts
 * bearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: ['orders:read'] })
 * // 'Bearer realm="api", error="insufficient_scope", scope="orders:read"'
 * ```
 */
export const bearerChallenge = ({ realm, error, errorDescription, scope, resourceMetadata }: BearerChallenge): string =>
  bearer(realm, error, errorDescription, scope, resourceMetadata)

/**
 * {@link bearerChallenge} with the attributes in order, for `AuthError`: a bundle without the
 * object form then spells no attribute name twice.
 */
export const bearer = (
  realm: string,
  error?: string | false,
  errorDescription?: string | false,
  scope?: readonly string[] | false,
  resourceMetadata?: string,
): string =>
  `Bearer realm="${clean(realm)}"` +
  // Dropped, not cleaned: a URL with bytes removed would point somewhere else (cleaning a safe one changes nothing).
  attribute('resource_metadata', resourceMetadata && isChallengeSafe(resourceMetadata) && resourceMetadata) +
  attribute('error', error) +
  attribute('error_description', errorDescription) +
  (scope && scope.length > 0 ? `, scope="${cleanList(scope)}"` : '')

/**
 * Attributes of a `DPoP` challenge (RFC 9449 §7.1).
 *
 * @example
 * ```ts
 * const challenge: DpopChallenge = { algs: ['ES256'], error: 'invalid_dpop_proof' }
 * ```
 */
export interface DpopChallenge {
  /** The JWS algorithms a proof may use. */
  algs?: readonly string[]
  error?: string
}

/**
 * Builds a `WWW-Authenticate: DPoP …` value.
 *
 * @example
 * ```ts
 * dpopChallenge({ algs: ['ES256', 'EdDSA'], error: 'invalid_dpop_proof' })
 * // 'DPoP algs="ES256 EdDSA", error="invalid_dpop_proof"'
 * ```
 */
export const dpopChallenge = ({ algs, error }: DpopChallenge): string => dpop(algs, error)

/** {@link dpopChallenge} with the attributes in order, for `AuthError`. */
export function dpop(algs?: readonly string[], error?: string): string {
  // Left out when no algorithm is left once cleaned.
  const attributes = attribute('algs', cleanList(algs ?? [])) + attribute('error', error)
  // The first attribute follows the scheme without its comma: `DPoP algs="…", error="…"`, or `DPoP` alone.
  return `DPoP${attributes.slice(1)}`
}

/**
 * Whether a value may be sent as a `DPoP-Nonce` header: one or more NQCHAR (RFC 9449 §8.1:
 * printable ASCII without `"` and `\`).
 *
 * @example
 * ```ts
 * isDpopNonceSafe('eyJ7S_zG.yH0-xp') // true
 * ```
 */
export const isDpopNonceSafe = (value: string): boolean => isChallengeSafe(value) && !value.includes(' ')

/**
 * What is wrong with a `resourceMetadata` option (RFC 9728 §5.1), or `undefined` when it can be
 * sent in every `Bearer` challenge: an absolute `https:` URL (`http:` only on a loopback host,
 * for tests: a client must not learn its authorization server over plain HTTP), without a
 * fragment, and challenge-safe ({@link isChallengeSafe}) as it is, since a URL cannot be cleaned.
 * The middlewares that take the option turn a problem into a `TypeError` at cold start.
 *
 * @example
 * ```ts
 * resourceMetadataProblem('https://api.example.com/.well-known/oauth-protected-resource/mcp') // undefined
 * resourceMetadataProblem('https://api.example.com/"x') // "must be …", to follow the option's path
 * ```
 */
export function resourceMetadataProblem(value: unknown): string | undefined {
  // Challenge-safe without spaces (isDpopNonceSafe) and without a fragment: the URL is sent as it is.
  const url = typeof value === 'string' && isDpopNonceSafe(value) && !value.includes('#') && URL.canParse(value) ? new URL(value) : undefined
  const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  if (!secure) {
    return `must be the absolute https URL of the protected resource metadata, in ${challengeSafeText} (http only on loopback; such as 'https://api.example.com/.well-known/oauth-protected-resource')`
  }
  return undefined
}
