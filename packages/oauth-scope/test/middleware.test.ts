import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { setAuth, type AuthContext, type AuthError } from '@middy-auth/core'
import jwtVerify from '@middy-auth/jwt-verify'
import { createTestIssuer, functionUrlEvent, httpApiEvent, lambdaContext, restEvent, type TestIssuer } from '@middy-auth/testing'
import oauthScope, { type OAuthScopeDenialReason, type OAuthScopeOptions } from '../src/index.js'
import { challenge, outcome, protect, visible, type Response, withIdentity } from './support.js'

let iss: TestIssuer
const audience = 'orders-api'

beforeAll(async () => {
  iss = await createTestIssuer()
})
afterAll(() => iss.close())

/** oauthScope after jwtVerify, over tokens of the loopback issuer. */
const afterJwtVerify = (options: OAuthScopeOptions) => protect(options, [jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })])
const token = (claims: Record<string, unknown>) => iss.sign({ sub: 'alice', ...claims }, { audience })
const bearer = async (claims: Record<string, unknown>) => httpApiEvent({ bearer: await token(claims) })

/** A handler whose identity an earlier middleware wrote, as iam-context or a custom one would. */
const behindIdentity = (options: OAuthScopeOptions, auth: Partial<AuthContext>) => protect(options, [withIdentity(auth)])
const scopesOutcome = async (options: OAuthScopeOptions, scopes: string[]) => outcome(await behindIdentity(options, { scopes }).invoke(httpApiEvent()))

