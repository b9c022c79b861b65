// Formatting: tables and budget verdicts. Budgets never fail the run (exit code stays 0).
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'

export const fmtNs = (ns) => (ns >= 100_000 ? `${(ns / 1000).toFixed(0)} µs` : ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns).toLocaleString('en-US')} ns`)
export const fmtRatio = (ratio) => `${ratio.toFixed(ratio < 10 ? 2 : 1)}×`
export const fmtBytes = (bytes) => `${(bytes / 1024).toFixed(1)} KB`

/** `PASS` or `OVER`, with what was compared. */
export const verdict = (ok) => (ok ? 'PASS' : 'OVER')

/** Prints rows as an aligned table. */
export const table = (header, rows) => {
  const all = [header, ...rows].map((row) => row.map((cell) => String(cell ?? '')))
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  console.log(line(all[0]))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of all.slice(1)) console.log(line(row))
}

const readText = (path) => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** Node version, CPUs, CPU model, and the CPUs this process may run on (taskset). */
export const machine = () => {
  const model = /^model name\s*:\s*(.*)$/m.exec(readText('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? 'unknown'
  const allowed = /^Cpus_allowed_list:\s*(.*)$/m.exec(readText('/proc/self/status'))?.[1] ?? 'unknown'
  return {
    node: process.version,
    v8: process.versions.v8,
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    cpusAllowed: allowed,
    model,
    platform: `${process.platform} ${process.arch}`,
  }
}
