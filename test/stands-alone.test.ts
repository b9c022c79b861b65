// The repository stands on its own: whoever clones it has nothing beside it, so no file may read
// from or point to a folder outside it (the event fixtures are in test/fixtures/aws-events/).
import { expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

test('no tracked file reads from or points to a folder beside the repository', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((file) => /\.(ts|js|mjs|md|json|sh|yaml|yml)$/.test(file) && file !== 'package-lock.json')
  expect(files.length).toBeGreaterThan(100)
  const outside = /\.\.\/\.\.\/\.\.\/\.\.\/shared|\.\.\/\.\.\/\.\.\/shared|\.\.\/shared\/|shared\/fixtures|DESIGN\.md/
  const offenders = files.filter((file) => outside.test(readFileSync(`${root}${file}`, 'utf8')))
  expect(offenders).toEqual([])
})
