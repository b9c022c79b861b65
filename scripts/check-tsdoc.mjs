#!/usr/bin/env node
// Every public export (what a package's src/index.ts exports) has TSDoc with an @example.
// Prints the ones that do not and exits 1.
import { readdirSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const packages = readdirSync(new URL('../packages/', import.meta.url))
const missing = []

/** Each subpath export of a package (`./jwks-rsa` → `dist/jwks-rsa.js`) is public API too: its source file. */
const subpathSources = (name) => {
  const { exports = {} } = JSON.parse(readFileSync(`${root}packages/${name}/package.json`, 'utf8'))
  return Object.entries(exports)
    .filter(([subpath]) => subpath !== '.')
    .map(([, target]) => `${root}packages/${name}/${(target.default ?? target).replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`)
}

for (const name of packages) {
  const entries = [`${root}packages/${name}/src/index.ts`, ...subpathSources(name)]
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
  })
  const checker = program.getTypeChecker()
  for (const entry of entries) {
    const source = program.getSourceFile(entry)
    if (!source) continue
    const moduleSymbol = checker.getSymbolAtLocation(source)
    if (!moduleSymbol) continue
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = symbol.declarations ?? []
      const hasExample = declarations.some(
        (declaration) =>
          ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'example') ||
          // `export const x = …`: the doc sits on the variable statement.
          (ts.isVariableDeclaration(declaration) && ts.getJSDocTags(declaration.parent.parent).some((tag) => tag.tagName.text === 'example')),
      )
      if (!hasExample) missing.push(`@middy-auth/${name}${entry.endsWith('index.ts') ? '' : `/${basename(entry, '.ts')}`}: ${exported.name}`)
    }
  }
}

if (missing.length > 0) {
  console.error(`Public exports without TSDoc @example:\n  ${missing.join('\n  ')}`)
  process.exit(1)
}
console.log('Every public export has TSDoc with an @example.')
