import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { createTestIssuer, type TestIssuer } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import type { AuthorizerResponseOptions } from '../src/index.js'
import { audience, authorizer, contextOf, policyOf, useIssuer, type Outcome } from './support.js'

const issuer = useIssuer()
const { verify, sign } = issuer
let down: TestIssuer
beforeAll(async () => {
  down = await createTestIssuer()
  down.failWith('status-500')
})
afterAll(() => down.close())

/**
 * Every authorizer input fixture, with a token put where the gateway puts it: the REST TOKEN
 * `authorizationToken`, the `Authorization` header (and `identitySource`) of REQUEST events,
 * the `token` query parameter of the WebSocket `$connect`.
 */
const inputs = {
  'authorizer-token.json': {
    arn: 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-token',
    stage: 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/*/*',
    http: false,
    tokenSource: undefined,
    withToken: (token: string | undefined) => {
      const event = loadFixture('authorizer-token.json')
      event.authorizationToken = token === undefined ? '' : `Bearer ${token}`
      return event
    },
  },
  'authorizer-request-v1.json': {
    arn: 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-request',
    stage: 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/*/*',
    http: false,
    tokenSource: undefined,
    withToken: (token: string | undefined) => {
      const event = loadFixture('authorizer-request-v1.json')
      delete event.headers.Authorization
      delete event.multiValueHeaders.Authorization
      if (token !== undefined) {
        event.headers.Authorization = `Bearer ${token}`
        event.multiValueHeaders.Authorization = [`Bearer ${token}`]
      }
      return event
    },
  },
  'authorizer-request-http-v1-format.json': {
    arn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request',
    stage: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*/*',
    http: true,
    tokenSource: undefined,
    withToken: (token: string | undefined) => {
      const event = loadFixture('authorizer-request-http-v1-format.json')
      if (token !== undefined) {
        event.headers.authorization = `Bearer ${token}`
        event.identitySource = event.authorizationToken = `Bearer ${token}`
      }
      return event
    },
  },
  'authorizer-request-v2.json': {
    arn: 'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/POST/lambda',
    stage: 'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/*/*',
    http: true,
    tokenSource: undefined,
    withToken: (token: string | undefined) => {
      const event = loadFixture('authorizer-request-v2.json')
      delete event.headers.authorization
      event.identitySource = []
      if (token !== undefined) {
        event.headers.authorization = `Bearer ${token}`
        event.identitySource = [`Bearer ${token}`]
      }
      return event
    },
  },
  'authorizer-request-websocket-connect.json': {
    arn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/default/$connect',
    stage: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/default/$connect',
    http: false,
    tokenSource: { query: 'token' },
    withToken: (token: string | undefined) => {
      const event = loadFixture('authorizer-request-websocket-connect.json')
      if (token !== undefined) {
        event.queryStringParameters.token = token
        event.multiValueQueryStringParameters.token = [token]
      }
      return event
    },
  },
} as const

type FixtureName = keyof typeof inputs
const names = Object.keys(inputs) as FixtureName[]

/** The shapes of the fixture responses from the AWS docs. */
const iamShape = loadFixture('authorizer-response-iam-policy.json')
const denyShape = loadFixture('authorizer-response-deny.json')
const simpleShape = loadFixture('authorizer-response-simple.json')

/** The cases of one fixture, for a format: `simple` only applies to HTTP API payload 2.0. */
const formats = (name: FixtureName): Array<AuthorizerResponseOptions['format']> =>
  name === 'authorizer-request-v2.json' ? ['simple', 'iam-policy'] : [undefined, 'iam-policy', 'simple']

const cases = names.flatMap((name) => formats(name).map((format) => [name, format ?? 'default'] as const))

