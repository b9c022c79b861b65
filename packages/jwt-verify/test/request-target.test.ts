import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  albEvent,
  authorizerRequestEvent,
  createTestIssuer,
  functionUrlEvent,
  httpApiEvent,
  httpAuthorizerEventV2,
  restEvent,
  type TestIssuer,
} from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { requestTarget } from '../src/request-target.js'
import { proofKey, signProof, withHeaders, type ProofKey } from './dpop-support.js'
import { outcome, protect } from './support.js'

const restHost = 'https://r1e2s3t4a5.execute-api.eu-west-1.amazonaws.com'
const httpHost = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com'

/** Each event kind, and the URL its client called. */
const cases: Array<[string, () => Record<string, any>, string]> = [
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
  ['ALB (Host and x-forwarded-proto)', () => albEvent({ path: '/orders/7' }), 'https://test-alb-1234567890.eu-west-1.elb.amazonaws.com/orders/7'],
  ['ALB, multi-value headers', () => albEvent({ path: '/orders/7', multiValue: true }), 'https://test-alb-1234567890.eu-west-1.elb.amazonaws.com/orders/7'],
  ['REST REQUEST authorizer', () => authorizerRequestEvent({ path: '/orders/7' }), `${restHost}/prod/orders/7`],
  ['HTTP API 2.0 authorizer', () => httpAuthorizerEventV2({ path: '/orders/7' }), `${httpHost}/orders/7`],
  ['real REST mTLS fixture', () => loadFixture('rest-v1-mtls.json'), 'https://puhdx84jy9.execute-api.eu-west-1.amazonaws.com/prod/no-auth'],
]

describe('the request URL, rebuilt as the client saw it', () => {
  test.each(cases)('%s', (_name, event, url) => {
    expect(requestTarget(event(), undefined)?.url).toBe(url)
  })

  test('publicBaseUrl: the base followed by the path the function routes on (stage stripped)', () => {
    expect(requestTarget(httpApiEvent({ stage: 'prod', path: '/orders/7' }), 'https://api.example.com/v1')?.url).toBe('https://api.example.com/v1/orders/7')
    expect(requestTarget(restEvent({ path: '/orders/7' }), 'https://api.example.com/')?.url).toBe('https://api.example.com/orders/7')
    expect(requestTarget(albEvent({ path: '/orders/7' }), 'https://shop.example.com')?.url).toBe('https://shop.example.com/orders/7')
  })

  test('an event that does not say is undefined (then the proof is refused)', () => {
    expect(requestTarget({ type: 'TOKEN', authorizationToken: 'x', methodArn: 'arn' }, undefined)).toBeUndefined()
    expect(requestTarget(withHeaders(albEvent({}), { host: 'a.example.com, b.example.com' }), undefined)).toBeUndefined()
    expect(requestTarget(null, undefined)).toBeUndefined()
  })
})

describe('a DPoP proof for that URL is accepted on every event kind', () => {
  let iss: TestIssuer
  let key: ProofKey
  beforeAll(async () => {
    iss = await createTestIssuer()
    key = proofKey()
  })
  afterAll(() => iss.close())

  test.each(cases)('%s', async (_name, makeEvent, url) => {
    const api = protect({ issuers: [{ issuer: iss.issuer, audience: 'orders', jwksUri: iss.jwksUri }], dpop: { boundTokens: 'required' } })
    const token = await iss.sign({ sub: 'alice', cnf: { jkt: key.jkt } }, { audience: 'orders' })
    const event = makeEvent()
    const method = (event.requestContext?.http?.method ?? event.httpMethod ?? event.requestContext?.httpMethod) as string
    const send = async (proofUrl: string) =>
      api.invoke(withHeaders(makeEvent(), { Authorization: `DPoP ${token}`, DPoP: await signProof(key, { url: proofUrl, method, token }) }))
    expect((await send(url)).statusCode).toBe(200)
    expect(api.seen[0]?.confirmation?.jkt).toBe(key.jkt)
    expect(outcome(await send(`${url}/other`))).toEqual([401, 'invalid_dpop_proof'])
  })
})
