import { createHandlers, type OAuthLoginHandlers } from './handlers.js'
import type { OAuthLoginConfig } from './options.js'
import { runtimeOf } from './runtime.js'
import { createSessionAuth, type SessionAuthMiddleware } from './session-auth.js'

/**
 * Signs browser users in from Lambda: the OAuth 2.0 authorization code flow with PKCE, `state`
 * and `nonce` (OpenID Connect, through openid-client), and a session in an encrypted,
 * authenticated `__Host-` cookie (no server-side store). Returns five Middy handlers to deploy
 * as routes: `login`, `callback` (the redirect URI), `logout`, `refresh` and `session`. A
 * failed sign-in is a JSON error (400 `invalid_request`, 401 `login_required`, 503
 * `temporarily_unavailable`) and sets no session. The configuration is checked now: a
 * `TypeError` at cold start (a missing secret, one under 32 bytes, an `http:` issuer that is
 * not loopback, …). Discovery starts now too, and is awaited by the first request.
 *
 * @example
 * ```ts
 * import { oauthLogin, type OAuthLoginConfig } from '@middy-auth/oauth-login'
 *
 * const config: OAuthLoginConfig = {
 *   issuer: 'https://login.example.com',
 *   clientId: 'orders-web',
 *   clientSecret: process.env.CLIENT_SECRET,
 *   secret: process.env.SESSION_SECRET ?? '',
 *   redirectUri: 'https://orders.example.com/auth/callback',
 *   returnToPaths: ['/app'],
 * }
 * export const { login, callback, logout, refresh, session } = oauthLogin(config)
 * ```
 */
export const oauthLogin = (config: OAuthLoginConfig): OAuthLoginHandlers => createHandlers(runtimeOf(config))

/**
 * Puts the session's user on `context.auth` (`source: 'session'`; scopes as granted, claims
 * from the ID token) and the session's tokens on `context.session`, so `oauthScope` and `rbac`
 * work unchanged behind a cookie session. Refreshes the access token with the refresh token
 * when it expires within `session.refreshBefore` seconds, and seals the cookie again (also
 * once half the idle timeout has passed). Denials, for `@middy/http-error-handler`: 401
 * `login_required` (no session, expired, tampered with, refresh refused), 403 `access_denied`
 * (POST, PUT, PATCH, DELETE from another site: CSRF), 503 `temporarily_unavailable` (the
 * access token expired and the provider cannot refresh it). Give it the same configuration
 * object as `oauthLogin()`.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import oauthScope from '@middy-auth/oauth-scope'
 * import { sessionAuth, type OAuthLoginConfig } from '@middy-auth/oauth-login'
 *
 * declare const config: OAuthLoginConfig
 * export const handler = middy()
 *   .use(httpErrorHandler())
 *   .use(sessionAuth(config))
 *   .use(oauthScope({ required: ['orders:read'] }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
 * ```
 */
export const sessionAuth = <Claims = Record<string, unknown>>(config: OAuthLoginConfig): SessionAuthMiddleware<Claims> => createSessionAuth(runtimeOf(config))

export type { HttpEvent, OAuthLoginHandler, OAuthLoginHandlers } from './handlers.js'
export type { ClientAuthMethod, CookieOptions, OAuthLoginConfig, SessionOptions } from './options.js'
export type { HttpResponse } from './response.js'
export type { SessionAuthMiddleware, SessionContext, SessionTokens } from './session-auth.js'
export { oauthLoginValidateOptions } from './validate-options.js'
export type { OAuthLoginDenialReason } from './errors.js'
