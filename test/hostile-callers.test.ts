// An outside review of the fixes for issue 10, written as the attacks it tried. Every test goes
// through real middy handlers. An attack that held passes and asserts the refusal; an attack that
// found a hole is `test.failing`, with a comment naming the hole, so the suite stays green while
// the hole is open (remove `.failing` once it is fixed: the test then asserts the refusal).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import authorizerResponse, {
  type AuthorizerLogEntry,
  type AuthorizerResponseOptions,
  type AuthorizerResult,
  type IamPolicyResponse,
} from '@middy-auth/authorizer'
import { getAuth, setAuth, type AuthContext } from '@middy-auth/core'
import { authorizerContextMark, matchesWildcard } from '@middy-auth/core/internal'
import iamContext from '@middy-auth/iam-context'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import {
  albEvent,
  authorizerRequestEvent,
  authorizerTokenEvent,
  createTestIssuer,
  functionUrlEvent,
  httpApiEvent,
  httpAuthorizerEventV1,
  httpAuthorizerEventV2,
  lambdaContext,
  restEvent,
  type TestIssuer,
} from '@middy-auth/testing'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler from '@middy/http-router'
import fc from 'fast-check'
import { errorCode, protect, type Middleware, type Response } from './support/protect.js'

// ------------------------------------------------------------------------------------------------
// Helpers: an authorizer function as the README writes it, and the gateway's view of its answers.
// ------------------------------------------------------------------------------------------------

/** What the authorizer function gave the gateway: a response, or the error it threw. */
type Answer = { response: AuthorizerResult } | { thrown: string }

/** A real authorizer function: `front` middlewares, then authorizerResponse, no handler. */
const authorizerFunction = (options: AuthorizerResponseOptions, front: Middleware[]) => {
  const logs: AuthorizerLogEntry[] = []
  const handler = middy()
  for (const middleware of front) handler.use(middleware)
  handler.use(authorizerResponse({ logger: (entry) => void logs.push(entry), ...options }))
  const ask = async (event: unknown): Promise<Answer> => {
    try {
      return { response: (await handler(event as never, lambdaContext())) as AuthorizerResult }
    } catch (error) {
      return { thrown: (error as Error).message }
    }
  }
  return { ask, logs }
}

/** A middleware in front of the authorizer that establishes a caller with these scopes. */
const caller = (scopes: string[], subject = 'alice'): Middleware => ({
  before: (request) => setAuth(request as never, { source: 'jwt', subject, scopes, roles: [], claims: {} }),
})

/**
 * Whether an answer the gateway holds lets a request through: a simple response by its boolean;
 * an IAM policy evaluated against the request's ARN as IAM does (a Deny wins, then an Allow).
 * An error is never cached and never lets anything through.
 */
const lets = (answer: Answer | undefined, arn: string): boolean => {
  if (answer === undefined || !('response' in answer)) return false
  const response = answer.response
  if (!('policyDocument' in response)) return response.isAuthorized === true
  const covers = (effect: string) =>
    (response as IamPolicyResponse).policyDocument.Statement.some(
      (statement) =>
        statement.Effect === effect &&
        statement.Action === 'execute-api:Invoke' &&
        [statement.Resource].flat().some((resource) => matchesWildcard(resource, arn)),
    )
  return !covers('Deny') && covers('Allow')
}

