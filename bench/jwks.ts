// JWKS behaviour: how many requests reach the JWKS endpoint, over loopback HTTP.
//   - 100 concurrent requests on a cold instance (budget: 1 request);
//   - 1,000 tokens with unknown kids on a warm instance (budget: at most 1 per cooldown);
//   - a key rotated in after the keys were fetched: is the first new-kid token accepted?
import { createPublicKey, verify } from 'node:crypto'
import { request as httpRequest, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
import { JwtVerifier } from 'aws-jwt-verify'
import { SimpleJwksCache } from 'aws-jwt-verify/jwk'
import { JwksClient } from 'jwks-rsa'
import { createRemoteJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import { lambdaContext } from './middleware.ts'
import { table, verdict, type BudgetRow } from './report.ts'
import { AUDIENCE, claimsFor, makeKey, signJwt, type BenchKey } from './tokens.ts'

const ALG = 'RS256'

/** A loopback JWKS server (node:http, 127.0.0.1, port 0) that counts its requests and can rotate its key. */
const startIssuer = async () => {
  let keys: BenchKey[] = [makeKey(ALG, 'k-0')]
  let count = 0
  const server = createServer((_req, res) => {
    count++
    const body = JSON.stringify({ keys: keys.map((key) => key.jwk) })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    count: () => count,
    signingKey: () => keys[0] as BenchKey,
    rotate: (): BenchKey => {
      const next = makeKey(ALG, `k-${keys.length}`)
      keys = [next, ...keys]
      return next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
type Issuer = Awaited<ReturnType<typeof startIssuer>>

/** GET over node:http as an ArrayBuffer: aws-jwt-verify's own fetcher speaks https: only. */
const httpGetArrayBuffer = (uri: string): Promise<ArrayBuffer> =>
  new Promise((resolve, reject) => {
    httpRequest(uri, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () => {
        const buf = Buffer.concat(chunks)
        resolve(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer)
      })
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })

const headerOf = (token: string): { kid?: string } => JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString())

/**
 * Each library as `create()` → `verify(token)` (resolves when accepted, rejects otherwise),
 * configured with its defaults for caching and cooldowns.
 */
const libraries = (iss: Issuer): Record<string, () => (token: string) => Promise<unknown>> => ({
  'ours (jwtVerify)': () => {
    const handler = middy()
      .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri, algorithms: [ALG] }] }))
      .handler(async () => ({ statusCode: 200 }))
    return (token) => handler({ headers: { authorization: `Bearer ${token}` } }, lambdaContext() as never)
  },
  'jose (createRemoteJWKSet)': () => {
    const jwks = createRemoteJWKSet(new URL(iss.jwksUri))
    return (token) => joseJwtVerify(token, jwks, { issuer: iss.issuer, audience: AUDIENCE, algorithms: [ALG] })
  },
  'aws-jwt-verify': () => {
    const cache = new SimpleJwksCache({ fetcher: { fetch: httpGetArrayBuffer } })
    const verifier = JwtVerifier.create({ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri }, { jwksCache: cache })
    return (token) => verifier.verify(token)
  },
  'jwks-rsa (getSigningKey)': () => {
    const client = new JwksClient({ jwksUri: iss.jwksUri })
    return async (token) => {
      const key = await client.getSigningKey(headerOf(token).kid)
      const dot = token.lastIndexOf('.')
      const ok = verify('sha256', Buffer.from(token.slice(0, dot)), createPublicKey(key.getPublicKey()), Buffer.from(token.slice(dot + 1), 'base64url'))
      if (!ok) throw new Error('bad signature')
    }
  },
})

const settle = async (promises: Promise<unknown>[]): Promise<{ accepted: number; rejected: number }> => {
  const results = await Promise.allSettled(promises)
  return { accepted: results.filter((r) => r.status === 'fulfilled').length, rejected: results.filter((r) => r.status === 'rejected').length }
}

/** One library's counts. */
interface JwksRow {
  library: string
  coldRequests: number
  coldAccepted: number
  floodMs: number
  floodRequests: number
  floodAccepted: number
  rotationAccepted: boolean
  rotationRequests: number
}