const build = (name: FixtureName, format: string, verifier = 'up' as 'up' | 'down') => {
  const input = inputs[name]
  const tokenSource = input.tokenSource ? { tokenSource: input.tokenSource } : {}
  const verifyWith =
    verifier === 'up'
      ? verify(tokenSource)
      : jwtVerify({ issuers: [{ issuer: down.issuer, audience, jwksUri: down.jwksUri }], jwks: { timeoutMs: 200 }, ...tokenSource })
  return authorizer({ ...(format === 'default' ? {} : { format: format as 'simple' | 'iam-policy' }) }, [verifyWith, oauthScope({ required: ['orders/read'] })])
}

const isSimple = (name: FixtureName, format: string) => name === 'authorizer-request-v2.json' && format === 'simple'

/** The keys of an object and of its nested objects, to compare shapes with the docs' samples. */
const shape = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, shape((value as Record<string, unknown>)[key])]),
      )
    : Array.isArray(value)
      ? 'array'
      : typeof value

describe.each(cases)('%s (format %s)', (name, format) => {
  const input = inputs[name]

  test('Allow: the whole stage, with the context of the identity', async () => {
    const outcome = await build(name, format).invoke(input.withToken(await sign({ scope: 'orders/read profile' })))
    if (isSimple(name, format)) {
      expect(outcome).toMatchObject({ kind: 'response', response: { isAuthorized: true } })
      expect(Object.keys((outcome as { response: object }).response).sort()).toEqual(Object.keys(simpleShape).sort())
    } else {
      const policy = policyOf(outcome)
      expect(policy.principalId).toBe('alice')
      expect(policy.policyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [input.stage] }],
      })
      // The docs' sample, but for Resource given as a list and no usageIdentifierKey.
      const { usageIdentifierKey: _, ...sample } = iamShape
      expect(
        shape({
          ...policy,
          policyDocument: { ...policy.policyDocument, Statement: policy.policyDocument.Statement.map((s) => ({ ...s, Resource: s.Resource[0] })) },
        }),
      ).toMatchObject({
        ...(shape(sample) as object),
        context: expect.any(Object),
      })
    }
    const context = contextOf(outcome)
    expect(context).toMatchObject({ source: 'jwt', iss: issuer.iss.issuer, scopes: '["orders/read","profile"]', roles: '[]', sub: 'alice' })
    expect(typeof context.exp).toBe('number')
    if (input.http) expect(context.principalId).toBe('alice')
    else expect(context.principalId).toBeUndefined()
    for (const value of Object.values(context)) expect(['string', 'number', 'boolean']).toContain(typeof value)
  })

  test('401: no token, or a bad one', async () => {
    const api = build(name, format)
    const expected: Outcome = isSimple(name, format) ? { kind: 'response', response: { isAuthorized: false } } : { kind: 'error', message: 'Unauthorized' }
    expect(await api.invoke(input.withToken(undefined))).toEqual(expected)
    expect(await api.invoke(input.withToken(`${await sign({ scope: 'orders/read' })}x`))).toEqual(expected)
    expect(api.logs).toEqual([])
  })

  test('403: the scopes do not do, an explicit Deny of the stage', async () => {
    const api = build(name, format)
    const outcome = await api.invoke(input.withToken(await sign({ scope: 'profile' })))
    if (isSimple(name, format)) {
      expect(outcome).toEqual({ kind: 'response', response: { isAuthorized: false } })
    } else {
      const policy = policyOf(outcome)
      expect(policy).toEqual({
        principalId: 'alice',
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [input.stage] }] },
      })
      expect(Object.keys(policy).sort()).toEqual(Object.keys(denyShape).sort())
    }
    expect(api.logs).toEqual([])
  })

  test('keys cannot be fetched: an error the gateway answers with 500, logged', async () => {
    const api = build(name, format, 'down')
    const token = await down.sign({ sub: 'alice', scope: 'orders/read' }, { audience })
    expect(await api.invoke(input.withToken(token))).toEqual({ kind: 'error', message: 'Authorization is temporarily unavailable' })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', package: '@middy-auth/authorizer', reason: 'keys_unavailable' })])
    expect(JSON.stringify(api.logs)).not.toContain(token)
  })
})
