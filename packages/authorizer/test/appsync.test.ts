import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import { AuthError, getAuth, type AuthContext } from '@middy-auth/core'
import { noteRequestSpecificCheck } from '@middy-auth/core/internal'
import oauthScope from '@middy-auth/oauth-scope'
import { appsyncAuthorizerEvent, createTestIssuer, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import type { AppSyncAuthorizerResponse } from '../src/index.js'
import { audience, authorizer, rbacInFront, useIssuer, type Outcome } from './support.js'

const issuer = useIssuer()
const { verify, sign } = issuer
let down: TestIssuer
beforeAll(async () => {
  down = await createTestIssuer()
  down.failWith('status-500')
})
afterAll(() => down.close())

const now = () => Math.floor(Date.now() / 1000)

/** The AWS docs' AppSync authorizer event, carrying `token` as the client sent it. */
const docsEvent = (token: string) => {
  const event = loadFixture('authorizer-appsync.json')
  event.authorizationToken = token
  event.requestHeaders.authorization = token
  return event
}

const responseOf = (outcome: Outcome): AppSyncAuthorizerResponse => {
  if (outcome.kind !== 'response') throw new Error(`not a response: ${JSON.stringify(outcome)}`)
  return outcome.response as AppSyncAuthorizerResponse
}

describe('AppSync: allowed', () => {
  test("the docs' event with a bare token: isAuthorized, the identity in resolverContext, no ttlOverride for a token that outlives AppSync's cache", async () => {
    const api = authorizer({}, [verify(), oauthScope({ required: ['orders/read'] })])
    const token = await sign({ scope: 'orders/read orders/write', client_id: 'web', exp: now() + 7200 })
    const response = responseOf(await api.invoke(docsEvent(token)))
    expect(response).toEqual({
      isAuthorized: true,
      resolverContext: expect.objectContaining({
        principalId: 'alice',
        source: 'jwt',
        scopes: '["orders/read","orders/write"]',
        roles: '[]',
        sub: 'alice',
        client_id: 'web',
      }),
    })
    expect(JSON.stringify(response)).not.toContain(token)
    expect(api.logs).toEqual([])
  })

  test('the token after the Bearer scheme is read the same way', async () => {
    const api = authorizer({}, [verify()])
    const token = await sign({})
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: `Bearer ${token}` })))).toMatchObject({ isAuthorized: true })
  })

  test('resolverContext has only flat values, and jwtVerify({ trustApiGateway })-style readers restore them', async () => {
    const api = authorizer(
      { contextClaims: ['sub', 'exp', 'cognito:groups', 'email_verified'], context: (auth) => ({ tenant: 'acme', level: auth.scopes.length }) },
      [verify()],
    )
    const token = await sign({ 'cognito:groups': ['admin', 'Not Admins'], email_verified: true, scope: 'a b' })
    const { resolverContext } = responseOf(await api.invoke(appsyncAuthorizerEvent({ token })))
    for (const value of Object.values(resolverContext ?? {})) expect(['string', 'number', 'boolean']).toContain(typeof value)
    expect(resolverContext).toMatchObject({ 'cognito:groups': '["admin","Not Admins"]', email_verified: true, tenant: 'acme', level: 2 })
    // A resolver that calls back into a function behind API Gateway hands the context on: the
    // suite's readers give the identity back, lists and types restored.
    const seen: AuthContext[] = []
    const target = middy()
      .use(oauthScope({ required: ['a'] }))
      .handler(async (_event: unknown, context) => {
        seen.push(getAuth({ context })!)
        return { statusCode: 200 }
      })
    await target({ requestContext: { authorizer: { ...resolverContext } } } as never, lambdaContext())
    expect(seen[0]).toMatchObject({
      source: 'lambda-authorizer',
      subject: 'alice',
      scopes: ['a', 'b'],
      claims: { 'cognito:groups': ['admin', 'Not Admins'], email_verified: true, tenant: 'acme' },
    })
  })
})

