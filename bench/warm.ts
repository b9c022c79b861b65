// The warm budgets of issue #13, per algorithm (RS256, ES256, EdDSA), whole Middy invocations
// with a fresh event each, against the true floor (bench/floor.ts):
//   - distinct tokens, default options: (middy + jwtVerify − bare middy) / floor ≤ 1.15;
//   - a repeated token: (distinct − bare) / (repeated − bare) ≥ 20;
//   - the full stack: middy full stack / (floor + bare middy) ≤ 1.25.
// Measured in worker processes (bench/warm-worker.ts) started in turn pinned to one CPU
// (`taskset -c 0`, as a Lambda function of ≤ 1,769 MB runs) and unpinned, so both modes see
// the same moments of a shared machine; ratios are taken within a round, then the median over
// all rounds of a mode.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { median, perRoundMedian, type Spread } from './measure.ts'
import { fmtNs, fmtRatio, table, verdict, type BudgetRow } from './report.ts'
import { outDir } from './paths.ts'
import { ALGORITHMS, makeFixture } from './tokens.ts'
import type { WarmFixture, WarmWorkerResult } from './warm-worker.ts'

const run_ = promisify(execFile)

/** The budgets of issue #13 (docs/design.md#performance-budgets). */
export const WARM_BUDGET = { distinct: 1.15, repeatedSpeedup: 20, fullStack: 1.25 } as const

type Mode = 'pinned' | 'unpinned'

const hasTaskset = async (): Promise<boolean> => {
  try {
    await run_('taskset', ['-c', '0', 'true'])
    return true
  } catch {
    return false
  }
}

