/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): what reaches the
 * handler, and options that must not compile.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { AuthError } from '@middy-auth/core'
import jwtVerify, { cognitoIssuer, type JwtVerifyDenialReason } from '@middy-auth/jwt-verify'

interface OrdersClaims {
  email: string
  'cognito:groups': string[]
}

const issuers = [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'client', tokenUse: 'id' })]

export const typed = middy<APIGatewayProxyEventV2>()
  .use(httpErrorHandler())
  .use(jwtVerify<OrdersClaims>({ issuers }))
  .handler(async (_event, context) => {
    const email: string = context.auth.claims.email
    const groups: string[] = context.auth.claims['cognito:groups']
    const subject: string = context.auth.subject
    const scopes: string[] = context.auth.scopes
    // @ts-expect-error claims are the user's type, not an open record
    const missing = context.auth.claims.nickname
    return { statusCode: 200, body: [email, groups, subject, scopes, missing].join() }
  })

export const untyped = middy()
  .use(jwtVerify({ issuers }))
  .handler(async (_event, context) => {
    const claim: unknown = context.auth.claims.anything
    return String(claim)
  })

export const optional = middy()
  .use(jwtVerify({ issuers, credentialsRequired: false }))
  .handler(async (_event, context) => {
    // @ts-expect-error auth may be absent when credentials are optional
    const subject: string = context.auth.subject
    return subject + (context.auth?.subject ?? 'anonymous')
  })

// @ts-expect-error audience is required: null must be written to skip it
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', jwksUri: 'https://a.example.com/jwks' }] })

jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: null }] })

// @ts-expect-error issuers are required unless trustApiGateway is true
jwtVerify({})

jwtVerify({ trustApiGateway: true })

// @ts-expect-error symmetric algorithms are accepted only with a secret on the entry
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', algorithms: ['HS256'] }] })

// @ts-expect-error a token source is a header, a cookie, a query parameter or a function
jwtVerify({ issuers, tokenSource: { body: 'token' } })

// @ts-expect-error tokenUse is 'access' or 'id'
cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'c', tokenUse: 'refresh' })

jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', secret: 'a shared secret of at least thirty-two bytes', algorithms: ['HS256'] }] })

// @ts-expect-error a secret entry has no public keys (one line: the error is reported where the call starts)
// prettier-ignore
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', secret: 'a shared secret of at least thirty-two bytes', algorithms: ['HS256'], jwksUri: 'https://a.example.com/jwks' }] })

// @ts-expect-error a secret entry lists HMAC algorithms only
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', secret: 'a shared secret of at least thirty-two bytes', algorithms: ['RS256'] }] })

jwtVerify({
  issuers: [{ issuer: 'https://a.example.com/', audience: 'x', dpop: { boundTokens: 'required', algorithms: ['ES256'] }, mtls: false }],
  mtls: { boundTokens: 'allowed' },
})

// @ts-expect-error boundTokens is 'required' or 'allowed'
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x' }], dpop: { boundTokens: 'always' } })

// @ts-expect-error DPoP proofs are signed with asymmetric algorithms only
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x' }], dpop: { boundTokens: 'required', algorithms: ['HS256'] } })

jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', claimsCheck: async (payload) => payload.sub !== 'revoked', claimsCacheTtl: 30 }] })
// The former name still compiles (deprecated: one DeprecationWarning at cold start).
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', claims: (payload) => payload.sub !== 'revoked' }] })
// @ts-expect-error claimsCheck is a function of the payload
jwtVerify({ issuers: [{ issuer: 'https://a.example.com/', audience: 'x', claimsCheck: true }] })
cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'c', tokenUse: 'access', claimsCheck: (payload) => payload.username === 'alice' })

// A denial's reason is typed by jwt-verify's union.
export const expired = (error: AuthError<JwtVerifyDenialReason>): boolean => error.reason === 'expired' || error.reason === 'token_use'
// @ts-expect-error not a reason of jwt-verify
export const notAReason: JwtVerifyDenialReason = 'insufficient_scope'