describe('AppSync: denied', () => {
  test('no token, an empty one, another scheme, a bad or expired token: isAuthorized false, never cached, nothing leaked', async () => {
    const api = authorizer({}, [verify()])
    const expired = await sign({ exp: now() - 600 })
    const forged = (await sign({})).slice(0, -4) + 'AAAA'
    for (const token of ['', 'Bearer ', 'Basic dXNlcjpwYXNz', forged, expired, 'not-a-jwt']) {
      const outcome = await api.invoke(appsyncAuthorizerEvent({ token }))
      expect(responseOf(outcome)).toEqual({ isAuthorized: false, ttlOverride: 0 })
    }
    expect(api.logs).toEqual([])
  })

  test('a missing scope: isAuthorized false, cached like an Allow (it depends on the token alone), never past exp', async () => {
    const api = authorizer({ ttlOverride: 600 }, [verify(), oauthScope({ required: ['orders/write'] })])
    const token = await sign({ scope: 'orders/read', exp: now() + 120 })
    const response = responseOf(await api.invoke(appsyncAuthorizerEvent({ token })))
    expect(response.isAuthorized).toBe(false)
    expect(response.ttlOverride).toBeGreaterThanOrEqual(118)
    expect(response.ttlOverride).toBeLessThanOrEqual(120)
    expect(response).not.toHaveProperty('resolverContext')
  })

  test('rbac denies: isAuthorized false', async () => {
    const api = authorizer({}, rbacInFront({ required: 'orders:create' }))
    const viewer = await sign({ 'cognito:groups': ['viewer'] })
    const clerk = await sign({ 'cognito:groups': ['clerk'] })
    const withVerify = authorizer({}, [verify(), ...rbacInFront({ required: 'orders:create' })])
    expect(responseOf(await withVerify.invoke(appsyncAuthorizerEvent({ token: viewer })))).toMatchObject({ isAuthorized: false })
    expect(responseOf(await withVerify.invoke(appsyncAuthorizerEvent({ token: clerk })))).toMatchObject({
      isAuthorized: true,
      resolverContext: { roles: '["clerk","viewer"]' },
    })
    // Without an identity middleware in front there is no identity: refused, not cached.
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: clerk })))).toEqual({ isAuthorized: false, ttlOverride: 0 })
  })

  test('routes (API Gateway routes) on an AppSync event: refused and logged, never an Allow', async () => {
    const api = authorizer({ routes: { 'GET /orders': {} } }, [verify()])
    const token = await sign({})
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token })))).toEqual({ isAuthorized: false, ttlOverride: 0 })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'routes_on_appsync' })])
  })
})

describe('AppSync: ttlOverride never reaches past exp', () => {
  test.each([
    ['configured 300, token lives 7200 s', 300, 7200, 300, 300],
    ['configured 3600, token lives 90 s', 3600, 90, 88, 90],
    ['not configured, token lives 90 s', undefined, 90, 88, 90],
    ['configured 0: never cached', 0, 7200, 0, 0],
  ])('%s', async (_name, ttlOverride, lifetime, low, high) => {
    const api = authorizer(ttlOverride === undefined ? {} : { ttlOverride }, [verify()])
    const token = await sign({ exp: now() + lifetime })
    const response = responseOf(await api.invoke(appsyncAuthorizerEvent({ token })))
    expect(response.isAuthorized).toBe(true)
    expect(response.ttlOverride).toBeGreaterThanOrEqual(low)
    expect(response.ttlOverride).toBeLessThanOrEqual(high)
  })

  test('a decision for this request only (a check in front noted one) is never cached', async () => {
    // Stands for any check that reads the operation (its name, document or variables): it says so through core.
    const operationCheck = {
      before: (request: any) => {
        noteRequestSpecificCheck(request, { package: 'test', reason: 'operation' })
        if (request.event.requestContext.operationName !== 'GetOrder') throw new AuthError('access_denied', { package: 'test' })
      },
    }
    const api = authorizer({ ttlOverride: 300 }, [verify(), operationCheck])
    const token = await sign({})
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token, operationName: 'GetOrder' })))).toMatchObject({ isAuthorized: true, ttlOverride: 0 })
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token, operationName: 'DeleteOrder' })))).toEqual({ isAuthorized: false, ttlOverride: 0 })
  })

  test('a token read from elsewhere than authorizationToken (the cache key): not cached, logged', async () => {
    const api = authorizer({ ttlOverride: 300 }, [verify({ tokenSource: (event: any) => event.requestHeaders?.['x-token'] })])
    const token = await sign({})
    const response = responseOf(await api.invoke(appsyncAuthorizerEvent({ token: 'anything', requestHeaders: { 'x-token': token } })))
    expect(response).toMatchObject({ isAuthorized: true, ttlOverride: 0 })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'warn', reason: 'credential_not_in_identity_source' })])
  })
})

