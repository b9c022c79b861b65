import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  albEvent,
  authorizerTokenEvent,
  createTestIssuer,
  functionUrlEvent,
  httpApiEvent,
  httpAuthorizerEventV2,
  restEvent,
  websocketAuthorizerEvent,
  websocketConnectEvent,
  type TestIssuer,
} from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { outcome, protect } from './support.js'

let iss: TestIssuer
let token: string
const audience = 'orders-api'
const entry = () => ({ issuer: iss.issuer, audience, jwksUri: iss.jwksUri })

beforeAll(async () => {
  iss = await createTestIssuer()
  token = await iss.sign({ sub: 'alice' }, { audience })
})
afterAll(() => iss.close())

/** Puts an Authorization header into a real fixture, the way its event kind carries headers. */
const withAuthorization = (fixture: string, value: string) => {
  const event = loadFixture(fixture)
  // The fixture's own (placeholder) Authorization header is replaced, whatever its case.
  for (const map of [event.headers, event.multiValueHeaders]) {
    for (const name of Object.keys(map ?? {})) if (name.toLowerCase() === 'authorization') delete map[name]
  }
  if (event.multiValueHeaders) event.multiValueHeaders.Authorization = [value]
  if (event.headers || !event.multiValueHeaders) event.headers = { ...(event.headers ?? {}), Authorization: value }
  return event
}

describe('the Authorization header on every event kind (real fixtures)', () => {
  test.each([
    'http-v2-no-auth.json',
    'function-url-no-auth.json',
    'rest-v1-no-auth.json',
    'rest-v1-console-test-invoke.json',
    'alb.json',
    'alb-multivalue.json',
    'websocket-connect.json',
    'authorizer-request-v1.json',
    'authorizer-request-v2.json',
    'authorizer-request-websocket-connect.json',
  ])('%s: valid token accepted, tampered refused', async (fixture) => {
    const api = protect({ issuers: [entry()] })
    expect((await api.invoke(withAuthorization(fixture, `Bearer ${token}`))).statusCode).toBe(200)
    expect(api.seen[0]?.subject).toBe('alice')
    expect(outcome(await api.invoke(withAuthorization(fixture, `Bearer ${token}x`)))).toEqual([401, 'invalid_token'])
  })

  test('REST TOKEN authorizer: authorizationToken', async () => {
    const api = protect({ issuers: [entry()] })
    const event = loadFixture('authorizer-token.json')
    event.authorizationToken = `Bearer ${token}`
    expect((await api.invoke(event)).statusCode).toBe(200)
    event.authorizationToken = `Bearer ${token}, Bearer ${token}`
    expect(outcome(await api.invoke(event))).toEqual([400, 'invalid_request'])
    expect(outcome(await api.invoke(loadFixture('authorizer-token.json')))).toEqual([401, 'invalid_token'])
  })

  test('event builders of @middy-auth/testing', async () => {
    const api = protect({ issuers: [entry()] })
    for (const event of [
      httpApiEvent({ bearer: token }),
      restEvent({ bearer: token }),
      functionUrlEvent({ bearer: token }),
      albEvent({ bearer: token }),
      albEvent({ bearer: token, multiValue: true }),
      websocketConnectEvent({ bearer: token }),
      authorizerTokenEvent({ token: `Bearer ${token}` }),
      httpAuthorizerEventV2({ bearer: token }),
      websocketAuthorizerEvent({ bearer: token }),
    ]) {
      expect((await api.invoke(event)).statusCode).toBe(200)
    }
  })
})