const worker = async (mode: Mode, file: string, rounds: number, time: number): Promise<WarmWorkerResult> => {
  const script = join(import.meta.dirname, 'warm-worker.ts')
  const args = [script, file, String(rounds), String(time)]
  const [command, commandArgs] = mode === 'pinned' ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args]
  const { stdout } = await run_(command as string, commandArgs as string[], { maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as WarmWorkerResult
}

/** Per-round values of several workers of one mode, concatenated. */
const merge = (results: WarmWorkerResult[]): Record<string, Record<string, number[]>> => {
  const merged: Record<string, Record<string, number[]>> = {}
  for (const result of results) {
    for (const [alg, tasks] of Object.entries(result.perRound)) {
      merged[alg] ??= {}
      for (const [name, values] of Object.entries(tasks)) (merged[alg][name] ??= []).push(...values)
    }
  }
  return merged
}

/** The figures of one algorithm in one mode. */
export const warmFigures = (at: Record<string, number[]>) => {
  const rounds = (at.floor ?? []).length
  const m = { rounds }
  const v = (name: string, r: number): number => {
    const values = at[name]
    if (!values) throw new Error(`no bench task named ${name}`)
    return values[r] as number
  }
  const net = (name: string) => (r: number) => v(name, r) - v('middy bare', r)
  const over = (f: (r: number) => number): Spread => perRoundMedian(m, (r) => f(r) / v('floor', r))
  return {
    floorNs: median(at.floor ?? []),
    bareNs: median(at['middy bare'] ?? []),
    distinctNetNs: median(Array.from({ length: rounds }, (_, r) => net('middy + jwtVerify, distinct')(r))),
    repeatedNetNs: median(Array.from({ length: rounds }, (_, r) => net('middy + jwtVerify, repeated token')(r))),
    distinct: over(net('middy + jwtVerify, distinct')),
    cacheOff: over(net('middy + jwtVerify, cache off')),
    speedup: perRoundMedian(m, (r) => net('middy + jwtVerify, distinct')(r) / net('middy + jwtVerify, repeated token')(r)),
    fullStack: perRoundMedian(m, (r) => v('middy full stack', r) / (v('floor', r) + v('middy bare', r))),
    jose: over((r) => v('jose jwtVerify', r)),
    aws: over((r) => v('aws-jwt-verify verifySync', r)),
    optionsFloor: at['floor, options object'] ? over((r) => v('floor, options object', r)) : undefined,
  }
}

// Three decimals under 10×: a budget of 1.15× is decided in the third.
const spread = (s: Spread): string => `${s.value < 10 ? `${s.value.toFixed(3)}×` : fmtRatio(s.value)} [${s.q1.toFixed(2)}–${s.q3.toFixed(2)}]`

/** The warm section: PASS/OVER per budget, algorithm and mode. */
export async function run(settings: { quick: boolean }): Promise<BudgetRow[]> {
  const count = settings.quick ? 1500 : 3000
  const pairs = settings.quick ? 1 : 2
  const rounds = settings.quick ? 8 : 30
  const time = 25
  const started = performance.now()
  const fixtures: WarmFixture[] = ALGORITHMS.map((alg) => {
    const fixture = makeFixture(alg, count)
    return { alg, jwks: fixture.jwks, publicJwk: fixture.key.jwk, tokens: fixture.tokens }
  })
  await mkdir(outDir, { recursive: true })
  const file = join(outDir, 'warm-fixtures.json')
  await writeFile(file, JSON.stringify(fixtures))
  const modes: Mode[] = (await hasTaskset()) ? ['unpinned', 'pinned'] : ['unpinned']
  console.log(
    `=== warm: ${count} distinct tokens per algorithm, fresh event per invocation; ${pairs} worker(s) per mode, ${modes.join(' and ')} in turn, ${rounds} rounds each ===`,
  )
  if (modes.length === 1) console.log('taskset not found: unpinned only')
  const results: Record<Mode, WarmWorkerResult[]> = { pinned: [], unpinned: [] }
  for (let pair = 0; pair < pairs; pair++) {
    for (const mode of pair % 2 === 0 ? modes : [...modes].reverse()) results[mode].push(await worker(mode, file, rounds, time))
  }
  const budgets: BudgetRow[] = []
  const raw: Record<string, unknown> = {}
  for (const mode of modes) {
    const merged = merge(results[mode])
    console.log(`\n--- ${mode} (CPUs allowed: ${results[mode].map((r) => r.cpusAllowed).join(', ')}) ---`)
    const rows: unknown[][] = []
    for (const alg of ALGORITHMS) {
      const f = warmFigures(merged[alg] ?? {})
      raw[`${mode} ${alg}`] = f
      rows.push(
        [`${alg} floor (bare KeyObject${alg === 'ES256' ? ', raw→DER' : ''})`, fmtNs(f.floorNs), '1', ''],
        ...(f.optionsFloor ? [[`${alg}   reference: { key, dsaEncoding } options object`, '', spread(f.optionsFloor), '']] : []),
        [
          `${alg} middy + jwtVerify − bare, distinct (default options)`,
          fmtNs(f.distinctNetNs),
          spread(f.distinct),
          `≤ ${WARM_BUDGET.distinct}× ${verdict(f.distinct.value <= WARM_BUDGET.distinct)}`,
        ],
        [`${alg} middy + jwtVerify − bare, cache: false`, '', spread(f.cacheOff), ''],
        [
          `${alg} middy + jwtVerify − bare, repeated token`,
          fmtNs(f.repeatedNetNs),
          `speed-up ${spread(f.speedup)}`,
          `≥ ${WARM_BUDGET.repeatedSpeedup}× ${verdict(f.speedup.value >= WARM_BUDGET.repeatedSpeedup)}`,
        ],
        [
          `${alg} full stack / (floor + bare middy)`,
          '',
          spread(f.fullStack),
          `≤ ${WARM_BUDGET.fullStack}× ${verdict(f.fullStack.value <= WARM_BUDGET.fullStack)}`,
        ],
        [`${alg} bare middy invocation`, fmtNs(f.bareNs), '', ''],
        [`${alg} jose jwtVerify (bare call, reference)`, '', spread(f.jose), ''],
        [`${alg} aws-jwt-verify verifySync (bare call, reference)`, '', spread(f.aws), ''],
      )
      budgets.push(
        {
          name: `${alg} distinct tokens, fresh events (${mode})`,
          value: `${f.distinct.value.toFixed(3)}×`,
          limit: `≤ ${WARM_BUDGET.distinct}× floor`,
          ok: f.distinct.value <= WARM_BUDGET.distinct,
        },
        {
          name: `${alg} repeated token speed-up (${mode})`,
          value: fmtRatio(f.speedup.value),
          limit: `≥ ${WARM_BUDGET.repeatedSpeedup}×`,
          ok: f.speedup.value >= WARM_BUDGET.repeatedSpeedup,
        },
        {
          name: `${alg} full stack (${mode})`,
          value: `${f.fullStack.value.toFixed(3)}×`,
          limit: `≤ ${WARM_BUDGET.fullStack}× (floor + Middy)`,
          ok: f.fullStack.value <= WARM_BUDGET.fullStack,
        },
      )
    }
    table(['', 'ns/op', '× floor [q1–q3]', 'budget'], rows)
  }
  await writeFile(join(outDir, `warm${settings.quick ? '-quick' : ''}.json`), JSON.stringify({ raw, results }, null, 2))
  console.log(`\nwarm section: ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
  return budgets
}
