import type { IamCaller } from '@middy-auth/core'
import { matchesWildcard } from '@middy-auth/core/internal'
import { BlockList, isIP } from 'node:net'

/** Why an allow-list refused a caller, for logs. */
export type DenialReason = 'account_not_allowed' | 'principal_not_allowed' | 'org_not_allowed' | 'source_ip_not_allowed'

/** The allow-lists of one middleware instance, as given (each checked already). */
export interface AllowLists {
  accounts?: readonly string[] | undefined
  principals?: readonly string[] | undefined
  orgIds?: readonly string[] | undefined
  sourceIps?: readonly string[] | undefined
}

/** Throws the package's configuration `TypeError`. */
export type Fail = (option: string, problem: string) => never

const accountPattern = /^\d{12}$/
/** AWS Organizations ids: `o-` and 10 to 32 lower-case letters or digits. */
const orgIdPattern = /^o-[a-z0-9]{10,32}$/

/**
 * Checks the allow-lists (a `TypeError` through `fail` for anything that can never match) and
 * compiles them into one check per request: `undefined` when the caller passes every list
 * given, else the first reason it does not.
 */
export const compileAllowLists = (lists: AllowLists, fail: Fail): ((caller: IamCaller) => DenialReason | undefined) => {
  const checks: Array<(caller: IamCaller) => DenialReason | undefined> = []

  if (lists.accounts !== undefined) {
    const accounts = new Set(
      list(lists.accounts, 'allowAccounts', fail).map((account, i) => {
        if (!accountPattern.test(account)) fail(`allowAccounts[${i}]`, `must be a 12-digit AWS account id (leading zeros kept), got ${JSON.stringify(account)}`)
        return account
      }),
    )
    checks.push((caller) => (accounts.has(caller.accountId) ? undefined : 'account_not_allowed'))
  }

  if (lists.principals !== undefined) {
    const patterns = list(lists.principals, 'allowPrincipals', fail).map((pattern, i) => compileArnPattern(pattern, `allowPrincipals[${i}]`, fail))
    checks.push((caller) => (patterns.some((pattern) => pattern.test(caller.arn)) ? undefined : 'principal_not_allowed'))
  }

  if (lists.orgIds !== undefined) {
    const orgIds = new Set(
      list(lists.orgIds, 'allowOrgIds', fail).map((orgId, i) => {
        if (!orgIdPattern.test(orgId))
          fail(`allowOrgIds[${i}]`, `must be an AWS Organizations id ('o-' and 10 to 32 lower-case letters or digits), got ${JSON.stringify(orgId)}`)
        return orgId
      }),
    )
    checks.push((caller) => (caller.principalOrgId !== undefined && orgIds.has(caller.principalOrgId) ? undefined : 'org_not_allowed'))
  }

  if (lists.sourceIps !== undefined) {
    const blockList = new BlockList()
    list(lists.sourceIps, 'allowSourceIps', fail).forEach((cidr, i) => addCidr(blockList, cidr, `allowSourceIps[${i}]`, fail))
    checks.push((caller) => (sourceIpAllowed(blockList, caller.sourceIp) ? undefined : 'source_ip_not_allowed'))
  }

  return (caller) => {
    for (const check of checks) {
      const reason = check(caller)
      if (reason) return reason
    }
    return undefined
  }
}

const list = (value: unknown, name: string, fail: Fail): string[] => {
  if (!Array.isArray(value)) fail(name, `must be a list of strings`)
  const values = value as unknown[]
  if (values.length === 0) fail(name, `is empty, which would refuse every caller: leave it out to allow any`)
  // Spread first: forEach() skips a hole (`[, '123456789012']`), which must be refused like any non-string.
  ;[...values].forEach((v, i) => {
    if (typeof v !== 'string') fail(`${name}[${i}]`, `must be a string, got ${typeof v}`)
  })
  return values as string[]
}

// ARN patterns --------------------------------------------------------------------------------

const partitionPattern = /^(?:aws(?:-[a-z]+)*|[a-z*-]*\*[a-z*-]*)$/
const accountOrWildcard = /^[\d*]+$/
/** What a caller ARN's resource may hold (IAM names, paths) plus `*`. */
const resourceCharacters = /^[\x21-\x39\x3b-\x7e]+$/
const resourceTypes = ['user/', 'assumed-role/', 'federated-user/']

/**
 * Compiles an `allowPrincipals` entry: a caller ARN where `*` stands for any run of characters
 * within one part of the ARN (never across a `:`), as in IAM policies. Case-sensitive.
 */
