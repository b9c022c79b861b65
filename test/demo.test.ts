import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { curlLines, demoCases, DEMO_CREDENTIALS, formatTable, runCase, runTour, startDemo, type DemoResult, type DemoServers } from '../examples/src/demo.js'

/**
 * `npm run demo`'s scripted tour, over real HTTP: the orders service's four functions behind the
 * local gateway (SigV4 on the import route, a Lambda authorizer with the gateway's cache on the
 * reports route) and a loopback issuer. Each row's outcome is asserted, as printed.
 */
describe('examples: the demo tour of the orders service', () => {
  let demo: DemoServers
  const gatewayLog: string[] = []
  let results: DemoResult[]
  let table: string

  beforeAll(async () => {
    demo = await startDemo({ logger: false, port: 0, log: (line) => gatewayLog.push(line) })
    results = await runTour(demo, await demoCases(demo.issuer))
    table = formatTable(results)
  })

  afterAll(() => demo?.close())

  /** A printed row: request, who, status, code, and what follows, whatever the padding. */
  const row = (request: string, who: string, status: number, code: string, rest = '') =>
    new RegExp(`^  ✓ ${escape(request)} +${escape(who)} +${status} +${escape(code)}${rest === '' ? ' *$' : ` +${escape(rest)}$`}`, 'm')
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

  test('every request got the expected answer, and nothing failed at the gateway', () => {
    expect(results.filter((r) => !r.ok).map((r) => r.case.who)).toEqual([])
    expect(table).not.toContain('✗')
    expect(gatewayLog).toEqual([])
  })

  test('GET /orders: jwtVerify + oauthScope rows', () => {
    expect(table).toContain('  GET /orders: jwtVerify + oauthScope (orders:read)')
    expect(table).toMatch(row('GET /orders', 'alice, orders:read', 200, '-', 'subject alice, scopes orders:read reports:read, email alice@example.com'))
    expect(table).toMatch(
      row('GET /orders', 'dave, no orders:read', 403, 'insufficient_scope', 'Bearer realm="orders", error="insufficient_scope", scope="orders:read"'),
    )
    expect(table).toMatch(
      row(
        'GET /orders',
        'alice, expired token',
        401,
        'invalid_token',
        'Bearer realm="orders", error="invalid_token", error_description="The access token expired"',
      ),
    )
    expect(table).toMatch(
      row(
        'GET /orders',
        "alice's token, payload edited",
        401,
        'invalid_token',
        'Bearer realm="orders", error="invalid_token", error_description="The access token is invalid"',
      ),
    )
    expect(table).toMatch(
      row(
        'GET /orders',
        'alice, token for billing-api',
        401,
        'invalid_token',
        'Bearer realm="orders", error="invalid_token", error_description="The access token is invalid"',
      ),
    )
    expect(table).toMatch(row('GET /orders', 'nobody (no token)', 401, 'missing_token', 'Bearer realm="orders"'))
    expect(table).toMatch(row('GET /orders', 'alice:secret, Basic scheme', 401, 'missing_token', 'Bearer realm="orders"'))
    // The edited payload asked for admin: nothing of it comes back.
    expect(JSON.stringify(results.map((r) => r.json))).not.toContain('admin')
  })

  test('DELETE /orders/{id}: rbac rows, roles from groups and the order as the condition', () => {
    expect(table).toMatch(row('DELETE /orders/1', 'alice (clerk), her order', 200, '-', 'deleted 1, by alice, roles clerk'))
    expect(table).toMatch(row('DELETE /orders/2', "alice (clerk), bob's order", 403, 'access_denied'))
    expect(table).toMatch(row('DELETE /orders/2', "carol (manager), bob's order", 200, '-', 'deleted 2, by carol, roles manager clerk'))
    expect(table).toMatch(row('DELETE /orders/2', 'dave (no group)', 403, 'access_denied'))
  })

  test('POST /orders/import: the IAM rows, a SigV4 signature checked by the gateway, then iamContext', () => {
    expect(table).toMatch(row('POST /orders/import', 'role OrdersImport, signed', 200, '-', `imported 2, by ${DEMO_CREDENTIALS.importer.arn}, session nightly`))
    // A wrong signature and no signature never reach the function: the gateway's own 403.
    expect(table).toMatch(row('POST /orders/import', "importer's key id, wrong secret", 403, 'Forbidden'))
    expect(table).toMatch(row('POST /orders/import', 'nobody (not signed)', 403, 'Forbidden'))
    // A good signature from a caller the allow-list does not name: the function's 403.
    expect(table).toMatch(row('POST /orders/import', 'IAM user intern, signed', 403, 'access_denied'))
  })

  test('GET /reports: the authorizer rows, the second call with the same token answered from the cache', () => {
    expect(table).toContain('  GET /reports: Lambda authorizer (authorizerResponse), cached 300 s per Authorization header')
    expect(table).toMatch(row('GET /reports', 'alice, reports:read', 200, '-', '[authorizer invoked]  report monthly, for alice, source lambda-authorizer'))
    expect(table).toMatch(
      row('GET /reports', 'alice again, same token', 200, '-', '[authorizer not invoked]  report monthly, for alice, source lambda-authorizer'),
    )
    expect(table).toMatch(row('GET /reports', 'dave, no reports:read', 403, 'Forbidden', '[authorizer invoked]'))
    expect(table).toMatch(row('GET /reports', 'nobody (no token)', 401, 'Unauthorized', '[authorizer not invoked]'))
  })

  test('the cache is keyed by the identity source: another token asks the authorizer, the same one does not', async () => {
    const erin = await demo.issuer.sign({ sub: 'erin', scope: 'reports:read' }, { audience: 'orders-api' })
    const ask = (token: string) =>
      runCase(demo, {
        route: 'r',
        method: 'GET',
        path: '/reports',
        who: 'erin',
        credential: { kind: 'authorization', value: `Bearer ${token}` },
        expect: { status: 200 },
      })
    const before = demo.authorizerInvocations()
    const first = await ask(erin)
    const second = await ask(erin)
    // The same token under another scheme spelling is another cache key: asked again.
    const third = await runCase(demo, {
      route: 'r',
      method: 'GET',
      path: '/reports',
      who: 'erin',
      credential: { kind: 'authorization', value: `bearer ${erin}` },
      expect: { status: 200 },
    })
    expect([first, second, third].map((r) => [r.status, r.authorizerInvoked, r.json?.for])).toEqual([
      [200, true, 'erin'],
      [200, false, 'erin'],
      [200, true, 'erin'],
    ])
    expect(demo.authorizerInvocations() - before).toBe(2)
  })

  test('bad input is a 4xx from the function, never a 500: an order that does not exist, a body that is not a list', async () => {
    const carol = await demo.issuer.sign({ sub: 'carol', groups: ['orders-managers'] }, { audience: 'orders-api' })
    const alice = await demo.issuer.sign({ sub: 'alice', groups: ['orders-clerks'] }, { audience: 'orders-api' })
    const remove = (token: string) =>
      runCase(demo, {
        route: 'r',
        method: 'DELETE',
        path: '/orders/99',
        who: 'x',
        credential: { kind: 'authorization', value: `Bearer ${token}` },
        expect: { status: 0 },
      })
    // A manager may delete any order: this one is not there. A clerk's condition needs the order: refused first.
    expect([(await remove(carol)).status, (await remove(carol)).code]).toEqual([404, 'not_found'])
    expect([(await remove(alice)).status, (await remove(alice)).code]).toEqual([403, 'access_denied'])
    const sent = (body: string) =>
      runCase(demo, {
        route: 'r',
        method: 'POST',
        path: '/orders/import',
        body,
        who: 'x',
        credential: { kind: 'sigv4', credentials: DEMO_CREDENTIALS.importer },
        expect: { status: 0 },
      })
    for (const body of ['{"orders":', '{"orders":[]}', 'null'])
      expect([body, (await sent(body)).status, (await sent(body)).code]).toEqual([body, 400, 'invalid_request'])
    expect((await sent('[]')).json).toMatchObject({ imported: 0 })
  })

  test("the README's excerpt is the table the tour prints", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const excerpt = /`npm run demo` prints[^\n]*\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(excerpt.slice(excerpt.indexOf('\n    request'))).toBe(`${table}\n`)
  })

  test('a wrong row is printed as one, with what was expected', () => {
    const wrong = { ...results[0]!, ok: false, status: 500, code: 'Internal Server Error', challenge: null }
    expect(formatTable([wrong])).toMatch(
      /^ {2}✗ GET \/orders +alice, orders:read +500 +Internal Server Error {2}\(expected \{"status":200,"challenge":null\}\)$/m,
    )
  })

  test("demo:serve's curl lines call each route, the SigV4 one with curl's --aws-sigv4 and the local credentials", () => {
    const lines = curlLines('http://127.0.0.1:8080', 'eu-west-1', { alice: 'A.B.C', carol: 'D.E.F' })
    const { importer } = DEMO_CREDENTIALS
    expect(lines.filter((l) => l.startsWith('curl'))).toEqual([
      'curl -i -H "Authorization: Bearer A.B.C" http://127.0.0.1:8080/orders',
      'curl -i http://127.0.0.1:8080/orders',
      'curl -i -X DELETE -H "Authorization: Bearer D.E.F" http://127.0.0.1:8080/orders/2',
      `curl -i --aws-sigv4 "aws:amz:eu-west-1:execute-api" --user "${importer.accessKeyId}:${importer.secretAccessKey}" -H "x-amz-security-token: ${importer.sessionToken}" -H "content-type: application/json" -d '[{"id":"3"}]' http://127.0.0.1:8080/orders/import`,
      'curl -i -H "Authorization: Bearer A.B.C" http://127.0.0.1:8080/reports',
    ])
  })
})
