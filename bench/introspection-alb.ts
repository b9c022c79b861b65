// Two identities that are not a bearer JWT verified locally, per Middy invocation:
// - token introspection (RFC 7662) against a loopback provider: a cache hit against a miss
//   (one HTTP call per invocation), so the cache's worth is a number;
// - ALB's x-amzn-oidc-data (albIssuer: ES256 over padded base64url, key by kid from a
//   loopback key endpoint, fetched once) against the RS256 floor of the main tables and the
//   ES256 floor of the same ALB tokens.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { createServer } from 'node:http'
import middy from '@middy/core'
import jwtVerify, { albIssuer } from '@middy-auth/jwt-verify'
import tokenIntrospection from '@middy-auth/token-introspection'
import { floorVerifier } from './floor.js'
import { measure, perRoundMedian } from './measure.js'
import { httpApiEvent } from './middleware.js'
import { AUDIENCE, ISSUER } from './tokens.js'
import { cycle } from './verify.js'

const lambdaContext = () => ({ functionName: 'bench', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 })
const ok = async () => ({ statusCode: 200, body: 'ok' })

/** A `node:http` server on 127.0.0.1, port 0; resolves with its URL and a close(). */
const listen = async (onRequest) => {
  const server = createServer(onRequest)
  server.keepAliveTimeout = 60_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

const invoke = (handler, events) => {
  const next = cycle(events)
  return () => handler(next(), lambdaContext())
}

const expectOk = async (tasks) => {
  for (const task of tasks) {
    const response = await task.op()
    if (response?.statusCode !== 200) throw new Error(`${task.name}: expected 200, got ${JSON.stringify(response)}`)
  }
}

/**
 * @param {{ tokens: number, rounds: number, time: number, warmupTime: number }} settings
 */
export const introspectionBench = async (settings) => {
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
    const hit = middy().use(tokenIntrospection(options)).handler(ok)
    const miss = middy().use(tokenIntrospection({ ...options, cache: false })).handler(ok)
    // Hits: a pool the cache holds (1000 entries by default); misses: every invocation a call.
    const pool = Array.from({ length: 200 }, () => httpApiEvent(randomUUID().replaceAll('-', '')))
    const tasks = [
      { name: 'introspection, cache hit', async: true, op: invoke(hit, pool) },
      { name: 'introspection, cache miss (one loopback call)', async: true, op: invoke(miss, pool) },
    ]
    await expectOk(tasks)
    for (const event of pool) await hit(event, lambdaContext())
    const callsBefore = calls
    const m = await measure(tasks, settings)
    const at = (name) => m.perRound(name)
    return {
      ns: Object.fromEntries(tasks.map((task) => [task.name, m.ns(task.name)])),
      missOverHit: perRoundMedian(m, (r) => at(tasks[1].name)[r] / at(tasks[0].name)[r]),
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
const padded = (bytes) => {
  const text = bytes.toString('base64url')
  return text + '='.repeat((4 - (text.length % 4)) % 4)
}

/** A token as an ALB signs it: ES256, raw r||s, over the padded segments. */
const albToken = (privateKey, kid, index) => {
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600
  const head = padded(Buffer.from(JSON.stringify({ typ: 'JWT', kid, alg: 'ES256', iss: IDP, client: 'bench-client', signer: ARN, exp })))
  const body = padded(Buffer.from(JSON.stringify({ sub: randomUUID(), email: `user-${index}@example.com`, exp, iss: IDP })))
  return `${head}.${body}.${padded(sign('sha256', Buffer.from(`${head}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`
}

const albEvent = (token) => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bench/73e2d6bc24d8a067' } },
  httpMethod: 'GET',
  path: '/orders',
  queryStringParameters: {},
  headers: { host: 'bench.example.com', 'x-amzn-oidc-data': token, 'x-amzn-oidc-identity': 'x' },
  body: '',
  isBase64Encoded: false,
})

/**
 * @param {{ alg: string, key: { privateKey: import('node:crypto').KeyObject, publicKey: import('node:crypto').KeyObject }, tokens: string[] }} rs256 the RS256 fixture of tokens.js
 * @param {{ tokens: number, rounds: number, time: number, warmupTime: number }} settings
 */
export const albBench = async (rs256, settings) => {
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
    const handler = middy().use(jwtVerify({ issuers: [albIssuer({ region: REGION, loadBalancerArn: ARN, endpoint: keys.url })], cache: false })).handler(ok)
    const bare = middy().handler(ok)
    const rsFloor = floorVerifier('RS256', rs256.key.publicKey)
    const esFloor = floorVerifier('ES256', publicKey)
    const nextRs = cycle(rs256.tokens)
    const nextAlb = cycle(tokens)
    const events = tokens.map(albEvent)
    const tasks = [
      { name: 'RS256 floor (main tables)', op: () => rsFloor(nextRs()) },
      { name: 'ES256 floor (these ALB tokens)', op: () => esFloor(nextAlb()) },
      { name: 'bare middy', async: true, op: invoke(bare, events) },
      { name: 'middy + jwtVerify(albIssuer), cache off', async: true, op: invoke(handler, events) },
    ]
    await expectOk(tasks.slice(2))
    const m = await measure(tasks, settings)
    const at = (name) => m.perRound(name)
    const increment = (r) => at(tasks[3].name)[r] - at(tasks[2].name)[r]
    return {
      ns: Object.fromEntries(tasks.map((task) => [task.name, m.ns(task.name)])),
      overRs256Floor: perRoundMedian(m, (r) => increment(r) / at(tasks[0].name)[r]),
      overEs256Floor: perRoundMedian(m, (r) => increment(r) / at(tasks[1].name)[r]),
      keyFetches: fetches,
    }
  } finally {
    await keys.close()
  }
}
