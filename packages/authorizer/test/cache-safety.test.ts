import { describe, expect, test } from '@jest/globals'
import oauthScope from '@middy-auth/oauth-scope'
import { authorizerRequestEvent, authorizerTokenEvent, httpAuthorizerEventV1, httpAuthorizerEventV2, websocketAuthorizerEvent } from '@middy-auth/testing'
import type { AuthorizerResponseOptions } from '../src/index.js'
import { authorizer, cachedStatus, evaluatePolicy, policyOf, rbacInFront, useIssuer } from './support.js'

const { verify, sign } = useIssuer()

const routes = {
  'GET /orders': { scopes: ['orders/read'] },
  'GET /orders/{id}': { scopes: ['orders/read'] },
  'GET /orders/{id}/invoice': { scopes: ['billing/read'] },
  'GET /orders/export': { permissions: ['orders:export'] },
  'POST /orders': { scopes: ['orders/write'], permissions: ['orders:create'] },
  'DELETE /orders/{id}': { permissions: ['orders:delete'] },
  'ANY /admin/{proxy+}': { permissions: ['admin:access'] },
  'GET /me': {},
} as const satisfies AuthorizerResponseOptions['routes']

type RouteKey = keyof typeof routes

/** Requests to each route: method, path. */
const probes: Array<[RouteKey, string, string]> = [
  ['GET /orders', 'GET', '/orders'],
  ['GET /orders/{id}', 'GET', '/orders/42'],
  ['GET /orders/{id}', 'GET', '/orders/abc'],
  ['GET /orders/{id}/invoice', 'GET', '/orders/42/invoice'],
  ['GET /orders/export', 'GET', '/orders/export'],
  ['POST /orders', 'POST', '/orders'],
  ['DELETE /orders/{id}', 'DELETE', '/orders/42'],
  ['ANY /admin/{proxy+}', 'GET', '/admin/users'],
  ['ANY /admin/{proxy+}', 'POST', '/admin/users/7/reset'],
  ['GET /me', 'GET', '/me'],
]

/**
 * The callers and what each may call, written out by hand from the policy of support.ts:
 * the clerk holds `orders:*` but its role denies `orders:delete`; the admin inherits the
 * clerk's deny; the viewer's `orders:export` is conditional, which a route check does not count.
 */
const callers: Record<string, { claims: Record<string, unknown>; may: RouteKey[] }> = {
  reader: { claims: { scope: 'orders/read', 'cognito:groups': ['viewer'] }, may: ['GET /orders', 'GET /orders/{id}', 'GET /me'] },
  clerk: {
    claims: { scope: 'orders/read orders/write', 'cognito:groups': ['clerk'] },
    may: ['GET /orders', 'GET /orders/{id}', 'GET /orders/export', 'POST /orders', 'GET /me'],
  },
  accountant: {
    claims: { scope: 'orders/read billing/read', 'cognito:groups': [] },
    may: ['GET /orders', 'GET /orders/{id}', 'GET /orders/{id}/invoice', 'GET /me'],
  },
  admin: {
    claims: { scope: 'orders/read orders/write billing/read', 'cognito:groups': ['admin'] },
    may: ['GET /orders', 'GET /orders/{id}', 'GET /orders/{id}/invoice', 'GET /orders/export', 'POST /orders', 'ANY /admin/{proxy+}', 'GET /me'],
  },
}

