import { describe, expect, test } from '@jest/globals'
import type { AuthContext, IamCaller } from '@middy-auth/core'
import iamContext from '@middy-auth/iam-context'
import { functionUrlEvent, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { iamRoles } from '../src/index.js'
import { outcome, protect, withIdentity } from './support.js'

/** What @middy-auth/iam-context leaves on context.auth for an assumed-role caller (hand-built here). */
const iamIdentity = (iam: Partial<IamCaller>): Partial<AuthContext> => ({
  source: 'iam',
  subject: iam.arn ?? 'arn:aws:sts::111122223333:assumed-role/deploy-role/my-session',
  iam: {
    accountId: '111122223333',
    partition: 'aws',
    arn: 'arn:aws:sts::111122223333:assumed-role/deploy-role/my-session',
    principalType: 'assumed-role',
    roleName: 'deploy-role',
    sessionName: 'my-session',
    principalId: 'AROAEXAMPLEROLEID1234:my-session',
    temporaryCredentials: true,
    sourceIp: '203.0.113.10',
    ...iam,
  },
})

const policy = {
  roles: {
    deployer: { inherits: ['reader'], allow: ['releases:create'], deny: ['releases:delete'] },
    reader: { allow: ['releases:read'] },
  },
}

describe('iamRoles(): the role name of an assumed IAM role', () => {
  test('mapped to a policy role with roleMap', async () => {
    const api = protect({ policy, rolesFrom: iamRoles(), roleMap: { 'deploy-role': 'deployer' }, required: 'releases:create' }, [withIdentity(iamIdentity({}))])
    expect((await api.invoke(loadFixture('function-url-iam-assumed-role.json'))).statusCode).toBe(200)
    expect(api.seen.auth[0]).toMatchObject({ source: 'iam', roles: ['deployer', 'reader'], permissions: ['releases:create', 'releases:read'] })
    expect(api.seen.decisions[0]).toMatchObject({
      subject: 'arn:aws:sts::111122223333:assumed-role/deploy-role/my-session',
      reason: 'role deployer allows releases:create',
    })
  })

  test('a role name that is a policy role needs no map; deny still applies', async () => {
    const api = protect({ policy, rolesFrom: iamRoles(), required: 'releases:delete' }, [withIdentity(iamIdentity({ roleName: 'deployer' }))])
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions[0]!.reason).toBe('role deployer denies releases:delete')
  })

  test('an IAM user, a root caller, or no iam at all: no role', async () => {
    for (const auth of [
      iamIdentity({ principalType: 'user', roleName: undefined, userName: 'alice' }),
      iamIdentity({ principalType: 'root', roleName: undefined }),
      iamIdentity({ roleName: '' }),
      { source: 'jwt' as const },
    ]) {
      const api = protect({ policy, rolesFrom: iamRoles(), roleMap: { 'deploy-role': 'deployer' }, required: 'releases:read' }, [withIdentity(auth)])
      expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
      expect(api.seen.decisions[0]!.reason).toBe('no role of the policy is held')
    }
  })

  test('IAM roles and token roles together', async () => {
    const api = protect({ policy, rolesFrom: [iamRoles(), 'groups'], roleMap: { 'deploy-role': 'deployer' }, required: [] }, [
      withIdentity({ ...iamIdentity({}), claims: { groups: ['reader'] } }),
    ])
    await api.invoke({})
    expect(api.seen.auth[0]!.roles).toEqual(['deployer', 'reader'])
  })
})

describe('after the real iamContext()', () => {
  test('an assumed-role function URL caller (fixture): deploy-role → deployer', async () => {
    const api = protect({ policy, rolesFrom: iamRoles(), roleMap: { 'deploy-role': 'deployer' }, required: 'releases:create' }, [
      iamContext({ allowAccounts: ['111122223333'] }),
    ])
    expect((await api.invoke(loadFixture('function-url-iam-assumed-role.json'))).statusCode).toBe(200)
    expect(api.seen.auth[0]).toMatchObject({ source: 'iam', roles: ['deployer', 'reader'] })
  })

  test('an IAM user holds no role; the event builders', async () => {
    const api = protect({ policy, rolesFrom: iamRoles(), roleMap: { TestRole: 'reader' }, required: 'releases:read' }, [iamContext()])
    // The builders' default caller is an assumed role named TestRole.
    expect((await api.invoke(functionUrlEvent({ authorizer: { iam: {} } }))).statusCode).toBe(200)
    const user = restEvent({
      identity: {
        userArn: 'arn:aws:iam::123456789012:user/alice',
        accountId: '123456789012',
        accessKey: 'AKIAIOSFODNN7EXAMPLE',
        caller: 'AIDAEXAMPLE',
        user: 'AIDAEXAMPLE',
      },
    })
    expect(outcome(await api.invoke(user))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions.at(-1)!.reason).toBe('no role of the policy is held')
  })

  test('no IAM identity: iamContext refuses first (401 missing_credentials), rbac never runs', async () => {
    const api = protect({ policy, rolesFrom: iamRoles(), required: 'releases:read' }, [iamContext()])
    expect(outcome(await api.invoke(loadFixture('function-url-no-auth.json')))).toEqual([401, 'missing_credentials'])
    expect(api.seen.decisions).toHaveLength(0)
  })
})
