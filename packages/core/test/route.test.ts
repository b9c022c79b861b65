import { describe, expect, test } from '@jest/globals'
import httpRouterHandler from '@middy/http-router'
import { loadFixture } from '../../../test/support/fixtures.js'
import { eventKind } from '../src/index.js'
import { compileRouteMap, parseExecuteApiArn, parseRouteKey, requestRoute, routeKeyProblem } from '../src/internal.js'

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

/** What `@middy/http-router` runs for a request: the route's key, or undefined for its 404. */
const routerRuns = (keys: string[], event: unknown): string | undefined => {
  const router = httpRouterHandler(
    keys.map((key) => ({ method: key.split(' ')[0] as 'GET', path: key.split(' ')[1] as string, handler: () => key })) as never,
  ) as unknown as (event: unknown, context: unknown) => string
  try {
    return router(structuredClone(event), {})
  } catch {
    return undefined
  }
}

const defaultRoute = (method: string, path: string, rawPath = path) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  requestContext: { http: { method, path }, routeKey: '$default', stage: '$default' },
})

/** A fixture moved to the named stage `prod` of its API's default endpoint, as AWS delivers it there. */
const onNamedStage = (fixture: string, routeKey: string, path: string) => {
  const event = loadFixture(fixture)
  event.routeKey = event.requestContext.routeKey = routeKey
  event.requestContext.stage = 'prod'
  event.rawPath = event.requestContext.http.path = `/prod${path}`
  return event
}

