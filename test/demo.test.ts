import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { createTestIssuer, tamper, type TestIssuer } from '@middy-auth/testing'
import { demoCases, formatTable, runTour } from '../examples/src/demo.js'
import { startGateway, type Gateway } from '../examples/src/gateway.js'
import { createHandler, ORDERS_AUDIENCE } from '../examples/src/handler.js'

/** The orders handler behind the local gateway, over real HTTP, with a loopback issuer. */
describe('examples: orders handler behind the local HTTP API gateway', () => {
  let issuer: TestIssuer
  let gateway: Gateway
  /** The subject of every invocation that reached the handler and returned. */
  const seen: string[] = []
  const gatewayLog: string[] = []
  const claims = { sub: 'alice', scope: 'orders:read orders:write', email: 'alice@example.com' }
  let valid: string

  beforeAll(async () => {
    issuer = await createTestIssuer()
    const handler = createHandler(issuer.issuer, { logger: false })
    // Runs right after the handler succeeds: records who the handler saw.
    handler.after((request) => {
      seen.push(request.context.auth.subject)
    })
    gateway = await startGateway({ handler, port: 0, log: (line) => gatewayLog.push(line) })
    valid = await issuer.sign(claims, { audience: ORDERS_AUDIENCE })
  })

  afterAll(async () => {
    await gateway?.close()
    await issuer?.close()
  })

  beforeEach(() => {
    seen.length = 0
  })

  const call = async (authorization?: string) => {
    const res = await fetch(`${gateway.url}/orders`, authorization === undefined ? {} : { headers: { authorization } })
    const body = (await res.json()) as Record<string, unknown>
    return { status: res.status, challenge: res.headers.get('www-authenticate'), contentType: res.headers.get('content-type'), body }
  }

  const invalidToken = (description: string) =>
    `Bearer realm="orders", error="invalid_token", error_description="${description}"`

  test('a valid token reaches the handler, which sees the subject and the scopes', async () => {
    const res = await call(`Bearer ${valid}`)
    expect(res.status).toBe(200)
    expect(res.challenge).toBeNull()
    expect(res.contentType).toBe('application/json')
    expect(res.body).toEqual({ subject: 'alice', scopes: ['orders:read', 'orders:write'], email: 'alice@example.com' })
    expect(seen).toEqual(['alice'])
  })

  test('an expired token: 401 invalid_token, "expired" in the challenge, handler not called', async () => {
    const expired = await issuer.sign(claims, { audience: ORDERS_AUDIENCE, expiresIn: -120 })
    const res = await call(`Bearer ${expired}`)
    expect(res.status).toBe(401)
    expect(res.challenge).toBe(invalidToken('The access token expired'))
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' })
    expect(seen).toEqual([])
  })

  test('a tampered token (new payload, old signature): 401 invalid_token, nobody becomes admin', async () => {
    const res = await call(`Bearer ${tamper(valid, { sub: 'admin', scope: 'orders:admin' })}`)
    expect(res.status).toBe(401)
    expect(res.challenge).toBe(invalidToken('The access token is invalid'))
    expect(res.body.error).toBe('invalid_token')
    expect(JSON.stringify(res.body)).not.toContain('admin')
    expect(seen).toEqual([])
  })

  test('no token: 401 missing_token with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await call()
    expect(res.status).toBe(401)
    expect(res.challenge).toBe('Bearer realm="orders"')
    expect(res.body.error).toBe('missing_token')
    expect(seen).toEqual([])
  })

  test('a token for another audience: 401 invalid_token', async () => {
    const billing = await issuer.sign(claims, { audience: 'billing-api' })
    const res = await call(`Bearer ${billing}`)
    expect(res.status).toBe(401)
    expect(res.challenge).toBe(invalidToken('The access token is invalid'))
    expect(res.body.error).toBe('invalid_token')
    expect(seen).toEqual([])
  })

  test('the Basic scheme is no bearer credentials: 401 missing_token', async () => {
    const res = await call(`Basic ${Buffer.from('alice:secret').toString('base64')}`)
    expect(res.status).toBe(401)
    expect(res.challenge).toBe('Bearer realm="orders"')
    expect(res.body.error).toBe('missing_token')
    expect(seen).toEqual([])
  })

  test("the demo's scripted tour gets the expected answer for every case", async () => {
    const results = await runTour(gateway.url, await demoCases(issuer))
    expect(results.map((r) => [r.case.name, r.status, r.ok])).toEqual([
      ['valid token', 200, true],
      ['expired token', 401, true],
      ['tampered token', 401, true],
      ['missing token', 401, true],
      ['wrong audience', 401, true],
      ['Basic scheme', 401, true],
    ])
    expect(seen).toEqual(['alice'])
    const table = formatTable(results)
    expect(table.match(/✓/g)).toHaveLength(6)
    expect(table).not.toContain('✗')
  })

  test('the gateway logged nothing: no handler failure, no malformed response', () => {
    expect(gatewayLog).toEqual([])
  })
})