/** Each event kind with an IAM policy: the event for a request, and its ARN. */
const kinds = {
  'REST TOKEN': {
    event: (token: string, method: string, path: string) => authorizerTokenEvent({ bearer: token, method, path }),
    arn: (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/${method}${path}`,
  },
  'REST REQUEST': {
    event: (token: string, method: string, path: string) => {
      const key = probes.find(([, m, p]) => m === method && p === path)![0]
      return authorizerRequestEvent({ bearer: token, method, path, resource: key.slice(key.indexOf(' ') + 1) })
    },
    arn: (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/${method}${path}`,
  },
  'HTTP API 1.0': {
    event: (token: string, method: string, path: string) => httpAuthorizerEventV1({ bearer: token, method, path }),
    arn: (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/${method}${path}`,
  },
  'HTTP API 2.0, IAM policy': {
    event: (token: string, method: string, path: string) => {
      const key = probes.find(([, m, p]) => m === method && p === path)![0]
      return httpAuthorizerEventV2({ bearer: token, method, path, routeKey: key.startsWith('ANY ') ? `ANY ${key.slice(4)}` : key })
    },
    arn: (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/${method}${path}`,
  },
} as const

const build = (options: AuthorizerResponseOptions = {}) => authorizer({ routes, format: 'iam-policy', ...options }, [verify(), ...rbacInFront({})])

/**
 * Routes whose Allow pattern cannot be granted to a caller: `GET/orders/*` also covers
 * `GET /orders/42/x`, which no route takes, and the Deny `GET/orders/*` + `/*` that excludes such
 * paths would also deny `GET /orders/{id}/invoice`, which the accountant and the admin may call.
 * Their `GET /orders/{id}` is allowed for the exact ARN asked about only.
 */
const narrowed: Record<string, RouteKey[]> = { reader: [], clerk: [], accountant: ['GET /orders/{id}'], admin: ['GET /orders/{id}'] }

describe.each(Object.keys(kinds) as Array<keyof typeof kinds>)('%s: the policy covers what the caller may call, and nothing else', (kind) => {
  test.each(Object.keys(callers))('%s: asked about any route, the cached policy answers every route right', async (name) => {
    const caller = callers[name]!
    const api = build()
    const token = await sign(caller.claims)
    for (const [askedRoute, askedMethod, askedPath] of probes) {
      const policy = policyOf(await api.invoke(kinds[kind].event(token, askedMethod, askedPath)))
      const askedMay = caller.may.includes(askedRoute)
      // The request the authorizer was asked about: an Allow with context, or an explicit Deny.
      expect([askedRoute, askedPath, evaluatePolicy(policy, kinds[kind].arn(askedMethod, askedPath))]).toEqual([
        askedRoute,
        askedPath,
        askedMay ? 'allow' : 'deny',
      ])
      expect(policy.context !== undefined).toBe(askedMay)
      // Every other request of the same caller, answered from the cached policy.
      for (const [route, method, path] of probes) {
        const exactlyAsked = method === askedMethod && path === askedPath
        const cached = caller.may.includes(route) && (!narrowed[name]!.includes(route) || exactlyAsked)
        expect([askedPath, route, path, cachedStatus(policy, kinds[kind].arn(method, path))]).toEqual([askedPath, route, path, cached ? 200 : 403])
      }
      // Paths no route takes are never allowed from the cache.
      for (const [method, path] of [
        ['GET', '/orders/42/x'],
        ['GET', '/orders/'],
        ['GET', '/me/x'],
        ['POST', '/orders/42'],
      ]) {
        expect([askedPath, path, cachedStatus(policy, kinds[kind].arn(method!, path!))]).toEqual([askedPath, path, 403])
      }
    }
    expect(api.logs.map((entry) => entry.reason)).toEqual(narrowed[name]!.length > 0 ? probes.map(() => 'policy_narrowed') : [])
  })
})

describe('the cases that matter, spelled out', () => {
  const arn = (method: string, path: string) => kinds['REST TOKEN'].arn(method, path)

  test('a reader allowed GET /orders/{id}: the cached Allow does not reach the invoice, the export or DELETE', async () => {
    const api = build()
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.reader!.claims), path: '/orders/42' })))
    expect(policy.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: [arn('GET', '/me'), arn('GET', '/orders'), arn('GET', '/orders/*')],
      },
      {
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        // GET /orders/* would also cover these two routes, and paths no route takes (an id
        // holding a '/', an empty id): they are denied explicitly.
        Resource: [arn('GET', '/orders/'), arn('GET', '/orders/*/*'), arn('GET', '/orders/*/invoice'), arn('GET', '/orders/export')],
      },
    ])
    expect(cachedStatus(policy, arn('GET', '/orders/7'))).toBe(200)
    expect(cachedStatus(policy, arn('GET', '/orders/7/invoice'))).toBe(403)
    expect(cachedStatus(policy, arn('GET', '/orders/export'))).toBe(403)
    expect(cachedStatus(policy, arn('DELETE', '/orders/7'))).toBe(403)
  })

  test("a clerk's roles grant orders:* while denying orders:delete: DELETE stays denied (not read from auth.permissions)", async () => {
    const api = build()
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.clerk!.claims), method: 'DELETE', path: '/orders/42' })))
    expect(evaluatePolicy(policy, arn('DELETE', '/orders/42'))).toBe('deny')
    expect(cachedStatus(policy, arn('POST', '/orders'))).toBe(200)
  })

  test('a conditional allow does not count for a route: conditions depend on the request', async () => {
    const api = build()
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.reader!.claims), path: '/orders/export' })))
    expect(evaluatePolicy(policy, arn('GET', '/orders/export'))).toBe('deny')
  })

  test('a route not listed: an explicit Deny of that request, logged; what the caller may call stays cached', async () => {
    const api = build()
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.reader!.claims), method: 'PUT', path: '/orders/42' })))
    expect(evaluatePolicy(policy, arn('PUT', '/orders/42'))).toBe('deny')
    expect(policy.context).toBeUndefined()
    expect(cachedStatus(policy, arn('GET', '/orders/42'))).toBe(200)
    expect(api.logs).toEqual([expect.objectContaining({ level: 'warn', reason: 'route_not_listed', route: 'PUT/orders/42' })])
  })

  test('ANY stands for each method but those with a route of their own, never for a `*` method', async () => {
    const api = authorizer({ routes: { 'ANY /items': { scopes: ['items/any'] }, 'GET /items': { scopes: ['items/read'] } } }, [verify()])
    const token = await sign({ scope: 'items/any' })
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: token, method: 'POST', path: '/items' })))
    const allowed = policy.policyDocument.Statement.find((s) => s.Effect === 'Allow')!.Resource
    expect(allowed).toEqual(['DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].map((m) => arn(m, '/items')))
    expect(cachedStatus(policy, arn('GET', '/items'))).toBe(403)
    expect(cachedStatus(policy, arn('GET', '/x/items'))).toBe(403)
  })

  test('the root path and a greedy route', async () => {
    const api = authorizer({ routes: { 'GET /': {}, 'ANY /{proxy+}': { scopes: ['all'] } } }, [verify()])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign({}), method: 'GET', path: '/' })))
    expect(evaluatePolicy(policy, arn('GET', '/'))).toBe('allow')
    expect(cachedStatus(policy, arn('GET', '/anything'))).toBe(403)
    const all = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign({ scope: 'all' }), method: 'GET', path: '/a/b' })))
    expect(cachedStatus(all, arn('GET', '/'))).toBe(200)
    expect(cachedStatus(all, arn('DELETE', '/a/b/c'))).toBe(200)
  })

  test('when a Deny cannot be written without denying an allowed route, the reaching Allow is granted for its exact ARN only (logged)', async () => {
    // GET /a/{x} reaches GET /a/{x}/b; the Deny GET/a/*/b would also deny GET /a/c/b, allowed.
    const narrowRoutes = { 'GET /a/{x}': { scopes: ['p'] }, 'GET /a/{x}/b': { scopes: ['q'] }, 'GET /a/c/b': { scopes: ['r'] } }
    const api = authorizer({ routes: narrowRoutes }, [verify()])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign({ scope: 'p r' }), path: '/a/1' })))
    expect(evaluatePolicy(policy, arn('GET', '/a/1'))).toBe('allow')
    expect(cachedStatus(policy, arn('GET', '/a/c/b'))).toBe(200)
    expect(cachedStatus(policy, arn('GET', '/a/2/b'))).toBe(403) // never granted
    expect(cachedStatus(policy, arn('GET', '/a/2'))).toBe(403) // the price: not cached for other ids
    expect(api.logs).toEqual([expect.objectContaining({ level: 'warn', reason: 'policy_narrowed', routes: ['GET /a/{x}'] })])
  })

  test('a path holding IAM wildcard characters is never written into a policy', async () => {
    const api = authorizer({ routes: { 'GET /files/{name}': { scopes: ['files/read'] }, 'GET /files/{name}/raw': { scopes: ['files/raw'] } } }, [verify()])
    const token = await sign({ scope: 'files/read' })
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: token, path: '/files/*' })))
    for (const statement of policy.policyDocument.Statement)
      for (const resource of statement.Resource)
        expect(resource.endsWith('/files/*/raw') || resource.endsWith('/files/*/*') || !resource.includes('/files/*/')).toBe(true)
    expect(cachedStatus(policy, arn('GET', '/files/a/raw'))).toBe(403)
  })

  test('permissions without rbac in front: those routes are denied, and it is logged', async () => {
    const api = authorizer({ routes }, [verify()])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.clerk!.claims), method: 'POST', path: '/orders' })))
    expect(evaluatePolicy(policy, arn('POST', '/orders'))).toBe('deny')
    expect(cachedStatus(policy, arn('GET', '/orders'))).toBe(200)
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'no_permission_check' })])
  })
})

