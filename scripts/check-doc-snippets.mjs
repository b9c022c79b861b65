#!/usr/bin/env node
// Type-checks every ```ts block of the documentation, so that examples cannot rot.
//
//   node scripts/check-doc-snippets.mjs
//
// Reads README.md, docs/**/*.md and packages/*/README.md; writes each ```ts block to
// .doc-snippets/<markdown path with dashes>-<n>.ts (n counts the file's ts blocks from 1; the
// directory is emptied first), writes .doc-snippets/tsconfig.json, and runs the TypeScript
// compiler on it. Errors are reported at the markdown file and line they come from. A block
// fenced as ```ts nocheck is not checked: keep that for fragments that cannot stand alone.
// The packages must be built first (`npx tsc -b`): snippets import them from node_modules.
//
// The compiler options are the project's, with `noUncheckedIndexedAccess` and
// `exactOptionalPropertyTypes` on: readers copy snippets into projects that turn them on, and
// both flags only ever add errors, so a snippet that compiles here compiles without them too.
//
// A block fenced as ```ts file=<path> shows a file of the repository, a test that Jest runs
// (`test/guides/*.test.ts`): its content must be that file's, byte for byte, so the example a
// guide shows is the one CI runs. It is compiled like the others. After editing such a file,
// `node scripts/check-doc-snippets.mjs --write` copies it into the blocks that show it.
//
// Exit status: 0 when every block compiles, 1 when one does not, 2 when the check itself
// could not run.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outDirName = '.doc-snippets'
const outDir = join(root, outDirName)
const tscPath = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

/** Relative paths, with `/`, of every markdown file whose blocks are checked. */
const markdownFiles = () => {
  const files = []
  if (existsSync(join(root, 'README.md'))) files.push('README.md')
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path)
    }
  }
  walk('docs')
  const packages = join(root, 'packages')
  if (existsSync(packages)) {
    for (const name of readdirSync(packages).sort()) {
      if (existsSync(join(packages, name, 'README.md'))) files.push(`packages/${name}/README.md`)
    }
  }
  return files
}