const httpArn = (method: string, path: string, stage = '$default') => `arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/${stage}/${method}${path}`
const restArn = (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/${method}${path}`

// ------------------------------------------------------------------------------------------------
// 1. The authorizer: an answer the gateway caches, reused for other requests.
// ------------------------------------------------------------------------------------------------

describe('1. authorizer: a cached answer never lets through what the authorizer denies when asked', () => {
  // HOLE, FIXED (authorizer, simple responses): on an HTTP API whose only gateway route is $default, a
  // `$default` entry in `routes` answers every request by itself (lookupKey('$default') in
  // packages/authorizer/src/routes.ts, used before any path matching in src/index.ts), so the
  // stricter `DELETE /admin/{id}` entry the same map lists is never applied: a caller without
  // `admin` gets `isAuthorized: true` for DELETE /admin/5, asked directly. The same map in
  // `format: 'iam-policy'` denies it (its lookup matches the path). The entry written for a path
  // must not be silently overridden by the catch-all entry: refuse (route_key_not_separating)
  // when the request's path matches another listed route, or refuse such a map at cold start.
  test('simple, $default-only API, routes with a $default entry: DELETE /admin/5 without the admin scope is refused', async () => {
    const routes = { $default: {}, 'GET /public/{id}': {}, 'DELETE /admin/{id}': { scopes: ['admin'] } }
    const event = httpAuthorizerEventV2({
      bearer: 'token-of-alice',
      method: 'DELETE',
      path: '/admin/5',
      routeKey: '$default',
      identitySource: ['Bearer token-of-alice', '$default'],
    })
    const simple = authorizerFunction({ format: 'simple', routes }, [caller(['orders/read'])])
    expect(await simple.ask(event)).toEqual({ response: { isAuthorized: false } })
  })

  test('the same map, IAM policy: DELETE /admin/5 without the admin scope is refused, asked and from the cache', async () => {
    const routes = { $default: {}, 'GET /public/{id}': {}, 'DELETE /admin/{id}': { scopes: ['admin'] } }
    const on = (method: string, path: string) => httpAuthorizerEventV2({ bearer: 't', method, path, routeKey: '$default', identitySource: ['Bearer t'] })
    const api = authorizerFunction({ format: 'iam-policy', routes }, [caller(['orders/read'])])
    const cached = await api.ask(on('GET', '/public/1'))
    expect(lets(cached, httpArn('GET', '/public/1'))).toBe(true)
    expect(lets(cached, httpArn('DELETE', '/admin/5'))).toBe(false)
    expect(lets(await api.ask(on('DELETE', '/admin/5')), httpArn('DELETE', '/admin/5'))).toBe(false)
  })

  test('simple: a greedy route key whose paths include another listed route is true only for a caller who may call both', async () => {
    const routes = { 'GET /files/{proxy+}': {}, 'GET /files/admin': { scopes: ['admin'] } }
    const on = (path: string, routeKey: string) => httpAuthorizerEventV2({ bearer: 't', path, routeKey, identitySource: ['Bearer t', routeKey] })
    const api = authorizerFunction({ format: 'simple', routes }, [caller([])])
    // The gateway has a GET /files/admin route: its own route key, its own cache entry.
    expect(await api.ask(on('/files/admin', 'GET /files/admin'))).toEqual({ response: { isAuthorized: false } })
    // A true cached for GET /files/{proxy+} would also answer /files/admin/ (which a router
    // behind may serve as /files/admin): refused for a caller who may not call GET /files/admin.
    expect(await api.ask(on('/files/a', 'GET /files/{proxy+}'))).toEqual({ response: { isAuthorized: false } })
    expect(api.logs.map((entry) => entry.reason)).toEqual(['route_key_not_separating'])
    const admin = authorizerFunction({ format: 'simple', routes }, [caller(['admin'])])
    expect(await admin.ask(on('/files/a', 'GET /files/{proxy+}'))).toMatchObject({ response: { isAuthorized: true } })
  })

  // HOLE, FIXED (same root as the $default entry above): a greedy route key listed in `routes` answers
  // by itself too, so a `GET /files/admin` entry of the same map is never applied to
  // GET /files/admin when the gateway routes it through `GET /files/{proxy+}`. The IAM-policy
  // format, asked about the same request, denies it (its policy Denies GET/files/admin).
  test('simple, a greedy route key listed: GET /files/admin through GET /files/{proxy+} gets the admin entry, as the IAM policy does', async () => {
    const routes = { 'GET /files/{proxy+}': {}, 'GET /files/admin': { scopes: ['admin'] } }
    const event = httpAuthorizerEventV2({
      bearer: 't',
      path: '/files/admin',
      routeKey: 'GET /files/{proxy+}',
      identitySource: ['Bearer t', 'GET /files/{proxy+}'],
    })
    const policy = authorizerFunction({ format: 'iam-policy', routes }, [caller([])])
    expect(lets(await policy.ask(event), httpArn('GET', '/files/admin'))).toBe(false)
    const simple = authorizerFunction({ format: 'simple', routes }, [caller([])])
    expect(await simple.ask(event)).toEqual({ response: { isAuthorized: false } })
  })

  test('simple: the route key sent by the client in a header, the query or a cookie is not taken for $context.routeKey', async () => {
    const routes = { 'GET /public/{id}': {}, 'DELETE /admin/{id}': { scopes: ['admin'] } }
    const api = authorizerFunction({ format: 'simple', routes }, [caller([])])
    const routeKey = 'GET /public/{id}'
    for (const sent of [{ headers: { 'x-route': routeKey } }, { query: { r: routeKey } }, { cookies: { r: routeKey } }]) {
      // Identity sources: the token and a client value; the gateway's own route key is DELETE /admin/{id}.
      const event = httpAuthorizerEventV2({
        ...sent,
        bearer: 't',
        method: 'DELETE',
        path: '/admin/5',
        routeKey: 'DELETE /admin/{id}',
        identitySource: ['Bearer t', 'DELETE /admin/{id}', routeKey],
      })
      expect(await api.ask(event)).toEqual({ response: { isAuthorized: false } })
      const forged = httpAuthorizerEventV2({ ...sent, bearer: 't', method: 'GET', path: '/public/1', routeKey, identitySource: ['Bearer t', routeKey] })
      expect(await api.ask(forged)).toEqual({ response: { isAuthorized: false } })
    }
  })

  test('WebSocket $connect: the Allow covers $connect of the stage only', async () => {
    const api = authorizerFunction({ routes: { $connect: { scopes: ['chat'] } } }, [caller(['chat'])])
    const event = authorizerRequestEvent({
      bearer: 't',
      method: 'GET',
      path: '/',
      requestContext: { eventType: 'CONNECT', connectionId: 'abc=', routeKey: '$connect' } as never,
    })
    event.methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect'
    const answer = await api.ask(event)
    expect(lets(answer, 'arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect')).toBe(true)
    for (const tail of ['$disconnect', '$default', 'sendMessage', 'GET/', '$connect/x']) {
      expect([tail, lets(answer, `arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/${tail}`)]).toEqual([tail, false])
    }
    const denied = authorizerFunction({ routes: { $connect: { scopes: ['chat'] } } }, [caller([])])
    expect(lets(await denied.ask(event), 'arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect')).toBe(false)
  })

  test('rbac in front: a permission granted only under a condition of this request is not cached for other requests', async () => {
    const owner = rbac({
      policy: { roles: { viewer: { allow: [{ permission: 'orders:read', when: 'ownOrder' }] } } },
      rolesFrom: () => ['viewer'],
      required: [],
      conditions: { ownOrder: ({ event }: { event: unknown }) => String((event as { path?: string }).path).endsWith('/alice') },
    } as never)
    const api = authorizerFunction({ routes: { 'GET /orders/{id}': { permissions: ['orders:read'] } } }, [caller([]), owner])
    const own = await api.ask(authorizerRequestEvent({ bearer: 't', method: 'GET', path: '/orders/alice', resource: '/orders/{id}' }))
    for (const path of ['/orders/bob', '/orders/alice']) expect([path, lets(own, restArn('GET', path))]).toEqual([path, false])
  })

  // HOLE, FIXED (authorizer, IAM policy, HTTP APIs): the Allow of a satisfied `$default` entry is `*`
  // (every method and path), and an unsatisfied `ANY /a` entry is denied by the seven methods
  // `httpMethods` lists (`GET/a` … `OPTIONS/a`, packages/authorizer/src/routes.ts: an `ANY`
  // route's patterns, and `reachOf` treats a literal route as reaching nothing). A request with
  // any other method token (an extension method such as PROPFIND, or `get`) that the gateway
  // routes to `ANY /a` is let through by the policy cached for GET /zz, while the authorizer,
  // asked about it directly, denies it (it adds the request's own ARN to the Denies). The ANY
  // route's Deny must cover every method (`*/a` where that is expressible), or `*` must not be
  // granted beside an unsatisfied ANY route. Not verified against AWS: whether HTTP APIs hand an
  // extension or lower-case method to an ANY route (the $default route takes every method).
  test('IAM policy, HTTP API: an extension method to an unsatisfied ANY route is not let through by a cached Allow of $default', async () => {
    const routes = { 'ANY /a': { scopes: ['admin'] }, $default: {} }
    const api = authorizerFunction({ format: 'iam-policy', routes }, [caller([])])
    const on = (method: string, path: string, routeKey: string) => httpAuthorizerEventV2({ bearer: 't', method, path, routeKey, identitySource: ['Bearer t'] })
    const cached = await api.ask(on('GET', '/zz', '$default'))
    expect(lets(cached, httpArn('GET', '/zz'))).toBe(true)
    // The seven methods hold.
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
      expect([method, lets(cached, httpArn(method, '/a'))]).toEqual([method, false])
    for (const method of ['PROPFIND', 'get']) {
      // Asked directly: denied.
      expect([method, lets(await api.ask(on(method, '/a', 'ANY /a')), httpArn(method, '/a'))]).toEqual([method, false])
      // From the cache: must be denied too.
      expect([method, lets(cached, httpArn(method, '/a'))]).toEqual([method, false])
    }
  })

  test('oauthScope({ routes }) in front of the authorizer is refused (a Deny), never cached as an Allow', async () => {
    const api = authorizerFunction({}, [caller(['orders/read']), oauthScope({ routes: { 'GET /orders': ['orders/read'] }, routesDefault: ['orders/read'] })])
    const answer = await api.ask(authorizerTokenEvent({ token: 't', method: 'GET', path: '/orders' }))
    expect(lets(answer, restArn('GET', '/orders'))).toBe(false)
    expect(lets(answer, restArn('DELETE', '/orders'))).toBe(false)
    expect(api.logs.map((entry) => entry.reason)).toContain('request_specific_check')
  })
})

describe('1. authorizer: the credential it verified must be part of the cache key', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await createTestIssuer()
  })
  afterAll(() => issuer.close())

  // HOLE, FIXED (authorizer, detectable misconfiguration): on HTTP API payload 2.0 the event carries the
  // identity sources' values, and the authorizer refuses simple responses whose cache key lacks
  // the route key (src/index.ts, route_key_not_in_identity_source), but never checks that the
  // token jwtVerify verified is in the cache key. With identity sources that do not hold the token
  // (only $context.routeKey, or a tenant header, while the token is read from Authorization), the
  // answer for an admin is cached and given to every other caller of the route, token or not;
  // asked directly about their request, the authorizer denies it. When the event lists identity
  // source values and none holds the verified token, the authorizer should refuse (log and
  // deny), as it does for the route key.
  test("simple, routes, identity source $context.routeKey alone: an admin's Allow is not cached for everyone", async () => {
    const verify = jwtVerify({ issuers: [{ issuer: issuer.issuer, audience: 'orders', jwksUri: issuer.jwksUri }] })
    const api = authorizerFunction({ format: 'simple', routes: { 'DELETE /admin/{id}': { scopes: ['admin'] } } }, [verify])
    const admin = await issuer.sign({ sub: 'alice', scope: 'admin' }, { audience: 'orders' })
    const mallory = await issuer.sign({ sub: 'mallory', scope: 'orders/read' }, { audience: 'orders' })
    const on = (token: string) =>
      httpAuthorizerEventV2({ bearer: token, method: 'DELETE', path: '/admin/5', routeKey: 'DELETE /admin/{id}', identitySource: ['DELETE /admin/{id}'] })
    // Asked about mallory's request: denied.
    expect(await api.ask(on(mallory))).toEqual({ response: { isAuthorized: false } })
    // The gateway's cache key of both requests is the same: ['DELETE /admin/{id}'].
    expect(on(admin).identitySource).toEqual(on(mallory).identitySource)
    // So the admin's answer, cached, must not be an Allow.
    expect(lets(await api.ask(on(admin)), httpArn('DELETE', '/admin/5'))).toBe(false)
  })
})

/**
 * API Gateway's routing, modelled on its own (as packages/authorizer/test/property.test.ts does,
 * with every method): the most specific route wins, segment by segment (a literal before `{p}`
 * before `{g+}`), then an explicit method before `ANY`. `{p}` is one non-empty segment, `{g+}`
 * one or more characters. Undefined: no route (the gateway answers 404 without the authorizer).
 */
type ModelRoute = { method: string; segments: string[] }
const modelKey = (route: ModelRoute) => `${route.method} /${route.segments.join('/')}`
const rank = (segment: string) => (segment === '{g+}' ? 2 : segment === '{p}' ? 1 : 0)
const templateMatches = (segments: string[], parts: string[]): boolean => {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string
    if (segment === '{g+}') return parts.slice(i).join('/').length > 0
    if (i >= parts.length) return false
    if (segment === '{p}' ? parts[i] === '' : segment !== parts[i]) return false
  }
  return segments.length === parts.length
}
const gatewayRouteOf = (routes: ModelRoute[], method: string, path: string): number | undefined => {
  const parts = path.slice(1).split('/')
  let best: number | undefined
  routes.forEach((route, i) => {
    if ((route.method !== method && route.method !== 'ANY') || !templateMatches(route.segments, parts)) return
    if (best === undefined) return void (best = i)
    const current = routes[best] as ModelRoute
    let order = 0
    for (let s = 0; s < Math.max(route.segments.length, current.segments.length) && order === 0; s++)
      order = rank(route.segments[s] ?? '{g+}') - rank(current.segments[s] ?? '{g+}')
    if (order === 0) order = Number(route.method === 'ANY') - Number(current.method === 'ANY')
    if (order < 0) best = i
  })
  return best
}

const routeMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const
// Requests use the seven methods API Gateway names routes with; extension methods and lower case
// are attacked on their own below (they found a hole).
const requestMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const modelRoute: fc.Arbitrary<ModelRoute> = fc.record({
  method: fc.constantFrom(...routeMethods),
  segments: fc
    .tuple(fc.array(fc.constantFrom('a', 'b', '{p}'), { maxLength: 2 }), fc.constantFrom<string | undefined>('a', 'b', '{p}', '{g+}', undefined))
    .map(([head, last]) => (last === undefined ? (head.length > 0 ? head : ['a']) : [...head, last])),
})
const modelRouteSet = fc.uniqueArray(modelRoute, { minLength: 1, maxLength: 6, selector: modelKey })
// Path segments an attacker sends: the routes' literals, fresh values, IAM wildcard characters,
// an encoded slash, `$connect`, and empty segments.
const pathSegment = fc.constantFrom('a', 'b', 'x', '*', 'a*', '?', 'x%2Fa', '$connect', '')
const requestArb = fc
  .tuple(fc.constantFrom(...requestMethods), fc.array(pathSegment, { minLength: 1, maxLength: 4 }))
  .map(([method, parts]) => [method, `/${parts.join('/')}`] as const)

interface Setup {
  name: string
  format: 'simple' | 'iam-policy'
  /** Whether the gateway has a $default route besides the model's routes (HTTP APIs only). */
  gatewayDefault: boolean
  /** The authorizer event, the request's ARN and the gateway's cache key; undefined: the gateway never calls the authorizer. */
  request: (routes: ModelRoute[], method: string, path: string) => { event: unknown; arn: string; cacheKey: string } | undefined
}

const httpApiRequest = (identity: 'token' | 'token+routeKey', gatewayDefault: boolean) => (routes: ModelRoute[], method: string, path: string) => {
  const found = gatewayRouteOf(routes, method, path)
  if (found === undefined && !gatewayDefault) return undefined
  const routeKey = found === undefined ? '$default' : modelKey(routes[found] as ModelRoute)
  const identitySource = identity === 'token' ? ['Bearer t'] : ['Bearer t', routeKey]
  return {
    event: httpAuthorizerEventV2({ bearer: 't', method, path, routeKey, identitySource }),
    arn: httpArn(method, path),
    cacheKey: JSON.stringify(identitySource),
  }
}

const setups: Setup[] = [
  {
    name: 'HTTP API, the model routes + $default, simple, token + $context.routeKey',
    format: 'simple',
    gatewayDefault: true,
    request: httpApiRequest('token+routeKey', true),
  },
  {
    name: 'HTTP API, the model routes, simple, token + $context.routeKey',
    format: 'simple',
    gatewayDefault: false,
    request: httpApiRequest('token+routeKey', false),
  },
  { name: 'HTTP API, the model routes + $default, IAM policy, token only', format: 'iam-policy', gatewayDefault: true, request: httpApiRequest('token', true) },
  { name: 'HTTP API, the model routes, IAM policy, token only', format: 'iam-policy', gatewayDefault: false, request: httpApiRequest('token', false) },
  {
    name: 'HTTP API payload 1.0, the model routes, IAM policy, token only',
    format: 'iam-policy',
    gatewayDefault: false,
    request: (routes, method, path) => {
      const found = gatewayRouteOf(routes, method, path)
      if (found === undefined) return undefined
      const event = httpAuthorizerEventV1({ bearer: 't', method, path, identitySource: ['Bearer t'] })
      event.methodArn = httpArn(method, path)
      return { event, arn: httpArn(method, path), cacheKey: 't' }
    },
  },
  {
    name: 'REST, the model routes, REQUEST authorizer, IAM policy, token only',
    format: 'iam-policy',
    gatewayDefault: false,
    request: (routes, method, path) => {
      const found = gatewayRouteOf(routes, method, path)
      if (found === undefined) return undefined
      const route = routes[found] as ModelRoute
      const event = authorizerRequestEvent({ bearer: 't', method, path, resource: `/${route.segments.join('/')}` })
      // REST: an ANY method's request carries its own method; the resource names the route.
      return { event, arn: restArn(method, path), cacheKey: 't' }
    },
  },
  {
    name: 'REST, the model routes, TOKEN authorizer, IAM policy',
    format: 'iam-policy',
    gatewayDefault: false,
    request: (routes, method, path) =>
      gatewayRouteOf(routes, method, path) === undefined
        ? undefined
        : { event: authorizerTokenEvent({ token: 't', method, path }), arn: restArn(method, path), cacheKey: 't' },
  },
]

describe('1. authorizer, model-based: every method, wildcard characters, %2F and empty segments in paths, ANY beside explicit methods', () => {
  test.each(setups.flatMap((setup) => [{ ...setup, small: false }, ...(setup.format === 'iam-policy' ? [{ ...setup, small: true }] : [])]))(
    '$name (maxResponseBytes narrowing: $small)',
    async ({ format, gatewayDefault, request, small }) => {
      await fc.assert(
        fc.asyncProperty(
          modelRouteSet,
          fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
          fc.array(
            fc.oneof(
              requestArb,
              fc.nat().map((n) => n),
            ),
            { minLength: 2, maxLength: 8 },
          ),
          fc.constantFrom<'none' | 'weak' | 'strong'>('none', 'weak', 'strong'),
          async (routes, holds, picks, defaultEntry) => {
            const listed: Record<string, { scopes?: string[] }> = Object.fromEntries(routes.map((route, i) => [modelKey(route), { scopes: [`s${i}`] }]))
            if (defaultEntry === 'weak') listed.$default = {}
            if (defaultEntry === 'strong') listed.$default = { scopes: ['s6'] }
            const scopes = [0, 1, 2, 3, 4, 5, 6].filter((i) => holds[i]).map((i) => `s${i}`)
            const api = authorizerFunction({ format, routes: listed, ...(small ? { maxResponseBytes: 700 } : {}) }, [caller(scopes)])
            // The oracle: the same authorizer without a size limit, whose Deny is a decision, never a
            // policy too large to send.
            const oracle = small ? authorizerFunction({ format, routes: listed }, [caller(scopes)]) : api
            // Requests: the picks, where a number picks a concrete request of a route.
            const own = routes.flatMap((route) =>
              (route.method === 'ANY' ? ['GET', 'HEAD', 'OPTIONS'] : [route.method]).map(
                (method) => [method, `/${route.segments.map((s) => (s === '{p}' ? 'x' : s === '{g+}' ? 'x/a' : s)).join('/')}`] as const,
              ),
            )
            const requests = picks.map((pick) => (typeof pick === 'number' ? (own[pick % own.length] as readonly [string, string]) : pick))
            const cache = new Map<string, Answer>()
            for (const [method, path] of requests) {
              const sent = request(routes, method, path)
              if (sent === undefined) continue
              if (!cache.has(sent.cacheKey)) {
                const answer = await api.ask(sent.event)
                if ('response' in answer) cache.set(sent.cacheKey, answer)
              }
              if (lets(cache.get(sent.cacheKey), sent.arn)) {
                // The cached answer lets it through: asked directly, the authorizer must too.
                const direct = await oracle.ask(sent.event)
                expect({ gatewayDefault, listed: Object.keys(listed), method, path, direct: lets(direct, sent.arn) }).toEqual({
                  gatewayDefault,
                  listed: Object.keys(listed),
                  method,
                  path,
                  direct: true,
                })
              }
            }
          },
        ),
        { numRuns: 150, seed: 20261204 },
      )
    },
  )
})

// ------------------------------------------------------------------------------------------------
// 2. Claims and contexts.
// ------------------------------------------------------------------------------------------------

const policy = {
  roles: {
    Admins: { allow: ['*'] },
    admin: { allow: ['*'] },
    viewer: { allow: ['orders:read'] },
  },
}

/** Refused with 403 and the code, the handler never called. */
const expectRefused = async (middlewares: Middleware[], event: unknown, code: string, label: string) => {
  const api = protect(middlewares)
  const response = await api.invoke(event)
  expect([label, response.statusCode, errorCode(response), api.seen.length]).toEqual([label, 403, code, 0])
}

/** A middleware of the user's between the identity and rbac / oauthScope that replaces `context.auth`. */
const replacing = (copy: (auth: AuthContext) => AuthContext): Middleware => ({
  before: (request) => {
    const auth = getAuth(request as never)
    if (auth) (request.context as { auth?: AuthContext }).auth = copy(auth)
  },
})

const copies: Array<[string, Middleware]> = [
  ['spread', replacing((auth) => ({ ...auth }))],
  ['structuredClone', replacing((auth) => structuredClone(auth))],
  ['JSON round trip', replacing((auth) => JSON.parse(JSON.stringify(auth)) as AuthContext)],
  ['Object.freeze in place', { before: (request) => void Object.freeze(getAuth(request as never)) }],
  ['frozen spread', replacing((auth) => Object.freeze({ ...auth }))],
  ['a Proxy', replacing((auth) => new Proxy(auth, {}))],
  [
    'a Proxy that hides stringifiedClaims',
    replacing((auth) => new Proxy(auth, { get: (target, key) => (key === 'stringifiedClaims' ? undefined : Reflect.get(target, key)) })),
  ],
]

describe('2. claims and contexts', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await createTestIssuer()
  })
  afterAll(() => issuer.close())
  const selfVerified = () => jwtVerify({ issuers: [{ issuer: issuer.issuer, audience: 'orders', jwksUri: issuer.jwksUri }] })

  /** The event with `requestContext.authorizer` as given (the builders refuse what a REST context cannot hold). */
  const withAuthorizer = (event: object, authorizer: unknown) => {
    ;(event as { requestContext: Record<string, unknown> }).requestContext.authorizer = authorizer
    return event
  }
  // As JSON.parse (the Lambda runtime) delivers an event: every "__proto__" is an own property.
  const hostile = (text: string) => JSON.parse(text) as Record<string, unknown>
  const prototypeKeyEvents: Array<[string, unknown]> = [
    [
      'HTTP API Lambda context, top level',
      httpApiEvent({
        authorizer: { lambda: hostile('{"sub":"mallory","__proto__":{"principalId":"admin-user","roles":"admin","scopes":"orders/admin","group":"admin"}}') },
      }),
    ],
    [
      'HTTP API Lambda context, nested and constructor/prototype keys',
      httpApiEvent({
        authorizer: {
          lambda: hostile(
            '{"principalId":"mallory","group":{"__proto__":["admin"]},"constructor":{"prototype":{"roles":"admin","scopes":"orders/admin"}},"prototype":{"roles":"admin"}}',
          ),
        },
      }),
    ],
    [
      'REST flat Lambda context',
      withAuthorizer(
        restEvent(),
        hostile('{"principalId":"mallory","__proto__":{"roles":"admin","scopes":"orders/admin","group":"admin"},"constructor":"admin"}'),
      ),
    ],
    [
      'marked (@middy-auth/authorizer) context with __proto__',
      httpApiEvent({
        authorizer: {
          lambda: hostile(
            `{"${authorizerContextMark}":1,"principalId":"mallory","scopes":"[]","roles":"[]","__proto__":{"roles":"[\\"admin\\"]","scopes":"[\\"orders/admin\\"]","group":"admin"}}`,
          ),
        },
      }),
    ],
  ]
  // The HTTP API JWT authorizer and the REST Cognito authorizer hand claims on as strings.
  const jwtClaims = hostile(
    '{"sub":"mallory","__proto__":{"scope":"orders/admin","group":"admin","cognito:groups":"[admin]","sub":"admin-user"},"cognito:groups":"[viewer]"}',
  )
  const jwtEvent = httpApiEvent({ authorizer: { jwt: { claims: {} } } }) as unknown as {
    requestContext: { authorizer: { jwt: { claims: unknown; scopes: unknown } } }
  }
  jwtEvent.requestContext.authorizer.jwt = { claims: jwtClaims, scopes: null }
  prototypeKeyEvents.push(['HTTP API JWT authorizer claims', jwtEvent])
  prototypeKeyEvents.push(['REST Cognito authorizer claims', withAuthorizer(restEvent(), { claims: jwtClaims })])

  test.each(prototypeKeyEvents)('__proto__ / constructor / prototype keys: %s grant no scope, role or subject', async (label, event) => {
    await expectRefused([oauthScope({ required: ['orders/admin'] })], event, 'insufficient_scope', `${label}: oauthScope`)
    await expectRefused([rbac({ policy, required: 'orders:delete' })], event, 'access_denied', `${label}: rbac roles`)
    await expectRefused([rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })], event, 'access_denied', `${label}: rbac group`)
    await expectRefused([rbac({ policy, rolesFrom: 'cognito:groups', required: 'orders:delete' })], event, 'access_denied', `${label}: rbac cognito:groups`)
    for (const [name, copy] of copies) {
      await expectRefused(
        [jwtVerify({ trustApiGateway: true, issuers: [] }), copy, rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })],
        event,
        'access_denied',
        `${label}, ${name}`,
      )
    }
    const api = protect([jwtVerify({ trustApiGateway: true, issuers: [] })])
    const response = await api.invoke(event)
    if (response.statusCode === 200) expect(api.seen[0]?.subject).not.toBe('admin-user')
  })

  test('a self-verified token with __proto__, constructor and stringifiedClaims claims grants nothing', async () => {
    const claims = hostile(
      '{"sub":"mallory","__proto__":{"scope":"orders/admin","groups":["Admins"]},"constructor":{"prototype":{"groups":["Admins"]}},"stringifiedClaims":true,"groups":"viewer,Admins"}',
    )
    const token = await issuer.sign(claims, { audience: 'orders' })
    const event = httpApiEvent({ bearer: token })
    await expectRefused([selfVerified(), oauthScope({ required: ['orders/admin'] })], event, 'insufficient_scope', 'oauthScope')
    await expectRefused([selfVerified(), rbac({ policy, rolesFrom: 'groups', required: 'orders:delete' })], event, 'access_denied', 'rbac')
    for (const [name, copy] of copies)
      await expectRefused([selfVerified(), copy, rbac({ policy, rolesFrom: 'groups', required: 'orders:delete' })], event, 'access_denied', name)
  })

  // Group names that hold a space, a comma or brackets, and where each source may carry them.
  const markedContext = (group: string) => ({ [authorizerContextMark]: 1, principalId: 'mallory', sub: 'mallory', group, scopes: '[]', roles: '[]' })
  const exactSources: Array<[string, (group: string) => unknown]> = [
    ['marked context, HTTP API', (group) => httpApiEvent({ authorizer: { lambda: markedContext(group) } })],
    [
      'marked context, REST (strings)',
      (group) => restEvent({ authorizer: Object.fromEntries(Object.entries(markedContext(group)).map(([k, v]) => [k, String(v)])) as never }),
    ],
  ]
  test.each(exactSources)('%s: "Not Admins", "viewer,Admins", "[Admins]", "[viewer Admins]" are each one group, through every copy', async (label, eventOf) => {
    for (const group of ['Not Admins', 'viewer,Admins', '[Admins]', '[viewer Admins]', ' Admins ']) {
      await expectRefused([rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })], eventOf(group), 'access_denied', `${label} ${group}`)
      for (const [name, copy] of copies) {
        await expectRefused(
          [jwtVerify({ trustApiGateway: true, issuers: [] }), copy, rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })],
          eventOf(group),
          'access_denied',
          `${label} ${group}, ${name}`,
        )
      }
    }
  })

  test('hand-written Lambda authorizer context (unmarked) and REST Cognito claims: "Not Admins" is one group', async () => {
    await expectRefused(
      [rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })],
      httpApiEvent({ authorizer: { lambda: { principalId: 'mallory', group: 'Not Admins' } } }),
      'access_denied',
      'HTTP API',
    )
    await expectRefused(
      [rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })],
      restEvent({ authorizer: { principalId: 'mallory', group: 'Not Admins' } as never }),
      'access_denied',
      'REST',
    )
    const cognito = restEvent({ authorizer: { claims: { sub: 'mallory', 'cognito:groups': 'Not Admins,viewer' } } as never })
    await expectRefused([rbac({ policy, rolesFrom: 'cognito:groups', required: 'orders:delete' })], cognito, 'access_denied', 'REST Cognito')
  })

  // KNOWN LIMITATION, not a regression (docs/security.md, rbac "Relies on"): the HTTP API JWT
  // authorizer writes the list ['Not Admins'] as "[Not Admins]", which cannot be told from the two
  // groups Not and Admins; rbac reads it as two and grants Admins. Kept here so that the false
  // accept stays visible: a caller in a group whose name holds a space or comma is granted the
  // role named by a part of it. (A fix would need the claim from the token itself, jwtVerify.)
  test.failing('HTTP API JWT authorizer: a cognito:groups ["Not Admins"] does not grant Admins', async () => {
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'mallory', 'cognito:groups': ['Not Admins'] } } } })
    await expectRefused([rbac({ policy, rolesFrom: 'cognito:groups', required: 'orders:delete' })], event, 'access_denied', 'JWT authorizer')
  })

  test('scopes with commas, brackets or JSON text: one scope-token wherever a comma is (every source)', async () => {
    const events: Array<[string, unknown]> = [
      ['JWT authorizer claims', httpApiEvent({ authorizer: { jwt: { claims: { sub: 'mallory', scope: 'orders/read,orders/admin' } } } })],
      ['REST Cognito claims', restEvent({ authorizer: { claims: { sub: 'mallory', scope: 'orders/read,orders/admin' } } as never })],
      ['hand-written context', httpApiEvent({ authorizer: { lambda: { principalId: 'mallory', scopes: 'orders/read,orders/admin' } } })],
      [
        'marked context, one scope holding a comma',
        httpApiEvent({ authorizer: { lambda: { ...markedContext('x'), scopes: '["orders/read,orders/admin"]' } } }),
      ],
      ['marked context, a JSON-looking scope', httpApiEvent({ authorizer: { lambda: { ...markedContext('x'), scopes: '["[\\"orders/admin\\"]"]' } } })],
    ]
    for (const [label, event] of events) await expectRefused([oauthScope({ required: ['orders/admin'] })], event, 'insufficient_scope', label)
    const token = await issuer.sign({ sub: 'mallory', scope: 'orders/read,orders/admin [orders/admin] ["orders/admin"]' }, { audience: 'orders' })
    await expectRefused([selfVerified(), oauthScope({ required: ['orders/admin'] })], httpApiEvent({ bearer: token }), 'insufficient_scope', 'self-verified')
  })

  // HOLE, FIXED (authorizer → target): @middy-auth/authorizer writes a string claim named in
  // `contextClaims` as it is (packages/core/src/authorizer-context.ts, encodeAuthorizerContext), while core reads a
  // marked context's string that parses as a JSON list of strings as that list
  // (packages/core/src/authorizer-context.ts, decodeAuthorizerContext). A token whose `groups` claim is the
  // one string '["Admins"]' (a user-editable attribute, a group of that name) is the group
  // '["Admins"]' to rbac in front of the authorizer, and the role Admins to rbac in the target
  // function. The authorizer must write a string that looks like a JSON list so that it comes
  // back as one string (e.g. as the JSON list of it), or the reader must not parse claims that
  // were strings.
  test('authorizer → target: a string claim \'["Admins"]\' copied to the context stays one group name', async () => {
    const token = await issuer.sign({ sub: 'mallory', groups: '["Admins"]' }, { audience: 'orders' })
    // In front of the authorizer, the claim is one group name: no Admins.
    await expectRefused(
      [selfVerified(), rbac({ policy, rolesFrom: 'groups', required: 'orders:delete' })],
      httpApiEvent({ bearer: token }),
      'access_denied',
      'in front',
    )
    const api = authorizerFunction({ format: 'simple', contextClaims: ['sub', 'groups'] }, [selfVerified()])
    const answer = await api.ask(httpAuthorizerEventV2({ bearer: token, identitySource: [`Bearer ${token}`] }))
    if (!('response' in answer) || !('context' in answer.response) || !answer.response.context) throw new Error(`no Allow: ${JSON.stringify(answer)}`)
    const target = httpApiEvent({ authorizer: { lambda: answer.response.context } })
    await expectRefused([rbac({ policy, rolesFrom: 'groups', required: 'orders:delete' })], target, 'access_denied', 'target')
  })
})

// ------------------------------------------------------------------------------------------------
// 3. Route maps beside @middy/http-router: the requirement applied is that of the handler run.
// ------------------------------------------------------------------------------------------------

describe('3. routes beside @middy/http-router', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await createTestIssuer()
  })
  afterAll(() => issuer.close())

  /**
   * oauthScope and rbac with routes beside the router, the map keyed like the router's routes (as
   * the READMEs ask). `routerRoutes`: [method, path, the requirement's strength]. Records which
   * handler ran.
   */
  const app = (kind: 'oauthScope' | 'rbac', routes: Array<[string, string, 'strong' | 'weak']>) => {
    const ran: string[] = []
    const scopes = { strong: ['orders/admin'], weak: ['orders/read'] }
    const permissions = { strong: 'orders:delete', weak: 'orders:read' }
    const guard =
      kind === 'oauthScope'
        ? oauthScope({ routes: Object.fromEntries(routes.map(([method, path, strength]) => [`${method} ${path}`, scopes[strength]])) })
        : rbac({
            policy,
            rolesFrom: 'groups',
            routes: Object.fromEntries(routes.map(([method, path, strength]) => [`${method} ${path}`, permissions[strength]])),
          })
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(jwtVerify({ issuers: [{ issuer: issuer.issuer, audience: 'orders', jwksUri: issuer.jwksUri }] }))
      .use(guard)
      .handler(
        httpRouterHandler(
          routes.map(([method, path, strength]) => ({
            method: method as 'GET',
            path,
            handler: async () => {
              ran.push(`${strength} ${method} ${path}`)
              return { statusCode: 200, body: strength }
            },
          })),
        ) as never,
      )
    const invoke = async (event: unknown) => (await handler(event as never, lambdaContext() as never)) as Response
    return { invoke, ran }
  }
  /** A caller who may call the weak routes only. */
  const weakToken = () => issuer.sign({ sub: 'mallory', scope: 'orders/read', groups: ['viewer'] }, { audience: 'orders' })

  // HOLE, FIXED (core, routes beside the router): when the gateway names a route without a greedy
  // variable, only that key counts (packages/core/src/route.ts, routerLookup: "The gateway names
  // the route and the function behind it serves that route alone"). But @middy/http-router behind
  // it routes by the path: with a gateway route `GET /orders/{id}` (and no `GET /orders/admin`
  // route at the gateway) the router runs its `GET /orders/admin` handler for GET /orders/admin,
  // while the middleware applies the `GET /orders/{id}` entry. The map is keyed exactly like the
  // router's routes, as the README asks. When the router behind could pick another entry for the
  // path (a more specific template of the map matches it), the named key must not decide alone:
  // match the path as the router does, or refuse.
  test.each(['oauthScope', 'rbac'] as const)(
    '%s: gateway route GET /orders/{id}, router routes GET /orders/admin (strong) and GET /orders/{id} (weak): GET /orders/admin is refused',
    async (kind) => {
      const api = app(kind, [
        ['GET', '/orders/admin', 'strong'],
        ['GET', '/orders/{id}', 'weak'],
      ])
      const token = await weakToken()
      for (const event of [
        httpApiEvent({ routeKey: 'GET /orders/{id}', method: 'GET', path: '/orders/admin', pathParameters: { id: 'admin' }, bearer: token }),
        restEvent({ resource: '/orders/{id}', method: 'GET', path: '/orders/admin', pathParameters: { id: 'admin' }, bearer: token }),
      ]) {
        const response = await api.invoke(event)
        expect([response.statusCode, api.ran]).toEqual([403, []])
      }
    },
  )

  // HOLE, FIXED (core, same root): an HTTP API delivers requestContext.http.path decoded, and the gateway
  // takes `1%2Fprivate` as one segment of its `GET /reports/{id}` route. The router behind routes
  // the decoded `/reports/1/private` to its `GET /reports/{id}/private` handler, while the
  // middleware applies the named `GET /reports/{id}` entry. This needs no missing gateway route:
  // the gateway may have both routes. (Whether the gateway matches `%2F` as one segment is what
  // API Gateway is reported to do for path parameters; not verified here against AWS.)
  test.each(['oauthScope', 'rbac'] as const)('%s: GET /reports/1%%2Fprivate through the gateway route GET /reports/{id} is refused', async (kind) => {
    const api = app(kind, [
      ['GET', '/reports/{id}', 'weak'],
      ['GET', '/reports/{id}/private', 'strong'],
    ])
    const event = httpApiEvent({
      routeKey: 'GET /reports/{id}',
      method: 'GET',
      path: '/reports/1%2Fprivate',
      pathParameters: { id: '1/private' },
      bearer: await weakToken(),
    })
    event.requestContext.http.path = '/reports/1/private'
    const response = await api.invoke(event)
    expect([response.statusCode, api.ran]).toEqual([403, []])
  })

  test.each(['oauthScope', 'rbac'] as const)(
    "%s: behind catch-alls (function URL, ALB, REST /{proxy+}, HTTP API $default and ANY /{proxy+}), every path gets the handler's requirement",
    async (kind) => {
      const api = app(kind, [
        ['GET', '/files/{proxy+}', 'strong'],
        ['GET', '/orders/admin', 'strong'],
        ['GET', '/orders/{id}', 'weak'],
        ['ANY', '/{proxy+}', 'weak'],
      ])
      const token = await weakToken()
      const strongPaths = ['/files', '/files/', '/files/a', '/files/a/b', '/files//x', '/orders/admin', '/orders/admin/']
      const deliveries = (method: string, path: string): Array<[string, unknown]> => [
        ['function URL', functionUrlEvent({ method, path, bearer: token })],
        ['ALB', albEvent({ method, path, bearer: token })],
        ['REST /{proxy+}', restEvent({ method, path, resource: '/{proxy+}', bearer: token })],
        ['HTTP API $default', httpApiEvent({ routeKey: '$default', method, path, bearer: token })],
        ['HTTP API ANY /{proxy+}', httpApiEvent({ routeKey: 'ANY /{proxy+}', method, path, bearer: token })],
      ]
      for (const path of strongPaths) {
        for (const [name, event] of deliveries('GET', path)) {
          const before = api.ran.length
          const response = await api.invoke(event)
          // Refused, or (when the router would run a weak handler) allowed into a weak handler only.
          if (response.statusCode === 200) expect([name, path, api.ran.slice(before)[0]?.startsWith('weak')]).toEqual([name, path, true])
          else expect([name, path, response.statusCode, api.ran.length]).toEqual([name, path, 403, before])
        }
      }
      // HEAD and lower-case methods: the router runs ANY /{proxy+} (weak) or answers 404.
      for (const method of ['HEAD', 'get', 'OPTIONS']) {
        for (const [name, event] of deliveries(method, '/files/a')) {
          const before = api.ran.length
          const response = await api.invoke(event)
          if (response.statusCode === 200) expect([name, method, api.ran.slice(before)[0]?.startsWith('weak')]).toEqual([name, method, true])
        }
      }
    },
  )

  test.each(['oauthScope', 'rbac'] as const)('%s: a named HTTP API stage in the path never lends the weak entry to the strong handler', async (kind) => {
    const api = app(kind, [
      ['GET', '/prod/{proxy+}', 'strong'],
      ['ANY', '/{proxy+}', 'weak'],
    ])
    const token = await weakToken()
    // Stage `prod`: the router sees /prod/x (strong handler), the gateway routed /x.
    for (const routeKey of ['$default', 'ANY /{proxy+}']) {
      const response = await api.invoke(httpApiEvent({ routeKey, stage: 'prod', method: 'GET', path: '/x', bearer: token }))
      expect([routeKey, response.statusCode, api.ran]).toEqual([routeKey, 403, []])
    }
  })
})

// ------------------------------------------------------------------------------------------------
// 4. iamContext({ allowPrincipals }): patterns against hostile caller ARNs.
// ------------------------------------------------------------------------------------------------

describe('4. iamContext allowPrincipals', () => {
  /** A REST request signed by this caller (the gateway verified SigV4 and wrote the identity). */
  const signedBy = (userArn: string) => {
    const account = userArn.split(':')[4] ?? ''
    return restEvent({ identity: { userArn, accountId: account, caller: 'AIDAEXAMPLE', user: 'AIDAEXAMPLE', accessKey: 'ASIAEXAMPLE' } })
  }
  const statusFor = async (allowPrincipals: string[], userArn: string) => {
    const api = protect([iamContext({ allowPrincipals })])
    const response = await api.invoke(signedBy(userArn))
    return [response.statusCode, api.seen.length]
  }

  test.each<[string, string]>([
    // A `*` never reaches across a `:` (account, service, partition).
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:sts::210987654321:assumed-role/Admin/x'],
    ['arn:aws:sts::123456789012:*', 'arn:aws:sts::123456789013:assumed-role/Admin/x'],
    ['arn:aws:sts::12345678901*:assumed-role/Admin/*', 'arn:aws:sts::123456789019:assumed-role/Other/x'],
    // The role name is a whole segment: Admin is not Admin2, AdminX or a user path named like it.
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:sts::123456789012:assumed-role/Admin2/x'],
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:iam::123456789012:user/assumed-role/Admin/x'],
    ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/alice2'],
    ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/ops/alice'],
    ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/Alice'],
    ['arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/root'],
    // Another partition, a federated user named like a role session, a path holding IAM wildcard characters.
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws-cn:sts::123456789012:assumed-role/Admin/x'],
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:sts::123456789012:federated-user/Admin'],
    ['arn:aws:iam::123456789012:user/ops/*', 'arn:aws:iam::123456789012:user/*/alice'],
    ['arn:aws:iam::123456789012:user/a*c', 'arn:aws:iam::123456789012:user/a?b'],
    // Not a caller at all: a role ARN, an ARN with a region, an extra colon.
    ['arn:aws:sts::123456789012:*', 'arn:aws:iam::123456789012:role/Admin'],
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:sts:eu-west-1:123456789012:assumed-role/Admin/x'],
    ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:sts::123456789012:assumed-role/Admin/x:y'],
  ])('%s refuses %s', async (pattern, arn) => {
    const [status, called] = await statusFor([pattern], arn)
    // 403 for a caller the list does not allow; 401 for an ARN that is no caller at all.
    expect([pattern, arn, status === 403 || status === 401, called]).toEqual([pattern, arn, true, 0])
  })

  test('the patterns that should match do (the refusals above are not a matcher that refuses everything)', async () => {
    for (const [pattern, arn] of [
      ['arn:aws:sts::123456789012:assumed-role/Admin/*', 'arn:aws:sts::123456789012:assumed-role/Admin/x'],
      ['arn:aws:iam::123456789012:user/ops/*', 'arn:aws:iam::123456789012:user/ops/alice'],
      ['arn:*:sts::*:assumed-role/*/*', 'arn:aws-cn:sts::123456789012:assumed-role/R/s'],
    ]) {
      expect([pattern, ...(await statusFor([pattern as string], arn as string))]).toEqual([pattern, 200, 1])
    }
  })

  test('over random patterns and caller ARNs, a match is exactly a part-by-part glob match (never across a colon)', async () => {
    const name = fc.stringMatching(/^[ab*]{0,6}$/)
    await fc.assert(
      fc.asyncProperty(name, name, fc.stringMatching(/^[ab]{1,6}$/), fc.stringMatching(/^[ab]{1,6}$/), async (rolePattern, sessionPattern, role, session) => {
        const pattern = `arn:aws:sts::123456789012:assumed-role/${rolePattern || 'a'}/${sessionPattern || 'a'}`
        const arn = `arn:aws:sts::123456789012:assumed-role/${role}/${session}`
        const glob = (p: string) => new RegExp(`^${p.replace(/\*/g, '[^:]*')}$`)
        const expected = glob(pattern.split(':')[5] as string).test(arn.split(':')[5] as string)
        const [status] = await statusFor([pattern], arn)
        expect([pattern, arn, status]).toEqual([pattern, arn, expected ? 200 : 403])
      }),
      { numRuns: 300, seed: 4 },
    )
  })

  test('many wildcards against the longest caller ARNs answer in linear time', async () => {
    // An IAM user path may be 512 characters; each pattern piece must be scanned once.
    const path = 'a/'.repeat(200)
    const longUser = `arn:aws:iam::123456789012:user/${path}${'a'.repeat(64)}`
    const patterns = [
      `arn:aws:iam::123456789012:user/${'*a'.repeat(40)}*b`,
      `arn:aws:iam::123456789012:user/${'*a/'.repeat(60)}*b*`,
      `arn:*:*::*:*${'*a'.repeat(50)}*c`,
    ]
    const api = protect([iamContext({ allowPrincipals: patterns })])
    const event = signedBy(longUser)
    const started = performance.now()
    for (let i = 0; i < 200; i++) expect((await api.invoke(event)).statusCode).toBe(403)
    // A backtracking matcher takes seconds for one request here; 200 requests in well under one.
    expect(performance.now() - started).toBeLessThan(1500)
  })
})
