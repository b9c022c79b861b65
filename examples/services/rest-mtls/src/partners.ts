// A partner API on a REST custom domain with mutual TLS. API Gateway accepts only clients whose
// certificate chains to the truststore, and passes that certificate on; jwtVerify requires the
// access token to be bound to it (RFC 8705: cnf["x5t#S256"]), so a stolen token is useless
// without the partner's TLS private key.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda'

const setting = (name: 'ISSUER' | 'AUDIENCE'): string => {
  const value = process.env[name]
  if (!value) throw new TypeError(`${name} is not set: the template passes it as an environment variable`)
  return value
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrorHandler({ logger: false }))
  .use(jwtVerify({ issuers: [{ issuer: setting('ISSUER'), audience: setting('AUDIENCE'), mtls: { boundTokens: 'required' } }] }))
  .use(oauthScope({ required: ['partner/orders'] }))
  .handler(async (_event, context) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orders: [], partner: context.auth.subject }),
  }))
