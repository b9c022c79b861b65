import { describe, expect, test } from '@jest/globals'
import { functionUrlEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import fc from 'fast-check'
import type { AuthError } from '@middy-auth/core'
import { parseIamArn, type IamContextDenialReason } from '../src/index.js'
import { outcome, protect } from './support.js'

describe('parseIamArn: what each caller ARN carries', () => {
  test.each([
    [
      'arn:aws:iam::123456789012:user/alice',
      { partition: 'aws', service: 'iam', accountId: '123456789012', principalType: 'user', path: '/', userName: 'alice' },
    ],
    [
      'arn:aws:iam::123456789012:user/path/alice',
      { partition: 'aws', service: 'iam', accountId: '123456789012', principalType: 'user', path: '/path/', userName: 'alice' },
    ],
    [
      'arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob',
      { partition: 'aws', service: 'iam', accountId: '123456789012', principalType: 'user', path: '/division_abc/subdivision_xyz/', userName: 'Bob' },
    ],
    [
      'arn:aws:iam::123456789012:user/a.b+c=d,e@f-g_h',
      { partition: 'aws', service: 'iam', accountId: '123456789012', principalType: 'user', path: '/', userName: 'a.b+c=d,e@f-g_h' },
    ],
    [
      'arn:aws:sts::123456789012:assumed-role/Role/Session',
      { partition: 'aws', service: 'sts', accountId: '123456789012', principalType: 'assumed-role', roleName: 'Role', sessionName: 'Session' },
    ],
    [
      'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com',
      {
        partition: 'aws',
        service: 'sts',
        accountId: '123456789012',
        principalType: 'assumed-role',
        roleName: 'AWSReservedSSO_Admin_0123456789abcdef',
        sessionName: 'alice@example.com',
      },
    ],
    ['arn:aws:iam::123456789012:root', { partition: 'aws', service: 'iam', accountId: '123456789012', principalType: 'root' }],
    [
      'arn:aws:sts::123456789012:federated-user/bob',
      { partition: 'aws', service: 'sts', accountId: '123456789012', principalType: 'federated-user', sessionName: 'bob' },
    ],
    [
      'arn:aws-cn:sts::123456789012:assumed-role/Role/s',
      { partition: 'aws-cn', service: 'sts', accountId: '123456789012', principalType: 'assumed-role', roleName: 'Role', sessionName: 's' },
    ],
    [
      'arn:aws-us-gov:iam::123456789012:user/alice',
      { partition: 'aws-us-gov', service: 'iam', accountId: '123456789012', principalType: 'user', path: '/', userName: 'alice' },
    ],
    ['arn:aws-iso-b:iam::000000000001:root', { partition: 'aws-iso-b', service: 'iam', accountId: '000000000001', principalType: 'root' }],
  ])('%s', (arn, expected) => {
    expect(parseIamArn(arn)).toEqual(expected)
  })

  test('an assumed-role ARN has no role path, and none is made up', () => {
    expect(parseIamArn('arn:aws:sts::123456789012:assumed-role/Role/Session')).not.toHaveProperty('path')
  })

  test.each([
    ['empty', ''],
    ['not an ARN', 'alice'],
    ['a role ARN (not a caller)', 'arn:aws:iam::123456789012:role/Admin'],
    ['a role ARN with a path', 'arn:aws:iam::123456789012:role/service-role/Admin'],
    ['an IAM group', 'arn:aws:iam::123456789012:group/Admins'],
    ['assumed-role under iam', 'arn:aws:iam::123456789012:assumed-role/Role/Session'],
    ['user under sts', 'arn:aws:sts::123456789012:user/alice'],
    ['root under sts', 'arn:aws:sts::123456789012:root'],
    ['assumed-role without a session', 'arn:aws:sts::123456789012:assumed-role/Role'],
    ['assumed-role with a path-like session', 'arn:aws:sts::123456789012:assumed-role/Role/a/b'],
    ['federated-user with a path', 'arn:aws:sts::123456789012:federated-user/a/bob'],
    ['user with an empty name', 'arn:aws:iam::123456789012:user/'],
    ['user with an empty path segment', 'arn:aws:iam::123456789012:user//alice'],
    ['user name with a space', 'arn:aws:iam::123456789012:user/al ice'],
    ['role name with a space', 'arn:aws:sts::123456789012:assumed-role/Ro le/s'],
    ['federated name with a space', 'arn:aws:sts::123456789012:federated-user/b ob'],
    ['path segment with a space', 'arn:aws:iam::123456789012:user/a b/alice'],
    ['session name with a colon', 'arn:aws:sts::123456789012:assumed-role/Role/a:b'],
    ['an 11-digit account', 'arn:aws:iam::12345678901:root'],
    ['a 10-digit account', 'arn:aws:iam::1234567890:user/Admin'],
    ['a letter in the account', 'arn:aws:iam::12345678901a:root'],
    ['a region', 'arn:aws:sts:eu-west-1:123456789012:assumed-role/Role/s'],
    ['an unknown partition', 'arn:azure:iam::123456789012:root'],
    ['an upper-case partition', 'arn:AWS:iam::123456789012:root'],
    ['an unknown service', 'arn:aws:s3::123456789012:root'],
    ['ARN in upper case', 'ARN:aws:iam::123456789012:root'],
    ['too few parts', 'arn:aws:iam::123456789012'],
    ['too many parts', 'arn:aws:iam::123456789012:user/alice:x'],
    ['trailing whitespace', 'arn:aws:iam::123456789012:root '],
    ['a wildcard', 'arn:aws:iam::123456789012:user/*'],
  ])('%s: undefined', (_name, arn) => {
    expect(parseIamArn(arn)).toBeUndefined()
  })

  test('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
        parseIamArn(value as string)
      }),
    )
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('arn', 'aws', 'iam', 'sts', '', '123456789012', 'user', 'root', 'assumed-role', 'federated-user', '/', ':', 'a', '*')),
        (pieces) => {
          const parsed = parseIamArn(pieces.join(''))
          if (parsed) expect(parsed.accountId).toMatch(/^\d{12}$/)
        },
      ),
    )
  })
})

