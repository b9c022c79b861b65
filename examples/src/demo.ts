/**
 * The middy-auth demo: the orders service (`handler.ts`) behind the local API gateway
 * (`gateway.ts`), with tokens from a loopback OpenID Connect issuer and SigV4 credentials the
 * gateway knows; then a browser's sign-in (`login-demo.ts`).
 *
 *   npm run demo          a scripted tour of the service's routes, then of a browser's sign-in,
 *                         printed as tables; exits 1 if any request gets an unexpected answer
 *   npm run demo:serve    keeps the issuer and the gateways up, prints ready curl lines and the
 *                         URL of the login app to open in a browser; Ctrl-C stops it
 *                         (PORT=8080 picks the gateway's port)
 */
import { pathToFileURL } from 'node:url'
import { createTestIssuer, tamper, type TestIssuer } from '@middy-auth/testing'
import { startGateway, type Gateway, type LambdaAuthorizer, type LocalCredentials } from './gateway.js'
import { createOrdersService, ORDERS_ACCOUNT, ORDERS_AUDIENCE, oneLineLogger, type CreateHandlerOptions } from './handler.js'
import { DEMO_USER, formatLoginTour, runLoginTour, startLoginDemo } from './login-demo.js'
import { signRequest } from './sigv4.js'

/**
 * The SigV4 callers the gateway knows (local, made-up keys: no AWS account is involved). The
 * importer is a session of the role `OrdersImport`, which `importOrders` allows; the intern an
 * IAM user of the same account, which it does not.
 */
export const DEMO_CREDENTIALS = {
  importer: {
    accessKeyId: 'ASIADEMOIMPORTER0001',
    secretAccessKey: 'demo-importer-secret-key-not-a-real-one-0001',
    sessionToken: 'demo-importer-session-token',
    arn: `arn:aws:sts::${ORDERS_ACCOUNT}:assumed-role/OrdersImport/nightly`,
    principalId: 'AROADEMOORDERSIMPORT:nightly',
  },
  intern: {
    accessKeyId: 'AKIADEMOINTERN000001',
    secretAccessKey: 'demo-intern-secret-key-not-a-real-one-00001',
    arn: `arn:aws:iam::${ORDERS_ACCOUNT}:user/intern`,
    principalId: 'AIDADEMOINTERN000001',
  },
} as const satisfies Record<string, LocalCredentials>

/** The Lambda authorizer's settings on `GET /reports`: API Gateway's defaults for an HTTP API. */
export const REPORTS_AUTHORIZER = { identitySource: ['$request.header.Authorization'], ttlSeconds: 300 } as const

/** The issuer and the gateway, running. */
export interface DemoServers {
  issuer: TestIssuer
  gateway: Gateway
  /** How many times the gateway has invoked the Lambda authorizer so far. */
  authorizerInvocations(): number
  /** Stops both. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Starts the loopback issuer and the gateway in front of the orders service: four routes, one
 * `AWS_IAM`, one behind the Lambda authorizer.
 *
 * @param options.port - the gateway's port. Default: `PORT`, else a free port.
 * @param options.logger - the functions' error logger (see {@link CreateHandlerOptions}).
 * @param options.log - the gateway's log of failures. Default `console.error`.
 * @param options.onAuthorizerInvoked - called each time the gateway invokes the Lambda authorizer.
 */
export const startDemo = async (
  options: { port?: number; logger?: CreateHandlerOptions['logger']; log?: (line: string) => void; onAuthorizerInvoked?: () => void } = {},
): Promise<DemoServers> => {
  const issuer = await createTestIssuer()
  try {
    const service = createOrdersService(issuer.issuer, options.logger === undefined ? {} : { logger: options.logger })
    let invocations = 0
    const authorizer: LambdaAuthorizer = {
      name: 'reports-authorizer',
      handler: (event: never, context: never) => {
        invocations += 1
        options.onAuthorizerInvoked?.()
        return service.reportsAuthorizer(event, context)
      },
      identitySource: [...REPORTS_AUTHORIZER.identitySource],
      ttlSeconds: REPORTS_AUTHORIZER.ttlSeconds,
      responseFormat: 'simple',
    }
    const gateway = await startGateway({
      routes: [
        { route: 'GET /orders', handler: service.listOrders },
        { route: 'DELETE /orders/{id}', handler: service.deleteOrder },
        { route: 'POST /orders/import', handler: service.importOrders, authorization: { type: 'AWS_IAM', credentials: Object.values(DEMO_CREDENTIALS) } },
        { route: 'GET /reports', handler: service.reports, authorization: { type: 'CUSTOM', authorizer } },
      ],
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.log === undefined ? {} : { log: options.log }),
    })
    let closing: Promise<void> | undefined
    return {
      issuer,
      gateway,
      authorizerInvocations: () => invocations,
      close: () => (closing ??= Promise.all([gateway.close(), issuer.close()]).then(() => undefined)),
    }
  } catch (error) {
    await issuer.close()
    throw error
  }
}