describe('other token sources', () => {
  test('a cookie: cookies[] and the Cookie header; repeated names refused', async () => {
    const api = protect({ issuers: [entry()], tokenSource: { cookie: 'session' } })
    expect((await api.invoke(httpApiEvent({ cookies: { theme: 'dark', session: token } }))).statusCode).toBe(200)
    expect((await api.invoke(restEvent({ headers: { Cookie: `theme=dark; session=${token}` } }))).statusCode).toBe(200)
    expect(outcome(await api.invoke({ cookies: [`session=${token}`, `session=${token}`] }))).toEqual([400, 'invalid_request'])
    expect(outcome(await api.invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'missing_token'])
  })

  test('a query parameter for WebSocket $connect; repeats refused', async () => {
    const api = protect({ issuers: [entry()], tokenSource: { query: 'access_token' } })
    expect((await api.invoke(websocketConnectEvent({ query: { access_token: token } }))).statusCode).toBe(200)
    expect((await api.invoke(websocketAuthorizerEvent({ query: { access_token: token } }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(httpApiEvent({ query: { access_token: [token, token] } })))).toEqual([400, 'invalid_request'])
  })

  test('another header, without a scheme', async () => {
    const api = protect({ issuers: [entry()], tokenSource: { header: 'X-Api-Token', scheme: null } })
    expect((await api.invoke(httpApiEvent({ headers: { 'x-api-token': token } }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(httpApiEvent({ headers: { 'x-api-token': `${token} ${token}` } })))).toEqual([400, 'invalid_request'])
  })

  test('the ALB OIDC access-token header', async () => {
    const api = protect({ issuers: [entry()], tokenSource: { header: 'x-amzn-oidc-accesstoken', scheme: null } })
    const event = loadFixture('alb-oidc.json')
    expect(outcome(await api.invoke(event))).toEqual([401, 'invalid_token'])
    event.headers['x-amzn-oidc-accesstoken'] = token
    expect((await api.invoke(event)).statusCode).toBe(200)
  })

  test('a function of the event', async () => {
    const api = protect({ issuers: [entry()], tokenSource: (event: any) => event.body })
    expect((await api.invoke({ body: token })).statusCode).toBe(200)
    expect(outcome(await api.invoke({}))).toEqual([401, 'missing_token'])
  })

  test('a function that throws on an event it did not expect: 401 missing_token, not a 500', async () => {
    const api = protect({ issuers: [entry()], tokenSource: (event: any) => event.headers['x-token'] })
    expect(outcome(await api.invoke(loadFixture('rest-v1-console-test-invoke.json')))).toEqual([401, 'missing_token'])
  })
})

describe('trustApiGateway: claims API Gateway already verified', () => {
  test('HTTP API JWT authorizer: context.auth from the claims, types restored, no verification', async () => {
    const api = protect({ trustApiGateway: true })
    const event = loadFixture('http-v2-jwt-access-token-groups.json')
    expect((await api.invoke(event)).statusCode).toBe(200)
    const auth = api.seen[0]!
    expect(auth.source).toBe('apigateway')
    expect(auth.subject).toBe(event.requestContext.authorizer.jwt.claims.sub)
    expect(auth.scopes).toEqual(event.requestContext.authorizer.jwt.scopes)
    expect(auth.claims['cognito:groups']).toEqual(['admin', 'editor'])
    expect(typeof auth.claims.exp).toBe('number')
  })

  test('REST Cognito authorizer', async () => {
    const api = protect({ trustApiGateway: true })
    expect((await api.invoke(loadFixture('rest-v1-cognito-groups.json'))).statusCode).toBe(200)
    expect(api.seen[0]!.claims.exp).toBe(1718722804)
  })

  test('Lambda authorizer context', async () => {
    const api = protect({ trustApiGateway: true })
    expect((await api.invoke(loadFixture('rest-v1-lambda-authorizer-context.json'))).statusCode).toBe(200)
    expect(api.seen[0]!.source).toBe('lambda-authorizer')
  })

  test('with issuers configured, the gateway claims must come from one of them', async () => {
    const api = protect({ trustApiGateway: true, issuers: [entry()] })
    expect(outcome(await api.invoke(loadFixture('http-v2-jwt.json')))).toEqual([401, 'invalid_token'])
  })

  test('no gateway identity: the bearer token is verified, or refused when there are no issuers', async () => {
    const withIssuers = protect({ trustApiGateway: true, issuers: [entry()] })
    expect((await withIssuers.invoke(httpApiEvent({ bearer: token }))).statusCode).toBe(200)
    const gatewayOnly = protect({ trustApiGateway: true })
    expect(outcome(await gatewayOnly.invoke(httpApiEvent({})))).toEqual([401, 'missing_token'])
    expect(outcome(await gatewayOnly.invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
  })
})