describe('without routes: the Allow covers the stage, so the checks in front must not depend on the route', () => {
  test('oauthScope({ routes }) in front is a configuration error: Deny of the stage, logged, allowed or not', async () => {
    const api = authorizer({}, [verify(), oauthScope({ routes: { 'GET /orders': ['orders/read'] }, routesDefault: ['orders/admin'] })])
    const token = await sign({ scope: 'orders/read' })
    const stage = 'arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/*/*'
    for (const path of ['/orders', '/other']) {
      const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: token, path })))
      expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [stage] }])
    }
    expect(api.logs).toEqual([
      expect.objectContaining({ level: 'error', reason: 'request_specific_check', checks: [{ package: '@middy-auth/oauth-scope', reason: 'routes' }] }),
      expect.objectContaining({ level: 'error', reason: 'request_specific_check' }),
    ])
  })

  test('with routes too: per-route requirements belong to the authorizer', async () => {
    const api = authorizer({ routes }, [verify(), oauthScope({ routes: { 'GET /orders': ['orders/read'] } })])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign({ scope: 'orders/read' }), path: '/orders' })))
    expect(policy.policyDocument.Statement.map((s) => s.Effect)).toEqual(['Deny'])
    expect(api.logs[0]).toMatchObject({ reason: 'request_specific_check' })
  })

  test('oauthScope({ required }) and rbac({ require }) decide for the caller, not the route: fine', async () => {
    const api = authorizer({}, [verify(), oauthScope({ required: ['orders/read'] }), ...rbacInFront({ required: 'orders:read' })])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.reader!.claims), path: '/orders' })))
    expect(policy.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/*/*'] },
    ])
    expect(api.logs).toEqual([])
  })

  test("rbac's own requirement met by a condition of this request, or chosen by a requirement function, is not cached for the stage", async () => {
    const token = await sign(callers.reader!.claims)
    const stage = 'arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/*/*'
    // The viewer's orders:export is a conditional allow (its condition met here); a requirement
    // function may choose another permission for the next request.
    for (const [required, reason] of [
      ['orders:export', 'condition'],
      [() => 'orders:read', 'requirement function'],
    ] as const) {
      const api = authorizer({}, [verify(), ...rbacInFront({ required })])
      const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: token, path: '/orders' })))
      expect([reason, policy.policyDocument.Statement]).toEqual([reason, [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [stage] }]])
      expect(api.logs).toEqual([
        expect.objectContaining({ level: 'error', reason: 'request_specific_check', checks: [{ package: '@middy-auth/rbac', reason }] }),
      ])
    }
  })

  test('rbac({ routes }) in front is refused the same way', async () => {
    const api = authorizer({}, [verify(), ...rbacInFront({ required: undefined, routes: { 'GET /orders': 'orders:read' } })])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ bearer: await sign(callers.reader!.claims), path: '/orders' })))
    expect(policy.policyDocument.Statement.map((s) => s.Effect)).toEqual(['Deny'])
    expect(api.logs[0]).toMatchObject({ reason: 'request_specific_check' })
  })
})