describe("compileRouteMap with matching: 'http-router'", () => {
  const beside = <T>(routes: Record<string, T>, warn: (message: string) => void = () => undefined) =>
    compileRouteMap(routes, '@middy-auth/test', 'routes', { matching: 'http-router', warn })

  test('a greedy {proxy+} takes its bare parent and its trailing slash, as the router does', () => {
    const keys = ['GET /files/{proxy+}', 'GET /{proxy+}']
    const lookup = beside(Object.fromEntries(keys.map((key) => [key, key])))
    for (const path of ['/files', '/files/', '/files/a', '/files/a/b/', '/filesx', '/', '/other']) {
      const event = defaultRoute('GET', path)
      expect([path, lookup(event)]).toEqual([path, routerRuns(keys, event)])
    }
    expect(lookup(defaultRoute('GET', '/files'))).toBe('GET /files/{proxy+}')
    expect(lookup(defaultRoute('GET', '/filesx'))).toBe('GET /{proxy+}')
  })

  test('HEAD is its own method: a GET entry does not answer it, ANY does (http-router does not turn HEAD into GET)', () => {
    const getOnly = beside({ 'GET /x': 'get' })
    expect(routerRuns(['GET /x'], defaultRoute('HEAD', '/x'))).toBeUndefined()
    expect(getOnly(defaultRoute('HEAD', '/x'))).toBeUndefined()
    expect(beside({ 'ANY /x': 'any' })(defaultRoute('HEAD', '/x'))).toBe('any')
    expect(beside({ 'HEAD /x': 'head', 'GET /x': 'get' })(defaultRoute('HEAD', '/x'))).toBe('head')
  })

  test('one trailing slash is ignored, two are not; empty segments are not', () => {
    const lookup = beside({ 'GET /orders': 'list', 'GET /orders/{id}': 'read' })
    expect(lookup(defaultRoute('GET', '/orders/'))).toBe('list')
    expect(lookup(defaultRoute('GET', '/orders/7/'))).toBe('read')
    expect(lookup(defaultRoute('GET', '/orders//'))).toBeUndefined()
    expect(lookup(defaultRoute('GET', '//orders'))).toBeUndefined()
    expect(lookup(defaultRoute('GET', '/orders//7'))).toBeUndefined()
  })

  test('literal templates before variables; the last literal written for a path wins, as the router overwrites', () => {
    const lookup = beside({ 'GET /orders/{id}': 'read', 'ANY /orders/mine': 'any-mine', 'GET /orders/mine': 'get-mine' })
    expect(lookup(defaultRoute('GET', '/orders/mine'))).toBe('get-mine')
    expect(lookup(defaultRoute('POST', '/orders/mine'))).toBe('any-mine')
    expect(lookup(defaultRoute('GET', '/orders/42'))).toBe('read')
  })

  test('templates with variables in the order written: the first that matches', () => {
    const keys = ['GET /{a}/public', 'GET /files/{proxy+}']
    const lookup = beside(Object.fromEntries(keys.map((key) => [key, key])))
    expect(lookup(defaultRoute('GET', '/files/public'))).toBe('GET /{a}/public')
    expect(routerRuns(keys, defaultRoute('GET', '/files/public'))).toBe('GET /{a}/public')
  })

  test('an entry the router would never run is a TypeError naming both keys', () => {
    expect(() => beside({ 'GET /{proxy+}': [], 'GET /files/{proxy+}': ['files:read'] })).toThrow(
      /"GET \/files\/\{proxy\+\}" is never used: "GET \/\{proxy\+\}", written before it/,
    )
    expect(() => beside({ 'ANY /o/{id}': 1, 'GET /o/{id}': 2 })).toThrow(/"GET \/o\/\{id\}" is never used/)
    expect(() => beside({ 'GET /o/{id}': 1, 'GET /o/{proxy+}': 2, 'GET /o/{x}/y': 3 })).toThrow(/"GET \/o\/\{x\}\/y" is never used: "GET \/o\/\{proxy\+\}"/)
    expect(() => beside({ 'GET /x': 1, 'ANY /x': 2 })).toThrow(/"GET \/x" is never used: "ANY \/x", written after it.*keeps the last/)
    expect(() => beside({ 'GET /o/{id}': 1, 'GET /o/{name}': 2 })).toThrow(/"GET \/o\/\{id\}" and "GET \/o\/\{name\}" are the same route/)
    // Still valid: the more specific first, and ANY after an exact method.
    expect(() => beside({ 'GET /o/{id}': 1, 'ANY /o/{id}': 2, 'GET /o/{proxy+}': 3, 'ANY /x': 4, 'GET /x': 5 })).not.toThrow()
  })

  test.each([
    ['GET /orders/', /ends with "\/"/],
    ['GET /a//b', /empty segment/],
    ['GET /{proxy+}/x', /a greedy parameter \{name\+\} must be the last segment/],
    ['GET /files/{id}.json', /a variable is a whole segment/],
    ['GET /files/*', /"\*" and "\?" are not path characters/],
    ['GET /files/a?b', /"\*" and "\?" are not path characters/],
    ['GET /orders/{$id}', /a variable is a whole segment/],
  ])('%s is a TypeError at cold start, beside the router and in front of the gateway alike', (key, message) => {
    for (const compile of [() => beside({ [key]: 1 }), () => compileRouteMap({ [key]: 1 }, '@middy-auth/test', 'routes')]) {
      let error: unknown
      try {
        compile()
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).cause).toEqual({ package: '@middy-auth/test', option: 'routes' })
    }
  })

  test('a named route counts alone; under an ANY route key the request method comes first; variable names may differ', () => {
    const lookup = beside({ 'GET /orders/{id}': 'read', 'ANY /orders/{id}': 'any', 'ANY /admin/{proxy+}': 'admin' })
    const named = (routeKey: string, method: string, path: string) => ({ ...defaultRoute(method, path), routeKey })
    expect(lookup(named('ANY /orders/{orderId}', 'GET', '/orders/1'))).toBe('read')
    expect(lookup(named('ANY /orders/{orderId}', 'DELETE', '/orders/1'))).toBe('any')
    // Not matched by path: the gateway's route is PUT /orders/{id}, whatever its path looks like.
    expect(lookup(named('PUT /elsewhere/{id}', 'PUT', '/admin/x'))).toBeUndefined()
  })

  test('a hint once per gateway route key that matches no entry', () => {
    const hints: string[] = []
    const lookup = beside({ 'GET /orders': 'list' }, (message) => void hints.push(message))
    const named = (routeKey: string) => ({ ...defaultRoute('GET', '/orders'), routeKey })
    expect(lookup(named('GET /orders'))).toBe('list')
    const nowhere = { ...defaultRoute('GET', '/order'), routeKey: 'GET /order' }
    expect(lookup(nowhere)).toBeUndefined()
    expect(lookup(nowhere)).toBeUndefined()
    expect(lookup(named('ANY /{proxy+}'))).toBe('list')
    expect(lookup({ ...named('ANY /{proxy+}'), requestContext: { http: { method: 'GET', path: '/nowhere' } } })).toBeUndefined()
    expect(lookup(defaultRoute('GET', '/nowhere'))).toBeUndefined()
    expect(hints).toEqual([
      expect.stringMatching(/^@middy-auth\/test: routes has no entry for the gateway's route "GET \/order", so its requests get the default requirement/),
      expect.stringMatching(
        /matches no entry to the path of a request through the gateway's catch-all route "ANY \/\{proxy\+\}" \(@middy\/http-router would answer 404\)/,
      ),
      expect.stringMatching(/catch-all route "\$default"/),
    ])
  })

  test('the path the router reads: requestContext.http.path, where %2F is already decoded', () => {
    const keys = ['GET /files/{id}', 'GET /files/{id}/{part}']
    const lookup = beside(Object.fromEntries(keys.map((key) => [key, key])))
    const event = defaultRoute('GET', '/files/a/b', '/files/a%2Fb')
    expect(lookup(event)).toBe(routerRuns(keys, event))
    expect(lookup(event)).toBe('GET /files/{id}/{part}')
  })

  test('named stages (fixtures moved to stage prod): an entry counts only where the router and the gateway agree', () => {
    const hints: string[] = []
    const lookup = beside({ 'GET /orders/{id}': 'read', 'GET /{proxy+}': 'anything' }, (message) => void hints.push(message))
    const named = onNamedStage('http-v2-no-auth.json', 'GET /orders/{id}', '/orders/7')
    expect(requestRoute(named)).toMatchObject({ method: 'GET', template: '/orders/{id}', path: '/prod/orders/7' })
    // The router sees '/prod/orders/7' and runs GET /{proxy+}; the gateway routed GET /orders/{id}.
    expect(lookup(named)).toBeUndefined()
    // Without a named entry for it in the map the router would 404 ('/prod/orders/7'), so the named entry counts.
    expect(beside({ 'GET /orders/{id}': 'read' })(named)).toBe('read')
    expect(lookup(onNamedStage('http-v2-no-auth.json', '$default', '/orders/7'))).toBeUndefined()
    expect(hints).toEqual([
      expect.stringMatching(/takes the entry "GET \/\{proxy\+\}" for a request the gateway routed to "GET \/orders\/\{id\}"/),
      expect.stringMatching(/"\/prod\/orders\/7" and "\/orders\/7" \(without the stage\) to different entries/),
    ])
    // Both see GET /{proxy+}.
    expect(lookup(onNamedStage('http-v2-no-auth.json', '$default', '/other'))).toBe('anything')
  })
})

