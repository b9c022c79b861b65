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
 * What every extension carries besides its code: the package whose lean factory takes it, and
 * its name (its export from `<package>/extensions`).
 *
 * @example
 * ```ts
 * const extension: Extension = { package: '@middy-auth/oauth-scope', name: 'routeMaps' }
 * ```
 */
export interface Extension {
  readonly package: string
  readonly name: string
}

/**
 * The extensions of a package, by name, each with the functions it carries. An object that
 * claims a name but lacks that code (written by hand, or of another version of the package) is
 * refused at cold start, rather than failing on a request or leaving its option without effect.
 *
 * @example
 * ```ts
 * const shapes: ExtensionShapes = { routeMaps: ['compileRoutes'], scopeClaims: ['compileScopeClaims'], apiGatewayClaims: ['gatewayAuth'] }
 * ```
 */
export type ExtensionShapes = Readonly<Record<string, readonly string[]>>

/**
 * Reads a list of extensions (a lean factory's `extensions` option, or the root entry's own):
 * extensions of `fail`'s package, each one of `shapes` with its code (another package's extension
 * is a mistake that would leave the option it serves without its code).
 *
 * @param shapes - the package's extensions and the functions each carries
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/oauth-scope', 'oauthScope')
 * const extensions = readExtensions<OAuthScopeExtension>([routeMaps], fail, { routeMaps: ['compileRoutes'] })
 * ```
 */
export function readExtensions<E extends Extension>(value: unknown, fail: ConfigError, shapes: ExtensionShapes): Map<string, E> {
  const { package: packageName } = fail
  const extensions = new Map<string, E>()
  const from = `from '${packageName}/extensions'`
  if (!Array.isArray(value)) throw fail('extensions', `must be a list of extensions ${from}`)
  for (const [index, extension] of (value as unknown[]).entries()) {
    const name = isRecord(extension) && extension.package === packageName ? extension.name : undefined
    // Another package's, a name this package has no extension of, or an object without the
    // code its name needs (written by hand, or of another version): one mistake, one fix.
    if (
      typeof name !== 'string' ||
      !Object.hasOwn(shapes, name) ||
      (shapes[name] as readonly string[]).some((member) => typeof (extension as Record<string, unknown>)[member] !== 'function')
    ) {
      throw fail(`extensions[${index}]`, `must be an extension ${from}, of the same version`)
    }
    extensions.set(name, extension as E)
  }
  return extensions
}

/**
 * The first check of a factory that takes extensions: its option names (see
 * {@link checkOptionNames}), then its `extensions`, if given (see {@link readExtensions}). Returns the
 * extensions to use: `every`, the root entry's (all of them), which stand for those listed (still
 * checked, so that a mistake there is a `TypeError` in both entries), or else those listed.
 *
 * @param every - the root entry's extensions; `undefined` in the lean entry
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/oauth-scope', 'oauthScope')
 * const extensions = readOptionNamesAndExtensions(options, knownOptions, fail, extensionShapes, undefined, { require: 'required' })
 * ```
 */
export function readOptionNamesAndExtensions<E extends Extension>(
  options: { readonly extensions?: unknown },
  known: readonly string[],
  fail: ConfigError,
  shapes: ExtensionShapes,
  every: ReadonlyMap<string, E> | undefined,
  renamed?: Readonly<Record<string, string>>,
): ReadonlyMap<string, E> {
  checkOptionNames(options, known, fail, '', renamed)
  const { extensions } = options
  // Most handlers give none: their cold start then compiles only this line, not the checks.
  const given = extensions === undefined ? new Map<string, E>() : readExtensions<E>(extensions, fail, shapes)
  return every ?? given
}

/**
 * The extension an option needs, or the configuration error that tells how to add it (import it,
 * or use the root entry, which has every extension). The package and factory the message names
 * are `fail`'s.
 *
 * @param option - the option that needs it, as in the message (`routes`)
 * @example
 * ```ts
 * const routeMaps = needExtension(extensions, 'routeMaps', 'routes', configErrors('@middy-auth/oauth-scope', 'oauthScope'))
 * ```
 */
export function needExtension<E extends Extension>(extensions: ReadonlyMap<string, E>, name: string, option: string, fail: ConfigError): E {
  const extension = extensions.get(name)
  if (extension) return extension
  const { package: packageName, factory } = fail
  throw fail(
    option,
    `needs the ${name} extension: import { ${name} } from '${packageName}/extensions' and pass extensions: [${name}] (or import ${factory} from '${packageName}')`,
  )
}