const fenceOpen = /^( {0,3})(`{3,}|~{3,})(.*)$/

/**
 * The fenced code blocks of a markdown text (CommonMark rules: a closing fence uses the same
 * character, at least as long, with no info string; the opening fence's indentation is removed
 * from the content lines). `line` is the 1-based line of the first content line.
 */
const codeBlocks = (text, path) => {
  const lines = text.split(/\r?\n/)
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = fenceOpen.exec(lines[i])
    if (!open) continue
    const [, indent, fence, info] = open
    if (fence.startsWith('`') && info.includes('`')) continue // not a fence (CommonMark)
    const words = info.trim().split(/\s+/).filter(Boolean)
    const content = []
    let closed = false
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j])
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) {
        closed = true
        break
      }
      let line = lines[j]
      for (let k = 0; k < indent.length && line.startsWith(' '); k++) line = line.slice(1)
      content.push(line)
    }
    if (!closed) throw new Error(`${path}:${i + 1}: code fence is never closed`)
    blocks.push({ language: (words[0] ?? '').toLowerCase(), flags: words.slice(1), line: i + 2, content })
    i = j
  }
  return blocks
}

/**
 * Why a ```ts file=<path> block is not that file, as messages (none when it is). The path is
 * relative to the repository's root and must stay inside it.
 */
const fileMismatch = (mdPath, block, shown) => {
  const where = `${mdPath}:${block.line - 1}`
  const path = resolve(root, shown)
  if (relative(root, path).startsWith('..') || !existsSync(path)) return [`${where}: file=${shown} is not a file of the repository`]
  const expected = readFileSync(path, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
  const lines = block.content
  for (let i = 0; i < Math.max(expected.length, lines.length); i++) {
    if (expected[i] !== lines[i]) {
      return [
        `${mdPath}:${block.line + i}: differs from ${shown}:${i + 1} (the block must show the file as it is):\n  file:  ${expected[i] ?? '(end of file)'}\n  block: ${lines[i] ?? '(end of block)'}`,
      ]
    }
  }
  return []
}

const isTypeScript = (language) => language === 'ts' || language === 'typescript'

const snippetName = (mdPath, n) => `${mdPath.replace(/[^A-Za-z0-9]+/g, '-')}-${n}.ts`

/** Copies each shown file into its ```ts file=<path> blocks. Returns how many blocks changed. */
const writeShownFiles = () => {
  let changed = 0
  for (const mdPath of markdownFiles()) {
    const text = readFileSync(join(root, mdPath), 'utf8')
    const lines = text.split('\n')
    const before = changed
    // From the last block up, so that earlier line numbers stay right.
    for (const block of codeBlocks(text, mdPath).reverse()) {
      const shown = block.flags.find((flag) => flag.startsWith('file='))?.slice('file='.length)
      if (!isTypeScript(block.language) || shown === undefined || fileMismatch(mdPath, block, shown).length === 0) continue
      const path = resolve(root, shown)
      if (relative(root, path).startsWith('..') || !existsSync(path)) continue
      const content = readFileSync(path, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
      lines.splice(block.line - 1, block.content.length, ...content)
      changed++
    }
    if (changed > before) writeFileSync(join(root, mdPath), lines.join('\n'))
  }
  return changed
}

const main = () => {
  if (process.argv.includes('--write')) {
    console.log(`check-doc-snippets: ${writeShownFiles()} block(s) copied from the files they show`)
    return 0
  }
  if (!existsSync(tscPath)) {
    console.error(`check-doc-snippets: ${relative(root, tscPath)} not found; run npm install`)
    return 2
  }
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })

  /** snippet file name → where its lines come from */
  const origins = new Map()
  /** `file=` blocks that differ from their file */
  const mismatches = []
  let skipped = 0
  for (const mdPath of markdownFiles()) {
    let n = 0
    for (const block of codeBlocks(readFileSync(join(root, mdPath), 'utf8'), mdPath)) {
      if (!isTypeScript(block.language)) continue
      n++
      if (block.flags.includes('nocheck')) {
        skipped++
        continue
      }
      const shown = block.flags.find((flag) => flag.startsWith('file='))?.slice('file='.length)
      if (shown !== undefined) mismatches.push(...fileMismatch(mdPath, block, shown))
      const name = snippetName(mdPath, n)
      // Line for line, so that a compiler position maps straight back to the markdown.
      writeFileSync(join(outDir, name), `${block.content.join('\n')}\n`)
      origins.set(name, { mdPath, line: block.line })
    }
  }

  const tsconfig = {
    extends: '../tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      types: ['node'],
      // Each snippet is a module of its own, even one without import or export.
      moduleDetection: 'force',
      // Stricter than the project's own code: see the top of this file.
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
    },
    include: ['*.ts'],
  }
  writeFileSync(join(outDir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`)

  for (const mismatch of mismatches) console.error(mismatch)

  if (origins.size === 0) {
    console.log(`check-doc-snippets: no ts blocks to check (${skipped} marked nocheck)`)
    return 0
  }

  const result = spawnSync(process.execPath, [tscPath, '-p', join(outDirName, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: root,
    encoding: 'utf8',
  })
  if (result.error) {
    console.error(`check-doc-snippets: could not run tsc: ${result.error.message}`)
    return 2
  }

  // `path(line,col): error TSxxxx: message`, then indented continuation lines.
  const diagnostic = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+: .*)$/
  const output = `${result.stdout}${result.stderr}`.split(/\r?\n/).filter((line) => line.length > 0)
  let errors = 0
  for (const line of output) {
    const match = diagnostic.exec(line)
    if (!match) {
      console.error(line)
      continue
    }
    const [, file, lineText, column, severity, message] = match
    if (severity === 'error') errors++
    const origin = origins.get(relative(outDir, resolve(root, file)).split(sep).join('/'))
    if (origin) {
      console.error(`${origin.mdPath}:${origin.line + Number(lineText) - 1}:${column}: ${severity} ${message}  [${file}]`)
    } else {
      console.error(line)
    }
  }
  if (result.status !== 0) {
    console.error(`check-doc-snippets: ${errors || 'some'} error(s) in ${origins.size} checked block(s)`)
    return 1
  }
  if (mismatches.length > 0) {
    console.error(`check-doc-snippets: ${mismatches.length} block(s) differ from the file they show`)
    return 1
  }
  console.log(`check-doc-snippets: ${origins.size} block(s) compile (${skipped} marked nocheck)`)
  return 0
}

try {
  process.exitCode = main()
} catch (error) {
  console.error(`check-doc-snippets: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 2
}
