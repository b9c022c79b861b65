import { describe, expect, test } from '@jest/globals'
import rbac from '@middy-auth/rbac'
import { httpAuthorizerEventV2, restEvent } from '@middy-auth/testing'
import middy from '@middy/core'
import { authorizer, contextOf, useIssuer } from './support.js'

const { verify, sign } = useIssuer()

// The authorizer marks its context (core's authorizerContextMark): the target reads its lists as
// JSON and every other string as one value, so a string claim is never split into role names.
describe('round trip: a claim the token holds as ONE name stays one name in the target function', () => {
  const policy = { roles: { Admins: { allow: ['*'] }, viewer: { allow: ['orders:read'] } } }

  test.each([
    ['groups', 'Not Admins'],
    ['groups', 'viewer,Admins'],
    ['custom:role', 'Not Admins'],
  ])('%s: %j', async (claim, value) => {
    const token = await sign({ [claim]: value })
    // In a function verifying the token itself, the string is one role name: no Admins.
    const direct = middy()
      .use(verify())
      .use(rbac({ policy, required: 'orders:delete', rolesFrom: claim }))
      .handler(async () => 'ok')
    await expect(direct(restEvent({ bearer: token }) as never, {} as never)).rejects.toMatchObject({ statusCode: 403 })

    // Through the authorizer, then the target function reading the context the gateway passes.
    const api = authorizer({ contextClaims: ['sub', claim] }, [verify()])
    const context = contextOf(await api.invoke(httpAuthorizerEventV2({ bearer: token, format: 'iam-policy' } as never)))
    const target = middy()
      .use(rbac({ policy, required: 'orders:delete', rolesFrom: claim }))
      .handler(async () => 'ok')
    const stringified = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, String(v)]))
    await expect(target(restEvent({ authorizer: { ...stringified, principalId: 'alice' } } as never) as never, {} as never)).rejects.toMatchObject({
      statusCode: 403,
    })
  })
})
