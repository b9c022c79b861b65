/**
 * Extensions: the code of an option that most handlers never use (route maps, DPoP and mTLS,
 * API Gateway's claims), kept out of a package's lean entry (`@middy-auth/<pkg>/lean`) and given
 * back to it as a value (`extensions: [routeMaps]`), so that a bundler leaves out whatever a
 * handler does not import. The root entries are built with every extension of their package:
 * nothing changes for a handler that imports them.
 */
import { checkOptionNames, type ConfigError } from './config-error.js'
import { isRecord } from './record.js'

/**
 * What every extension carries besides its code: the package whose lean factory takes it, its
 * name (its export from `<package>/extensions`), and its package's mark.
 *
 * @example
 * ```ts
 * const extension: Extension = { package: '@middy-auth/oauth-scope', name: 'routeMaps', mark: '@middy-auth/oauth-scope extensions v1' }
 * ```
 */
export interface Extension {
  readonly package: string
  readonly name: string
  /**
   * The package and the version of its extensions' shapes (`'@middy-auth/rbac extensions v1'`),
   * one constant of the package, set on each of its extensions and raised whenever an
   * extension's code changes shape. {@link readExtensions} takes only its own package's mark:
   * another package's extension, one of a version whose code this lean entry cannot call, and an
   * object written by hand are refused at cold start, never met at a request. Another copy of
   * the package (installed twice) with the same mark carries the same code, and works.
   */
  readonly mark: string
}

/**
 * Whether an object with an extension's mark still carries code, and nothing but code beside its
 * `package`, `name` and `mark`: a copy that lost its functions (a JSON round trip, a member set
 * to `undefined`) would otherwise pass the mark and be read as no code at all where an option is
 * only read at cold start (`apiGatewayClaims`: the option silently ignored). Inherited members
 * count, as a prototype child of an extension carries its code.
 */
function carriesCode(extension: Record<string, unknown>): boolean {
  let code = false
  for (const member in extension) {
    if (typeof extension[member] === 'function') code = true
    else if (member !== 'package' && member !== 'name' && member !== 'mark') return false
  }
  return code
}

/**
 * Reads a list of extensions (a lean factory's `extensions` option, or the root entry's own):
 * each one of `fail`'s package and of the shapes this entry calls, as its {@link Extension.mark}
 * shows (another package's extension is a mistake that would leave the option it serves without
 * its code).
 *
 * @param mark - the package's {@link Extension.mark}
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/oauth-scope', 'oauthScope')
 * const extensions = readExtensions<OAuthScopeExtension>([routeMaps], fail, mark)
 * ```
 */
export function readExtensions<E extends Extension>(value: unknown, fail: ConfigError, mark: string): Map<string, E> {
  const from = `from '${fail.package}/extensions'`
  if (!Array.isArray(value)) throw fail('extensions', `must be a list of extensions ${from}`)
  const extensions = new Map<string, E>()
  for (const [index, extension] of (value as unknown[]).entries()) {
    // Another package's, another version's or one written by hand: one mistake, one fix. Only an
    // object, as the extensions are (an array or a function carrying one's fields is refused).
    if (!isRecord(extension) || extension.mark !== mark || !carriesCode(extension)) {
      throw fail(`extensions[${index}]`, `must be an extension ${from}, of the same version`)
    }
    extensions.set((extension as E).name, extension as E)
  }
  return extensions
}

/**
 * The first check of a factory that takes extensions: its option names (see
 * {@link checkOptionNames}), then its `extensions`, if given (see {@link readExtensions}). Returns the
 * extensions to use: `every`, the root entry's (all of them), which stand for those listed (still
 * checked, so that a mistake there is a `TypeError` in both entries), or else those listed.
 *
 * @param mark - the package's {@link Extension.mark}
 * @param every - the root entry's extensions; `undefined` in the lean entry
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/oauth-scope', 'oauthScope')
 * const extensions = readOptionNamesAndExtensions(options, knownOptions, fail, mark, undefined)
 * ```
 */
export function readOptionNamesAndExtensions<E extends Extension>(
  options: { readonly extensions?: unknown },
  known: readonly string[],
  fail: ConfigError,
  mark: string,
  every: ReadonlyMap<string, E> | undefined,
): ReadonlyMap<string, E> {
  checkOptionNames(options, known, fail)
  const { extensions } = options
  // Most handlers give none: their cold start then compiles only this line, not the checks.
  const given = extensions === undefined ? new Map<string, E>() : readExtensions<E>(extensions, fail, mark)
  return every ?? given
}

/**
 * The extension an option needs, or the configuration error that tells how to add it (import it,
 * or use the root entry, which has every extension). The package and factory the message names
 * are `fail`'s.
 *
 * @param option - the option that needs it, as in the message (`routes`)
 * @param when - what of the option needs it, when not its mere presence: words between the option
 *   and "needs" (`'without jwksUri '`: `issuers[0] without jwksUri needs the …`)
 * @example
 * ```ts
 * const routeMaps = needExtension(extensions, 'routeMaps', 'routes', configErrors('@middy-auth/oauth-scope', 'oauthScope'))
 * ```
 */
export function needExtension<E extends Extension>(extensions: ReadonlyMap<string, E>, name: string, option: string, fail: ConfigError, when = ''): E {
  const extension = extensions.get(name)
  if (extension) return extension
  const { package: packageName, factory } = fail
  throw fail(
    option,
    `${when}needs the ${name} extension: import { ${name} } from '${packageName}/extensions' and pass extensions: [${name}] (or import ${factory} from '${packageName}')`,
  )
}
