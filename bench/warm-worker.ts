// One process of the warm section (bench/warm.ts starts it pinned and unpinned, in turn):
// reads the fixtures the parent signed, times every warm task of every algorithm in
// interleaved rounds, and prints the per-round values as one JSON line.
import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { es256OptionsVerifier, floorVerifier } from './floor.ts'
import { measure, type BenchTask } from './measure.ts'
import { bareHandler, cycle, expectOk, fullStackHandler, httpApiEvent, invokeFresh, jwtVerifyHandler } from './middleware.ts'
import { cpusAllowed } from './report.ts'
import type { Fixture } from './tokens.ts'
import { checkPeers, ourOptions, peerTasks } from './verify.ts'

/** What the parent writes: per algorithm, the fixture without private keys. */
export interface WarmFixture {
  alg: Fixture['alg']
  jwks: Fixture['jwks']
  publicJwk: Fixture['key']['jwk']
  tokens: string[]
}

/** What one worker prints: per algorithm and task, the value (ns/op) of each round. */
export interface WarmWorkerResult {
  cpusAllowed: string
  perRound: Record<string, Record<string, number[]>>
}

/** The tasks of one algorithm; every Middy invocation gets a fresh event parsed from JSON. */
export const warmTasks = (fixture: WarmFixture): BenchTask[] => {
  const publicKey = createPublicKey({ key: fixture.publicJwk, format: 'jwk' })
  const floor = floorVerifier(fixture.alg, publicKey)
  const nextToken = cycle(fixture.tokens)
  const texts = fixture.tokens.map((token) => JSON.stringify(httpApiEvent(token)))
  // The same token every time, but a new event object and a new token string per invocation.
  const repeated = [texts[0] as string]
  const options = ourOptions(fixture)
  const tasks: BenchTask[] = [
    { name: 'floor', op: () => floor(nextToken()) },
    { name: 'middy bare', async: true, op: invokeFresh(bareHandler(), texts) },
    { name: 'middy + jwtVerify, distinct', async: true, op: invokeFresh(jwtVerifyHandler(options), texts) },
    { name: 'middy + jwtVerify, cache off', async: true, op: invokeFresh(jwtVerifyHandler(ourOptions(fixture, { cache: false })), texts) },
    { name: 'middy + jwtVerify, repeated token', async: true, op: invokeFresh(jwtVerifyHandler(options), repeated) },
    { name: 'middy full stack', async: true, op: invokeFresh(fullStackHandler(options), texts) },
  ]
  if (fixture.alg === 'ES256') {
    const withOptions = es256OptionsVerifier(publicKey)
    const next = cycle(fixture.tokens)
    tasks.push({ name: 'floor, options object', op: () => withOptions(next()) })
  }
  return tasks
}

const main = async (): Promise<void> => {
  const [file, roundsText, timeText] = process.argv.slice(2)
  const fixtures = JSON.parse(readFileSync(file as string, 'utf8')) as WarmFixture[]
  const result: WarmWorkerResult = { cpusAllowed: cpusAllowed(), perRound: {} }
  for (const fixture of fixtures) {
    const tasks = warmTasks(fixture)
    await expectOk(tasks.filter((task) => task.name.startsWith('middy ') && task.name !== 'middy bare'))
    const peers = peerTasks(fixture as unknown as Fixture)
    await checkPeers({ ...fixture, tokens: fixture.tokens } as unknown as Fixture)
    const all = [...tasks, ...peers]
    const m = await measure(all, { rounds: Number(roundsText), time: Number(timeText), warmupTime: 100 })
    result.perRound[fixture.alg] = Object.fromEntries(all.map((task) => [task.name, m.perRound(task.name)]))
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

await main()
