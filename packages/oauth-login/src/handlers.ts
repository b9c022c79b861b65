/**
 * The routes of the sign-in: `login` (to the provider), `callback` (back from it), `logout`,
 * `refresh` and `session` (the signed-in user for the front end). Each is a Middy handler; the
 * protocol is openid-client's.
 */
import { AuthError, getQueryValues, isAuthError } from '@middy-auth/core'
import { attachState, readState, stateKeys } from '@middy-auth/core/internal'
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core'
import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda'
import {
  authorizationCodeGrant,
  buildAuthorizationUrl,
  buildEndSessionUrl,
  calculatePKCECodeChallenge,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client'
import { checkSameOrigin } from './csrf.js'
import { callbackError, packageName } from './errors.js'
import { addPendingCookies, flushPendingCookies, type CookieRequest } from './pending-cookies.js'
import { authErrorResponse, jsonResponse, redirect, withCookies, type HttpResponse } from './response.js'
import type { Runtime } from './runtime.js'
import { createSessionAuthenticator, type SessionContext } from './session-auth.js'
import { sessionFromTokens } from './session.js'
import { clearTransaction } from './transaction.js'
import { absoluteUrl, redirectUriOf } from './urls.js'

/**
 * The events the routes take: API Gateway HTTP API (payload 2.0, also function URLs), REST
 * (payload 1.0) and ALB.
 *
 * @example
 * ```ts
 * const kinds: HttpEvent[] = []
 * ```
 */
export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | ALBEvent

/**
 * One route of the sign-in: a Middy handler, to which more middlewares can be added.
 *
 * @example
 * ```ts
 * const route: OAuthLoginHandler = oauthLogin(config).login
 * ```
 */
export type OAuthLoginHandler = MiddyfiedHandler<HttpEvent, HttpResponse, Error, Context>

/** The parameters of an authorization response (RFC 6749 §4.1.2, RFC 9207); nothing else is passed on. */
const responseParams = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state']

/** The callback's URL as the browser requested it, from any event kind. */
const callbackUrl = (redirectUri: string, event: unknown): URL => {
  const url = new URL(redirectUri)
  url.search = ''
  for (const name of responseParams) for (const value of getQueryValues(event, name)) url.searchParams.append(name, value)
  return url
}

/**
 * Renders an `AuthError` as a JSON response when no error handler used after this one has
 * rendered it already, with the cookies `cookiesOnError` gives (the callback clears its
 * transaction), and writes pending cookies (from `sessionAuth`) into the response.
 */
const oauthLoginResponses = (cookiesOnError: (event: unknown) => string[]): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> => {
  const oauthLoginResponsesAfter = (request: CookieRequest): void => flushPendingCookies(request)
  const oauthLoginResponsesOnError = (request: CookieRequest & { error: unknown }): void => {
    if (request.response === undefined && isAuthError(request.error)) request.response = authErrorResponse(request.error)
    addPendingCookies(request, cookiesOnError(request.event))
    flushPendingCookies(request)
  }
  return { after: oauthLoginResponsesAfter, onError: oauthLoginResponsesOnError }
}

/**
 * Where a handler finds its request's `internal` (secrets that `@middy/ssm` loads there are read
 * in the handler, after every middleware's `before` ran, whatever their order).
 */

const keepInternal = (): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> => ({
  before: function oauthLoginKeepInternalBefore(request) {
    attachState(request.context, stateKeys.oauthLoginInternal, request.internal)
  },
})

const internalOf = (context: Context): Record<string, unknown> =>
  (readState(context, stateKeys.oauthLoginInternal) as Record<string, unknown> | undefined) ?? {}

const route = (cookiesOnError: (event: unknown) => string[] = () => []): MiddyfiedHandler<HttpEvent, HttpResponse, Error, Context> =>
  middy<HttpEvent, HttpResponse, Error, Context>().use(oauthLoginResponses(cookiesOnError)).use(keepInternal())

/**
 * The routes `oauthLogin()` returns.
 *
 * @example
 * ```ts
 * const { login, callback, logout, refresh, session }: OAuthLoginHandlers = oauthLogin(config)
 * ```
 */
export interface OAuthLoginHandlers {
  /** `GET`: redirects to the provider's sign-in (`?returnTo=/path` for an allowed path). */
  login: OAuthLoginHandler
  /** `GET`: the redirect URI; finishes the sign-in, sets the session, redirects to `returnTo`. */
  callback: OAuthLoginHandler
  /** `GET` or `POST`: clears the session, redirects to the provider's end-session endpoint when it has one. */
  logout: OAuthLoginHandler
  /** `POST`: refreshes the access token now; `200 {"expiresAt", "accessTokenExpiresAt"}`. */
  refresh: OAuthLoginHandler
  /** `GET`: the signed-in user as JSON for the front end (`subject`, `issuer`, `scopes`, `claims`, `expiresAt`); never a token. */
  session: OAuthLoginHandler
}

export const createHandlers = (runtime: Runtime): OAuthLoginHandlers => {
  const { config, provider, tokenParams } = runtime

  const login = route().handler(async (event, context) => {
    const nowMs = config.clock()
    const { transactions } = await runtime.stores(internalOf(context))
    const redirectUri = redirectUriOf(config, event)
    if (!redirectUri) throw noRedirectUri()
    const asked = getQueryValues(event, 'returnTo')
    const returnTo = (asked.length === 1 ? config.returnToAllowed(asked[0] as string) : undefined) ?? config.postLoginRedirect
    const verifier = randomPKCECodeVerifier()
    const state = randomState()
    const nonce = randomNonce()
    const params = new URLSearchParams({
      ...config.extraParams,
      redirect_uri: redirectUri.href,
      scope: config.scope,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    for (const resource of config.resource) params.append('resource', resource)
    const url = buildAuthorizationUrl(await provider(), params)
    const cookie = await transactions.write({ state, nonce, verifier, returnTo, redirectUri: redirectUri.href }, nowMs)
    return withCookies(event, redirect(url.href), [cookie])
  })

  // Whatever happens, the transaction is used up: a failed callback clears it too.
  const callback = route(() => [clearTransaction(config)]).handler(async (event, context) => {
    const nowMs = config.clock()
    const { sessions, transactions } = await runtime.stores(internalOf(context))
    const transaction = await transactions.read(event, nowMs)
    if (!transaction) {
      throw new AuthError('invalid_request', {
        package: packageName,
        description: 'No sign-in in progress, or it expired; start again',
        data: { reason: 'missing_or_expired_transaction' },
      })
    }
    const configuration = await provider()
    let tokens
    try {
      tokens = await authorizationCodeGrant(
        configuration,
        callbackUrl(transaction.redirectUri, event),
        { pkceCodeVerifier: transaction.verifier, expectedState: transaction.state, expectedNonce: transaction.nonce, idTokenExpected: true },
        tokenParams,
      )
    } catch (error) {
      throw callbackError(error)
    }
    const data = sessionFromTokens(tokens, config, nowMs)
    const cookies = [clearTransaction(config), ...(await sessions.write(event, data, nowMs))]
    return withCookies(event, redirect(transaction.returnTo), cookies)
  })

  const logout = route().handler(async (event, context) => {
    // Every method: a sign-out acts on GET too, and another site must not sign the user out.
    checkSameOrigin(event, config.allowedOrigins, { everyMethod: true })
    const { sessions } = await runtime.stores(internalOf(context))
    const current = await sessions.read(event, config.clock())
    const cookies = sessions.clear(event)
    const returnTo = absoluteUrl(config, event, config.postLogoutRedirect)
    let location = config.postLogoutRedirect
    if (current) {
      try {
        const configuration = await provider()
        if (configuration.serverMetadata().end_session_endpoint) {
          location = buildEndSessionUrl(configuration, {
            id_token_hint: current.data.idToken,
            client_id: config.clientId,
            ...(returnTo ? { post_logout_redirect_uri: returnTo } : {}),
          }).href
        }
      } catch {
        // The provider is down: the local session still ends.
      }
    }
    return withCookies(event, redirect(location), cookies)
  })

  // Authenticated in the handler rather than by a middleware, so that middlewares added to the
  // route (`@middy/ssm` for the secret) have run first.
  const refreshNow = createSessionAuthenticator(runtime, { forceRefresh: true })
  const refresh = route().handler(async (event, context) => {
    await refreshNow({ event, context, internal: internalOf(context), response: undefined })
    const { session } = context as unknown as SessionContext
    return jsonResponse(200, { expiresAt: session.expiresAt, accessTokenExpiresAt: session.accessTokenExpiresAt ?? null })
  })

  const authenticate = createSessionAuthenticator(runtime)
  const session = route().handler(async (event, context) => {
    await authenticate({ event, context, internal: internalOf(context), response: undefined })
    const { auth, session: tokens } = context as unknown as SessionContext
    return jsonResponse(200, { subject: auth.subject, issuer: auth.issuer, scopes: auth.scopes, claims: auth.claims, expiresAt: tokens.expiresAt })
  })

  return { login, callback, logout, refresh, session }
}

const noRedirectUri = (): AuthError =>
  new AuthError('invalid_request', { package: packageName, data: { reason: 'no_redirect_uri', hint: 'set redirectUri: the request has no domainName' } })