/** How a request of the tour proves who it is. */
export type DemoCredential =
  | { kind: 'none' }
  | { kind: 'authorization'; value: string }
  /** SigV4 with these credentials (with a wrong secret: the key id is right, the signature is not). */
  | { kind: 'sigv4'; credentials: LocalCredentials }

/** One request of the tour and the answer it must get. */
export interface DemoCase {
  /** The route it shows (the table's section). */
  route: string
  method: string
  path: string
  body?: string
  /** Who makes it, in a few words. */
  who: string
  credential: DemoCredential
  expect: {
    status: number
    /** The body's `error` (an `AuthError` of the function), or the gateway's `message`. */
    code?: string
    /** The exact `WWW-Authenticate` header; `null`: none. */
    challenge?: string | null
    /** Whether the gateway invoked the Lambda authorizer for this request (false: cached, or refused before). */
    authorizerInvoked?: boolean
  }
}

const orders = 'GET /orders: jwtVerify + oauthScope (orders:read)'
const deletes = 'DELETE /orders/{id}: rbac, roles from groups, clerks delete their own'
const imports = 'POST /orders/import: AWS_IAM (SigV4 checked by the gateway) + iamContext'
const reports = `GET /reports: Lambda authorizer (authorizerResponse), cached ${REPORTS_AUTHORIZER.ttlSeconds} s per Authorization header`

const invalidToken = (description: string) => `Bearer realm="orders", error="invalid_token", error_description="${description}"`

