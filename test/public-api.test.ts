import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/**
 * The public API, entry point by entry point: every name each `exports` entry of every package
 * offers (values and types, sorted), as the snapshot in __snapshots__/public-api.test.ts.snap
 * records it. Adding, removing or moving an export changes the snapshot, so it is a reviewed
 * change (`npm run jest -- test/public-api.test.ts -u` after deciding it should be so).
 */

const root = fileURLToPath(new URL('..', import.meta.url))
const packageNames = readdirSync(`${root}packages`).sort()

interface EntryPoint {
  /** What an application imports: `@middy-auth/core`, `@middy-auth/core/internal`. */
  specifier: string
  /** The TypeScript source `exports` maps it to (dist/x.js is built from src/x.ts). */
  source: string
}

const entryPoints: EntryPoint[] = packageNames.flatMap((name) => {
  const manifest = JSON.parse(readFileSync(`${root}packages/${name}/package.json`, 'utf8')) as {
    name: string
    exports: Record<string, { types: string; default: string }>
  }
  return Object.entries(manifest.exports).map(([subpath, target]) => ({
    specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
    source: `${root}packages/${name}/${target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`,
  }))
})

/** Each entry point's exports as TypeScript sees them: values (anything with a run-time binding) and types. */
const declaredExports = (): Record<string, { values: string[]; types: string[] }> => {
  const program = ts.createProgram(
    entryPoints.map((entry) => entry.source),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true },
  )
  const checker = program.getTypeChecker()
  return Object.fromEntries(
    entryPoints.map(({ specifier, source }) => {
      const file = program.getSourceFile(source)
      const moduleSymbol = file && checker.getSymbolAtLocation(file)
      if (!moduleSymbol) throw new Error(`${specifier}: ${source} is not a module TypeScript can read`)
      const values: string[] = []
      const types: string[] = []
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
        ;(symbol.flags & ts.SymbolFlags.Value ? values : types).push(exported.name)
      }
      return [specifier, { values: values.sort(), types: types.sort() }]
    }),
  )
}

describe('the public API of every entry point', () => {
  const declared = declaredExports()

  test('every package.json "exports" entry, with its exports (values and types, sorted)', () => {
    expect(declared).toMatchSnapshot()
  }, 120_000)

  test.each(entryPoints.map((entry) => [entry.specifier]))('%s: what it exports at run time is what its declarations say', async (specifier) => {
    const loaded = (await import(specifier)) as Record<string, unknown>
    expect(Object.keys(loaded).sort()).toEqual(declared[specifier]!.values)
  })

  test('the root entries and their subpaths share no name: each export has one home', () => {
    const homes = new Map<string, string[]>()
    for (const [specifier, { values, types }] of Object.entries(declared)) {
      const pkg = specifier.split('/').slice(0, 2).join('/')
      for (const name of [...values, ...types]) {
        if (name === 'default') continue
        // A lean entry (`<pkg>/lean`) is its root's factories again, with fewer extensions: same names, same use.
        if (specifier === `${pkg}/lean` && declared[pkg]!.values.includes(name)) continue
        const key = `${pkg}:${name}`
        homes.set(key, [...(homes.get(key) ?? []), specifier])
      }
    }
    const twice = [...homes].filter(([, where]) => where.length > 1)
    expect(twice).toEqual([])
  })
})
