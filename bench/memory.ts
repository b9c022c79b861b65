// Memory under floods (issue #11): heap growth after 1,000,000 requests (100,000 with --quick)
// of each kind an attacker or a busy function can send, one per cache it could grow:
//   - distinct valid tokens: the verified-token cache (1,000 entries by default);
//   - tokens with unknown kids: the key cache of a jwksUri (refetched at most once per cooldown);
//   - tokens of distinct unknown issuers: the issuer lookup, fixed at cold start;
//   - distinct permissions (a requirement function and can() in the handler): rbac's parsed
//     permissions (1,000 entries).
// Each flood goes through its own Middy handler; the heap is read after a full GC at 0 (the
// factory ran), 10,000 requests, and at the end. The caches fill within the first thousands of
// requests, so "after 10k → end" is the growth of a full cache: it must stay near zero. This
// reports; the Jest tests own the checks of each bound. `npm run bench -- --only=memory`.
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify'
import rbac, { can } from '@middy-auth/rbac'
import { lambdaContext, type Invoke } from './middleware.ts'
import { table, type BudgetRow } from './report.ts'
import { AUDIENCE, ISSUER, makeKey } from './tokens.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const heapAfterGc = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const b64u = (value: object | string): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const SECRET = 'bench-secret-of-at-least-thirty-two-bytes-0123456789'
const now = () => Math.floor(Date.now() / 1000)

/** An HS256 token, signed here per request: distinct by `jti`. */
const hmacToken = (i: number): string => {
  const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ iss: ISSUER, aud: AUDIENCE, sub: `user-${i}`, jti: `jti-${i}`, scope: 'orders:read', iat: now() - 10, exp: now() + 3600 })}`
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
}

/** A token no key set can verify: its signature is never reached. */
const unsignedToken = (header: object, claims: object): string => `${b64u(header)}.${b64u(claims)}.${b64u('not-a-signature-'.repeat(16))}`

const event = (token: string, extra: object = {}): object => ({
  headers: { authorization: `Bearer ${token}` },
  requestContext: { http: { method: 'GET', path: '/orders' } },
  ...extra,
})

const ok = async (): Promise<{ statusCode: number }> => ({ statusCode: 200 })

interface Flood {
  name: string
  cache: string
  handler: Invoke
  event: (i: number) => object
  /** The status a request of this flood must get (anything else is a bench bug). */
  status: number
}

/** A JWKS endpoint on loopback, for the unknown-kid flood: it counts its requests. */
const jwksServer = async () => {
  const key = makeKey('RS256', 'known')
  let requests = 0
  const server = createServer((_req, res) => {
    requests++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const floods = (jwksUri: string): Flood[] => {
  const errors = httpErrorHandler({ logger: false })
  const withJwt = (options: Parameters<typeof jwtVerify>[0]): Invoke => middy().use(jwtVerify(options)).use(errors).handler(ok) as unknown as Invoke
  const hmacIssuer = { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['HS256' as const] }
  const remoteIssuer = { issuer: ISSUER, audience: AUDIENCE, jwksUri, algorithms: ['RS256' as const] }
  const withIdentity = {
    before: (request: { context: { auth?: unknown } }) => {
      request.context.auth = { source: 'jwt', subject: 'user-1', scopes: [], roles: [], claims: {} }
    },
  }
  const permissions = middy()
    .use(withIdentity)
    .use(
      rbac({
        policy: { roles: { user: { allow: ['orders:read', 'res0:*'] } } },
        rolesFrom: () => ['user'],
        required: (request) => (request.event as { required: string }).required,
      }),
    )
    .use(errors)
    .handler(async (e: unknown, context: { auth: Parameters<typeof can>[0] }) => {
      can(context.auth, (e as { asked: string }).asked)
      return { statusCode: 200 }
    }) as unknown as Invoke
  return [
    {
      name: 'distinct valid tokens (HS256, each a new jti)',
      cache: 'verified-token cache, 1,000 entries',
      handler: withJwt({ issuers: [hmacIssuer] }),
      event: (i) => event(hmacToken(i)),
      status: 200,
    },
    {
      name: 'unknown kids (RS256, a new kid each)',
      cache: 'key cache of the jwksUri (1 refetch per 10 s cooldown)',
      handler: withJwt({ issuers: [remoteIssuer] }),
      event: (i) => event(unsignedToken({ alg: 'RS256', typ: 'JWT', kid: `unknown-${i}` }, { iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: now() + 60 })),
      status: 401,
    },
    {
      name: 'distinct unknown issuers',
      cache: 'issuer lookup (fixed at cold start)',
      handler: withJwt({ issuers: [hmacIssuer] }),
      event: (i) => event(unsignedToken({ alg: 'HS256', typ: 'JWT' }, { iss: `https://issuer-${i}.example/`, aud: AUDIENCE, sub: 'x', exp: now() + 60 })),
      status: 401,
    },
    {
      name: 'distinct permissions (requirement function + can())',
      cache: "rbac's parsed permissions, 1,000 entries",
      handler: permissions,
      event: (i) => ({ required: 'orders:read', asked: `res${i}:read`, ...event('x') }),
      status: 200,
    },
  ]
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`

/** The memory section: heap growth per flood (no budget: the bounds are checked by Jest tests). */
export async function run({ quick }: { quick: boolean }): Promise<BudgetRow[]> {
  const requests = quick ? 100_000 : 1_000_000
  const server = await jwksServer()
  const rows: unknown[][] = []
  const started = performance.now()
  try {
    for (const flood of floods(server.uri)) {
      const first = (await flood.handler(flood.event(-1), lambdaContext())) as { statusCode?: number }
      if (first?.statusCode !== flood.status) throw new Error(`${flood.name}: expected ${flood.status}, got ${JSON.stringify(first)}`)
      const start = heapAfterGc()
      let at10k = 0
      const t0 = performance.now()
      for (let i = 0; i < requests; i++) {
        const response = (await flood.handler(flood.event(i), lambdaContext())) as { statusCode?: number }
        if (response?.statusCode !== flood.status) throw new Error(`${flood.name}: request ${i} got ${JSON.stringify(response)}`)
        if (i === 9_999) at10k = heapAfterGc()
      }
      const seconds = (performance.now() - t0) / 1000
      const end = heapAfterGc()
      rows.push([flood.name, flood.cache, mb(at10k - start), mb(end - at10k), mb(end - start), `${seconds.toFixed(1)} s`])
    }
  } finally {
    await server.close()
  }
  console.log(
    `=== memory: heap after a full GC, ${requests.toLocaleString('en-US')} requests per flood (${((performance.now() - started) / 1000).toFixed(0)} s); JWKS fetches: ${server.requests()} ===`,
  )
  table(['flood', 'cache it could grow', 'first 10k', `10k → ${requests.toLocaleString('en-US')}`, 'total', 'time'], rows)
  console.log('')
  return []
}