const compileArnPattern = (pattern: string, at: string, fail: Fail): { test: (arn: string) => boolean } => {
  const bad = (why: string): never => fail(at, `${JSON.stringify(pattern)} ${why}`)
  if (pattern.includes('?')) bad(`contains '?': only '*' is a wildcard`)
  const parts = pattern.split(':')
  if (parts.length !== 6 || parts[0] !== 'arn') bad(`is not a caller ARN pattern such as 'arn:aws:sts::123456789012:assumed-role/Admin/*'`)
  const [, partition, service, region, account, resource] = parts as [string, string, string, string, string, string]
  if (!partitionPattern.test(partition)) bad(`has no valid partition (aws, aws-cn, aws-us-gov, …)`)
  if (service !== 'iam' && service !== 'sts' && !service.includes('*'))
    bad(`names service '${service}': callers are 'iam' (users, root) or 'sts' (assumed roles, federated users)`)
  if (region !== '' && region !== '*') bad(`has a region: caller ARNs have none ('arn:aws:sts::…')`)
  if (!accountOrWildcard.test(account) || (!account.includes('*') && account.length !== 12)) bad(`has no valid account: 12 digits, or '*'`)
  if (resource === '' || !resourceCharacters.test(resource)) bad(`has no valid resource ('user/…', 'assumed-role/…', 'federated-user/…', 'root')`)
  if (resource.startsWith('role/')) {
    bad(
      `is a role ARN, which no caller has: a caller that assumed the role is 'arn:${partition}:sts::${account}:assumed-role/${resource.slice('role/'.length).split('/').at(-1)}/*'`,
    )
  }
  const literalType = !resource.startsWith('*') && !resource.split('/')[0]?.includes('*')
  if (literalType && resource !== 'root' && !resourceTypes.some((type) => resource.startsWith(type))) {
    bad(`has resource type '${resource.split('/')[0]}': callers are 'user/…', 'assumed-role/…', 'federated-user/…' or 'root'`)
  }
  if (literalType && service === 'iam' && (resource.startsWith('assumed-role/') || resource.startsWith('federated-user/'))) {
    bad(`names service 'iam', but ${resource.split('/')[0]} ARNs are 'sts'`)
  }
  if (literalType && service === 'sts' && (resource === 'root' || resource.startsWith('user/'))) {
    bad(`names service 'sts', but ${resource.split('/')[0]} ARNs are 'iam'`)
  }
  // Part by part, so that a `*` never reaches across a `:`; each part in linear time (core's
  // matcher never backtracks, where a regular expression with several `*`s could take seconds).
  return {
    test: (arn: string) => {
      const arnParts = arn.split(':')
      return arnParts.length === parts.length && parts.every((part, i) => matchesWildcard(part, arnParts[i] as string))
    },
  }
}

// CIDRs ---------------------------------------------------------------------------------------

const prefixPattern = /^\d{1,3}$/

/**
 * Adds an `allowSourceIps` entry: `a.b.c.d/n`, `x:y::z/n`, or one address (`/32`, `/128`).
 * Host bits after the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`).
 */
const addCidr = (blockList: BlockList, cidr: string, at: string, fail: Fail): void => {
  const bad = (why: string): never => fail(at, `${JSON.stringify(cidr)} ${why}`)
  const slash = cidr.indexOf('/')
  const address = slash === -1 ? cidr : cidr.slice(0, slash)
  const version = isIP(address)
  if (version === 0) bad(`is not an IPv4 or IPv6 address or CIDR block (such as '203.0.113.0/24' or '2001:db8::/32')`)
  if (address.includes('%')) bad(`has a zone index, which no source IP carries`)
  const max = version === 4 ? 32 : 128
  let prefix = max
  if (slash !== -1) {
    const text = cidr.slice(slash + 1)
    if (!prefixPattern.test(text) || Number(text) > max) bad(`has an invalid prefix length: 0 to ${max} for IPv${version}`)
    prefix = Number(text)
  }
  blockList.addSubnet(address, prefix, version === 4 ? 'ipv4' : 'ipv6')
}

/**
 * Whether a source IP is in the list. IPv4 callers also match IPv4-mapped IPv6 blocks
 * (`::ffff:203.0.113.0/120`) and the other way round, as `node:net`'s `BlockList` compares them.
 * A source IP that is not an address (the console's `test-invoke-source-ip`) never matches.
 */
const sourceIpAllowed = (blockList: BlockList, sourceIp: string): boolean => {
  const version = isIP(sourceIp)
  if (version === 0) return false
  return blockList.check(sourceIp, version === 4 ? 'ipv4' : 'ipv6')
}
