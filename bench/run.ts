// npm run bench [-- --quick] [-- --skip=bundle,jwks,cold,binding,rbac,introspection,alb]
// Pinned to one CPU, as a Lambda function of 1,769 MB or less runs: taskset -c 0 npm run bench
//
// Measures, in one run, against the bare crypto.verify floor of the same tokens: our whole
// middleware per Middy invocation, its verified-token cache, jose and aws-jwt-verify, cold
// instances, JWKS request counts, and the bundles' size and import time. The budgets
// (docs/design.md#performance-budgets) are printed with PASS/OVER; the exit code is 0 unless
// something crashes.
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { bundles, outDir } from './bundle.js'
import { coldTasks } from './cold.js'
import { jwksCounts } from './jwks.js'
import { measure, measureIterations, median, perRoundMedian } from './measure.js'
import { checkMiddlewareTasks, fullStackTask, httpApiEvent, middlewareTasks, optionalStack } from './middleware.js'
import { fmtBytes, fmtNs, fmtRatio, machine, table, verdict } from './report.js'
import { ALGORITHMS, makeFixtures } from './tokens.js'
import { checkVerifiers, verifyTasks } from './verify.js'
import { rbacCheck } from './rbac.js'
import { senderConstrainedBench } from './sender-constrained.js'
import { albBench, introspectionBench } from './introspection-alb.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const skip = new Set(args.filter((a) => a.startsWith('--skip=')).flatMap((a) => a.slice('--skip='.length).split(',')))
const settings = quick
  ? { tokens: 1500, rounds: 6, time: 15, warmupTime: 50, coldIterations: 50, importRuns: 3, flood: 1000, concurrent: 100 }
  : { tokens: 3000, rounds: 60, time: 25, warmupTime: 100, coldIterations: 300, importRuns: 10, flood: 1000, concurrent: 100 }

const BUDGET = { warm: 1.15, cacheSpeedup: 20, fullStack: 1.3, coldFetches: 1, floodFetches: 1, importMs: 2, dpopExtraVerifications: 1.1 }

