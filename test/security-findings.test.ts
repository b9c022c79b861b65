// Regression tests for the outside review's confirmed findings (docs/security.md lists them with
// the versions they affect). Each goes through real middy handlers, as an attacker's request would.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import authorizerResponse, { type AuthorizerLogEntry, type AuthorizerResponseOptions, type IamPolicyResponse } from '@middy-auth/authorizer'
import { getAuth, type AuthContext } from '@middy-auth/core'
import { authorizerContextMark, matchesWildcard } from '@middy-auth/core/internal'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import { authorizerRequestEvent, createTestIssuer, httpApiEvent, httpAuthorizerEventV2, lambdaContext, restEvent, type TestIssuer } from '@middy-auth/testing'
import middy, { type MiddlewareObj } from '@middy/core'
import { errorCode, protect } from './support/protect.js'

const policy = {
  roles: {
    Admins: { allow: ['*'] },
    admin: { allow: ['*'] },
    viewer: { allow: ['orders:read'] },
  },
}

/** Another middleware of the user's that hands on a copy of the identity, as some loggers or validators do. */
const copying = (copy: (auth: AuthContext) => AuthContext): MiddlewareObj => ({
  before: (request) => {
    const auth = getAuth(request as never)
    if (auth) (request.context as { auth?: AuthContext }).auth = copy(auth)
  },
})

/** Freezes the identity in place: rbac must then work on a copy. */
const freezing: MiddlewareObj = {
  before: (request) => {
    const auth = getAuth(request as never)
    if (auth) Object.freeze(auth)
  },
}