describe('after jwtVerify', () => {
  test('scope (space-delimited): all of required', async () => {
    const api = afterJwtVerify({ required: ['orders:read', 'orders:write'] })
    const response = await api.invoke(await bearer({ scope: 'orders:write profile orders:read' }))
    expect(response.statusCode).toBe(200)
    expect(api.seen[0]).toMatchObject({ source: 'jwt', subject: 'alice' })
    expect(outcome(await api.invoke(await bearer({ scope: 'orders:read profile' })))).toEqual([403, 'insufficient_scope'])
  })

  test('scp as an array (Okta) and as a string (Entra ID)', async () => {
    const api = afterJwtVerify({ anyOf: ['orders:read', 'orders:admin'] })
    expect((await api.invoke(await bearer({ scp: ['profile', 'orders:admin'] }))).statusCode).toBe(200)
    expect((await api.invoke(await bearer({ scp: 'profile orders:read' }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(await bearer({ scp: ['profile'] })))).toEqual([403, 'insufficient_scope'])
  })

  test('a token without scopes', async () => {
    expect(outcome(await afterJwtVerify({ required: ['orders:read'] }).invoke(await bearer({})))).toEqual([403, 'insufficient_scope'])
  })

  test('whitespace separates, commas do not (RFC 6749 §3.3)', async () => {
    const api = afterJwtVerify({ required: ['orders:read'] })
    expect((await api.invoke(await bearer({ scope: '  orders:write\torders:read\n' }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(await bearer({ scope: 'orders:read,orders:write' })))).toEqual([403, 'insufficient_scope'])
    const comma = afterJwtVerify({ required: ['orders:read,orders:write'] })
    expect((await comma.invoke(await bearer({ scope: 'orders:read,orders:write' }))).statusCode).toBe(200)
  })

  test('scopes compare exactly: case and prefixes matter', async () => {
    const api = afterJwtVerify({ required: ['orders:read'] })
    for (const scope of ['Orders:Read', 'orders', 'orders:read:all', 'orders:rea', 'orders:read ']) {
      const expected = scope === 'orders:read ' ? 200 : 403
      expect((await api.invoke(await bearer({ scope }))).statusCode).toBe(expected)
    }
  })

  test('jwtVerify refuses first: an invalid token never reaches the scope check', async () => {
    const api = afterJwtVerify({ required: ['orders:read'] })
    expect(outcome(await api.invoke(httpApiEvent({ bearer: `${await token({ scope: 'orders:read' })}x` })))).toEqual([401, 'invalid_token'])
    expect(outcome(await api.invoke(httpApiEvent()))).toEqual([401, 'missing_token'])
  })

  test('on REST and function URL events', async () => {
    const api = afterJwtVerify({ required: ['orders:read'] })
    const good = await token({ scope: 'orders:read' })
    const bad = await token({ scope: 'orders:write' })
    for (const build of [restEvent, functionUrlEvent]) {
      expect((await api.invoke(build({ bearer: good }))).statusCode).toBe(200)
      expect(outcome(await api.invoke(build({ bearer: bad })))).toEqual([403, 'insufficient_scope'])
    }
  })

  test('scopeClaims reads other claims of the token, instead of scope', async () => {
    const api = afterJwtVerify({ scopeClaims: ['permissions', 'ext.scopes'], required: ['orders:read', 'orders:write'] })
    const event = await bearer({ scope: 'orders:read orders:write', permissions: ['orders:read'], ext: { scopes: 'orders:write' } })
    expect((await api.invoke(event)).statusCode).toBe(200)
    expect(outcome(await api.invoke(await bearer({ scope: 'orders:read orders:write', permissions: ['orders:read'] })))).toEqual([403, 'insufficient_scope'])
  })

  test('a claim with dots in its name (Auth0 namespaces) is read by its name', async () => {
    const api = afterJwtVerify({ scopeClaims: 'https://example.com/scopes', required: ['orders:read'] })
    expect((await api.invoke(await bearer({ 'https://example.com/scopes': ['orders:read'] }))).statusCode).toBe(200)
  })

  test('a verified token is not a gateway string: "[a b]" is not unpacked', async () => {
    const api = afterJwtVerify({ scopeClaims: 'scope', required: ['orders:read'] })
    expect(outcome(await api.invoke(await bearer({ scope: '[orders:read]' })))).toEqual([403, 'insufficient_scope'])
  })
})

describe('required and anyOf', () => {
  test('required: every one', async () => {
    const options = { required: ['a', 'b'] }
    expect(await scopesOutcome(options, ['b', 'a'])).toEqual([200, 'ok'])
    expect(await scopesOutcome(options, ['a', 'a'])).toEqual([403, 'insufficient_scope'])
    expect(await scopesOutcome(options, [])).toEqual([403, 'insufficient_scope'])
  })

  test('a scope held twice counts once', async () => {
    expect(await scopesOutcome({ required: ['a', 'b', 'c'] }, ['a', 'a', 'b', 'b'])).toEqual([403, 'insufficient_scope'])
    expect(await scopesOutcome({ required: ['a', 'b'] }, ['a', 'a', 'b'])).toEqual([200, 'ok'])
  })

  test('anyOf: at least one', async () => {
    const options = { anyOf: ['a', 'b'] }
    expect(await scopesOutcome(options, ['x', 'b'])).toEqual([200, 'ok'])
    expect(await scopesOutcome(options, ['x'])).toEqual([403, 'insufficient_scope'])
  })

  test('both: every required one and one of anyOf', async () => {
    const options = { required: ['orders'], anyOf: ['orders:read', 'orders:admin'] }
    expect(await scopesOutcome(options, ['orders', 'orders:admin'])).toEqual([200, 'ok'])
    expect(await scopesOutcome(options, ['orders'])).toEqual([403, 'insufficient_scope'])
    expect(await scopesOutcome(options, ['orders:read'])).toEqual([403, 'insufficient_scope'])
  })

  test('non-string scopes from a careless middleware never match', async () => {
    const api = behindIdentity({ required: ['1'] }, { scopes: [1, null, {}] as unknown as string[] })
    expect(outcome(await api.invoke(httpApiEvent()))).toEqual([403, 'insufficient_scope'])
    const broken = behindIdentity({ required: ['a'] }, { scopes: 'a' as unknown as string[] })
    expect(outcome(await broken.invoke(httpApiEvent()))).toEqual([403, 'insufficient_scope'])
  })

  test('an identity that an earlier middleware wrote wins over the gateway', async () => {
    const api = behindIdentity({ required: ['mine'] }, { scopes: ['mine'] })
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'bob' }, scopes: ['theirs'] } } })
    expect((await api.invoke(event)).statusCode).toBe(200)
    expect(api.seen[0]!.subject).toBe('alice')
  })
})