/** The requests of the tour, with fresh tokens from `issuer`. */
export const demoCases = async (issuer: TestIssuer): Promise<DemoCase[]> => {
  const sign = (claims: Record<string, unknown>, options: { audience?: string; expiresIn?: number } = {}) =>
    issuer.sign(claims, { audience: ORDERS_AUDIENCE, ...options })
  const aliceClaims = { sub: 'alice', scope: 'orders:read reports:read', email: 'alice@example.com', groups: ['orders-clerks'] }
  const alice = await sign(aliceClaims)
  const carol = await sign({ sub: 'carol', scope: 'orders:read', groups: ['orders-managers'] })
  const dave = await sign({ sub: 'dave', scope: 'profile' })
  const bearer = (token: string): DemoCredential => ({ kind: 'authorization', value: `Bearer ${token}` })
  const { importer, intern } = DEMO_CREDENTIALS
  const importBody = JSON.stringify([
    { id: '3', owner: 'alice' },
    { id: '4', owner: 'bob' },
  ])
  return [
    { route: orders, method: 'GET', path: '/orders', who: 'alice, orders:read', credential: bearer(alice), expect: { status: 200, challenge: null } },
    {
      route: orders,
      method: 'GET',
      path: '/orders',
      who: 'dave, no orders:read',
      credential: bearer(dave),
      expect: { status: 403, code: 'insufficient_scope', challenge: 'Bearer realm="orders", error="insufficient_scope", scope="orders:read"' },
    },
    {
      route: orders,
      method: 'GET',
      path: '/orders',
      who: 'alice, expired token',
      credential: bearer(await sign(aliceClaims, { expiresIn: -120 })),
      expect: { status: 401, code: 'invalid_token', challenge: invalidToken('The access token expired') },
    },
    {
      // The payload now says `sub: admin`; the header and the signature are alice's.
      route: orders,
      method: 'GET',
      path: '/orders',
      who: "alice's token, payload edited",
      credential: bearer(tamper(alice, { sub: 'admin', scope: 'orders:admin' })),
      expect: { status: 401, code: 'invalid_token', challenge: invalidToken('The access token is invalid') },
    },
    {
      route: orders,
      method: 'GET',
      path: '/orders',
      who: 'alice, token for billing-api',
      credential: bearer(await sign(aliceClaims, { audience: 'billing-api' })),
      expect: { status: 401, code: 'invalid_token', challenge: invalidToken('The access token is invalid') },
    },
    {
      route: orders,
      method: 'GET',
      path: '/orders',
      who: 'nobody (no token)',
      credential: { kind: 'none' },
      expect: { status: 401, code: 'missing_token', challenge: 'Bearer realm="orders"' },
    },
    {
      route: orders,
      method: 'GET',
      path: '/orders',
      who: 'alice:secret, Basic scheme',
      credential: { kind: 'authorization', value: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
      expect: { status: 401, code: 'missing_token', challenge: 'Bearer realm="orders"' },
    },
    {
      route: deletes,
      method: 'DELETE',
      path: '/orders/1',
      who: 'alice (clerk), her order',
      credential: bearer(alice),
      expect: { status: 200, challenge: null },
    },
    {
      route: deletes,
      method: 'DELETE',
      path: '/orders/2',
      who: "alice (clerk), bob's order",
      credential: bearer(alice),
      expect: { status: 403, code: 'access_denied', challenge: null },
    },
    {
      route: deletes,
      method: 'DELETE',
      path: '/orders/2',
      who: "carol (manager), bob's order",
      credential: bearer(carol),
      expect: { status: 200, challenge: null },
    },
    {
      route: deletes,
      method: 'DELETE',
      path: '/orders/2',
      who: 'dave (no group)',
      credential: bearer(dave),
      expect: { status: 403, code: 'access_denied', challenge: null },
    },
    {
      route: imports,
      method: 'POST',
      path: '/orders/import',
      body: importBody,
      who: 'role OrdersImport, signed',
      credential: { kind: 'sigv4', credentials: importer },
      expect: { status: 200 },
    },
    {
      route: imports,
      method: 'POST',
      path: '/orders/import',
      body: importBody,
      who: "importer's key id, wrong secret",
      credential: { kind: 'sigv4', credentials: { ...importer, secretAccessKey: 'guessed-secret-key-0000000000000000000000' } },
      expect: { status: 403, code: 'Forbidden' },
    },
    {
      route: imports,
      method: 'POST',
      path: '/orders/import',
      body: importBody,
      who: 'nobody (not signed)',
      credential: { kind: 'none' },
      expect: { status: 403, code: 'Forbidden' },
    },
    {
      route: imports,
      method: 'POST',
      path: '/orders/import',
      body: importBody,
      who: 'IAM user intern, signed',
      credential: { kind: 'sigv4', credentials: intern },
      expect: { status: 403, code: 'access_denied' },
    },
    {
      route: reports,
      method: 'GET',
      path: '/reports',
      who: 'alice, reports:read',
      credential: bearer(alice),
      expect: { status: 200, authorizerInvoked: true },
    },
    {
      route: reports,
      method: 'GET',
      path: '/reports',
      who: 'alice again, same token',
      credential: bearer(alice),
      expect: { status: 200, authorizerInvoked: false },
    },
    {
      route: reports,
      method: 'GET',
      path: '/reports',
      who: 'dave, no reports:read',
      credential: bearer(dave),
      expect: { status: 403, code: 'Forbidden', authorizerInvoked: true },
    },
    {
      route: reports,
      method: 'GET',
      path: '/reports',
      who: 'nobody (no token)',
      credential: { kind: 'none' },
      expect: { status: 401, code: 'Unauthorized', authorizerInvoked: false },
    },
  ]
}

/** What one request got, and whether it was what the case expects. */
export interface DemoResult {
  case: DemoCase
  status: number
  /** The body's `error`, else the gateway's `message`, else `undefined`. */
  code: string | undefined
  /** The `WWW-Authenticate` header, or `null`. */
  challenge: string | null
  /** The parsed JSON body, or `undefined` when it is not JSON. */
  json: Record<string, unknown> | undefined
  /** Whether the request made the gateway invoke the Lambda authorizer. */
  authorizerInvoked: boolean
  ok: boolean
}

const parseJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The request's headers, signed when the case says so. */
const headersFor = async (url: URL, demoCase: DemoCase, region: string): Promise<Record<string, string>> => {
  const headers: Record<string, string> = { accept: 'application/json', ...(demoCase.body === undefined ? {} : { 'content-type': 'application/json' }) }
  const { credential } = demoCase
  if (credential.kind === 'authorization') headers.authorization = credential.value
  if (credential.kind !== 'sigv4') return headers
  const request = {
    method: demoCase.method,
    path: url.pathname,
    rawQuery: url.search.slice(1),
    headers: { ...headers, host: url.host },
    body: Buffer.from(demoCase.body ?? ''),
  }
  return signRequest(credential.credentials, region, request)
}

/** Sends one case to the demo's gateway. */
export const runCase = async (demo: DemoServers, demoCase: DemoCase): Promise<DemoResult> => {
  const url = new URL(demoCase.path, demo.gateway.url)
  const before = demo.authorizerInvocations()
  const res = await fetch(url, {
    method: demoCase.method,
    headers: await headersFor(url, demoCase, demo.gateway.region),
    ...(demoCase.body === undefined ? {} : { body: demoCase.body }),
    signal: AbortSignal.timeout(5000),
  })
  const json = parseJson(await res.text())
  const code = typeof json?.error === 'string' ? json.error : typeof json?.message === 'string' ? json.message : undefined
  const challenge = res.headers.get('www-authenticate')
  const authorizerInvoked = demo.authorizerInvocations() > before
  const { expect } = demoCase
  const ok =
    res.status === expect.status &&
    code === expect.code &&
    (expect.challenge === undefined || challenge === expect.challenge) &&
    (expect.authorizerInvoked === undefined || authorizerInvoked === expect.authorizerInvoked)
  return { case: demoCase, status: res.status, code, challenge, json, authorizerInvoked, ok }
}

/** Sends every case, one after the other, so the table reads in order (and the cache row follows the row that filled it). */
export const runTour = async (demo: DemoServers, cases: readonly DemoCase[]): Promise<DemoResult[]> => {
  const results: DemoResult[] = []
  for (const demoCase of cases) results.push(await runCase(demo, demoCase))
  return results
}

/** What a success said, in a few words. */
const successOf = (json: Record<string, unknown> | undefined): string => {
  if (json === undefined) return ''
  const fields = Object.entries(json)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number' || Array.isArray(value))
    .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(' ') : String(value)}`)
  return fields.join(', ')
}

/**
 * The results as a table, one section per route: who made each request, the status, the `code`
 * (the function's `error`, or the gateway's own message), and the challenge or what came back.
 */
export const formatTable = (results: readonly DemoResult[]): string => {
  const requestWidth = Math.max(...results.map((r) => `${r.case.method} ${r.case.path}`.length))
  const whoWidth = Math.max('who'.length, ...results.map((r) => r.case.who.length))
  const codeWidth = Math.max('code'.length, ...results.map((r) => (r.code ?? '-').length))
  const lines = ['', `    ${'request'.padEnd(requestWidth)}  ${'who'.padEnd(whoWidth)}  status  ${'code'.padEnd(codeWidth)}  challenge, or what came back`]
  let section: string | undefined
  for (const r of results) {
    if (r.case.route !== section) {
      section = r.case.route
      lines.push('', `  ${section}`)
    }
    const details = [
      ...(r.case.expect.authorizerInvoked === undefined ? [] : [r.authorizerInvoked ? '[authorizer invoked]' : '[authorizer not invoked]']),
      r.challenge !== null ? r.challenge : r.status < 300 ? successOf(r.json) : '',
      ...(r.ok ? [] : [`(expected ${JSON.stringify(r.case.expect)})`]),
    ].filter((d) => d !== '')
    lines.push(
      `  ${r.ok ? '✓' : '✗'} ${`${r.case.method} ${r.case.path}`.padEnd(requestWidth)}  ${r.case.who.padEnd(whoWidth)}  ${String(r.status).padEnd(6)}  ${(r.code ?? '-').padEnd(codeWidth)}  ${details.join('  ')}`.trimEnd(),
    )
  }
  return lines.join('\n')
}

const tour = async (): Promise<number> => {
  // logger: false, so the tables are the only output; `demo:serve` logs one line per denial.
  const demo = await startDemo({ logger: false })
  try {
    console.log('middy-auth demo: the orders service behind a local API Gateway (HTTP API, payload 2.0)\n')
    console.log(`  issuer   ${demo.issuer.issuer}   loopback OpenID Connect issuer, RS256, audience '${ORDERS_AUDIENCE}'`)
    console.log(`  gateway  ${demo.gateway.url}   4 routes, one Lambda function each; SigV4 scoped to ${demo.gateway.region}/execute-api`)
    console.log("  code     the function's `error`; Forbidden and Unauthorized are the gateway's own answers (the function was not called)")
    const results = await runTour(demo, await demoCases(demo.issuer))
    console.log(formatTable(results))
    const login = await startLoginDemo()
    let steps
    try {
      console.log(
        `\nBrowser sign-in (@middy-auth/oauth-login): the login app behind ${login.gateway.url}, a loopback OpenID Provider at ${login.provider.issuer}\n`,
      )
      steps = await runLoginTour(login)
      console.log(formatLoginTour(steps))
    } finally {
      await login.close()
    }
    const total = results.length + steps.length
    const failed = results.filter((r) => !r.ok).length + steps.filter((s) => !s.ok).length
    console.log(
      failed === 0
        ? `\nAll ${total} requests got the expected answer. Try it yourself: npm run demo:serve`
        : `\n${failed} of ${total} requests got an unexpected answer.`,
    )
    return failed === 0 ? 0 : 1
  } finally {
    await demo.close()
  }
}

/** The `curl` lines `demo:serve` prints, for a gateway at `gatewayUrl`. */
export const curlLines = (gatewayUrl: string, region: string, tokens: { alice: string; carol: string }): string[] => {
  const { importer } = DEMO_CREDENTIALS
  return [
    `# GET /orders as alice (jwtVerify + oauthScope)`,
    `curl -i -H "Authorization: Bearer ${tokens.alice}" ${gatewayUrl}/orders`,
    `# no token: 401 missing_token`,
    `curl -i ${gatewayUrl}/orders`,
    `# DELETE /orders/2 as carol, a manager (rbac); as alice, a clerk, it is 403 access_denied`,
    `curl -i -X DELETE -H "Authorization: Bearer ${tokens.carol}" ${gatewayUrl}/orders/2`,
    `# POST /orders/import, signed with SigV4 as the role OrdersImport (curl signs; the gateway checks)`,
    `curl -i --aws-sigv4 "aws:amz:${region}:execute-api" --user "${importer.accessKeyId}:${importer.secretAccessKey}" -H "x-amz-security-token: ${importer.sessionToken}" -H "content-type: application/json" -d '[{"id":"3"}]' ${gatewayUrl}/orders/import`,
    `# GET /reports through the Lambda authorizer: run it twice, the second answer comes from the gateway's cache`,
    `curl -i -H "Authorization: Bearer ${tokens.alice}" ${gatewayUrl}/reports`,
  ]
}

