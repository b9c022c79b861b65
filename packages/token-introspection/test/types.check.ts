/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): what reaches the
 * handler, and options that must not compile.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import oauthScope from '@middy-auth/oauth-scope'
import jwtVerify from '@middy-auth/jwt-verify'
import tokenIntrospection, { createIntrospectionVerifier, type TokenIntrospectionOptions } from '@middy-auth/token-introspection'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

interface Answer {
  client_id: string
}

const provider = { issuer: 'https://auth.example.com', clientId: 'api', clientSecret: 's', audience: 'api' } as const

export const required = middy<APIGatewayProxyEventV2>()
  .use(tokenIntrospection<Answer>(provider))
  .use(oauthScope<Answer>({ required: ['orders:read'] }))
  .use(httpErrorHandler())
  .handler(async (_event, context) => {
    const client: string = context.auth.claims.client_id
    // @ts-expect-error claims are the user's type
    const missing = context.auth.claims.nickname
    return { statusCode: 200, body: client + String(missing) + context.auth.source }
  })

export const optional = middy()
  .use(tokenIntrospection({ ...provider, credentialsRequired: false }))
  .handler(async (_event, context) => {
    // @ts-expect-error auth may be absent without credentials
    const subject: string = context.auth.subject
    return subject + (context.auth?.subject ?? '')
  })

// @ts-expect-error audience is required (null to skip it on purpose)
export const noAudience: TokenIntrospectionOptions = { issuer: 'https://auth.example.com', clientId: 'api', clientSecret: 's' }

// @ts-expect-error endpoint or issuer is required
export const nowhere: TokenIntrospectionOptions = { clientId: 'api', clientSecret: 's', audience: 'api' }

export const byEndpoint: TokenIntrospectionOptions = {
  endpoint: 'https://auth.example.com/oauth2/introspect',
  clientId: 'api',
  clientSecret: 's',
  clientAuthMethod: 'client_secret_post',
  audience: null,
  cache: { ttl: 30, inactiveTtl: 5, maxEntries: 100 },
}

// @ts-expect-error client_secret_jwt is not offered (a shared secret used as an HMAC key)
export const badMethod: TokenIntrospectionOptions = { ...byEndpoint, clientAuthMethod: 'client_secret_jwt' }

declare const pem: string

export const byKey: TokenIntrospectionOptions = {
  issuer: 'https://auth.example.com',
  clientId: 'api',
  clientAuthMethod: 'private_key_jwt',
  privateKey: pem,
  keyId: 'k1',
  audience: 'api',
}

// @ts-expect-error private_key_jwt takes a private key, not a secret
export const keyMethodWithSecret: TokenIntrospectionOptions = {
  issuer: 'https://auth.example.com',
  clientId: 'api',
  clientAuthMethod: 'private_key_jwt',
  clientSecret: 's',
  audience: 'api',
}

// @ts-expect-error a secret method takes no private key
export const secretWithKey: TokenIntrospectionOptions = { ...byEndpoint, privateKey: pem }

export const signedAnswers: TokenIntrospectionOptions = { ...provider, jwtResponse: { algorithms: ['ES256', 'RS256'] } }

// @ts-expect-error HMAC is not an algorithm signed answers are accepted with
export const hmacAnswers: TokenIntrospectionOptions = { ...provider, jwtResponse: { algorithms: ['HS256'] } }

// jwtVerify's opaqueTokens takes the introspection verifier; the request's options stay on jwtVerify.
export const both = middy<APIGatewayProxyEventV2>()
  .use(
    jwtVerify({
      issuers: [{ issuer: provider.issuer, audience: 'api' }],
      opaqueTokens: createIntrospectionVerifier(provider),
      resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource',
    }),
  )
  .handler(async (_event, context) => ({ statusCode: 200, body: context.auth.subject }))

// @ts-expect-error tokenSource belongs to jwtVerify, not to the verifier
createIntrospectionVerifier({ ...provider, tokenSource: { header: 'x-token' } })
// @ts-expect-error a function is not a verifier object
jwtVerify({ issuers: [{ issuer: provider.issuer, audience: 'api' }], opaqueTokens: (token: string) => token })
