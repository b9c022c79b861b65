/**
 * Configuration mistakes, in one shape for the whole suite: a `TypeError` thrown by the factory
 * at cold start, whose message starts with the factory and the option's path
 * (`jwtVerify: issuers[0].jwks must be …`) and whose `cause` names both.
 */
import { challengeSafeText, isChallengeSafe, resourceMetadataProblem } from './challenge.js'
import { isRecord } from './record.js'

/**
 * The `cause` of every configuration `TypeError` of the suite.
 *
 * @example
 * ```ts
 * const cause: ConfigErrorCause = { package: '@middy-auth/rbac', option: 'required' }
 * ```
 */
export interface ConfigErrorCause {
  /** The package whose factory refused the option. */
  readonly package: string
  /** The option's path, as in the message: `realm`, `issuers[0].jwks`, `routes["GET /a"]`. */
  readonly option: string
}

/**
 * Builds a configuration error: `fail(option, problem)`, where `problem` finishes the sentence
 * that starts with the option's path (`'must be a function'`). It carries the package and the
 * factory it speaks for, which the messages that name an import read (core's `needExtension`).
 *
 * @example
 * ```ts
 * const fail: ConfigError = configErrors('@middy-auth/rbac', 'rbac')
 * throw fail('realm', `must be printable ASCII`)
 * ```
 */
export interface ConfigError {
  (option: string, problem: string): TypeError
  /** The package, for `cause.package` and the imports a message names (`'@middy-auth/rbac'`). */
  readonly package: string
  /** The name the application calls (`'rbac'`), which starts every message. */
  readonly factory: string
}

/**
 * The {@link ConfigError} of one factory: `TypeError('<factory>: <option> <problem>')` with
 * `cause: { package, option }`.
 *
 * @param packageName - the package, for `cause.package`
 * @param factory - the name the application calls (`jwtVerify`, `cognitoRoles`)
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/oauth-scope', 'oauthScope')
 * fail('realm', 'must be a string').message // 'oauthScope: realm must be a string'
 * ```
 */
export const configErrors = (packageName: string, factory: string): ConfigError =>
  Object.assign(
    (option: string, problem: string) =>
      new TypeError(`${factory}: ${option} ${problem}`, { cause: { package: packageName, option } satisfies ConfigErrorCause }),
    { package: packageName, factory },
  )

/**
 * Refuses a value that is not an object of options, and every field it does not know, listing
 * those it knows.
 *
 * @param at - the path of the object (`''` for the options themselves, `'issuers[0].'` for a field)
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/rbac', 'rbac')
 * checkOptionNames({ policy: {}, required: [] }, ['policy', 'required'], fail)
 * ```
 */
export function checkOptionNames<T>(options: T, known: readonly string[], fail: ConfigError, at = ''): asserts options is T & object {
  // The object's own path is `at` without its final dot.
  if (!isRecord(options)) throw fail(at.slice(0, -1) || 'options', 'must be an object')
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw fail(`${at}${key}`, `is not an option (known: ${known.join(', ')})`)
  }
}

/** The option names the suite spells otherwise, each with its spelling. */
const spellings: Readonly<Record<string, string>> = { require: 'required' }

/**
 * Refuses a name the suite spells otherwise (`require`, spelled `required`) with that spelling,
 * when it is the first name of `options` that {@link checkOptionNames} would refuse: called just
 * before it, with the same arguments, the first mistake is still the one reported.
 *
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/rbac', 'rbac')
 * refuseMisspelled(options, knownOptions, fail)
 * checkOptionNames(options, knownOptions, fail)
 * ```
 */
export function refuseMisspelled(options: unknown, known: readonly string[], fail: ConfigError, at = ''): void {
  const first = isRecord(options) ? Object.keys(options).find((key) => !known.includes(key)) : undefined
  if (first !== undefined && Object.hasOwn(spellings, first)) throw fail(`${at}${first}`, `is spelled ${spellings[first]} in middy-auth: rename it`)
}

/**
 * What {@link readDuration} accepts: the unit, the default, and whether `0` and `Infinity` mean
 * something for this option.
 *
 * @example
 * ```ts
 * const rule: DurationRule = { unit: 'milliseconds', fallback: 3000 }
 * ```
 */
export interface DurationRule {
  readonly unit: 'milliseconds' | 'seconds'
  /** The value when the option is left out. */
  readonly fallback: number
  /** Whether `0` is allowed (off, or no leeway). Default `false`. */
  readonly zero?: boolean
  /** Whether `Infinity` is allowed (never). Default `false`. */
  readonly infinity?: boolean
}

