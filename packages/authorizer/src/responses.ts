/**
 * What API Gateway accepts from a Lambda authorizer: an IAM policy (REST, WebSocket, HTTP API
 * with IAM-policy responses), a simple response (HTTP API payload 2.0), or one of two errors:
 * `Unauthorized` (401) and any other message (500, and nothing is cached).
 */
import type { ContextValue } from './context.js'

/**
 * One statement of an authorizer's policy.
 *
 * @example
 * ```ts
 * const statement: PolicyStatement = {
 *   Action: 'execute-api:Invoke',
 *   Effect: 'Allow',
 *   Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders'],
 * }
 * ```
 */
export interface PolicyStatement {
  Action: 'execute-api:Invoke'
  Effect: 'Allow' | 'Deny'
  Resource: string[]
}

/**
 * The IAM-policy response: REST TOKEN and REQUEST authorizers, WebSocket `$connect`, HTTP APIs
 * (payload 1.0, or 2.0 with `format: 'iam-policy'`).
 *
 * @example
 * ```ts
 * const response: IamPolicyResponse = {
 *   principalId: 'alice',
 *   policyDocument: {
 *     Version: '2012-10-17',
 *     Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders'] }],
 *   },
 *   context: { scopes: '["orders/read"]' },
 * }
 * ```
 */
export interface IamPolicyResponse {
  principalId: string
  policyDocument: { Version: '2012-10-17'; Statement: PolicyStatement[] }
  context?: Record<string, ContextValue>
  usageIdentifierKey?: string
}

/**
 * The simple response of an HTTP API authorizer with payload 2.0 and simple responses enabled.
 *
 * @example
 * ```ts
 * const response: SimpleResponse = { isAuthorized: true, context: { principalId: 'alice', roles: '["editor"]' } }
 * ```
 */
export interface SimpleResponse {
  isAuthorized: boolean
  context?: Record<string, ContextValue>
}

/**
 * What `authorizerResponse()` makes an API Gateway authorizer return (it throws
 * `Error('Unauthorized')` for a 401, and another `Error` when keys cannot be fetched). An AppSync
 * authorizer returns an `AppSyncAuthorizerResponse`.
 *
 * @example
 * ```ts
 * const isAllowed = (response: AuthorizerResult) =>
 *   'isAuthorized' in response ? response.isAuthorized : response.policyDocument.Statement.some((s) => s.Effect === 'Allow')
 * ```
 */
export type AuthorizerResult = IamPolicyResponse | SimpleResponse

/** The `execute-api:Invoke` policy of an answer: an Allow and a Deny statement, each when not empty. */
export const iamPolicy = (
  principalId: string,
  allow: readonly string[],
  deny: readonly string[],
  extras: { context?: Record<string, ContextValue>; usageIdentifierKey?: string } = {},
): IamPolicyResponse => {
  const Statement: PolicyStatement[] = []
  if (allow.length > 0) Statement.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...allow] })
  if (deny.length > 0) Statement.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [...deny] })
  const response: IamPolicyResponse = { principalId, policyDocument: { Version: '2012-10-17', Statement } }
  if (extras.context !== undefined) response.context = extras.context
  if (extras.usageIdentifierKey !== undefined) response.usageIdentifierKey = extras.usageIdentifierKey
  return response
}

/** The error API Gateway answers with `401 Unauthorized`: its message must be exactly this. */
export const unauthorized = (): Error => new Error('Unauthorized')

/** Any other error is a `500` from the gateway, which caches nothing. */
export const unavailable = (): Error => new Error('Authorization is temporarily unavailable')
