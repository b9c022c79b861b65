import { spawn } from 'node:child_process'
import { delimiter, dirname } from 'node:path'

/**
 * Child processes for the packaging tests (npm, tsc, node in a temporary project), run as in a
 * user's shell: this Node first on PATH (npm's `#!/usr/bin/env node` then runs on it), and none
 * of the variables `npm test` / Jest set (`npm_package_*`, `npm_lifecycle_*`,
 * `NODE_OPTIONS=--experimental-vm-modules`, …). The npm cache and registry settings are kept.
 */
export const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig'])
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase()
    if (lower.startsWith('npm_') && !keep.has(lower)) continue
    if (key === 'NODE_OPTIONS' || key === 'INIT_CWD' || key.startsWith('JEST_')) continue
    env[key] = value
  }
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter)
  return { ...env, ...extra }
}

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
  /** The command and where it ran, for failure messages. */
  describe: string
}

/** Runs a command to its end (or kills it after `timeoutSeconds`); never rejects for a non-zero exit. */
export const run = (command: string, args: readonly string[], cwd: string, timeoutSeconds: number, extraEnv: Record<string, string> = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const describe = `\`${[command, ...args].join(' ')}\` in ${cwd}`
    const child = spawn(command, args, { cwd, env: childEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`${describe} could not run: ${error.message}`))
    })
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      if (signal) reject(new Error(`${describe} was stopped (${signal}; timeout ${timeoutSeconds} s)\n--- stderr\n${stderr}`))
      else resolve({ status, stdout, stderr, describe })
    })
  })

/** Runs a command that must succeed; resolves with its stdout. */
export const runOk = async (
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutSeconds: number,
  extraEnv: Record<string, string> = {},
): Promise<string> => {
  const result = await run(command, args, cwd, timeoutSeconds, extraEnv)
  if (result.status !== 0) {
    throw new Error(`${result.describe} exited with ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
  }
  return result.stdout
}

/** Runs `work` over `items`, at most `limit` at a time (two cores: installs and tsc runs queue). */
export const inPool = async <T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> => {
  const results: PromiseSettledResult<R>[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]!) }
      } catch (reason) {
        results[index] = { status: 'rejected', reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** tsc's output (`--pretty false`) as one string per diagnostic, with its indented continuation lines. */
export const diagnostics = (output: string): string[] =>
  output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .reduce<string[]>((all, line) => {
      if (/^\s/.test(line) && all.length > 0) all[all.length - 1] += `\n${line}`
      else all.push(line)
      return all
    }, [])