/** Each principal type, through a real handler, on each event kind. */
describe('every principal type reaches the handler, on REST, HTTP API and function URLs', () => {
  const account = '123456789012'
  const callers = [
    {
      arn: `arn:aws:iam::${account}:user/engineering/alice`,
      callerId: 'AIDAEXAMPLEUSERID1234',
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      expected: { principalType: 'user', userName: 'alice', path: '/engineering/', temporaryCredentials: false },
    },
    {
      arn: `arn:aws:iam::${account}:user/alice`,
      callerId: 'AIDAEXAMPLEUSERID1234',
      accessKey: 'ASIAIOSFODNN7EXAMPLE',
      expected: { principalType: 'user', userName: 'alice', path: '/', temporaryCredentials: true },
    },
    {
      arn: `arn:aws:sts::${account}:assumed-role/OrdersWriter/build-42`,
      callerId: 'AROAEXAMPLEROLEID1234:build-42',
      accessKey: 'ASIAIOSFODNN7EXAMPLE',
      expected: { principalType: 'assumed-role', roleName: 'OrdersWriter', sessionName: 'build-42', temporaryCredentials: true },
    },
    {
      arn: `arn:aws:iam::${account}:root`,
      callerId: account,
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      expected: { principalType: 'root', temporaryCredentials: false },
    },
    {
      arn: `arn:aws:sts::${account}:federated-user/bob`,
      callerId: `${account}:bob`,
      accessKey: 'ASIAIOSFODNN7EXAMPLE',
      expected: { principalType: 'federated-user', sessionName: 'bob', temporaryCredentials: true },
    },
  ] as const

  const eventsFor = (c: (typeof callers)[number]) => ({
    rest: restEvent({ identity: { userArn: c.arn, accountId: account, caller: c.callerId, user: c.callerId, accessKey: c.accessKey } }),
    'http-api': httpApiEvent({ authorizer: { iam: { userArn: c.arn, accountId: account, callerId: c.callerId, userId: c.callerId, accessKey: c.accessKey } } }),
    'function-url': functionUrlEvent({
      authorizer: { iam: { userArn: c.arn, accountId: account, callerId: c.callerId, userId: c.callerId, accessKey: c.accessKey } },
    }),
  })

  for (const c of callers) {
    for (const [kind, event] of Object.entries(eventsFor(c))) {
      test(`${c.expected.principalType} ${c.arn.split(':')[5]} (${kind})`, async () => {
        const api = protect()
        expect(outcome(await api.invoke(event))).toEqual([200, 'ok'])
        const auth = api.seen[0]!
        expect(auth.subject).toBe(c.arn)
        expect(auth.iam).toEqual({
          accountId: account,
          partition: 'aws',
          arn: c.arn,
          principalId: c.callerId,
          accessKeyId: c.accessKey,
          sourceIp: '203.0.113.10',
          ...c.expected,
        })
      })
    }
  }

  test('other partitions', async () => {
    const api = protect()
    for (const arn of ['arn:aws-cn:sts::123456789012:assumed-role/Role/s', 'arn:aws-us-gov:iam::123456789012:user/alice']) {
      expect(outcome(await api.invoke(httpApiEvent({ authorizer: { iam: { userArn: arn, accountId: '123456789012' } } })))).toEqual([200, 'ok'])
    }
    expect(api.seen.map((auth) => auth.iam.principalType)).toEqual(['assumed-role', 'user'])
    expect(api.seen.map((auth) => auth.iam.partition)).toEqual(['aws-cn', 'aws-us-gov'])
  })
})

