import { randomUUID } from 'node:crypto'
import { ACCOUNT_ID } from './common.js'

// AppSync: the event of a GraphQL API's Lambda authorizer (`AWS_LAMBDA` authorization).

/** The API id of AppSync events when none is given. */
const APPSYNC_API_ID = 'a1p2p3s4y5n6c7e8x9a0m1p2l3'

/**
 * Options of {@link appsyncAuthorizerEvent}.
 *
 * @example
 * ```ts
 * const options: AppSyncAuthorizerEventOptions = { token: jwt, operationName: 'GetOrder' }
 * ```
 */
export interface AppSyncAuthorizerEventOptions {
  /** `authorizationToken`: the `Authorization` header's value as the client sent it (bare or `Bearer …`). Default `''`. */
  token?: string
  /** The operation's name. Default `'MyQuery'`. */
  operationName?: string
  /** The GraphQL document. Default: a query named `operationName`. */
  queryString?: string
  /** The operation's variables. Default `{}`. */
  variables?: Record<string, unknown>
  /** The request's headers (AppSync passes the client's own). Default: `authorization` (the token) and `content-type`. */
  requestHeaders?: Record<string, string>
  /** The API id. Default `'a1p2p3s4y5n6c7e8x9a0m1p2l3'`. */
  apiId?: string
  /** The API owner's account. Default `'123456789012'`. */
  accountId?: string
}

/**
 * The AppSync Lambda authorizer event (`@types/aws-lambda`'s `AppSyncAuthorizerEvent`).
 *
 * @example
 * ```ts
 * const event: AppSyncAuthorizerEvent = appsyncAuthorizerEvent({ token: 'eyJ…' })
 * event.requestContext.operationName // 'MyQuery'
 * ```
 */
export interface AppSyncAuthorizerEvent {
  authorizationToken: string
  requestContext: {
    apiId: string
    accountId: string
    requestId: string
    queryString: string
    operationName: string
    variables: Record<string, unknown>
  }
  requestHeaders: Record<string, string>
}

/**
 * An AppSync Lambda authorizer event, shaped like the AWS docs' sample: the token in
 * `authorizationToken`, the operation in `requestContext`, the client's headers (lower-case) in
 * `requestHeaders`.
 *
 * @param options - see {@link AppSyncAuthorizerEventOptions}.
 *
 * @example
 * ```ts
 * import { appsyncAuthorizerEvent } from '@middy-auth/testing'
 *
 * const event = appsyncAuthorizerEvent({ token: jwt, operationName: 'CreateOrder', queryString: 'mutation CreateOrder { createOrder { id } }' })
 * event.authorizationToken // jwt
 * ```
 */
export function appsyncAuthorizerEvent(options: AppSyncAuthorizerEventOptions = {}): AppSyncAuthorizerEvent {
  const token = options.token ?? ''
  const operationName = options.operationName ?? 'MyQuery'
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== '') headers.authorization = token
  return {
    authorizationToken: token,
    requestContext: {
      apiId: options.apiId ?? APPSYNC_API_ID,
      accountId: options.accountId ?? ACCOUNT_ID,
      requestId: randomUUID(),
      queryString: options.queryString ?? `query ${operationName} {\n  orders {\n    id\n  }\n}\n`,
      operationName,
      variables: options.variables ?? {},
    },
    requestHeaders: options.requestHeaders ?? headers,
  }
}
