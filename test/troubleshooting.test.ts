import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import ts from 'typescript'

// docs/troubleshooting.md explains every code and every reason a reader meets in the logs. The
// typed unions of codes and reasons are read from the sources, so a new one fails this test
// until the page says what causes it and how to fix it.
const root = new URL('../', import.meta.url)
const page = readFileSync(new URL('docs/troubleshooting.md', root), 'utf8')

const files = [
  'packages/core/src/auth-error.ts',
  'packages/jwt-verify/src/rejection.ts',
  'packages/iam-context/src/caller.ts',
  'packages/authorizer/src/options.ts',
]
// The unions are written out in their own files: no imports or standard library needed to read them.
const program = ts.createProgram(
  files.map((file) => new URL(file, root).pathname),
  { noEmit: true, noLib: true, noResolve: true, types: [] },
)
const checker = program.getTypeChecker()

/** The string literals of an exported union type, as the compiler resolves it. */
const literalsOf = (file: string, typeName: string): string[] => {
  const source = program.getSourceFile(new URL(file, root).pathname)
  const alias = source?.statements.find(
    (statement): statement is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(statement) && statement.name.text === typeName,
  )
  if (!alias) throw new Error(`${file} has no type ${typeName}`)
  const type = checker.getTypeAtLocation(alias.name)
  const members = type.isUnion() ? type.types : [type]
  return members.filter((member) => member.isStringLiteral()).map((member) => (member as ts.StringLiteralType).value)
}

describe('docs/troubleshooting.md', () => {
  test.each([
    ['packages/core/src/auth-error.ts', 'AuthErrorCode'],
    ['packages/jwt-verify/src/rejection.ts', 'RejectionReason'],
    ['packages/iam-context/src/caller.ts', 'MissingCallerReason'],
    ['packages/authorizer/src/options.ts', 'AuthorizerLogReason'],
  ])('explains every value of %s %s', (file, typeName) => {
    const values = literalsOf(file, typeName)
    expect(values.length).toBeGreaterThan(3)
    expect(values.filter((value) => !page.includes(`\`${value}\``))).toEqual([])
  })
})
