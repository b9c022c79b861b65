import { describe, expect, test } from '@jest/globals'
import type { AuthContext } from '@middy-auth/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import { authorizerTokenEvent, httpApiEvent, httpAuthorizerEventV2, restEvent, websocketAuthorizerEvent, websocketConnectEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { outcome, protect } from '../../../test/support/protect.js'
import { authorizer, contextOf, ordersPolicy, policyOf, rbacInFront, useIssuer } from './support.js'

const issuer = useIssuer()
const { verify, sign } = issuer

const exp = Math.floor(Date.now() / 1000) + 600
const claims = {
  scope: 'orders/read orders/write',
  'cognito:groups': ['clerk'],
  client_id: 'web-app',
  email_verified: true,
  'custom:tenantId': 'acme',
  exp,
}

/** The authorizer of the README: jwtVerify, rbac reading Cognito groups, then authorizerResponse. */
const gatewayAuthorizer = () =>
  authorizer(
    {
      contextClaims: ['sub', 'client_id', 'exp', 'email_verified', 'custom:tenantId', 'cognito:groups'],
      context: (auth) => ({ tier: 3, beta: true, tenantAdmin: auth.roles.includes('admin') }),
    },
    [verify(), ...rbacInFront({})],
  )

/**
 * The target function behind the authorizer: it trusts the gateway's context, requires a scope
 * and a permission, and records the identity its middlewares rebuilt.
 */
const target = () =>
  protect([
    jwtVerify({ trustApiGateway: true }),
    oauthScope({ required: ['orders/write'] }),
    rbac({ policy: ordersPolicy, required: 'orders:create', conditions: { always: () => true } }),
  ])

/** What every target sees, whatever the API kind. */
const expectRebuilt = (auth: AuthContext) => {
  expect(auth).toMatchObject({
    source: 'lambda-authorizer',
    subject: 'alice',
    issuer: issuer.iss.issuer,
    scopes: ['orders/read', 'orders/write'],
    // The roles the authorizer's rbac applied (held and inherited), then the target's rbac again.
    roles: ['clerk', 'viewer'],
  })
  expect(auth.claims).toMatchObject({
    sub: 'alice',
    client_id: 'web-app',
    exp,
    email_verified: true,
    'custom:tenantId': 'acme',
    'cognito:groups': ['clerk'],
  })
  expect(auth.permissions).toEqual(expect.arrayContaining(['orders:create', 'orders:read']))
}

describe('HTTP API: requestContext.authorizer.lambda keeps JSON types', () => {
  test.each(['simple', 'iam-policy'] as const)('format %s: the target rebuilds context.auth with the types of the token', async (format) => {
    const token = await sign(claims)
    const api = authorizer(
      {
        ...{ contextClaims: ['sub', 'client_id', 'exp', 'email_verified', 'custom:tenantId', 'cognito:groups'], context: () => ({ tier: 3, beta: true }) },
        format,
      },
      [verify(), ...rbacInFront({})],
    )
    const context = contextOf(await api.invoke(httpAuthorizerEventV2({ bearer: token, method: 'POST', path: '/orders' })))
    expect(JSON.stringify(context)).not.toContain(token)
    const event = loadFixture('http-v2-lambda-authorizer-context.json')
    event.requestContext.authorizer.lambda = context
    const fn = target()
    expect((await fn.invoke(event)).statusCode).toBe(200)
    expectRebuilt(fn.seen[0]!)
    expect(fn.seen[0]!.claims).toMatchObject({ tier: 3, beta: true, principalId: 'alice', source: 'jwt' })
  })

  test('with the testing kit: httpApiEvent({ authorizer: { lambda } })', async () => {
    const context = contextOf(await gatewayAuthorizer().invoke(httpAuthorizerEventV2({ bearer: await sign(claims), method: 'POST', path: '/orders' })))
    const fn = target()
    expect((await fn.invoke(httpApiEvent({ method: 'POST', path: '/orders', authorizer: { lambda: context } }))).statusCode).toBe(200)
    expectRebuilt(fn.seen[0]!)
    expect(fn.seen[0]!.claims).toMatchObject({ tenantAdmin: false })
  })
})

describe('REST API: requestContext.authorizer, every value a string', () => {
  test('the target rebuilds subject, scopes, roles, and the claims core knows the types of', async () => {
    const token = await sign(claims)
    const policy = policyOf(await gatewayAuthorizer().invoke(authorizerTokenEvent({ bearer: token, method: 'POST', path: '/orders' })))
    expect(policy.context?.principalId).toBeUndefined()
    expect(JSON.stringify(policy)).not.toContain(token)
    // What the gateway hands on: the fixture's shape, the policy's principal, the context stringified.
    const event = loadFixture('rest-v1-lambda-authorizer-context.json')
    event.requestContext.authorizer = {
      principalId: policy.principalId,
      integrationLatency: 12,
      ...Object.fromEntries(Object.entries(policy.context!).map(([key, value]) => [key, String(value)])),
    }
    const fn = target()
    expect((await fn.invoke(event)).statusCode).toBe(200)
    expectRebuilt(fn.seen[0]!)
    // Numbers and booleans core does not know stay the strings REST made of them.
    expect(fn.seen[0]!.claims).toMatchObject({ tier: '3', beta: 'true' })
    expect(fn.seen[0]!.claims).not.toHaveProperty('integrationLatency')
  })

  test('with the testing kit: restEvent({ authorizer }) stringifies as the gateway does', async () => {
    const policy = policyOf(await gatewayAuthorizer().invoke(authorizerTokenEvent({ bearer: await sign(claims), method: 'POST', path: '/orders' })))
    const fn = target()
    expect(
      (await fn.invoke(restEvent({ method: 'POST', path: '/orders', authorizer: { principalId: policy.principalId, ...policy.context } }))).statusCode,
    ).toBe(200)
    expectRebuilt(fn.seen[0]!)
  })

  test('a target that needs more than the caller holds still refuses: the context carries no more than the token', async () => {
    const policy = policyOf(
      await gatewayAuthorizer().invoke(authorizerTokenEvent({ bearer: await sign({ ...claims, scope: 'orders/read' }), path: '/orders' })),
    )
    const fn = target()
    const response = await fn.invoke(restEvent({ method: 'POST', path: '/orders', authorizer: { principalId: policy.principalId, ...policy.context } }))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(fn.seen).toEqual([])
  })
})

describe('WebSocket: the $connect integration gets the context as REST does', () => {
  test('the target rebuilds context.auth', async () => {
    const api = authorizer({ contextClaims: ['sub', 'client_id', 'exp', 'email_verified', 'custom:tenantId', 'cognito:groups'] }, [
      verify({ tokenSource: { query: 'token' } }),
      ...rbacInFront({}),
    ])
    const policy = policyOf(await api.invoke(websocketAuthorizerEvent({ query: { token: await sign(claims) } })))
    const fn = target()
    expect((await fn.invoke(websocketConnectEvent({ authorizer: { principalId: policy.principalId, ...policy.context } }))).statusCode).toBe(200)
    expectRebuilt(fn.seen[0]!)
  })
})
