/**
 * `sessionAuth()`: the signed-in user of the session cookie on `context.auth`, the access
 * token refreshed when it nears expiry, unsafe cross-site requests refused.
 */
import { AuthError, setAuth, type AuthContext, type WithAuth } from '@middy-auth/core'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { refreshTokenGrant } from 'openid-client'
import { checkSameOrigin } from './csrf.js'
import { isProviderUnavailable, packageName, unavailable, type OAuthLoginDenialReason } from './errors.js'
import { addPendingCookies, flushPendingCookies, renderWithPendingCookies, type CookieRequest } from './pending-cookies.js'
import type { Runtime } from './runtime.js'
import { sessionAuthContext, sessionFromTokens, type SessionData, type SessionStore } from './session.js'

/**
 * The tokens of the session, on `context.session`, for a handler that calls an API on the
 * user's behalf (backend for frontend). Never send them to the browser.
 *
 * @example
 * ```ts
 * const callApi = (session: SessionTokens) => fetch('https://api.example.com/orders', { headers: { authorization: `Bearer ${session.accessToken}` } })
 * ```
 */
export interface SessionTokens {
  accessToken: string
  /** Seconds since the epoch, when the provider said. */
  accessTokenExpiresAt?: number
  /** The session's end: the sooner of its idle timeout and absolute lifetime (seconds since the epoch). */
  expiresAt: number
}

/**
 * The Lambda context after `sessionAuth`: `auth` (source `'session'`) and `session`.
 *
 * @example
 * ```ts
 * import type { SessionContext } from '@middy-auth/oauth-login'
 * const who = (context: SessionContext) => context.auth.subject
 * ```
 */
export type SessionContext<Claims = Record<string, unknown>> = WithAuth<Context, Claims> & { session: SessionTokens }

/**
 * The middleware `sessionAuth()` returns.
 *
 * @example
 * ```ts
 * const middleware: SessionAuthMiddleware = sessionAuth(config)
 * ```
 */
export type SessionAuthMiddleware<Claims = Record<string, unknown>> = MiddlewareObj<
  unknown,
  unknown,
  Error,
  SessionContext<Claims>,
  { auth: AuthContext<Claims> }
>

/** The part of a Middy request `sessionAuth` reads and writes. */
export interface SessionRequest extends CookieRequest {
  context: object
}

const loginRequired = (reason: OAuthLoginDenialReason, description?: string): AuthError =>
  new AuthError('login_required', { package: packageName, data: { reason }, ...(description ? { description } : {}) })

/**
 * Authenticates one request from its session cookie: `context.auth` and `context.session`
 * set, cookies to write left pending on `request.internal`. Throws the denials.
 */
export const createSessionAuthenticator = (
  runtime: Runtime,
  { forceRefresh = false }: { forceRefresh?: boolean } = {},
): ((request: SessionRequest) => Promise<void>) => {
  const { config, provider, tokenParams } = runtime

  const isExpired = (data: SessionData, nowSeconds: number): boolean => data.accessTokenExpiresAt !== undefined && data.accessTokenExpiresAt <= nowSeconds

  const isExpiring = (data: SessionData, nowSeconds: number): boolean =>
    data.accessTokenExpiresAt !== undefined && data.accessTokenExpiresAt - config.refreshBefore <= nowSeconds

  /** The refreshed session, or `undefined` to go on with the current access token. */
  const refresh = async (request: SessionRequest, sessions: SessionStore, data: SessionData, nowMs: number): Promise<SessionData | undefined> => {
    const nowSeconds = nowMs / 1000
    if (!data.refreshToken) {
      if (isExpired(data, nowSeconds)) throw expired(request, sessions, 'access_token_expired_no_refresh_token')
      return undefined
    }
    try {
      const tokens = await refreshTokenGrant(await provider(), data.refreshToken, tokenParams)
      const next = sessionFromTokens(tokens, config, nowMs, data)
      if (next.sub !== data.sub) throw expired(request, sessions, 'refresh_changed_subject')
      return next
    } catch (error) {
      if (error instanceof AuthError && error.code === 'login_required') throw error
      // The provider is down: the current token is still good for a while, or the caller retries.
      if (isProviderUnavailable(error) || (error instanceof AuthError && error.code === 'temporarily_unavailable')) {
        if (!isExpired(data, nowSeconds)) return undefined
        throw error instanceof AuthError ? error : unavailable('refresh_unavailable', error)
      }
      // Refresh token revoked, expired or reused: the sign-in is over.
      throw expired(request, sessions, 'refresh_rejected')
    }
  }

  const expired = (request: SessionRequest, sessions: SessionStore, reason: OAuthLoginDenialReason): AuthError => {
    addPendingCookies(request, sessions.clear(request.event))
    return loginRequired(reason, 'The session has ended; sign in again')
  }

  return async (request) => {
    checkSameOrigin(request.event, config.allowedOrigins)
    const nowMs = config.clock()
    const { sessions } = await runtime.stores(request.internal)
    const read = await sessions.read(request.event, nowMs)
    if (!read) {
      if (sessions.present(request.event)) throw expired(request, sessions, 'invalid_or_expired_session')
      throw loginRequired('no_session')
    }
    let data = read.data
    const nowSeconds = nowMs / 1000
    // Rolling lifetime: sealed again once half the idle timeout has passed, not on every request.
    let reseal = nowSeconds - read.sealedAt >= config.rolling / 2
    if (forceRefresh || isExpiring(data, nowSeconds)) {
      const refreshed = await refresh(request, sessions, data, nowMs)
      if (refreshed) {
        data = refreshed
        reseal = true
      }
    }
    if (reseal) addPendingCookies(request, await sessions.write(request.event, data, nowMs))
    setAuth(request, sessionAuthContext(data))
    const session: SessionTokens = {
      accessToken: data.accessToken,
      ...(data.accessTokenExpiresAt === undefined ? {} : { accessTokenExpiresAt: data.accessTokenExpiresAt }),
      expiresAt: sessions.expiresAt(data, reseal ? nowMs : read.sealedAt * 1000),
    }
    ;(request.context as { session?: SessionTokens }).session = session
  }
}

export const createSessionAuth = (runtime: Runtime): SessionAuthMiddleware => {
  const authenticate = createSessionAuthenticator(runtime)
  const sessionAuthMiddlewareBefore = (request: SessionRequest): Promise<void> => authenticate(request)
  const sessionAuthMiddlewareAfter = (request: SessionRequest): void => flushPendingCookies(request)
  const sessionAuthMiddlewareOnError = (request: SessionRequest & { error: unknown }): void => renderWithPendingCookies(request)

  return {
    before: sessionAuthMiddlewareBefore,
    after: sessionAuthMiddlewareAfter,
    onError: sessionAuthMiddlewareOnError,
  }
}
