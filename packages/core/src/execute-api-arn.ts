/**
 * The one reader of `execute-api` ARNs, the `methodArn` / `routeArn` of an API Gateway
 * authorizer's event: the authorizer builds its policy from it, and the route matchers read the
 * request's method and path from its tail.
 */

/**
 * An `execute-api` ARN, split: `<prefix>:<apiId>/<stage>/<tail>`.
 *
 * @example
 * ```ts
 * const arn: ExecuteApiArn = { prefix: 'arn:aws:execute-api:eu-west-1:123456789012', apiId: 'abc123', stage: 'prod', tail: 'GET/orders/42' }
 * ```
 */
export interface ExecuteApiArn {
  /** `arn:<partition>:execute-api:<region>:<account>`. */
  prefix: string
  apiId: string
  stage: string
  /** What follows the stage: `GET/orders/42`, `$connect`. */
  tail: string
}

/**
 * Splits an `execute-api` ARN; `undefined` when the value is not one: not a string, another
 * service, an empty partition, region or account, or no API id, stage and tail.
 *
 * @example
 * ```ts
 * parseExecuteApiArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/42')
 * // { prefix: 'arn:aws:execute-api:eu-west-1:123456789012', apiId: 'abc123', stage: 'prod', tail: 'GET/orders/42' }
 * ```
 */
export function parseExecuteApiArn(arn: unknown): ExecuteApiArn | undefined {
  if (typeof arn !== 'string') return undefined
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api' || !parts[1] || !parts[3] || !parts[4]) return undefined
  const resource = parts.slice(5).join(':')
  const first = resource.indexOf('/')
  const second = resource.indexOf('/', first + 1)
  if (first <= 0 || second <= first + 1 || second === resource.length - 1) return undefined
  return {
    prefix: parts.slice(0, 5).join(':'),
    apiId: resource.slice(0, first),
    stage: resource.slice(first + 1, second),
    tail: resource.slice(second + 1),
  }
}
