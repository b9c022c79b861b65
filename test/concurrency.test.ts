// Middy 7 runs concurrent invocations in one process on Lambda managed instances: one middleware
// instance, its caches and its key resolver serve many requests at once. 1,000 concurrent
// invocations, a mix of callers and of valid and invalid tokens, keys cold at the start: every
// handler sees exactly its own identity, every answer equals the one a sequential run gives, and
// the identity provider is asked for its keys once.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import authorizerResponse, { type AuthorizerResult } from '@middy-auth/authorizer'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import { createTestIssuer, generateKeyPair, httpApiEvent, httpAuthorizerEventV2, lambdaContext, tamper, type TestIssuer } from '@middy-auth/testing'

const audience = 'orders-api'
const callers = 1000
const policy: Policy = {
  roles: {
    clerk: { inherits: ['viewer'], allow: ['orders:update'] },
    viewer: { allow: ['orders:read'] },
  },
}

let iss: TestIssuer
beforeAll(async () => {
  iss = await createTestIssuer()
})
afterAll(() => iss.close())

/** One caller of the mix: the token it sends and the identity it must be seen as, if any. */
interface Caller {
  requestId: string
  token: string | undefined
  subject: string | undefined
}

/** The mix, in a fixed order: most callers valid, some twice with one token, the rest refused for ten reasons. */
async function makeCallers(): Promise<Caller[]> {
  const stranger = generateKeyPair('RS256', { kid: iss.keys[0]!.kid }) // the right kid, the wrong key
  const now = Math.floor(Date.now() / 1000)
  const list: Caller[] = []
  for (let i = 0; i < callers; i++) {
    const sub = `user-${i}`
    const requestId = `req-${i}`
    const valid = (claims: Record<string, unknown>) => iss.sign({ sub, scope: 'orders:read', groups: ['viewer'], ...claims }, { audience })
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        list.push({ requestId, token: await valid({ groups: i % 3 === 0 ? ['clerk'] : ['viewer'] }), subject: sub })
        break
      case 3: // the same token as the caller before: a verified-token cache hit racing its first use
        list.push({ requestId, token: list[i - 1]!.token, subject: list[i - 1]!.subject })
        break
      case 4:
        list.push({ requestId, token: await valid({ scope: 'profile' }), subject: undefined })
        break
      case 5:
        list.push({ requestId, token: await valid({ groups: [] }), subject: undefined })
        break
      case 6:
        list.push({ requestId, token: await iss.sign({ sub }, { audience, now: now - 7200, expiresIn: 60 }), subject: undefined })
        break
      case 7:
        list.push({ requestId, token: tamper(await valid({}), { sub: 'admin' }), subject: undefined })
        break
      case 8:
        list.push({ requestId, token: await iss.sign({ sub, scope: 'orders:read', groups: ['viewer'] }, { audience, key: stranger }), subject: undefined })
        break
      default:
        list.push({ requestId, token: undefined, subject: undefined })
    }
  }
  return list
}

/** jwtVerify + oauthScope + rbac + http-error-handler, the handler yielding so that invocations interleave. */
function ordersApi() {
  return middy<{ headers: Record<string, string> }>()
    .use(httpErrorHandler({ logger: false }))
    .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
    .use(oauthScope({ required: ['orders:read'] }))
    .use(rbac({ policy, rolesFrom: 'groups', required: 'orders:read' }))
    .handler(async (event, context) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3))
      return {
        statusCode: 200,
        headers: {},
        body: JSON.stringify({ requestId: event.headers['x-request-id'], subject: context.auth.subject, roles: context.auth.roles }),
      }
    })
}

type Answer = { statusCode: number; headers?: Record<string, string>; body: string }

const eventOf = (caller: Caller) =>
  httpApiEvent({ ...(caller.token === undefined ? {} : { bearer: caller.token }), headers: { 'x-request-id': caller.requestId } })

