/**
 * The middy-auth demo: the orders handler behind a local HTTP API gateway, with tokens from a
 * loopback OpenID Connect issuer.
 *
 *   npm run demo          a scripted tour of six requests, then of a browser's sign-in (login,
 *                         provider, callback, API calls, logout), printed as tables; exits 1 if
 *                         any request gets an unexpected answer
 *   npm run demo:serve    keeps the issuer and the gateway up, prints a valid token and a curl
 *                         line, and the URL of the login app to open in a browser; Ctrl-C stops
 *                         it (PORT=8080 picks the gateway's port)
 */
import { pathToFileURL } from 'node:url'
import { createTestIssuer, tamper, type TestIssuer } from '@middy-auth/testing'
import { startGateway, type Gateway } from './gateway.js'
import { createHandler, ORDERS_AUDIENCE, oneLineLogger, type CreateHandlerOptions } from './handler.js'
import { DEMO_USER, formatLoginTour, runLoginTour, startLoginDemo } from './login-demo.js'

/** The path the demo calls; the gateway sends every path to the one function. */
export const ORDERS_PATH = '/orders'

/** The issuer and the gateway, running. */
export interface DemoServers {
  issuer: TestIssuer
  gateway: Gateway
  /** Stops both. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Starts the loopback issuer and the gateway in front of the orders handler.
 *
 * @param options.port - the gateway's port. Default: `PORT`, else a free port.
 * @param options.logger - the error handler's logger (see {@link CreateHandlerOptions}).
 */
export const startDemo = async (options: { port?: number; logger?: CreateHandlerOptions['logger'] } = {}): Promise<DemoServers> => {
  const issuer = await createTestIssuer()
  try {
    const handler = createHandler(issuer.issuer, options.logger === undefined ? {} : { logger: options.logger })
    const gateway = await startGateway({ handler, ...(options.port === undefined ? {} : { port: options.port }) })
    let closing: Promise<void> | undefined
    return {
      issuer,
      gateway,
      close: () => (closing ??= Promise.all([gateway.close(), issuer.close()]).then(() => undefined)),
    }
  } catch (error) {
    await issuer.close()
    throw error
  }
}

/** One request of the tour and the answer it must get. */
export interface DemoCase {
  name: string
  /** The `Authorization` header, or none. */
  authorization?: string
  expect: {
    status: number
    /** The body's `error` code on a denial. */
    error?: string
    /** The subject the handler must report on success. */
    subject?: string
  }
}

/** The six requests of the tour, with fresh tokens from `issuer`. */
export const demoCases = async (issuer: TestIssuer): Promise<DemoCase[]> => {
  const claims = { sub: 'alice', scope: 'orders:read orders:write', email: 'alice@example.com' }
  const valid = await issuer.sign(claims, { audience: ORDERS_AUDIENCE })
  const expired = await issuer.sign(claims, { audience: ORDERS_AUDIENCE, expiresIn: -120 })
  const wrongAudience = await issuer.sign(claims, { audience: 'billing-api' })
  return [
    { name: 'valid token', authorization: `Bearer ${valid}`, expect: { status: 200, subject: 'alice' } },
    { name: 'expired token', authorization: `Bearer ${expired}`, expect: { status: 401, error: 'invalid_token' } },
    {
      name: 'tampered token',
      // The payload now says `sub: admin`; the header and the signature are alice's.
      authorization: `Bearer ${tamper(valid, { sub: 'admin', scope: 'orders:admin' })}`,
      expect: { status: 401, error: 'invalid_token' },
    },
    { name: 'missing token', expect: { status: 401, error: 'missing_token' } },
    { name: 'wrong audience', authorization: `Bearer ${wrongAudience}`, expect: { status: 401, error: 'invalid_token' } },
    { name: 'Basic scheme', authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}`, expect: { status: 401, error: 'missing_token' } },
  ]
}

/** What one request got, and whether it was what the case expects. */
export interface DemoResult {
  case: DemoCase
  status: number
  /** The `WWW-Authenticate` header, or `null`. */
  challenge: string | null
  body: string
  /** The parsed JSON body, or `undefined` when it is not JSON. */
  json: Record<string, unknown> | undefined
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

/** Sends one case to the gateway. */
export const runCase = async (gatewayUrl: string, demoCase: DemoCase): Promise<DemoResult> => {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (demoCase.authorization !== undefined) headers.authorization = demoCase.authorization
  const res = await fetch(`${gatewayUrl}${ORDERS_PATH}`, { headers, signal: AbortSignal.timeout(5000) })
  const body = await res.text()
  const json = parseJson(body)
  const { status, error, subject } = demoCase.expect
  const ok =
    res.status === status &&
    (error === undefined || json?.error === error) &&
    (subject === undefined || json?.subject === subject)
  return { case: demoCase, status: res.status, challenge: res.headers.get('www-authenticate'), body, json, ok }
}

/** Sends every case, one after the other, so the table reads in order. */
export const runTour = async (gatewayUrl: string, cases: readonly DemoCase[]): Promise<DemoResult[]> => {
  const results: DemoResult[] = []
  for (const demoCase of cases) results.push(await runCase(gatewayUrl, demoCase))
  return results
}

/** The results as an aligned table: one line for the challenge, one for the body. */
export const formatTable = (results: readonly DemoResult[]): string => {
  const nameWidth = Math.max('case'.length, ...results.map((r) => r.case.name.length))
  const lines = [`    ${'case'.padEnd(nameWidth)}  status  response`]
  lines.push(`    ${'-'.repeat(nameWidth)}  ------  ${'-'.repeat(60)}`)
  const indent = ' '.repeat(4 + nameWidth + 2 + 8)
  for (const r of results) {
    const mark = r.ok ? '✓' : '✗'
    const detail = [
      ...(r.challenge === null ? [] : [`challenge  ${r.challenge}`]),
      `body       ${r.body === '' ? '(empty)' : r.body}`,
      ...(r.ok ? [] : [`expected   ${JSON.stringify(r.case.expect)}`]),
    ]
    lines.push(`  ${mark} ${r.case.name.padEnd(nameWidth)}  ${String(r.status).padEnd(6)}  ${detail[0]}`)
    for (const more of detail.slice(1)) lines.push(`${indent}${more}`)
  }
  return lines.join('\n')
}

const tour = async (): Promise<number> => {
  // logger: false, so the table is the only output; `demo:serve` logs one line per denial.
  const demo = await startDemo({ logger: false })
  try {
    console.log('middy-auth demo: the orders handler (jwtVerify + httpErrorHandler) behind a local HTTP API gateway\n')
    console.log(`  issuer   ${demo.issuer.issuer}   loopback OpenID Connect issuer, RS256`)
    console.log(`  gateway  ${demo.gateway.url}   GET ${ORDERS_PATH} -> orders handler (audience '${ORDERS_AUDIENCE}')\n`)
    const results = await runTour(demo.gateway.url, await demoCases(demo.issuer))
    console.log(formatTable(results))
    const login = await startLoginDemo()
    let steps
    try {
      console.log(`\nBrowser sign-in (@middy-auth/oauth-login): the login app behind ${login.gateway.url}, a loopback OpenID Provider at ${login.provider.issuer}\n`)
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

const serve = async (): Promise<void> => {
  const demo = await startDemo({ logger: oneLineLogger })
  const login = await startLoginDemo()
  const token = await demo.issuer.sign(
    { sub: 'alice', scope: 'orders:read orders:write', email: 'alice@example.com' },
    { audience: ORDERS_AUDIENCE, expiresIn: 3600 },
  )
  const url = `${demo.gateway.url}${ORDERS_PATH}`
  console.log(`issuer   ${demo.issuer.issuer}  (discovery: ${demo.issuer.discoveryUri})`)
  console.log(`gateway  ${demo.gateway.url}  (every path goes to the orders handler)\n`)
  console.log(`A valid token for alice (audience '${ORDERS_AUDIENCE}', expires in 1 hour):\n\n${token}\n`)
  console.log(`Try it:\n\n  curl -i -H "Authorization: Bearer ${token}" ${url}\n`)
  console.log(`  curl -i ${url}                       # no token: 401 missing_token\n`)
  console.log(`Sign in with a browser (Chromium; user ${DEMO_USER}, any password):\n\n  ${login.appUrl}\n`)
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
