import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { isAuthError } from '@middy-auth/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { createTestIssuer, httpApiEvent, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

/** What the handler's logs get: a line per denial, the error itself for anything else. */
interface Log {
  info: (line: string) => void
  error: (error: unknown) => void
}

// A denial (401, 403, 503 with a code) is a normal outcome: one line, no stack, no token.
// Anything else is a bug or an outage: the whole error.
const logErrors = (log: Log) => (error: Error) => {
  if (isAuthError(error)) {
    const { reason } = (error.cause.data ?? {}) as { reason?: unknown }
    log.info(JSON.stringify({ denied: error.code, status: error.statusCode, by: error.cause.package, reason }))
  } else {
    log.error(error)
  }
}

// src/orders.ts would export createHandler(...) called with the real issuer and console.
const createHandler = (issuer: string, jwksUri: string, log: Log) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(jwtVerify({ issuers: [{ issuer, audience: 'orders-api', jwksUri }] }))
    .use(oauthScope({ required: ['orders:read'] }))
    .use(httpErrorHandler({ logger: logErrors(log) }))
    .handler(async (event, context) => {
      if (event.queryStringParameters?.fail === 'yes') throw new Error('database unreachable')
      return { statusCode: 200, body: JSON.stringify({ orders: [], for: context.auth.subject }) }
    })

describe('GET /orders', () => {
  let idp: TestIssuer
  let handler: ReturnType<typeof createHandler>
  const logged: { info: string[]; error: unknown[] } = { info: [], error: [] }

  beforeAll(async () => {
    idp = await createTestIssuer()
    handler = createHandler(idp.issuer, idp.jwksUri, { info: (line) => logged.info.push(line), error: (error) => logged.error.push(error) })
  })
  afterAll(() => idp.close())

  test('a token with the orders:read scope: 200', async () => {
    const token = await idp.sign({ scope: 'orders:read' }, { audience: 'orders-api', subject: 'alice' })
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ orders: [], for: 'alice' }) })
  })

  test('no token: 401 with a Bearer challenge; one log line, no stack', async () => {
    logged.info.length = 0
    const response = await handler(httpApiEvent({ route: 'GET /orders' }), lambdaContext())
    expect(response).toMatchObject({
      statusCode: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="api"', 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: 'missing_token', error_description: 'Bearer token required' }),
    })
    expect(logged.info).toEqual([JSON.stringify({ denied: 'missing_token', status: 401, by: '@middy-auth/jwt-verify', reason: 'no_credentials' })])
  })

  test('an expired token: 401 invalid_token; the reason is in the log, not in the response', async () => {
    logged.info.length = 0
    const token = await idp.sign({ scope: 'orders:read' }, { audience: 'orders-api', expiresIn: -60 })
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 401, body: JSON.stringify({ error: 'invalid_token', error_description: 'The access token expired' }) })
    expect(logged.info).toEqual([JSON.stringify({ denied: 'invalid_token', status: 401, by: '@middy-auth/jwt-verify', reason: 'expired' })])
  })

  test('a token without the scope: 403 insufficient_scope, naming the scope', async () => {
    const token = await idp.sign({ scope: 'profile' }, { audience: 'orders-api' })
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token }), lambdaContext())
    expect(response).toMatchObject({
      statusCode: 403,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", scope="orders:read"' },
    })
  })

  test('a bug or an outage: 500 without details, the error with its stack in the log', async () => {
    logged.error.length = 0
    const token = await idp.sign({ scope: 'orders:read' }, { audience: 'orders-api' })
    const response = await handler(httpApiEvent({ route: 'GET /orders', bearer: token, query: { fail: 'yes' } }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 500 })
    expect(JSON.stringify(response)).not.toContain('database')
    expect(logged.error).toEqual([expect.objectContaining({ message: 'database unreachable', stack: expect.any(String) })])
  })
})
