/**
 * The orders service: one Lambda function per route of an API Gateway HTTP API (payload 2.0),
 * each with its authentication and authorization declared next to its code, one package of the
 * suite after the other:
 *
 * | route | function | who may call it |
 * | --- | --- | --- |
 * | `GET /orders` | `listOrders` | a token of the issuer for this API (`jwtVerify`) with `orders:read` (`oauthScope`) |
 * | `DELETE /orders/{id}` | `deleteOrder` | `rbac`: managers any order, clerks their own (roles from the token's `groups`) |
 * | `POST /orders/import` | `importOrders` | `iamContext`: the `OrdersImport` role of the account, SigV4-signed (`AWS_IAM` route) |
 * | `GET /reports` | `reports` | whoever the Lambda authorizer `reportsAuthorizer` (`authorizerResponse`) let through |
 *
 * This module has no side effects: nothing runs until a factory is called. In a deployed function
 * the entry point calls it once, at cold start (see `lambda.ts`); the demo and the tests call it
 * with the loopback issuer's URL.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import authorizerResponse from '@middy-auth/authorizer'
import iamContext from '@middy-auth/iam-context'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy, type RbacRequest } from '@middy-auth/rbac'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

/** The claims this service reads from its access tokens. */
export interface OrdersClaims {
  sub: string
  scope?: string
  email?: string
  /** The identity provider's groups, which `rbac` turns into roles. */
  groups?: string[]
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

/** The account the service runs in: only its callers may import. */
export const ORDERS_ACCOUNT = '123456789012'

/** An order, as `DELETE /orders/{id}` loads it for `rbac`'s resource condition. */
export interface Order {
  id: string
  owner: string
}

/** The demo's orders. Read-only: a DELETE says what it would delete, so every tour gets the same answers. */
export const ORDERS: Readonly<Record<string, Order>> = Object.freeze({
  '1': { id: '1', owner: 'alice' },
  '2': { id: '2', owner: 'bob' },
})

/**
 * Who may delete an order. The identity provider's groups are renamed to these roles
 * (`roleMap` below): a manager may delete any order, a clerk only one of their own.
 */
export const ORDERS_POLICY: Policy = {
  roles: {
    manager: { inherits: ['clerk'], allow: ['orders:delete'] },
    clerk: { allow: ['orders:read', { permission: 'orders:delete', when: 'ownOrder' }] },
  },
}

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

const notFound = { statusCode: 404, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ error: 'not_found' }) }

const badRequest = (description: string) => ({
  statusCode: 400,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ error: 'invalid_request', error_description: description }),
})

