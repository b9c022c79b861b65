/**
 * WebSocket APIs: the `$connect` authorizer runs once per connection, and API Gateway gives what
 * it answered (`principalId` and the context, as strings) to every message route of that
 * connection as `requestContext.authorizer`. Message events carry no headers: the identity comes
 * from there or from nowhere.
 */
import { describe, expect, test } from '@jest/globals'
import type { AuthContext } from '@middy-auth/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import { websocketAuthorizerEvent, websocketMessageEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { outcome, protect } from '../../../test/support/protect.js'
import { authorizer, ordersPolicy, policyOf, rbacInFront, useIssuer } from './support.js'

const issuer = useIssuer()
const { verify, sign } = issuer

const exp = Math.floor(Date.now() / 1000) + 600

/** The `$connect` authorizer: the token from the query (browsers cannot set headers on a WebSocket), rbac on Cognito groups. */
const connectAuthorizer = () =>
  authorizer({ contextClaims: ['sub', 'client_id', 'exp', 'cognito:groups'] }, [verify({ tokenSource: { query: 'token' } }), ...rbacInFront({})])

/** What API Gateway hands a message route: the `$connect` answer's principalId and context, as strings. */
const connectionAuthorizer = async (claims: Record<string, unknown>): Promise<Record<string, string>> => {
  const policy = policyOf(await connectAuthorizer().invoke(websocketAuthorizerEvent({ query: { token: await sign({ exp, ...claims }) } })))
  expect(policy.policyDocument.Statement).toEqual([expect.objectContaining({ Effect: 'Allow' })])
  const authorizer: Record<string, string> = { principalId: policy.principalId, integrationLatency: '0' }
  for (const [key, value] of Object.entries(policy.context ?? {})) authorizer[key] = String(value)
  return authorizer
}

/** A MESSAGE event in the shape of the `$connect` capture: its connection's fields, no headers, a body. */
const messageFromFixture = (authorizerContext: Record<string, string> | undefined) => {
  const connect = loadFixture('websocket-connect.json')
  const requestContext: Record<string, unknown> = { ...connect.requestContext, routeKey: 'sendMessage', eventType: 'MESSAGE', messageId: 'ZxYKUcvYIAMCEBQ=' }
  delete requestContext.authorizer
  if (authorizerContext) requestContext.authorizer = authorizerContext
  return { requestContext, body: '{"action":"sendMessage","text":"hi"}', isBase64Encoded: false }
}

/** A message route's function: it trusts the gateway, requires a scope and a permission, records the identity. */
const messageRoute = (front: 'jwtVerify' | 'consumers only' = 'jwtVerify') =>
  protect([
    ...(front === 'jwtVerify' ? [jwtVerify({ trustApiGateway: true })] : []),
    oauthScope({ required: ['chat/write'] }),
    rbac({ policy: ordersPolicy, required: 'orders:create', conditions: { always: () => true } }),
  ])

const expectIdentity = (auth: AuthContext | undefined) => {
  expect(auth).toMatchObject({
    source: 'lambda-authorizer',
    subject: 'alice',
    issuer: issuer.iss.issuer,
    scopes: ['chat/write'],
    roles: expect.arrayContaining(['clerk', 'viewer']),
  })
  expect(auth?.claims).toMatchObject({ sub: 'alice', client_id: 'web-app', exp, 'cognito:groups': ['clerk'] })
  expect(auth?.permissions).toEqual(expect.arrayContaining(['orders:create']))
}

describe('WebSocket message routes read the identity the $connect authorizer put in the context', () => {
  const clerk = { scope: 'chat/write', 'cognito:groups': ['clerk'], client_id: 'web-app' }

  test.each(['jwtVerify', 'consumers only'] as const)('a MESSAGE event shaped like the capture (%s in front): allowed, context.auth rebuilt', async (front) => {
    const route = messageRoute(front)
    const response = await route.invoke(messageFromFixture(await connectionAuthorizer(clerk)))
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ subject: 'alice' }) })
    expectIdentity(route.seen[0])
  })

  test("the testing kit's websocketMessageEvent gives the same", async () => {
    const route = messageRoute()
    const event = websocketMessageEvent({ routeKey: 'sendMessage', authorizer: { ...(await connectionAuthorizer(clerk)), principalId: 'alice' } })
    expect(await route.invoke(event)).toMatchObject({ statusCode: 200 })
    expectIdentity(route.seen[0])
  })

  test('a scope the connection lacks: 403 insufficient_scope on the message route, handler not called', async () => {
    const route = messageRoute()
    const response = await route.invoke(messageFromFixture(await connectionAuthorizer({ ...clerk, scope: 'chat/read' })))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(route.seen).toEqual([])
  })

  test('a role that does not grant the permission: 403 access_denied, handler not called', async () => {
    const route = messageRoute()
    const response = await route.invoke(messageFromFixture(await connectionAuthorizer({ ...clerk, 'cognito:groups': ['viewer'] })))
    expect(outcome(response)).toEqual([403, 'access_denied'])
    expect(route.seen).toEqual([])
  })

  test('a message route without an authorizer context (no $connect authorizer): 401 missing_token', async () => {
    for (const front of ['jwtVerify', 'consumers only'] as const) {
      const route = messageRoute(front)
      const response = await route.invoke(messageFromFixture(undefined))
      expect(outcome(response)).toEqual([401, 'missing_token'])
      expect(route.seen).toEqual([])
    }
  })
})
