/**
 * Extensions: the code of an option that most handlers never use (route maps, DPoP and mTLS,
 * API Gateway's claims), kept out of a package's lean entry (`@middy-auth/<pkg>/lean`) and given
 * back to it as a value (`extensions: [routeMaps]`), so that a bundler leaves out whatever a
 * handler does not import. The root entries are built with every extension of their package:
 * nothing changes for a handler that imports them.
 */
import type { ConfigError } from './config-error.js'
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
 * Reads a lean factory's `extensions` option: a list of extensions of `packageName` (another
 * package's extension is a mistake that would leave the option it serves without its code).
 *
 * @param packageName - the package of the lean factory
 * @example
 * ```ts
 * const fail = configErrors('@middy-auth/oauth-scope', 'oauthScope')
 * const extensions = readExtensions<OAuthScopeExtension>(options.extensions, '@middy-auth/oauth-scope', fail)
 * ```
 */
export const readExtensions = <E extends Extension>(value: unknown, packageName: string, fail: ConfigError): ReadonlyMap<string, E> => {
  const extensions = new Map<string, E>()
  if (value === undefined) return extensions
  if (!Array.isArray(value)) throw fail('extensions', `must be a list of extensions imported from '${packageName}/extensions'`)
  for (const [index, extension] of (value as unknown[]).entries()) {
    if (!isRecord(extension) || extension.package !== packageName || typeof extension.name !== 'string') {
      throw fail(`extensions[${String(index)}]`, `is not an extension of ${packageName}: import it from '${packageName}/extensions'`)
    }
    extensions.set(extension.name, extension as unknown as E)
  }
  return extensions
}

/**
 * The extension an option needs, or the configuration error that tells how to add it (import it,
 * or use the root entry, which has every extension).
 *
 * @param option - the option that needs it, as in the message (`routes`)
 * @param from - the lean entry's package and the name the application calls (`oauthScope`)
 * @example
 * ```ts
 * const routeMaps = needExtension(extensions, 'routeMaps', 'routes', { packageName: '@middy-auth/oauth-scope', factory: 'oauthScope' }, fail)
 * ```
 */
export const needExtension = <E extends Extension>(
  extensions: ReadonlyMap<string, E>,
  name: string,
  option: string,
  from: { packageName: string; factory: string },
  fail: ConfigError,
): E => {
  const extension = extensions.get(name)
  if (extension) return extension
  throw fail(
    option,
    `needs the ${name} extension, which '${from.packageName}/lean' leaves out: import { ${name} } from '${from.packageName}/extensions' and pass extensions: [${name}] (or import ${from.factory} from '${from.packageName}', which has every extension)`,
  )
}
