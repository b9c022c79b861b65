// Cold start, what the user waits for: a fresh `node` process imports the bundled handler (as
// `sam build` bundles it), runs its init, and answers its first request with a valid token whose
// keys come from an HTTPS JWKS endpoint on loopback (a self-signed certificate, trusted through
// NODE_EXTRA_CA_CERTS). The same handler written with aws-jwt-verify (with `hydrate()` at init,
// as its documentation advises) is the reference. Ours runs twice, through the root entry
// (`@middy-auth/jwt-verify`) and through the lean one (`@middy-auth/jwt-verify/lean`). Each round
// starts one process per handler, in an order that rotates through the six orders, and the
// budget is the median over the rounds of ours ÷ theirs for the whole wait (import + init + first
// request): at most 1, ours no slower; one row per entry. The median is shown with its 95%
// confidence interval (distribution-free, from the order statistics of the round ratios) and the
// quartiles: on a shared machine, a median within a few percent of 1 whose interval straddles 1
// is a tie, not a verdict. (`--pairs=N` sets the number of rounds.)
//
// Each handler module exports `init()` (what a handler's module does at top level: build the
// middleware; aws-jwt-verify also awaits `hydrate()`) and `handler`, so that the import (module
// loading) and the init are timed apart.
//
// Alone: node bench/cold-start.ts [--quick] [--pairs=N] [--trace] [--as-lambda] [--cpu-prof] (after npm run build).
// `--cpu-prof` writes a V8 CPU profile of every measured process (sampled every 50 µs) to
// .bench-out/cold-start/profiles/<handler>/, to compare where each side's CPU goes (the profiler
// slows every process alike; read the ratios, not the times).
import { execFile, spawn } from 'node:child_process'
import { generateKeyPairSync, sign } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'

export interface BudgetRow {
  name: string
  value: string
  limit: string
  ok: boolean
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, '.bench-out', 'cold-start')
const AUDIENCE = 'orders-api'

/** Ours, through the root entry and through the lean one (the same handler otherwise). */
const oursWith = (entry: string): string => `
import middy from '@middy/core'
import jwtVerify from '${entry}'
export let handler
export const init = async () => {
  handler = middy()
    .use(jwtVerify({ issuers: [{ issuer: process.env.ISSUER, audience: '${AUDIENCE}', jwksUri: process.env.JWKS_URI }] }))
    .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
}
`

/** The handlers: the same function, keys from the same JWKS URL, verified three ways. */
const handlers = {
  ours: oursWith('@middy-auth/jwt-verify'),
  'ours (lean)': oursWith('@middy-auth/jwt-verify/lean'),
  'aws-jwt-verify': `
import middy from '@middy/core'
import { JwtVerifier } from 'aws-jwt-verify'
export let handler
export const init = async () => {
  const verifier = JwtVerifier.create({ issuer: process.env.ISSUER, audience: '${AUDIENCE}', jwksUri: process.env.JWKS_URI })
  await verifier.hydrate()
  handler = middy()
    .use({ before: async (request) => {
      const header = request.event.headers?.authorization ?? ''
      const payload = await verifier.verify(header.replace(/^Bearer /i, ''))
      request.context.auth = { subject: payload.sub, claims: payload }
    } })
    .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
}
`,
}
type Name = keyof typeof handlers
const names = Object.keys(handlers) as Name[]
/** Ours, each compared with aws-jwt-verify's process of the same round. */
const oursNames = ['ours', 'ours (lean)'] as const
type Ours = (typeof oursNames)[number]
/** The six orders of three processes, taken in turn, so that no handler always runs first or last. */
const orders: Name[][] = names.flatMap((first) =>
  names.filter((name) => name !== first).map((second) => [first, second, ...names.filter((name) => name !== first && name !== second)]),
)

/**
 * Runs in each fresh process: import, init, first request, each timed; prints them as JSON.
 * With COLD_TRACE=1 (`--trace`), it also notes when the key fetch's socket was created, when
 * TCP and TLS were connected and when the response headers came (Node's diagnostics channels,
 * subscribed before t0, the same in both processes), which splits the wait into our own CPU
 * work before the socket, the network, and the work after the response.
 */