const serve = async (): Promise<void> => {
  // One line per authorizer invocation: a request answered from the gateway's cache shows as silence.
  const demo = await startDemo({ logger: oneLineLogger, onAuthorizerInvoked: () => console.error('[gateway] GET /reports: reports-authorizer invoked') })
  const login = await startLoginDemo()
  const hour = { expiresIn: 3600, audience: ORDERS_AUDIENCE }
  const alice = await demo.issuer.sign({ sub: 'alice', scope: 'orders:read reports:read', email: 'alice@example.com', groups: ['orders-clerks'] }, hour)
  const carol = await demo.issuer.sign({ sub: 'carol', scope: 'orders:read', groups: ['orders-managers'] }, hour)
  console.log(`issuer   ${demo.issuer.issuer}  (discovery: ${demo.issuer.discoveryUri})`)
  console.log(`gateway  ${demo.gateway.url}  GET /orders, DELETE /orders/{id}, POST /orders/import (AWS_IAM), GET /reports (Lambda authorizer)\n`)
  console.log(`Tokens for alice (clerk) and carol (manager), audience '${ORDERS_AUDIENCE}', valid for 1 hour. Try it:`)
  for (const line of curlLines(demo.gateway.url, demo.gateway.region, { alice, carol })) console.log(line.startsWith('#') ? `\n  ${line}` : `  ${line}`)
  console.log(`\nSign in with a browser (user ${DEMO_USER}, any password):\n\n  ${login.appUrl}\n`)
  console.log('Denials are logged below, one line each. Ctrl-C stops the servers.')
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping the gateways, the issuer and the provider`)
    Promise.all([demo.close(), login.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  // The issuer's server is unref()'d so tests never hang on it; the gateway keeps the process up.
}

const main = async (argv: readonly string[]): Promise<void> => {
  if (argv.includes('--serve')) return serve()
  process.exitCode = await tour()
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    // One line, no stack: the usual causes are a busy PORT or a missing build.
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