describe('finding 1: a cached authorizer answer never answers another route behind $default', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await createTestIssuer()
  })
  afterAll(() => issuer.close())

  const routes = { 'GET /public/{id}': {}, 'DELETE /admin/{id}': { scopes: ['admin'] } }

  /** A real authorizer function, as the authorizer README writes it; the answer, or the error the gateway sees. */
  const authorizerFunction = (options: AuthorizerResponseOptions) => {
    const logs: AuthorizerLogEntry[] = []
    const handler = middy()
      .use(jwtVerify({ issuers: [{ issuer: issuer.issuer, audience: 'orders', jwksUri: issuer.jwksUri }] }))
      .use(authorizerResponse({ logger: (entry) => void logs.push(entry), ...options }))
    const ask = async (event: unknown): Promise<unknown> => {
      try {
        return await handler(event as never, lambdaContext())
      } catch (error) {
        return { thrown: (error as Error).message }
      }
    }
    return { ask, logs }
  }

  /** An HTTP API authorizer event of the $default route (the API's only route). */
  const onDefaultRoute = (token: string, method: string, path: string) =>
    httpAuthorizerEventV2({ bearer: token, method, path, routeKey: '$default', identitySource: [`Bearer ${token}`, '$default'] })

  test('simple responses: GET /public/1 is not answered true, so DELETE /admin/5 cannot be served from the cache', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders/read' }, { audience: 'orders' })
    const api = authorizerFunction({ format: 'simple', routes })
    const first = onDefaultRoute(token, 'GET', '/public/1')
    const second = onDefaultRoute(token, 'DELETE', '/admin/5')
    // The gateway's cache key for both: the identity source values, which are equal.
    expect(second.identitySource).toEqual(first.identitySource)
    expect(await api.ask(first)).toEqual({ isAuthorized: false })
    expect(await api.ask(second)).toEqual({ isAuthorized: false })
    expect(api.logs.map((entry) => [entry.reason, entry.route])).toEqual([
      ['route_key_not_separating', '$default'],
      ['route_key_not_separating', '$default'],
    ])
  })

  test('simple responses: behind $default, true only for a caller who may call every route the map lists under it', async () => {
    const listed = { ...routes, $default: { scopes: ['orders/read'] } }
    const reader = await issuer.sign({ sub: 'alice', scope: 'orders/read' }, { audience: 'orders' })
    const api = authorizerFunction({ format: 'simple', routes: listed })
    // A cached true for GET /public/1 would answer DELETE /admin/5 too: both are refused.
    for (const [method, path] of [
      ['GET', '/public/1'],
      ['DELETE', '/admin/5'],
    ] as const) {
      expect(await api.ask(onDefaultRoute(reader, method, path))).toEqual({ isAuthorized: false })
    }
    expect(api.logs.map((entry) => entry.reason)).toEqual(['route_key_not_separating', 'route_key_not_separating'])
    const admin = await issuer.sign({ sub: 'root', scope: 'orders/read admin' }, { audience: 'orders' })
    for (const [method, path] of [
      ['GET', '/public/1'],
      ['DELETE', '/admin/5'],
    ] as const) {
      expect(await api.ask(onDefaultRoute(admin, method, path))).toMatchObject({ isAuthorized: true })
    }
  })

  test('IAM policies: an Allow of GET/public/* does not cover GET /public/1/x, which the authorizer denies when asked', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders/read' }, { audience: 'orders' })
    const api = authorizerFunction({ format: 'iam-policy', routes })
    /** Whether a policy lets a request through, as the gateway evaluates it: a Deny wins, then an Allow. */
    const lets = (policy: IamPolicyResponse, method: string, path: string) => {
      const arn = `arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/${method}${path}`
      const covers = (effect: string) =>
        policy.policyDocument.Statement.some(
          (statement) => statement.Effect === effect && [statement.Resource].flat().some((resource) => matchesWildcard(resource, arn)),
        )
      return !covers('Deny') && covers('Allow')
    }
    const cachedPolicy = (await api.ask(onDefaultRoute(token, 'GET', '/public/1'))) as IamPolicyResponse
    expect(lets(cachedPolicy, 'GET', '/public/2')).toBe(true)
    for (const [method, path] of [
      ['GET', '/public/1/x'],
      ['GET', '/public/'],
      ['DELETE', '/admin/5'],
      ['GET', '/public/1/x/y'],
    ] as const) {
      expect([method, path, lets(cachedPolicy, method, path)]).toEqual([method, path, false])
      // Asked, the authorizer denies it too.
      const asked = (await api.ask(onDefaultRoute(token, method, path))) as IamPolicyResponse
      expect([method, path, lets(asked, method, path)]).toEqual([method, path, false])
    }
  })

  test('a REST request to a path ending in /$connect is answered as REST, not as a WebSocket $connect', async () => {
    const token = await issuer.sign({ sub: 'alice' }, { audience: 'orders' })
    const api = authorizerFunction({ format: 'iam-policy' })
    const policy = (await api.ask(
      authorizerRequestEvent({ bearer: token, method: 'GET', path: '/rooms/$connect', resource: '/rooms/{name}' }),
    )) as IamPolicyResponse
    expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [expect.stringMatching(/\/prod\/\*\/\*$/)] }])
  })
})

describe('finding 3: exactness of string claims is kept on a copy of the identity', () => {
  // A context written by @middy-auth/authorizer: lists are JSON text, every other string is ONE value.
  const markedContext = { [authorizerContextMark]: 1, principalId: 'mallory', sub: 'mallory', group: 'Not Admins', scopes: '[]', roles: '[]' }

  test.each([
    ['frozen before rbac', [freezing]],
    ['copied with spread', [copying((auth) => ({ ...auth }))]],
    ['copied with structuredClone', [copying((auth) => structuredClone(auth))]],
    ['frozen copy', [copying((auth) => Object.freeze({ ...auth }))]],
  ])('an authorizer-context group "Not Admins" never grants Admins: %s', async (_name, inBetween) => {
    for (const event of [
      httpApiEvent({ authorizer: { lambda: markedContext } }),
      // REST hands every context value on as a string.
      restEvent({ authorizer: Object.fromEntries(Object.entries(markedContext).map(([k, v]) => [k, String(v)])) as never }),
    ]) {
      const api = protect([jwtVerify({ trustApiGateway: true, issuers: [] }), ...inBetween, rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })])
      const response = await api.invoke(event)
      expect([response.statusCode, errorCode(response)]).toEqual([403, 'access_denied'])
      expect(api.seen).toHaveLength(0)
    }
  })

  test('the group is one role name, through a frozen copy too', async () => {
    const api = protect([
      jwtVerify({ trustApiGateway: true, issuers: [] }),
      freezing,
      rbac({ policy, rolesFrom: 'group', roleMap: { 'Not Admins': 'viewer' }, required: 'orders:read' }),
    ])
    const response = await api.invoke(httpApiEvent({ authorizer: { lambda: markedContext } }))
    expect(response.statusCode).toBe(200)
    expect(api.seen[0]!.roles).toEqual(['viewer'])
  })

  test('a copy that drops the stringifiedClaims field reads claims exactly, which can only grant less', async () => {
    // An HTTP API JWT authorizer's claims are gateway strings: "[Admins viewer]" is a list of two.
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice', 'custom:groups': ['Admins', 'viewer'] } } } })
    expect(event.requestContext.authorizer).toMatchObject({ jwt: { claims: { 'custom:groups': '[Admins viewer]' } } })
    const kept = protect([rbac({ policy, rolesFrom: 'custom:groups', required: 'orders:delete' })])
    expect((await kept.invoke(event)).statusCode).toBe(200)
    const dropped = protect([
      jwtVerify({ trustApiGateway: true, issuers: [] }),
      copying(({ stringifiedClaims: _dropped, ...rest }) => rest),
      rbac({ policy, rolesFrom: 'custom:groups', required: 'orders:delete' }),
    ])
    expect((await dropped.invoke(event)).statusCode).toBe(403)
  })
})

