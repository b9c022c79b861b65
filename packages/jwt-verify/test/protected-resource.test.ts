import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import { createTestIssuer, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { protectedResourceMetadata, resourceMetadataUrl } from '../src/index.js'
import { bearer, outcome, protect } from './support.js'
import { afterHole } from '../../../test/support/holes.js'

/** RFC 9728: the metadata document, and the `resource_metadata` attribute of every Bearer challenge. */

const resource = 'https://api.example.com/mcp'
const metadataUrl = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'

const metadataHandler = (options: Parameters<typeof protectedResourceMetadata>[0]) => {
  // As users deploy it: a middy handler of its own route, with no jwtVerify in front.
  const handler = middy().handler(protectedResourceMetadata(options))
  return async (event: unknown) =>
    (await handler(event as never, lambdaContext() as never)) as { statusCode: number; headers: Record<string, string>; body: string }
}

const wellKnownGet = () => {
  const event = loadFixture('http-v2-no-auth.json')
  event.rawPath = '/.well-known/oauth-protected-resource/mcp'
  event.requestContext.http.method = 'GET'
  return event
}

describe('protectedResourceMetadata', () => {
  const answer = metadataHandler({
    resource,
    authorizationServers: ['https://auth.example.com'],
    scopesSupported: ['tools:read', 'tools:call'],
    bearerMethodsSupported: ['header'],
    resourceName: 'Example MCP server',
  })

  test('GET answers the JSON document, cacheable', async () => {
    const response = await answer(wellKnownGet())
    expect(response.statusCode).toBe(200)
    expect(response.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=3600' })
    expect(JSON.parse(response.body)).toEqual({
      resource,
      authorization_servers: ['https://auth.example.com'],
      scopes_supported: ['tools:read', 'tools:call'],
      bearer_methods_supported: ['header'],
      resource_name: 'Example MCP server',
    })
  })

  test('HEAD has the headers and no body; other methods are 405', async () => {
    const head = wellKnownGet()
    head.requestContext.http.method = 'HEAD'
    expect(await answer(head)).toMatchObject({ statusCode: 200, body: '' })
    const post = wellKnownGet()
    post.requestContext.http.method = 'POST'
    expect(await answer(post)).toEqual({ statusCode: 405, headers: { Allow: 'GET, HEAD' }, body: '' })
  })

  test('REST, ALB and function URL events', async () => {
    for (const name of ['rest-v1-no-auth.json', 'alb.json', 'function-url-no-auth.json']) {
      const event = loadFixture(name)
      if (event.httpMethod !== undefined) event.httpMethod = 'GET'
      else event.requestContext.http.method = 'GET'
      expect((await answer(event)).statusCode).toBe(200)
    }
  })

  test('the optional fields, and maxAge', async () => {
    const response = await metadataHandler({
      resource: 'http://127.0.0.1:8080/mcp',
      authorizationServers: ['http://localhost:9000'],
      resourceDocumentation: 'https://docs.example.com/mcp',
      dpopSigningAlgValuesSupported: ['ES256'],
      dpopBoundAccessTokensRequired: true,
      tlsClientCertificateBoundAccessTokens: false,
      maxAge: 0,
    })(wellKnownGet())
    expect(response.headers['Cache-Control']).toBe('public, max-age=0')
    expect(JSON.parse(response.body)).toEqual({
      resource: 'http://127.0.0.1:8080/mcp',
      authorization_servers: ['http://localhost:9000'],
      resource_documentation: 'https://docs.example.com/mcp',
      dpop_signing_alg_values_supported: ['ES256'],
      dpop_bound_access_tokens_required: true,
      tls_client_certificate_bound_access_tokens: false,
    })
  })

  test.each([
    ['no resource', { authorizationServers: ['https://auth.example.com'] }, 'resource'],
    ['an http resource off loopback', { resource: 'http://api.example.com/mcp', authorizationServers: ['https://a.example.com'] }, 'resource'],
    ['a resource with a fragment', { resource: 'https://api.example.com/mcp#x', authorizationServers: ['https://a.example.com'] }, 'resource'],
    ['no authorization server', { resource, authorizationServers: [] }, 'authorizationServers'],
    ['a relative authorization server', { resource, authorizationServers: ['auth'] }, 'authorizationServers[0]'],
    ['a scope with a space', { resource, authorizationServers: ['https://a.example.com'], scopesSupported: ['a b'] }, 'scopesSupported'],
    ['an unknown bearer method', { resource, authorizationServers: ['https://a.example.com'], bearerMethodsSupported: ['cookie'] }, 'bearerMethodsSupported'],
    ['a negative maxAge', { resource, authorizationServers: ['https://a.example.com'], maxAge: -1 }, 'maxAge'],
    // Holes (`[, x]`): some() alone skips them, and the document would list null.
    ['a hole in authorizationServers', { resource, authorizationServers: afterHole('https://a.example.com') }, 'authorizationServers'],
    ['a hole in scopesSupported', { resource, authorizationServers: ['https://a.example.com'], scopesSupported: afterHole('a') }, 'scopesSupported'],
    [
      'a hole in bearerMethodsSupported',
      { resource, authorizationServers: ['https://a.example.com'], bearerMethodsSupported: afterHole('header') },
      'bearerMethodsSupported',
    ],
    ['a misspelt option', { resource, authorizationServers: ['https://a.example.com'], scopes_supported: ['a'] }, 'scopes_supported'],
  ])('%s is a TypeError at cold start', (_name, options, names) => {
    expect(() => protectedResourceMetadata(options as never)).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringMatching(new RegExp(`^protectedResourceMetadata: ${names.replace(/[[\]]/g, '\\$&')} `)),
        cause: { package: '@middy-auth/jwt-verify', option: names },
      }),
    )
  })

  test('resourceMetadataUrl inserts the well-known path before the resource path (RFC 9728 §3.1)', () => {
    expect(resourceMetadataUrl(resource)).toBe(metadataUrl)
    expect(resourceMetadataUrl('https://api.example.com')).toBe('https://api.example.com/.well-known/oauth-protected-resource')
    expect(() => resourceMetadataUrl('mcp')).toThrow(TypeError)
  })
})

