import { afterAll, beforeAll } from '@jest/globals'
import middy, { type MiddlewareObj } from '@middy/core'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import rbac, { type Policy, type RbacOptions } from '@middy-auth/rbac'
import { createTestIssuer, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import authorizerResponse, { type AuthorizerLogEntry, type AuthorizerResponseOptions, type AuthorizerResult, type IamPolicyResponse } from '../src/index.js'

export const audience = 'orders-api'

/** What an authorizer function gave the gateway: a response, or the error it threw. */
export type Outcome = { kind: 'response'; response: AuthorizerResult } | { kind: 'error'; message: string }

/**
 * A real authorizer function: the given middlewares in front, then authorizerResponse, no
 * handler of its own (Middy's default handler returns nothing), as the README writes it.
 */
export const authorizer = (options: AuthorizerResponseOptions, front: Array<MiddlewareObj<any, any, any, any, any>> = []) => {
  const logs: AuthorizerLogEntry[] = []
  let handler: any = middy()
  for (const middleware of front) handler = handler.use(middleware)
  handler = handler.use(authorizerResponse({ logger: (entry) => void logs.push(entry), ...options }))
  const invoke = async (event: unknown): Promise<Outcome> => {
    try {
      return { kind: 'response', response: (await handler(event, lambdaContext())) as AuthorizerResult }
    } catch (error) {
      return { kind: 'error', message: (error as Error).message }
    }
  }
  return { invoke, logs }
}

/** The IAM policy of an outcome, or a test failure. */
export const policyOf = (outcome: Outcome): IamPolicyResponse => {
  if (outcome.kind !== 'response' || !('policyDocument' in outcome.response)) throw new Error(`not an IAM policy: ${JSON.stringify(outcome)}`)
  return outcome.response
}

/** The context of an Allow. */
export const contextOf = (outcome: Outcome): Record<string, string | number | boolean> => {
  if (outcome.kind !== 'response' || !outcome.response.context) throw new Error(`no context: ${JSON.stringify(outcome)}`)
  return outcome.response.context
}

/**
 * A tiny evaluator of an authorizer's policy as API Gateway applies it to a request's ARN,
 * written apart from the package's own: `*` is any run of characters (`/` too), `?` one
 * character; an explicit Deny beats any Allow; without an Allow the request is refused.
 */
export const evaluatePolicy = (response: IamPolicyResponse, arn: string): 'allow' | 'deny' | 'implicit-deny' => {
  const matches = (resource: string) =>
    new RegExp(
      `^${resource
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    ).test(arn)
  const statements = response.policyDocument.Statement.filter((statement) => statement.Action === 'execute-api:Invoke')
  const covers = (effect: 'Allow' | 'Deny') =>
    statements.some((statement) => statement.Effect === effect && [statement.Resource].flat().some((resource) => matches(resource)))
  if (covers('Deny')) return 'deny'
  return covers('Allow') ? 'allow' : 'implicit-deny'
}

/** What a caller gets for a request ARN from a policy the gateway cached: 200 or 403. */
export const cachedStatus = (response: IamPolicyResponse, arn: string): 200 | 403 => (evaluatePolicy(response, arn) === 'allow' ? 200 : 403)

/**
 * A loopback issuer for a whole test file (created in `beforeAll`, closed in `afterAll`), a
 * jwtVerify trusting it, and tokens it signs; usable inside tests only.
 */
export const useIssuer = () => {
  let setup: Awaited<ReturnType<typeof setupIssuer>> | undefined
  beforeAll(async () => {
    setup = await setupIssuer()
  })
  afterAll(() => setup?.iss.close())
  const current = () => {
    if (setup === undefined) throw new Error('useIssuer(): the issuer exists only inside tests')
    return setup
  }
  return {
    get iss(): TestIssuer {
      return current().iss
    },
    verify: (options?: Partial<JwtVerifyOptions>) => current().verify(options),
    sign: (claims: Record<string, unknown>) => current().sign(claims),
  }
}

/** A loopback issuer and a jwtVerify trusting it. */
const setupIssuer = async (): Promise<{
  iss: TestIssuer
  verify: (options?: Partial<JwtVerifyOptions>) => MiddlewareObj<any, any, any, any, any>
  sign: (claims: Record<string, unknown>) => Promise<string>
}> => {
  const iss = await createTestIssuer()
  return {
    iss,
    verify: (options = {}) => jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], ...options } as JwtVerifyOptions),
    sign: (claims) => iss.sign({ sub: 'alice', ...claims }, { audience }),
  }
}

/** The orders policy of these tests. */
export const ordersPolicy: Policy = {
  roles: {
    admin: { inherits: ['clerk'], allow: ['*'] },
    clerk: { inherits: ['viewer'], allow: ['orders:create', 'orders:*'], deny: ['orders:delete'] },
    viewer: { allow: ['orders:read', { permission: 'orders:export', when: 'always' }] },
  },
}

/** rbac in front of the authorizer, with the orders policy; rbac attaches the permission check the authorizer asks. */
export const rbacInFront = (options: Partial<RbacOptions>): Array<MiddlewareObj<any, any, any, any, any>> => [
  rbac({ policy: ordersPolicy, rolesFrom: 'cognito:groups', required: [], conditions: { always: () => true }, ...options } as RbacOptions),
]