describe('HTTP API simple responses with routes: cached per identity source, so the route must be part of it', () => {
  const simple = () => authorizer({ routes, format: 'simple' }, [verify(), ...rbacInFront({})])

  test('with $context.routeKey among the identity sources: the decision of this route', async () => {
    const token = await sign(callers.reader!.claims)
    const event = (method: string, path: string, routeKey: string) =>
      httpAuthorizerEventV2({ bearer: token, method, path, routeKey, identitySource: [`Bearer ${token}`, routeKey] })
    const api = simple()
    expect(await api.invoke(event('GET', '/orders/42', 'GET /orders/{id}'))).toMatchObject({ response: { isAuthorized: true } })
    expect(await api.invoke(event('GET', '/orders/42/invoice', 'GET /orders/{id}/invoice'))).toEqual({ kind: 'response', response: { isAuthorized: false } })
    expect(await api.invoke(event('PUT', '/orders/42', 'PUT /orders/{id}'))).toEqual({ kind: 'response', response: { isAuthorized: false } })
  })

  test('without: isAuthorized false for every route, logged', async () => {
    const api = simple()
    const token = await sign(callers.admin!.claims)
    expect(await api.invoke(httpAuthorizerEventV2({ bearer: token, path: '/orders', routeKey: 'GET /orders' }))).toEqual({
      kind: 'response',
      response: { isAuthorized: false },
    })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'route_key_not_in_identity_source' })])
  })
})

describe('WebSocket $connect', () => {
  test('routes may name $connect; the policy is its ARN', async () => {
    const api = authorizer({ routes: { $connect: { scopes: ['chat'] } } }, [verify({ tokenSource: { query: 'token' } })])
    const connect = 'arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect'
    const allowed = policyOf(await api.invoke(websocketAuthorizerEvent({ query: { token: await sign({ scope: 'chat' }) } })))
    expect(allowed.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [connect] }])
    const denied = policyOf(await api.invoke(websocketAuthorizerEvent({ query: { token: await sign({ scope: 'other' }) } })))
    expect(denied.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [connect] }])
  })
})
