import { describe, expect, test } from '@jest/globals'
import { loadFixture } from '../../../test/support/fixtures.js'
import { compileRouteMap, requestRoute } from '../src/index.js'

describe('requestRoute over the real fixtures', () => {
  test.each([
    ['http-v2-jwt.json', { method: 'POST', template: '/cognito' }],
    ['rest-v1-cognito.json', { method: 'POST', template: '/cognito' }],
    ['function-url-iam.json', { method: 'POST', template: undefined, path: '/my/path', special: '$default' }],
    ['alb.json', { method: 'GET', template: undefined, path: '/' }],
    ['authorizer-request-v2.json', { method: 'POST', template: '/lambda' }],
    ['authorizer-request-v1.json', { method: 'POST', template: '/lambda-request' }],
    ['authorizer-token.json', { method: 'POST', template: undefined, path: '/lambda-token' }],
    ['websocket-connect.json', { special: '$connect' }],
    ['authorizer-request-websocket-connect.json', { special: '$connect' }],
  ])('%s', (file, expected) => {
    expect(requestRoute(loadFixture(file))).toMatchObject(expected)
  })
})

describe('compileRouteMap', () => {
  const lookup = compileRouteMap(
    {
      'GET /orders': 'list',
      'GET /orders/{id}': 'read',
      'ANY /orders/{id}': 'any-order',
      'GET /orders/mine': 'mine',
      'GET /files/{path+}': 'files',
      $connect: 'connect',
    },
    'test',
    'routes',
  )
  test('by the route key the gateway gives', () => {
    expect(lookup({ version: '2.0', routeKey: 'GET /orders/{id}', rawPath: '/orders/1', requestContext: { http: { method: 'GET' } } })).toBe('read')
    expect(lookup({ httpMethod: 'DELETE', resource: '/orders/{id}', path: '/orders/1' })).toBe('any-order')
    expect(lookup({ httpMethod: 'GET', resource: '/orders', path: '/orders' })).toBe('list')
  })
  test('a named route that is not listed is not matched by its path', () => {
    expect(lookup({ httpMethod: 'GET', resource: '/orders/{proxy+}', path: '/orders/mine' })).toBeUndefined()
  })
  test('by path where the event has no route template (ALB, ARNs), most literal first', () => {
    expect(lookup({ httpMethod: 'GET', path: '/orders/mine', requestContext: { elb: {} } })).toBe('mine')
    expect(lookup({ httpMethod: 'GET', path: '/orders/42', requestContext: { elb: {} } })).toBe('read')
    expect(lookup({ httpMethod: 'GET', path: '/files/a/b/c', requestContext: { elb: {} } })).toBe('files')
    expect(lookup({ httpMethod: 'GET', path: '/files', requestContext: { elb: {} } })).toBeUndefined()
    expect(lookup({ type: 'TOKEN', authorizationToken: 'x', methodArn: 'arn:aws:execute-api:eu-west-1:1:api/prod/GET/orders/7' })).toBe('read')
  })
  test('WebSocket routes', () => {
    expect(lookup(loadFixture('websocket-connect.json'))).toBe('connect')
  })
  test('malformed keys fail at cold start', () => {
    expect(() => compileRouteMap({ 'get /x': 1 }, 'pkg', 'routes')).toThrow(/route key "get \/x"/)
    expect(() => compileRouteMap({ '/x': 1 }, 'pkg', 'routes')).toThrow(TypeError)
    expect(() => compileRouteMap(null as never, 'pkg', 'routes')).toThrow(/routes must be an object/)
  })
})
