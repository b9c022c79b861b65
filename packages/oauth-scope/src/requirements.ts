/**
 * Scope requirements: checked and compiled into Sets once, at cold start; checked per request
 * with Set lookups only.
 */

export const packageName = '@middy-auth/oauth-scope'

/**
 * A `TypeError` for configuration that can never work, thrown at cold start.
 */
export const configError = (message: string): TypeError =>
  new TypeError(`oauthScope: ${message}`, { cause: { package: packageName } })

/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. */
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** RFC 6749 §3.3 scope-token charset, as a pattern string for the option schema. */
export const scopeTokenPattern = '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$'

/** A requirement, compiled. */
export interface CompiledRequirement {
  /** Every one of these. Empty: none. */
  readonly required: ReadonlySet<string>
  /** At least one of these, when set. */
  readonly anyOf: ReadonlySet<string> | undefined
  /** Every scope that would satisfy the requirement, required ones first: the challenge's `scope`. */
  readonly challengeScope: readonly string[]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** A non-empty list of scope tokens, without duplicates. */
const scopeList = (value: unknown, at: string): string[] => {
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' && value.trim() !== '' ? `, not a string: write [${value.trim().split(/\s+/).map((s) => `'${s}'`).join(', ')}]` : ''
    throw configError(`${at} must be a list of scopes such as ['orders:read']${hint}`)
  }
  if (value.length === 0) throw configError(`${at} is empty: list at least one scope, or leave it out`)
  value.forEach((scope: unknown, index) => {
    if (typeof scope === 'string' && scopeToken.test(scope)) return
    const hint = typeof scope === 'string' && /\s/.test(scope) ? `; list ${JSON.stringify(scope)} as separate scopes` : ''
    throw configError(
      `${at}[${index}] ${JSON.stringify(scope)} is not a scope: one or more printable ASCII characters ` +
        `without spaces, '"' or '\\' (RFC 6749 §3.3)${hint}`,
    )
  })
  return [...new Set(value as string[])]
}

/**
 * Compiles one requirement: a list (all of them) or `{ required?, anyOf? }` with at least one
 * of the two. `at` names it in error messages (`required`, `routes["GET /orders"]`).
 */
export const compileRequirement = (value: unknown, at: string): CompiledRequirement => {
  if (Array.isArray(value)) return build(scopeList(value, at), undefined)
  if (!isRecord(value)) throw configError(`${at} must be a list of scopes (all of them) or { required?, anyOf? }`)
  for (const key of Object.keys(value)) {
    if (key !== 'required' && key !== 'anyOf') throw configError(`${at}: unknown field '${key}' (use required or anyOf)`)
  }
  const required = value.required === undefined ? [] : scopeList(value.required, `${at}.required`)
  const anyOf = value.anyOf === undefined ? undefined : scopeList(value.anyOf, `${at}.anyOf`)
  if (required.length === 0 && anyOf === undefined) throw configError(`${at} requires nothing: give required, anyOf, or both`)
  return build(required, anyOf)
}

/** The top-level `required` and `anyOf` options as one requirement. */
export const compileTopLevel = (required: unknown, anyOf: unknown): CompiledRequirement =>
  build(
    required === undefined ? [] : scopeList(required, 'required'),
    anyOf === undefined ? undefined : scopeList(anyOf, 'anyOf'),
  )

const build = (required: string[], anyOf: string[] | undefined): CompiledRequirement => ({
  required: new Set(required),
  anyOf: anyOf ? new Set(anyOf) : undefined,
  challengeScope: Object.freeze([...new Set([...required, ...(anyOf ?? [])])]),
})

/**
 * Whether the held scopes satisfy the requirement: every required scope, and one of `anyOf`.
 * Scopes compare exactly (RFC 6749: case-sensitive). No allocation: Set lookups over the held list.
 */
export const isSatisfied = ({ required, anyOf }: CompiledRequirement, held: readonly unknown[]): boolean => {
  if (required.size > 0) {
    let missing = required.size
    for (let i = 0; i < held.length; i++) {
      const scope = held[i] as string
      // `indexOf` skips a scope the token lists twice, so it is counted once.
      if (required.has(scope) && held.indexOf(scope) === i) missing--
    }
    if (missing > 0) return false
  }
  if (anyOf === undefined) return true
  for (let i = 0; i < held.length; i++) if (anyOf.has(held[i] as string)) return true
  return false
}

/**
 * What is missing, for logs (`cause.data`): only scopes from the configuration, never the
 * caller's own.
 */
export const unmet = ({ required, anyOf }: CompiledRequirement, held: readonly unknown[]): { missing: string[]; anyOf?: string[] } => {
  const holds = new Set(held)
  const missing = [...required].filter((scope) => !holds.has(scope))
  const anyOfMet = anyOf === undefined || [...anyOf].some((scope) => holds.has(scope))
  return anyOfMet ? { missing } : { missing, anyOf: [...(anyOf as ReadonlySet<string>)] }
}