/**
 * The suite's one duration check: a number of the rule's unit, positive (or `0`, or `Infinity`
 * when the rule allows them); the fallback when left out.
 *
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/jwt-verify', 'jwtVerify')
 * const timeoutMs = readDuration(options.timeoutMs, 'jwks.timeoutMs', fail, { unit: 'milliseconds', fallback: 3000 })
 * ```
 */
export function readDuration(value: unknown, option: string, fail: ConfigError, { unit, fallback, zero, infinity }: DurationRule): number {
  if (value === undefined) return fallback
  const isNumber = typeof value === 'number'
  // Above 0: finite, or Infinity when the rule allows it; else 0 when the rule allows it (NaN is neither).
  if (isNumber && (value > 0 ? value < Infinity || infinity : zero && value === 0)) return value
  throw fail(option, `must be a number of ${unit} >${zero ? '=' : ''} 0${infinity ? ' (or Infinity)' : ''}, got ${isNumber ? value : typeof value}`)
}

/**
 * Whether an option is a list every item of which `test` takes. A hole (JavaScript's `[, 'a']`,
 * which `every()` and `some()` skip) is read as `undefined`, so the check refuses it like any
 * other item that is not what the list takes.
 *
 * @example
 * ```ts
 * const isName = (item: unknown) => typeof item === 'string' && item !== ''
 * isListOf(['sub', 'email'], isName) // true
 * isListOf([, 'email'], isName)      // false
 * ```
 */
export function isListOf<T>(value: unknown, test: (item: unknown) => item is T): value is T[]
export function isListOf(value: unknown, test: (item: unknown) => boolean): value is unknown[]
export function isListOf(value: unknown, test: (item: unknown) => boolean): value is unknown[] {
  return Array.isArray(value) && Array.from(value as unknown[]).every((item) => test(item))
}

const warned = new Set<string>()

/**
 * Reads an option that was renamed: the new name's value, else the old name's, with one
 * `DeprecationWarning` per process for the old name. Both at once is a configuration error.
 *
 * @param at - the path of the object holding them (`''`, `'issuers[0].'`)
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/jwt-verify', 'createRemoteKeyResolver')
 * const clock = readRenamed(options, 'clock', 'now', fail)
 * ```
 */
export function readRenamed(options: object, name: string, oldName: string, fail: ConfigError, at = ''): unknown {
  const fields = options as Record<string, unknown>
  const old = fields[oldName]
  if (old === undefined) return fields[name]
  const oldPath = `${at}${oldName}`
  if (fields[name] !== undefined) throw fail(oldPath, `is the deprecated name of ${name}: give ${name} only`)
  const message = fail(oldPath, `is deprecated: rename it ${name}`).message
  if (!warned.has(message)) {
    warned.add(message)
    process.emitWarning(message, 'DeprecationWarning')
  }
  return old
}

/**
 * The `realm` option of a middleware that sends a `Bearer` challenge: challenge-safe text,
 * `'api'` when left out.
 *
 * @example
 * ```ts
 * const realm = readRealm(options.realm, configErrors('@middy-auth/rbac', 'rbac'))
 * ```
 */
export function readRealm(value: unknown, fail: ConfigError): string {
  if (value === undefined) return 'api'
  if (typeof value === 'string' && isChallengeSafe(value)) return value
  throw fail('realm', `must be ${challengeSafeText}`)
}

/**
 * The `resourceMetadata` option (RFC 9728) of a middleware whose challenges carry it, given: the
 * URL, or the `TypeError` that says what is wrong with it (see `resourceMetadataProblem`).
 *
 * @example
 * ```ts
 * const url = readResourceMetadata(options.resourceMetadata, configErrors('@middy-auth/oauth-scope', 'oauthScope'))
 * ```
 */
export function readResourceMetadata(value: unknown, fail: ConfigError): string {
  const problem = resourceMetadataProblem(value)
  if (problem) throw fail('resourceMetadata', problem)
  return value as string
}

/**
 * An optional function option: the function, or `undefined` when left out.
 *
 * @param what - what it must be, for the message (`'a function of the request'`)
 * @example
 * ```ts
 * const onDecision = readFunction(options.onDecision, 'onDecision', configErrors('@middy-auth/rbac', 'rbac'))
 * ```
 */
// The caller names the function type it checked for; the check itself is `typeof 'function'`.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function readFunction<T extends (...args: never[]) => unknown>(value: unknown, option: string, fail: ConfigError, what = 'a function'): T | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'function') return value as T
  throw fail(option, `must be ${what}`)
}
