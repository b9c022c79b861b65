import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startGateway, type GatewayRoute, type LambdaAuthorizer, type LocalCredentials } from '../examples/src/gateway.js'
import { signRequest } from '../examples/src/sigv4.js'
import { loadFixture } from './support/fixtures.js'

/**
 * The local gateway's events have the shape of API Gateway's own: for each recorded event of
 * test/fixtures/aws-events/ (real captures where there is one), the event the gateway produces
 * for the same kind of request has the same keys, at every level, with values of the same types.
 * Maps whose keys depend on the request (headers, query, path parameters, stage variables) are
 * compared by the types of their values.
 */

const OPEN_MAPS = new Set(['headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'pathParameters', 'stageVariables'])

type Shape = string | Shape[] | { [key: string]: Shape }

/** The keys and value types of a JSON value. */
const shape = (value: unknown, key?: string): Shape => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return ['array', ...new Set(value.map((v) => JSON.stringify(shape(v))))]
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (key !== undefined && OPEN_MAPS.has(key)) return ['map', ...[...new Set(Object.values(record).map((v) => JSON.stringify(shape(v))))].sort()]
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, shape(record[k], k)]),
    )
  }
  return typeof value
}

const without = <T extends Record<string, any>>(event: T, path: string[]): T => {
  const copy = structuredClone(event)
  let at: Record<string, any> = copy
  for (const key of path.slice(0, -1)) at = at[key]
  delete at[path[path.length - 1]!]
  return copy
}

const caller: LocalCredentials = {
  accessKeyId: 'ASIAEVENTSHAPES00001',
  secretAccessKey: 'event-shapes-secret-key-0000000000000000',
  sessionToken: 'event-shapes-session-token',
  arn: 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
  principalId: 'AROAEVENTSHAPES00001:aamorosi',
}

