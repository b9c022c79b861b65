import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import jwtVerify from '@middy-auth/jwt-verify'
import { albEvent, createTestIssuer, functionUrlEvent, httpApiEvent, lambdaContext, restEvent, type TestIssuer } from '@middy-auth/testing'
import oauthScope from '../src/index.js'
import { outcome, type Response } from './support.js'

// The README's pattern: one oauthScope with routes beside @middy/http-router, the map written in
// the router's order. Whatever the gateway in front, the requirement applied is the one of the
// handler the router runs.
describe('routes beside @middy/http-router, behind gateway catch-alls', () => {
  let iss: TestIssuer
  const audience = 'files-api'
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())

  const ran: string[] = []
  const reply = (name: string) => async () => {
    ran.push(name)
    return { statusCode: 200, headers: {}, body: name }
  }
  // oauthScope has no empty requirement: 'profile', which every caller here holds, is the weak one.
  const handler = () =>
    middy()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
      .use(oauthScope({ routes: { 'GET /files/{proxy+}': ['files:read'], 'GET /{proxy+}': ['profile'] } }))
      .handler(
        httpRouterHandler([
          { method: 'GET', path: '/files/{proxy+}', handler: reply('files') },
          { method: 'GET', path: '/{proxy+}', handler: reply('anything') },
        ]) as never,
      )
  let built: ReturnType<typeof handler> | undefined
  const invoke = async (event: unknown) => (await (built ??= handler())(event as never, lambdaContext() as never)) as Response

  /** The same request as each deployment style delivers it. */
  const deliveries = (path: string, bearer: string) =>
    [
      ['HTTP API $default', httpApiEvent({ routeKey: '$default', path, bearer })],
      ['HTTP API ANY /{proxy+}', httpApiEvent({ routeKey: 'ANY /{proxy+}', method: 'GET', path, bearer })],
      // API Gateway's greedy variable covers child resources: GET /files may come through GET /{proxy+}.
      ['HTTP API GET /{proxy+}', httpApiEvent({ routeKey: 'GET /{proxy+}', method: 'GET', path, bearer })],
      ['REST /{proxy+}', restEvent({ method: 'GET', resource: '/{proxy+}', path, bearer })],
      ['function URL', functionUrlEvent({ method: 'GET', path, bearer })],
      ['ALB', albEvent({ method: 'GET', path, bearer })],
    ] as const

  test('finding 2: GET /files falls to the {proxy+} route as http-router sends it', async () => {
    const token = await iss.sign({ sub: 'mallory', scope: 'profile' }, { audience })
    for (const path of ['/files', '/files/', '/files/a/b']) {
      for (const [name, event] of deliveries(path, token)) {
        expect([name, path, ...outcome(await invoke(event))]).toEqual([name, path, 403, 'insufficient_scope'])
      }
    }
    expect(ran).toEqual([])
  })

  test('finding 2: with files:read the files handler runs; other paths need nothing', async () => {
    const reader = await iss.sign({ sub: 'alice', scope: 'files:read profile' }, { audience })
    const nobody = await iss.sign({ sub: 'bob', scope: 'profile' }, { audience })
    for (const [name, event] of deliveries('/files', reader)) expect([name, (await invoke(event)).body]).toEqual([name, 'files'])
    for (const [name, event] of deliveries('/filesystem', nobody)) expect([name, (await invoke(event)).body]).toEqual([name, 'anything'])
  })

  test('a named stage of the default endpoint: where the router (/prod/files) and the gateway (/files) disagree, refused with a hint', async () => {
    const warnings: string[] = []
    const warn = console.warn
    console.warn = (message: string) => void warnings.push(message)
    try {
      const reader = await iss.sign({ sub: 'alice', scope: 'files:read profile' }, { audience })
      // http-router routes requestContext.http.path, '/prod/files', to GET /{proxy+}; API Gateway
      // routed '/files', which the map gives GET /files/{proxy+}. Neither requirement is trusted.
      const staged = httpApiEvent({ routeKey: '$default', stage: 'prod', path: '/files', bearer: reader })
      expect(staged.requestContext.http.path).toBe('/prod/files')
      expect(outcome(await invoke(staged))).toEqual([403, 'access_denied'])
      expect(outcome(await invoke(httpApiEvent({ routeKey: 'GET /files/{proxy+}', stage: 'prod', path: '/files/a', bearer: reader })))).toEqual([
        403,
        'access_denied',
      ])
      // Where both views pick the same entry, it counts.
      const other = httpApiEvent({ routeKey: '$default', stage: 'prod', path: '/elsewhere', bearer: reader })
      expect((await invoke(other)).body).toBe('anything')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/"\/prod\/files" and "\/files" \(without the stage\) to different entries.*strip the stage/)
    } finally {
      console.warn = warn
    }
  })

  test('issue 12: the README routes beside the router behind ANY /{proxy+} answer by path, not 403 to everything', async () => {
    const readme = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
      .use(oauthScope({ routes: { 'GET /orders': ['orders:read'], 'POST /orders': ['orders:write'] } }))
      .handler(
        httpRouterHandler([
          { method: 'GET', path: '/orders', handler: reply('list') },
          { method: 'POST', path: '/orders', handler: reply('create') },
        ]) as never,
      )
    const call = async (method: string, scope: string) => {
      const bearer = await iss.sign({ sub: 'alice', scope }, { audience })
      const event = httpApiEvent({ routeKey: 'ANY /{proxy+}', method, path: '/orders', bearer })
      return (await readme(event as never, lambdaContext() as never)) as Response
    }
    expect((await call('GET', 'orders:read')).body).toBe('list')
    expect((await call('POST', 'orders:write')).body).toBe('create')
    expect(outcome(await call('POST', 'orders:read'))).toEqual([403, 'insufficient_scope'])
  })
})