describe('the denial', () => {
  const deny = async (options: OAuthScopeOptions, scopes: string[]): Promise<Response> => {
    const api = behindIdentity(options, { scopes, claims: { email: 'alice@example.com' }, subject: 'alice-subject' })
    const response = await api.invoke(httpApiEvent())
    expect(api.seen).toEqual([])
    expect(visible(response)).not.toContain('alice')
    for (const scope of scopes) expect(visible(response)).not.toContain(scope)
    return response
  }

  test('403 insufficient_scope: body and the exact challenge', async () => {
    const response = await deny({ required: ['orders:read', 'orders:write'] }, ['held:one'])
    expect(response.statusCode).toBe(403)
    expect(JSON.parse(response.body)).toEqual({ error: 'insufficient_scope', error_description: 'The access token lacks the required scope' })
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="orders:read orders:write"')
  })

  test('the scope attribute lists every scope that would satisfy: required first, then the anyOf alternatives, once each', async () => {
    const response = await deny({ required: ['orders', 'tenant'], anyOf: ['orders:read', 'orders', 'orders:admin'], realm: 'shop' }, ['held:one'])
    expect(challenge(response)).toBe('Bearer realm="shop", error="insufficient_scope", scope="orders tenant orders:read orders:admin"')
  })

  test('URL scopes are sent as they are', async () => {
    const response = await deny({ anyOf: ['https://api.example.com/orders.read'] }, [])
    expect(challenge(response)).toBe('Bearer realm="api", error="insufficient_scope", scope="https://api.example.com/orders.read"')
  })

  test('cause: the package and, for logs, the missing scopes only', async () => {
    let error: any
    const handler = middy()
      .use({ before: (request: any) => setAuth(request, { source: 'jwt', subject: 'alice', scopes: ['orders', 'secret:scope'], roles: [], claims: {} }) })
      .use(oauthScope({ required: ['orders', 'tenant'], anyOf: ['orders:read'] }))
      .use({
        onError: (request) => {
          error = request.error
        },
      })
      .use(httpErrorHandler({ logger: false }))
      .handler(async () => ({ statusCode: 200 }))
    await handler(httpApiEvent() as never, lambdaContext() as never)
    expect(error.cause).toEqual({ package: '@middy-auth/oauth-scope', data: { reason: 'insufficient_scope', missing: ['tenant'], anyOf: ['orders:read'] } })
    expect(error.code).toBe('insufficient_scope')
    expect(error.reason).toBe('insufficient_scope')
  })

  test('the reason of each denial is a typed field of the AuthError', async () => {
    const reasons: Array<OAuthScopeDenialReason | undefined> = []
    const handlerFor = (auth: AuthContext | undefined) =>
      middy()
        .use({
          before: (request: any) => {
            if (auth) setAuth(request, auth)
          },
        })
        .use(oauthScope({ routes: { 'GET /orders': ['orders:read'] } }))
        .use({
          onError: (request) => {
            reasons.push((request.error as AuthError<OAuthScopeDenialReason>).reason)
          },
        })
        .use(httpErrorHandler({ logger: false }))
        .handler(async () => ({ statusCode: 200 }))
    const alice: AuthContext = { source: 'jwt', subject: 'alice', scopes: ['orders:write'], roles: [], claims: {} }
    await handlerFor(undefined)(httpApiEvent({ routeKey: 'GET /orders', path: '/orders' }) as never, lambdaContext() as never)
    await handlerFor(alice)(httpApiEvent({ routeKey: 'GET /orders', path: '/orders' }) as never, lambdaContext() as never)
    await handlerFor(alice)(httpApiEvent({ routeKey: 'GET /other', path: '/other' }) as never, lambdaContext() as never)
    expect(reasons).toEqual(['no_identity', 'insufficient_scope', 'route_not_listed'])
  })
})

describe('the middleware object', () => {
  test('one before hook, named for Middy’s profiling hooks', () => {
    const middleware = oauthScope({ required: ['a'] })
    expect(Object.keys(middleware)).toEqual(['before'])
    expect(middleware.before?.name).toBe('oauthScopeMiddlewareBefore')
  })
})

describe('context.auth for the handler', () => {
  test('built from the gateway when nothing ran before, and shared with request.internal', async () => {
    let internal: any
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(oauthScope({ required: ['orders:read'] }))
      .handler(async (_event: unknown, context: any) => ({ statusCode: 200, body: context.auth.subject }))
    handler.before((request) => {
      internal = request.internal
    })
    const event = httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice' }, scopes: ['orders:read'] } } })
    const response = (await handler(event as never, lambdaContext() as never)) as Response
    expect(response.body).toBe('alice')
    expect(internal.auth).toMatchObject({ source: 'apigateway', subject: 'alice', scopes: ['orders:read'] })
  })

  test('concurrent invocations do not share state', async () => {
    const handler = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(oauthScope({ required: ['orders:read'] }))
      .handler(async (_event: unknown, context: any) => ({ statusCode: 200, headers: {}, body: context.auth.subject }))
    const events = Array.from({ length: 20 }, (_, i) =>
      httpApiEvent({ authorizer: { jwt: { claims: { sub: `user-${i}` }, scopes: i % 2 === 0 ? ['orders:read'] : ['orders:write'] } } }),
    )
    const responses = (await Promise.all(events.map((event) => handler(event as never, lambdaContext() as never)))) as Response[]
    responses.forEach((response, i) => {
      if (i % 2 === 0) expect(response.body).toBe(`user-${i}`)
      else expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    })
  })
})