const childSource = `
const trace = process.env.COLD_TRACE === '1' ? {} : undefined
if (trace) {
  const channels = process.getBuiltinModule('node:diagnostics_channel')
  channels.subscribe('net.client.socket', ({ socket }) => {
    trace.socket ??= performance.now()
    socket.once('connect', () => (trace.connect ??= performance.now()))
    socket.once('secureConnect', () => (trace.secure ??= performance.now()))
  })
  channels.subscribe('http.client.response.finish', () => (trace.headers ??= performance.now()))
}
const cpu0 = process.cpuUsage()
const loop0 = performance.eventLoopUtilization()
const t0 = performance.now()
const handlerModule = await import(process.argv[2])
const t1 = performance.now()
const cpu1 = process.cpuUsage(cpu0)
await handlerModule.init()
const t2 = performance.now()
const cpu2 = process.cpuUsage(cpu0)
// --as-lambda: the Lambda Node.js runtime interface client starts each invocation from
// setImmediate after the init (and then fetches the event from the Runtime API), so the event
// loop turns once between the init and the first request.
if (process.env.COLD_RUNTIME_TURN === '1') await new Promise((resolve) => setImmediate(resolve))
const event = { version: '2.0', routeKey: 'GET /orders', rawPath: '/orders', headers: { authorization: 'Bearer ' + process.env.TOKEN }, requestContext: { http: { method: 'GET', path: '/orders' } } }
const context = { functionName: 'cold', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 3000 }
const response = await handlerModule.handler(event, context)
const t3 = performance.now()
const cpu = process.cpuUsage(cpu0)
const idleMs = performance.eventLoopUtilization(loop0).idle
if (response?.statusCode !== 200 || response.body !== 'user-1') throw new Error('first request refused: ' + JSON.stringify(response))
const since = (t) => (t === undefined ? undefined : t - t0)
const cpuMs = (usage) => (usage.user + usage.system) / 1000
process.stdout.write(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1, firstMs: t3 - t2, cpuMs: cpuMs(cpu), cpuImportMs: cpuMs(cpu1), cpuInitMs: cpuMs(cpu2) - cpuMs(cpu1), idleMs, ...(trace ? { trace: { socket: since(trace.socket), connect: since(trace.connect), secure: since(trace.secure), headers: since(trace.headers), end: t3 - t0 } } : {}) }))
process.exit(0)
`

interface Timing {
  importMs: number
  initMs: number
  firstMs: number
  /** CPU time (user + system, every thread of the process) over the same wait. */
  cpuMs: number
  /** The same, over the import and over the init (the first request's is the rest). */
  cpuImportMs: number
  cpuInitMs: number
  /**
   * How long the main thread's event loop waited for I/O over the wait (Node's event loop
   * utilization): the time the network left for work to overlap with. Near 0 when the wait is
   * all work on the main thread, which only less CPU work then shortens.
   */
  idleMs: number
  /** With `--trace`: milliseconds from the start of the import to each step of the key fetch. */
  trace?: { socket?: number; connect?: number; secure?: number; headers?: number; end: number }
}

const execFileAsync = promisify(execFile)

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low)
}
const median = (values: number[]): number => quantile(values, 0.5)

/**
 * The distribution-free confidence interval of a median: the k-th smallest and k-th largest of
 * `n` values, with the largest k such that P(Binomial(n, 1/2) < k) ≤ (1 − level) / 2 (each
 * value is below the true median with probability 1/2). `undefined` when n is too small.
 */
const medianInterval = (values: number[], level = 0.95): [number, number] | undefined => {
  const n = values.length
  const sorted = [...values].sort((a, b) => a - b)
  const tail = (1 - level) / 2
  // P(Binomial(n, 1/2) = i), summed from i = 0 while it stays within the tail.
  let probability = 0.5 ** n
  let cumulative = 0
  let k = 0
  for (let i = 0; i < n; i++) {
    if (cumulative + probability > tail) break
    cumulative += probability
    k = i + 1
    probability = (probability * (n - i)) / (i + 1)
  }
  return k === 0 ? undefined : [sorted[k - 1] as number, sorted[n - k] as number]
}