describe('malformed or absent identities: 401 missing_credentials, never a 500', () => {
  const refused = async (event: unknown, reason: string) => {
    const api = protect()
    expect(outcome(await api.invoke(event))).toEqual([401, 'missing_credentials'])
    expect(api.errors[0]!.cause.data).toEqual({ reason })
    expect((api.errors[0] as AuthError<IamContextDenialReason>).reason).toBe(reason)
    expect(api.seen).toEqual([])
  }

  test.each(['arn:aws:iam::123456789012:role/Admin', 'arn:aws:sts::123456789012:assumed-role/Admin', 'arn:aws:iam::12345:root', 'not an arn'])(
    'userArn %j',
    async (userArn) => {
      await refused(httpApiEvent({ authorizer: { iam: { userArn, accountId: '123456789012' } } }), 'malformed_arn')
      await refused(restEvent({ identity: { userArn, accountId: '123456789012', caller: 'AIDAEXAMPLE' } }), 'malformed_arn')
    },
  )

  test('a userArn that is not a string', async () => {
    for (const userArn of [42, {}, ['arn:aws:iam::123456789012:root'], true]) {
      await refused(httpApiEvent({ authorizer: { iam: { userArn: userArn as never } } }), 'no_iam_identity')
    }
  })

  test('empty or null userArn', async () => {
    await refused(httpApiEvent({ authorizer: { iam: { userArn: '' } } }), 'no_iam_identity')
    await refused(restEvent({ identity: { userArn: null, accountId: '123456789012', caller: 'AIDAEXAMPLE' } }), 'no_iam_identity')
  })

  test('an accountId that contradicts the ARN', async () => {
    await refused(httpApiEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::111122223333:user/alice', accountId: '123456789012' } } }), 'account_mismatch')
    await refused(
      restEvent({ identity: { userArn: 'arn:aws:iam::111122223333:user/alice', accountId: '123456789012', caller: 'AIDAEXAMPLE' } }),
      'account_mismatch',
    )
  })

  test('no principal id (caller / callerId)', async () => {
    await refused(restEvent({ identity: { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' } }), 'incomplete_identity')
    await refused(httpApiEvent({ authorizer: { iam: { callerId: '', userId: '' } } }), 'incomplete_identity')
  })

  test('the principal id falls back to user / userId', async () => {
    const api = protect()
    await api.invoke(restEvent({ identity: { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', user: 'AIDAEXAMPLE' } }))
    await api.invoke(httpApiEvent({ authorizer: { iam: { callerId: '', userId: 'AROAEXAMPLE:s' } } }))
    expect(api.seen.map((auth) => auth.iam.principalId)).toEqual(['AIDAEXAMPLE', 'AROAEXAMPLE:s'])
  })

  test('absent optional fields are left out, not made up', async () => {
    const api = protect()
    const event = httpApiEvent({ authorizer: { iam: {} } }) as any
    delete event.requestContext.authorizer.iam.accessKey
    delete event.requestContext.authorizer.iam.accountId
    delete event.requestContext.http.sourceIp
    expect(outcome(await api.invoke(event))).toEqual([200, 'ok'])
    const iam = api.seen[0]!.iam
    expect(iam).not.toHaveProperty('accessKeyId')
    expect(iam).not.toHaveProperty('principalOrgId')
    expect(iam).not.toHaveProperty('cognitoIdentity')
    expect(iam.sourceIp).toBe('')
    expect(iam.accountId).toBe('123456789012')
  })
})
