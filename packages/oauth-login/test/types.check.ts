/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): what reaches the
 * handler behind `sessionAuth`, what the routes are, and configuration that must not compile.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import oauthScope from '@middy-auth/oauth-scope'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { oauthLogin, sessionAuth, type OAuthLoginConfig, type OAuthLoginHandler } from '@middy-auth/oauth-login'

const config: OAuthLoginConfig = { issuer: 'https://login.example.com', clientId: 'web', secret: 'x'.repeat(32) }

export const api = middy<APIGatewayProxyEventV2>()
  .use(httpErrorHandler())
  .use(sessionAuth<{ email: string }>(config))
  .use(oauthScope<{ email: string }>({ required: ['orders:read'] }))
  .handler(async (_event, context) => {
    const subject: string = context.auth.subject
    const email: string = context.auth.claims.email
    const token: string = context.session.accessToken
    const expiresAt: number = context.session.expiresAt
    const accessTokenExpiresAt: number | undefined = context.session.accessTokenExpiresAt
    return { statusCode: 200, body: [subject, email, token, expiresAt, accessTokenExpiresAt].join() }
  })

const routes = oauthLogin(config)
export const login: OAuthLoginHandler = routes.login
// The routes are Middy handlers: more middlewares can be added.
export const logout = routes.logout.use(httpErrorHandler())

// @ts-expect-error the secret is required
export const noSecret: OAuthLoginConfig = { issuer: 'https://login.example.com', clientId: 'web' }
// @ts-expect-error SameSite=None is not an option
export const sameSiteNone: OAuthLoginConfig = { ...config, cookie: { sameSite: 'None' } }
// @ts-expect-error an unknown client authentication method
export const tls: OAuthLoginConfig = { ...config, clientAuth: 'tls_client_auth' }