/** A self-signed certificate for 127.0.0.1, made with openssl (the children trust it). */
const makeCertificate = async (): Promise<{ key: string; cert: string; certFile: string }> => {
  const keyFile = join(outDir, 'loopback-key.pem')
  const certFile = join(outDir, 'loopback-cert.pem')
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ])
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile }
}

const base64url = (value: object | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url')

/** An HTTPS JWKS endpoint on loopback and an RS256 token its key verifies. */
const startIssuer = async (
  tls: {
    key: string
    cert: string
  },
  host: '127.0.0.1' | 'localhost',
): Promise<{ server: Server; issuer: string; jwksUri: string; token: string; requests: () => number }> => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] })
  let requests = 0
  const server = createServer(tls, (request, response) => {
    requests += 1
    if (request.url !== '/jwks.json') {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(jwks) }).end(jwks)
  })
  // `localhost` is served on the address the children's lookup gives first (127.0.0.1 or ::1).
  const address = host === 'localhost' ? (await lookup('localhost')).address : host
  await new Promise<void>((resolve) => server.listen(0, address, resolve))
  const issuer = `https://${host}:${(server.address() as AddressInfo).port}`
  const now = Math.floor(Date.now() / 1000)
  const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${base64url({ iss: issuer, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 3600 })}`
  const token = `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), privateKey))}`
  return { server, issuer, jwksUri: `${issuer}/jwks.json`, token, requests: () => requests }
}

const bundle = async (name: Name): Promise<string> => {
  const file = name.replace(/[^a-z-]/g, '')
  const entry = join(outDir, `${file}.entry.mjs`)
  const outfile = join(outDir, `${file}.mjs`)
  await writeFile(entry, handlers[name])
  await build({ entryPoints: [entry], outfile, bundle: true, minify: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'silent' })
  return pathToFileURL(outfile).href
}

/** One fresh process: its timings (the child's stdout), or the reason it failed. */
const coldProcess = (child: string, url: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<Timing> =>
  new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [...nodeFlags, child, url], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => process_.kill(), 30_000)
    process_.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(JSON.parse(stdout) as Timing)
      else reject(new Error(`cold process exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))
    })
  })

export interface ColdStartResult {
  pairs: number
  load: { start: number[]; end: number[] }
  timings: Record<Name, Timing[]>
  /** Per round, ours (root, lean) ÷ aws-jwt-verify of the whole wait. */
  ratios: Record<Ours, number[]>
  /** Per round, ours ÷ aws-jwt-verify of the CPU time over the wait (not the budget). */
  cpuRatios: Record<Ours, number[]>
  jwksRequests: number
}

/**
 * Measures `pairs` interleaved rounds of one process per handler (ours through the root entry,
 * ours through the lean entry, aws-jwt-verify), in rotating order.
 *
 * `trace`: see childSource. `asLambda`: the JWKS URL names its host (`localhost`), as every real
 * one does, so each process resolves it (the first DNS lookup of a process starts libuv's
 * thread pool), and the event loop turns once between the init and the first request, as the
 * Lambda runtime schedules it. The budget is measured without it (an IP address, no turn).
 */
