import { describe, expect, test } from '@jest/globals'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import type { AuthError } from '@middy-auth/core'
import type { IamContextDenialReason, IamContextOptions } from '../src/index.js'
import { outcome, protect } from './support.js'

const user = loadFixture('rest-v1-iam-user.json') // arn:aws:iam::123456789012:user/alice, o-exampleorgid, 15.248.3.126
const role = loadFixture('function-url-iam-assumed-role.json') // arn:aws:sts::111122223333:assumed-role/deploy-role/my-session, o-exampleorgid, 123.123.123.123
const httpRole = loadFixture('http-v2-iam.json') // arn:aws:sts::123456789012:assumed-role/Admin/aamorosi, no org, 15.248.3.126

/** Requests each answered as expected; a denial is 403 access_denied with its reason, and never reaches the handler. */
const expectOutcomes = async (options: IamContextOptions, cases: Array<[unknown, string]>) => {
  const api = protect(options)
  let allowed = 0
  for (const [event, expected] of cases) {
    const errorsBefore = api.errors.length
    const response = await api.invoke(event)
    if (expected === 'allow') {
      expect(outcome(response)).toEqual([200, 'ok'])
      allowed++
    } else {
      expect(outcome(response)).toEqual([403, 'access_denied'])
      expect(JSON.parse(response.body)).toEqual({ error: 'access_denied', error_description: 'Access denied' })
      expect(api.errors[errorsBefore]!.cause).toEqual({ package: '@middy-auth/iam-context', data: { reason: expected, arn: expect.stringMatching(/^arn:/) } })
      expect((api.errors[errorsBefore] as AuthError<IamContextDenialReason>).reason).toBe(expected)
    }
    expect(api.seen.length).toBe(allowed)
  }
}

describe('allowAccounts', () => {
  test('the caller account (from its ARN) must be listed', async () => {
    await expectOutcomes({ allowAccounts: ['123456789012'] }, [
      [user, 'allow'],
      [httpRole, 'allow'],
      [role, 'account_not_allowed'],
    ])
    await expectOutcomes({ allowAccounts: ['111122223333', '123456789012'] }, [
      [user, 'allow'],
      [role, 'allow'],
    ])
  })
})

