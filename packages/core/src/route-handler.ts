/**
 * Typed route handlers for `@middy/http-router`. The router types its handlers with the plain
 * Lambda `Context`, and its handler field is a union TypeScript cannot infer parameters from, so a
 * handler reading `context.auth` needed a cast. `authRoutes` gives each handler
 * `context.auth` typed, and refuses a request that reaches a route without an identity.
 */
import type { Context } from 'aws-lambda'
import { AuthError } from './auth-error.js'
import type { AuthContext, WithAuth } from './auth-context.js'

/**
 * The methods of a route, as `@middy/http-router` names them.
 *
 * @example
 * ```ts
 * const method: RouteMethod = 'DELETE'
 * ```
 */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'ANY'

/**
 * A route handler that reads the identity: `context.auth` is set and typed.
 *
 * @typeParam TEvent - the event (`APIGatewayProxyEventV2`, `APIGatewayProxyEvent`, `ALBEvent`).
 * @typeParam TResult - what it returns (`APIGatewayProxyResultV2`, …).
 * @typeParam Claims - the claims type, as given to `jwtVerify<Claims>()`.
 * @example
 * ```ts
 * import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
 * const listOrders: AuthRouteHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2> = async (event, context) => ({
 *   statusCode: 200,
 *   body: JSON.stringify({ user: context.auth.subject, path: event.rawPath }),
 * })
 * ```
 */
export type AuthRouteHandler<TEvent, TResult, Claims = Record<string, unknown>> = (event: TEvent, context: WithAuth<Context, Claims>) => Promise<TResult>

/**
 * A route of `@middy/http-router` whose handler reads `context.auth`.
 *
 * @example
 * ```ts
 * import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
 * const route: AuthRoute<APIGatewayProxyEventV2, APIGatewayProxyResultV2> = {
 *   method: 'GET',
 *   path: '/orders',
 *   handler: async (_event, context) => ({ statusCode: 200, body: context.auth.subject }),
 * }
 * ```
 */
export interface AuthRoute<TEvent, TResult, Claims = Record<string, unknown>> {
  method: RouteMethod
  path: string
  handler: AuthRouteHandler<TEvent, TResult, Claims>
}

/**
 * A route as `@middy/http-router` takes it, made by {@link authRoutes}.
 *
 * @example
 * ```ts
 * import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
 * const routes: RouterRoute<APIGatewayProxyEventV2, APIGatewayProxyResultV2>[] = authRoutes([
 *   { method: 'GET', path: '/orders', handler: async (_event, context) => ({ statusCode: 200, body: context.auth.subject }) },
 * ])
 * ```
 */
export interface RouterRoute<TEvent, TResult> {
  method: RouteMethod
  path: string
  handler: (event: TEvent, context: Context) => Promise<TResult>
}

const noIdentity = (): AuthError => new AuthError('missing_token', { package: '@middy-auth/core', data: { reason: 'no_identity' } })

/**
 * Routes for `@middy/http-router` whose handlers get `context.auth` typed, without casts. Put
 * the identity middleware (`jwtVerify`, `iamContext`, `sessionAuth`, …) on the `middy()` around
 * the router: a request that reaches a route without an identity (a middleware missing, or
 * `credentialsRequired: false` and no credentials) is refused with 401 `missing_token`, and the
 * handler is not called. Give the types once, on `authRoutes` or on `httpRouterHandler`.
 *
 * @param routes - `{ method, path, handler }` in the router's order.
 * @returns the same routes, for `httpRouterHandler`.
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import httpRouterHandler from '@middy/http-router'
 * import jwtVerify, { authRoutes } from '@middy-auth/jwt-verify'
 * import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
 *
 * interface Claims { email?: string }
 *
 * export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
 *   .use(jwtVerify<Claims>({ issuers }))
 *   .use(httpErrorHandler())
 *   .handler(
 *     httpRouterHandler(
 *       authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Claims>([
 *         { method: 'GET', path: '/me', handler: async (_event, context) => ({ statusCode: 200, body: context.auth.claims.email ?? '' }) },
 *       ]),
 *     ),
 *   )
 * ```
 */
export const authRoutes = <TEvent, TResult, Claims = Record<string, unknown>>(
  routes: readonly AuthRoute<TEvent, TResult, Claims>[],
): RouterRoute<TEvent, TResult>[] =>
  routes.map(({ method, path, handler }) => ({
    method,
    path,
    handler: async (event, context) => {
      const auth = (context as { auth?: AuthContext<Claims> }).auth
      if (auth === undefined || auth === null) throw noIdentity()
      return handler(event, context as WithAuth<Context, Claims>)
    },
  }))