describe("compileRouteMap with matching: 'api-gateway' (the authorizer's)", () => {
  test('a named greedy route counts alone, as before', () => {
    const lookup = compileRouteMap({ 'GET /files/{proxy+}': 'files', 'ANY /{proxy+}': 'any' }, 'test', 'routes')
    expect(lookup({ ...defaultRoute('GET', '/files'), routeKey: 'ANY /{proxy+}' })).toBe('any')
  })

  test('the path without a named stage of the default endpoint (fixtures moved to stage prod)', () => {
    const lookup = compileRouteMap({ 'GET /orders/{id}': 'read', 'POST /cognito': 'cognito' }, 'test', 'routes')
    expect(lookup(onNamedStage('http-v2-no-auth.json', '$default', '/orders/7'))).toBe('read')
    expect(lookup(onNamedStage('http-v2-jwt.json', 'POST /cognito', '/cognito'))).toBe('cognito')
    // A custom domain has no stage in its paths: nothing is cut.
    const custom = onNamedStage('http-v2-no-auth.json', '$default', '/orders/7')
    custom.requestContext.domainName = 'api.example.com'
    expect(lookup(custom)).toBeUndefined()
    // REST paths never hold the stage.
    expect(lookup({ httpMethod: 'GET', path: '/prod/orders/7', requestContext: { stage: 'prod', elb: {} } })).toBeUndefined()
  })
})

