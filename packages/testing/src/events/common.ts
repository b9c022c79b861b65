import type { APIGatewayEventClientCertificate } from 'aws-lambda'
import { lambdaAuthorizerContext } from '../lib/gateway-claims.js'
import type { ClientCertOption, EventOptions, IamAuthorizerIdentity, LambdaAuthorizerOption } from './options.js'

// Defaults and helpers shared by the event builders (not exported from the package).

export const REGION = 'eu-west-1'
export const ACCOUNT_ID = '123456789012'
export const SOURCE_IP = '203.0.113.10'
export const USER_AGENT = 'curl/8.7.1'
export const METHOD = 'GET'
export const PATH = '/orders'
export const HTTP_API_ID = 'h1t2t3p4a5'
export const REST_API_ID = 'r1e2s3t4a5'
export const WEBSOCKET_API_ID = 'w1s2c3k4t5'
export const FUNCTION_URL_ID = 'f3lx7k2qj5n6t8w9v4c1b0m2d7s5p3h4'

/** The caller of `{ iam: {} }`: an assumed role with temporary credentials. */
export const DEFAULT_IAM: IamAuthorizerIdentity = {
  accessKey: 'ASIAIOSFODNN7EXAMPLE',
  accountId: ACCOUNT_ID,
  callerId: 'AROAEXAMPLEROLEID1234:test-session',
  cognitoIdentity: null,
  principalOrgId: null,
  userArn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/TestRole/test-session`,
  userId: 'AROAEXAMPLEROLEID1234:test-session',
}

/** The client certificate of the AWS docs' mTLS samples. */
export const DEFAULT_CLIENT_CERT: APIGatewayEventClientCertificate = {
  clientCertPem: '-----BEGIN CERTIFICATE-----\nMIIEZTCCAk0CAQEwDQ...',
  subjectDN: 'C=US,ST=Washington,L=Seattle,O=Amazon Web Services,OU=Security,CN=My Client',
  issuerDN: 'C=US,ST=Washington,L=Seattle,O=Amazon Web Services,OU=Security,CN=My Private CA',
  serialNumber: '1',
  validity: { notBefore: 'Aug 29 00:28:21 2020 GMT', notAfter: 'Aug  5 00:28:21 2120 GMT' },
}

/** The values every builder starts from, with the options' overrides applied. */
export interface Basics {
  method: string
  path: string
  region: string
  accountId: string
  sourceIp: string
  userAgent: string
  epochMs: number
}

export function basics(options: EventOptions): Basics {
  return {
    method: options.method ?? METHOD,
    path: options.path ?? PATH,
    region: options.region ?? REGION,
    accountId: options.accountId ?? ACCOUNT_ID,
    sourceIp: options.sourceIp ?? SOURCE_IP,
    userAgent: options.userAgent ?? USER_AGENT,
    epochMs: Date.now(),
  }
}

export const executeApiHost = (apiId: string, region: string): string => `${apiId}.execute-api.${region}.amazonaws.com`

export const executeApiArn = (b: Basics, apiId: string, rest: string): string => `arn:aws:execute-api:${b.region}:${b.accountId}:${apiId}/${rest}`

export const stagePath = (stage: string, path: string): string => (stage === '$default' ? path : `/${stage}${path}`)

export const clientCert = (option: ClientCertOption): APIGatewayEventClientCertificate => ({ ...DEFAULT_CLIENT_CERT, ...option })

/** `requestContext.authorizer` after a REST or WebSocket Lambda authorizer: context values as strings. */
export function lambdaAuthorizer(option: LambdaAuthorizerOption): Record<string, string | number | null> {
  const { principalId, integrationLatency = 0, ...context } = option
  return { principalId, integrationLatency, ...lambdaAuthorizerContext(context) }
}