describe('AppSync: deniedFields', () => {
  test('a map of fields to requirements: the fields this identity does not meet', async () => {
    const deniedFields = {
      'Mutation.createOrder': { permissions: ['orders:create'] },
      'Order.cost': { scopes: ['orders/audit'] },
      'arn:aws:appsync:us-east-1:111122223333:apis/aaaaaa123123123example123/types/Event/fields/comments': { anyOf: ['events/read', 'events/admin'] },
    }
    const api = authorizer({ deniedFields }, [verify(), ...rbacInFront({})])
    const viewer = await sign({ 'cognito:groups': ['viewer'], scope: 'orders/audit' })
    const admin = await sign({ 'cognito:groups': ['admin'], scope: 'events/admin orders/audit' })
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: viewer }))).deniedFields).toEqual([
      'Mutation.createOrder',
      'arn:aws:appsync:us-east-1:111122223333:apis/aaaaaa123123123example123/types/Event/fields/comments',
    ])
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: admin })))).not.toHaveProperty('deniedFields')
  })

  test('permissions without rbac in front: the fields are denied, and the mistake logged', async () => {
    const api = authorizer({ deniedFields: { 'Mutation.deleteOrder': { permissions: ['orders:delete'] } } }, [verify()])
    const response = responseOf(await api.invoke(appsyncAuthorizerEvent({ token: await sign({}) })))
    expect(response).toMatchObject({ isAuthorized: true, deniedFields: ['Mutation.deleteOrder'] })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'no_permission_check' })])
  })

  test('a function of context.auth', async () => {
    const api = authorizer({ deniedFields: (auth) => (auth.scopes.includes('orders/audit') ? [] : ['Order.cost', 'Order.cost']) }, [verify()])
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: await sign({ scope: 'orders/read' }) }))).deniedFields).toEqual(['Order.cost'])
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: await sign({ scope: 'orders/audit' }) })))).not.toHaveProperty('deniedFields')
  })

  test('a function returning something else: refused and logged, never an Allow without the fields', async () => {
    const api = authorizer({ deniedFields: () => 'Order.cost' as never }, [verify()])
    expect(responseOf(await api.invoke(appsyncAuthorizerEvent({ token: await sign({}) })))).toEqual({ isAuthorized: false, ttlOverride: 0 })
    expect(api.logs).toEqual([expect.objectContaining({ reason: 'unexpected_error' })])
  })
})

describe("AppSync: the answer has the shape of the AWS docs' response", () => {
  test("the same keys and value types as the docs' example", async () => {
    const docs = loadFixture<AppSyncAuthorizerResponse>('authorizer-response-appsync.json')
    const api = authorizer({ ttlOverride: 300, deniedFields: () => ['Mutation.createEvent'] }, [verify()])
    const ours = responseOf(await api.invoke(docsEvent(await sign({}))))
    expect(Object.keys(ours).sort()).toEqual(Object.keys(docs).sort())
    for (const key of Object.keys(docs) as Array<keyof AppSyncAuthorizerResponse>) expect(typeof ours[key]).toBe(typeof docs[key])
    expect(Array.isArray(ours.deniedFields)).toBe(true)
  })
})

describe('AppSync: keys unavailable', () => {
  test('an error, which AppSync does not cache; logged without the token', async () => {
    const api = authorizer({}, [verify({ issuers: [{ issuer: down.issuer, audience, jwksUri: down.jwksUri }] })])
    const token = await down.sign({ sub: 'alice' }, { audience })
    expect(await api.invoke(appsyncAuthorizerEvent({ token }))).toEqual({ kind: 'error', message: 'Authorization is temporarily unavailable' })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'keys_unavailable' })])
    expect(JSON.stringify(api.logs)).not.toContain(token)
  })
})
