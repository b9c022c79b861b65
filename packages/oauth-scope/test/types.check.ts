/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): what reaches the
 * handler, and options that must not compile.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
import type { AuthError } from '@middy-auth/core'
import oauthScope, { type OAuthScopeDenialReason, type OAuthScopeMiddleware, type RouteRequirement } from '@middy-auth/oauth-scope'

interface OrdersClaims {
  email: string
}

const issuers = [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'client', tokenUse: 'access' })]

export const alone = middy<APIGatewayProxyEventV2>()
  .use(oauthScope({ required: ['orders:read'] }))
  .use(httpErrorHandler())
  .handler(async (_event, context) => {
    // auth is always set: the handler does not run without an identity.
    const subject: string = context.auth.subject
    const scopes: string[] = context.auth.scopes
    const claims: unknown = context.auth.claims
    // @ts-expect-error alone, oauthScope() gives the claims no type: oauthScope<MyClaims>() does
    const claim: unknown = context.auth.claims.anything
    return { statusCode: 200, body: [subject, scopes, claims, claim].join() }
  })

export const aloneTyped = middy()
  .use(oauthScope<Record<string, unknown>>({ required: ['orders:read'] }))
  .handler(async (_event, context) => {
    const claim: unknown = context.auth.claims.anything
    return String(claim)
  })

export const afterOptionalJwt = middy()
  .use(jwtVerify({ issuers, credentialsRequired: false }))
  .use(oauthScope({ anyOf: ['orders:read'] }))
  .handler(async (_event, context) => context.auth.subject)

export const keepsClaims = middy()
  .use(jwtVerify<OrdersClaims>({ issuers }))
  .use(oauthScope<OrdersClaims>({ routes: { 'GET /orders': ['orders:read'] } }))
  .handler(async (_event, context) => {
    const email: string = context.auth.claims.email
    // @ts-expect-error claims stay the user's type when oauthScope is given it too
    const missing = context.auth.claims.nickname
    return email + String(missing)
  })

// oauthScope() adds no claims type of its own: it never widens what jwtVerify<Claims>() narrowed.
export const keepsNarrowedClaims = middy()
  .use(jwtVerify<OrdersClaims>({ issuers }))
  .use(oauthScope({ required: ['orders:read'] }))
  .handler(async (_event, context) => {
    const email: string = context.auth.claims.email
    // @ts-expect-error claims stay jwtVerify's type: an open record would let this compile
    const missing = context.auth.claims.nickname
    return email + String(missing)
  })

export const typedMiddleware: OAuthScopeMiddleware<OrdersClaims> = oauthScope<OrdersClaims>({ required: ['a'] })

const alternatives: RouteRequirement = { anyOf: ['orders:write', 'orders:admin'] }
oauthScope({ routes: { 'POST /orders': alternatives, 'GET /orders': ['orders:read'] }, routesDefault: ['orders:admin'] })
oauthScope({ required: ['orders'], anyOf: ['orders:read', 'orders:admin'], scopeClaims: ['scp'], realm: 'shop' })
oauthScope({ anyOf: ['orders:read'], scopeClaims: 'scope' })

// @ts-expect-error a requirement is needed
oauthScope({})

// @ts-expect-error routes and required are exclusive
oauthScope({ required: ['a'], routes: { 'GET /orders': ['a'] } })

// @ts-expect-error routesDefault only goes with routes
oauthScope({ required: ['a'], routesDefault: ['b'] })

// @ts-expect-error a route requirement needs required or anyOf
oauthScope({ routes: { 'GET /orders': {} } })

// @ts-expect-error scopes are lists, not space-joined strings
oauthScope({ required: 'orders:read' })

// @ts-expect-error unknown options do not compile
oauthScope({ required: ['a'], scopes: ['b'] })

// A denial's reason is typed by oauth-scope's union.
export const scopeReason = (error: AuthError<OAuthScopeDenialReason>): OAuthScopeDenialReason | undefined => error.reason
// @ts-expect-error not a reason of oauth-scope
export const notAScopeReason: OAuthScopeDenialReason = 'expired'
// @ts-expect-error the suite spells it required
export const otherSpelling = oauthScope({ require: ['orders:read'] })

// The lean entry: the same options and context, plus its own package's extensions only.
import leanOAuthScope from '@middy-auth/oauth-scope/lean'
import { apiGatewayClaims, routeMaps } from '@middy-auth/oauth-scope/extensions'
import { routeMaps as rbacRouteMaps } from '@middy-auth/rbac/extensions'

export const lean = middy<APIGatewayProxyEventV2>()
  .use(jwtVerify<OrdersClaims>({ issuers }))
  .use(leanOAuthScope({ routes: { 'GET /orders': ['orders:read'] }, extensions: [routeMaps, apiGatewayClaims] }))
  .handler(async (_event, context) => context.auth.claims.email)

// @ts-expect-error rbac's routeMaps is not an extension of oauth-scope
leanOAuthScope({ routes: { 'GET /orders': ['orders:read'] }, extensions: [rbacRouteMaps] })
// @ts-expect-error the lean entry takes the root's options: routes goes without required
leanOAuthScope({ required: ['a'], routes: { 'GET /orders': ['orders:read'] }, extensions: [routeMaps] })
// The root entry takes the same extensions (checked, then not needed: it has every one), and only its own package's.
export const rootWithExtensions = oauthScope({ required: ['a'], extensions: [routeMaps] })
// @ts-expect-error rbac's routeMaps is not an extension of oauth-scope, whichever entry
oauthScope({ required: ['a'], extensions: [rbacRouteMaps] })