describe('a REST path that ends in /$connect is not a WebSocket route', () => {
  test('REST events and REST authorizer events are read by their shape', () => {
    const rest = { ...loadFixture('rest-v1-no-auth.json'), resource: '/rooms/{id}/$connect', path: '/rooms/1/$connect', httpMethod: 'GET' }
    expect(eventKind(rest)).toBe('rest')
    expect(requestRoute(rest)).toMatchObject({ method: 'GET', template: '/rooms/{id}/$connect', special: undefined })
    const request = {
      ...loadFixture('authorizer-request-v1.json'),
      resource: '/rooms/{id}/$connect',
      path: '/rooms/1/$connect',
      httpMethod: 'GET',
      methodArn: 'arn:aws:execute-api:eu-west-1:1:api/prod/GET/rooms/1/$connect',
    }
    expect(eventKind(request)).toBe('authorizer-request')
    expect(requestRoute(request)).toMatchObject({ special: undefined })
    const token = { ...loadFixture('authorizer-token.json'), methodArn: 'arn:aws:execute-api:eu-west-1:1:api/prod/GET/rooms/1/$connect' }
    expect(requestRoute(token)).toEqual({ method: 'GET', template: undefined, path: '/rooms/1/$connect', special: undefined })
    const lookup = compileRouteMap({ $connect: 'connect', 'GET /rooms/{id}/$connect': 'room' }, 'test', 'routes', {
      matching: 'http-router',
      warn: () => undefined,
    })
    expect([lookup(rest), lookup(request), lookup(token)]).toEqual(['room', 'room', 'room'])
    // The real WebSocket events stay WebSocket.
    expect(eventKind(loadFixture('websocket-connect.json'))).toBe('websocket')
    expect(lookup(loadFixture('websocket-connect.json'))).toBe('connect')
    expect(lookup(loadFixture('authorizer-request-websocket-connect.json'))).toBe('connect')
  })
})

describe('the one route-key grammar', () => {
  test.each([
    ['GET /orders/{id}', { special: undefined, method: 'GET', template: '/orders/{id}', segments: [{ literal: 'orders' }, 'param'] }],
    ['ANY /files/{proxy+}', { special: undefined, method: 'ANY', template: '/files/{proxy+}', segments: [{ literal: 'files' }, 'greedy'] }],
    ['GET /', { special: undefined, method: 'GET', template: '/', segments: [] }],
    ['$default', { special: '$default' }],
    ['$connect', { special: '$connect' }],
  ])('%s', (key, expected) => {
    expect(parseRouteKey(key)).toEqual(expected)
    expect(routeKeyProblem(key)).toBeUndefined()
  })
  test.each(['/orders', 'get /orders', 'FETCH /orders', 'GET  /orders', 'GET /a b', 'GET /a\tb', '$', '$de-fault', 'GET /x/', 'GET /{a}{b}'])(
    '%j is no route key',
    (key) => {
      expect(parseRouteKey(key)).toBeUndefined()
      expect(routeKeyProblem(key)).toEqual(expect.any(String))
    },
  )
})

describe('the one execute-API ARN reader', () => {
  test('splits an ARN', () => {
    expect(parseExecuteApiArn('arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/prod/GET/orders/42')).toEqual({
      prefix: 'arn:aws-cn:execute-api:cn-north-1:123456789012',
      apiId: 'abc123',
      stage: 'prod',
      tail: 'GET/orders/42',
    })
    expect(parseExecuteApiArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/$connect')?.tail).toBe('$connect')
  })
  test.each([
    undefined,
    42,
    '',
    'arn:aws:lambda:eu-west-1:123456789012:abc123/prod/GET/orders',
    'arn::execute-api:eu-west-1:123456789012:abc123/prod/GET/orders',
    'arn:aws:execute-api::123456789012:abc123/prod/GET/orders',
    'arn:aws:execute-api:eu-west-1::abc123/prod/GET/orders',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123//GET',
    'arn:aws:execute-api:eu-west-1:123456789012:/prod/GET',
    'x:y:execute-api:a:b:c/d/GET/orders',
  ])('%j is refused', (arn) => {
    expect(parseExecuteApiArn(arn)).toBeUndefined()
  })
  test('a REST TOKEN event whose methodArn is not an execute-api ARN has no route', () => {
    expect(requestRoute({ type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: 'a/b/GET/orders' })).toBeUndefined()
    expect(
      requestRoute({ type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders' }),
    ).toMatchObject({
      method: 'GET',
      path: '/orders',
    })
  })
})
