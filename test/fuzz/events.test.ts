/**
 * Random event shapes through every package's middleware: each recorded AWS event of
 * test/fixtures/aws-events, with a valid credential planted where its kind carries one, then
 * reshaped (null or missing headers, multi-value headers, the header twice, no
 * `requestContext`, wrong types) and with fields replaced by hostile values anywhere; and
 * values that are not events at all.
 *
 * Invariants, for every package: never a 5xx (nor, for the authorizer, an error API Gateway
 * turns into a 500); the handler runs only with the identity the planted credential proves (or,
 * behind a gateway authorizer or IAM, one that meets the configured requirement); every refusal
 * keeps the AuthError contract and shows neither the credential nor a stack.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import authorizerResponse, { type AuthorizerLogEntry } from '@middy-auth/authorizer'
import iamContext from '@middy-auth/iam-context'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { sessionAuth } from '@middy-auth/oauth-login'
import rbac, { type Policy } from '@middy-auth/rbac'
import tokenIntrospection from '@middy-auth/token-introspection'
import { generateKeyPair, jwksOf, lambdaContext, signToken } from '@middy-auth/testing'
import fc from 'fast-check'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
// Sessions are sealed as oauth-login seals them, to fuzz what a sealed session holds; no public
// entry seals one (a session comes from a sign-in), so this one import reaches into the source.
// eslint-disable-next-line no-restricted-imports
import { createSealer } from '../../packages/oauth-login/src/sealing.js'
import { fixtureNames, loadFixture } from '../support/fixtures.js'
import { protect, type Middleware, type Response } from '../support/protect.js'
import { applyEdits, changeShape, eventEdit, expectBothSides, expectRefusal, FUZZ_TIMEOUT_MS, fuzzParameters, hostileValue, shapeChange } from './support.js'

const ISSUER = 'https://issuer.fuzz.example'
const AUDIENCE = 'fuzz-api'
const SUBJECT = 'sub-events-41c9'

/** Every recorded request event (the authorizer responses are answers, not events). */
const requestEventNames = fixtureNames().filter((name) => !name.startsWith('authorizer-response'))
const fixtures = new Map(requestEventNames.map((name) => [name, loadFixture(name)]))

/**
 * The fixture with `credential` everywhere its kind carries one: the Authorization header (in
 * `headers` and `multiValueHeaders`), a TOKEN or AppSync event's `authorizationToken`, an
 * authorizer event's `identitySource`, and the cookie session's cookie.
 */
const plant = (name: string, authorization: string | undefined, cookie: string | undefined): Record<string, any> => {
  const event: Record<string, any> = structuredClone(fixtures.get(name)!)
  if (authorization !== undefined) {
    if (event.headers && typeof event.headers === 'object') {
      for (const key of Object.keys(event.headers)) if (key.toLowerCase() === 'authorization') delete event.headers[key]
      event.headers.authorization = authorization
    }
    if (event.multiValueHeaders && typeof event.multiValueHeaders === 'object') {
      for (const key of Object.keys(event.multiValueHeaders)) if (key.toLowerCase() === 'authorization') delete event.multiValueHeaders[key]
      event.multiValueHeaders.authorization = [authorization]
    }
    if (typeof event.authorizationToken === 'string') event.authorizationToken = authorization
    if (Array.isArray(event.identitySource)) event.identitySource = [authorization]
    else if (typeof event.identitySource === 'string') event.identitySource = authorization
    if (event.requestHeaders && typeof event.requestHeaders === 'object') event.requestHeaders.authorization = authorization
  }
  if (cookie !== undefined) {
    if (Array.isArray(event.cookies) || event.version === '2.0') event.cookies = [cookie]
    event.headers = { ...event.headers, cookie }
    if (event.multiValueHeaders) event.multiValueHeaders = { ...event.multiValueHeaders, cookie: [cookie] }
  }
  return event
}

/** A fixture with the credential planted, then reshaped and edited; or anything at all. */
const eventArbitrary = (names: readonly string[], authorization: string | undefined, cookie?: string) =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .record({ name: fc.constantFrom(...names), shape: shapeChange, edits: fc.array(eventEdit, { maxLength: 3 }) })
        .map(({ name, shape, edits }) => applyEdits(changeShape(plant(name, authorization, cookie), shape, authorization), edits)),
    },
    { weight: 1, arbitrary: fc.oneof(fc.anything(), hostileValue) },
  )

const policy: Policy = {
  roles: {
    reader: { allow: ['orders:read'] },
    admin: { inherits: ['reader'], allow: ['*'] },
    editor: { allow: ['orders:*'], deny: ['orders:delete'] },
  },
}

