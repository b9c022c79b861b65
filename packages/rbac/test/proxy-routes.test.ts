import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import { albEvent, functionUrlEvent, httpApiEvent, lambdaContext, restEvent } from '@middy-auth/testing'
import rbac, { type Policy, type RbacOptions } from '../src/index.js'
import { outcome, withIdentity, type Response } from './support.js'

const policy: Policy = { roles: { reader: { allow: ['files:read'] }, guest: { allow: [] } } }

// The README's pattern: one rbac with routes beside @middy/http-router, the map written in the
// router's order; the requirement applied is the one of the handler the router runs.
const api = (roles: string[], routing: Pick<RbacOptions, 'routes' | 'routesDefault'>) => {
  const ran: string[] = []
  const reply = (name: string) => async () => {
    ran.push(name)
    return { statusCode: 200, headers: {}, body: name }
  }
  const handler = middy()
    .use(withIdentity({ subject: 'mallory', roles }))
    .use(rbac({ policy, ...routing } as RbacOptions))
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler([
        { method: 'GET', path: '/files/{proxy+}', handler: reply('files') },
        { method: 'GET', path: '/{proxy+}', handler: reply('anything') },
      ]) as never,
    )
  return { ran, invoke: async (event: unknown) => (await handler(event as never, lambdaContext() as never)) as Response }
}

/** The same request as each deployment style delivers it. */
const deliveries = (path: string) =>
  [
    ['HTTP API $default', httpApiEvent({ routeKey: '$default', path })],
    ['HTTP API ANY /{proxy+}', httpApiEvent({ routeKey: 'ANY /{proxy+}', method: 'GET', path })],
    ['HTTP API GET /{proxy+}', httpApiEvent({ routeKey: 'GET /{proxy+}', method: 'GET', path })],
    ['REST /{proxy+}', restEvent({ method: 'GET', resource: '/{proxy+}', path })],
    ['function URL', functionUrlEvent({ method: 'GET', path })],
    ['ALB', albEvent({ method: 'GET', path })],
  ] as const

describe('rbac routes beside @middy/http-router, behind gateway catch-alls', () => {
  test.each([
    ["'GET /{proxy+}': []", { routes: { 'GET /files/{proxy+}': 'files:read', 'GET /{proxy+}': [] } }],
    ['routesDefault: []', { routes: { 'GET /files/{proxy+}': 'files:read' }, routesDefault: [] }],
  ] as const)('finding 2: GET /files falls to the {proxy+} route as http-router sends it (%s)', async (_name, routing) => {
    const guest = api(['guest'], routing)
    for (const path of ['/files', '/files/', '/files/a/b']) {
      for (const [name, event] of deliveries(path)) expect([name, path, ...outcome(await guest.invoke(event))]).toEqual([name, path, 403, 'access_denied'])
    }
    expect(guest.ran).toEqual([])
    const reader = api(['reader'], routing)
    for (const [name, event] of deliveries('/files')) expect([name, (await reader.invoke(event)).body]).toEqual([name, 'files'])
    for (const [name, event] of deliveries('/filesystem')) expect([name, (await guest.invoke(event)).body]).toEqual([name, 'anything'])
  })

  test('a map written in another order than the router refuses to start', () => {
    expect(() => rbac({ policy, routes: { 'GET /{proxy+}': [], 'GET /files/{proxy+}': 'files:read' } })).toThrow(
      /"GET \/files\/\{proxy\+\}" is never used: "GET \/\{proxy\+\}", written before it, takes all its requests/,
    )
  })
})
