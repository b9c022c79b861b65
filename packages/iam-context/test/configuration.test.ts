import { describe, expect, test } from '@jest/globals'
import iamContext, { iamContextValidateOptions } from '../src/index.js'
import { afterHole } from '../../../test/support/holes.js'

describe('configuration mistakes fail at cold start with a TypeError that says what to fix', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['options not an object', 'allowAccounts', /options must be an object/],
    ['options an array', ['123456789012'], /options must be an object/],
    [
      'unknown option',
      { allowAccount: ['123456789012'] },
      /^iamContext: allowAccount is not an option \(known: allowAccounts, allowPrincipals, allowOrgIds, allowSourceIps, allowConsoleTestInvoke\)$/,
    ],
    ['allowConsoleTestInvoke not a boolean', { allowConsoleTestInvoke: 'yes' }, /^iamContext: allowConsoleTestInvoke must be a boolean$/],
    // allowAccounts
    ['allowAccounts a string', { allowAccounts: '123456789012' }, /allowAccounts must be a list of strings/],
    ['allowAccounts empty', { allowAccounts: [] }, /allowAccounts is empty, which would refuse every caller: leave it out to allow any/],
    ['allowAccounts a number', { allowAccounts: [123456789012] }, /allowAccounts\[0\] must be a string, got number/],
    // forEach() skipped a hole (JavaScript's [, x]): it was accepted without a word.
    ['allowAccounts a hole', { allowAccounts: afterHole('123456789012') }, /allowAccounts\[0\] must be a string, got undefined/],
    ['allowPrincipals a hole', { allowPrincipals: afterHole('arn:aws:iam::123456789012:role/a') }, /allowPrincipals\[0\] must be a string, got undefined/],
    ['11-digit account', { allowAccounts: ['12345678901'] }, /allowAccounts\[0\] must be a 12-digit AWS account id \(leading zeros kept\), got "12345678901"/],
    ['account with dashes', { allowAccounts: ['123456789012', '1234-5678-9012'] }, /allowAccounts\[1\] must be a 12-digit/],
    ['account with spaces', { allowAccounts: [' 123456789012'] }, /allowAccounts\[0\] must be a 12-digit/],
    // allowPrincipals
    ['allowPrincipals empty', { allowPrincipals: [] }, /allowPrincipals is empty/],
    [
      'not an ARN',
      { allowPrincipals: ['alice'] },
      /allowPrincipals\[0\] "alice" is not a caller ARN pattern such as 'arn:aws:sts::123456789012:assumed-role\/Admin\/\*'/,
    ],
    ['? wildcard', { allowPrincipals: ['arn:aws:iam::123456789012:user/alic?'] }, /contains '\?': only '\*' is a wildcard/],
    [
      'a role ARN',
      { allowPrincipals: ['arn:aws:iam::123456789012:role/Admin'] },
      /is a role ARN, which no caller has: a caller that assumed the role is 'arn:aws:sts::123456789012:assumed-role\/Admin\/\*'/,
    ],
    ['a role ARN with a path', { allowPrincipals: ['arn:aws:iam::123456789012:role/service/Deployer'] }, /assumed-role\/Deployer\/\*/],
    ['a region', { allowPrincipals: ['arn:aws:sts:eu-west-1:123456789012:assumed-role/Admin/*'] }, /has a region: caller ARNs have none/],
    ['another service', { allowPrincipals: ['arn:aws:s3:::bucket'] }, /names service 's3'/],
    ['a bad account', { allowPrincipals: ['arn:aws:iam::12345:root'] }, /has no valid account: 12 digits, or '\*'/],
    ['no account', { allowPrincipals: ['arn:aws:iam:::root'] }, /has no valid account/],
    ['a bad partition', { allowPrincipals: ['arn:AWS:iam::123456789012:root'] }, /has no valid partition/],
    ['no resource', { allowPrincipals: ['arn:aws:iam::123456789012:'] }, /has no valid resource/],
    ['a space in the resource', { allowPrincipals: ['arn:aws:iam::123456789012:user/al ice'] }, /has no valid resource/],
    ['a group', { allowPrincipals: ['arn:aws:iam::123456789012:group/Admins'] }, /has resource type 'group'/],
    ['assumed-role under iam', { allowPrincipals: ['arn:aws:iam::123456789012:assumed-role/Admin/*'] }, /names service 'iam', but assumed-role ARNs are 'sts'/],
    ['user under sts', { allowPrincipals: ['arn:aws:sts::123456789012:user/alice'] }, /names service 'sts', but user ARNs are 'iam'/],
    ['too many parts', { allowPrincipals: ['arn:aws:iam::123456789012:user:alice'] }, /is not a caller ARN pattern/],
    // allowOrgIds
    ['allowOrgIds empty', { allowOrgIds: [] }, /allowOrgIds is empty/],
    ['an organization id without o-', { allowOrgIds: ['exampleorgid'] }, /allowOrgIds\[0\] must be an AWS Organizations id/],
    ['an organization id too short', { allowOrgIds: ['o-abc'] }, /allowOrgIds\[0\] must be an AWS Organizations id/],
    ['an organization id in upper case', { allowOrgIds: ['o-EXAMPLEORGID'] }, /allowOrgIds\[0\] must be an AWS Organizations id/],
    [
      'an organization ARN',
      { allowOrgIds: ['arn:aws:organizations::111111111111:organization/o-exampleorgid'] },
      /allowOrgIds\[0\] must be an AWS Organizations id/,
    ],
    // allowSourceIps
    ['allowSourceIps empty', { allowSourceIps: [] }, /allowSourceIps is empty/],
    ['not an address', { allowSourceIps: ['localhost'] }, /allowSourceIps\[0\] "localhost" is not an IPv4 or IPv6 address or CIDR block/],
    ['a short IPv4', { allowSourceIps: ['10.0.0/8'] }, /is not an IPv4 or IPv6 address/],
    ['leading zeros', { allowSourceIps: ['010.0.0.0/8'] }, /is not an IPv4 or IPv6 address/],
    ['a range', { allowSourceIps: ['10.0.0.1-10.0.0.9'] }, /is not an IPv4 or IPv6 address/],
    ['IPv4 prefix over 32', { allowSourceIps: ['10.0.0.0/33'] }, /has an invalid prefix length: 0 to 32 for IPv4/],
    ['IPv6 prefix over 128', { allowSourceIps: ['2001:db8::/129'] }, /has an invalid prefix length: 0 to 128 for IPv6/],
    ['negative prefix', { allowSourceIps: ['10.0.0.0/-1'] }, /has an invalid prefix length/],
    ['empty prefix', { allowSourceIps: ['10.0.0.0/'] }, /has an invalid prefix length/],
    ['netmask instead of prefix', { allowSourceIps: ['10.0.0.0/255.0.0.0'] }, /has an invalid prefix length/],
    ['two slashes', { allowSourceIps: ['10.0.0.0/8/8'] }, /has an invalid prefix length/],
    ['a zone index', { allowSourceIps: ['fe80::1%eth0'] }, /has a zone index/],
    ['a bad IPv6', { allowSourceIps: ['2001:db8:::1/64'] }, /is not an IPv4 or IPv6 address/],
  ]
  test.each(cases)('%s', (_name, options, message) => {
    let thrown: unknown
    try {
      iamContext(options as never)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TypeError)
    // The message starts with the option's path, which cause.option names.
    const { message: text, cause } = thrown as TypeError & { cause: { package: string; option: string } }
    expect(cause).toEqual({ package: '@middy-auth/iam-context', option: expect.any(String) })
    expect(text.startsWith(`iamContext: ${cause.option} `)).toBe(true)
    expect(text).toMatch(message)
  })

  test('what is valid', () => {
    expect(() => iamContext()).not.toThrow()
    expect(() => iamContext({})).not.toThrow()
    expect(() =>
      iamContext({
        allowAccounts: ['000000000001', '123456789012'],
        allowPrincipals: [
          'arn:aws:iam::123456789012:user/alice',
          'arn:aws:iam::123456789012:user/ops/*',
          'arn:aws:iam::123456789012:root',
          'arn:aws:sts::123456789012:assumed-role/Admin/*',
          'arn:aws:sts::123456789012:federated-user/*',
          'arn:aws-cn:sts::*:assumed-role/*',
          'arn:*:sts::123456789012:*',
          'arn:aws:*::123456789012:*',
          'arn:aws:sts:*:123456789012:assumed-role/*',
        ],
        allowOrgIds: ['o-exampleorgid', 'o-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6'],
        allowSourceIps: ['203.0.113.0/24', '198.51.100.7', '0.0.0.0/0', '2001:db8::/32', '::1', '::/0', '::ffff:203.0.113.0/120', '2001:DB8:0:0:0:0:0:1/128'],
        allowConsoleTestInvoke: false,
      }),
    ).not.toThrow()
  })

  test('iamContextValidateOptions, the opt-in Middy schema check', () => {
    expect(iamContextValidateOptions({ allowAccounts: ['123456789012'], allowConsoleTestInvoke: true })).toEqual({
      allowAccounts: ['123456789012'],
      allowConsoleTestInvoke: true,
    })
    expect(() => iamContextValidateOptions({})).not.toThrow()
    expect(() => iamContextValidateOptions({ allowAccounts: '123456789012' })).toThrow(TypeError)
    expect(() => iamContextValidateOptions({ allowSourceIps: [10] })).toThrow(TypeError)
    expect(() => iamContextValidateOptions({ allowConsoleTestInvoke: 'yes' })).toThrow(TypeError)
    expect(() => iamContextValidateOptions({ typo: 1 })).toThrow(/Unknown option 'typo'/)
    try {
      iamContextValidateOptions({ typo: 1 })
    } catch (error) {
      expect((error as TypeError).cause).toEqual({ package: '@middy-auth/iam-context' })
    }
  })
})