describe('finding 4: an own __proto__ key in a gateway context or claims object is data, never a prototype', () => {
  // As JSON.parse delivers the event: "__proto__" is an own property of the context.
  const hostileContext = JSON.parse(
    '{"sub":"mallory","__proto__":{"principalId":"admin-user","roles":"admin","scopes":"orders/admin","group":"admin"}}',
  ) as Record<string, unknown>

  test('HTTP API Lambda authorizer context: no scope, role or subject is inherited', async () => {
    const event = httpApiEvent({ authorizer: { lambda: hostileContext } })
    const scoped = protect([oauthScope({ required: ['orders/admin'] })])
    const scopedResponse = await scoped.invoke(event)
    expect([scopedResponse.statusCode, errorCode(scopedResponse)]).toEqual([403, 'insufficient_scope'])

    const roles = protect([rbac({ policy, required: 'orders:delete' })])
    expect((await roles.invoke(event)).statusCode).toBe(403)
    const grouped = protect([rbac({ policy, rolesFrom: 'group', required: 'orders:delete' })])
    expect((await grouped.invoke(event)).statusCode).toBe(403)
    expect([...scoped.seen, ...roles.seen, ...grouped.seen]).toHaveLength(0)
  })

  test('the identity the handler sees is mallory, with the __proto__ key kept as plain data', async () => {
    const api = protect([jwtVerify({ trustApiGateway: true, issuers: [] })])
    const response = await api.invoke(httpApiEvent({ authorizer: { lambda: hostileContext } }))
    expect(response.statusCode).toBe(200)
    const auth = api.seen[0]!
    expect(auth.subject).toBe('mallory')
    expect(auth.scopes).toEqual([])
    expect(auth.roles).toEqual([])
    expect(Object.getPrototypeOf(auth.claims)).toBeNull()
    expect(Object.hasOwn(auth.claims, '__proto__')).toBe(true)
    expect((auth.claims as Record<string, unknown>).principalId).toBeUndefined()
  })

  test('REST Lambda authorizer context and JWT/Cognito authorizer claims', async () => {
    const restContext = JSON.parse('{"principalId":"mallory","__proto__":{"roles":"admin","scopes":"orders/admin"}}') as Record<string, unknown>
    const jwtClaims = JSON.parse('{"sub":"mallory","__proto__":{"scope":"orders/admin","cognito:groups":"[admin]"}}') as Record<string, unknown>
    const withAuthorizer = <E extends { requestContext: object }>(event: E, authorizer: unknown) => ({
      ...event,
      requestContext: { ...event.requestContext, authorizer },
    })
    const events = [
      withAuthorizer(restEvent(), restContext),
      withAuthorizer(httpApiEvent(), { jwt: { claims: jwtClaims, scopes: null } }),
      withAuthorizer(restEvent(), { claims: jwtClaims }),
    ]
    for (const event of events) {
      const scoped = protect([oauthScope({ required: ['orders/admin'] })])
      expect((await scoped.invoke(event)).statusCode).toBe(403)
      const roles = protect([rbac({ policy, rolesFrom: ['roles', 'cognito:groups'], required: 'orders:delete' })])
      expect((await roles.invoke(event)).statusCode).toBe(403)
      expect([...scoped.seen, ...roles.seen]).toHaveLength(0)
    }
  })

  test('nothing in the process is polluted', async () => {
    const api = protect([oauthScope({ required: ['orders/admin'] })])
    await api.invoke(httpApiEvent({ authorizer: { lambda: hostileContext } }))
    expect(({} as Record<string, unknown>).principalId).toBeUndefined()
    expect(({} as Record<string, unknown>).scopes).toBeUndefined()
  })
})

