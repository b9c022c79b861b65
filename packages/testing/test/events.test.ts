import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import {
  albEvent,
  appsyncAuthorizerEvent,
  authorizerRequestEvent,
  authorizerTokenEvent,
  functionUrlEvent,
  httpApiEvent,
  httpAuthorizerEventV1,
  httpAuthorizerEventV2,
  restEvent,
  websocketAuthorizerEvent,
  websocketConnectEvent,
  websocketMessageEvent,
} from '../src/index.js'

type Json = Record<string, unknown>

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/aws-events/${name}.json`, import.meta.url), 'utf8')) as Json
}

const keysOf = (value: unknown): string[] => Object.keys((value ?? {}) as Json).sort()
const without = (keys: string[], ...drop: string[]): string[] => keys.filter((k) => !drop.includes(k))
const requestContextOf = (event: unknown): Json => (event as { requestContext: Json }).requestContext

/** Same top-level keys and `requestContext` keys as the fixture. */
function expectShapeOf(event: unknown, name: string, ignore: { top?: string[]; requestContext?: string[] } = {}): void {
  const real = fixture(name)
  expect(keysOf(event)).toEqual(without(keysOf(real), ...(ignore.top ?? [])))
  expect(keysOf(requestContextOf(event))).toEqual(without(keysOf(real.requestContext), ...(ignore.requestContext ?? [])))
}

const full = {
  bearer: 'tok.en.sig',
  headers: { 'X-Tenant': 'acme', Accept: ['application/json', 'text/plain'] },
  cookies: { session: 's1', theme: 'dark' },
  query: { page: '2', tag: ['a b', 'c'] },
  method: 'POST',
  path: '/orders/42',
}

describe('httpApiEvent (payload 2.0)', () => {
  test('shapes match the captures', () => {
    expectShapeOf(httpApiEvent({ bearer: 't', authorizer: { jwt: { claims: { sub: 'a' } } } }), 'http-v2-jwt')
    expectShapeOf(httpApiEvent({ authorizer: { iam: {} } }), 'http-v2-iam')
    expectShapeOf(httpApiEvent({ authorizer: { lambda: { a: 1 } } }), 'http-v2-lambda-authorizer-context')
    expectShapeOf(httpApiEvent({ authorizer: { lambda: null } }), 'http-v2-lambda-authorizer-null-context')
    expectShapeOf(httpApiEvent({ clientCert: {} }), 'http-v2-no-auth')
    expectShapeOf(
      httpApiEvent({
        ...full,
        body: '{}',
        pathParameters: { proxy: 'x' },
        stageVariables: { v: '1' },
        clientCert: {},
        authorizer: { jwt: { claims: {}, scopes: ['s'] } },
      }),
      'http-v2-jwt-mtls-scopes',
    )
    expect(keysOf(requestContextOf(httpApiEvent()))).toEqual(without(keysOf(fixture('http-v2-jwt').requestContext), 'authorizer'))
    expect(keysOf(requestContextOf(httpApiEvent()).http)).toEqual(keysOf(requestContextOf(fixture('http-v2-jwt')).http))
  })

  test('defaults', () => {
    const event = httpApiEvent()
    expect(event).toMatchObject({ version: '2.0', routeKey: 'GET /orders', rawPath: '/orders', rawQueryString: '', isBase64Encoded: false })
    expect(event.requestContext).toMatchObject({
      routeKey: 'GET /orders',
      stage: '$default',
      accountId: '123456789012',
      http: { method: 'GET', path: '/orders', protocol: 'HTTP/1.1' },
    })
    expect(event.requestContext.domainName).toBe(`${event.requestContext.apiId}.execute-api.eu-west-1.amazonaws.com`)
    expect(event.headers.host).toBe(event.requestContext.domainName)
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/)
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5000)
    expect(httpApiEvent().requestContext.requestId).not.toBe(event.requestContext.requestId)
  })

  test('headers lower-cased and comma-joined, cookies in cookies[], query comma-joined and raw', () => {
    const event = httpApiEvent({ ...full, headers: { ...full.headers, Cookie: 'a=1; b=2' } })
    expect(event.headers.authorization).toBe('Bearer tok.en.sig')
    expect(event.headers['x-tenant']).toBe('acme')
    expect(event.headers.accept).toBe('application/json,text/plain')
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true)
    expect(event.headers).not.toHaveProperty('cookie')
    expect(event.cookies).toEqual(['a=1', 'b=2', 'session=s1', 'theme=dark'])
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'a b,c' })
    expect(event.rawQueryString).toBe('page=2&tag=a%20b&tag=c')
    expect(event.routeKey).toBe('POST /orders/42')
    expect(event.requestContext.http.method).toBe('POST')
  })

  test('an explicit Authorization header wins over bearer (e.g. two tokens)', () => {
    const event = httpApiEvent({ bearer: 'x', headers: { Authorization: ['Bearer a', 'Bearer b'] } })
    expect(event.headers.authorization).toBe('Bearer a,Bearer b')
  })

  test('a named stage prefixes rawPath and http.path, not routeKey', () => {
    const event = httpApiEvent({ stage: 'prod', routeKey: 'GET /orders/{id}', path: '/orders/1', pathParameters: { id: '1' } })
    expect(event.rawPath).toBe('/prod/orders/1')
    expect(event.requestContext.http.path).toBe('/prod/orders/1')
    expect(event.routeKey).toBe('GET /orders/{id}')
    expect(event.pathParameters).toEqual({ id: '1' })
  })

  test('route: routeKey, method and pathParameters from a route template and a path', () => {
    const deletion = httpApiEvent({ route: 'DELETE /orders/{id}', path: '/orders/42' })
    expect(deletion).toMatchObject({ routeKey: 'DELETE /orders/{id}', rawPath: '/orders/42', pathParameters: { id: '42' } })
    expect(deletion.requestContext).toMatchObject({ routeKey: 'DELETE /orders/{id}', http: { method: 'DELETE', path: '/orders/42' } })
    const proxy = httpApiEvent({ route: 'ANY /{proxy+}', method: 'POST', path: '/orders/42/items' })
    expect(proxy).toMatchObject({ routeKey: 'ANY /{proxy+}', pathParameters: { proxy: 'orders/42/items' } })
    expect(proxy.requestContext.http.method).toBe('POST')
    expect(httpApiEvent({ route: 'ANY /files/{key+}', path: '/files/a' }).requestContext.http.method).toBe('GET')
    const literal = httpApiEvent({ route: 'GET /orders/mine' })
    expect(literal).toMatchObject({ routeKey: 'GET /orders/mine', rawPath: '/orders/mine' })
    expect(literal).not.toHaveProperty('pathParameters')
    expect(httpApiEvent({ route: 'GET /', path: '/' })).toMatchObject({ routeKey: 'GET /', rawPath: '/' })
    // Given pathParameters win (a test of a gateway that decodes them, say).
    expect(httpApiEvent({ route: 'GET /orders/{id}', path: '/orders/a%20b', pathParameters: { id: 'a b' } }).pathParameters).toEqual({ id: 'a b' })
    expect(httpApiEvent({ route: 'GET /orders/{id}', path: '/orders/7', stage: 'prod' })).toMatchObject({
      rawPath: '/prod/orders/7',
      routeKey: 'GET /orders/{id}',
    })
  })

  test('route: a route the request could not reach is a mistake in the test, and throws', () => {
    expect(() => httpApiEvent({ route: 'GET /orders/{id}' })).toThrow('httpApiEvent: route "GET /orders/{id}" has variables: give the concrete path too')
    expect(() => httpApiEvent({ route: 'GET /orders/{id}', path: '/orders' })).toThrow('does not match the path "/orders"')
    expect(() => httpApiEvent({ route: 'GET /orders/{id}', path: '/orders/' })).toThrow('does not match the path "/orders/"')
    expect(() => httpApiEvent({ route: 'GET /orders/{id}', path: '/orders/1/2' })).toThrow('does not match the path')
    expect(() => httpApiEvent({ route: 'GET /orders/{id}', path: '/other/1' })).toThrow('does not match the path')
    expect(() => httpApiEvent({ route: 'GET /orders/{id}', path: 'orders/1' })).toThrow('a path starts with "/"')
    expect(() => httpApiEvent({ route: 'ANY /{proxy+}', path: '/' })).toThrow('does not match the path "/"')
    expect(() => httpApiEvent({ route: 'GET /', path: '/x' })).toThrow('does not match the path "/x"')
    expect(() => httpApiEvent({ route: 'GET /{a+}/b', path: '/x/b' })).toThrow('does not match the path')
    expect(() => httpApiEvent({ route: 'DELETE /orders/{id}', method: 'GET', path: '/orders/1' })).toThrow('is a DELETE route: method "GET" would not reach it')
    expect(() => httpApiEvent({ route: 'orders/{id}' })).toThrow('must look like "GET /orders/{id}"')
    expect(() => httpApiEvent({ route: 'GET /orders', routeKey: 'GET /orders' })).toThrow('give route or routeKey, not both')
  })

  test('authorizers: jwt claims rendered as the gateway does, iam merged over a default caller, lambda as given', () => {
    const jwt = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'a', exp: 1718722804, admin: true, 'cognito:groups': ['admin', 'editor'] } } } })
    expect(jwt.requestContext.authorizer).toEqual({
      jwt: { claims: { sub: 'a', exp: '1718722804', admin: 'true', 'cognito:groups': '[admin editor]' }, scopes: null },
    })
    const iam = httpApiEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::111122223333:user/alice' } } })
    expect(iam.requestContext.authorizer).toEqual({
      iam: {
        ...(requestContextOf(fixture('http-v2-iam')).authorizer as { iam: Json }).iam,
        accessKey: expect.any(String),
        accountId: '123456789012',
        callerId: expect.any(String),
        userId: expect.any(String),
        userArn: 'arn:aws:iam::111122223333:user/alice',
      },
    })
    const lambda = httpApiEvent({ authorizer: { lambda: { n: 1, list: ['a'] } } })
    expect(lambda.requestContext.authorizer).toEqual({ lambda: { n: 1, list: ['a'] } })
  })

  test('requestContext override is merged last', () => {
    expect(httpApiEvent({ requestContext: { stage: 'beta' } }).requestContext.stage).toBe('beta')
  })
})

describe('functionUrlEvent', () => {
  test('shapes match the captures', () => {
    expectShapeOf(functionUrlEvent(), 'function-url-no-auth')
    // function-url-iam.json is the Lambda docs' sample; its null pathParameters, stageVariables
    // and requestContext.authentication are absent from the real (NONE) capture, so from ours too.
    const iam = functionUrlEvent({ ...full, body: 'Hello', authorizer: { iam: {} } })
    expectShapeOf(iam, 'function-url-iam', { top: ['pathParameters', 'stageVariables'], requestContext: ['authentication'] })
  })

  test('NONE: accountId anonymous, no authorizer; AWS_IAM: owner account and the caller', () => {
    const open = functionUrlEvent()
    expect(open.requestContext.accountId).toBe('anonymous')
    expect(open.requestContext).not.toHaveProperty('authorizer')
    expect(open.routeKey).toBe('$default')
    expect(open.requestContext.stage).toBe('$default')
    expect(open.requestContext.domainName).toMatch(/^[a-z0-9]{32}\.lambda-url\.eu-west-1\.on\.aws$/)
    expect(open.headers.host).toBe(open.requestContext.domainName)
    const signed = functionUrlEvent({ region: 'us-west-2', authorizer: { iam: { accountId: '111122223333', userArn: 'arn:aws:iam::111122223333:user/x' } } })
    expect(signed.requestContext.accountId).toBe('123456789012')
    expect(signed.requestContext.authorizer).toMatchObject({
      iam: { accountId: '111122223333', userArn: 'arn:aws:iam::111122223333:user/x', cognitoIdentity: null },
    })
    expect(signed.requestContext.domainName).toMatch(/\.lambda-url\.us-west-2\.on\.aws$/)
  })

  test('headers, cookies and query land as in payload 2.0', () => {
    const event = functionUrlEvent(full)
    expect(event.headers.authorization).toBe('Bearer tok.en.sig')
    expect(event.cookies).toEqual(['session=s1', 'theme=dark'])
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'a b,c' })
    expect(event.rawPath).toBe('/orders/42')
    expect(event.requestContext.http.method).toBe('POST')
  })
})

describe('restEvent (payload 1.0)', () => {
  test('shapes match the captures', () => {
    expectShapeOf(restEvent(), 'rest-v1-no-auth')
    expectShapeOf(restEvent({ identity: { userArn: 'arn:aws:iam::1:user/a' } }), 'rest-v1-iam')
    expectShapeOf(restEvent({ bearer: 't', authorizer: { claims: { sub: 'a' } } }), 'rest-v1-cognito')
    expectShapeOf(restEvent({ bearer: 't', authorizer: { principalId: 'p', k: 'v' } }), 'rest-v1-lambda-authorizer-context')
    expect(keysOf(restEvent().requestContext.identity)).toEqual(keysOf(requestContextOf(fixture('rest-v1-no-auth')).identity))
    expect(keysOf(restEvent({ clientCert: {} }).requestContext.identity)).toEqual(keysOf(requestContextOf(fixture('rest-v1-mtls')).identity))
  })

  test('route: resource, httpMethod and pathParameters from a route template and a path', () => {
    const deletion = restEvent({ route: 'DELETE /orders/{id}', path: '/orders/42' })
    expect(deletion).toMatchObject({ resource: '/orders/{id}', path: '/orders/42', httpMethod: 'DELETE', pathParameters: { id: '42' } })
    expect(deletion.requestContext).toMatchObject({ resourcePath: '/orders/{id}', httpMethod: 'DELETE', path: '/prod/orders/42' })
    expect(restEvent({ route: 'ANY /{proxy+}', method: 'PUT', path: '/a/b' })).toMatchObject({
      resource: '/{proxy+}',
      httpMethod: 'PUT',
      pathParameters: { proxy: 'a/b' },
    })
    expect(restEvent({ route: 'GET /orders' })).toMatchObject({ resource: '/orders', path: '/orders', pathParameters: null })
    expect(() => restEvent({ route: 'GET /orders/{id}', path: '/x/1' })).toThrow('restEvent: route "GET /orders/{id}" does not match the path "/x/1"')
    expect(() => restEvent({ route: 'GET /orders', resource: '/orders' })).toThrow('give route or resource, not both')
  })

  test('defaults: stage prod in requestContext.path only, null maps, null body', () => {
    const event = restEvent()
    expect(event).toMatchObject({
      resource: '/orders',
      path: '/orders',
      httpMethod: 'GET',
      body: null,
      isBase64Encoded: false,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
    })
    expect(event.requestContext).toMatchObject({ path: '/prod/orders', stage: 'prod', resourcePath: '/orders', httpMethod: 'GET', protocol: 'HTTP/1.1' })
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(event.requestContext.identity).toMatchObject({ sourceIp: '203.0.113.10', userAgent: 'curl/8.7.1', userArn: null, accessKey: null })
    expect(event.requestContext).not.toHaveProperty('authorizer')
  })

  test('headers keep case in headers (last) and multiValueHeaders (all); cookies in Cookie; query single and multi', () => {
    const event = restEvent(full)
    expect(event.headers.Authorization).toBe('Bearer tok.en.sig')
    expect(event.multiValueHeaders.Authorization).toEqual(['Bearer tok.en.sig'])
    expect(event.headers['X-Tenant']).toBe('acme')
    expect(event.headers.Accept).toBe('text/plain')
    expect(event.multiValueHeaders.Accept).toEqual(['application/json', 'text/plain'])
    expect(event.headers.Cookie).toBe('session=s1; theme=dark')
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'c' })
    expect(event.multiValueQueryStringParameters).toEqual({ page: ['2'], tag: ['a b', 'c'] })
    expect(event.httpMethod).toBe('POST')
    expect(event.requestContext.path).toBe('/prod/orders/42')
  })

  test('a given header replaces a default case-insensitively; cookies join an existing Cookie header', () => {
    const event = restEvent({ headers: { host: 'api.example.com', cookie: 'a=1' }, cookies: { b: '2' } })
    expect(event.headers).not.toHaveProperty('Host')
    expect(event.headers.host).toBe('api.example.com')
    expect(event.headers.Cookie).toBe('a=1; b=2')
  })

  test('authorizers: Cognito claims and Lambda context stringified as the gateway does', () => {
    const cognito = restEvent({
      authorizer: {
        claims: { sub: 'a', exp: 1718722804, iat: 1718636404, auth_time: 1718636404, 'cognito:groups': ['admin', 'editor'], email_verified: true },
      },
    })
    expect(cognito.requestContext.authorizer).toEqual({
      claims: {
        sub: 'a',
        exp: 'Tue Jun 18 15:00:04 UTC 2024',
        iat: 'Mon Jun 17 15:00:04 UTC 2024',
        auth_time: '1718636404',
        'cognito:groups': 'admin,editor',
        email_verified: 'true',
      },
    })
    const lambda = restEvent({ authorizer: { principalId: 'user|a', integrationLatency: 12, n: 1, b: true, s: 'x', z: null } })
    expect(lambda.requestContext.authorizer).toEqual({ principalId: 'user|a', integrationLatency: 12, n: '1', b: 'true', s: 'x', z: null })
    expect(restEvent({ authorizer: { principalId: 'p' } }).requestContext.authorizer).toEqual({ principalId: 'p', integrationLatency: 0 })
    expect(() => restEvent({ authorizer: { principalId: 'p', roles: ['a'] } })).toThrow(TypeError)
  })

  test('identity: an IAM caller; requestContext override (console test invocation)', () => {
    const event = restEvent({
      identity: { userArn: 'arn:aws:iam::123456789012:user/alice', accessKey: 'AKIA1', accountId: '123456789012' },
      requestContext: { stage: 'test-invoke-stage' },
    })
    expect(event.requestContext.identity).toMatchObject({
      userArn: 'arn:aws:iam::123456789012:user/alice',
      accessKey: 'AKIA1',
      accountId: '123456789012',
      caller: null,
    })
    expect(event.requestContext.stage).toBe('test-invoke-stage')
  })
})

describe('albEvent', () => {
  test('shapes match the captures (single-value and multi-value target groups)', () => {
    expectShapeOf(albEvent(), 'alb')
    expectShapeOf(albEvent({ multiValue: true }), 'alb-multivalue')
  })

  test('single-value: lower-cased headers, last value, cookie header, encoded query; body ""', () => {
    const event = albEvent(full)
    expect(event.headers?.authorization).toBe('Bearer tok.en.sig')
    expect(event.headers?.['x-tenant']).toBe('acme')
    expect(event.headers?.accept).toBe('text/plain')
    expect(event.headers?.cookie).toBe('session=s1; theme=dark')
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'c' })
    expect(event).not.toHaveProperty('multiValueHeaders')
    expect(event.body).toBe('')
    expect(albEvent({ query: { q: 'a b' } }).queryStringParameters).toEqual({ q: 'a%20b' })
    expect(albEvent().queryStringParameters).toEqual({})
  })

  test('multi-value: only multiValueHeaders and multiValueQueryStringParameters', () => {
    const event = albEvent({ ...full, multiValue: true })
    expect(event).not.toHaveProperty('headers')
    expect(event).not.toHaveProperty('queryStringParameters')
    expect(event.multiValueHeaders?.accept).toEqual(['application/json', 'text/plain'])
    expect(event.multiValueHeaders?.authorization).toEqual(['Bearer tok.en.sig'])
    expect(event.multiValueQueryStringParameters).toEqual({ page: ['2'], tag: ['a%20b', 'c'] })
    expect(event.requestContext.elb.targetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\//)
  })
})

describe('websocketConnectEvent', () => {
  test('shape matches the capture; the query adds both query maps', () => {
    expectShapeOf(websocketConnectEvent(), 'websocket-connect')
    const withQuery = websocketConnectEvent({ query: { token: 'abc', tag: ['a', 'b'] } })
    expect(withQuery.queryStringParameters).toEqual({ token: 'abc', tag: 'b' })
    expect(withQuery.multiValueQueryStringParameters).toEqual({ token: ['abc'], tag: ['a', 'b'] })
  })

  test('requestContext of a $connect; headers in both maps; cookies in Cookie; authorizer context stringified', () => {
    const event = websocketConnectEvent({ bearer: 't', cookies: { s: '1' }, authorizer: { principalId: 'alice', level: 3 } })
    expect(event.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', messageDirection: 'IN', stage: 'prod' })
    expect(event.headers.Authorization).toBe('Bearer t')
    expect(event.multiValueHeaders.Authorization).toEqual(['Bearer t'])
    expect(event.headers.Cookie).toBe('s=1')
    expect(event.requestContext.authorizer).toEqual({ principalId: 'alice', integrationLatency: 0, level: '3' })
  })
})

describe('websocketMessageEvent', () => {
  test("the connection's fields as in the $connect capture, with a MESSAGE's own, and no headers", () => {
    const event = websocketMessageEvent({ routeKey: 'sendMessage', body: '{"action":"sendMessage"}' })
    expect(keysOf(event)).toEqual(['body', 'isBase64Encoded', 'requestContext'])
    expect(keysOf(event.requestContext)).toEqual([...keysOf(fixture('websocket-connect').requestContext), 'messageId'].sort())
    expect(event.requestContext).toMatchObject({ routeKey: 'sendMessage', eventType: 'MESSAGE', messageDirection: 'IN', stage: 'prod' })
    expect(event.body).toBe('{"action":"sendMessage"}')
    expect(websocketMessageEvent().requestContext.routeKey).toBe('$default')
  })

  test("the $connect authorizer's context, stringified as on every message route", () => {
    const event = websocketMessageEvent({ authorizer: { principalId: 'alice', level: 3 } })
    expect(event.requestContext.authorizer).toEqual({ principalId: 'alice', integrationLatency: 0, level: '3' })
  })
})

describe('appsyncAuthorizerEvent', () => {
  test('shape of the AWS docs sample; the token in authorizationToken and the authorization header', () => {
    const real = fixture('authorizer-appsync')
    const event = appsyncAuthorizerEvent({ token: 'Bearer abc' })
    expect(keysOf(event)).toEqual(keysOf(real))
    expect(keysOf(event.requestContext)).toEqual(keysOf(real.requestContext))
    expect(event.authorizationToken).toBe('Bearer abc')
    expect(event.requestHeaders.authorization).toBe('Bearer abc')
    expect(event.requestContext).toMatchObject({ operationName: 'MyQuery', accountId: '123456789012', variables: {} })
    expect(event.requestContext.queryString).toContain('query MyQuery')
  })

  test('operation, document, variables and headers as given', () => {
    const event = appsyncAuthorizerEvent({ operationName: 'Del', queryString: 'mutation Del { x }', variables: { id: 1 }, requestHeaders: { 'x-a': 'b' } })
    expect(event.requestContext).toMatchObject({ operationName: 'Del', queryString: 'mutation Del { x }', variables: { id: 1 } })
    expect(event.requestHeaders).toEqual({ 'x-a': 'b' })
    expect(appsyncAuthorizerEvent().authorizationToken).toBe('')
  })
})

describe('authorizer events', () => {
  test('authorizerTokenEvent: shape of the capture; token verbatim or bearer', () => {
    expect(keysOf(authorizerTokenEvent({ token: 'x' }))).toEqual(keysOf(fixture('authorizer-token')))
    expect(authorizerTokenEvent({ bearer: 'jwt' })).toEqual({
      type: 'TOKEN',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/GET/orders',
      authorizationToken: 'Bearer jwt',
    })
    expect(authorizerTokenEvent({ token: 'Basic dXNlcjpwYXNz', methodArn: 'arn:x' })).toEqual({
      type: 'TOKEN',
      methodArn: 'arn:x',
      authorizationToken: 'Basic dXNlcjpwYXNz',
    })
    expect(() => authorizerTokenEvent({})).toThrow(TypeError)
  })

  test('authorizerRequestEvent: shape of the capture; empty maps are {}', () => {
    expectShapeOf(authorizerRequestEvent({ bearer: 't' }), 'authorizer-request-v1')
    const event = authorizerRequestEvent({ ...full })
    expect(event.methodArn).toBe('arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/POST/orders/42')
    expect(event.headers?.Authorization).toBe('Bearer tok.en.sig')
    expect(event.multiValueHeaders?.Accept).toEqual(['application/json', 'text/plain'])
    expect(event.headers?.Cookie).toBe('session=s1; theme=dark')
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'c' })
    expect(event.multiValueQueryStringParameters).toEqual({ page: ['2'], tag: ['a b', 'c'] })
    expect(authorizerRequestEvent()).toMatchObject({ queryStringParameters: {}, multiValueQueryStringParameters: {}, pathParameters: {}, stageVariables: {} })
    expect(event.requestContext).not.toHaveProperty('authorizer')
  })

  test('httpAuthorizerEventV1: shape of the docs sample; identitySource comma-joined', () => {
    expectShapeOf(httpAuthorizerEventV1({ bearer: 't' }), 'authorizer-request-http-v1-format')
    const event = httpAuthorizerEventV1(full)
    expect(event).toMatchObject({
      version: '1.0',
      type: 'REQUEST',
      identitySource: 'Bearer tok.en.sig',
      authorizationToken: 'Bearer tok.en.sig',
      httpMethod: 'POST',
      path: '/orders/42',
    })
    expect(event.headers.authorization).toBe('Bearer tok.en.sig')
    expect(event.headers.cookie).toBe('session=s1; theme=dark')
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'a b,c' })
    expect(event.methodArn).toBe('arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/POST/orders/42')
    expect(httpAuthorizerEventV1({ identitySource: ['user1', '123'] }).identitySource).toBe('user1,123')
  })

  test('httpAuthorizerEventV2: shape of the capture; identitySource array, routeArn, routeKey', () => {
    expectShapeOf(httpAuthorizerEventV2({ bearer: 't' }), 'authorizer-request-v2')
    const event = httpAuthorizerEventV2(full)
    expect(event).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      identitySource: ['Bearer tok.en.sig'],
      routeKey: 'POST /orders/42',
      rawPath: '/orders/42',
      rawQueryString: 'page=2&tag=a%20b&tag=c',
    })
    expect(event.routeArn).toBe('arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/POST/orders/42')
    expect(event.cookies).toEqual(['session=s1', 'theme=dark'])
    expect(event.headers?.authorization).toBe('Bearer tok.en.sig')
    expect(event.queryStringParameters).toEqual({ page: '2', tag: 'a b,c' })
    expect(httpAuthorizerEventV2().identitySource).toEqual([])
    expect(httpAuthorizerEventV2()).not.toHaveProperty('cookies')
  })

  test('websocketAuthorizerEvent: shape of the docs sample; methodArn ends with $connect', () => {
    expectShapeOf(websocketAuthorizerEvent({ query: { QueryString1: 'queryValue1' } }), 'authorizer-request-websocket-connect')
    const event = websocketAuthorizerEvent({ query: { token: 'abc' }, headers: { 'Sec-WebSocket-Protocol': 'jwt, abc' } })
    expect(event.methodArn).toBe('arn:aws:execute-api:eu-west-1:123456789012:w1s2c3k4t5/prod/$connect')
    expect(event.queryStringParameters).toEqual({ token: 'abc' })
    expect(event.multiValueQueryStringParameters).toEqual({ token: ['abc'] })
    expect(event.headers['Sec-WebSocket-Protocol']).toBe('jwt, abc')
    expect(event.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT' })
    expect(websocketAuthorizerEvent().queryStringParameters).toEqual({})
  })
})