const key = generateKeyPair('ES256', { kid: 'kid-events-fuzz' })
const verifier = () => jwtVerify({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), algorithms: ['ES256'] }] })

let token: string
beforeAll(async () => {
  token = await signToken({ sub: SUBJECT, scope: 'orders:read', roles: ['reader'] }, { key, issuer: ISSUER, audience: AUDIENCE })
})

/** Checks one answer of a protected handler: an accept with `expectIdentity`, or a refusal by the contract. */
const judge = (
  response: Response,
  seen: unknown[],
  before: number,
  counts: { accepted: number; refused: number },
  secrets: string[],
  expectIdentity: (auth: any) => void,
) => {
  if (response.statusCode === 200) {
    counts.accepted++
    expect(seen).toHaveLength(before + 1)
    expectIdentity(seen[before])
  } else {
    counts.refused++
    expect(seen).toHaveLength(before)
    expectRefusal(response, secrets)
  }
}

const httpFixtures = requestEventNames.filter((name) => !name.startsWith('authorizer-'))

describe('random event shapes: jwtVerify, oauthScope and rbac', () => {
  test(
    'a valid bearer token planted in any event: the handler sees its identity, or the request is refused by the contract',
    async () => {
      const { invoke, seen } = protect([verifier(), oauthScope({ required: ['orders:read'] }), rbac({ policy, rolesFrom: 'roles', required: 'orders:read' })])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(eventArbitrary(requestEventNames, `Bearer ${token}`), async (event) => {
          const before = seen.length
          judge(await invoke(event), seen, before, counts, [token, token.split('.')[2]!, SUBJECT], (auth) => {
            expect(auth.source).toBe('jwt')
            expect(auth.subject).toBe(SUBJECT)
            expect(auth.permissions).toContain('orders:read')
          })
        }),
        fuzzParameters('events:jwt'),
      )
      expectBothSides(counts)
    },
    FUZZ_TIMEOUT_MS,
  )

  test(
    'behind a gateway authorizer (no jwtVerify): an accept only for an identity that holds the scope and the permission',
    async () => {
      const { invoke, seen } = protect([
        oauthScope({ anyOf: ['orders:read', 'https://api.example.com/orders.read'] }),
        rbac({ policy, rolesFrom: ['cognito:groups', 'roles'], required: 'orders:read' }),
      ])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(eventArbitrary(requestEventNames, undefined), async (event) => {
          const before = seen.length
          judge(await invoke(event), seen, before, counts, [], (auth) => {
            expect(['apigateway', 'lambda-authorizer']).toContain(auth.source)
            expect(auth.scopes.some((scope: string) => scope === 'orders:read' || scope === 'https://api.example.com/orders.read')).toBe(true)
            expect(auth.permissions).toContain('orders:read')
            expect(auth.roles.some((role: string) => ['reader', 'admin', 'editor'].includes(role))).toBe(true)
          })
        }),
        fuzzParameters('events:gateway'),
      )
      expectBothSides(counts)
    },
    FUZZ_TIMEOUT_MS,
  )
})

describe('random event shapes: iamContext', () => {
  test(
    'an accept only for a SigV4 caller of an allowed account, with its identity parsed from the event',
    async () => {
      const allowed = ['123456789012', '111122223333']
      const { invoke, seen } = protect([iamContext({ allowAccounts: allowed })])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(eventArbitrary(requestEventNames, undefined), async (event) => {
          const before = seen.length
          judge(await invoke(event), seen, before, counts, [], (auth) => {
            expect(auth.source).toBe('iam')
            expect(allowed).toContain(auth.iam.accountId)
            expect(auth.subject).toBe(auth.iam.arn)
            expect(auth.iam.arn).toMatch(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:/)
          })
        }),
        fuzzParameters('events:iam'),
      )
      expectBothSides(counts)
    },
    FUZZ_TIMEOUT_MS,
  )
})

