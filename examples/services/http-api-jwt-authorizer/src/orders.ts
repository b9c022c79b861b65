// GET /orders behind an HTTP API JWT authorizer. The gateway has verified the token; jwtVerify
// with trustApiGateway reads the claims it passes on and still applies this issuer entry's checks
// (issuer, audience, expiry), so a route deployed without the authorizer by mistake is not open:
// a bearer token is then verified here, against the issuer's keys.
//
// The lean entries keep the bundle small: they leave out the code of options this function does
// not use (DPoP, mTLS, route maps, …), and `extensions` adds back what it does use (reading the
// gateway's claims for trustApiGateway, and OIDC discovery of the issuer's keys: the entry gives
// no jwksUri).
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { apiGatewayClaims, oidcDiscovery } from '@middy-auth/jwt-verify/extensions'
import oauthScope from '@middy-auth/oauth-scope/lean'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

/** Set by the template (Environment.Variables); a missing one fails the cold start, loudly. */
const setting = (name: 'ISSUER' | 'AUDIENCE'): string => {
  const value = process.env[name]
  if (!value) throw new TypeError(`${name} is not set: the template passes it as an environment variable`)
  return value
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(httpErrorHandler({ logger: false }))
  .use(
    jwtVerify({
      trustApiGateway: true,
      issuers: [{ issuer: setting('ISSUER'), audience: setting('AUDIENCE') }],
      extensions: [apiGatewayClaims, oidcDiscovery],
    }),
  )
  .use(oauthScope({ required: ['orders/read'] }))
  .handler(async (_event, context) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orders: [], customer: context.auth.subject }),
  }))
