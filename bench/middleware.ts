// Whole Middy invocations: bare, with jwtVerify, and the full stack. The warm budget times the
// whole middleware, per invocation: a Middy invocation with jwtVerify minus a bare Middy
// invocation (docs/design.md#what-the-warm-budget-times). Every invocation gets a FRESH event
// object, parsed from its JSON text as Lambda's runtime does, so that a repeated token is a new
// string each time and nothing an earlier invocation wrote on the event is seen again.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import type { Context } from 'aws-lambda'

/** An HTTP API (payload 2.0) event as API Gateway sends it (cf. test/fixtures/aws-events/). */
export const httpApiEvent = (token: string): Record<string, unknown> & { headers: Record<string, string>; requestContext: Record<string, unknown> } => ({
  version: '2.0',
  routeKey: 'GET /orders',
  rawPath: '/orders',
  rawQueryString: '',
  headers: {
    accept: '*/*',
    'accept-encoding': 'gzip, deflate, br',
    authorization: `Bearer ${token}`,
    'content-length': '0',
    host: 'aaaaaaaaaa.execute-api.us-west-2.amazonaws.com',
    'user-agent': 'curl/8.5.0',
    'x-amzn-trace-id': 'Root=1-5e9f0c65-1de4d666d4dd26aced652b6c',
    'x-forwarded-for': '1.2.3.4',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  },
  requestContext: {
    accountId: '123456789012',
    apiId: 'aaaaaaaaaa',
    domainName: 'aaaaaaaaaa.execute-api.us-west-2.amazonaws.com',
    domainPrefix: 'aaaaaaaaaa',
    http: { method: 'GET', path: '/orders', protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 'curl/8.5.0' },
    requestId: 'LV7fzho-PHcEJPw=',
    routeKey: 'GET /orders',
    stage: '$default',
    time: '21/Apr/2020:15:08:21 +0000',
    timeEpoch: 1587481701067,
  },
  isBase64Encoded: false,
})

/** A Lambda-invoked handler: `(event, context) => Promise<response>`. */
export type Invoke = (event: unknown, context: Context) => Promise<unknown>

/**
 * A fresh Lambda context per invocation, with `getRemainingTimeInMillis`: Middy then arms its
 * early-timeout timer on every invocation, as it does in Lambda (bare or not).
 */
export const lambdaContext = (): Context =>
  ({
    functionName: 'bench',
    functionVersion: '$LATEST',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context

const ok = { statusCode: 200, body: 'ok' }
/** The function behind every bench handler: answers 200 at once. */
export const lambdaHandler = async (): Promise<typeof ok> => ok

/** A function returning the items of `items` in turn, forever. */
export const cycle = <T>(items: readonly T[]): (() => T) => {
  let i = 0
  return () => {
    const item = items[i] as T
    if (++i === items.length) i = 0
    return item
  }
}

/**
 * Invokes `handler` with a fresh event parsed from the next JSON text of `texts` and a fresh
 * context, as Lambda's runtime does for every invocation.
 */
export const invokeFresh = (handler: Invoke, texts: readonly string[]): (() => Promise<unknown>) => {
  const next = cycle(texts)
  return () => handler(JSON.parse(next()), lambdaContext())
}

/** A bare Middy handler: what every "− bare Middy" figure subtracts. */
export const bareHandler = (): Invoke => middy().handler(lambdaHandler) as unknown as Invoke

/** Middy with `jwtVerify(options)` only. */
export const jwtVerifyHandler = (options: Parameters<typeof jwtVerify>[0]): Invoke =>
  middy().use(jwtVerify(options)).handler(lambdaHandler) as unknown as Invoke

/**
 * The full stack of the budget: jwtVerify, oauth-scope, rbac, http-error-handler (the order of
 * docs/design.md#the-flow-of-one-request), with the usage shown in the design.
 */
export const fullStackHandler = (options: Parameters<typeof jwtVerify>[0]): Invoke =>
  middy()
    .use(jwtVerify(options))
    .use(oauthScope({ required: ['orders:read'] }))
    .use(rbac({ policy: { roles: { user: { allow: ['orders:read'] } } }, rolesFrom: () => ['user'], required: 'orders:read' }))
    .use(httpErrorHandler({ logger: false }))
    .handler(lambdaHandler) as unknown as Invoke

/** Every Middy handler must answer 200 (a denial would time the error path instead). */
export const expectOk = async (tasks: ReadonlyArray<{ name: string; op: () => unknown }>): Promise<void> => {
  for (const task of tasks) {
    const response = (await task.op()) as { statusCode?: number } | undefined
    if (response?.statusCode !== 200) throw new Error(`${task.name}: expected 200, got ${JSON.stringify(response)}`)
  }
}
