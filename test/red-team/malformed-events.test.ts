// Red team, round 3: malformed events against the code the round moved (core's route-key
// grammar and ARN reader, the authorizer context's decoder, trustApiGateway's gateway reader,
// route maps behind feature slots, rbac's synchronous before()). Real AWS fixtures with one or two
// fields replaced by anything (null, numbers, lists, objects, long or odd strings): through real
// middy() handlers, every answer is 200 or a 4xx, never a 500, and a 200 carries an identity.
import { describe, expect, test } from '@jest/globals'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
import fc from 'fast-check'
import { readdirSync } from 'node:fs'
import { loadFixture } from '../support/fixtures.js'
import { protect, type Middleware } from '../support/protect.js'

// Where optional features sit behind imports (feat/bundle), import them; elsewhere they are built in.
for (const subpath of ['@middy-auth/jwt-verify/api-gateway', '@middy-auth/oauth-scope/routes', '@middy-auth/rbac/routes']) {
  await import(subpath).catch(() => undefined)
}

const requestFixtures = readdirSync(new URL('../fixtures/aws-events/', import.meta.url)).filter(
  (name) => name.endsWith('.json') && !name.startsWith('authorizer-response') && !name.startsWith('authorizer-'),
)

const paths = [
  ['requestContext', 'authorizer'],
  ['requestContext', 'authorizer', 'jwt'],
  ['requestContext', 'authorizer', 'jwt', 'claims'],
  ['requestContext', 'authorizer', 'jwt', 'scopes'],
  ['requestContext', 'authorizer', 'lambda'],
  ['requestContext', 'authorizer', 'lambda', 'roles'],
  ['requestContext', 'authorizer', 'lambda', 'middyAuthContext'],
  ['requestContext', 'authorizer', 'lambda', 'middyAuthLists'],
  ['requestContext', 'authorizer', 'claims'],
  ['requestContext', 'authorizer', 'principalId'],
  ['requestContext', 'authorizer', 'roles'],
  ['requestContext', 'authorizer', 'scopes'],
  ['requestContext', 'routeKey'],
  ['routeKey'],
  ['requestContext', 'http'],
  ['requestContext', 'http', 'method'],
  ['requestContext', 'http', 'path'],
  ['requestContext', 'httpMethod'],
  ['requestContext', 'resourcePath'],
  ['requestContext', 'stage'],
  ['rawPath'],
  ['path'],
  ['resource'],
  ['httpMethod'],
  ['headers'],
  ['headers', 'authorization'],
  ['multiValueHeaders'],
  ['cookies'],
] as const

const oddStrings = fc.constantFrom(
  '',
  ' ',
  '*',
  '$default',
  '$connect',
  'GET /orders/{id}',
  'ANY /{proxy+}',
  '/orders//1',
  '/orders/1/',
  '__proto__',
  'constructor',
  '[',
  '["admin"]',
  '[1,2]',
  '{"a":1}',
  '1',
  'x'.repeat(20_000),
  'GET',
  'get',
  'Bearer ',
  'Bearer a.b.c',
  '\u0000',
  'é',
  '\ud800',
)
const anyValue = fc.oneof(fc.anything({ maxDepth: 2 }), oddStrings, fc.constant(null), fc.constant(Object.create(null)), fc.array(oddStrings, { maxLength: 3 }))

const setPath = (target: Record<string, any>, path: readonly string[], value: unknown): void => {
  let node = target
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {}
    node = node[key]
  }
  node[path.at(-1) as string] = value
}

const mutatedEvent = fc
  .record({
    fixture: fc.constantFrom(...requestFixtures),
    edits: fc.array(fc.tuple(fc.constantFrom(...paths), anyValue), { minLength: 1, maxLength: 2 }),
  })
  .map(({ fixture, edits }) => {
    const event = loadFixture(fixture)
    for (const [path, value] of edits) setPath(event, path, value)
    return { fixture, edits, event }
  })

// The fixtures' own routes need scopes some of them hold; others need scopes nobody holds.
const routes = {
  'POST /cognito': ['https://api.example.com/orders.read'],
  'POST /lambda-token': ['orders:read'],
  'GET /orders/{id}': ['orders:read'],
  $default: ['admin'],
}
const policy = { roles: { admin: { allow: ['*'] }, reader: { allow: ['orders:read'] } } }
// rbac's requirement option: 'require' on main, 'required' with feat/config.
const requirementOption = (() => {
  try {
    rbac({ policy, required: [] } as never)
    return 'required'
  } catch {
    return 'require'
  }
})()

const stacks: Array<[string, () => Middleware[]]> = [
  [
    'jwtVerify trusting the gateway, then oauthScope with routes',
    () => [jwtVerify({ issuers: [], trustApiGateway: true } as unknown as JwtVerifyOptions), oauthScope({ routes } as never)],
  ],
  [
    'rbac with routes on the gateway identity',
    () => [
      rbac({
        policy,
        routes: { 'POST /cognito': [], 'POST /lambda': [], 'POST /lambda-token': [], 'GET /orders/{id}': 'orders:read', $default: 'orders:delete' },
      } as never),
    ],
  ],
  [
    'rbac with a static requirement (the synchronous before of feat/perf; all of none) on the gateway identity',
    () => [rbac({ policy, [requirementOption]: [] } as never)],
  ],
]

describe.each(stacks)('%s', (_name, build) => {
  test('never a 500 and never a 200 without an identity, whatever a field of a real event holds', async () => {
    const middlewares = build()
    const { invoke, seen } = protect(middlewares)
    const statuses = new Set<number>()
    await fc.assert(
      fc.asyncProperty(mutatedEvent, async ({ event }) => {
        const before = seen.length
        const response = await invoke(event)
        statuses.add(response.statusCode)
        expect([200, 400, 401, 403]).toContain(response.statusCode)
        if (response.statusCode === 200) {
          expect(seen.length).toBe(before + 1)
          expect(seen.at(-1)).toEqual(expect.objectContaining({ scopes: expect.any(Array), roles: expect.any(Array) }))
        }
      }),
      { numRuns: 600 },
    )
    // Not vacuous: some mutated events still carry a gateway identity that passes, others are refused.
    expect(statuses.has(200)).toBe(true)
    expect([...statuses].some((status) => status >= 400)).toBe(true)
  })
})
