// The HTTP API's Lambda authorizer (payload 2.0, simple responses). It verifies the token, reads
// the caller's roles, and answers for the route the gateway names: the gateway caches the answer
// per token and route ($context.routeKey is an identity source in the template).
import middy from '@middy/core'
import authorizerResponse from '@middy-auth/authorizer'
import jwtVerify from '@middy-auth/jwt-verify'
import rbac from '@middy-auth/rbac'
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda'
import { policy, routes } from './routes.js'

const setting = (name: 'ISSUER' | 'AUDIENCE'): string => {
  const value = process.env[name]
  if (!value) throw new TypeError(`${name} is not set: the template passes it as an environment variable`)
  return value
}

export const handler = middy<APIGatewayRequestAuthorizerEventV2>()
  .use(jwtVerify({ issuers: [{ issuer: setting('ISSUER'), audience: setting('AUDIENCE') }] }))
  .use(rbac({ policy, rolesFrom: 'groups', required: [] })) // reads the roles; authorizerResponse decides per route
  .use(authorizerResponse({ routes, contextClaims: ['sub', 'exp'] }))
