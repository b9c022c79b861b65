import { describe, expect, test } from '@jest/globals'
import { functionUrlEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { challenge, outcome, protect, visible } from './support.js'

/** oauthScope alone: the identity is the one API Gateway verified, read from the real captures. */

const orderScopes = ['https://api.example.com/orders.read', 'https://api.example.com/orders.write']

describe('HTTP API JWT authorizer', () => {
  test('the gateway scopes (http-v2-jwt-mtls-scopes.json)', async () => {
    const api = protect({ required: ['scope1', 'scope2'] })
    expect((await api.invoke(loadFixture('http-v2-jwt-mtls-scopes.json'))).statusCode).toBe(200)
    expect(api.seen[0]).toMatchObject({ source: 'apigateway', scopes: ['scope1', 'scope2'] })

    const response = await protect({ required: ['scope1', 'scope3'] }).invoke(loadFixture('http-v2-jwt-mtls-scopes.json'))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(challenge(response)).toBe('Bearer realm="api", error="insufficient_scope", scope="scope1 scope3"')
  })

  test('a Cognito access token (http-v2-jwt-access-token-groups.json): URL scopes', async () => {
    const api = protect({ required: [orderScopes[0]!] })
    expect((await api.invoke(loadFixture('http-v2-jwt-access-token-groups.json'))).statusCode).toBe(200)
    expect(api.seen[0]!.scopes).toEqual(orderScopes)
    expect(outcome(await protect({ required: ['https://api.example.com/orders.delete'] }).invoke(loadFixture('http-v2-jwt-access-token-groups.json')))).toEqual(
      [403, 'insufficient_scope'],
    )
  })

  test('scopes: null (an id token, http-v2-jwt.json) holds no scope', async () => {
    const event = loadFixture('http-v2-jwt.json')
    expect(event.requestContext.authorizer.jwt.scopes).toBeNull()
    const response = await protect({ anyOf: ['openid', 'profile'] }).invoke(event)
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(challenge(response)).toBe('Bearer realm="api", error="insufficient_scope", scope="openid profile"')
    const secrets = Object.values(event.requestContext.authorizer.jwt.claims as Record<string, string>).filter((v) => v.length > 4)
    for (const secret of secrets) expect(visible(response)).not.toContain(secret)
  })

  test('scopes: null with a scope claim: the claim tells what the token holds', async () => {
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice', scope: 'orders:read orders:write' }, scopes: null } } })
    expect((await protect({ required: ['orders:write'] }).invoke(event)).statusCode).toBe(200)
  })

  test('the string forms of claims the gateway renders: scp as "[a b]"', async () => {
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice', scp: ['orders:read', 'orders:write'] } } } })
    expect(event.requestContext.authorizer).toEqual({ jwt: { claims: { sub: 'alice', scp: '[orders:read orders:write]' }, scopes: null } })
    expect((await protect({ required: ['orders:read', 'orders:write'] }).invoke(event)).statusCode).toBe(200)
    expect((await protect({ scopeClaims: ['scp'], required: ['orders:write'] }).invoke(event)).statusCode).toBe(200)
  })
})

describe('REST Cognito authorizer', () => {
  test('a space-separated scope string (rest-v1-cognito-access-token.json)', async () => {
    const event = loadFixture('rest-v1-cognito-access-token.json')
    expect(typeof event.requestContext.authorizer.claims.scope).toBe('string')
    const api = protect({ required: orderScopes })
    expect((await api.invoke(event)).statusCode).toBe(200)
    expect(api.seen[0]!.scopes).toEqual(orderScopes)
    expect(outcome(await protect({ required: ['orders.read'] }).invoke(loadFixture('rest-v1-cognito-access-token.json')))).toEqual([403, 'insufficient_scope'])
  })

  test('an id token without scopes (rest-v1-cognito.json)', async () => {
    expect(outcome(await protect({ required: ['openid'] }).invoke(loadFixture('rest-v1-cognito.json')))).toEqual([403, 'insufficient_scope'])
  })

  test('restEvent with Cognito claims', async () => {
    const event = restEvent({ authorizer: { claims: { sub: 'alice', scope: 'orders:read' } } })
    expect((await protect({ required: ['orders:read'] }).invoke(event)).statusCode).toBe(200)
  })
})

describe('Lambda authorizer context', () => {
  test('REST: a stringified scope (rest-v1-lambda-authorizer-context.json)', async () => {
    const api = protect({ required: ['orders:read', 'orders:write'] })
    expect((await api.invoke(loadFixture('rest-v1-lambda-authorizer-context.json'))).statusCode).toBe(200)
    expect(api.seen[0]).toMatchObject({ source: 'lambda-authorizer', subject: 'user|a1b2c3' })
    expect(outcome(await protect({ required: ['orders:delete'] }).invoke(loadFixture('rest-v1-lambda-authorizer-context.json')))).toEqual([
      403,
      'insufficient_scope',
    ])
  })

  test('REST: space-delimited and bracketed lists in the context', async () => {
    for (const scopes of ['[orders:read orders:write]', '["orders:read","orders:write"]', 'orders:read orders:write']) {
      const event = restEvent({ authorizer: { principalId: 'user|alice', scopes } })
      expect((await protect({ required: ['orders:write'] }).invoke(event)).statusCode).toBe(200)
    }
  })

  test('REST: a comma never separates scopes (one rule with the authorizer: a scope-token may hold a comma)', async () => {
    const event = restEvent({ authorizer: { principalId: 'user|alice', scopes: 'orders:read,orders:write' } })
    expect(outcome(await protect({ required: ['orders:write'] }).invoke(event))).toEqual([403, 'insufficient_scope'])
    const api = protect({ required: ['orders:read,orders:write'] })
    expect((await api.invoke(event)).statusCode).toBe(200)
    expect(api.seen[0]!.scopes).toEqual(['orders:read,orders:write'])
  })

  test('HTTP API: a context without scopes (http-v2-lambda-authorizer-context.json)', async () => {
    const response = await protect({ required: ['orders:read'] }).invoke(loadFixture('http-v2-lambda-authorizer-context.json'))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
  })

  test('HTTP API: a context claim read with scopeClaims', async () => {
    const api = protect({ scopeClaims: 'arrayKey', required: ['value2'] })
    expect((await api.invoke(loadFixture('http-v2-lambda-authorizer-context.json'))).statusCode).toBe(200)
  })

  test('HTTP API: a null context is an identity without scopes (http-v2-lambda-authorizer-null-context.json)', async () => {
    expect(outcome(await protect({ required: ['orders:read'] }).invoke(loadFixture('http-v2-lambda-authorizer-null-context.json')))).toEqual([
      403,
      'insufficient_scope',
    ])
  })

  test('HTTP API: scopes in the context, JSON types kept', async () => {
    const event = httpApiEvent({ authorizer: { lambda: { sub: 'alice', scopes: ['orders:read'] } } })
    expect((await protect({ required: ['orders:read'] }).invoke(event)).statusCode).toBe(200)
  })
})

describe('no identity at all: 401 missing_token with a bare challenge, the handler not called', () => {
  test.each(['http-v2-no-auth.json', 'rest-v1-no-auth.json', 'function-url-no-auth.json', 'rest-v1-console-test-invoke.json', 'http-v2-iam.json', 'alb.json'])(
    '%s',
    async (fixture) => {
      const api = protect({ required: ['orders:read'], realm: 'orders' })
      const response = await api.invoke(loadFixture(fixture))
      expect(outcome(response)).toEqual([401, 'missing_token'])
      expect(challenge(response)).toBe('Bearer realm="orders"')
      expect(api.seen).toEqual([])
    },
  )

  test('function URL and HTTP API events with a bearer token but no verifier before oauthScope', async () => {
    for (const event of [functionUrlEvent({ bearer: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' }), httpApiEvent({ bearer: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' })]) {
      const response = await protect({ required: ['orders:read'] }).invoke(event)
      expect(outcome(response)).toEqual([401, 'missing_token'])
      expect(visible(response)).not.toContain('eyJ')
    }
  })
})

describe('a gateway scope claim read with scopeClaims', () => {
  test('is space-delimited: a scope holding a comma stays one scope; a bracketed list is a list', async () => {
    const event = restEvent({ authorizer: { claims: { sub: 'u1', iss: 'https://issuer.example.com', scope: 'read,admin write' } } } as never)
    expect(outcome(await protect({ required: ['admin'], scopeClaims: 'scope' }).invoke(event))).toEqual([403, 'insufficient_scope'])
    expect((await protect({ required: ['read,admin', 'write'], scopeClaims: 'scope' }).invoke(event)).statusCode).toBe(200)
    const bracketed = restEvent({ authorizer: { claims: { sub: 'u1', iss: 'https://issuer.example.com', 'custom:scopes': '[a b]' } } } as never)
    expect((await protect({ required: ['a', 'b'], scopeClaims: 'custom:scopes' }).invoke(bracketed)).statusCode).toBe(200)
  })
})