/** Requests reaching the JWKS endpoint, per library, with their default caching. */
export const jwksCounts = async ({ flood, concurrent }: { flood: number; concurrent: number }): Promise<JwksRow[]> => {
  const iss = await startIssuer()
  const results: JwksRow[] = []
  try {
    const sign = (key: BenchKey, i: number): string => signJwt(key, claimsFor(i, { issuer: iss.issuer }))
    // A key the issuer never publishes: tokens with unknown kids (signatures are never checked).
    const stranger = makeKey(ALG, 'stranger')
    const floodTokens = Array.from({ length: flood }, (_, i) => signJwt({ ...stranger, kid: `unknown-${i}` }, claimsFor(i, { issuer: iss.issuer })))
    for (const [name, create] of Object.entries(libraries(iss))) {
      const row: JwksRow = {
        library: name,
        coldRequests: 0,
        coldAccepted: 0,
        floodMs: 0,
        floodRequests: 0,
        floodAccepted: 0,
        rotationAccepted: false,
        rotationRequests: 0,
      }
      // 100 concurrent requests on a cold instance (the tokens signed beforehand, so that all
      // 100 verifications start in the same tick).
      const key = iss.signingKey()
      const coldTokens = Array.from({ length: concurrent }, (_, i) => sign(key, i))
      let before = iss.count()
      const verifyToken = create()
      const cold = await settle(coldTokens.map((token) => verifyToken(token)))
      row.coldRequests = iss.count() - before
      row.coldAccepted = cold.accepted

      // Unknown kids, one after the other, on the now warm instance.
      before = iss.count()
      const t0 = performance.now()
      let accepted = 0
      for (const token of floodTokens) {
        try {
          await verifyToken(token)
          accepted++
        } catch {
          // rejected, as it must be
        }
      }
      row.floodMs = performance.now() - t0
      row.floodRequests = iss.count() - before
      row.floodAccepted = accepted
      results.push(row)
    }

    // Rotation: a fresh instance fetches the keys, then the issuer publishes a new key and signs with it.
    for (const [name, create] of Object.entries(libraries(iss))) {
      const row = results.find((r) => r.library === name) as JwksRow
      const verifyToken = create()
      await verifyToken(sign(iss.signingKey(), 0))
      const before = iss.count()
      const next = iss.rotate()
      row.rotationAccepted = (await settle([verifyToken(sign(next, 1))])).accepted === 1
      row.rotationRequests = iss.count() - before
    }
  } finally {
    await iss.close()
  }
  return results
}

/** JWKS request counts (no budget of issue #13: what they show is correctness under load). */
export async function run(_settings: { quick: boolean }): Promise<BudgetRow[]> {
  const settings = { flood: 1000, concurrent: 100 }
  const started = performance.now()
  const rows = await jwksCounts(settings)
  console.log(`=== JWKS requests, RS256, loopback HTTP issuer, each library's defaults (${((performance.now() - started) / 1000).toFixed(1)} s) ===`)
  table(
    ['', `${settings.concurrent} concurrent cold`, `${settings.flood} unknown kids`, 'flood time', 'rotated-in key'],
    rows.map((r) => [
      r.library,
      `${r.coldRequests} req (${r.coldAccepted} ok)`,
      `${r.floodRequests} req (${r.floodAccepted} ok)`,
      `${(r.floodMs / 1000).toFixed(2)} s`,
      `${r.rotationAccepted ? 'accepted' : 'rejected'}, ${r.rotationRequests} req`,
    ]),
  )
  const ours = rows.find((r) => r.library.startsWith('ours')) as JwksRow
  const floodOk = ours.floodRequests <= Math.ceil(ours.floodMs / 10_000)
  console.log(
    `ours: ${ours.coldRequests} request(s) for ${settings.concurrent} concurrent cold requests (1 expected: ${verdict(ours.coldRequests <= 1 && ours.coldAccepted === settings.concurrent)}); ` +
      `${ours.floodRequests} for ${settings.flood} unknown kids (≤ 1 per 10 s cooldown: ${verdict(floodOk)})\n`,
  )
  return []
}