describe('random event shapes: authorizerResponse', () => {
  const authorizerFixtures = requestEventNames.filter((name) => name.startsWith('authorizer-'))

  test(
    'an Allow only for the planted token, and only Unauthorized or an answer: never an error the gateway makes a 500',
    async () => {
      const logs: AuthorizerLogEntry[] = []
      const handler = middy()
        .use(verifier() as Middleware)
        .use(rbac({ policy, rolesFrom: 'roles', required: 'orders:read' }) as Middleware)
        .use(authorizerResponse({ logger: (entry) => void logs.push(entry) }) as Middleware)
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 4, arbitrary: eventArbitrary(authorizerFixtures, `Bearer ${token}`) },
            { weight: 1, arbitrary: eventArbitrary(httpFixtures, `Bearer ${token}`) },
          ),
          async (event) => {
            let answer: any
            try {
              answer = await handler(event as never, lambdaContext() as never)
            } catch (error) {
              expect((error as Error).message).toBe('Unauthorized')
              counts.refused++
              return
            }
            expect(answer).toBeDefined()
            const text = JSON.stringify(answer)
            const allows =
              answer.isAuthorized === true || (answer.policyDocument?.Statement ?? []).some((statement: { Effect: string }) => statement.Effect === 'Allow')
            if (allows) {
              counts.accepted++
              // The identity the gateway hands on is the token's, and the token was in the event.
              expect(text).toContain(SUBJECT)
              expect(JSON.stringify(event)).toContain(token)
            } else counts.refused++
            expect(text).not.toContain(token)
          },
        ),
        fuzzParameters('events:authorizer'),
      )
      expectBothSides(counts)
      for (const entry of logs) expect(JSON.stringify(entry)).not.toContain(token)
    },
    FUZZ_TIMEOUT_MS,
  )
})

describe('random event shapes: sessionAuth', () => {
  const secret = 'fuzz-session-secret-0123456789-abcdefghijklmnop'
  // The provider is never reached: the session's access token does not expire during the run.
  const config = { issuer: 'http://127.0.0.1:9/', clientId: 'web', clientSecret: 'secret', secret, redirectUri: 'https://app.example.test/auth/callback' }
  let cookie: string

  beforeAll(async () => {
    const now = Date.now()
    const idToken = await signToken({ sub: 'session-user-5e2a', email: 'user@example.test' }, { key, issuer: config.issuer, audience: config.clientId })
    const data = {
      sub: 'session-user-5e2a',
      iss: config.issuer,
      idToken,
      accessToken: 'session-access-token-9f1b',
      scope: 'openid orders:read',
      signedInAt: Math.floor(now / 1000),
    }
    const sealed = await createSealer([secret], 'session', { issuer: new URL(config.issuer).href, clientId: config.clientId }).seal(
      data,
      now,
      Math.floor(now / 1000) + 3600,
    )
    cookie = `__Host-session=${sealed}`
  })

  test(
    'a valid session cookie planted in any event: the handler sees the session user, or 401 login_required / 403 access_denied',
    async () => {
      const { invoke, seen } = protect([sessionAuth(config) as Middleware])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(eventArbitrary(httpFixtures, undefined, cookie), async (event) => {
          const before = seen.length
          const response = await invoke(event)
          judge(response, seen, before, counts, [cookie.slice('__Host-session='.length), 'session-access-token-9f1b'], (auth) => {
            expect(auth.source).toBe('session')
            expect(auth.subject).toBe('session-user-5e2a')
          })
          if (response.statusCode !== 200) expect(['login_required', 'access_denied']).toContain(JSON.parse(response.body!).error)
        }),
        fuzzParameters('events:session'),
      )
      expectBothSides(counts)
    },
    FUZZ_TIMEOUT_MS,
  )
})

describe('random event shapes: tokenIntrospection', () => {
  const good = 'opaque-good-token-1b7e93c2'
  let server: Server
  let endpoint: string
  let calls = 0

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk))
      request.on('end', () => {
        calls++
        const active = new URLSearchParams(body).get('token') === good
        response.setHeader('content-type', 'application/json')
        response.end(
          JSON.stringify(
            active ? { active: true, sub: 'intro-user-77', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600, scope: 'orders:read' } : { active: false },
          ),
        )
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  test(
    'an opaque token planted in any event: the handler sees the identity the provider vouched for, or a refusal by the contract',
    async () => {
      const { invoke, seen } = protect([
        tokenIntrospection({ endpoint, clientId: 'api', clientSecret: 'introspection-secret', audience: AUDIENCE }) as Middleware,
        oauthScope({ required: ['orders:read'] }),
      ])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(eventArbitrary(requestEventNames, `Bearer ${good}`), async (event) => {
          const before = seen.length
          judge(await invoke(event), seen, before, counts, [good, 'introspection-secret'], (auth) => {
            expect(auth.source).toBe('introspection')
            expect(auth.subject).toBe('intro-user-77')
            expect(JSON.stringify(event)).toContain(good)
          })
        }),
        fuzzParameters('events:introspection'),
      )
      expectBothSides(counts)
      // The cache answers repeats: one call for the good token, and bad values never reach it.
      expect(calls).toBeLessThan(5)
    },
    FUZZ_TIMEOUT_MS,
  )
})
