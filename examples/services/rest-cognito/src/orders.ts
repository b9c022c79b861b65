// A REST API whose Cognito user pool authorizer checks the caller's token. The function trusts
// the claims the authorizer passes on (trustApiGateway) and applies the user pool's own rules to
// them (cognitoIssuer: token_use, client_id, the pool's issuer); rbac maps Cognito groups to
// permissions, and an order is deleted only by an admin or by the clerk who created it.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
import rbac, { cognitoRoles, type Policy } from '@middy-auth/rbac'
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda'

const setting = (name: 'USER_POOL_ID' | 'CLIENT_ID'): string => {
  const value = process.env[name]
  if (!value) throw new TypeError(`${name} is not set: the template passes it as an environment variable`)
  return value
}

/** Who may do what: Cognito groups are the roles. */
export const policy: Policy = {
  roles: {
    admin: { inherits: ['clerk'], allow: ['orders:*'] },
    clerk: { allow: ['orders:read', 'orders:create', { permission: 'orders:delete', when: 'createdByCaller' }] },
  },
}

interface Order {
  id: string
  createdBy: string
}

/** The orders a request may be about; a real service reads them from its table. */
const orders = new Map<string, Order>([
  ['o-1', { id: 'o-1', createdBy: 'alice-sub' }],
  ['o-2', { id: 'o-2', createdBy: 'bob-sub' }],
])

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrorHandler({ logger: false }))
  .use(
    jwtVerify({
      trustApiGateway: true,
      // The REST Cognito authorizer accepts ID tokens (aud = the app client) unless OAuth scopes
      // are set on the method: this API expects ID tokens, as the template configures it.
      issuers: [cognitoIssuer({ userPoolId: setting('USER_POOL_ID'), clientId: setting('CLIENT_ID'), tokenUse: 'id' })],
    }),
  )
  .use(
    rbac<Order | undefined, APIGatewayProxyEvent>({
      policy,
      rolesFrom: cognitoRoles(),
      required: 'orders:delete',
      resource: async ({ event }) => orders.get(event.pathParameters?.id ?? ''),
      conditions: {
        createdByCaller: ({ auth, resource }) => resource?.createdBy === auth.subject,
      },
    }),
  )
  .handler(async (event, context) => {
    const id = event.pathParameters?.id ?? ''
    if (!orders.delete(id)) return { statusCode: 404, body: JSON.stringify({ error: 'not_found' }) }
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deleted: id, by: context.auth.subject }) }
  })
