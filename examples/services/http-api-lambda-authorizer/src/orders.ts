// The functions behind the authorizer. The authorizer decided who may call which route; each
// function rebuilds context.auth from the authorizer's context (jwtVerify with trustApiGateway)
// and checks again what its own route needs, so a route deployed without the authorizer by
// mistake refuses every request instead of serving it.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify'
import rbac, { type Permission } from '@middy-auth/rbac'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
import { policy } from './routes.js'

const protect = (permission: Permission) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(httpErrorHandler({ logger: false }))
    .use(jwtVerify({ trustApiGateway: true }))
    .use(rbac({ policy, required: permission })) // roles: the authorizer's `roles` context value

export const list = protect('orders:read').handler(async (_event, context) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ orders: [], for: context.auth.subject }),
}))

export const create = protect('orders:create').handler(async (_event, context) => ({
  statusCode: 201,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ created: true, by: context.auth.subject }),
}))

export const remove = protect('orders:delete').handler(async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ deleted: event.pathParameters?.id }),
}))
