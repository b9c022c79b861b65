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

const isTypeScript = (language) => language === 'ts' || language === 'typescript'

const snippetName = (mdPath, n) => `${mdPath.replace(/[^A-Za-z0-9]+/g, '-')}-${n}.ts`

const main = () => {
  if (!existsSync(tscPath)) {
    console.error(`check-doc-snippets: ${relative(root, tscPath)} not found; run npm install`)
    return 2
  }
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })

  /** snippet file name → where its lines come from */
  const origins = new Map()
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
    },
    include: ['*.ts'],
  }
  writeFileSync(join(outDir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`)

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
  console.log(`check-doc-snippets: ${origins.size} block(s) compile (${skipped} marked nocheck)`)
  return 0
}

try {
  process.exitCode = main()
} catch (error) {
  console.error(`check-doc-snippets: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 2
}
