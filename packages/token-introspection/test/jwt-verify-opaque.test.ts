import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import jwtVerify, { createJwtVerifier, type JwtVerifyOptions, type OpaqueTokenVerifier } from '@middy-auth/jwt-verify'
import authorizerResponse from '@middy-auth/authorizer'
import { createTestIssuer, httpAuthorizerEventV2, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import middy from '@middy/core'
import { createIntrospectionVerifier } from '../src/index.js'
import { protect as protectWith } from '../../../test/support/protect.js'
import { outcome, startStub, visible, type StubBehaviour } from './support.js'

/** jwtVerify's `opaqueTokens`: one function accepts JWTs and opaque tokens, each through its own path only. */

const AUDIENCE = 'https://api.example.com'
const PROVIDER = 'https://auth.example.com'
const OPAQUE = 'ISPWenKJyov5E-9qycB0J4gSoE3yKt-4dyU5-izrEWg'
const metadata = 'https://api.example.com/.well-known/oauth-protected-resource'

const activeAnswer = (extra: Record<string, unknown> = {}) => ({
  active: true,
  sub: 'agent-7',
  iss: PROVIDER,
  aud: AUDIENCE,
  scope: 'orders:read',
  exp: Math.floor(Date.now() / 1000) + 3600,
  ...extra,
})
const answering =
  (body: unknown, status = 200): StubBehaviour =>
  () => ({ body, status })

const bearer = (token: string) => ({ version: '2.0', headers: { authorization: `Bearer ${token}` }, requestContext: { http: { method: 'GET' } } })

const protect = (options: JwtVerifyOptions) => protectWith([jwtVerify(options)])
/** The introspection verifier of the provider's stub, as the API configures it. */
const introspection = () =>
  createIntrospectionVerifier({ endpoint: stub.endpoint, issuer: PROVIDER, clientId: 'orders-api', clientSecret: 's3cret', audience: AUDIENCE })

let iss: TestIssuer
let stub: Awaited<ReturnType<typeof startStub>>
let api: ReturnType<typeof protect>

beforeAll(async () => {
  iss = await createTestIssuer()
  stub = await startStub(answering(activeAnswer()))
  api = protect({
    issuers: [{ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri }],
    realm: 'orders',
    resourceMetadata: metadata,
    opaqueTokens: introspection(),
  })
})
afterAll(async () => {
  await stub.close()
  await iss.close()
})
beforeEach(() => {
  stub.requests.length = 0
  stub.set(answering(activeAnswer()))
  api.seen.length = 0
})

describe('jwtVerify with opaqueTokens: createIntrospectionVerifier', () => {
  test('an opaque token is introspected: context.auth from the answer', async () => {
    const response = await api.invoke(bearer(OPAQUE))
    expect(response.statusCode).toBe(200)
    expect(api.seen[0]).toMatchObject({ source: 'introspection', subject: 'agent-7', issuer: PROVIDER, scopes: ['orders:read'] })
    expect(stub.requests.map((request) => request.form.get('token'))).toEqual([OPAQUE])
  })

  test('an opaque token with a dot (ORY-style) is opaque too: introspected, never decoded as a JWT', async () => {
    const token = 'ory_at_abcDEF123.xyz789'
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
    expect(stub.requests.map((request) => request.form.get('token'))).toEqual([token])
  })

  test('a valid JWT is verified locally: the provider is never called', async () => {
    const response = await api.invoke(bearer(await iss.sign({ sub: 'alice', scope: 'orders:write' }, { audience: AUDIENCE })))
    expect(response.statusCode).toBe(200)
    expect(api.seen[0]).toMatchObject({ source: 'jwt', subject: 'alice' })
    expect(stub.requests).toEqual([])
  })

  test('a JWT that fails verification is refused, and never retried at the provider', async () => {
    for (const token of [await iss.sign({ sub: 'alice' }, { audience: 'https://other.example.com' }), 'a.b.c', `${OPAQUE}.x.y`]) {
      expect(outcome(await api.invoke(bearer(token)))).toEqual([401, 'invalid_token'])
    }
    expect(stub.requests).toEqual([])
    expect(api.seen).toEqual([])
  })

  test("an inactive opaque token: 401 with jwtVerify's own challenge (realm, resource_metadata)", async () => {
    stub.set(answering({ active: false }))
    const revoked = 'revoked-opaque-token-0123456789'
    const response = await api.invoke(bearer(revoked))
    expect(outcome(response)).toEqual([401, 'invalid_token'])
    expect(response.headers['WWW-Authenticate']).toBe(
      `Bearer realm="orders", resource_metadata="${metadata}", error="invalid_token", error_description="The access token is invalid"`,
    )
    expect(visible(response)).not.toContain(revoked)
    expect(stub.requests).toHaveLength(1)
    expect(api.seen).toEqual([])
  })

  test('an expired opaque token: 401 saying so', async () => {
    stub.set(answering(activeAnswer({ exp: Math.floor(Date.now() / 1000) - 60 })))
    const response = await api.invoke(bearer('expired-opaque-token-0123'))
    expect(outcome(response)).toEqual([401, 'invalid_token'])
    expect(response.headers['WWW-Authenticate']).toContain('error_description="The access token expired"')
  })

  test('an opaque token for another audience: 401', async () => {
    stub.set(answering(activeAnswer({ aud: 'https://other.example.com' })))
    expect(outcome(await api.invoke(bearer('another-opaque-token-aud')))).toEqual([401, 'invalid_token'])
  })

  test('the provider down: 503 with Retry-After, never an accept', async () => {
    stub.set(answering('oops', 500))
    const response = await api.invoke(bearer('opaque-token-provider-down'))
    expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
    expect(response.headers['Retry-After']).toBe('5')
    expect(api.seen).toEqual([])
  })

  test('without opaqueTokens, an opaque token is invalid_token and nothing is called', async () => {
    const jwtOnly = protect({ issuers: [{ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri }] })
    expect(outcome(await jwtOnly.invoke(bearer(OPAQUE)))).toEqual([401, 'invalid_token'])
    expect(stub.requests).toEqual([])
  })

  test('createJwtVerifier takes the option too (verifyToken outside Middy)', async () => {
    const verifier = createJwtVerifier({
      issuers: [{ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri }],
      opaqueTokens: createIntrospectionVerifier({
        endpoint: stub.endpoint,
        issuer: PROVIDER,
        clientId: 'orders-api',
        clientSecret: 's3cret',
        audience: AUDIENCE,
      }),
    })
    await expect(verifier.verifyToken(OPAQUE)).resolves.toMatchObject({ source: 'introspection', subject: 'agent-7' })
  })
})

describe('opaqueTokens: any verifier with the documented interface', () => {
  const withVerifier = (verifier: OpaqueTokenVerifier) =>
    protect({ issuers: [{ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri }], opaqueTokens: verifier })

  test('it only ever sees tokens that are not JWTs', async () => {
    const received: string[] = []
    const spy = withVerifier({ verifyToken: (token) => (received.push(token), { source: 'introspection', subject: 's', scopes: [], roles: [], claims: {} }) })
    expect((await spy.invoke(bearer(await iss.sign({ sub: 'alice' }, { audience: AUDIENCE })))).statusCode).toBe(200)
    expect((await spy.invoke(bearer('x.y.z'))).statusCode).toBe(401)
    expect((await spy.invoke(bearer(OPAQUE))).statusCode).toBe(200)
    expect(received).toEqual([OPAQUE])
  })

  test('a verifier that throws something else, or answers no identity, is a refusal (never a 500)', async () => {
    const throwing = withVerifier({
      verifyToken: () => {
        throw new Error('boom')
      },
    })
    expect(outcome(await throwing.invoke(bearer(OPAQUE)))).toEqual([401, 'invalid_token'])
    const rejecting = withVerifier({ verifyToken: async () => Promise.reject(new Error('boom')) })
    expect(outcome(await rejecting.invoke(bearer(OPAQUE)))).toEqual([401, 'invalid_token'])
    const empty = withVerifier({ verifyToken: () => undefined as never })
    expect(outcome(await empty.invoke(bearer(OPAQUE)))).toEqual([401, 'invalid_token'])
  })

  test('an opaque cookie credential behind a Lambda authorizer is a decision for this request only: refused by a caching gateway, as a JWT cookie is', async () => {
    // The cross-site check depends on the request's method and origin: a gateway that cached the
    // decision would reuse it for a cross-site request carrying the same cookie.
    const answer = async (gatewayCache: boolean) => {
      const handler = middy()
        .use(
          jwtVerify({
            issuers: [{ issuer: iss.issuer, audience: AUDIENCE, jwksUri: iss.jwksUri }],
            tokenSource: { cookie: 'session' },
            opaqueTokens: introspection(),
          }),
        )
        .use(authorizerResponse({ format: 'simple', gatewayCache, logger: () => undefined }))
        .handler(async () => ({}))
      return handler(httpAuthorizerEventV2({ cookies: { session: OPAQUE } }) as never, lambdaContext() as never)
    }
    expect(await answer(true)).toMatchObject({ isAuthorized: false })
    expect(await answer(false)).toMatchObject({ isAuthorized: true })
    expect(stub.requests.map((request) => request.form.get('token'))).toEqual([OPAQUE, OPAQUE])
  })

  test('prefetch runs at cold start', () => {
    let prefetched = 0
    withVerifier({
      verifyToken: () => {
        throw new Error('unused')
      },
      prefetch: () => {
        prefetched += 1
      },
    })
    expect(prefetched).toBe(1)
  })

  test.each([[{}], [{ verifyToken: 'no' }], [{ verifyToken: () => undefined, prefetch: 1 }], ['introspect']])(
    'opaqueTokens: %p is a TypeError at cold start',
    (value) => {
      expect(() => withVerifier(value as never)).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          message: expect.stringMatching(/^jwtVerify: opaqueTokens must be/),
          cause: { package: '@middy-auth/jwt-verify', option: 'opaqueTokens' },
        }),
      )
    },
  )

  test.each(['tokenSource', 'credentialsRequired', 'realm'])('createIntrospectionVerifier refuses %s (it belongs to jwtVerify)', (name) => {
    expect(() => createIntrospectionVerifier({ endpoint: stub.endpoint, clientId: 'c', clientSecret: 's', audience: AUDIENCE, [name]: 'x' } as never)).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringMatching(new RegExp(`^tokenIntrospection: ${name} belongs to the middleware`)),
        cause: { package: '@middy-auth/token-introspection', option: name },
      }),
    )
  })
})