/** A JSON list, or `undefined` for anything else (bad input is a 400, never a 500). */
const parseList = (text: string | undefined): unknown[] | undefined => {
  try {
    const value: unknown = JSON.parse(text ?? '')
    return Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

const errorHandler = (options: CreateHandlerOptions) => httpErrorHandler({ logger: options.logger ?? oneLineLogger })

const tokensOf = (issuer: string) => jwtVerify<OrdersClaims>({ issuers: [{ issuer, audience: ORDERS_AUDIENCE }], realm: ORDERS_REALM })

/**
 * `GET /orders`: a token for this API with the `orders:read` scope.
 *
 * @example
 * ```ts
 * export const handler = createListOrders(process.env.ISSUER!)
 * ```
 */
export const createListOrders = (issuer: string, options: CreateHandlerOptions = {}) =>
  middy<APIGatewayProxyEventV2>()
    .use(errorHandler(options))
    .use(tokensOf(issuer))
    .use(oauthScope({ required: ['orders:read'], realm: ORDERS_REALM }))
    .handler(async (_event, context): Promise<OrdersResponse> => ({
      // An object without `statusCode`: API Gateway answers 200 with it as JSON.
      subject: context.auth.subject,
      scopes: context.auth.scopes,
      email: context.auth.claims.email ?? null,
    }))

/**
 * `DELETE /orders/{id}`: `rbac` with the roles from the token's `groups`, and a condition on the
 * order itself (a clerk's own), which `resource` loads only when the condition is asked.
 *
 * @example
 * ```ts
 * export const handler = createDeleteOrder(process.env.ISSUER!)
 * ```
 */
export const createDeleteOrder = (issuer: string, options: CreateHandlerOptions = {}) =>
  middy<APIGatewayProxyEventV2>()
    .use(errorHandler(options))
    .use(tokensOf(issuer))
    .use(
      rbac({
        policy: ORDERS_POLICY,
        rolesFrom: 'groups',
        roleMap: { 'orders-managers': 'manager', 'orders-clerks': 'clerk' },
        required: 'orders:delete',
        conditions: { ownOrder: ({ auth, resource }) => (resource as Order | undefined)?.owner === auth.subject },
        resource: (request: RbacRequest<APIGatewayProxyEventV2>) => ORDERS[request.event.pathParameters?.id ?? ''],
        realm: ORDERS_REALM,
      }),
    )
    .handler(async (event, context) => {
      const order = ORDERS[event.pathParameters?.id ?? '']
      // Only a manager gets here for an order that does not exist: a clerk's condition needs the order.
      if (order === undefined) return notFound
      return { deleted: order.id, by: context.auth.subject, roles: context.auth.roles }
    })

/**
 * `POST /orders/import`: a batch job of this account, signed with SigV4 as the `OrdersImport`
 * role. The gateway checked the signature (the route is `AWS_IAM`); `iamContext` reads who signed
 * and checks the allow-lists.
 *
 * @example
 * ```ts
 * export const handler = createImportOrders()
 * ```
 */
export const createImportOrders = (options: CreateHandlerOptions = {}) =>
  middy<APIGatewayProxyEventV2>()
    .use(errorHandler(options))
    .use(iamContext({ allowAccounts: [ORDERS_ACCOUNT], allowPrincipals: [`arn:aws:sts::${ORDERS_ACCOUNT}:assumed-role/OrdersImport/*`] }))
    .handler(async (event, context) => {
      const orders = parseList(event.isBase64Encoded ? undefined : (event.body ?? '[]'))
      if (orders === undefined) return badRequest('the body must be a JSON list of orders')
      return { imported: orders.length, by: context.auth.iam.arn, session: context.auth.iam.sessionName ?? null }
    })

/**
 * The Lambda authorizer of `GET /reports`: the same middlewares as a function's, answering the
 * gateway (a simple response, cached by the gateway under the `Authorization` header).
 *
 * @example
 * ```ts
 * export const handler = createReportsAuthorizer(process.env.ISSUER!)
 * ```
 */
export const createReportsAuthorizer = (issuer: string, options: { logger?: false } = {}) =>
  middy()
    .use(jwtVerify({ issuers: [{ issuer, audience: ORDERS_AUDIENCE }] }))
    .use(oauthScope({ required: ['reports:read'] }))
    .use(authorizerResponse(options.logger === false ? { logger: false } : {}))

/**
 * `GET /reports`, behind the Lambda authorizer: `context.auth` is what the authorizer passed on
 * (`trustApiGateway`); nothing is verified twice. Only for a function that nothing but the
 * gateway invokes (whoever may invoke it directly writes the whole event).
 *
 * @example
 * ```ts
 * export const handler = createReports()
 * ```
 */
export const createReports = (options: CreateHandlerOptions = {}) =>
  middy<APIGatewayProxyEventV2>()
    .use(errorHandler(options))
    .use(jwtVerify({ trustApiGateway: true, realm: ORDERS_REALM }))
    .handler(async (_event, context) => ({ report: 'monthly', for: context.auth.subject, source: context.auth.source }))

/** The service's functions, built for one issuer. */
export const createOrdersService = (issuer: string, options: CreateHandlerOptions = {}) => ({
  listOrders: createListOrders(issuer, options),
  deleteOrder: createDeleteOrder(issuer, options),
  importOrders: createImportOrders(options),
  reportsAuthorizer: createReportsAuthorizer(issuer, options.logger === false ? { logger: false } : {}),
  reports: createReports(options),
})

/** The functions `createOrdersService()` returns. */
export type OrdersService = ReturnType<typeof createOrdersService>
