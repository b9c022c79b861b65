// Red team, lean entries: `@middy-auth/<pkg>/lean` and `@middy-auth/<pkg>/extensions` of
// jwt-verify, oauth-scope and rbac, attacked from outside. The invariants: a lean entry never
// accepts what the root refuses for the same options (it may refuse more, with the right 4xx);
// the root entries answer as they did before the restructuring (the expected answers below are
// those of commit 59d7d77's root entries, checked against it); every mistake around
// `extensions` is a TypeError at cold start that says what to fix; nothing leaks. Every request
// goes through a real middy handler (test/support/protect.ts) with a real event. Two holes were
// found and fixed (docs/security.md): an object claiming an extension's name without its code
// (a 500 on every request, or an option silently without effect), and a role factory of another
// copy of rbac passed uncalled (every caller refused, no TypeError).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import authorizerResponse from '@middy-auth/authorizer'
import { setAuth } from '@middy-auth/core'
import rootJwtVerify, { albIssuer, createJwtVerifier as rootCreateJwtVerifier, type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import * as jwtExtensions from '@middy-auth/jwt-verify/extensions'
import leanJwtVerify, { createJwtVerifier as leanCreateJwtVerifier } from '@middy-auth/jwt-verify/lean'
import rootOAuthScope from '@middy-auth/oauth-scope'
import * as scopeExtensions from '@middy-auth/oauth-scope/extensions'
import leanOAuthScope from '@middy-auth/oauth-scope/lean'
import rootRbac, { cognitoRoles, compilePolicy, type Policy } from '@middy-auth/rbac'
import * as rbacExtensions from '@middy-auth/rbac/extensions'
import leanRbac from '@middy-auth/rbac/lean'
import { createIntrospectionVerifier } from '@middy-auth/token-introspection'
import { authorizerRequestEvent, httpApiEvent, httpAuthorizerEventV2, lambdaContext } from '@middy-auth/testing'
import middy from '@middy/core'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { albEventWith, albSigner, albToken, ARN, CLIENT, NOW as ALB_NOW, REGION, SUBJECT } from '../../packages/jwt-verify/test/alb-support.js'
import { proofKey, signProof, withHeaders } from '../../packages/jwt-verify/test/dpop-support.js'
import { startStub } from '../../packages/token-introspection/test/support.js'
import { fixtureNames, loadFixture } from '../support/fixtures.js'
import { thrown } from '../support/thrown.js'
import { identity, outcome, protect, type Middleware } from '../support/protect.js'

const { senderConstraints, apiGatewayClaims, opaqueTokenHandoff, staticKeys, tokenSources } = jwtExtensions

// Tokens of a local key set (no network): issuer A and issuer B share the key, not their bindings.
const NOW = 1_760_000_000
const A = 'https://a.lean-red.example/'
const B = 'https://b.lean-red.example/'
const audience = 'orders-api'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'red-1', alg: 'ES256', use: 'sig' }
const token = (claims: Record<string, unknown> = {}): string => {
  const body = { iss: A, aud: audience, sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }
  const input = `${b64u('{"alg":"ES256","typ":"JWT","kid":"red-1"}')}.${b64u(JSON.stringify(body))}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
// The key set served on a loopback port, as a jwksUri: keys given in the configuration (`jwks`,
// a `keyResolver`) are the staticKeys extension's, and no extension is in these handlers but the
// one a test adds.
const jwksBody = JSON.stringify({ keys: [jwk] })
const jwksServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody))
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
afterAll(() => new Promise((resolve) => jwksServer.close(resolve)))
const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`
const entryOf = (issuer: string, extra: Record<string, unknown> = {}) => ({
  issuer,
  audience,
  jwksUri,
  algorithms: ['ES256' as const],
  ...extra,
})
const clock = () => NOW * 1000
const options = (extra: Record<string, unknown> = {}) => ({ issuers: [entryOf(A)], clock, ...extra }) as JwtVerifyOptions
const url = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
const bearer = (jwt: string) => httpApiEvent({ path: '/orders', headers: { authorization: `Bearer ${jwt}` } })
const dpopEvent = (jwt: string, proof: string) => withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${jwt}`, dpop: proof })
const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

type Factory = (options: JwtVerifyOptions) => Middleware
const rootJwt = rootJwtVerify as Factory
const leanJwt = leanJwtVerify as Factory

/** The requests through one fresh handler: each answer (status, code), the log reasons, the subjects the handler saw, the bodies. */
const run = async (middlewares: Middleware[], events: unknown[]) => {
  const api = protect(middlewares)
  const responses = []
  const bodies: string[] = []
  for (const event of events) {
    const response = await api.invoke(event)
    responses.push(outcome(response))
    bodies.push(response.body + JSON.stringify(response.headers))
  }
  return {
    responses,
    reasons: api.errors.map((error) => `${error.cause.package}:${String(error.cause.data?.reason)}`),
    seen: api.seen.map((auth) => auth?.subject ?? null),
    bodies,
  }
}

describe('jwt-verify: bound tokens never pass the lean entry where the root refuses them', () => {
  test('per-issuer bindings: issuer A requires DPoP, issuer B binds nothing; B cannot carry a cnf, A cannot drop it (lean = root)', async () => {
    const key = proofKey('ES256')
    const bound = token({ iss: B, cnf: { jkt: key.jkt } })
    const opts = options({ issuers: [entryOf(A, { dpop: { boundTokens: 'required' } }), entryOf(B)] })
    const events = [
      bearer(token({ iss: B })),
      bearer(bound),
      dpopEvent(bound, await signProof(key, { url, token: bound, iat: NOW })),
      bearer(token({ iss: B, cnf: { 'x5t#S256': jkt } })),
      bearer(token({ iss: A })),
      bearer(token({ iss: B })),
    ]
    const root = await run([rootJwt(opts)], events)
    const lean = await run([leanJwt({ ...opts, extensions: [senderConstraints] })], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [200, 'ok'],
    ])
    expect(root.reasons).toEqual([
      '@middy-auth/jwt-verify:dpop_bound_token_as_bearer',
      '@middy-auth/jwt-verify:dpop_not_enabled',
      '@middy-auth/jwt-verify:mtls_not_enabled',
      '@middy-auth/jwt-verify:dpop_required',
    ])
    expect(root.seen).toEqual(['alice', 'alice'])
  })

  test('dpop: false and mtls: false, of the middleware and of an entry: off in both entries, no extension needed, bound tokens refused', async () => {
    const off = { dpop: false, mtls: false, issuers: [entryOf(A, { dpop: false, mtls: false })] }
    const events = [bearer(token()), bearer(token({ cnf: { jkt } })), bearer(token({ cnf: { 'x5t#S256': jkt } })), dpopEvent(token({ cnf: { jkt } }), 'a.b.c')]
    const root = await run([rootJwt(options(off))], events)
    const lean = await run([leanJwt(options(off))], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'missing_token'],
    ])
    expect(root.seen).toEqual(['alice'])
  })

  test('an entry turning off the middleware-wide dpop (dpop: false) takes bearer tokens and refuses its bound ones, lean with senderConstraints = root', async () => {
    const opts = options({ dpop: { boundTokens: 'required' }, issuers: [entryOf(A), entryOf(B, { dpop: false })] })
    const events = [bearer(token()), bearer(token({ iss: B })), bearer(token({ iss: B, cnf: { jkt } }))]
    const root = await run([rootJwt(opts)], events)
    const lean = await run([leanJwt({ ...opts, extensions: [senderConstraints] })], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [401, 'invalid_token'],
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
  })

  test('the DPoP scheme without senderConstraints: no token is read from it, a valid proof changes nothing (lean = root, 401, handler never called)', async () => {
    const key = proofKey('ES256')
    const bound = token({ cnf: { jkt: key.jkt } })
    const events = [
      dpopEvent(bound, await signProof(key, { url, token: bound, iat: NOW })),
      dpopEvent(token(), await signProof(key, { url, token: token(), iat: NOW })),
      withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `dpop ${token()}` }),
    ]
    const root = await run([rootJwt(options())], events)
    const lean = await run([leanJwt(options())], events)
    expect(lean).toEqual(root)
    expect(root.responses.every(([status]) => status === 401)).toBe(true)
    expect(lean.seen).toEqual([])
  })

  test('credentialsRequired: false does not turn a refused bound token into an anonymous request (lean = root)', async () => {
    const key = proofKey('ES256')
    const bound = token({ cnf: { jkt: key.jkt } })
    const events = [httpApiEvent({ path: '/orders' }), bearer(bound), bearer(token({ cnf: { 'x5t#S256': jkt } })), bearer(token())]
    const opts = options({ credentialsRequired: false })
    const root = await run([rootJwt(opts)], events)
    const lean = await run([leanJwt(opts)], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [200, 'ok'],
    ])
    expect(root.seen).toEqual([null, 'alice'])
  })

  test('createJwtVerifier: verifyToken and verifyEvent refuse a bound token every time, also once the same token is cached', async () => {
    for (const create of [leanCreateJwtVerifier, rootCreateJwtVerifier]) {
      const verifier = create(options())
      for (const cnf of [{ jkt }, { 'x5t#S256': jkt }, { jwk: { kty: 'EC' } }, 'bound']) {
        const jwt = token({ cnf })
        for (let attempt = 0; attempt < 2; attempt++) {
          await expect(verifier.verifyToken(jwt)).rejects.toMatchObject({ code: 'invalid_token' })
          await expect(verifier.verifyEvent(bearer(jwt))).rejects.toMatchObject({ code: 'invalid_token' })
        }
      }
      // The same verifier still accepts an unbound token: the refusals are the binding's, not a broken verifier.
      await expect(verifier.verifyToken(token())).resolves.toMatchObject({ subject: 'alice' })
    }
    const lean = leanCreateJwtVerifier(options({ dpop: { boundTokens: 'allowed' }, extensions: [senderConstraints] }))
    // Nothing proves possession outside a request: a DPoP-bound token is refused even with DPoP on.
    await expect(lean.verifyToken(token({ cnf: { jkt } }))).rejects.toMatchObject({ code: 'invalid_token' })
  })

  test('through a Lambda authorizer (authorizerResponse): a bound token is refused by the lean entry as by the root, never an Allow', async () => {
    const answer = async (factory: Factory, opts: JwtVerifyOptions, event: unknown) => {
      const handler = middy()
      handler.use(factory(opts))
      handler.use(authorizerResponse({ format: 'simple', logger: () => undefined }))
      return handler(event as never, lambdaContext() as never).then(
        (result) => ({ result }),
        (error: Error) => ({ error: error.message }),
      )
    }
    const event = (jwt: string) => httpAuthorizerEventV2({ bearer: jwt })
    for (const cnf of [{ jkt }, { 'x5t#S256': jkt }]) {
      const root = await answer(rootJwt, options(), event(token({ cnf })))
      const lean = await answer(leanJwt, options(), event(token({ cnf })))
      expect(lean).toEqual(root)
      expect(root).toEqual({ result: { isAuthorized: false } })
    }
    // The same authorizer allows an unbound token: the refusals above are the binding's.
    expect(await answer(leanJwt, options(), event(token()))).toMatchObject({ result: { isAuthorized: true } })
    // With senderConstraints and DPoP: the accepted bound token is a decision for this request only,
    // which a caching gateway must not reuse: refused unless gatewayCache is off, as by the root.
    const key = proofKey('ES256')
    const bound = token({ cnf: { jkt: key.jkt } })
    const authorizerUrl = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
    const proofEvent = async () =>
      withHeaders(httpAuthorizerEventV2({ path: '/orders', identitySource: [`DPoP ${bound}`] }), {
        authorization: `DPoP ${bound}`,
        dpop: await signProof(key, { url: authorizerUrl, token: bound, iat: NOW }),
      })
    const dpop = options({ dpop: { boundTokens: 'allowed' } })
    const root = await answer(rootJwt, dpop, await proofEvent())
    const lean = await answer(leanJwt, { ...dpop, extensions: [senderConstraints] }, await proofEvent())
    expect(lean).toEqual(root)
    expect(root).toMatchObject({ result: { isAuthorized: false } })
  })
})

describe('API Gateway claims: never read without their extension', () => {
  const fixtures = fixtureNames().filter((name) => !name.startsWith('authorizer-response'))

  test('trustApiGateway without apiGatewayClaims is a TypeError naming the import; trustApiGateway: false needs nothing', () => {
    const error = thrown(() => leanJwtVerify({ trustApiGateway: true }))
    expect(error).toBeInstanceOf(TypeError)
    expect(error?.message).toContain(`import { apiGatewayClaims } from '@middy-auth/jwt-verify/extensions'`)
    expect(error?.cause).toMatchObject({ package: '@middy-auth/jwt-verify', option: 'trustApiGateway' })
    expect(thrown(() => leanJwtVerify(options({ trustApiGateway: false })))).toBeUndefined()
  })

  test.each(fixtures)('%s: the lean jwtVerify (no trustApiGateway) answers as the root; with trustApiGateway and apiGatewayClaims too', async (name) => {
    const root = await run([rootJwt(options())], [loadFixture(name)])
    const lean = await run([leanJwt(options())], [loadFixture(name)])
    expect(lean).toEqual(root)
    // No fixture carries a token of this issuer: nothing gets through without trusting the gateway.
    expect(root.seen).toEqual([])
    const trusting = { trustApiGateway: true, issuers: [] } as unknown as JwtVerifyOptions
    const rootTrust = await run([rootJwt(trusting)], [loadFixture(name)])
    const leanTrust = await run([leanJwt({ ...trusting, extensions: [apiGatewayClaims] })], [loadFixture(name)])
    expect(leanTrust).toEqual(rootTrust)
  })

  test('a bound token a JWT authorizer accepted (cnf in its claims): refused by the lean entry with apiGatewayClaims as by the root', async () => {
    const bound = loadFixture('http-v2-jwt.json')
    bound.requestContext.authorizer.jwt.claims.cnf = { jkt }
    const events = [loadFixture('http-v2-jwt.json'), bound]
    const trusting = { trustApiGateway: true } as JwtVerifyOptions
    const root = await run([rootJwt(trusting)], events)
    const lean = await run([leanJwt({ ...trusting, extensions: [apiGatewayClaims] })], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
    expect(root.reasons).toEqual(['@middy-auth/jwt-verify:bound_token_from_gateway'])
  })

  const policy: Policy = { roles: { admin: { allow: ['*'] } } }
  // Scopes the fixtures' verified identities hold: the comparisons below see accepts.
  const fixtureScopes = ['https://api.example.com/orders.read', 'orders:read', 'scope1']
  const consumers: Array<[string, (extensions?: unknown[]) => Middleware, () => Middleware]> = [
    [
      'oauthScope',
      (extensions) => leanOAuthScope({ anyOf: fixtureScopes, ...(extensions ? { extensions } : {}) } as never),
      () => rootOAuthScope({ anyOf: fixtureScopes }),
    ],
    [
      'rbac',
      (extensions) => leanRbac({ policy, required: [], rolesFrom: 'groups', ...(extensions ? { extensions } : {}) } as never),
      () => rootRbac({ policy, required: [], rolesFrom: 'groups' }),
    ],
  ]

  test.each(consumers)(
    '%s: on every fixture, lean without apiGatewayClaims never lets a request through; refused as no identity (401 missing_token)',
    async (_name, lean, root) => {
      let rootAccepted = 0
      for (const name of fixtures) {
        const leanAnswer = await run([lean()], [loadFixture(name)])
        const rootAnswer = await run([root()], [loadFixture(name)])
        expect([name, leanAnswer.responses]).toEqual([name, [[401, 'missing_token']]])
        expect(leanAnswer.seen).toEqual([])
        // The root read the gateway's claims where there are some (then its own 200 or 403); without any, the same 401.
        if (rootAnswer.seen.length === 0 && rootAnswer.responses[0]?.[0] === 401) expect(rootAnswer.responses).toEqual(leanAnswer.responses)
        rootAccepted += rootAnswer.seen.length
      }
      // The lean entry refused requests the root let through: it refused more, never less.
      expect(rootAccepted).toBeGreaterThan(0)
    },
  )

  test.each(consumers)('%s: with apiGatewayClaims, lean = root on every fixture; an identity set in front is read without it', async (_name, lean, root) => {
    const extensions = _name === 'rbac' ? [rbacExtensions.apiGatewayClaims] : [scopeExtensions.apiGatewayClaims]
    let accepted = 0
    for (const name of fixtures) {
      const leanAnswer = await run([lean(extensions)], [loadFixture(name)])
      const rootAnswer = await run([root()], [loadFixture(name)])
      expect([name, leanAnswer]).toEqual([name, rootAnswer])
      accepted += rootAnswer.seen.length
    }
    // Some fixtures carry a verified identity (JWT, Cognito, Lambda authorizers): the comparison saw accepts.
    expect(accepted).toBeGreaterThan(3)
    const before: Middleware = {
      before: (request) => setAuth(request as never, identity({ subject: 'bob', scopes: ['scope1'], claims: { groups: ['admin'] } })),
    }
    const chained = await run([before, lean()], [loadFixture('http-v2-no-auth.json')])
    expect(chained.responses).toEqual([[200, 'ok']])
    expect(chained.seen).toEqual(['bob'])
  })

  test('a lean chain (jwtVerify trusting the gateway, then oauthScope and rbac without apiGatewayClaims) answers as the root chain on every fixture', async () => {
    const chain = (lean: boolean): Middleware[] =>
      lean
        ? [
            leanJwtVerify({ trustApiGateway: true, extensions: [apiGatewayClaims] }),
            leanOAuthScope({ anyOf: fixtureScopes }),
            leanRbac({ policy, required: [], rolesFrom: 'groups' }),
          ]
        : [rootJwtVerify({ trustApiGateway: true }), rootOAuthScope({ anyOf: fixtureScopes }), rootRbac({ policy, required: [], rolesFrom: 'groups' })]
    for (const name of fixtures) {
      expect([name, await run(chain(true), [loadFixture(name)])]).toEqual([name, await run(chain(false), [loadFixture(name)])])
    }
  })

  test('mixed chains: a root consumer in front gives the gateway identity to a lean one behind (as the root chain); a lean one in front refuses first', async () => {
    const rootFirst = (): Middleware[] => [rootRbac({ policy, required: [], rolesFrom: 'groups' }), leanOAuthScope({ anyOf: fixtureScopes })]
    const allRoot = (): Middleware[] => [rootRbac({ policy, required: [], rolesFrom: 'groups' }), rootOAuthScope({ anyOf: fixtureScopes })]
    const leanFirst = (): Middleware[] => [leanOAuthScope({ anyOf: fixtureScopes }), rootRbac({ policy, required: [], rolesFrom: 'groups' })]
    for (const name of fixtures) {
      expect([name, await run(rootFirst(), [loadFixture(name)])]).toEqual([name, await run(allRoot(), [loadFixture(name)])])
      const lean = await run(leanFirst(), [loadFixture(name)])
      expect([name, lean.responses, lean.seen]).toEqual([name, [[401, 'missing_token']], []])
    }
  })

  test('a Lambda authorizer event reaching lean consumers without apiGatewayClaims: 401 missing_token, handler never called', async () => {
    for (const event of [authorizerRequestEvent({ bearer: token() }), httpAuthorizerEventV2({ bearer: token() })]) {
      for (const [, lean] of consumers) {
        const answer = await run([lean()], [event])
        expect(answer.responses).toEqual([[401, 'missing_token']])
        expect(answer.seen).toEqual([])
      }
    }
  })
})

describe('extensions: every mistake is a TypeError at cold start that says what to fix', () => {
  const policy: Policy = { roles: { admin: { allow: ['*'] } } }
  const routes = { 'GET /orders': ['orders:read'] }
  const rbacRoutes = { 'GET /orders': 'orders:read' }
  const expectFix = (error: ReturnType<typeof thrown>, packageName: string, option: string, fix: RegExp) => {
    expect(error).toBeInstanceOf(TypeError)
    expect(error?.cause).toMatchObject({ package: packageName, option })
    expect(error?.message).toMatch(fix)
  }

  // A hand-written object, or one of another version, that claims an extension's name but lacks its
  // code: before the fix, trustApiGateway and the consumers' apiGatewayClaims were silently without
  // effect, and the others failed with "… is not a function" (no package, nothing to fix).
  const partial: Array<[string, () => unknown, string, RegExp]> = [
    [
      'jwtVerify, a senderConstraints without its code',
      () => leanJwtVerify(options({ dpop: { boundTokens: 'allowed' }, extensions: [{ package: '@middy-auth/jwt-verify', name: 'senderConstraints' }] })),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
    [
      'jwtVerify, an apiGatewayClaims without its code',
      () => leanJwtVerify({ trustApiGateway: true, extensions: [{ package: '@middy-auth/jwt-verify', name: 'apiGatewayClaims' }] } as never),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
    [
      'jwtVerify, a senderConstraints with only part of its code',
      () =>
        leanJwtVerify(
          options({
            extensions: [
              { package: '@middy-auth/jwt-verify', name: 'senderConstraints', compile: (senderConstraints as unknown as { compile: unknown }).compile },
            ],
          }),
        ),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
    [
      'the root jwtVerify, a forged opaqueTokenHandoff in its list',
      () => rootJwtVerify(options({ extensions: [{ package: '@middy-auth/jwt-verify', name: 'opaqueTokenHandoff', takes: () => true }] })),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
    [
      'oauthScope, an apiGatewayClaims without gatewayAuth',
      () => leanOAuthScope({ required: ['a'], extensions: [{ package: '@middy-auth/oauth-scope', name: 'apiGatewayClaims' }] } as never),
      '@middy-auth/oauth-scope',
      /extensions\[0\] must be an extension from '@middy-auth\/oauth-scope\/extensions', of the same version/,
    ],
    [
      'oauthScope, a routeMaps of an earlier shape whose compileRoutes is not code',
      () =>
        leanOAuthScope({
          routes,
          extensions: [{ package: '@middy-auth/oauth-scope', name: 'routeMaps', compileRoutes: 'yes', routeName: () => undefined }],
        } as never),
      '@middy-auth/oauth-scope',
      /extensions\[0\] must be an extension from '@middy-auth\/oauth-scope\/extensions', of the same version/,
    ],
    [
      'rbac, an apiGatewayClaims without gatewayAuth',
      () => leanRbac({ policy, required: [], extensions: [{ package: '@middy-auth/rbac', name: 'apiGatewayClaims', gatewayAuth: 'yes' }] } as never),
      '@middy-auth/rbac',
      /extensions\[0\] must be an extension from '@middy-auth\/rbac\/extensions', of the same version/,
    ],
    [
      'jwtVerify, a tokenSources without its code',
      () => leanJwtVerify(options({ tokenSource: { cookie: 'session' }, extensions: [{ package: '@middy-auth/jwt-verify', name: 'tokenSources' }] })),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
    [
      'jwtVerify, a tokenSources whose reader hands out a token but that checks nothing',
      () =>
        leanJwtVerify(
          options({
            tokenSource: () => 'forged',
            extensions: [
              { package: '@middy-auth/jwt-verify', name: 'tokenSources', compile: () => () => ({ kind: 'token', token: 'x', presentedAs: 'bearer' }) },
            ],
          }),
        ),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
    [
      'a name the package does not have (a typo)',
      () => leanJwtVerify(options({ extensions: [{ package: '@middy-auth/jwt-verify', name: 'senderConstraint', compile: () => undefined }] })),
      '@middy-auth/jwt-verify',
      /extensions\[0\] must be an extension from '@middy-auth\/jwt-verify\/extensions', of the same version/,
    ],
  ]

  test.each(partial)('%s', (_name, build, packageName, fix) => {
    expectFix(thrown(build), packageName, 'extensions[0]', fix)
  })

  test('a partial apiGatewayClaims no longer leaves a lean consumer silently refusing every gateway identity: the real one reads it', async () => {
    const event = loadFixture('http-v2-jwt.json')
    const real = await run(
      [leanOAuthScope({ anyOf: ['scope1', 'openid'], extensions: [scopeExtensions.apiGatewayClaims] })],
      [loadFixture('http-v2-jwt-mtls-scopes.json')],
    )
    expect(real.responses).toEqual([[200, 'ok']])
    // …and refuses a gateway identity that lacks the scope, as the root does.
    const refused = await run([leanOAuthScope({ required: ['scope1'], extensions: [scopeExtensions.apiGatewayClaims] })], [event])
    expect(refused).toEqual(await run([rootOAuthScope({ required: ['scope1'] })], [event]))
    expect(refused.responses).toEqual([[403, 'insufficient_scope']])
  })

  test("another package's extension: refused by name, in every direction", () => {
    const cases: Array<[() => unknown, string]> = [
      [() => leanOAuthScope({ required: ['a'], extensions: [rbacExtensions.apiGatewayClaims as never] }), '@middy-auth/oauth-scope'],
      [() => leanOAuthScope({ routes, extensions: [rbacExtensions.routeMaps as never] }), '@middy-auth/oauth-scope'],
      [() => leanRbac({ policy, required: [], extensions: [scopeExtensions.apiGatewayClaims as never] }), '@middy-auth/rbac'],
      [() => leanRbac({ policy, routes: rbacRoutes, extensions: [scopeExtensions.routeMaps as never] }), '@middy-auth/rbac'],
      [() => leanJwtVerify(options({ extensions: [scopeExtensions.apiGatewayClaims as never] })), '@middy-auth/jwt-verify'],
      [() => leanOAuthScope({ required: ['a'], extensions: [apiGatewayClaims as never] }), '@middy-auth/oauth-scope'],
      [() => rootJwtVerify(options({ extensions: [rbacExtensions.routeMaps as never] })), '@middy-auth/jwt-verify'],
    ]
    for (const [build, packageName] of cases) {
      expectFix(thrown(build), packageName, 'extensions[0]', new RegExp(`must be an extension from '${packageName}/extensions', of the same version`))
    }
  })

  test('not a list, null or undefined in the list: TypeErrors naming extensions', () => {
    for (const extensions of [senderConstraints, 'senderConstraints', null, {}]) {
      expectFix(
        thrown(() => leanJwtVerify(options({ extensions }))),
        '@middy-auth/jwt-verify',
        'extensions',
        /extensions must be a list of extensions from '@middy-auth\/jwt-verify\/extensions'/,
      )
    }
    expectFix(
      thrown(() => leanOAuthScope({ required: ['a'], extensions: [null, scopeExtensions.routeMaps] as never })),
      '@middy-auth/oauth-scope',
      'extensions[0]',
      /must be an extension from '@middy-auth\/oauth-scope\/extensions'/,
    )
    expectFix(
      thrown(() => leanRbac({ policy, required: [], extensions: [undefined] as never })),
      '@middy-auth/rbac',
      'extensions[0]',
      /must be an extension from '@middy-auth\/rbac\/extensions'/,
    )
  })

  test('routes and routesDefault without routeMaps: a TypeError naming the import, never a policy that ignores them', () => {
    expectFix(
      thrown(() => leanOAuthScope({ routes })),
      '@middy-auth/oauth-scope',
      'routes',
      /import \{ routeMaps \} from '@middy-auth\/oauth-scope\/extensions'/,
    )
    expectFix(
      thrown(() => leanOAuthScope({ routes, extensions: [scopeExtensions.apiGatewayClaims] })),
      '@middy-auth/oauth-scope',
      'routes',
      /needs the routeMaps extension/,
    )
    expectFix(
      thrown(() => leanRbac({ policy, routes: rbacRoutes })),
      '@middy-auth/rbac',
      'routes',
      /import \{ routeMaps \} from '@middy-auth\/rbac\/extensions'/,
    )
    expectFix(
      thrown(() => leanRbac({ policy, routes: {} as never })),
      '@middy-auth/rbac',
      'routes',
      /needs the routeMaps extension/,
    )
    // routesDefault alone is the root's TypeError in both entries (it needs routes).
    for (const [lean, root, requirement] of [
      [leanOAuthScope, rootOAuthScope, { required: ['a'], routesDefault: ['a'] }],
      [leanRbac, rootRbac, { policy, required: [], routesDefault: 'orders:read' }],
    ] as const) {
      const leanError = thrown(() => (lean as (o: unknown) => unknown)(requirement))
      expect(leanError).toBeInstanceOf(TypeError)
      expect(leanError?.message).toBe(thrown(() => (root as (o: unknown) => unknown)(requirement))?.message)
      expect(leanError?.cause?.option).toBe('routesDefault')
    }
  })

  test('extensions given to the root oauthScope and rbac are checked as in the lean entries: a forged one is a TypeError naming it', () => {
    expect(() => rootOAuthScope({ required: ['a'], extensions: [scopeExtensions.routeMaps] } as never)).not.toThrow()
    expect(() => rootRbac({ policy, required: [], extensions: [rbacExtensions.routeMaps] } as never)).not.toThrow()
    expectFix(
      thrown(() => rootOAuthScope({ required: ['a'], extensions: [{ package: '@middy-auth/oauth-scope', name: 'routeMaps' }] } as never)),
      '@middy-auth/oauth-scope',
      'extensions[0]',
      /extensions\[0\] must be an extension from '@middy-auth\/oauth-scope\/extensions', of the same version/,
    )
    expectFix(
      thrown(() => rootRbac({ policy, required: [], extensions: [scopeExtensions.routeMaps] } as never)),
      '@middy-auth/rbac',
      'extensions[0]',
      /must be an extension from '@middy-auth\/rbac\/extensions'/,
    )
  })

  test('the same extension twice works as once; the root jwtVerify with extensions answers as without', async () => {
    const events = [httpApiEvent({ method: 'GET', path: '/orders', routeKey: 'GET /orders' } as never), httpApiEvent({ method: 'POST', path: '/orders' })]
    const once = await run([identityWith(['orders:read']), leanOAuthScope({ routes, extensions: [scopeExtensions.routeMaps] })], events)
    const twice = await run(
      [identityWith(['orders:read']), leanOAuthScope({ routes, extensions: [scopeExtensions.routeMaps, scopeExtensions.routeMaps] })],
      events,
    )
    const root = await run([identityWith(['orders:read']), rootOAuthScope({ routes })], events)
    expect(once).toEqual(root)
    expect(twice).toEqual(root)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [403, 'access_denied'],
    ])
    const jwtEvents = [bearer(token()), bearer(token({ cnf: { jkt } }))]
    const plain = await run([rootJwt(options())], jwtEvents)
    const listed = await run(
      [rootJwt(options({ extensions: [senderConstraints, senderConstraints, apiGatewayClaims, opaqueTokenHandoff, staticKeys] }))],
      jwtEvents,
    )
    expect(listed).toEqual(plain)
  })
})

describe('token sources: a cookie, query or function source is never read without tokenSources, and with it as by the root', () => {
  const fixtures = fixtureNames().filter((name) => !name.startsWith('authorizer-response'))
  const forms: Array<[string, JwtVerifyOptions['tokenSource']]> = [
    ['a cookie', { cookie: 'session' }],
    ['a query parameter', { query: 'access_token' }],
    ['a function', (event) => (event as { headers?: Record<string, string> }).headers?.['x-api-token']],
  ]

  test.each(forms)(
    '%s without tokenSources: a TypeError naming the import, from both lean factories (never the Authorization header instead)',
    (_name, tokenSource) => {
      for (const factory of [leanJwtVerify as Factory, leanCreateJwtVerifier]) {
        const error = thrown(() => factory(options({ tokenSource })))
        expect(error).toBeInstanceOf(TypeError)
        expect(error?.cause).toMatchObject({ package: '@middy-auth/jwt-verify', option: 'tokenSource' })
        expect(error?.message).toContain(`import { tokenSources } from '@middy-auth/jwt-verify/extensions' and pass extensions: [tokenSources]`)
      }
      // With another extension but not this one: still refused.
      expect(thrown(() => leanJwtVerify(options({ tokenSource, extensions: [senderConstraints, staticKeys] })))?.message).toContain(
        'needs the tokenSources extension',
      )
    },
  )

  test.each(fixtures)('%s: every form, the lean entry with tokenSources answers as the root', async (name) => {
    for (const [, tokenSource] of forms) {
      const root = await run([rootJwt(options({ tokenSource }))], [loadFixture(name)])
      const lean = await run([leanJwt(options({ tokenSource, extensions: [tokenSources] }))], [loadFixture(name)])
      expect(lean).toEqual(root)
      // No fixture carries a token of this issuer.
      expect(root.seen).toEqual([])
    }
  })

  test('source confusion: a cookie source reads only the cookie, never a valid bearer header or query parameter', async () => {
    const valid = token()
    const forged = token({ sub: 'mallory' }).replace(/\.[^.]{4}/, '.AAAA')
    const events = [
      httpApiEvent({ headers: { authorization: `Bearer ${valid}` }, query: { access_token: valid } }),
      httpApiEvent({ headers: { authorization: `Bearer ${valid}` }, cookies: { session: forged } }),
      httpApiEvent({ cookies: { session: valid } }),
    ]
    const opts = options({ tokenSource: { cookie: 'session' } })
    const root = await run([rootJwt(opts)], events)
    const lean = await run([leanJwt({ ...opts, extensions: [tokenSources] })], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [401, 'missing_token'],
      [401, 'invalid_token'],
      [200, 'ok'],
    ])
  })

  test('cross-site writes with a cookie credential: refused by the lean entry as by the root, nothing of the token in the answer', async () => {
    const valid = token()
    const write = (headers: Record<string, string>, method = 'POST') => httpApiEvent({ method, path: '/orders', cookies: { session: valid }, headers })
    const events = [
      write({ 'sec-fetch-site': 'cross-site' }),
      write({ 'sec-fetch-site': 'same-site', origin: 'https://sibling.example.com' }),
      write({ origin: 'null' }),
      write({ origin: 'https://evil.example', host: 'h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com' }, 'DELETE'),
      write({ origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' }),
      write({ 'sec-fetch-site': 'cross-site' }, 'GET'),
    ]
    const opts = options({ tokenSource: { cookie: 'session', allowedOrigins: ['https://app.example.com'] } })
    const root = await run([rootJwt(opts)], events)
    const lean = await run([leanJwt({ ...opts, extensions: [tokenSources] })], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [403, 'access_denied'],
      [403, 'access_denied'],
      [403, 'access_denied'],
      [403, 'access_denied'],
      [200, 'ok'],
      [200, 'ok'],
    ])
    for (const body of lean.bodies) expect(body).not.toContain(valid.split('.')[1] as string)
  })

  test('a cookie credential behind a Lambda authorizer: a decision for this request only, refused by a caching gateway as by the root', async () => {
    const answer = async (middleware: Middleware, gatewayCache: boolean) => {
      const handler = middy()
      handler.use(middleware)
      handler.use(authorizerResponse({ format: 'simple', gatewayCache, logger: () => undefined }))
      return handler(httpAuthorizerEventV2({ cookies: { session: token() } }) as never, lambdaContext() as never)
    }
    const opts = options({ tokenSource: { cookie: 'session' } })
    for (const gatewayCache of [true, false]) {
      const root = await answer(rootJwt(opts), gatewayCache)
      const lean = await answer(leanJwt({ ...opts, extensions: [tokenSources] }), gatewayCache)
      expect(lean).toEqual(root)
      expect(root).toMatchObject({ isAuthorized: !gatewayCache })
    }
  })
})

describe("rbac's conditions: a conditional policy never passes the lean entry without its extension, and with it answers as the root", () => {
  // Alice may delete her own drafts (a conditional allow of author), but editor's deny beats it; a
  // moderator may publish what isPublic says. Deny beats allow, conditional or not.
  const policy: Policy = {
    roles: {
      author: { allow: ['articles:read', { permission: 'articles:delete', when: 'isOwner' }, { permission: 'articles:publish', when: 'isOwner' }] },
      editor: { inherits: ['author'], deny: ['articles:delete'] },
      moderator: { allow: [{ permission: 'articles:*', when: 'isPublic' }], deny: ['articles:publish'] },
    },
  }
  const answers: Array<[string, () => unknown]> = [
    ['true', () => true],
    ['false', () => false],
    ['a truthy string', () => 'yes'],
    ['1', () => 1],
    ['a promise of true', () => Promise.resolve(true)],
    [
      'a throw',
      () => {
        throw new Error('no owner')
      },
    ],
  ]
  const rolesOf = [['author'], ['editor'], ['moderator'], ['author', 'moderator'], ['editor', 'moderator'], []]
  const requirements = [
    'articles:delete',
    'articles:publish',
    'articles:read',
    ['articles:read', 'articles:delete'],
    { anyOf: ['articles:delete', 'articles:read'] },
  ]
  const withRoles = (roles: string[]): Middleware => ({ before: (request) => setAuth(request as never, identity({ roles })) })

  test('without the extension: a TypeError at cold start whatever else is listed, for the policy as data or compiled by the root', () => {
    for (const given of [policy, compilePolicy(policy)]) {
      for (const extensions of [undefined, [], [rbacExtensions.routeMaps], [rbacExtensions.apiGatewayClaims, rbacExtensions.routeMaps]]) {
        for (const required of requirements) {
          const error = thrown(() =>
            leanRbac({ policy: given, required, conditions: { isOwner: () => true, isPublic: () => true }, ...(extensions ? { extensions } : {}) } as never),
          )
          expect(error).toBeInstanceOf(TypeError)
          expect(error?.cause?.package).toBe('@middy-auth/rbac')
          expect(error?.message).toMatch(/needs the conditions extension: import \{ conditions \} from '@middy-auth\/rbac\/extensions'/)
        }
      }
    }
    // Nor may the conditions be dropped to get the policy through: the policy's own allows need them.
    expect(thrown(() => leanRbac({ policy, required: 'articles:read' }))?.cause?.option).toBe('policy.roles["author"].allow[1]')
  })

  test('a conditional deny is refused by both entries, with the extension or without: never a policy whose deny is dropped', () => {
    const conditionalDeny = { roles: { editor: { allow: ['articles:*'], deny: [{ permission: 'articles:delete', when: 'isOwner' }] } } }
    const make: Array<() => unknown> = [
      () => rootRbac({ policy: conditionalDeny, required: 'articles:delete', conditions: { isOwner: () => true } } as never),
      () =>
        leanRbac({
          policy: conditionalDeny,
          required: 'articles:delete',
          conditions: { isOwner: () => true },
          extensions: [rbacExtensions.conditions],
        } as never),
      () => leanRbac({ policy: conditionalDeny, required: 'articles:delete' } as never),
      () => compilePolicy(conditionalDeny as never),
    ]
    for (const build of make) {
      const error = thrown(build)
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toMatch(/^rbac: policy\.roles\["editor"\]\.deny\[0\] \{"permission":"articles:delete","when":"isOwner"\} is not a permission/)
    }
  })

  test('with the extension: every role, requirement and condition answer decided as by the root (status, reasons, what the handler saw); deny always wins', async () => {
    let compared = 0
    let allowed = 0
    for (const [, answer] of answers) {
      const conditions = { isOwner: answer, isPublic: answer } as never
      for (const roles of rolesOf) {
        for (const required of requirements) {
          const options = { policy, required, conditions, resource: async () => ({ ownerId: 'alice' }) } as never
          const events = [httpApiEvent()]
          const lean = await run([withRoles(roles), leanRbac({ ...(options as object), extensions: [rbacExtensions.conditions] } as never)], events)
          const root = await run([withRoles(roles), rootRbac(options)], events)
          expect({ roles, required, ...lean }).toEqual({ roles, required, ...root })
          // An editor never deletes, a moderator never publishes, whatever the conditions say.
          const mustDelete = required === 'articles:delete' || (Array.isArray(required) && required.includes('articles:delete'))
          if ((roles.includes('editor') && mustDelete) || (roles.includes('moderator') && required === 'articles:publish')) {
            expect(lean.responses).toEqual([[403, 'access_denied']])
          }
          if (lean.responses[0]?.[0] === 200) allowed++
          compared++
        }
      }
    }
    expect(compared).toBe(answers.length * rolesOf.length * requirements.length)
    // Conditions met allowed some: the comparisons above saw accepts as well as refusals.
    expect(allowed).toBeGreaterThan(answers.length * 2)
  })
})

const identityWith = (scopes: string[]): Middleware => ({ before: (request) => setAuth(request as never, identity({ scopes, claims: { groups: ['admin'] } })) })

describe('two copies of the packages (two versions installed): another copy works as this one, or is refused', () => {
  type Copies = {
    jwt: typeof import('@middy-auth/jwt-verify/lean')
    jwtExtensions: typeof jwtExtensions
    scopeExtensions: typeof scopeExtensions
    rbac: typeof import('@middy-auth/rbac')
    rbacLean: typeof import('@middy-auth/rbac/lean')
    rbacExtensions: typeof rbacExtensions
  }
  let other: Copies
  beforeAll(async () => {
    // A second module registry: every package, core included, loaded a second time.
    await jest.isolateModulesAsync(async () => {
      other = {
        jwt: await import('@middy-auth/jwt-verify/lean'),
        jwtExtensions: await import('@middy-auth/jwt-verify/extensions'),
        scopeExtensions: await import('@middy-auth/oauth-scope/extensions'),
        rbac: await import('@middy-auth/rbac'),
        rbacLean: await import('@middy-auth/rbac/lean'),
        rbacExtensions: await import('@middy-auth/rbac/extensions'),
      }
    })
    expect(other.scopeExtensions.routeMaps).not.toBe(scopeExtensions.routeMaps)
  })

  const policy: Policy = { roles: { admin: { allow: ['*'] }, viewer: { allow: ['orders:read'] } } }

  test("another copy's extensions in this lean oauthScope and rbac: the same answers as the root, on gateway fixtures and routes", async () => {
    const fixtures = [
      'http-v2-jwt.json',
      'http-v2-jwt-mtls-scopes.json',
      'rest-v1-cognito-groups.json',
      'http-v2-lambda-authorizer-context.json',
      'http-v2-no-auth.json',
    ]
    for (const name of fixtures) {
      const scope = await run([leanOAuthScope({ anyOf: ['scope1', 'orders:read'], extensions: [other.scopeExtensions.apiGatewayClaims] })], [loadFixture(name)])
      expect(scope).toEqual(await run([rootOAuthScope({ anyOf: ['scope1', 'orders:read'] })], [loadFixture(name)]))
      const roles = await run([leanRbac({ policy, required: [], extensions: [other.rbacExtensions.apiGatewayClaims] })], [loadFixture(name)])
      expect(roles).toEqual(await run([rootRbac({ policy, required: [] })], [loadFixture(name)]))
    }
    const events = [httpApiEvent({ method: 'GET', path: '/orders' }), httpApiEvent({ method: 'DELETE', path: '/orders' })]
    const viaOther = await run(
      [identityWith(['orders:read']), leanOAuthScope({ routes: { 'GET /orders': ['orders:read'] }, extensions: [other.scopeExtensions.routeMaps] })],
      events,
    )
    expect(viaOther).toEqual(await run([identityWith(['orders:read']), rootOAuthScope({ routes: { 'GET /orders': ['orders:read'] } })], events))
    expect(viaOther.responses).toEqual([
      [200, 'ok'],
      [403, 'access_denied'],
    ])
  })

  test("another copy's senderConstraints in this lean jwtVerify: bound tokens and the DPoP proofs refused with the root's status and code, never a 500", async () => {
    const key = proofKey('ES256')
    const bound = token({ cnf: { jkt: key.jkt } })
    const proof = await signProof(key, { url, token: bound, iat: NOW })
    const events = [dpopEvent(bound, proof), dpopEvent(bound, proof), bearer(bound), dpopEvent(bound, 'not-a-proof'), bearer(token())]
    const opts = options({ dpop: { boundTokens: 'allowed' } })
    const root = await run([rootJwt(opts)], events)
    const mixed = await run([leanJwt({ ...opts, extensions: [other.jwtExtensions.senderConstraints as never] })], events)
    expect(mixed.responses).toEqual(root.responses)
    expect(mixed.seen).toEqual(root.seen)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_token'],
      [401, 'invalid_dpop_proof'],
      [200, 'ok'],
    ])
  })

  test("another copy's lean jwtVerify (another core) in front of this lean oauthScope and rbac: its identity is read, its refusals rendered", async () => {
    const events = [
      bearer(token({ scope: 'orders:read', groups: ['viewer'] })),
      bearer(token({ scope: 'other' })),
      bearer(token({ cnf: { jkt } })),
      httpApiEvent({}),
    ]
    const chain = (jwt: Factory) => [
      jwt(options()),
      leanOAuthScope({ required: ['orders:read'] }),
      leanRbac({ policy, required: 'orders:read', rolesFrom: 'groups' }),
    ]
    const mixed = await run(chain(other.jwt.default as Factory), events)
    const same = await run(chain(leanJwt), events)
    expect(mixed.responses).toEqual(same.responses)
    expect(mixed.seen).toEqual(same.seen)
    expect(same.responses).toEqual([
      [200, 'ok'],
      [403, 'insufficient_scope'],
      [401, 'invalid_token'],
      [401, 'missing_token'],
    ])
  })

  test("rbac's role factories passed uncalled are a TypeError in both entries, whichever copy of rbac they come from", () => {
    for (const factory of [cognitoRoles, other.rbac.cognitoRoles, other.rbac.keycloakRoles, other.rbac.iamRoles]) {
      for (const make of [rootRbac, leanRbac, other.rbac.default, other.rbacLean.default] as Array<(options: unknown) => unknown>) {
        const error = thrown(() => make({ policy, required: [], rolesFrom: factory }))
        expect(error).toBeInstanceOf(TypeError)
        expect(error?.message).toMatch(/rolesFrom is the factory itself: call it, (cognitoRoles\(\)|keycloakRoles\(\{ clientId \}\)|iamRoles\(\))/)
        expect(thrown(() => make({ policy, required: [], rolesFrom: [factory] }))?.message).toMatch(/rolesFrom\[0\] is the factory itself/)
      }
    }
  })

  test("a role factory of another copy, called, reads the roles in this copy's rbac (lean and root)", async () => {
    const event = httpApiEvent({})
    const before: Middleware = { before: (request) => setAuth(request as never, identity({ claims: { 'cognito:groups': ['viewer'] } })) }
    for (const make of [rootRbac, leanRbac] as Array<(options: unknown) => Middleware>) {
      const allowed = await run([before, make({ policy, required: 'orders:read', rolesFrom: other.rbac.cognitoRoles() })], [event])
      const denied = await run([before, make({ policy, required: 'orders:delete', rolesFrom: other.rbac.cognitoRoles() })], [event])
      expect([allowed.responses, denied.responses]).toEqual([[[200, 'ok']], [[403, 'access_denied']]])
    }
  })
})

describe('ALB entries through the lean entry: the access token is a bearer token only', () => {
  const { signing, kid, endpoint } = albSigner()

  // The access token's entry has an HMAC secret: albIssuer (from the root entry) brings that code itself.
  const secret = 'the access tokens secret, thirty-two bytes or more'
  const accessIssuer = 'https://access.lean-red.example/'
  const accessToken = (claims: Record<string, unknown> = {}) => {
    const body = { iss: accessIssuer, aud: audience, sub: SUBJECT, iat: ALB_NOW - 10, exp: ALB_NOW + 300, scope: 'orders:read', ...claims }
    const input = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify(body))}`
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }
  const alb = (accessEntry: Record<string, unknown> = {}) => ({
    issuers: [
      albIssuer({
        region: REGION,
        loadBalancerArn: ARN,
        clientId: CLIENT,
        endpoint: endpoint(),
        accessToken: { issuer: accessIssuer, audience, secret, algorithms: ['HS256'], ...accessEntry },
      }),
    ],
    clock: () => ALB_NOW * 1000,
  })

  test('a bound access token (cnf.jkt, cnf.x5t#S256, cnf.jwk) is refused by the lean entry as by the root; an unbound one accepted by both', async () => {
    const data = () => albToken({ key: signing.privateKey, kid })
    const events = [
      albEventWith(data(), { 'x-amzn-oidc-accesstoken': accessToken() }),
      albEventWith(data(), { 'x-amzn-oidc-accesstoken': accessToken({ cnf: { jkt } }) }),
      albEventWith(data(), { 'x-amzn-oidc-accesstoken': accessToken({ cnf: { 'x5t#S256': jkt } }) }),
      albEventWith(data(), { 'x-amzn-oidc-accesstoken': accessToken({ cnf: { jwk: { kty: 'EC' } } }) }),
      albEventWith(data(), { 'x-amzn-oidc-accesstoken': accessToken({ cnf: { jkt } }) }),
    ]
    const root = await run([rootJwt(alb() as JwtVerifyOptions)], events)
    const lean = await run([leanJwt(alb() as JwtVerifyOptions)], events)
    expect(lean).toEqual(root)
    expect(root.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
    ])
    expect(root.seen).toEqual([SUBJECT])
  })

  test('dpop or mtls on the access token entry: the same TypeError from both entries, at cold start', () => {
    for (const binding of [{ dpop: { boundTokens: 'required' } }, { mtls: { boundTokens: 'allowed' } }]) {
      const leanError = thrown(() => leanJwtVerify(alb(binding) as JwtVerifyOptions))
      expect(leanError).toBeInstanceOf(TypeError)
      expect(leanError?.message).toMatch(/cannot use dpop or mtls/)
      expect(thrown(() => rootJwtVerify(alb(binding) as JwtVerifyOptions))?.message).toBe(leanError?.message)
    }
  })
})

