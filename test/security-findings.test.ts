// Regression tests for the outside review's confirmed findings (docs/security.md lists them with
// the versions they affect). Each goes through real middy handlers, as an attacker's request would.
import { describe, expect, test } from '@jest/globals'
import { authorizerContextMark, getAuth, type AuthContext } from '@middy-auth/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import middy, { type MiddlewareObj } from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'

type Response = { statusCode: number; headers?: Record<string, string>; body?: string }

const policy = {
  roles: {
    Admins: { allow: ['*'] },
    admin: { allow: ['*'] },
    viewer: { allow: ['orders:read'] },
  },
}

/** A handler behind `middlewares` and the error handler; records the identity it was called with. */
const protect = (middlewares: Array<MiddlewareObj<any, any, any, any, any>>) => {
  const handlerSaw: AuthContext[] = []
  const handler = middy()
  for (const middleware of middlewares) handler.use(middleware)
  handler.use(httpErrorHandler({ logger: false }))
  handler.handler(async (_event: unknown, context: object) => {
    handlerSaw.push((context as { auth: AuthContext }).auth)
    return { statusCode: 200, body: 'ok' }
  })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event as never, {} as never)) as Response
  return { invoke, handlerSaw }
}

const errorCode = (response: Response): string | undefined => (JSON.parse(response.body ?? '{}') as { error?: string }).error

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
      const api = protect([jwtVerify({ trustApiGateway: true, issuers: [] }), ...inBetween, rbac({ policy, rolesFrom: 'group', require: 'orders:delete' })])
      const response = await api.invoke(event)
      expect([response.statusCode, errorCode(response)]).toEqual([403, 'access_denied'])
      expect(api.handlerSaw).toHaveLength(0)
    }
  })

  test('the group is one role name, through a frozen copy too', async () => {
    const api = protect([
      jwtVerify({ trustApiGateway: true, issuers: [] }),
      freezing,
      rbac({ policy, rolesFrom: 'group', roleMap: { 'Not Admins': 'viewer' }, require: 'orders:read' }),
    ])
    const response = await api.invoke(httpApiEvent({ authorizer: { lambda: markedContext } }))
    expect(response.statusCode).toBe(200)
    expect(api.handlerSaw[0]!.roles).toEqual(['viewer'])
  })

  test('a copy that drops the stringifiedClaims field reads claims exactly, which can only grant less', async () => {
    // An HTTP API JWT authorizer's claims are gateway strings: "[Admins viewer]" is a list of two.
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice', 'custom:groups': ['Admins', 'viewer'] } } } })
    expect(event.requestContext.authorizer).toMatchObject({ jwt: { claims: { 'custom:groups': '[Admins viewer]' } } })
    const kept = protect([rbac({ policy, rolesFrom: 'custom:groups', require: 'orders:delete' })])
    expect((await kept.invoke(event)).statusCode).toBe(200)
    const dropped = protect([
      jwtVerify({ trustApiGateway: true, issuers: [] }),
      copying(({ stringifiedClaims: _dropped, ...rest }) => rest),
      rbac({ policy, rolesFrom: 'custom:groups', require: 'orders:delete' }),
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

    const roles = protect([rbac({ policy, require: 'orders:delete' })])
    expect((await roles.invoke(event)).statusCode).toBe(403)
    const grouped = protect([rbac({ policy, rolesFrom: 'group', require: 'orders:delete' })])
    expect((await grouped.invoke(event)).statusCode).toBe(403)
    expect([...scoped.handlerSaw, ...roles.handlerSaw, ...grouped.handlerSaw]).toHaveLength(0)
  })

  test('the identity the handler sees is mallory, with the __proto__ key kept as plain data', async () => {
    const api = protect([jwtVerify({ trustApiGateway: true, issuers: [] })])
    const response = await api.invoke(httpApiEvent({ authorizer: { lambda: hostileContext } }))
    expect(response.statusCode).toBe(200)
    const auth = api.handlerSaw[0]!
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
    const withAuthorizer = <E extends { requestContext: object }>(event: E, authorizer: unknown) => ({ ...event, requestContext: { ...event.requestContext, authorizer } })
    const events = [
      withAuthorizer(restEvent(), restContext),
      withAuthorizer(httpApiEvent(), { jwt: { claims: jwtClaims, scopes: null } }),
      withAuthorizer(restEvent(), { claims: jwtClaims }),
    ]
    for (const event of events) {
      const scoped = protect([oauthScope({ required: ['orders/admin'] })])
      expect((await scoped.invoke(event)).statusCode).toBe(403)
      const roles = protect([rbac({ policy, rolesFrom: ['roles', 'cognito:groups'], require: 'orders:delete' })])
      expect((await roles.invoke(event)).statusCode).toBe(403)
      expect([...scoped.handlerSaw, ...roles.handlerSaw]).toHaveLength(0)
    }
  })

  test('nothing in the process is polluted', async () => {
    const api = protect([oauthScope({ required: ['orders/admin'] })])
    await api.invoke(httpApiEvent({ authorizer: { lambda: hostileContext } }))
    expect(({} as Record<string, unknown>).principalId).toBeUndefined()
    expect(({} as Record<string, unknown>).scopes).toBeUndefined()
  })
})
