/**
 * The orders service: one Lambda function behind an API Gateway HTTP API (payload 2.0), with
 * its authentication declared next to its code.
 *
 * This module has no side effects: nothing runs until `createHandler()` is called. In a
 * deployed function the entry point calls it once, at cold start (see `lambda.ts`); the demo and
 * the tests call it with the loopback issuer's URL.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

/** The claims this service reads from its access tokens. */
export interface OrdersClaims {
  sub: string
  scope?: string
  email?: string
}

/** What `GET /orders` answers: who the caller is, as the handler saw it. */
export interface OrdersResponse {
  subject: string
  scopes: string[]
  email: string | null
}

/** The audience the orders service accepts; tokens must be minted for it. */
export const ORDERS_AUDIENCE = 'orders-api'

/** The `realm` of the `WWW-Authenticate` challenges. */
export const ORDERS_REALM = 'orders'

export interface CreateHandlerOptions {
  /**
   * What `@middy/http-error-handler` does with an error before rendering it. Default: one line
   * per denial (`401 invalid_token (expired)`), never a stack or a token. `false`: silent.
   */
  logger?: ((error: Error) => void) | false
}

/**
 * One line for the logs: status, code, and the reason that the client never sees. AuthError
 * keeps its reason in `cause.data`; it holds no token or claim value.
 */
export const oneLineLogger = (error: Error): void => {
  const { statusCode, code, cause } = error as Error & { statusCode?: number; code?: string; cause?: { data?: { reason?: string } } }
  const reason = cause?.data?.reason
  console.error(`[orders-api] ${statusCode ?? 500} ${code ?? error.name}${reason ? ` (${reason})` : ''}`)
}

/**
 * Builds the orders handler for tokens issued by `issuer` (its keys are found by OIDC discovery
 * at `<issuer>/.well-known/openid-configuration`).
 *
 * @example
 * ```ts
 * export const handler = createHandler(process.env.ISSUER!)
 * ```
 */
export const createHandler = (issuer: string, options: CreateHandlerOptions = {}) =>
  middy<APIGatewayProxyEventV2>()
    .use(httpErrorHandler({ logger: options.logger ?? oneLineLogger }))
    .use(jwtVerify<OrdersClaims>({ issuers: [{ issuer, audience: ORDERS_AUDIENCE }], realm: ORDERS_REALM }))
    .handler(async (_event, context): Promise<OrdersResponse> => ({
      // An object without `statusCode`: API Gateway answers 200 with it as JSON.
      subject: context.auth.subject,
      scopes: context.auth.scopes,
      email: context.auth.claims.email ?? null,
    }))

/** The handler `createHandler()` returns. */
export type OrdersHandler = ReturnType<typeof createHandler>
