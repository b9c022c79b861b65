// npm run bench [-- --quick] [-- --check] [-- --only=warm,memory] [-- --skip=jwks]
//
// Measures the budgets of docs/design.md#performance-budgets (issue #13) and prints PASS/OVER
// for each; with --check, exits 1 when one is OVER. Each section is a module of this folder
// exporting `run(settings)`, which prints its own tables and returns its budget rows; the
// warm section times pinned (`taskset -c 0`) and unpinned workers in turn by itself.
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { outDir } from './paths.ts'
import { machine, table, verdict, type BudgetRow } from './report.ts'

/** What every section module exports. */
export type Section = { run(settings: { quick: boolean }): Promise<BudgetRow[]> }

/**
 * The sections, in order. The bundle and cold-start sections are another module's work: they
 * run when their files are there.
 */
const SECTIONS: ReadonlyArray<{ name: string; module: string; optional?: boolean }> = [
  { name: 'warm', module: './warm.ts' },
  { name: 'memory', module: './memory.ts' },
  { name: 'rbac', module: './rbac.ts' },
  { name: 'binding', module: './sender-constrained.ts' },
  { name: 'introspection', module: './introspection-alb.ts' },
  { name: 'jwks', module: './jwks.ts' },
  { name: 'bundle', module: './bundle.ts', optional: true },
  { name: 'cold-start', module: './cold-start.ts', optional: true },
]

const args = process.argv.slice(2)
const listed = (flag: string): Set<string> | undefined => {
  const values = args.filter((a) => a.startsWith(`--${flag}=`)).flatMap((a) => a.slice(flag.length + 3).split(','))
  return values.length > 0 ? new Set(values) : undefined
}
const quick = args.includes('--quick')
const check = args.includes('--check')
const only = listed('only')
const skip = listed('skip') ?? new Set<string>()
const unknown = [...(only ?? []), ...skip].filter((name) => !SECTIONS.some((section) => section.name === name))
if (unknown.length > 0) {
  console.error(`unknown section(s): ${unknown.join(', ')}; the sections are ${SECTIONS.map((s) => s.name).join(', ')}`)
  process.exit(2)
}

const started = performance.now()
const info = machine()
const loadStart = loadavg()
console.log(`middy-auth bench${quick ? ' (--quick)' : ''}: node ${info.node} (V8 ${info.v8}), ${info.platform}`)
console.log(`CPU: ${info.model}; ${info.cpus} CPUs`)
console.log(`load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')} (other processes skew every number; run on a quiet machine)\n`)

const budgets: BudgetRow[] = []
const ran: string[] = []
for (const section of SECTIONS) {
  if ((only && !only.has(section.name)) || skip.has(section.name)) continue
  const url = new URL(section.module, import.meta.url)
  if (section.optional && !existsSync(url)) {
    console.log(`(${section.name}: ${section.module} is not in this checkout)\n`)
    continue
  }
  const module = (await import(url.href)) as Section
  budgets.push(...(await module.run({ quick })))
  ran.push(section.name)
}

console.log('=== budgets (docs/design.md#performance-budgets) ===')
if (budgets.length === 0) console.log('(none in the sections run)')
else
  table(
    ['', 'measured', 'budget', ''],
    budgets.map((b) => [b.name, b.value, b.limit, verdict(b.ok)]),
  )
const loadEnd = loadavg()
console.log(`load average at end: ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`)
const seconds = (performance.now() - started) / 1000
await mkdir(outDir, { recursive: true })
const file = join(outDir, `results${quick ? '-quick' : ''}.json`)
await writeFile(file, JSON.stringify({ machine: info, loadStart, loadEnd, quick, sections: ran, budgets, seconds }, null, 2))
const over = budgets.filter((b) => !b.ok).length
console.log(`\n${over} budget(s) over; ${seconds.toFixed(0)} s; results in ${file}`)
// Which ones, each indented row named with the row it belongs to: a reader sees at once that the
// rows over are the root entries' (which carry every option's code), or what else is.
let parent = ''
for (const budget of budgets) {
  if (!budget.name.startsWith('  ')) parent = budget.name
  if (!budget.ok) console.log(`  OVER: ${budget.name.startsWith('  ') ? `${parent}: ${budget.name.trim()}` : budget.name}`)
}
if (check && over > 0) process.exitCode = 1
