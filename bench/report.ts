// Formatting: tables and budget verdicts.
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'

/** One budget's outcome, as every section returns them. */
export interface BudgetRow {
  name: string
  value: string
  limit: string
  ok: boolean
}

export const fmtNs = (ns: number): string =>
  ns >= 100_000 ? `${(ns / 1000).toFixed(0)} µs` : ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns).toLocaleString('en-US')} ns`
export const fmtRatio = (ratio: number): string => `${ratio.toFixed(ratio < 10 ? 2 : 1)}×`
export const fmtBytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`

/** `PASS` or `OVER`. */
export const verdict = (ok: boolean): 'PASS' | 'OVER' => (ok ? 'PASS' : 'OVER')

/** Prints rows as an aligned table. */
export const table = (header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): void => {
  const all = [header, ...rows].map((row) => row.map((cell) => String(cell ?? '')))
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  const line = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')
  console.log(line(all[0] as string[]))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of all.slice(1)) console.log(line(row))
}

const readText = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** The CPUs this process may run on (`taskset`), as `/proc/self/status` lists them. */
export const cpusAllowed = (): string => /^Cpus_allowed_list:\s*(.*)$/m.exec(readText('/proc/self/status'))?.[1] ?? 'unknown'

/** Node version, CPUs, CPU model, and the CPUs this process may run on (taskset). */
export const machine = (): { node: string; v8: string; cpus: number; availableParallelism: number; cpusAllowed: string; model: string; platform: string } => {
  const model = /^model name\s*:\s*(.*)$/m.exec(readText('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? 'unknown'
  return {
    node: process.version,
    v8: process.versions.v8,
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    cpusAllowed: cpusAllowed(),
    model,
    platform: `${process.platform} ${process.arch}`,
  }
}
