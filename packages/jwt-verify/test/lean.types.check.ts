/**
 * Type tests of the lean entry, compiled by `tsc -p tsconfig.test.json`: the root's option and
 * context types, plus `extensions` of this package only.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { oidcDiscovery, senderConstraints, staticKeys, tokenSources, type JwtVerifyExtension } from '@middy-auth/jwt-verify/extensions'
import jwtVerify, { createJwtVerifier } from '@middy-auth/jwt-verify/lean'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

const issuers = [{ issuer: 'https://auth.example.com/', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }]

export const typed = middy<APIGatewayProxyEventV2>()
  .use(httpErrorHandler())
  .use(jwtVerify<{ email: string }>({ issuers, dpop: { boundTokens: 'required' }, extensions: [senderConstraints] }))
  .handler(async (_event, context) => {
    const email: string = context.auth.claims.email
    // @ts-expect-error claims are the user's type, not an open record
    const missing = context.auth.claims.nickname
    return { statusCode: 200, body: [email, missing].join() }
  })

export const optional = middy()
  .use(jwtVerify({ issuers, credentialsRequired: false }))
  .handler(async (_event, context) => {
    // @ts-expect-error context.auth may be absent with credentialsRequired: false
    const subject: string = context.auth.subject
    return subject
  })

const extensions: JwtVerifyExtension[] = [senderConstraints, staticKeys, oidcDiscovery, tokenSources]
export const verifier = createJwtVerifier({ issuers, tokenSource: { query: 'access_token' }, extensions })

// @ts-expect-error an extension of another package (or anything else) is not a jwt-verify extension
jwtVerify({ issuers, extensions: [{ package: '@middy-auth/oauth-scope', name: 'routeMaps' }] })
