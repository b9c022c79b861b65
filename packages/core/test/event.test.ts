import { describe, expect, test } from '@jest/globals'
import { fixtureNames, loadFixture } from '../../../test/support/fixtures.js'
import { authorizerWithToken } from '../src/event.js'
import { eventKind, getCookieValues, getHeader, getHeaderValues, getQueryValues } from '../src/index.js'

describe('eventKind over the real fixtures', () => {
  test.each([
    ['http-v2-jwt.json', 'http-api'],
    ['http-v2-no-auth.json', 'http-api'],
    ['function-url-iam.json', 'function-url'],
    ['function-url-no-auth.json', 'function-url'],
    ['rest-v1-cognito.json', 'rest'],
    ['rest-v1-console-test-invoke.json', 'rest'],
    ['alb.json', 'alb'],
    ['alb-multivalue.json', 'alb'],
    ['websocket-connect.json', 'websocket'],
    ['authorizer-token.json', 'authorizer-token'],
    ['authorizer-request-v1.json', 'authorizer-request'],
    ['authorizer-request-http-v1-format.json', 'authorizer-request'],
    ['authorizer-request-websocket-connect.json', 'authorizer-request'],
    ['authorizer-request-v2.json', 'authorizer-http-v2'],
  ])('%s is %s', (file, kind) => {
    expect(eventKind(loadFixture(file))).toBe(kind)
  })
  test('not an event', () => {
    expect(eventKind(null)).toBe('unknown')
    expect(eventKind({})).toBe('unknown')
  })
})

describe('the authorizer events that carry a header value (authorizerWithToken, what a token source asks per request)', () => {
  const appsync = loadFixture('authorizer-appsync.json')
  const token = loadFixture('authorizer-token.json')
  const request = loadFixture('authorizer-request-v1.json')
  const appsyncFields = { ...(appsync.requestContext as object) }
  test.each<[string, string, string | undefined, unknown]>([
    ['a REST TOKEN event', 'authorizer-token', 'authorizer-token', token],
    ['an AppSync event', 'authorizer-appsync', 'authorizer-appsync', appsync],
    ['a TOKEN event whose token is not text', 'unknown', undefined, { ...token, authorizationToken: 5 }],
    ['an AppSync event whose token is not text', 'unknown', undefined, { ...appsync, authorizationToken: null }],
    ['an AppSync event without its GraphQL document', 'unknown', undefined, { ...appsync, requestContext: { ...appsyncFields, queryString: 5 } }],
    ['an AppSync event without requestContext', 'unknown', undefined, { ...appsync, requestContext: null }],
    // A REQUEST authorizer event is one, whatever else it holds.
    [
      'a REQUEST event with a token and the AppSync fields',
      'authorizer-request',
      undefined,
      { ...request, authorizationToken: 'x', requestContext: { ...(request.requestContext as object), ...appsyncFields } },
    ],
    ['a REQUEST event', 'authorizer-request', undefined, request],
    ['an HTTP API event with a token field', 'http-api', undefined, { ...loadFixture<Record<string, unknown>>('http-v2-jwt.json'), authorizationToken: 'x' }],
    ['not an event', 'unknown', undefined, 'Bearer x'],
  ])('%s: eventKind %s, authorizerWithToken %s', (_name, kind, withToken, event) => {
    expect(eventKind(event)).toBe(kind)
    expect(authorizerWithToken(event)).toBe(withToken)
  })
  test('on every fixture, the kind eventKind gives when it is one of the two', () => {
    for (const name of fixtureNames()) {
      const kind = eventKind(loadFixture(name))
      expect(authorizerWithToken(loadFixture(name))).toBe(kind === 'authorizer-token' || kind === 'authorizer-appsync' ? kind : undefined)
    }
  })
})

describe('headers', () => {
  test('case-insensitive on REST, HTTP API, ALB multi-value', () => {
    expect(getHeader(loadFixture('rest-v1-cognito.json'), 'authorization')).toMatch(/^Bearer eyJ/)
    expect(getHeader(loadFixture('authorizer-request-v2.json'), 'AUTHORIZATION')).toBe('Bearer foo')
    expect(getHeader(loadFixture('alb-multivalue.json'), 'User-Agent')).toBe('curl/7.79.1')
  })
  test('null headers (console test invocation) read as absent', () => {
    expect(getHeader(loadFixture('rest-v1-console-test-invoke.json'), 'authorization')).toBeUndefined()
  })
  test('repeated headers are all seen, from multiValueHeaders or from differently-cased keys', () => {
    const rest = { headers: { Authorization: 'Bearer b' }, multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'] } }
    expect(getHeaderValues(rest, 'authorization')).toEqual(['Bearer a', 'Bearer b'])
    expect(getHeader(rest, 'authorization')).toBe('Bearer a, Bearer b')
    expect(getHeaderValues({ headers: { authorization: 'x', AUTHORIZATION: 'y' } }, 'Authorization')).toEqual(['x', 'y'])
  })
})

describe('cookies', () => {
  test('from cookies[] (HTTP API) and from Cookie headers (REST, ALB)', () => {
    expect(getCookieValues({ cookies: ['a=1', 'session=tok'] }, 'session')).toEqual(['tok'])
    expect(getCookieValues({ headers: { Cookie: 'a=1; session="tok"; b=2' } }, 'session')).toEqual(['tok'])
    expect(getCookieValues({ multiValueHeaders: { cookie: ['session=x', 'session=y'] } }, 'session')).toEqual(['x', 'y'])
    expect(getCookieValues(loadFixture('function-url-iam.json'), 'session')).toEqual([])
  })
  test('a name is matched whole', () => {
    expect(getCookieValues({ cookies: ['xsession=1', 'session2=2'] }, 'session')).toEqual([])
  })
})

describe('query strings', () => {
  test('HTTP API: every repeat from rawQueryString', () => {
    expect(getQueryValues({ rawQueryString: 'token=a&token=b', queryStringParameters: { token: 'a,b' } }, 'token')).toEqual(['a', 'b'])
  })
  test('REST multi-value and single value', () => {
    const websocket = loadFixture('authorizer-request-websocket-connect.json')
    expect(getQueryValues(websocket, 'QueryString1')).toEqual(['queryValue1'])
    expect(getQueryValues({ queryStringParameters: { t: 'x' } }, 't')).toEqual(['x'])
    expect(getQueryValues(loadFixture('rest-v1-no-auth.json'), 't')).toEqual([])
  })
  test('ALB values arrive percent-encoded and are decoded', () => {
    const alb = loadFixture('alb.json')
    alb.queryStringParameters = { q: 'a%20b' }
    expect(getQueryValues(alb, 'q')).toEqual(['a b'])
  })
})
