import { albEvent, authorizerRequestEvent, functionUrlEvent, httpApiEvent, httpAuthorizerEventV2, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'

const restHost = 'https://r1e2s3t4a5.execute-api.eu-west-1.amazonaws.com'
const httpHost = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com'

/** Each event kind, and the URL its client called. */
export const eventKindsWithUrls: Array<[string, () => Record<string, any>, string]> = [
  ['HTTP API, $default stage', () => httpApiEvent({ method: 'POST', path: '/orders/7' }), `${httpHost}/orders/7`],
  ['HTTP API, named stage in the path', () => httpApiEvent({ stage: 'prod', path: '/orders/7' }), `${httpHost}/prod/orders/7`],
  [
    'HTTP API, custom domain with an API mapping key',
    () => {
      const event = httpApiEvent({ path: '/orders/7' })
      event.requestContext.domainName = 'api.example.com'
      event.rawPath = '/v1/orders/7'
      return event
    },
    'https://api.example.com/v1/orders/7',
  ],
  ['REST, execute-api domain: the stage is in the client path', () => restEvent({ path: '/orders/7' }), `${restHost}/prod/orders/7`],
  [
    'REST, custom domain with a base path mapping',
    () => {
      const event = restEvent({ path: '/orders/7' })
      Object.assign(event.requestContext, { domainName: 'api.example.com', path: '/v1/orders/7' })
      return event
    },
    'https://api.example.com/v1/orders/7',
  ],
  ['function URL', () => functionUrlEvent({ path: '/orders/7' }), 'https://f3lx7k2qj5n6t8w9v4c1b0m2d7s5p3h4.lambda-url.eu-west-1.on.aws/orders/7'],
  ['REST REQUEST authorizer', () => authorizerRequestEvent({ path: '/orders/7' }), `${restHost}/prod/orders/7`],
  ['HTTP API 2.0 authorizer', () => httpAuthorizerEventV2({ path: '/orders/7' }), `${httpHost}/orders/7`],
  ['real REST mTLS fixture', () => loadFixture('rest-v1-mtls.json'), 'https://puhdx84jy9.execute-api.eu-west-1.amazonaws.com/prod/no-auth'],
]

/**
 * ALB events: their only host is the client's own `Host` header, so the URL is `publicBaseUrl`
 * (here `https://shop.example.com`) and the path.
 */
export const albEventsWithUrls: Array<[string, () => Record<string, any>, string]> = [
  ['ALB', () => albEvent({ path: '/orders/7' }), 'https://shop.example.com/orders/7'],
  ['ALB, multi-value headers', () => albEvent({ path: '/orders/7', multiValue: true }), 'https://shop.example.com/orders/7'],
]

/** The HTTP method an event carries. */
export const methodOf = (event: Record<string, any>): string =>
  (event.requestContext?.http?.method ?? event.httpMethod ?? event.requestContext?.httpMethod) as string
