/**
 * Random requirements, claims, policies, route maps and authorizer contexts through real
 * handlers, each decision compared with a small reference model written here: scopes
 * (oauthScope), roles and permissions (rbac), routes (both, beside an HTTP API's route keys),
 * the identity an authorizer hands its target function, the provider's introspection answers
 * (tokenIntrospection), IAM allow-lists (iamContext) and cookie sessions (sessionAuth). Here the
 * models decide both ways: an accept the model refuses is a false accept, a refusal it accepts a
 * broken contract.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import middy from '@middy/core'
import authorizerResponse from '@middy-auth/authorizer'
import iamContext from '@middy-auth/iam-context'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { sessionAuth } from '@middy-auth/oauth-login'
import rbac, { type Policy } from '@middy-auth/rbac'
import tokenIntrospection from '@middy-auth/token-introspection'
import { httpApiEvent, httpAuthorizerEventV2, lambdaContext } from '@middy-auth/testing'
import fc from 'fast-check'
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
// Sessions are sealed as oauth-login seals them, to fuzz what a sealed session holds; no public
// entry seals one (a session comes from a sign-in), so this one import reaches into the source.
// eslint-disable-next-line no-restricted-imports
import { createSealer } from '../../packages/oauth-login/src/sealing.js'
import { protect, type Middleware } from '../support/protect.js'
import { expectBothSides, expectRefusal, FUZZ_TIMEOUT_MS, fuzzParameters, rolesOf, scopesOf } from './support.js'

const ISSUER = 'https://issuer.models.example'
const AUDIENCE = 'models-api'
const SECRET = 'models-fuzz-hmac-secret-0123456789abcdef'
const NOW = Math.floor(Date.now() / 1000)

/** HS256 tokens: signing costs microseconds, so each run can have its own claims. */
const sign = (claims: Record<string, unknown>): string => {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub: 'sub-models-3a1f', exp: NOW + 600, iat: NOW - 5, ...claims })}`
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
}
const verifier = () => jwtVerify({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['HS256'] }] })
const bearer = (token: string, options: Parameters<typeof httpApiEvent>[0] = {}) => httpApiEvent({ ...options, headers: { authorization: `Bearer ${token}` } })

// -------------------------------------------------------------------------------------------
// Scopes
// -------------------------------------------------------------------------------------------

/** Scopes a configuration may require (valid scope-tokens, some differing only in case or by a comma). */
const configScopes = ['orders:read', 'orders:write', 'Orders:Read', 'admin', 'orders/read', 'a,b', 'a', 'b'] as const
const separator = fc.oneof({ weight: 4, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constantFrom('  ', '\t', ',', ', ', '\n', '\u00a0', '+') })

/** A scope claim: often the scopes a requirement names (as a string or a list) with others mixed in, sometimes anything. */
const scopeClaimFor = (wanted: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.subarray([...wanted]),
          fc.array(fc.constantFrom(...configScopes, 'orders:readx', 'ORDERS:READ', ''), { maxLength: 3 }),
          separator,
          fc.boolean(),
        )
        .chain(([some, others, glue, asList]) =>
          fc.shuffledSubarray([...some, ...others], { minLength: some.length + others.length }).map((all) => (asList ? all : all.join(glue))),
        ),
    },
    { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom(...configScopes, 'a b', ''), fc.integer(), fc.constant(null)), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 1, true, {}, 'orders:read,orders:write', '[orders:read]', '["orders:read"]') },
  )

/** Every scope of `required`, and one of `anyOf` when it is given. */
const scopesSatisfy = (held: readonly string[], required: readonly string[], anyOf: readonly string[] | undefined): boolean =>
  required.every((scope) => held.includes(scope)) && (anyOf === undefined || anyOf.some((scope) => held.includes(scope)))

const requirementArbitrary = fc
  .record({
    required: fc.option(fc.uniqueArray(fc.constantFrom(...configScopes), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    anyOf: fc.option(fc.uniqueArray(fc.constantFrom(...configScopes), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  })
  .filter(({ required, anyOf }) => required !== undefined || anyOf !== undefined)

describe('oauthScope against the scope model', () => {
  test(
    'random required / anyOf and random scope claims: accepted exactly when the model says so; 403 insufficient_scope naming the scopes otherwise',
    async () => {
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(
          requirementArbitrary.chain((requirement) =>
            fc.tuple(fc.constant(requirement), scopeClaimFor([...(requirement.required ?? []), ...(requirement.anyOf ?? [])])),
          ),
          async ([{ required, anyOf }, scope]) => {
            const { invoke, seen } = protect([verifier(), oauthScope({ ...(required ? { required } : {}), ...(anyOf ? { anyOf } : {}) } as never)])
            const response = await invoke(bearer(sign(scope === undefined ? {} : { scope })))
            const expected = scopesSatisfy(scopesOf(scope), required ?? [], anyOf)
            if (expected) {
              counts.accepted++
              expect(response.statusCode).toBe(200)
              expect(seen[0]!.scopes).toEqual(scopesOf(scope))
            } else {
              counts.refused++
              expect(expectRefusal(response)).toBe('insufficient_scope')
              expect(seen).toHaveLength(0)
              const challenged = /scope="([^"]*)"/.exec(response.headers!['WWW-Authenticate']!)![1]!.split(' ')
              expect(new Set(challenged)).toEqual(new Set([...(required ?? []), ...(anyOf ?? [])]))
            }
          },
        ),
        fuzzParameters('models:scopes'),
      )
      expectBothSides(counts, 20)
    },
    FUZZ_TIMEOUT_MS,
  )
})

// -------------------------------------------------------------------------------------------
// Roles and permissions
// -------------------------------------------------------------------------------------------

interface ModelRole {
  inherits: string[]
  allow: string[]
  deny: string[]
}

const patterns = ['*', 'orders:*', '*:read', '*:delete', 'orders:read', 'orders:write', 'orders:delete', 'users:read', 'users:*'] as const
const concrete = ['orders', 'users', 'audit'].flatMap((resource) => ['read', 'write', 'delete'].map((action) => `${resource}:${action}`))

/** A policy of up to five roles, each inheriting only from roles before it (so no cycle). */
const policyArbitrary: fc.Arbitrary<Record<string, ModelRole>> = fc.integer({ min: 1, max: 5 }).chain((count) =>
  fc
    .tuple(
      ...Array.from({ length: count }, (_, i) =>
        fc.record({
          inherits: fc.subarray(
            Array.from({ length: i }, (_, j) => `r${j}`),
            { maxLength: Math.min(2, i) },
          ),
          allow: fc.subarray([...patterns], { maxLength: 3 }),
          deny: fc.oneof({ weight: 2, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray([...patterns], { maxLength: 2 }) }),
        }),
      ),
    )
    .map((roles) => Object.fromEntries(roles.map((role, i) => [`r${i}`, role]))),
)

type StaticRequirement = string | string[] | { anyOf: string[] }
const permissionRequirement: fc.Arbitrary<StaticRequirement> = fc.oneof(
  fc.constantFrom(...concrete),
  fc.uniqueArray(fc.constantFrom(...concrete), { minLength: 1, maxLength: 2 }),
  fc.uniqueArray(fc.constantFrom(...concrete), { minLength: 1, maxLength: 2 }).map((anyOf) => ({ anyOf })),
)

/** The roles claim: a list of policy roles and others (case, unknown, empty), or one string. */
const rolesClaim: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.subarray(['r0', 'r1', 'r2', 'r3', 'r4', 'r9', 'R0', '', 'r0 r1', 'r0,r1']) },
  { weight: 1, arbitrary: fc.constantFrom('r0', 'r1', 'r0 r1', 'r0,r1', '["r0"]', '', null, 1, { r0: true }) },
)

const patternMatches = (pattern: string, permission: string): boolean => {
  if (pattern === '*') return true
  const [resource, action] = pattern.split(':')
  const [wantResource, wantAction] = permission.split(':')
  return (resource === '*' || resource === wantResource) && (action === '*' || action === wantAction)
}

/** The rbac model: the held roles and all they inherit; any deny beats every allow. */
const rbacAllows = (policy: Record<string, ModelRole>, held: readonly string[], requirement: StaticRequirement): boolean => {
  const applied = new Set<string>()
  const visit = (role: string) => {
    if (applied.has(role) || !(role in policy)) return
    applied.add(role)
    for (const parent of policy[role]!.inherits) visit(parent)
  }
  for (const role of held) if (Object.hasOwn(policy, role)) visit(role)
  const rules = [...applied].map((role) => policy[role]!)
  const allows = (permission: string) =>
    !rules.some((rule) => rule.deny.some((pattern) => patternMatches(pattern, permission))) &&
    rules.some((rule) => rule.allow.some((pattern) => patternMatches(pattern, permission)))
  if (typeof requirement === 'string') return allows(requirement)
  if (Array.isArray(requirement)) return requirement.every(allows)
  return requirement.anyOf.some(allows)
}

const toPolicy = (model: Record<string, ModelRole>): Policy => ({ roles: model })

describe('rbac against the role model', () => {
  test(
    'random policies, roles claims and requirements: accepted exactly when the model says so; 403 access_denied otherwise',
    async () => {
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(policyArbitrary, rolesClaim, permissionRequirement, async (model, roles, requirement) => {
          const { invoke, seen } = protect([verifier(), rbac({ policy: toPolicy(model), rolesFrom: 'roles', required: requirement })])
          const response = await invoke(bearer(sign({ roles })))
          if (rbacAllows(model, rolesOf(roles), requirement)) {
            counts.accepted++
            expect(response.statusCode).toBe(200)
            expect(seen).toHaveLength(1)
          } else {
            counts.refused++
            expect(expectRefusal(response)).toBe('access_denied')
            expect(seen).toHaveLength(0)
          }
        }),
        fuzzParameters('models:rbac'),
      )
      expectBothSides(counts, 20)
    },
    FUZZ_TIMEOUT_MS,
  )
})

// -------------------------------------------------------------------------------------------
// Route maps beside an HTTP API's route keys
// -------------------------------------------------------------------------------------------

const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as const

/**
 * Deployed routes, each under its own first segment (so the gateway's choice is never in
 * doubt): a template, and the methods it is deployed for (`ANY` among them, maybe).
 */
const routesArbitrary = fc
  .uniqueArray(
    fc.record({
      segment: fc.constantFrom('orders', 'users', 'files', 'admin', 'health', 'reports'),
      rest: fc.constantFrom('', '/{id}', '/items', '/{id}/items'),
      methods: fc.uniqueArray(fc.constantFrom(...methods, 'ANY'), { minLength: 1, maxLength: 3 }),
      listed: fc.boolean(),
      scopes: fc.subarray(['orders:read', 'orders:write'], { minLength: 1 }),
      permission: fc.constantFrom(...concrete),
    }),
    { minLength: 1, maxLength: 4, selector: (route) => route.segment },
  )
  .filter((routes) => routes.some((route) => route.listed)) // a map listing nothing is a configuration error

describe('route maps (oauthScope and rbac) against the route model', () => {
  test(
    'random maps, defaults and requests: each request meets the requirement of the route the gateway chose, or its default',
    async () => {
      const counts = { accepted: 0, refused: 0 }
      // A route the map does not list is logged once per middleware: kept out of the test's output, and checked.
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
      let warnings: string[]
      try {
        await fc.assert(
          fc.asyncProperty(
            routesArbitrary,
            fc.option(fc.record({ scopes: fc.subarray(['orders:read', 'orders:write'], { minLength: 1 }), permission: fc.constantFrom(...concrete) }), {
              nil: undefined,
            }),
            fc.nat(),
            fc.constantFrom(...methods),
            fc.constantFrom('42', 'abc', 'x%2Fy', 'items'),
            fc.subarray(['orders:read', 'orders:write']),
            fc.subarray(['r0', 'r1']),
            async (routes, fallback, pick, method, id, held, roles) => {
              const policy: Policy = { roles: { r0: { allow: ['orders:*'] }, r1: { allow: ['users:read', 'audit:*'], deny: ['orders:delete'] } } }
              const scopeMap: Record<string, string[]> = {}
              const permissionMap: Record<string, string> = {}
              for (const route of routes) {
                if (!route.listed) continue
                // In the order @middy/http-router needs (a configuration error otherwise): ANY first on a
                // literal path (the last route written wins), last on a template (the first that matches wins).
                const anyFirst = route.rest.includes('{') ? -1 : 1
                for (const routeMethod of [...route.methods].sort((a, b) => anyFirst * (Number(b === 'ANY') - Number(a === 'ANY')))) {
                  scopeMap[`${routeMethod} /${route.segment}${route.rest}`] = route.scopes
                  permissionMap[`${routeMethod} /${route.segment}${route.rest}`] = route.permission
                }
              }
              const { invoke, seen } = protect([
                verifier(),
                oauthScope({ routes: scopeMap, ...(fallback ? { routesDefault: fallback.scopes } : {}) }),
                rbac({ policy, rolesFrom: 'roles', routes: permissionMap, ...(fallback ? { routesDefault: fallback.permission } : {}) }),
              ])
              // The request: a deployed route, a method it takes; the gateway names the exact method's route, else ANY's.
              const route = routes[pick % routes.length]!
              const requestMethod = route.methods.includes(method) || route.methods.includes('ANY') ? method : (route.methods[0] as string)
              const keyMethod = (route.methods as readonly string[]).includes(requestMethod) ? requestMethod : 'ANY'
              const template = `/${route.segment}${route.rest}`
              const path = template.replace('{id}', id)
              const event = bearer(sign({ scope: held.join(' '), roles }), {
                method: requestMethod,
                path,
                routeKey: `${keyMethod} ${template}`,
                ...(route.rest.includes('{id}') ? { pathParameters: { id } } : {}),
              })
              const response = await invoke(event)

              const requirement = route.listed ? { scopes: route.scopes, permission: route.permission } : fallback
              const expected =
                requirement !== undefined &&
                scopesSatisfy(held, requirement.scopes, undefined) &&
                rbacAllows(
                  { r0: { inherits: [], allow: ['orders:*'], deny: [] }, r1: { inherits: [], allow: ['users:read', 'audit:*'], deny: ['orders:delete'] } },
                  roles,
                  requirement.permission,
                )
              if (expected) {
                counts.accepted++
                expect(response.statusCode).toBe(200)
                expect(seen).toHaveLength(1)
              } else {
                counts.refused++
                expect(['insufficient_scope', 'access_denied']).toContain(expectRefusal(response))
                expect(seen).toHaveLength(0)
              }
            },
          ),
          fuzzParameters('models:routes'),
        )
      } finally {
        warnings = warn.mock.calls.map(([message]) => String(message))
        warn.mockRestore()
      }
      for (const message of warnings) expect(message).toMatch(/has no entry for the gateway's route "[A-Z]+ \/[a-z]+/)
      expectBothSides(counts, 20)
    },
    FUZZ_TIMEOUT_MS,
  )
})

// -------------------------------------------------------------------------------------------
// Authorizer contexts: what the target function rebuilds
// -------------------------------------------------------------------------------------------

/** Claim values that are easy to misread on the way through a context. */
const trickyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('r0', 'Not Admins', 'r0,r1', '[r0 r1]', '["r0"]', '["r0","r1"]', '', 'true', '1', 'null', '{"r0":1}', '__proto__'),
  fc.subarray(['r0', 'r1', 'Not Admins', 'a,b', '']),
  fc.constantFrom(true, false, 0, 1.5, -1, null),
  fc.dictionary(fc.constantFrom('a', 'b', '__proto__'), fc.constantFrom('r0', 1, true)),
  fc.string({ maxLength: 10 }),
)

describe('authorizer contexts: the target function decides as the token would', () => {
  test(
    'random claims through jwtVerify and authorizerResponse, then oauthScope and rbac in the target (HTTP API)',
    async () => {
      const policy: Policy = { roles: { r0: { allow: ['orders:read'] }, r1: { allow: ['orders:*'] } } }
      const authorizer = middy()
        .use(verifier() as Middleware)
        .use(authorizerResponse({ contextClaims: ['groups', 'tenant', 'scope'], logger: () => undefined }) as Middleware)
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(trickyValue, fc.constantFrom(['r0'], 'r1', ['x', 'r1'])),
          trickyValue,
          scopeClaimFor(['orders:read']),
          async (groups, tenant, scope) => {
            const claims = Object.fromEntries(Object.entries({ groups, tenant, scope }).filter(([, value]) => value !== undefined))
            const token = sign(claims)
            const answer = (await authorizer(httpAuthorizerEventV2({ bearer: token }) as never, lambdaContext() as never)) as {
              isAuthorized: boolean
              context: Record<string, unknown>
            }
            expect(answer.isAuthorized).toBe(true)
            expect(JSON.stringify(answer)).not.toContain(token)

            const { invoke, seen } = protect([oauthScope({ required: ['orders:read'] }), rbac({ policy, rolesFrom: 'groups', required: 'orders:read' })])
            const response = await invoke(httpApiEvent({ authorizer: { lambda: answer.context } }))
            const expected = scopesOf(scope).includes('orders:read') && rolesOf(groups).some((role) => role === 'r0' || role === 'r1')
            if (expected) {
              counts.accepted++
              expect(response.statusCode).toBe(200)
              const auth = seen[0]!
              expect(auth.source).toBe('lambda-authorizer')
              expect(auth.subject).toBe('sub-models-3a1f')
              expect(auth.scopes).toEqual(scopesOf(scope))
              // The claims come back with the types the token gave them; an object as its JSON text, a
              // null not at all (a context holds strings, numbers and booleans; README).
              for (const [name, value] of Object.entries(claims)) {
                const expected = value === null ? undefined : typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value
                expect(auth.claims[name]).toEqual(expected)
              }
            } else {
              counts.refused++
              expect(['insufficient_scope', 'access_denied']).toContain(expectRefusal(response))
              expect(seen).toHaveLength(0)
            }
          },
        ),
        fuzzParameters('models:authorizer-context'),
      )
      expectBothSides(counts, 10)
    },
    FUZZ_TIMEOUT_MS,
  )
})

// -------------------------------------------------------------------------------------------
// Token introspection: the provider's answers
// -------------------------------------------------------------------------------------------

/** An answer field: absent most of the time when `usual` is undefined, else usually `usual`. */
const field = (usual: unknown, others: readonly unknown[]) =>
  fc.oneof({ weight: 10, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) })

const answerArbitrary = fc.record({
  active: field(true, [false, 'true', 1, null, undefined]),
  iss: field(ISSUER, [`${ISSUER}/`, 'https://evil.example', null, undefined]),
  aud: field(AUDIENCE, [[AUDIENCE, 'other'], ['other'], 'other', [], null, undefined]),
  sub: field('sub-introspected-62d0', [1, null, '', undefined]),
  exp: field(NOW + 600, [NOW - 600, NOW - 3, NOW - 6, String(NOW + 600), 1e308, null, undefined]),
  nbf: field(undefined, [NOW + 600, NOW + 3, NOW - 10, 'x']),
  iat: field(undefined, [NOW + 600, NOW - 10, '1']),
  cnf: field(undefined, [{ jkt: 'x' }, {}, null]),
  token_type: field(undefined, ['Bearer', 'bearer', 'DPoP', 'refresh_token', 1]),
  scope: scopeClaimFor(['orders:read']),
})
type IntrospectionAnswer = Record<string, unknown>

/** RFC 7662 and docs/security.md: only `active: true`, then a bearer token for this issuer and audience, unexpired. */
const answerAccepted = (answer: IntrospectionAnswer, tolerance = 5): boolean => {
  const time = (value: unknown) => value === undefined || (typeof value === 'number' && value <= NOW + tolerance)
  const aud = answer.aud
  return (
    answer.active === true &&
    answer.cnf === undefined &&
    (answer.token_type === undefined || (typeof answer.token_type === 'string' && answer.token_type.toLowerCase() === 'bearer')) &&
    answer.iss === ISSUER &&
    (aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE))) &&
    typeof answer.exp === 'number' &&
    answer.exp > NOW - tolerance &&
    time(answer.nbf) &&
    time(answer.iat) &&
    (answer.sub === undefined || typeof answer.sub === 'string')
  )
}

describe('tokenIntrospection against the RFC 7662 answer model', () => {
  let server: Server
  let endpoint: string
  let answer: IntrospectionAnswer = {}
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        response.setHeader('content-type', 'application/json')
        response.end(JSON.stringify(answer))
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
    'random answers: the handler runs exactly when the answer and the scope model accept, with the subject of the answer',
    async () => {
      const { invoke, seen } = protect([
        tokenIntrospection({
          endpoint,
          issuer: ISSUER,
          clientId: 'api',
          clientSecret: 'introspection-secret',
          audience: AUDIENCE,
          cache: false,
          clock: () => NOW * 1000,
        }) as Middleware,
        oauthScope({ required: ['orders:read'] }),
      ])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(answerArbitrary, async (generated) => {
          answer = Object.fromEntries(Object.entries(generated).filter(([, value]) => value !== undefined))
          const before = seen.length
          const response = await invoke(bearer('opaque-token-for-models-5a'))
          if (answerAccepted(answer) && scopesOf(answer.scope).includes('orders:read')) {
            counts.accepted++
            expect(response.statusCode).toBe(200)
            expect(seen[before]).toMatchObject({ source: 'introspection', subject: answer.sub ?? '', issuer: ISSUER })
          } else {
            counts.refused++
            expect(['invalid_token', 'insufficient_scope']).toContain(expectRefusal(response, ['opaque-token-for-models-5a', 'introspection-secret']))
            expect(seen).toHaveLength(before)
          }
        }),
        fuzzParameters('models:introspection'),
      )
      expectBothSides(counts, 10)
    },
    FUZZ_TIMEOUT_MS,
  )
})

// -------------------------------------------------------------------------------------------
// IAM callers and allow-lists
// -------------------------------------------------------------------------------------------

const accounts = ['123456789012', '210987654321', '012345678901'] as const

/** A caller ARN: a role session, a user under a path, or the account's root. */
const callerArbitrary = fc
  .record({
    account: fc.constantFrom(...accounts),
    kind: fc.constantFrom('assumed-role', 'user', 'root'),
    name: fc.constantFrom('Admin', 'OrdersWriter', 'Orders', 'admin', 'ops/alice', 'ops/team/bob', 'alice'),
    session: fc.constantFrom('s1', 'batch-7', 'a.b@example.com', 'x=y,z'),
  })
  .map(({ account, kind, name, session }) =>
    kind === 'assumed-role'
      ? `arn:aws:sts::${account}:assumed-role/${name.replace(/\//g, '')}/${session}`
      : kind === 'user'
        ? `arn:aws:iam::${account}:user/${name}`
        : `arn:aws:iam::${account}:root`,
  )

/** An allow-list pattern: a caller ARN with parts replaced by `*` (never the account). */
const principalPattern = fc
  .record({
    account: fc.constantFrom(...accounts),
    kind: fc.constantFrom('assumed-role', 'user', 'root'),
    name: fc.constantFrom('Admin', 'Orders*', '*', 'ops/*', 'ops/team/*', '*Writer', 'alice', 'A*n'),
    session: fc.constantFrom('*', 's1', 'batch-*'),
  })
  .map(({ account, kind, name, session }) =>
    kind === 'assumed-role'
      ? `arn:aws:sts::${account}:assumed-role/${name.replace(/\//g, '')}/${session}`
      : kind === 'user'
        ? `arn:aws:iam::${account}:user/${name}`
        : `arn:aws:iam::${account}:root`,
  )

/** The README's rule: `*` is any run of characters within one part of the ARN, never across a `:`; case-sensitive. */
const principalMatches = (pattern: string, arn: string): boolean => {
  // Between two `*` (or an end), a literal run must appear in order; `:` only where the pattern has it.
  const literals = pattern.split('*')
  if (!arn.startsWith(literals[0]!)) return false
  let at = literals[0]!.length
  for (const [i, literal] of literals.slice(1).entries()) {
    const last = i === literals.length - 2
    const found = last ? (arn.endsWith(literal) && arn.length - literal.length >= at ? arn.length - literal.length : -1) : arn.indexOf(literal, at)
    if (found === -1 || arn.slice(at, found).includes(':')) return false
    at = found + literal.length
  }
  return at === arn.length
}

describe('iamContext against the allow-list model', () => {
  test(
    'random callers, account lists and principal patterns: accepted exactly when every given list lets the caller through',
    async () => {
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(
          callerArbitrary,
          fc.option(fc.uniqueArray(fc.constantFrom(...accounts), { minLength: 1 }), { nil: undefined }),
          fc.option(fc.uniqueArray(principalPattern, { minLength: 1, maxLength: 3 }), { nil: undefined }),
          async (arn, allowAccounts, allowPrincipals) => {
            const { invoke, seen } = protect([
              iamContext({ ...(allowAccounts ? { allowAccounts } : {}), ...(allowPrincipals ? { allowPrincipals } : {}) }) as Middleware,
            ])
            const accountId = arn.split(':')[4]!
            const response = await invoke(
              httpApiEvent({
                authorizer: {
                  iam: {
                    accessKey: 'ASIAFUZZ',
                    accountId,
                    callerId: 'AROAFUZZ:s',
                    cognitoIdentity: null,
                    principalOrgId: null,
                    userArn: arn,
                    userId: 'AROAFUZZ:s',
                  },
                },
              }),
            )
            const expected =
              (allowAccounts === undefined || allowAccounts.includes(accountId as never)) &&
              (allowPrincipals === undefined || allowPrincipals.some((pattern) => principalMatches(pattern, arn)))
            if (expected) {
              counts.accepted++
              expect(response.statusCode).toBe(200)
              expect(seen[0]).toMatchObject({ source: 'iam', subject: arn })
            } else {
              counts.refused++
              expect(expectRefusal(response)).toBe('access_denied')
              expect(seen).toHaveLength(0)
            }
          },
        ),
        fuzzParameters('models:iam'),
      )
      expectBothSides(counts, 20)
    },
    FUZZ_TIMEOUT_MS,
  )
})

