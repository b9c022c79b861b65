#!/usr/bin/env node
// Long fuzz runs: the suites of test/fuzz/ with a seed and a run count of your choosing.
//
//   npm run fuzz -- --seed 42 --runs 100000
//   npm run fuzz -- --seed 42 --runs 100000 --test 'mutated tokens' --path '4711:0:3'   (replay)
//
// --runs N is the number of generated cases in all, shared among the properties in proportion to
// their CI runs (the table in test/fuzz/support.ts; CI runs 5,300 with a fixed seed). A failure
// ends with fast-check's `{ seed, path }`: this script prints the command that replays that case.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const usage = 'usage: npm run fuzz -- [--seed N] [--runs N] [--test NAME] [--path P]'
const options = { seed: String(Date.now() % 2 ** 31), runs: '10000', test: undefined, path: undefined }
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i += 2) {
  const name = args[i]?.replace(/^--/, '')
  const value = args[i + 1]
  if (!(name in options) || value === undefined || value.startsWith('--')) {
    console.error(usage)
    process.exit(2)
  }
  options[name] = value
}
for (const name of ['seed', 'runs']) {
  if (!/^\d+$/.test(options[name])) {
    console.error(`--${name} must be a whole number. ${usage}`)
    process.exit(2)
  }
}

const root = fileURLToPath(new URL('..', import.meta.url))
const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url))
const jestArgs = [jest, '--testPathPatterns', `^${root}test/fuzz/`, '--coverage=false', '--maxWorkers=2', ...(options.test ? ['-t', options.test] : [])]
console.log(`fuzz: seed ${options.seed}, ${options.runs} runs in all${options.path ? `, replaying path ${options.path}` : ''}`)
const started = Date.now()
const child = spawn(process.execPath, jestArgs, {
  cwd: root,
  stdio: ['inherit', 'inherit', 'pipe'],
  env: {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
    FUZZ_SEED: options.seed,
    FUZZ_RUNS: options.runs,
    ...(options.path ? { FUZZ_PATH: options.path } : {}),
  },
})
// Jest reports on stderr: pass it on, and keep it to find fast-check's counterexample paths.
let report = ''
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk)
  report += chunk
})
child.on('close', (code) => {
  console.log(`fuzz: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (code === 0) return
  const failures = [...report.matchAll(/● (.+?) › (.+)\n[\s\S]*?\{ seed: (-?\d+), path: "([^"]+)"/g)]
  for (const [, , name, seed, path] of failures) {
    console.log(`fuzz: to replay "${name}": npm run fuzz -- --seed ${seed} --runs ${options.runs} --test '${name.replace(/'/g, "'\\''")}' --path '${path}'`)
  }
  if (failures.length === 0) console.log(`fuzz: failed; rerun with --seed ${options.seed} --runs ${options.runs}`)
  process.exitCode = code ?? 1
})