const started = performance.now()
const info = machine()
const pinned = info.availableParallelism === 1
console.log(`middy-auth bench${quick ? ' (--quick)' : ''}: node ${info.node} (V8 ${info.v8}), ${info.platform}`)
console.log(`CPU: ${info.model}; ${info.cpus} CPUs, this process may use ${info.cpusAllowed} (${pinned ? 'pinned to one CPU' : 'unpinned'})`)
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes skew every number; run on a quiet machine)`)
console.log(`settings: ${JSON.stringify(settings)}\n`)
info.loadStart = loadavg()

const results = { machine: info, settings, quick, warm: {}, cold: {}, jwks: undefined, bundles: undefined, budgets: [] }
const budgets = results.budgets
const budget = (name, value, limit, ok) => budgets.push({ name, value, limit, verdict: verdict(ok) })

// ---- fixtures ---------------------------------------------------------------------------
let t = performance.now()
const fixtures = makeFixtures({ count: settings.tokens })
const events = Object.fromEntries(ALGORITHMS.map((alg) => [alg, fixtures[alg].tokens.map(httpApiEvent)]))
console.log(`signed ${settings.tokens} distinct tokens per algorithm in ${((performance.now() - t) / 1000).toFixed(1)} s`)
const stack = await optionalStack()
console.log(`full stack: jwtVerify, then ${stack.notes.join(', ')}, then http-error-handler\n`)

// ---- warm --------------------------------------------------------------------------------
for (const alg of ALGORITHMS) {
  const fixture = fixtures[alg]
  const pools = { events: events[alg], extra: stack.middlewares }
  await checkVerifiers(fixture, pools)
  const mwTasks = middlewareTasks(fixture, pools)
  let stackNote = ''
  let stackLabel = ['jwtVerify', ...stack.names, 'http-error-handler'].join(' + ')
  try {
    await checkMiddlewareTasks(mwTasks)
  } catch (error) {
    if (stack.middlewares.length === 0) throw error
    // The optional middlewares were built from the usage in docs/design.md; if they deny, time without them.
    const index = mwTasks.findIndex((task) => task.name === 'middy full stack')
    mwTasks[index] = fullStackTask(fixture, { events: events[alg], extra: [] })
    await checkMiddlewareTasks(mwTasks)
    stackNote = `without ${stack.names.join(' and ')}, which refused the request (${error.message})`
    stackLabel = 'jwtVerify + http-error-handler'
  }
  t = performance.now()
  const allTasks = [...verifyTasks(fixture, pools), ...mwTasks]
  const m = await measure(allTasks, settings)
  // Every figure below is a per-round combination (so that both sides were timed within the
  // same second), then the median over the rounds; [q1–q3] is the spread over the rounds.
  const at = (name) => m.perRound(name)
  const [floorR, bareR] = [at('floor'), at('middy bare')]
  const increment = (name) => (r) => at(name)[r] - bareR[r]
  const overFloor = (f) => perRoundMedian(m, (r) => f(r) / floorR[r])
  const alone = (name) => overFloor((r) => at(name)[r])
  const medianIncrement = (name) => median(floorR.map((_, r) => increment(name)(r)))
  const warmUncached = overFloor(increment('middy + jwtVerify, cache off'))
  const warmDistinct = overFloor(increment('middy + jwtVerify, distinct'))
  const rows = [
    ['floor (split, 3 base64url decodes, 2 JSON.parse, crypto.verify bare KeyObject' + (alg === 'ES256' ? ', raw→DER)' : ')'), m.ns('floor'), undefined],
    ...(alg === 'ES256' ? [['  reference: ES256 with { key, dsaEncoding } options object', m.ns('floor, options object'), alone('floor, options object')]] : []),
    ['ours: middy+jwtVerify − bare middy, cache off', medianIncrement('middy + jwtVerify, cache off'), warmUncached, BUDGET.warm],
    ['ours: middy+jwtVerify − bare middy, distinct tokens (default cache)', medianIncrement('middy + jwtVerify, distinct'), warmDistinct, BUDGET.warm],
    ['ours: before() alone, cache off', m.ns('ours before(), cache off'), alone('ours before(), cache off')],
    ['ours: before() alone, distinct tokens', m.ns('ours before(), distinct'), alone('ours before(), distinct')],
    ['ours: before() alone, repeated token (cache hit)', m.ns('ours before(), cache hit'), alone('ours before(), cache hit')],
    ['ours: middy+jwtVerify − bare middy, repeated token (cache hit)', medianIncrement('middy + jwtVerify, cache hit'), overFloor(increment('middy + jwtVerify, cache hit'))],
    ['jose jwtVerify + createLocalJWKSet', m.ns('jose jwtVerify'), alone('jose jwtVerify')],
    ['aws-jwt-verify verifySync (cached JWKS)', m.ns('aws-jwt-verify verifySync'), alone('aws-jwt-verify verifySync')],
    ['aws-jwt-verify verify (cached JWKS)', m.ns('aws-jwt-verify verify'), alone('aws-jwt-verify verify')],
    ['aws-jwt-verify in Middy (a before() calling verify) − bare middy', medianIncrement('middy + aws-jwt-verify middleware'), overFloor(increment('middy + aws-jwt-verify middleware'))],
    ['bare middy invocation', m.ns('middy bare'), alone('middy bare')],
    ['middy + jwtVerify (distinct)', m.ns('middy + jwtVerify, distinct'), alone('middy + jwtVerify, distinct')],
    [`middy full stack (${stackLabel})`, m.ns('middy full stack'), alone('middy full stack')],
  ]
  console.log(`=== ${alg}: warm, cached keys, ${settings.tokens} distinct tokens (${(performance.now() - t) / 1000 | 0} s, ${settings.rounds} rounds) ===`)
  table(['', 'ns/op', '× floor', '[q1–q3]', 'budget'], rows.map(([name, value, ratio, limit]) => [
    name,
    fmtNs(value),
    ratio ? fmtRatio(ratio.value) : '1',
    ratio ? `${ratio.q1.toFixed(2)}–${ratio.q3.toFixed(2)}` : '',
    limit === undefined ? '' : `≤ ${limit}× ${verdict(ratio.value <= limit)}`,
  ]))
  const fullRatio = perRoundMedian(m, (r) => at('middy full stack')[r] / (floorR[r] + bareR[r]))
  const speedup = perRoundMedian(m, (r) => at('ours before(), distinct')[r] / at('ours before(), cache hit')[r])
  const speedupMiddy = perRoundMedian(m, (r) => increment('middy + jwtVerify, distinct')(r) / increment('middy + jwtVerify, cache hit')(r))
  const vsAws = perRoundMedian(m, (r) => increment('middy + jwtVerify, distinct')(r) / Math.min(at('aws-jwt-verify verifySync')[r], at('aws-jwt-verify verify')[r]))
  const vsAwsMiddy = perRoundMedian(m, (r) => increment('middy + jwtVerify, distinct')(r) / increment('middy + aws-jwt-verify middleware')(r))
  // The same two budget ratios from the mean batch (GC pauses and interference included).
  const meanOf = (name) => m.means(name)
  const meanRatio = (name) => perRoundMedian(m, (r) => (meanOf(name)[r] - meanOf('middy bare')[r]) / meanOf('floor')[r])
  console.log(`full stack / (floor + bare middy) = ${fmtRatio(fullRatio.value)} (budget ≤ ${BUDGET.fullStack}×: ${verdict(fullRatio.value <= BUDGET.fullStack)})${stackNote ? `, ${stackNote}` : ''}`)
  const stackVsJwt = perRoundMedian(m, (r) => at('middy full stack')[r] / at('middy + jwtVerify, distinct')[r])
  console.log(`full stack (${stackLabel}) / middy + jwtVerify alone = ${fmtRatio(stackVsJwt.value)}`)
  console.log(`cache hit speed-up: before() ${fmtRatio(speedup.value)}, Middy increment ${fmtRatio(speedupMiddy.value)} (budget ≥ ${BUDGET.cacheSpeedup}×: ${verdict(speedup.value >= BUDGET.cacheSpeedup)})`)
  console.log(`ours (distinct, whole middleware) / aws-jwt-verify (faster of verify, verifySync) = ${fmtRatio(vsAws.value)} (${verdict(vsAws.value < 1)}); ` +
    `like for like, both in Middy: ${fmtRatio(vsAwsMiddy.value)}`)
  const meanUncached = meanRatio('middy + jwtVerify, cache off')
  const meanDistinct = meanRatio('middy + jwtVerify, distinct')
  console.log(`with mean instead of median batches: cache off ${fmtRatio(meanUncached.value)}, distinct ${fmtRatio(meanDistinct.value)} (× floor)\n`)

  budget(`${alg} warm, distinct tokens, whole middleware / floor`, warmDistinct.value, BUDGET.warm, warmDistinct.value <= BUDGET.warm)
  budget(`${alg} warm, cache off, whole middleware / floor`, warmUncached.value, BUDGET.warm, warmUncached.value <= BUDGET.warm)
  budget(`${alg} ours / aws-jwt-verify (must be < 1)`, vsAws.value, 1, vsAws.value < 1)
  budget(`${alg} cache hit speed-up (before())`, speedup.value, BUDGET.cacheSpeedup, speedup.value >= BUDGET.cacheSpeedup)
  budget(`${alg} full stack / (floor + bare middy)`, fullRatio.value, BUDGET.fullStack, fullRatio.value <= BUDGET.fullStack)
  results.warm[alg] = {
    rows: rows.map(([name, ns, ratio, limit]) => ({ name, ns, ratio, limit })),
    perRound: Object.fromEntries(allTasks.map(({ name }) => [name, { p50: m.perRound(name), mean: m.means(name), ops: m.samples(name) }])),
    floor: m.ns('floor'), bare: m.ns('middy bare'), warmUncached, warmDistinct, meanUncached, meanDistinct, fullRatio, speedup, speedupMiddy, vsAws, vsAwsMiddy, stackLabel, stackNote,
  }
}

// ---- sender-constrained tokens: DPoP and mTLS over plain bearer ---------------------------------
if (!skip.has('binding')) {
  const binding = await senderConstrainedBench(fixtures.RS256, settings)
  console.log('=== sender-constrained tokens: RS256 access tokens, distinct per invocation, middy + jwtVerify ===')
  table(['', 'ns/op'], Object.entries(binding.ns).map(([name, ns]) => [name, fmtNs(ns)]))
  console.log(`DPoP / bearer = ${fmtRatio(binding.dpopOverBearer.value)}; (DPoP − bearer) / one ES256 proof verification = ${fmtRatio(binding.dpopExtra.value)} ` +
    `[${binding.dpopExtra.q1.toFixed(2)}–${binding.dpopExtra.q3.toFixed(2)}] (budget ≤ ${BUDGET.dpopExtraVerifications}×: ${verdict(binding.dpopExtra.value <= BUDGET.dpopExtraVerifications)})`)
  console.log(binding.mtlsOverBearer ? `mTLS / bearer = ${fmtRatio(binding.mtlsOverBearer.value)} [${binding.mtlsOverBearer.q1.toFixed(2)}–${binding.mtlsOverBearer.q3.toFixed(2)}]\n` : `${binding.note}\n`)
  budget('DPoP check / one more signature verification', binding.dpopExtra.value, BUDGET.dpopExtraVerifications, binding.dpopExtra.value <= BUDGET.dpopExtraVerifications)
  results.binding = binding
}

// ---- opaque tokens: introspection cache hit vs miss (loopback provider) ---------------------------
if (!skip.has('introspection')) {
  const introspection = await introspectionBench(settings)
  console.log('=== token introspection (RFC 7662): middy + tokenIntrospection, loopback provider over HTTP ===')
  table(['', 'ns/op'], Object.entries(introspection.ns).map(([name, ns]) => [name, fmtNs(ns)]))
  console.log(`miss / hit = ${fmtRatio(introspection.missOverHit.value)} [${introspection.missOverHit.q1.toFixed(2)}–${introspection.missOverHit.q3.toFixed(2)}]; ` +
    `provider calls while measuring: ${introspection.calls} (the hit pool was cached before measuring)\n`)
  results.introspection = introspection
}

// ---- ALB: x-amzn-oidc-data against the floors ----------------------------------------------------
if (!skip.has('alb')) {
  const alb = await albBench(fixtures.RS256, settings)
  console.log('=== ALB signed claims (albIssuer, ES256, padded base64url), distinct tokens, cache off ===')
  table(['', 'ns/op'], Object.entries(alb.ns).map(([name, ns]) => [name, fmtNs(ns)]))
  console.log(`(middy + jwtVerify(albIssuer) − bare middy) / RS256 floor = ${fmtRatio(alb.overRs256Floor.value)} [${alb.overRs256Floor.q1.toFixed(2)}–${alb.overRs256Floor.q3.toFixed(2)}]; ` +
    `/ ES256 floor = ${fmtRatio(alb.overEs256Floor.value)} [${alb.overEs256Floor.q1.toFixed(2)}–${alb.overEs256Floor.q3.toFixed(2)}]; key fetches: ${alb.keyFetches}\n`)
  results.alb = alb
}

// ---- rbac: a check is a lookup ----------------------------------------------------------------
if (!skip.has('rbac')) {
  const check = await rbacCheck(settings)
  console.log('=== rbac: one permission check, policy of 50 roles and 500 permissions ===')
  if (!check.available) console.log(check.note)
  else table(['', 'ns/op', '× Set.has'], check.rows.map(([name, ns, ratio]) => [name, fmtNs(ns), fmtRatio(ratio)]))
  console.log('')
  results.rbac = check
}

// ---- cold instance -------------------------------------------------------------------------
if (!skip.has('cold')) {
  console.log(`=== cold instance: new verifier + first verification, ${settings.coldIterations} iterations, warm process ===`)
  const rows = []
  for (const alg of ALGORITHMS) {
    const m = await measureIterations(coldTasks(fixtures[alg], { events: events[alg] }), settings.coldIterations)
    const floor = results.warm[alg].floor
    for (const [name, value] of m) rows.push([`${alg} ${name}`, fmtNs(value.ns), fmtNs(value.p50), fmtRatio(value.ns / floor)])
    results.cold[alg] = Object.fromEntries(m)
  }
  table(['', 'mean', 'p50', '× warm floor'], rows)
  console.log()
}

// ---- JWKS requests ---------------------------------------------------------------------------
if (!skip.has('jwks')) {
  t = performance.now()
  const jwks = await jwksCounts({ flood: settings.flood, concurrent: settings.concurrent })
  results.jwks = jwks
  console.log(`=== JWKS requests over loopback HTTP (${jwks.server}), RS256, default cooldowns (${((performance.now() - t) / 1000).toFixed(1)} s) ===`)
  table(
    ['', `${settings.concurrent} concurrent cold`, `${settings.flood} unknown kids`, 'flood took', 'rotated key, 1st token'],
    jwks.results.map((r) => [
      r.library,
      `${r.coldRequests} req (${r.coldAccepted} ok)`,
      `${r.floodRequests} req (${r.floodAccepted} ok)`,
      `${(r.floodMs / 1000).toFixed(2)} s`,
      `${r.rotationAccepted ? 'accepted' : 'rejected'}, ${r.rotationRequests} req`,
    ]),
  )
  const ours = jwks.results.find((r) => r.library.startsWith('ours'))
  const floodOk = ours.floodRequests <= BUDGET.floodFetches * Math.ceil(ours.floodMs / 10_000)
  console.log(`ours: ${ours.coldRequests} request(s) for ${settings.concurrent} concurrent cold requests (budget ${BUDGET.coldFetches}: ${verdict(ours.coldRequests <= BUDGET.coldFetches && ours.coldAccepted === settings.concurrent)}); ` +
    `${ours.floodRequests} for ${settings.flood} unknown kids in ${(ours.floodMs / 1000).toFixed(2)} s (budget ≤ 1 per 10 s cooldown: ${verdict(floodOk)})\n`)
  budget('JWKS requests, 100 concurrent cold requests', ours.coldRequests, BUDGET.coldFetches, ours.coldRequests <= BUDGET.coldFetches && ours.coldAccepted === settings.concurrent)
  budget('JWKS requests, 1,000 unknown kids (per 10 s cooldown)', ours.floodRequests, BUDGET.floodFetches, floodOk)
}

// ---- bundles -----------------------------------------------------------------------------------
if (!skip.has('bundle')) {
  t = performance.now()
  const rows = await bundles({ runs: settings.importRuns })
  results.bundles = rows
  console.log(`=== bundles: esbuild bundle+minify, platform node, esm, target node22; import in a fresh node, median of ${settings.importRuns} (${((performance.now() - t) / 1000).toFixed(1)} s) ===`)
  const built = rows.filter((r) => !r.skipped)
  table(['', 'minified', 'gzip -9', 'import (median)', 'import + next loop turn'], built.map((r) => [
    r.name + (r.banner ? ' *' : ''), fmtBytes(r.minified), fmtBytes(r.gzip), `${r.importMedian.toFixed(1)} ms`, `${r.settledMedian.toFixed(1)} ms`,
  ]))
  for (const r of rows.filter((row) => row.skipped)) console.log(`${r.name}: skipped (${r.skipped})`)
  if (built.some((r) => r.banner)) console.log('* with a 2-line createRequire banner, which CommonJS dependencies need in an ESM bundle')
  console.log('"import + next loop turn" adds what runs right after the import: our JWKS prefetch loads node:https and opens its request there.')
  const jwtOnly = built.find((r) => r.name === 'middy + @middy-auth/jwt-verify')
  console.log(`jwt-verify handler, by package: ${Object.entries(jwtOnly.packages).map(([name, bytes]) => `${name} ${fmtBytes(bytes)}`).join(', ')}`)
  console.log(`jwt-verify handler, largest files: ${jwtOnly.largest.map(({ file, bytes }) => `${file.replace(/^packages\//, '')} ${fmtBytes(bytes)}`).join(', ')}`)
  // The bundle budget is for the handler with jwt-verify + oauth-scope + rbac; until those
  // packages build, the jwt-verify handler stands in for it.
  const ours = built.find((r) => r.name === 'middy + jwt-verify + oauth-scope + rbac') ?? jwtOnly
  if (ours !== jwtOnly) console.log(`${ours.name}, by package: ${Object.entries(ours.packages).map(([name, bytes]) => `${name} ${fmtBytes(bytes)}`).join(', ')}`)
  const aws = built.find((r) => r.name === 'middy + aws-jwt-verify')
  const sizeOk = ours.minified <= aws.minified
  const importDelta = ours.importMedian - aws.importMedian
  console.log(`${ours.name} vs aws-jwt-verify: ${fmtBytes(ours.minified)} vs ${fmtBytes(aws.minified)} minified (${verdict(sizeOk)}); ` +
    `import ${importDelta >= 0 ? '+' : ''}${importDelta.toFixed(1)} ms (budget ≤ +${BUDGET.importMs} ms: ${verdict(importDelta <= BUDGET.importMs)})\n`)
  budget('bundle minified bytes, ours / aws-jwt-verify', ours.minified / aws.minified, 1, sizeOk)
  budget('bundle import time, ours − aws-jwt-verify (ms)', importDelta, BUDGET.importMs, importDelta <= BUDGET.importMs)
}

// ---- summary -----------------------------------------------------------------------------------
console.log('=== budgets (docs/design.md#performance-budgets) ===')
table(['', 'measured', 'budget', ''], budgets.map((b) => [b.name, b.value.toFixed(2), String(b.limit), b.verdict]))
info.loadEnd = loadavg()
console.log(`load average at end: ${info.loadEnd.map((l) => l.toFixed(2)).join(' ')}`)
const seconds = (performance.now() - started) / 1000
results.seconds = seconds
await mkdir(outDir, { recursive: true })
const file = join(outDir, `results-${pinned ? 'pinned' : 'unpinned'}${quick ? '-quick' : ''}.json`)
await writeFile(file, JSON.stringify(results, null, 2))
console.log(`\n${budgets.filter((b) => b.verdict === 'OVER').length} budget(s) over; ${seconds.toFixed(0)} s; results in ${file}`)