describe('jwtVerify resourceMetadata, with the resource URL as the audience (RFC 8707)', () => {
  let iss: TestIssuer
  let api: ReturnType<typeof protect>
  beforeAll(async () => {
    iss = await createTestIssuer()
    api = protect({ issuers: [{ issuer: iss.issuer, audience: resource, jwksUri: iss.jwksUri }], resourceMetadata: metadataUrl })
  })
  afterAll(() => iss.close())

  const challengeOf = (response: { headers: Record<string, string> }) => response.headers['WWW-Authenticate']

  test('no token: 401 whose bare challenge points to the metadata', async () => {
    const response = await api.invoke(loadFixture('http-v2-no-auth.json'))
    expect(outcome(response)).toEqual([401, 'missing_token'])
    expect(challengeOf(response)).toBe(`Bearer realm="api", resource_metadata="${metadataUrl}"`)
  })

  test('a token for this resource is accepted; one for another resource is invalid_token with the attribute', async () => {
    expect((await api.invoke(bearer(await iss.sign({ sub: 'agent' }, { audience: resource })))).statusCode).toBe(200)
    const other = await api.invoke(bearer(await iss.sign({ sub: 'agent' }, { audience: 'https://other.example.com/mcp' })))
    expect(outcome(other)).toEqual([401, 'invalid_token'])
    expect(challengeOf(other)).toBe(
      `Bearer realm="api", resource_metadata="${metadataUrl}", error="invalid_token", error_description="The access token is invalid"`,
    )
  })

  test('a malformed request: 400 with the attribute', async () => {
    const response = await api.invoke({ ...bearer('x'), headers: { authorization: 'Bearer ' } })
    expect(outcome(response)).toEqual([400, 'invalid_request'])
    expect(challengeOf(response)).toContain(`resource_metadata="${metadataUrl}"`)
  })

  test('without the option, challenges are unchanged', async () => {
    const plain = protect({ issuers: [{ issuer: iss.issuer, audience: resource, jwksUri: iss.jwksUri }] })
    expect(challengeOf(await plain.invoke(loadFixture('http-v2-no-auth.json')))).toBe('Bearer realm="api"')
  })

  test.each(['https://api.example.com/"x', 'https://api.example.com/\\x', '/relative', 'https://api.example.com/x#y'])(
    '%s is a TypeError at cold start',
    (value) => {
      expect(() => protect({ issuers: [{ issuer: iss.issuer, audience: resource, jwksUri: iss.jwksUri }], resourceMetadata: value })).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          message: expect.stringMatching(/^jwtVerify: resourceMetadata must be/),
          cause: { package: '@middy-auth/jwt-verify', option: 'resourceMetadata' },
        }),
      )
    },
  )
})
