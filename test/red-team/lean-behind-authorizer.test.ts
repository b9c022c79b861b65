// Red team, across packages: the lean entries of jwt-verify and rbac in front of a Lambda
// authorizer (`@middy-auth/authorizer`), on the REST REQUEST authorizer fixture and HTTP API
// payload 2.0 events. An allow rbac granted under a condition depends on the request: a caching
// gateway must never receive it as an Allow (simple or IAM), and with `routes` a conditional
// grant never opens another route. And the extensions this session added (jwt-verify's
// tokenSources, rbac's conditions) given to another package's lean factory are TypeErrors at cold
// start. Each lean chain answers as the root chain.
import { afterAll, describe, expect, test } from '@jest/globals'
import authorizerResponse from '@middy-auth/authorizer'
import rootJwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import { tokenSources } from '@middy-auth/jwt-verify/extensions'
import leanJwtVerify from '@middy-auth/jwt-verify/lean'
import leanOAuthScope from '@middy-auth/oauth-scope/lean'
import rootRbac, { type Policy } from '@middy-auth/rbac'
import { conditions } from '@middy-auth/rbac/extensions'
import leanRbac from '@middy-auth/rbac/lean'
import { createTestIssuer, httpAuthorizerEventV2, lambdaContext } from '@middy-auth/testing'
import middy from '@middy/core'
import { loadFixture } from '../support/fixtures.js'
import { thrown } from '../support/thrown.js'

const issuer = await createTestIssuer()
afterAll(() => issuer.close())
const jwtOptions = { issuers: [{ issuer: issuer.issuer, audience: 'articles-api', jwksUri: issuer.jwksUri }] } as JwtVerifyOptions
const aliceToken = () => issuer.sign({ sub: 'alice', aud: 'articles-api', groups: ['author'] })

// An author reads every article, and deletes one only when isOwner says so (a conditional allow).
const policy: Policy = { roles: { author: { allow: ['articles:read', { permission: 'articles:delete', when: 'isOwner' }] } } }
const rbacOptions = (required: string) => ({ policy, required, rolesFrom: 'groups', conditions: { isOwner: () => true } })
const chains = {
  root: (required: string) => [rootJwtVerify(jwtOptions), rootRbac(rbacOptions(required))],
  lean: (required: string) => [leanJwtVerify(jwtOptions), leanRbac({ ...rbacOptions(required), extensions: [conditions] })],
}

/** The authorizer's answer (or the error the gateway turns into 401) through a fresh handler. */
const answer = async (middlewares: unknown[], authorizer: Parameters<typeof authorizerResponse>[0], event: unknown) => {
  const handler = middy()
  for (const middleware of middlewares) handler.use(middleware as never)
  handler.use(authorizerResponse({ ...authorizer, logger: () => undefined }))
  return handler(event as never, lambdaContext() as never).then(
    (result) => ({ result }),
    (error: Error) => ({ error: error.message }),
  )
}
const effects = (outcome: Awaited<ReturnType<typeof answer>>) =>
  'result' in outcome && 'policyDocument' in (outcome.result as object)
    ? (outcome.result as { policyDocument: { Statement: Array<{ Effect: string; Resource: string[] }> } }).policyDocument.Statement.map(
        (statement) => `${statement.Effect} ${statement.Resource.map((arn) => arn.split('/').slice(1).join('/')).join(' ')}`,
      )
    : outcome

const restEvent = async () => {
  const event = loadFixture('authorizer-request-v1.json')
  event.headers.Authorization = `Bearer ${await aliceToken()}`
  delete event.multiValueHeaders
  return event
}
const httpEvent = async () => httpAuthorizerEventV2({ bearer: await aliceToken() })

describe('a conditional allow behind a Lambda authorizer (lean = root)', () => {
  test('a met condition is a decision for this request only: a caching gateway gets a Deny (IAM) or isAuthorized: false (simple); gatewayCache: false allows', async () => {
    for (const [name, chain] of Object.entries(chains)) {
      const iamCached = effects(await answer(chain('articles:delete'), { format: 'iam-policy' }, await restEvent()))
      const simpleCached = await answer(chain('articles:delete'), { format: 'simple' }, await httpEvent())
      const iamUncached = effects(await answer(chain('articles:delete'), { format: 'iam-policy', gatewayCache: false }, await restEvent()))
      const simpleUncached = await answer(chain('articles:delete'), { format: 'simple', gatewayCache: false }, await httpEvent())
      expect({ name, iamCached, simpleCached, iamUncached }).toEqual({
        name,
        iamCached: ['Deny prod/*/*'],
        simpleCached: { result: { isAuthorized: false } },
        iamUncached: ['Allow prod/*/*'],
      })
      expect(simpleUncached).toMatchObject({ result: { isAuthorized: true } })
      // The unconditional grant is cached as ever: the refusal above is the condition's.
      expect(effects(await answer(chain('articles:read'), { format: 'iam-policy' }, await restEvent()))).toEqual(['Allow prod/*/*'])
    }
  })

  test('with routes: a conditional grant never opens a route for the cached answer, an unconditional one does', async () => {
    const routes = { 'POST /lambda-request': { permissions: ['articles:read'] }, 'DELETE /articles/{id}': { permissions: ['articles:delete'] } }
    const answers = []
    for (const chain of Object.values(chains)) answers.push(effects(await answer(chain('articles:read'), { format: 'iam-policy', routes }, await restEvent())))
    expect(answers[1]).toEqual(answers[0])
    expect(answers[0]).toEqual(['Allow prod/POST/lambda-request'])
  })
})

describe("this session's extensions given to another package's lean factory: a TypeError at cold start naming extensions[0]", () => {
  test.each([
    ['tokenSources to oauthScope', () => leanOAuthScope({ required: ['a'], extensions: [tokenSources as never] }), '@middy-auth/oauth-scope'],
    ['tokenSources to rbac', () => leanRbac({ policy, required: 'articles:read', extensions: [tokenSources as never] }), '@middy-auth/rbac'],
    [
      'conditions to jwtVerify',
      () => leanJwtVerify({ ...jwtOptions, tokenSource: { cookie: 'at' }, extensions: [conditions as never] }),
      '@middy-auth/jwt-verify',
    ],
    ['conditions to oauthScope', () => leanOAuthScope({ required: ['a'], extensions: [conditions as never] }), '@middy-auth/oauth-scope'],
  ])('%s', (_name, build, packageName) => {
    const error = thrown(build)
    expect(error).toBeInstanceOf(TypeError)
    expect(error?.cause).toMatchObject({ package: packageName, option: 'extensions[0]' })
    expect(error?.message).toContain(`must be an extension from '${packageName}/extensions', of the same version`)
  })
})