export const measureColdStart = async (pairs: number, options: { trace?: boolean; asLambda?: boolean; cpuProf?: boolean } = {}): Promise<ColdStartResult> => {
  await mkdir(outDir, { recursive: true })
  const child = join(outDir, 'cold-child.mjs')
  await writeFile(child, childSource)
  const urls = {} as Record<Name, string>
  for (const name of names) urls[name] = await bundle(name)
  const tls = await makeCertificate()
  const issuer = await startIssuer(tls, options.asLambda === true ? 'localhost' : '127.0.0.1')
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: tls.certFile, ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri, TOKEN: issuer.token }
  delete env.NODE_OPTIONS
  if (options.trace === true) env.COLD_TRACE = '1'
  if (options.asLambda === true) env.COLD_RUNTIME_TURN = '1'
  // --cpu-prof: this run's profiles only, one folder per handler (the unmeasured round writes none).
  if (options.cpuProf === true) await rm(join(outDir, 'profiles'), { recursive: true, force: true })
  const profileFlags = (name: Name): string[] =>
    options.cpuProf === true ? ['--cpu-prof', '--cpu-prof-interval=50', `--cpu-prof-dir=${join(outDir, 'profiles', name.replace(/[^a-z-]/g, ''))}`] : []
  const load = { start: loadavg(), end: [] as number[] }
  const timings = Object.fromEntries(names.map((name) => [name, [] as Timing[]])) as Record<Name, Timing[]>
  const ratios: Record<Ours, number[]> = { ours: [], 'ours (lean)': [] }
  const cpuRatios: Record<Ours, number[]> = { ours: [], 'ours (lean)': [] }
  try {
    // One unmeasured round first: the page cache then holds node and every bundle for every round.
    for (const name of names) await coldProcess(child, urls[name], env)
    for (let i = 0; i < pairs; i++) {
      const round = {} as Record<Name, Timing>
      for (const name of orders[i % orders.length] as Name[]) round[name] = await coldProcess(child, urls[name], env, profileFlags(name))
      for (const name of names) timings[name].push(round[name])
      for (const name of oursNames) {
        ratios[name].push(total(round[name]) / total(round['aws-jwt-verify']))
        cpuRatios[name].push(round[name].cpuMs / round['aws-jwt-verify'].cpuMs)
      }
    }
  } finally {
    issuer.server.close()
  }
  load.end = loadavg()
  return { pairs, load, timings, ratios, cpuRatios, jwksRequests: issuer.requests() }
}

const total = (timing: Timing): number => timing.importMs + timing.initMs + timing.firstMs

const ms = (value: number): string => `${value.toFixed(1)} ms`

/** One row per budget, and the phases of each side; `ok: false` is OVER. */
export async function run(settings: { quick: boolean; pairs?: number; trace?: boolean; asLambda?: boolean; cpuProf?: boolean }): Promise<BudgetRow[]> {
  // 60 rounds: the 95% interval of the median then spans the 22nd to the 39th smallest ratio.
  const pairs = settings.pairs ?? (settings.quick ? 20 : 60)
  const result = await measureColdStart(pairs, { trace: settings.trace === true, asLambda: settings.asLambda === true, cpuProf: settings.cpuProf === true })
  const phase = (name: Name, pick: (timing: Timing) => number): string => ms(median(result.timings[name].map(pick)))
  console.log(
    `cold start${settings.asLambda === true ? ' (--as-lambda: JWKS on https://localhost, one event-loop turn before the first request)' : ''}: ${result.pairs} interleaved rounds of ${names.length} processes, load average ${result.load.start.map((l) => l.toFixed(2)).join(' ')} → ${result.load.end.map((l) => l.toFixed(2)).join(' ')}`,
  )
  /** The median of round ratios, its 95% interval, quartiles, and how often ours was below 1. */
  const summary = (ratios: number[]): string => {
    const interval = medianInterval(ratios)
    return (
      `${median(ratios).toFixed(3)}× (95% CI ${interval ? `${interval[0].toFixed(3)}–${interval[1].toFixed(3)}` : 'n/a'}; ` +
      `quartiles ${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}; ` +
      `faster in ${ratios.filter((r) => r < 1).length} of ${result.pairs} rounds)`
    )
  }
  const rows: BudgetRow[] = oursNames.map((name) => ({
    name: `cold start, import + init + first request, ${name} / aws-jwt-verify (median of round ratios)`,
    value: summary(result.ratios[name]),
    limit: '≤ 1.00×',
    ok: median(result.ratios[name]) <= 1,
  }))
  // Not the budget (what the user waits for is the wall time above), but steadier between runs
  // on a shared machine: the process's CPU time over the same wait, which no other process's
  // load stretches.
  for (const name of oursNames) {
    rows.push({ name: `  CPU time over the wait, ${name} / aws-jwt-verify (not the budget)`, value: summary(result.cpuRatios[name]), limit: '', ok: true })
  }
  for (const name of names) {
    rows.push({
      name: `  ${name}: import / init / first request / whole (medians; wall time, then CPU time)`,
      value:
        `${phase(name, (t) => t.importMs)} / ${phase(name, (t) => t.initMs)} / ${phase(name, (t) => t.firstMs)} / ${phase(name, total)}; ` +
        `CPU ${phase(name, (t) => t.cpuImportMs)} / ${phase(name, (t) => t.cpuInitMs)} / ${phase(name, (t) => t.cpuMs - t.cpuImportMs - t.cpuInitMs)} / ${phase(name, (t) => t.cpuMs)}; main thread idle ${phase(name, (t) => t.idleMs)}`,
      limit: '',
      ok: true,
    })
  }
  // Every process fetches the JWKS once (aws-jwt-verify in hydrate(), ours in the prefetch).
  const expected = names.length * (result.pairs + 1)
  rows.push({ name: '  JWKS requests (one per process)', value: String(result.jwksRequests), limit: `= ${expected}`, ok: result.jwksRequests === expected })
  if (settings.trace === true) printTrace(result)
  return rows
}

