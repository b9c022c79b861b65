// Two identities that are not a bearer JWT verified locally, per Middy invocation:
// - token introspection (RFC 7662) against a loopback provider: a cache hit against a miss
//   (one HTTP call per invocation), so the cache's worth is a number;
// - ALB's x-amzn-oidc-data (albIssuer: ES256 over padded base64url, key by kid from a
//   loopback key endpoint, fetched once) against the RS256 floor of the main tables and the
//   ES256 floor of the same ALB tokens.
// No budget of issue #13 covers them: for reference.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import middy from '@middy/core'
import jwtVerify, { albIssuer } from '@middy-auth/jwt-verify'
import tokenIntrospection from '@middy-auth/token-introspection'
import { floorVerifier } from './floor.ts'
import { measure, perRoundMedian, type BenchTask, type Spread } from './measure.ts'
import { cycle, expectOk, httpApiEvent, lambdaContext, type Invoke } from './middleware.ts'
import { fmtNs, fmtRatio, table, type BudgetRow } from './report.ts'
import { AUDIENCE, ISSUER, makeFixture, type Fixture } from './tokens.ts'

type Settings = { tokens: number; rounds: number; time: number; warmupTime: number }
const ok = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: 'ok' })

/** A `node:http` server on 127.0.0.1, port 0; resolves with its URL and a close(). */
const listen = async (onRequest: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> => {
  const server = createServer(onRequest)
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const invoke = (handler: Invoke, events: readonly unknown[]): (() => Promise<unknown>) => {
  const next = cycle(events)
  return () => handler(next(), lambdaContext())
}

/** Introspection cache hit against miss (one loopback call). */
export const introspectionBench = async (settings: Settings): Promise<{ ns: Record<string, number>; missOverHit: Spread; calls: number }> => {
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600
  const answer = JSON.stringify({ active: true, sub: 'agent-7', iss: ISSUER, aud: AUDIENCE, scope: 'orders:read', exp, token_type: 'Bearer' })
  let calls = 0
  const provider = await listen((req, res) => {
    req.resume()
    req.on('end', () => {
      calls += 1
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer)
    })
  })
  try {
    const options = { endpoint: `${provider.url}/introspect`, issuer: ISSUER, clientId: 'bench', clientSecret: 'bench-secret', audience: AUDIENCE }
    const hit = middy().use(tokenIntrospection(options)).handler(ok) as unknown as Invoke
    const miss = middy()
      .use(tokenIntrospection({ ...options, cache: false }))
      .handler(ok) as unknown as Invoke
    // Hits: a pool the cache holds (1000 entries by default); misses: every invocation a call.
    const pool = Array.from({ length: 200 }, () => httpApiEvent(randomUUID().replaceAll('-', '')))
    const tasks: BenchTask[] = [
      { name: 'introspection, cache hit', async: true, op: invoke(hit, pool) },
      { name: 'introspection, cache miss (one loopback call)', async: true, op: invoke(miss, pool) },
    ]
    await expectOk(tasks)
    for (const event of pool) await hit(event, lambdaContext())
    const callsBefore = calls
    const m = await measure(tasks, settings)
    const at = (task: BenchTask, r: number): number => m.perRound(task.name)[r] as number
    return {
      ns: Object.fromEntries(tasks.map((task) => [task.name, m.ns(task.name)])),
      missOverHit: perRoundMedian(m, (r) => at(tasks[1]!, r) / at(tasks[0]!, r)),
      calls: calls - callsBefore,
    }
  } finally {
    await provider.close()
  }
}

const REGION = 'us-east-1'
const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bench/50dc6c495c0c9188'
const IDP = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench'

/** base64url as the load balancer emits it: padded with `=` to a multiple of 4. */
const padded = (bytes: Buffer): string => {
  const text = bytes.toString('base64url')
  return text + '='.repeat((4 - (text.length % 4)) % 4)
}

/** A token as an ALB signs it: ES256, raw r||s, over the padded segments. */
const albToken = (privateKey: KeyObject, kid: string, index: number): string => {
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600
  const head = padded(Buffer.from(JSON.stringify({ typ: 'JWT', kid, alg: 'ES256', iss: IDP, client: 'bench-client', signer: ARN, exp })))
  const body = padded(Buffer.from(JSON.stringify({ sub: randomUUID(), email: `user-${index}@example.com`, exp, iss: IDP })))
  return `${head}.${body}.${padded(sign('sha256', Buffer.from(`${head}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`
}

const albEvent = (token: string): object => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bench/73e2d6bc24d8a067' } },
  httpMethod: 'GET',
  path: '/orders',
  queryStringParameters: {},
  headers: { host: 'bench.example.com', 'x-amzn-oidc-data': token, 'x-amzn-oidc-identity': 'x' },
  body: '',
  isBase64Encoded: false,
})

/** ALB signed claims against the RS256 floor and the ES256 floor of the same tokens. */
export const albBench = async (
  rs256: Fixture,
  settings: Settings,
): Promise<{ ns: Record<string, number>; overRs256Floor: Spread; overEs256Floor: Spread; keyFetches: number }> => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const kid = randomUUID()
  const pem = publicKey.export({ type: 'spki', format: 'pem' })
  let fetches = 0
  const keys = await listen((req, res) => {
    fetches += 1
    if (req.url === `/${kid}`) res.writeHead(200, { 'content-type': 'text/plain' }).end(pem)
    else res.writeHead(404).end()
  })
  try {
    const tokens = Array.from({ length: settings.tokens }, (_, i) => albToken(privateKey, kid, i))
    const handler = middy()
      .use(jwtVerify({ issuers: [albIssuer({ region: REGION, loadBalancerArn: ARN, endpoint: keys.url })], cache: false }))
      .handler(ok) as unknown as Invoke
    const bare = middy().handler(ok) as unknown as Invoke
    const rsFloor = floorVerifier('RS256', rs256.key.publicKey)
    const esFloor = floorVerifier('ES256', publicKey)
    const nextRs = cycle(rs256.tokens)
    const nextAlb = cycle(tokens)
    const events = tokens.map(albEvent)
    const tasks: BenchTask[] = [
      { name: 'RS256 floor (main tables)', op: () => rsFloor(nextRs()) },
      { name: 'ES256 floor (these ALB tokens)', op: () => esFloor(nextAlb()) },
      { name: 'bare middy', async: true, op: invoke(bare, events) },
      { name: 'middy + jwtVerify(albIssuer), cache off', async: true, op: invoke(handler, events) },
    ]
    await expectOk(tasks.slice(2))
    const m = await measure(tasks, settings)
    const at = (index: number, r: number): number => m.perRound(tasks[index]!.name)[r] as number
    const increment = (r: number): number => at(3, r) - at(2, r)
    return {
      ns: Object.fromEntries(tasks.map((task) => [task.name, m.ns(task.name)])),
      overRs256Floor: perRoundMedian(m, (r) => increment(r) / at(0, r)),
      overEs256Floor: perRoundMedian(m, (r) => increment(r) / at(1, r)),
      keyFetches: fetches,
    }
  } finally {
    await keys.close()
  }
}

const spread = (s: Spread): string => `${fmtRatio(s.value)} [${s.q1.toFixed(2)}–${s.q3.toFixed(2)}]`

/** Both benches, printed (no budget). */
export async function run({ quick }: { quick: boolean }): Promise<BudgetRow[]> {
  const settings: Settings = { tokens: quick ? 1000 : 3000, rounds: quick ? 6 : 30, time: 25, warmupTime: 100 }
  const introspection = await introspectionBench(settings)
  console.log('=== token introspection (RFC 7662): middy + tokenIntrospection, loopback provider over HTTP (no budget) ===')
  table(
    ['', 'ns/op'],
    Object.entries(introspection.ns).map(([name, ns]) => [name, fmtNs(ns)]),
  )
  console.log(
    `miss / hit = ${spread(introspection.missOverHit)}; provider calls while measuring: ${introspection.calls} (the hit pool was cached before measuring)\n`,
  )
  const alb = await albBench(makeFixture('RS256', settings.tokens), settings)
  console.log('=== ALB signed claims (albIssuer, ES256, padded base64url), distinct tokens, cache off (no budget) ===')
  table(
    ['', 'ns/op'],
    Object.entries(alb.ns).map(([name, ns]) => [name, fmtNs(ns)]),
  )
  console.log(
    `(middy + jwtVerify(albIssuer) − bare middy) / RS256 floor = ${spread(alb.overRs256Floor)}; / ES256 floor = ${spread(alb.overEs256Floor)}; key fetches: ${alb.keyFetches}\n`,
  )
  return []
}
