import type { APIGatewayEventClientCertificate } from 'aws-lambda'

/**
 * Options shared by the event builders. Each builder puts headers, cookies and the query where
 * its event kind carries them, and ignores what its kind does not have.
 *
 * @example
 * ```ts
 * const options: EventOptions = {
 *   bearer: token,
 *   headers: { 'x-tenant': 'acme', accept: ['application/json', 'text/plain'] },
 *   cookies: { session: 'abc' },
 *   query: { page: '2', tag: ['a', 'b'] },
 *   method: 'POST',
 *   path: '/orders/42',
 * }
 * const event = httpApiEvent(options)
 * ```
 */
export interface EventOptions {
  /** Request headers; an array is a header sent several times. They replace same-named defaults (case-insensitively). */
  headers?: Record<string, string | string[]>
  /** Cookies as `name → value`: the `cookies` array in payload 2.0, the `Cookie` header elsewhere. */
  cookies?: Record<string, string>
  /** Query parameters, decoded; an array is a repeated parameter. */
  query?: Record<string, string | string[]>
  /** HTTP method. Default is `'GET'`. */
  method?: string
  /** Request path, without the stage. Default is `'/orders'`. */
  path?: string
  /** Sets `Authorization: Bearer <bearer>`. A header given in `headers` wins over it. */
  bearer?: string
  /** The request body. Default: none (`null` or absent, as the event kind has it). */
  body?: string
  /** Whether `body` is base64. Default is `false`. */
  isBase64Encoded?: boolean
  /** The client's IP. Default is `'203.0.113.10'`. */
  sourceIp?: string
  /** The client's `User-Agent`. Default is `'curl/8.7.1'`. */
  userAgent?: string
  /** AWS region in hosts and ARNs. Default is `'eu-west-1'`. */
  region?: string
  /** The API owner's account id. Default is `'123456789012'`. */
  accountId?: string
  /** The API id (or function URL id). Default: a fixed id per event kind. */
  apiId?: string
  /** The stage. Default is `'$default'` for HTTP APIs, `'prod'` for REST and WebSocket APIs. */
  stage?: string
  /** Shallow-merged over the built `requestContext`, last: the escape hatch for anything else. */
  requestContext?: Record<string, unknown>
}

/**
 * The IAM caller of a SigV4-signed HTTP API or function URL request
 * (`requestContext.authorizer.iam`).
 *
 * @example
 * ```ts
 * const caller: IamAuthorizerIdentity = {
 *   accessKey: 'AKIAIOSFODNN7EXAMPLE',
 *   accountId: '111122223333',
 *   callerId: 'AIDAEXAMPLEUSERID1234',
 *   cognitoIdentity: null,
 *   principalOrgId: 'o-exampleorgid',
 *   userArn: 'arn:aws:iam::111122223333:user/alice',
 *   userId: 'AIDAEXAMPLEUSERID1234',
 * }
 * const event = httpApiEvent({ authorizer: { iam: caller } })
 * ```
 */
export interface IamAuthorizerIdentity {
  accessKey: string
  accountId: string
  callerId: string
  cognitoIdentity: { amr: string[]; identityId: string; identityPoolId: string } | null
  principalOrgId: string | null
  userArn: string
  userId: string
}

/**
 * A client certificate (mutual TLS), merged over the AWS docs' sample certificate.
 *
 * @example
 * ```ts
 * const event = httpApiEvent({ clientCert: { subjectDN: 'CN=device-42' } })
 * event.requestContext.authentication?.clientCert.subjectDN // 'CN=device-42'
 * ```
 */
export type ClientCertOption = Partial<APIGatewayEventClientCertificate>

/**
 * What a REST or WebSocket Lambda authorizer returned: the principal, and its context, whose
 * values the builders turn into strings as API Gateway does (arrays and objects throw a
 * `TypeError`, as the gateway refuses them).
 *
 * @example
 * ```ts
 * const authorizer: LambdaAuthorizerOption = { principalId: 'user|alice', roles: 'admin,editor', level: 3 }
 * const event = websocketConnectEvent({ authorizer }) // requestContext.authorizer.level === '3'
 * ```
 */
export interface LambdaAuthorizerOption {
  principalId: string
  /** Milliseconds the authorizer took. Default is 0. */
  integrationLatency?: number
  [context: string]: unknown
}