/** `--trace`: where each side's wait goes, medians over the processes (see childSource). */
const printTrace = (result: ColdStartResult): void => {
  const steps: Array<[string, (trace: NonNullable<Timing['trace']>) => number | undefined]> = [
    ['start → key fetch socket created (import, init, node:https, TLS context)', (t) => t.socket],
    ['socket → TCP connected (work until the first await, the loop turn, TCP)', (t) => diff(t.connect, t.socket)],
    ['TCP → TLS connected', (t) => diff(t.secure, t.connect)],
    ['TLS → response headers', (t) => diff(t.headers, t.secure)],
    ['response headers → first answer (body, JSON, key import, verification, handler)', (t) => diff(t.end, t.headers)],
  ]
  console.log('cold start, traced (medians, ms; the subscriptions cost both sides the same):')
  console.log(`  ${''.padEnd(84)} ${names.map((name) => name.padStart(15)).join(' ')}`)
  for (const [label, pick] of steps) {
    const cell = (name: Name): string => {
      const values = result.timings[name].flatMap((timing) => {
        const value = timing.trace ? pick(timing.trace) : undefined
        return value === undefined ? [] : [value]
      })
      return values.length === 0 ? '–' : median(values).toFixed(2)
    }
    console.log(`  ${label.padEnd(84)} ${names.map((name) => cell(name).padStart(15)).join(' ')}`)
  }
}

const diff = (later: number | undefined, earlier: number | undefined): number | undefined =>
  later === undefined || earlier === undefined ? undefined : later - earlier

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pairsArgument = process.argv.find((argument) => argument.startsWith('--pairs='))
  const pairs = pairsArgument === undefined ? undefined : Number(pairsArgument.slice('--pairs='.length))
  // A typo would otherwise measure no pair at all (NaN) and print a median of nothing.
  if (pairs !== undefined && !(Number.isInteger(pairs) && pairs > 0)) throw new Error(`--pairs must be a positive integer: ${pairsArgument}`)
  const rows = await run({
    quick: process.argv.includes('--quick'),
    trace: process.argv.includes('--trace'),
    asLambda: process.argv.includes('--as-lambda'),
    cpuProf: process.argv.includes('--cpu-prof'),
    ...(pairs !== undefined ? { pairs } : {}),
  })
  for (const row of rows) console.log(`${row.ok ? 'PASS' : 'OVER'}  ${row.name}: ${row.value}${row.limit ? ` (budget ${row.limit})` : ''}`)
}
