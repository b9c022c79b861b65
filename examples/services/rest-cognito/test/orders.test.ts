import { beforeAll, describe, expect, test } from '@jest/globals'
import { lambdaContext, restEvent } from '@middy-auth/testing'

// A region that does not exist: the cold-start key prefetch can reach no real user pool from a test.
const userPoolId = 'eu-test-1_AbCdEf123'
const clientId = 'orders-web-client'
const poolIssuer = `https://cognito-idp.eu-test-1.amazonaws.com/${userPoolId}`
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>

beforeAll(async () => {
  process.env.USER_POOL_ID = userPoolId
  process.env.CLIENT_ID = clientId
  handler = (await import('../src/orders.js')).handler as never
})

const now = () => Math.floor(Date.now() / 1000)
/** The claims of a Cognito ID token, as the REST Cognito authorizer passes them on (restEvent renders them as strings). */
const idTokenClaims = (sub: string, groups: string[], claims: Record<string, unknown> = {}) => ({
  sub,
  iss: poolIssuer,
  aud: clientId,
  token_use: 'id',
  auth_time: now() - 60,
  iat: now() - 60,
  exp: now() + 3600,
  'cognito:username': sub.replace('-sub', ''),
  'cognito:groups': groups,
  ...claims,
})
const deleteOrder = async (id: string, claims: Record<string, unknown>) => {
  const event = restEvent({ method: 'DELETE', resource: '/orders/{id}', path: `/orders/${id}`, pathParameters: { id }, authorizer: { claims } })
  const response = await handler(event, lambdaContext())
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> }
}

describe('DELETE /orders/{id} behind the REST Cognito authorizer', () => {
  test('a clerk deleting an order someone else created: 403 access_denied', async () => {
    expect(await deleteOrder('o-2', idTokenClaims('alice-sub', ['clerk']))).toMatchObject({ status: 403, body: { error: 'access_denied' } })
  })

  test('an admin deletes any order', async () => {
    expect(await deleteOrder('o-2', idTokenClaims('carol-sub', ['admin']))).toEqual({ status: 200, body: { deleted: 'o-2', by: 'carol-sub' } })
  })

  test('a clerk deletes the order they created; then it is gone', async () => {
    expect(await deleteOrder('o-1', idTokenClaims('alice-sub', ['clerk']))).toEqual({ status: 200, body: { deleted: 'o-1', by: 'alice-sub' } })
    expect(await deleteOrder('o-1', idTokenClaims('carol-sub', ['admin']))).toMatchObject({ status: 404 })
  })

  test('no group: 403', async () => {
    expect(await deleteOrder('o-1', idTokenClaims('dave-sub', []))).toMatchObject({ status: 403, body: { error: 'access_denied' } })
  })

  test('an access token where ID tokens are expected, another app client, another pool: 401 invalid_token', async () => {
    for (const claims of [
      idTokenClaims('carol-sub', ['admin'], { token_use: 'access', aud: undefined, client_id: clientId }),
      idTokenClaims('carol-sub', ['admin'], { aud: 'another-client' }),
      idTokenClaims('carol-sub', ['admin'], { iss: 'https://cognito-idp.eu-test-1.amazonaws.com/eu-test-1_Other9999' }),
    ]) {
      expect(await deleteOrder('o-9', claims)).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
    }
  })
})