/** A gateway whose functions and authorizers record the events they get. */
const recordingGateway = async (api: 'http' | 'rest') => {
  const seen: Record<string, unknown> = {}
  const record = (name: string, answer: unknown) => (event: never) => {
    seen[name] = event
    return answer
  }
  const proxy = { statusCode: 200, body: 'ok' }
  const simple: LambdaAuthorizer = {
    name: 'simple',
    identitySource: ['$request.header.Authorization'],
    responseFormat: 'simple',
    // The context of the docs' simple-response example, as the fixture holds it.
    handler: record('authorizer', {
      isAuthorized: true,
      context: { stringKey: 'value', numberKey: 1, booleanKey: true, arrayKey: ['value1', 'value2'], mapKey: { value1: 'value2' } },
    }),
  }
  const policy = (name: string, type: 'REQUEST' | 'TOKEN'): LambdaAuthorizer => ({
    name,
    type,
    identitySource: ['method.request.header.Authorization'],
    handler: record(name, {
      principalId: 'user',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:*' }] },
    }),
  })
  const routes: GatewayRoute[] =
    api === 'http'
      ? [
          { route: '$default', handler: record('no-auth', proxy) },
          { route: 'POST /iam', handler: record('iam', proxy), authorization: { type: 'AWS_IAM', credentials: [caller] } },
          { route: 'POST /lambda', handler: record('lambda', proxy), authorization: { type: 'CUSTOM', authorizer: simple } },
        ]
      : [
          { route: 'POST /no-auth', handler: record('no-auth', proxy) },
          { route: 'POST /iam', handler: record('iam', proxy), authorization: { type: 'AWS_IAM', credentials: [caller] } },
          {
            route: 'POST /lambda-request',
            handler: record('lambda-request', proxy),
            authorization: { type: 'CUSTOM', authorizer: policy('request-authorizer', 'REQUEST') },
          },
          {
            route: 'POST /lambda-token',
            handler: record('lambda-token', proxy),
            authorization: { type: 'CUSTOM', authorizer: policy('token-authorizer', 'TOKEN') },
          },
        ]
  const gatewayLog: string[] = []
  const gateway = await startGateway({ api, routes, port: 0, log: (line) => gatewayLog.push(line) })
  const post = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${gateway.url}${path}`, { method: 'POST', headers })
    expect([path, res.status]).toEqual([path, 200])
  }
  const postSigned = async (path: string) => {
    const host = new URL(gateway.url).host
    await post(path, await signRequest(caller, gateway.region, { method: 'POST', path, rawQuery: '', headers: { host }, body: Buffer.alloc(0) }))
  }
  return { gateway, seen, post, postSigned, gatewayLog }
}

test('the comparison sees a missing key, an extra key and a changed type, at any depth', () => {
  const fixture = loadFixture('http-v2-iam.json')
  expect(shape(without(fixture, ['requestContext', 'authorizer', 'iam', 'principalOrgId']))).not.toEqual(shape(fixture))
  expect(shape({ ...fixture, body: '' })).not.toEqual(shape(fixture))
  expect(shape({ ...fixture, requestContext: { ...fixture.requestContext, timeEpoch: String(fixture.requestContext.timeEpoch) } })).not.toEqual(shape(fixture))
  // Header names depend on the request, the types of their values do not.
  expect(shape({ ...fixture, headers: { 'x-other': 'value' } })).toEqual(shape(fixture))
  expect(shape({ ...fixture, headers: { 'x-other': ['value'] } })).not.toEqual(shape(fixture))
})

describe('HTTP API (payload 2.0) events', () => {
  let http: Awaited<ReturnType<typeof recordingGateway>>
  beforeAll(async () => {
    http = await recordingGateway('http')
    await http.post('/')
    await http.postSigned('/iam')
    await http.post('/lambda', { authorization: 'Bearer foo' })
  })
  afterAll(() => http?.gateway.close())

  test('a route without authorization: the event of http-v2-no-auth.json', () => {
    // That capture came through a custom domain with mutual TLS: `authentication` is its client certificate, which the local gateway never has.
    expect(shape(http.seen['no-auth'])).toEqual(shape(without(loadFixture('http-v2-no-auth.json'), ['requestContext', 'authentication'])))
  })

  test('an AWS_IAM route: the event of http-v2-iam.json (a real capture), authorizer.iam included', () => {
    expect(shape(http.seen.iam)).toEqual(shape(loadFixture('http-v2-iam.json')))
    expect((http.seen.iam as any).requestContext.authorizer.iam).toEqual({
      accessKey: caller.accessKeyId,
      accountId: '123456789012',
      callerId: caller.principalId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: caller.arn,
      userId: caller.principalId,
    })
  })

  test("a route behind a Lambda authorizer: the authorizer's input is authorizer-request-v2.json's (a real capture)", () => {
    expect(shape(http.seen.authorizer)).toEqual(shape(loadFixture('authorizer-request-v2.json')))
    expect((http.seen.authorizer as any).identitySource).toEqual(['Bearer foo'])
    expect((http.seen.authorizer as any).routeArn).toBe('arn:aws:execute-api:eu-west-1:123456789012:local/$default/POST/lambda')
  })

  test("and the function's event is http-v2-lambda-authorizer-context.json's, the context's types kept", () => {
    expect(shape(http.seen.lambda)).toEqual(shape(loadFixture('http-v2-lambda-authorizer-context.json')))
  })

  test('the gateway logged nothing', () => {
    expect(http.gatewayLog).toEqual([])
  })
})

describe('REST API (payload 1.0) events', () => {
  let rest: Awaited<ReturnType<typeof recordingGateway>>
  beforeAll(async () => {
    rest = await recordingGateway('rest')
    await rest.post('/no-auth')
    await rest.postSigned('/iam')
    await rest.post('/lambda-request', { authorization: 'Bearer foo' })
    await rest.post('/lambda-token', { authorization: 'Bearer foo' })
  })
  afterAll(() => rest?.gateway.close())

  test('a method without authorization: the event of rest-v1-no-auth.json (a real capture)', () => {
    expect(shape(rest.seen['no-auth'])).toEqual(shape(loadFixture('rest-v1-no-auth.json')))
  })

  test('an AWS_IAM method: the event of rest-v1-iam.json (a real capture), the caller in requestContext.identity', () => {
    expect(shape(rest.seen.iam)).toEqual(shape(loadFixture('rest-v1-iam.json')))
    expect((rest.seen.iam as any).requestContext.identity).toMatchObject({
      accountId: '123456789012',
      caller: caller.principalId,
      user: caller.principalId,
      accessKey: caller.accessKeyId,
      userArn: caller.arn,
    })
  })

  test('a REQUEST authorizer gets the input of authorizer-request-v1.json, a TOKEN authorizer that of authorizer-token.json (real captures)', () => {
    expect(shape(rest.seen['request-authorizer'])).toEqual(shape(loadFixture('authorizer-request-v1.json')))
    expect(shape(rest.seen['token-authorizer'])).toEqual(shape(loadFixture('authorizer-token.json')))
    expect(rest.seen['token-authorizer']).toEqual({
      type: 'TOKEN',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:local/local/POST/lambda-token',
      authorizationToken: 'Bearer foo',
    })
  })

  test("the function behind it gets rest-v1-lambda-authorizer.json's event: principalId and integrationLatency", () => {
    expect(shape(rest.seen['lambda-token'])).toEqual(shape(loadFixture('rest-v1-lambda-authorizer.json')))
    expect(shape(rest.seen['lambda-request'])).toEqual(shape(loadFixture('rest-v1-lambda-authorizer.json')))
  })

  test('the gateway logged nothing', () => {
    expect(rest.gatewayLog).toEqual([])
  })
})
