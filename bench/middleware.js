// Whole Middy invocations: bare, with jwtVerify, and the full stack. The warm budget times the
// whole middleware, per invocation: a Middy invocation with jwtVerify minus a bare Middy
// invocation (docs/design.md#what-the-warm-budget-times).
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify'
import { awsVerifier, cycle, ourOptions } from './verify.js'

/** An HTTP API (payload 2.0) event as API Gateway sends it (cf. test/fixtures/aws-events/). */
export const httpApiEvent = (token) => ({
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

/**
 * A fresh Lambda context per invocation, with `getRemainingTimeInMillis`: Middy then arms its
 * early-timeout timer on every invocation, as it does in Lambda (bare or not).
 */
const lambdaContext = () => ({
  functionName: 'bench',
  functionVersion: '$LATEST',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
})

const ok = { statusCode: 200, body: 'ok' }
const lambdaHandler = async () => ok

/**
 * The middlewares of the full stack that exist in this workspace beyond jwt-verify and
 * http-error-handler (oauth-scope and rbac, when their packages are built), built with the
 * usage shown in docs/design.md. A package that is missing or cannot be built that way is skipped.
 * @returns {Promise<{ middlewares: object[], names: string[], notes: string[] }>}
 */
export const optionalStack = async () => {
  const middlewares = []
  const names = []
  const notes = []
  const attempts = [
    ['@middy-auth/oauth-scope', (factory) => factory({ required: ['orders:read'] })],
    [
      '@middy-auth/rbac',
      (factory) => factory({
        policy: { roles: { user: { allow: ['orders:read'] } } },
        rolesFrom: () => ['user'],
        required: 'orders:read',
      }),
    ],
  ]
  for (const [name, build] of attempts) {
    try {
      const module = await import(name)
      middlewares.push(build(module.default))
      names.push(name.replace('@middy-auth/', ''))
      notes.push(`${name}: included`)
    } catch (error) {
      notes.push(`${name}: not included (${error?.code ?? error?.message ?? error})`)
    }
  }
  return { middlewares, names, notes }
}

/**
 * aws-jwt-verify as a user would put it in Middy (its documented async `verify`), for a
 * like-for-like comparison with our whole middleware.
 */
const awsJwtVerifyMiddleware = (verifier) => ({
  before: async (request) => {
    const header = request.event.headers?.authorization ?? ''
    const payload = await verifier.verify(header.replace(/^Bearer /i, ''))
    request.context.auth = { subject: payload.sub, claims: payload }
  },
})

/**
 * The Middy tasks of one algorithm.
 * @param {object} fixture
 * @param {{ events: object[], extra: object[] }} pools
 */
export const middlewareTasks = (fixture, { events, extra }) => {
  const bare = middy().handler(lambdaHandler)
  const withUncached = middy().use(jwtVerify(ourOptions(fixture, { cache: false }))).handler(lambdaHandler)
  const withCached = middy().use(jwtVerify(ourOptions(fixture))).handler(lambdaHandler)
  const withHit = middy().use(jwtVerify(ourOptions(fixture))).handler(lambdaHandler)
  const withAws = middy().use(awsJwtVerifyMiddleware(awsVerifier(fixture))).handler(lambdaHandler)
  const invoke = (handler) => {
    const next = cycle(events)
    return () => handler(next(), lambdaContext())
  }
  const repeated = events[0]
  return [
    { name: 'middy bare', async: true, op: invoke(bare) },
    { name: 'middy + jwtVerify, cache off', async: true, op: invoke(withUncached) },
    { name: 'middy + jwtVerify, distinct', async: true, op: invoke(withCached) },
    { name: 'middy + jwtVerify, cache hit', async: true, op: () => withHit(repeated, lambdaContext()) },
    { name: 'middy + aws-jwt-verify middleware', async: true, op: invoke(withAws) },
    fullStackTask(fixture, { events, extra }),
  ]
}

/** jwtVerify, then the optional middlewares, then http-error-handler (the order of docs/design.md#the-flow-of-one-request). */
export const fullStackTask = (fixture, { events, extra }) => {
  const full = middy().use(jwtVerify(ourOptions(fixture))).use(extra).use(httpErrorHandler({ logger: false })).handler(lambdaHandler)
  const next = cycle(events)
  return { name: 'middy full stack', async: true, op: () => full(next(), lambdaContext()) }
}

/** Every Middy handler must answer 200 (a denial would time the error path instead). */
export const checkMiddlewareTasks = async (tasks) => {
  for (const task of tasks) {
    const response = await task.op()
    if (response?.statusCode !== 200) throw new Error(`${task.name}: expected 200, got ${JSON.stringify(response)}`)
  }
}