describe('1,000 concurrent invocations through jwtVerify + oauthScope + rbac', () => {
  test('each handler sees its own identity, the answers equal a sequential run, one JWKS fetch', async () => {
    const mix = await makeCallers()
    iss.resetCounters()
    iss.delayMs(100) // the cold fetch is still in flight when every request has arrived

    const concurrentApi = ordersApi()
    const concurrent = (await Promise.all(mix.map((caller) => concurrentApi(eventOf(caller) as never, lambdaContext() as never)))) as Answer[]
    expect(iss.requests.jwks).toBe(1)

    for (const [i, caller] of mix.entries()) {
      const answer = concurrent[i]!
      if (caller.subject === undefined) {
        expect(answer.statusCode === 401 || answer.statusCode === 403).toBe(true)
      } else {
        expect(answer.statusCode).toBe(200)
        const seen = JSON.parse(answer.body) as { requestId: string; subject: string }
        expect(seen.requestId).toBe(caller.requestId)
        expect(seen.subject).toBe(caller.subject)
      }
    }
    const statuses = concurrent.map((answer) => answer.statusCode)
    expect(statuses.filter((status) => status === 200)).toHaveLength(400)
    expect(statuses.filter((status) => status === 403)).toHaveLength(200)
    expect(statuses.filter((status) => status === 401)).toHaveLength(400)

    iss.delayMs(0)
    const sequentialApi = ordersApi()
    const sequential: Answer[] = []
    for (const caller of mix) sequential.push((await sequentialApi(eventOf(caller) as never, lambdaContext() as never)) as Answer)
    expect(concurrent).toEqual(sequential)
  })
})

describe('1,000 concurrent invocations of a Lambda authorizer', () => {
  test('each answer carries its own caller, equals the sequential answer, one JWKS fetch', async () => {
    const mix = await makeCallers()
    iss.resetCounters()
    iss.delayMs(100)
    const authorizer = () =>
      middy()
        .use(jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }))
        .use(rbac({ policy, rolesFrom: 'groups', required: [] }))
        .use(
          authorizerResponse({
            logger: false,
            routes: { 'GET /orders': { scopes: ['orders:read'], permissions: ['orders:read'] }, 'PUT /orders/{id}': { permissions: ['orders:update'] } },
          }),
        )
    // Simple responses with routes are cached per route: the route key is an identity source.
    const eventFor = (caller: Caller) =>
      httpAuthorizerEventV2({
        ...(caller.token === undefined ? {} : { bearer: caller.token }),
        method: 'GET',
        path: '/orders',
        routeKey: 'GET /orders',
        identitySource: [...(caller.token === undefined ? [] : [`Bearer ${caller.token}`]), 'GET /orders'],
      })
    const invoke = async (handler: ReturnType<typeof authorizer>, caller: Caller): Promise<AuthorizerResult | string> => {
      try {
        return (await handler(eventFor(caller) as never, lambdaContext() as never)) as AuthorizerResult
      } catch (error) {
        return (error as Error).message // "Unauthorized": API Gateway answers 401
      }
    }

    const concurrentAuthorizer = authorizer()
    const concurrent = await Promise.all(mix.map((caller) => invoke(concurrentAuthorizer, caller)))
    expect(iss.requests.jwks).toBe(1)
    for (const [i, caller] of mix.entries()) {
      const answer = concurrent[i]!
      if (caller.subject === undefined) {
        expect(answer === 'Unauthorized' || (typeof answer === 'object' && 'isAuthorized' in answer && !answer.isAuthorized)).toBe(true)
      } else {
        expect(answer).toMatchObject({ isAuthorized: true, context: { sub: caller.subject } })
      }
    }

    iss.delayMs(0)
    const sequentialAuthorizer = authorizer()
    const sequential: Array<AuthorizerResult | string> = []
    for (const caller of mix) sequential.push(await invoke(sequentialAuthorizer, caller))
    expect(concurrent).toEqual(sequential)
  })
})