describe('allowPrincipals', () => {
  test('exact ARNs', async () => {
    await expectOutcomes({ allowPrincipals: ['arn:aws:iam::123456789012:user/alice'] }, [
      [user, 'allow'],
      [httpRole, 'principal_not_allowed'],
    ])
  })

  test('* for any session of a role', async () => {
    await expectOutcomes({ allowPrincipals: ['arn:aws:sts::111122223333:assumed-role/deploy-role/*'] }, [
      [role, 'allow'],
      [user, 'principal_not_allowed'],
      [httpRole, 'principal_not_allowed'],
    ])
  })

  test('* within one part of the ARN', async () => {
    await expectOutcomes({ allowPrincipals: ['arn:aws:sts::*:assumed-role/*'] }, [
      [role, 'allow'],
      [httpRole, 'allow'],
      [user, 'principal_not_allowed'],
    ])
    // Each part is matched on its own: a pattern must have the six parts of a caller ARN.
    expect(() => protect({ allowPrincipals: ['arn:aws:sts::1*y'] })).toThrow(/is not a caller ARN pattern/)
  })

  test('fragile spot fixed: many wildcards against a long session name answer at once (no backtracking)', async () => {
    // A regular expression with six `*`s took seconds per request on a 64-character session
    // name (1.4 s on Node 24 here); 30 requests would exceed the test's 20-second timeout.
    const session = 'a'.repeat(64)
    const caller = (name: string) =>
      restEvent({ identity: { userArn: `arn:aws:sts::123456789012:assumed-role/Admin/${name}`, accountId: '123456789012', caller: `AROAEXAMPLE:${name}` } })
    const api = protect({ allowPrincipals: ['arn:aws:sts::123456789012:assumed-role/Admin/*a*a*a*a*a*a*b'] })
    for (let i = 0; i < 30; i++) expect(outcome(await api.invoke(caller(session)))).toEqual([403, 'access_denied'])
    expect(outcome(await api.invoke(caller(`${session}b`)))).toEqual([200, 'ok'])
  })

  test('* also spans a path: a user anywhere under a path', async () => {
    const pathUser = restEvent({ identity: { userArn: 'arn:aws:iam::123456789012:user/ops/oncall/carol', accountId: '123456789012', caller: 'AIDAEXAMPLE' } })
    await expectOutcomes({ allowPrincipals: ['arn:aws:iam::123456789012:user/ops/*'] }, [
      [pathUser, 'allow'],
      [user, 'principal_not_allowed'],
    ])
  })

  test('a prefix is not a match: the pattern covers the whole ARN', async () => {
    const longer = httpApiEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/alice2', accountId: '123456789012' } } })
    await expectOutcomes({ allowPrincipals: ['arn:aws:iam::123456789012:user/alice'] }, [
      [longer, 'principal_not_allowed'],
      [user, 'allow'],
    ])
  })

  test('case-sensitive, as IAM policies are; regular-expression characters are literal', async () => {
    const dotted = httpApiEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/a.b', accountId: '123456789012' } } })
    const notDotted = httpApiEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/axb', accountId: '123456789012' } } })
    await expectOutcomes({ allowPrincipals: ['arn:aws:iam::123456789012:user/a.b'] }, [
      [dotted, 'allow'],
      [notDotted, 'principal_not_allowed'],
    ])
    await expectOutcomes({ allowPrincipals: ['arn:aws:iam::123456789012:user/ALICE'] }, [[user, 'principal_not_allowed']])
  })

  test('the root user', async () => {
    const root = httpApiEvent({ authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:root', accountId: '123456789012', callerId: '123456789012' } } })
    await expectOutcomes({ allowPrincipals: ['arn:aws:sts::123456789012:assumed-role/*'] }, [[root, 'principal_not_allowed']])
    await expectOutcomes({ allowPrincipals: ['arn:aws:iam::123456789012:root'] }, [[root, 'allow']])
  })
})

describe('allowOrgIds', () => {
  test('the caller must belong to a listed organization; no organization is a denial', async () => {
    await expectOutcomes({ allowOrgIds: ['o-exampleorgid'] }, [
      [user, 'allow'],
      [role, 'allow'],
      [httpRole, 'org_not_allowed'],
    ])
    await expectOutcomes({ allowOrgIds: ['o-anotherorg1'] }, [[user, 'org_not_allowed']])
  })
})

describe('allowSourceIps', () => {
  const fromIp = (sourceIp: string) => httpApiEvent({ sourceIp, authorizer: { iam: {} } })
  const fromIpRest = (sourceIp: string) =>
    restEvent({ sourceIp, identity: { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', caller: 'AIDAEXAMPLE' } })

  test('IPv4 CIDRs and single addresses', async () => {
    await expectOutcomes({ allowSourceIps: ['203.0.113.0/24', '198.51.100.7'] }, [
      [fromIp('203.0.113.0'), 'allow'],
      [fromIp('203.0.113.255'), 'allow'],
      [fromIp('198.51.100.7'), 'allow'],
      [fromIpRest('203.0.113.9'), 'allow'],
      [fromIp('203.0.114.0'), 'source_ip_not_allowed'],
      [fromIp('198.51.100.8'), 'source_ip_not_allowed'],
      [fromIpRest('10.0.0.1'), 'source_ip_not_allowed'],
    ])
  })

  test('IPv6 CIDRs, with and without zero compression, in any case', async () => {
    await expectOutcomes({ allowSourceIps: ['2001:db8:abcd::/48', '2001:0DB8:0000:0000:0000:0000:0000:0042'] }, [
      [fromIp('2001:db8:abcd::1'), 'allow'],
      [fromIp('2001:0db8:abcd:0012:0000:0000:0000:0001'), 'allow'],
      [fromIp('2001:DB8:ABCD:FFFF:FFFF:FFFF:FFFF:FFFF'), 'allow'],
      [fromIp('2001:db8::42'), 'allow'],
      [fromIp('2001:db8:abce::1'), 'source_ip_not_allowed'],
      [fromIp('2001:db8::43'), 'source_ip_not_allowed'],
      [fromIp('::1'), 'source_ip_not_allowed'],
      [fromIp('203.0.113.10'), 'source_ip_not_allowed'],
    ])
  })

  test('IPv4-mapped IPv6: an IPv4 block covers the mapped form, and a mapped block covers IPv4', async () => {
    await expectOutcomes({ allowSourceIps: ['203.0.113.0/24'] }, [
      [fromIp('::ffff:203.0.113.5'), 'allow'],
      [fromIp('::ffff:cb00:7105'), 'allow'], // the same address in hex
      [fromIp('::ffff:203.0.114.5'), 'source_ip_not_allowed'],
    ])
    await expectOutcomes({ allowSourceIps: ['::ffff:203.0.113.0/120'] }, [
      [fromIp('203.0.113.77'), 'allow'],
      [fromIp('203.0.112.77'), 'source_ip_not_allowed'],
    ])
  })

  test('host bits after the prefix are ignored', async () => {
    await expectOutcomes({ allowSourceIps: ['203.0.113.99/24', '2001:db8::1/32'] }, [
      [fromIp('203.0.113.1'), 'allow'],
      [fromIp('2001:db8:ffff::1'), 'allow'],
    ])
  })

  test('/0 covers its family', async () => {
    await expectOutcomes({ allowSourceIps: ['0.0.0.0/0'] }, [
      [fromIp('198.51.100.1'), 'allow'],
      [fromIp('2001:db8::1'), 'source_ip_not_allowed'],
    ])
  })

  test('a source IP that is no address never matches', async () => {
    await expectOutcomes({ allowSourceIps: ['0.0.0.0/0', '::/0'] }, [
      [fromIp('IP'), 'source_ip_not_allowed'],
      [fromIp(''), 'source_ip_not_allowed'],
      [fromIp('203.0.113.1, 10.0.0.1'), 'source_ip_not_allowed'],
      [fromIp('010.0.0.1'), 'source_ip_not_allowed'],
    ])
  })

  test('X-Forwarded-For is never read', async () => {
    const spoofed = httpApiEvent({ sourceIp: '198.51.100.1', headers: { 'x-forwarded-for': '203.0.113.5' }, authorizer: { iam: {} } })
    await expectOutcomes({ allowSourceIps: ['203.0.113.0/24'] }, [[spoofed, 'source_ip_not_allowed']])
  })
})

describe('allow-lists together', () => {
  test('every list given must pass (AND); the first that fails is the reason', async () => {
    const options: IamContextOptions = {
      allowAccounts: ['123456789012', '111122223333'],
      allowPrincipals: ['arn:aws:iam::123456789012:user/*', 'arn:aws:sts::111122223333:assumed-role/deploy-role/*'],
      allowOrgIds: ['o-exampleorgid'],
      allowSourceIps: ['15.248.0.0/16'],
    }
    await expectOutcomes(options, [
      [user, 'allow'],
      [role, 'source_ip_not_allowed'],
      [httpRole, 'principal_not_allowed'],
    ])
  })

  test('checked on every request: a denial after an allowed request is still a denial, and the other way round', async () => {
    await expectOutcomes({ allowAccounts: ['123456789012'] }, [
      [user, 'allow'],
      [role, 'account_not_allowed'],
      [user, 'allow'],
      [role, 'account_not_allowed'],
    ])
  })

  test('no allow-list: any IAM caller', async () => {
    await expectOutcomes({}, [
      [user, 'allow'],
      [role, 'allow'],
      [httpRole, 'allow'],
    ])
  })

  test('concurrent requests get their own answers', async () => {
    const api = protect({ allowAccounts: ['123456789012'] })
    const events = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? user : role))
    const responses = await Promise.all(events.map((event) => api.invoke(event)))
    responses.forEach((response, i) => expect(response.statusCode).toBe(i % 2 === 0 ? 200 : 403))
    expect(api.seen.every((auth) => auth.iam.accountId === '123456789012')).toBe(true)
  })
})