describe('a final review of the fixes: three more ways through, closed', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await createTestIssuer()
  })
  afterAll(() => issuer.close())
  const entry = () => ({ issuer: issuer.issuer, audience: 'orders', jwksUri: issuer.jwksUri })

  test('simple responses under an ANY route key: true only for a caller who may call every method the map lists under it', async () => {
    const logs: AuthorizerLogEntry[] = []
    const handler = middy()
      .use(jwtVerify({ issuers: [entry()] }))
      .use(authorizerResponse({ format: 'simple', routes: { 'ANY /orders': {}, 'DELETE /orders': { scopes: ['admin'] } }, logger: (e) => void logs.push(e) }))
    const token = await issuer.sign({ sub: 'alice' }, { audience: 'orders' })
    const event = httpAuthorizerEventV2({
      bearer: token,
      method: 'DELETE',
      path: '/orders',
      routeKey: 'ANY /orders',
      identitySource: [`Bearer ${token}`, 'ANY /orders'],
    })
    expect(await handler(event as never, lambdaContext())).toEqual({ isAuthorized: false })
    expect(logs.map((e) => e.reason)).toEqual(['route_key_not_separating'])
  })

  test('opaque tokens never stand in for bound tokens: refused where an issuer requires them, and a bound answer is refused', async () => {
    const answer = (claims: Record<string, unknown>) => ({
      verifyToken: () => ({ source: 'introspection', subject: 'mallory', scopes: [], roles: [], claims }),
    })
    const bound = protect([jwtVerify({ issuers: [{ ...entry(), dpop: { boundTokens: 'required' } }], opaqueTokens: answer({}) as never })])
    const refused = await bound.invoke(httpApiEvent({ bearer: 'opaque-token-123' }))
    expect([refused.statusCode, errorCode(refused)]).toEqual([401, 'invalid_token'])
    const withCnf = protect([jwtVerify({ issuers: [entry()], opaqueTokens: answer({ cnf: { jkt: 'x' } }) as never })])
    const refusedToo = await withCnf.invoke(httpApiEvent({ bearer: 'opaque-token-123' }))
    expect([refusedToo.statusCode, errorCode(refusedToo)]).toEqual([401, 'invalid_token'])
    expect([...bound.seen, ...withCnf.seen]).toHaveLength(0)
  })

  test('a cookie credential at a caching authorizer is refused (its cross-site check holds for one request); with the cache off it is answered', async () => {
    const token = await issuer.sign({ sub: 'alice' }, { audience: 'orders' })
    const event = authorizerRequestEvent({ method: 'GET', path: '/orders', resource: '/orders', headers: { cookie: `access=${token}` } })
    const ask = async (gatewayCache: boolean) => {
      const logs: AuthorizerLogEntry[] = []
      const handler = middy()
        .use(jwtVerify({ issuers: [entry()], tokenSource: { cookie: 'access' } }))
        .use(authorizerResponse({ format: 'iam-policy', gatewayCache, logger: (e) => void logs.push(e) }))
      const policy = (await handler(structuredClone(event) as never, lambdaContext())) as IamPolicyResponse
      return { effects: policy.policyDocument.Statement.map((s) => s.Effect), logs: logs.map((e) => e.reason) }
    }
    expect(await ask(true)).toEqual({ effects: ['Deny'], logs: ['request_specific_check'] })
    expect(await ask(false)).toEqual({ effects: ['Allow'], logs: [] })
  })
})