describe('opaque tokens: token-introspection through the lean entry', () => {
  const OPAQUE = 'ISPWenKJyov5E-9qycB0J4gSoE3yKt-4dyU5-izrEWg'
  let stub: Awaited<ReturnType<typeof startStub>>
  let active = true
  beforeAll(async () => {
    stub = await startStub(() => ({
      status: 200,
      body: active
        ? { active: true, sub: 'agent-7', iss: 'https://auth.example.com', aud: audience, scope: 'orders:read', exp: NOW + 3600, iat: NOW }
        : { active: false },
    }))
  })
  afterAll(() => stub.close())
  const verifier = () =>
    createIntrospectionVerifier({
      endpoint: stub.endpoint,
      issuer: 'https://auth.example.com',
      clientId: 'orders-api',
      clientSecret: 's3cret',
      audience,
      clock,
    })

  test('without opaqueTokenHandoff: a TypeError naming the import, whatever else is given', () => {
    for (const extensions of [undefined, [senderConstraints], [apiGatewayClaims, staticKeys]]) {
      const error = thrown(() => leanJwtVerify(options({ opaqueTokens: verifier(), ...(extensions ? { extensions } : {}) })))
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.cause).toMatchObject({ package: '@middy-auth/jwt-verify', option: 'opaqueTokens' })
      expect(error?.message).toContain(`import { opaqueTokenHandoff } from '@middy-auth/jwt-verify/extensions'`)
      expect(thrown(() => leanCreateJwtVerifier(options({ opaqueTokens: verifier() })))?.cause).toMatchObject({ option: 'opaqueTokens' })
    }
  })

  test('with it: active, inactive, a JWT, the DPoP scheme, with bound tokens required: the root answers, the introspection asked alike', async () => {
    const events = [
      bearer(OPAQUE),
      withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${OPAQUE}`, dpop: 'a.b.c' }),
      bearer(token()),
      bearer(`${OPAQUE} ${OPAQUE}`),
    ]
    const answers = []
    for (const [entry, extensions] of [
      [rootJwt, undefined],
      [leanJwt, [opaqueTokenHandoff]],
    ] as const) {
      active = true
      stub.requests.length = 0
      const open = await run([entry(options({ opaqueTokens: verifier(), ...(extensions ? { extensions } : {}) }))], events)
      const asked = stub.requests.length
      active = false
      const inactive = await run([entry(options({ opaqueTokens: verifier(), ...(extensions ? { extensions } : {}) }))], [bearer(OPAQUE)])
      const required = await run(
        [
          entry(
            options({ opaqueTokens: verifier(), dpop: { boundTokens: 'required' }, ...(extensions ? { extensions: [...extensions, senderConstraints] } : {}) }),
          ),
        ],
        [bearer(OPAQUE)],
      )
      answers.push({ open, asked, inactive, required })
    }
    expect(answers[1]).toEqual(answers[0])
    expect(answers[0]).toMatchObject({
      open: {
        responses: [
          [200, 'ok'],
          // The DPoP scheme without dpop: no token read from it.
          [401, 'missing_token'],
          [200, 'ok'],
          [400, 'invalid_request'],
        ],
        seen: ['agent-7', 'alice'],
      },
      asked: 1,
      inactive: { responses: [[401, 'invalid_token']], seen: [] },
      required: { responses: [[401, 'invalid_token']], seen: [] },
    })
  })
})

describe('nothing leaks from the lean entries', () => {
  test('refusals carry no token, claim, key id nor stack; TypeErrors no secret', async () => {
    const secret = 'a shared secret of at least thirty-two bytes, never to be shown'
    const error = thrown(() => leanJwtVerify({ issuers: [{ issuer: A, audience, secret, algorithms: ['HS256'] }] }))
    expect(error?.cause).toMatchObject({ package: '@middy-auth/jwt-verify', option: 'issuers[0].secret' })
    expect(`${error?.message} ${JSON.stringify(error?.cause)}`).not.toContain('thirty-two')
    const forged = thrown(() => leanJwtVerify(options({ extensions: [{ package: '@middy-auth/jwt-verify', name: 'senderConstraints', secret }] })))
    expect(`${forged?.message} ${JSON.stringify(forged?.cause)}`).not.toContain('thirty-two')

    const claims = { cnf: { jkt }, email: 'alice@example.com', 'x-private': 'hunter2' }
    const bound = token(claims)
    const answers = await run(
      [leanJwt(options())],
      [bearer(bound), dpopEvent(bound, 'a.b.c'), bearer(token({ ...claims, exp: NOW - 1 })), bearer(`${bound} ${bound}`)],
    )
    expect(answers.responses.every(([status]) => status === 401 || status === 400)).toBe(true)
    for (const body of answers.bodies) {
      for (const secretPart of [bound.split('.')[1] as string, bound.split('.')[2] as string, jkt, 'alice', 'hunter2', 'red-1', 'at ']) {
        expect(body).not.toContain(secretPart)
      }
    }
    const scope = await run([leanOAuthScope({ required: ['orders:write'] })], [loadFixture('http-v2-jwt.json')])
    expect(scope.bodies.join('')).not.toMatch(/sub|claims|jwt/i)
  })
})