// -------------------------------------------------------------------------------------------
// Cookie sessions: the granted scopes and the ID token's claims
// -------------------------------------------------------------------------------------------

describe('sessionAuth against the scope and role models', () => {
  const secret = 'models-session-secret-0123456789-abcdefghijkl'
  // The provider is never reached: no access token expires during the run.
  const config = { issuer: 'http://127.0.0.1:9/', clientId: 'web', clientSecret: 'secret', secret, redirectUri: 'https://app.example.test/auth/callback' }
  const sealer = createSealer([secret], 'session', { issuer: new URL(config.issuer).href, clientId: config.clientId })

  test(
    'random granted scopes and roles claims sealed in a session: oauthScope and rbac decide as the models do',
    async () => {
      const policy: Policy = { roles: { r0: { allow: ['orders:read'] }, r1: { allow: ['orders:*'], deny: ['orders:read'] } } }
      const { invoke, seen } = protect([
        sessionAuth(config) as Middleware,
        oauthScope({ required: ['orders:read'] }),
        rbac({ policy, rolesFrom: 'roles', required: 'orders:read' }),
      ])
      const counts = { accepted: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(
          scopeClaimFor(['openid', 'orders:read']).filter((scope): scope is string => typeof scope === 'string'),
          fc.oneof(rolesClaim, fc.constantFrom(['r0'], 'r0', ['r0', 'r1'])),
          async (scope, roles) => {
            const now = Date.now()
            const idToken = sign({ sub: 'session-models-8c', roles })
            const data = { sub: 'session-models-8c', iss: config.issuer, idToken, accessToken: 'at', scope, signedInAt: Math.floor(now / 1000) }
            const sealed = await sealer.seal(data, now, Math.floor(now / 1000) + 3600)
            const before = seen.length
            const response = await invoke(httpApiEvent({ cookies: { '__Host-session': sealed } }))
            const held = rolesOf(roles)
            const expected = scopesOf(scope).includes('orders:read') && held.includes('r0') && !held.includes('r1')
            if (expected) {
              counts.accepted++
              expect(response.statusCode).toBe(200)
              expect(seen[before]).toMatchObject({ source: 'session', subject: 'session-models-8c', scopes: scopesOf(scope) })
            } else {
              counts.refused++
              expect(['insufficient_scope', 'access_denied']).toContain(expectRefusal(response, [sealed]))
              expect(seen).toHaveLength(before)
            }
          },
        ),
        fuzzParameters('models:session'),
      )
      expectBothSides(counts, 10)
    },
    FUZZ_TIMEOUT_MS,
  )
})
