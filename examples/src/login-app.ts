/**
 * A browser app signed in with `@middy-auth/oauth-login`, as one Lambda function behind an HTTP
 * API (payload 2.0) with `@middy/http-router`: the sign-in routes, a page, and an orders API
 * protected by `sessionAuth` + `oauthScope`. The end-to-end browser test runs it behind the
 * local gateway; deployed, each route could as well be a function of its own.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler, { type Route } from '@middy/http-router'
import oauthScope from '@middy-auth/oauth-scope'
import { oauthLogin, sessionAuth, type OAuthLoginConfig } from '@middy-auth/oauth-login'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

export interface LoginAppOptions {
  /** The identity provider's issuer identifier. */
  issuer: string
  clientId: string
  clientSecret: string
  /** The session secret (at least 32 bytes). */
  secret: string
  /** Where the browser reaches the app, without a trailing slash: `http://127.0.0.1:8080`. */
  baseUrl: string
  /** The API whose scopes the app asks for (RFC 8707 resource indicator). */
  resource: string
}

/** The app's page: asks `/auth/session` who is signed in, and sends the user to sign in when nobody is. */
const appPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orders</title></head>
<body>
<h1>Orders</h1>
<p id="who">Loading…</p>
<form method="post" action="/auth/logout"><button id="logout" type="submit">Sign out</button></form>
<script>
fetch('/auth/session').then(async (response) => {
  if (response.status === 401) { location.assign('/auth/login?returnTo=' + encodeURIComponent('/app')); return }
  const session = await response.json()
  document.getElementById('who').textContent = 'Signed in as ' + session.subject + ' (' + session.scopes.join(' ') + ')'
})
</script>
</body></html>`

const signedOutPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orders</title></head>
<body><h1>Orders</h1><p id="who">Signed out.</p><a href="/app">Open the app</a></body></html>`

const html = (body: string): APIGatewayProxyResultV2 => ({
  statusCode: 200,
  headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  body,
})

/** An orders API function: the user must be signed in and hold `scope`. */
const ordersFunction = (config: OAuthLoginConfig, scope: string, answer: string) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(httpErrorHandler({ logger: false }))
    .use(sessionAuth(config))
    .use(oauthScope({ required: [scope] }))
    .handler(async (_event, context) => ({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ subject: context.auth.subject, result: answer }),
    }))

/** The configuration the app's routes and functions share. */
export const loginAppConfig = (options: LoginAppOptions): OAuthLoginConfig => ({
  issuer: options.issuer,
  clientId: options.clientId,
  clientSecret: options.clientSecret,
  secret: options.secret,
  redirectUri: `${options.baseUrl}/auth/callback`,
  postLogoutRedirect: `${options.baseUrl}/`,
  scopes: ['openid', 'profile', 'email', 'orders:read', 'orders:write'],
  resource: options.resource,
  returnToPaths: ['/app'],
})

/**
 * Builds the app: one handler for every route.
 *
 * | route | |
 * | --- | --- |
 * | `GET /` | signed-out page (where logout lands) |
 * | `GET /app` | the app's page |
 * | `GET /auth/login`, `GET /auth/callback`, `POST /auth/logout`, `POST /auth/refresh`, `GET /auth/session` | oauth-login |
 * | `GET /api/orders` | needs `orders:read` |
 * | `DELETE /api/orders` | needs `orders:write` |
 */
export const createLoginApp = (options: LoginAppOptions) => {
  const config = loginAppConfig(options)
  const { login, callback, logout, refresh, session } = oauthLogin(config)
  type AppRoute = Route<APIGatewayProxyEventV2, APIGatewayProxyResultV2>
  const route = (method: AppRoute['method'], path: string, handler: unknown): AppRoute => ({ method, path, handler: handler as AppRoute['handler'] })
  return httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>([
    route('GET', '/', async () => html(signedOutPage)),
    route('GET', '/app', async () => html(appPage)),
    route('GET', '/auth/login', login),
    route('GET', '/auth/callback', callback),
    route('POST', '/auth/logout', logout),
    route('POST', '/auth/refresh', refresh),
    route('GET', '/auth/session', session),
    route('GET', '/api/orders', ordersFunction(config, 'orders:read', 'the orders')),
    route('DELETE', '/api/orders', ordersFunction(config, 'orders:write', 'deleted')),
  ])
}
