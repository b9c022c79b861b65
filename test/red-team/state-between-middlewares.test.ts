// Red team, round 3: state between middlewares (feat/house: every key a Symbol.for in core's
// stateKeys; feat/perf: rbac's grant hung on core's permission check). A caller controls JSON
// (claims, an authorizer's context, headers), never a symbol; and a copy of the identity
// (spread, Object.assign, JSON, structuredClone) must carry no permission check and no grant,
// so that nothing can be forged or widened by copying. Each attack goes through real middy()
// handlers: rbac and can() in the handler, or rbac in front of a Lambda authorizer.
import { describe, expect, test } from '@jest/globals'
import authorizerResponse, { type AuthorizerResponseOptions, type AuthorizerResult, type IamPolicyResponse } from '@middy-auth/authorizer'
import { setAuth, type AuthContext } from '@middy-auth/core'
import { holdsPermission, matchesWildcard } from '@middy-auth/core/internal'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import rbac, { can } from '@middy-auth/rbac'
import { httpApiEvent, httpAuthorizerEventV2, lambdaContext, restEvent } from '@middy-auth/testing'
import middy from '@middy/core'
import { createHmac } from 'node:crypto'
import { errorCode, protect, withIdentity, type Middleware } from '../support/protect.js'

const policy = { roles: { admin: { allow: ['orders:*'] }, reader: { allow: ['orders:read'] } } }

// rbac's requirement option is 'require' on main and 'required' once feat/config is merged (where
// 'require' is a TypeError naming it): these attacks run on either tree.
const requirementOption = (() => {
  try {
    rbac({ policy, required: [] } as never)
    return 'required'
  } catch {
    return 'require'
  }
})()
const rbacRequiring = (requirement: string | string[]) => rbac({ policy, [requirementOption]: requirement } as never)

/** The ways a handler (or a helper it calls) copies an identity. */
const copies: Array<[string, (auth: AuthContext) => unknown]> = [
  ['a spread', (auth) => ({ ...auth })],
  ['Object.assign', (auth) => Object.assign({}, auth)],
  ['JSON round trip', (auth) => JSON.parse(JSON.stringify(auth))],
  ['structuredClone', (auth) => structuredClone(auth)],
  [
    'a spread of a spread with symbols copied by hand',
    (auth) => {
      const copy: Record<PropertyKey, unknown> = { ...auth }
      for (const key of Object.getOwnPropertySymbols(auth)) if (Object.getOwnPropertyDescriptor(auth, key)?.enumerable) copy[key] = (auth as never)[key]
      return copy
    },
  ],
]

describe('a copy of an rbac-checked identity carries no grant and no permission check', () => {
  test.each(copies)('%s: can() refuses it (TypeError, never true), holdsPermission knows nothing', async (_name, copy) => {
    const outcomes: unknown[] = []
    const api = protect([withIdentity({ subject: 'alice', roles: ['admin'] }), rbacRequiring('orders:read')], (context) => {
      const copied = copy(context.auth)
      let canAnswer: unknown
      try {
        canAnswer = can(copied as never, 'orders:delete')
      } catch (error) {
        canAnswer = (error as Error).constructor.name
      }
      outcomes.push(canAnswer, holdsPermission(copied, 'orders:delete'), can(context.auth, 'orders:delete'), holdsPermission(context.auth, 'orders:delete'))
      return null
    })
    expect((await api.invoke(httpApiEvent())).statusCode).toBe(200)
    expect(outcomes).toEqual(['TypeError', undefined, true, true])
  })

  test('the state keys are invisible to JSON.stringify, Object.keys and Reflect on enumerable keys', async () => {
    let visible: unknown
    const api = protect([withIdentity({ subject: 'alice', roles: ['reader'] }), rbacRequiring('orders:read')], (context) => {
      const auth = context.auth as AuthContext
      visible = {
        json: Object.keys(JSON.parse(JSON.stringify(auth))).sort(),
        keys: Object.keys(auth).sort(),
        enumerableSymbols: Object.getOwnPropertySymbols(auth).filter((key) => Object.getOwnPropertyDescriptor(auth, key)?.enumerable),
      }
      return null
    })
    expect((await api.invoke(httpApiEvent())).statusCode).toBe(200)
    expect(visible).toEqual({
      json: ['claims', 'permissions', 'roles', 'scopes', 'source', 'subject'],
      keys: ['claims', 'permissions', 'roles', 'scopes', 'source', 'subject'],
      enumerableSymbols: [],
    })
  })

  test('a handler cannot swap the permission check by assignment: it is not writable', async () => {
    let answer: unknown
    const api = protect([withIdentity({ subject: 'alice', roles: ['reader'] }), rbacRequiring('orders:read')], (context) => {
      const key = Symbol.for('@middy-auth/core permission check')
      try {
        ;(context.auth as Record<symbol, unknown>)[key] = () => true
      } catch {
        // strict mode: a TypeError on a read-only property
      }
      answer = holdsPermission(context.auth, 'orders:delete')
      return null
    })
    expect((await api.invoke(httpApiEvent())).statusCode).toBe(200)
    expect(answer).toBe(false)
  })
})

