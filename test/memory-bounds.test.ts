// Every cache the packages keep across invocations is bounded: floods of distinct valid tokens,
// of tokens with unknown kids, of tokens from issuers nobody configured, and of distinct
// permissions leave the heap where it was once the caches are full. Each flood runs twice over
// the same middleware; the heap after garbage collection may not grow between the first and the
// second (far larger) half by more than a small allowance, where an unbounded cache would grow by
// tens of megabytes. `npm run bench -- --only=memory` measures the same floods at 1,000,000
// requests (docs/performance.md, "Memory").
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import rbac, { can } from '@middy-auth/rbac'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** The heap in use after a full collection, in bytes. */
const settledHeap = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** What a full cache may still add between the two halves (allocator noise, Jest's own state). */
const allowance = 2 * 1024 * 1024

const audience = 'orders-api'
const issuer = 'https://login.example.com'
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A fast EdDSA signer: a flood of 100,000 distinct tokens in a few seconds. */
function ed25519Signer(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }
  const signWith = (key: KeyObject, header: object, claims: object): string => {
    const input = `${b64(header)}.${b64(claims)}`
    return `${input}.${cryptoSign(null, Buffer.from(input), key).toString('base64url')}`
  }
  const exp = Math.floor(Date.now() / 1000) + 3600
  return {
    jwk,
    token: (sub: string, overrides: { kid?: string; iss?: string } = {}) =>
      signWith(privateKey, { alg: 'EdDSA', kid: overrides.kid ?? kid }, { iss: overrides.iss ?? issuer, aud: audience, sub, exp, scope: 'orders:read' }),
  }
}

function protect(options: JwtVerifyOptions) {
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(jwtVerify(options))
    .handler(async () => ({ statusCode: 200, body: 'ok' }))
  return async (token: string, i: number) =>
    (await handler(httpApiEvent({ bearer: token, headers: { 'x-i': String(i) } }) as never, lambdaContext() as never)) as { statusCode: number }
}

/**
 * Runs `requests` requests in two halves (a tenth, then the rest) and returns the heap growth
 * between them, after checking every answer's status.
 */
async function heapGrowth(requests: number, invoke: (i: number) => Promise<{ statusCode: number }>, status: number): Promise<number> {
  const firstHalf = Math.floor(requests / 10)
  const run = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const response = await invoke(i)
      if (response.statusCode !== status) throw new Error(`request ${i}: status ${response.statusCode}, expected ${status}`)
    }
  }
  await run(0, firstHalf)
  const before = settledHeap()
  await run(firstHalf, requests)
  return settledHeap() - before
}

describe('memory stays bounded under floods', () => {
  let remote: TestIssuer
  beforeAll(async () => {
    remote = await createTestIssuer()
  })
  afterAll(() => remote.close())

  test('20,000 distinct valid tokens: the verified-token cache keeps at most maxEntries', async () => {
    const signer = ed25519Signer('k1')
    const invoke = protect({ issuers: [{ issuer, audience, jwks: { keys: [signer.jwk] } }] })
    const tokens = Array.from({ length: 20_000 }, (_, i) => signer.token(`user-${i}`))
    const growth = await heapGrowth(tokens.length, (i) => invoke(tokens[i]!, i), 200)
    // Unbounded, 18,000 cached identities would hold over 10 MB.
    expect(growth).toBeLessThan(allowance)
  })

  test('20,000 tokens with unknown kids: no key, no kid and no answer is kept per token', async () => {
    const signer = ed25519Signer('k1')
    const invoke = protect({ issuers: [{ issuer: remote.issuer, audience, jwksUri: remote.jwksUri }] })
    const tokens = Array.from({ length: 20_000 }, (_, i) => signer.token(`user-${i}`, { kid: `unknown-${i}`, iss: remote.issuer }))
    const growth = await heapGrowth(tokens.length, (i) => invoke(tokens[i]!, i), 401)
    expect(growth).toBeLessThan(allowance)
    expect(remote.requests.jwks).toBeLessThanOrEqual(3) // the prefetch, then one refetch per cooldown
  })

  test('20,000 tokens from issuers nobody configured: refused before anything is fetched or kept', async () => {
    const signer = ed25519Signer('k1')
    const invoke = protect({ issuers: [{ issuer, audience, jwks: { keys: [signer.jwk] } }] })
    const tokens = Array.from({ length: 20_000 }, (_, i) => signer.token(`user-${i}`, { iss: `https://issuer-${i}.example.com` }))
    const growth = await heapGrowth(tokens.length, (i) => invoke(tokens[i]!, i), 401)
    expect(growth).toBeLessThan(allowance)
  })

  test('20,000 distinct permissions asked of rbac: parsed permissions stay bounded', async () => {
    const signer = ed25519Signer('k1')
    const token = signer.token('alice')
    const handler = middy<{ headers: Record<string, string> }>()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer, audience, jwks: { keys: [signer.jwk] } }] }))
      .use(rbac({ policy: { roles: { clerk: { allow: ['orders:*'] } } }, rolesFrom: () => ['clerk'], required: [] }))
      .handler(async (event, context) => {
        // A permission built from request data: a new text every time.
        return { statusCode: can(context.auth, `orders:read-${event.headers['x-i']}`) ? 200 : 403, body: '' }
      })
    const invoke = async (i: number) =>
      (await handler(httpApiEvent({ bearer: token, headers: { 'x-i': String(i) } }) as never, lambdaContext() as never)) as { statusCode: number }
    const growth = await heapGrowth(20_000, invoke, 200)
    expect(growth).toBeLessThan(allowance)
  })
})
