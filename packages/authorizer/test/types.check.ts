/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): authorizer functions
 * as users write them, and options that must not compile.
 */
import middy from '@middy/core'
import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import { appsyncAuthorizerEvent } from '@middy-auth/testing'
import type { APIGatewayRequestAuthorizerEventV2, APIGatewayTokenAuthorizerEvent, AppSyncAuthorizerEvent } from 'aws-lambda'
import authorizerResponse, {
  type AppSyncAuthorizerResponse,
  type DeniedFields,
  type AuthorizerLogEntry,
  type AuthorizerResponseMiddleware,
  type AuthorizerResponseOptions,
  type AuthorizerResult,
  type RouteRequirement,
} from '../src/index.js'

const issuers = [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'client', tokenUse: 'access' })]

// No handler: Middy's default one returns nothing, authorizerResponse answers.
export const token = middy<APIGatewayTokenAuthorizerEvent>()
  .use(jwtVerify({ issuers }))
  .use(oauthScope({ required: ['orders/read'] }))
  .use(rbac({ policy: { roles: { viewer: { allow: ['orders:read'] } } }, required: [] }))
  .use(authorizerResponse({ routes: { 'GET /orders': { scopes: ['orders/read'], permissions: ['orders:read'] } } }))

// A handler of its own is allowed; what it returns is not the answer.
export const withHandler = middy<APIGatewayRequestAuthorizerEventV2>()
  .use(jwtVerify({ issuers }))
  .use(authorizerResponse({ format: 'simple', context: (auth) => ({ tenant: String(auth.claims['custom:tenantId']), admin: auth.roles.includes('admin') }) }))
  .handler(async () => undefined)

export const middleware: AuthorizerResponseMiddleware = authorizerResponse()

const requirement: RouteRequirement = { anyOf: ['orders/write', 'orders/admin'] }
const options: AuthorizerResponseOptions = {
  format: 'iam-policy',
  routes: { 'POST /orders': requirement, 'GET /me': {} },
  contextClaims: ['sub', 'email'],
  usageIdentifierKey: (auth) => (auth.claims.client_id === 'partner' ? 'partner-api-key' : undefined),
  maxResponseBytes: 10240,
  logger: (entry: AuthorizerLogEntry) => console.warn(entry.reason),
}
authorizerResponse(options)
authorizerResponse({ logger: false })

export const isAllowed = (result: AuthorizerResult): boolean =>
  'isAuthorized' in result ? result.isAuthorized : result.policyDocument.Statement.some((statement) => statement.Effect === 'Allow')

// @ts-expect-error format is 'simple' or 'iam-policy'
authorizerResponse({ format: 'json' })
// @ts-expect-error a route's requirement is an object, not a list of scopes
authorizerResponse({ routes: { 'GET /orders': ['orders/read'] } })
// @ts-expect-error context values are strings, numbers and booleans
authorizerResponse({ context: () => ({ tags: ['a'] }) })
// @ts-expect-error an unknown option
authorizerResponse({ cacheTtl: 300 })

// AppSync: the same middlewares, answering AppSync's Lambda authorizer.
export const appsync = middy<AppSyncAuthorizerEvent>()
  .use(jwtVerify({ issuers }))
  .use(rbac({ policy: { roles: { viewer: { allow: ['orders:read'] } } }, required: [] }))
  .use(
    authorizerResponse({
      ttlOverride: 300,
      deniedFields: { 'Mutation.deleteOrder': { permissions: ['orders:delete'] }, 'Order.cost': { scopes: ['orders/audit'] } },
    }),
  )
// The testing kit's event is the aws-lambda type the handler takes.
export const builtEvent: AppSyncAuthorizerEvent = appsyncAuthorizerEvent({ token: 'eyJ…', operationName: 'GetOrder' })
const byFunction: DeniedFields = (auth) => (auth.roles.includes('admin') ? [] : ['Order.cost'])
authorizerResponse({ deniedFields: byFunction })
export const appsyncAnswer: AppSyncAuthorizerResponse = { isAuthorized: true, resolverContext: { sub: 'alice' }, deniedFields: ['Order.cost'], ttlOverride: 0 }
// @ts-expect-error ttlOverride is a number of seconds
authorizerResponse({ ttlOverride: '300' })
// @ts-expect-error deniedFields returns field names
authorizerResponse({ deniedFields: () => [1] })
// @ts-expect-error a field's requirement is an object
authorizerResponse({ deniedFields: { 'Order.cost': ['orders/audit'] } })
// @ts-expect-error resolverContext values are flat
export const nested: AppSyncAuthorizerResponse = { isAuthorized: true, resolverContext: { tenant: { id: 'acme' } } }