describe('state keys from untrusted input: JSON holds no symbol', () => {
  // The descriptions of the state keys, and the old string keys of request.internal, as a
  // caller (a claim) or a hand-written authorizer (a context value) can write them.
  const lookalikes = {
    '@middy-auth/core permission check': 'true',
    '@middy-auth/rbac grant': '{"held":[]}',
    '@middy-auth/credential': 'Bearer forged',
    '@middy-auth/request-specific-checks': '[]',
    'Symbol(@middy-auth/core permission check)': 'true',
  }

  test("a REST Lambda authorizer context with the keys' descriptions: no permission check appears, rbac decides from roles only", async () => {
    const outcomes: unknown[] = []
    const api = protect([rbacRequiring('orders:read')], (context) => {
      outcomes.push(holdsPermission(context.auth, 'orders:delete'), can(context.auth, 'orders:delete'))
      return null
    })
    const event = restEvent({ authorizer: { principalId: 'alice', roles: 'reader', ...lookalikes } } as never)
    const response = await api.invoke(event)
    expect(response.statusCode).toBe(200)
    expect(outcomes).toEqual([false, false])
  })

  test('claims named like the state keys on a jwt identity: rbac still denies what the roles do not grant', async () => {
    const api = protect([withIdentity({ subject: 'mallory', roles: ['reader'], claims: lookalikes }), rbacRequiring('orders:delete')])
    const response = await api.invoke(httpApiEvent())
    expect([response.statusCode, errorCode(response)]).toEqual([403, 'access_denied'])
    expect(api.seen).toHaveLength(0)
  })
})

// ------------------------------------------------------------------------------------------------
// rbac in front of a Lambda authorizer: the authorizer asks rbac's permission check about the
// other routes. A middleware between them that replaces the identity by a copy drops the check.
// ------------------------------------------------------------------------------------------------

const ask = async (options: AuthorizerResponseOptions, front: Middleware[], event: unknown): Promise<AuthorizerResult | string> => {
  const handler = middy()
  for (const middleware of front) handler.use(middleware)
  handler.use(authorizerResponse({ logger: () => undefined, ...options }))
  try {
    return (await handler(event as never, lambdaContext())) as AuthorizerResult
  } catch (error) {
    return (error as Error).message
  }
}

const allows = (answer: AuthorizerResult | string, arn: string): boolean => {
  if (typeof answer === 'string') return false
  if (!('policyDocument' in answer)) return answer.isAuthorized === true
  const covers = (effect: string) =>
    (answer as IamPolicyResponse).policyDocument.Statement.some(
      (statement) => statement.Effect === effect && [statement.Resource].flat().some((resource) => matchesWildcard(resource, arn)),
    )
  return !covers('Deny') && covers('Allow')
}

const httpArn = (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/${method}${path}`

describe('the authorizer and a copied identity', () => {
  const routes = { 'GET /orders/{id}': { permissions: ['orders:read'] }, 'DELETE /orders/{id}': { permissions: ['orders:delete'] } }
  const event = (method: string, path: string, routeKey: string) => httpAuthorizerEventV2({ bearer: 't', method, path, routeKey, identitySource: ['Bearer t'] })
  const recopy: Middleware = { before: (request) => setAuth(request as never, { ...(request.context as { auth: AuthContext }).auth }) }
  const front = (roles: string[], between: Middleware[] = []) => [withIdentity({ subject: 'alice', roles }), rbacRequiring([]), ...between]

  test("rbac in front: a reader's cached policy covers GET, not DELETE", async () => {
    const answer = await ask({ format: 'iam-policy', routes }, front(['reader']), event('GET', '/orders/1', 'GET /orders/{id}'))
    expect(allows(answer, httpArn('GET', '/orders/1'))).toBe(true)
    expect(allows(answer, httpArn('DELETE', '/orders/1'))).toBe(false)
  })

  test('a copy between rbac and the authorizer: no route that needs a permission is allowed (the check is gone, not forged)', async () => {
    for (const roles of [['reader'], ['admin']]) {
      const answer = await ask({ format: 'iam-policy', routes }, front(roles, [recopy]), event('GET', '/orders/1', 'GET /orders/{id}'))
      expect(allows(answer, httpArn('GET', '/orders/1'))).toBe(false)
      expect(allows(answer, httpArn('DELETE', '/orders/1'))).toBe(false)
    }
  })
})

// ------------------------------------------------------------------------------------------------
// Between instances: two jwtVerify instances in one process, each its own verified-token cache.
// ------------------------------------------------------------------------------------------------

describe('between instances', () => {
  const issuer = 'https://issuer.red-team.example/'
  const secret = 'a shared secret of at least thirty-two bytes'
  const NOW = 1_760_000_000
  const b64u = (value: string) => Buffer.from(value).toString('base64url')
  const token = (claims: Record<string, unknown>) => {
    const input = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify({ iss: issuer, iat: NOW, exp: NOW + 600, ...claims }))}`
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }
  const instance = (audience: string) =>
    protect([jwtVerify({ issuers: [{ issuer, audience, secret, algorithms: ['HS256'] }], clock: () => NOW * 1000 } as JwtVerifyOptions)])

  test('a token cached by the orders API instance is refused by the billing instance (another audience), before and after', async () => {
    const orders = instance('orders-api')
    const billing = instance('billing-api')
    const forOrders = token({ sub: 'alice', aud: 'orders-api' })
    const bearer = httpApiEvent({ headers: { authorization: `Bearer ${forOrders}` } })
    expect((await orders.invoke(bearer)).statusCode).toBe(200)
    expect((await billing.invoke(bearer)).statusCode).toBe(401)
    expect((await orders.invoke(bearer)).statusCode).toBe(200)
    expect((await billing.invoke(bearer)).statusCode).toBe(401)
    expect(billing.seen).toHaveLength(0)
  })
})
