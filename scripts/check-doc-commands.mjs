#!/usr/bin/env node
// Checks that the commands and paths the documentation gives work as written.
//
//   node scripts/check-doc-commands.mjs
//
// Reads README.md, docs/**/*.md and packages/*/README.md. Commands are the lines of ```sh,
// ```bash, ```shell and ```console blocks (a `$ ` prompt is dropped; `&&`, `;` and `|` split a line
// into commands; `# …` comments are dropped) and the inline code spans that start with `npm ` or
// `npx `. Then:
//
// - In README.md and docs/ (commands run in this repository): `npm run <script>` and the npm
//   shortcuts (`npm test`, `npm start`) name a script of the root package.json; `npx <bin>` names
//   a binary installed in node_modules/.bin; `node <file>` and `sh <file>` name a file that exists.
// - Everywhere (install lines readers copy into their projects): `npm install` names `@middy/*`
//   packages with their major version (`@middy/core@7`), so that npm cannot pick an older Middy,
//   and `@middy-auth/*` packages that exist in packages/.
// - Every relative link of README.md and docs/ (`[text](path)`, `[text](path#anchor)`) names a
//   file or directory that exists.
//
// Exit status: 0 when everything holds, 1 when something does not.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const middyMajor = 7

const scripts = new Set(Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {}))
const bins = new Set(existsSync(join(root, 'node_modules', '.bin')) ? readdirSync(join(root, 'node_modules', '.bin')) : [])
const ourPackages = new Set(
  readdirSync(join(root, 'packages')).flatMap((dir) => {
    const manifest = join(root, 'packages', dir, 'package.json')
    return existsSync(manifest) ? [JSON.parse(readFileSync(manifest, 'utf8')).name] : []
  }),
)

/** Markdown files: `repo` ones document this repository, the others a package for its users. */
const markdownFiles = () => {
  const files = [{ path: 'README.md', repo: true }]
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.md')) files.push({ path, repo: true })
    }
  }
  walk('docs')
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    if (existsSync(join(root, 'packages', name, 'README.md'))) files.push({ path: `packages/${name}/README.md`, repo: false })
  }
  return files
}

const shellLanguages = new Set(['sh', 'bash', 'shell', 'console', 'zsh'])

/** The commands of a markdown text, each with its line, and its relative links. */
const readMarkdown = (text) => {
  const commands = []
  const links = []
  const lines = text.split(/\r?\n/)
  let fence
  for (const [i, line] of lines.entries()) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(line)
    if (fence) {
      if (open && open[1][0] === fence.char && open[1].length >= fence.length && open[2] === '') fence = undefined
      else if (fence.shell) commands.push(...splitCommands(line.replace(/^\s*\$ /, '')).map((command) => ({ command, line: i + 1 })))
      continue
    }
    if (open) {
      fence = { char: open[1][0], length: open[1].length, shell: shellLanguages.has(open[2].toLowerCase()) }
      continue
    }
    for (const span of line.matchAll(/`(np[mx] [^`]+)`/g)) commands.push(...splitCommands(span[1]).map((command) => ({ command, line: i + 1 })))
    // Links outside code spans.
    const prose = line.replace(/`[^`]*`/g, '')
    for (const link of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ target: link[1], line: i + 1 })
  }
  return { commands, links }
}

const splitCommands = (line) =>
  line
    .replace(/(^|\s)#.*$/, '')
    .split(/&&|\|\||;|\|/)
    .map((part) => part.trim().replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, '')) // `PORT=8080 npm run …`
    .filter((part) => part !== '')

/** What is wrong with one command, or undefined. */
const commandProblem = (command, repo) => {
  const words = command.split(/\s+/)
  const [tool, verb, name] = words
  if (tool === 'npm' && (verb === 'install' || verb === 'i' || verb === 'add')) return installProblem(words.slice(2))
  if (!repo) return undefined
  if (tool === 'npm' && (verb === 'run' || verb === 'run-script')) {
    if (name === undefined || name === '…' || name === '...') return undefined // "npm run …" in prose
    return scripts.has(name) ? undefined : `npm run ${name}: package.json has no script "${name}"`
  }
  if (tool === 'npm' && (verb === 'test' || verb === 'start') && !scripts.has(verb)) return `npm ${verb}: package.json has no script "${verb}"`
  if (tool === 'npx' && verb !== undefined && !verb.startsWith('-') && !bins.has(verb)) return `npx ${verb}: no such binary in node_modules/.bin`
  if ((tool === 'node' || tool === 'sh' || tool === 'bash') && verb !== undefined && /^[\w./-]+\.(m?js|sh|ts)$/.test(verb) && !existsSync(join(root, verb))) {
    return `${tool} ${verb}: no such file`
  }
  return undefined
}

const installProblem = (args) => {
  for (const arg of args) {
    if (arg.startsWith('-')) continue
    const at = arg.indexOf('@', 1)
    const name = at === -1 ? arg : arg.slice(0, at)
    const version = at === -1 ? undefined : arg.slice(at + 1)
    if (name.startsWith('@middy/') && version !== String(middyMajor))
      return `npm install ${arg}: write ${name}@${middyMajor}, so that npm cannot pick another major version of Middy`
    if (name.startsWith('@middy-auth/') && !ourPackages.has(name)) return `npm install ${arg}: there is no package ${name} in packages/`
  }
  return undefined
}

const linkProblem = (mdPath, target) => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return undefined // URLs, mailto:, anchors
  const path = decodeURI(target.split('#')[0])
  return existsSync(resolve(root, dirname(mdPath), path)) ? undefined : `link to ${target}: no such file`
}

const problems = []
let commandCount = 0
for (const { path, repo } of markdownFiles()) {
  const { commands, links } = readMarkdown(readFileSync(join(root, path), 'utf8'))
  commandCount += commands.length
  for (const { command, line } of commands) {
    const problem = commandProblem(command, repo)
    if (problem) problems.push(`${path}:${line}: ${problem}`)
  }
  if (!repo) continue
  for (const { target, line } of links) {
    const problem = linkProblem(path, target)
    if (problem) problems.push(`${path}:${line}: ${problem}`)
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  console.error(`check-doc-commands: ${problems.length} problem(s)`)
  process.exitCode = 1
} else {
  console.log(`check-doc-commands: ${commandCount} command(s) and the links of README.md and docs/ hold`)
}
