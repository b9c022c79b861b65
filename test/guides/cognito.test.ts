import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify, { cognitoIssuer, type IssuerConfig } from '@middy-auth/jwt-verify'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, httpApiEvent, lambdaContext, restEvent, type TestIssuer } from '@middy-auth/testing'
import type { APIGatewayProxyResultV2 } from 'aws-lambda'

// In your code, this factory lives next to the handler, which calls it with the real pool.
const createHandler = (issuer: IssuerConfig, trustApiGateway = false) =>
  middy()
    .use(jwtVerify({ issuers: [issuer], trustApiGateway }))
    .use(httpErrorHandler({ logger: false }))
    .handler(async (_event, context): Promise<APIGatewayProxyResultV2> => ({
      statusCode: 200,
      body: JSON.stringify({ user: context.auth.subject, groups: context.auth.claims['cognito:groups'] ?? [] }),
    }))

// Groups as roles: the user pool's groups name the policy's roles.
const policy: Policy = { roles: { admin: { allow: ['orders:*'] }, clerk: { allow: ['orders:read'] } } }
const createDeleteHandler = (issuer: IssuerConfig) =>
  middy()
    .use(jwtVerify({ issuers: [issuer] }))
    .use(rbac({ policy, rolesFrom: 'cognito:groups', routes: { 'DELETE /orders/{id}': 'orders:delete' } }))
    .use(httpErrorHandler({ logger: false }))
    .handler(async (): Promise<APIGatewayProxyResultV2> => ({ statusCode: 204 }))

const userPoolId = 'eu-west-1_AbCdEf123'
const clientId = 'web-client'
const poolIssuer = `https://cognito-idp.eu-west-1.amazonaws.com/${userPoolId}`

describe('orders handler', () => {
  let idp: TestIssuer
  let handler: ReturnType<typeof createHandler>
  // An access token as Cognito issues it: the pool's iss, no aud, client_id and token_use instead.
  // The loopback issuer signs it and serves the key; the preset's jwksUri points there.
  const accessToken = (claims: Record<string, unknown> = {}, expiresIn = 3600) =>
    idp.sign(
      { token_use: 'access', client_id: clientId, username: 'alice', scope: 'orders/read', 'cognito:groups': ['admin'], ...claims },
      { issuer: poolIssuer, audience: null, subject: 'alice-sub', expiresIn },
    )

  beforeAll(async () => {
    idp = await createTestIssuer()
    handler = createHandler(cognitoIssuer({ userPoolId, clientId, tokenUse: 'access', jwksUri: idp.jwksUri }))
  })
  afterAll(() => idp.close())

  test('an access token of our app client reaches the handler', async () => {
    const response = await handler(httpApiEvent({ bearer: await accessToken() }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ user: 'alice-sub', groups: ['admin'] }) })
  })

  test('an id token, another app client, an expired token: 401 invalid_token', async () => {
    for (const token of [
      await accessToken({ token_use: 'id', aud: clientId }),
      await accessToken({ client_id: 'another-client' }),
      await accessToken({}, -60),
    ]) {
      const response = await handler(httpApiEvent({ bearer: token }), lambdaContext())
      expect(response).toMatchObject({ statusCode: 401, body: expect.stringContaining('"error":"invalid_token"') })
    }
  })

  test('cognito:groups as rbac roles: an admin deletes, a clerk may not', async () => {
    const deleteOrder = createDeleteHandler(cognitoIssuer({ userPoolId, clientId, tokenUse: 'access', jwksUri: idp.jwksUri }))
    const event = (token: string) => httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42', bearer: token })
    expect(await deleteOrder(event(await accessToken()), lambdaContext())).toMatchObject({ statusCode: 204 })
    const clerk = await deleteOrder(event(await accessToken({ 'cognito:groups': ['clerk'] })), lambdaContext())
    expect(clerk).toMatchObject({ statusCode: 403, body: JSON.stringify({ error: 'access_denied', error_description: 'Access denied' }) })
  })

  test('behind the REST Cognito authorizer, the claims get their types back', async () => {
    const trusting = createHandler(cognitoIssuer({ userPoolId, clientId, tokenUse: 'access', jwksUri: idp.jwksUri }), true)
    // The authorizer hands on the access token's claims; the preset still checks token_use and client_id.
    // restEvent renders them as the gateway does: "admin,editor", "Tue Jun 18 15:00:04 UTC 2024".
    const claims = { sub: 'alice-sub', iss: poolIssuer, token_use: 'access', client_id: clientId, 'cognito:groups': ['admin', 'editor'] }
    const response = await trusting(restEvent({ authorizer: { claims } }), lambdaContext())
    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ user: 'alice-sub', groups: ['admin', 'editor'] }) })
    // What the gateway does not check, this does: an id token's claims are refused.
    const idClaims = { sub: 'alice-sub', iss: poolIssuer, token_use: 'id', aud: clientId, 'cognito:groups': ['admin'] }
    expect(await trusting(restEvent({ authorizer: { claims: idClaims } }), lambdaContext())).toMatchObject({ statusCode: 401 })
  })
})
