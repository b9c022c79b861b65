import type { IamCaller } from '@middy-auth/core'

/**
 * What the ARN of an IAM caller says, and nothing more: an assumed-role ARN has lost the
 * role's path, so there is none here.
 *
 * @example
 * ```ts
 * const parsed: ParsedIamArn | undefined = parseIamArn('arn:aws:iam::123456789012:user/engineering/alice')
 * // { partition: 'aws', service: 'iam', accountId: '123456789012', principalType: 'user', path: '/engineering/', userName: 'alice' }
 * ```
 */
export interface ParsedIamArn {
  /** `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string
  /** `iam` for users and the root user, `sts` for sessions (assumed roles, federated users). */
  service: 'iam' | 'sts'
  /** The caller's account: 12 digits. */
  accountId: string
  principalType: IamCaller['principalType']
  /** Users only: the IAM path, `'/'` when the ARN has none (`user/alice`), else `'/a/b/'`. */
  path?: string
  /** Users only: the IAM user name (unique in the account whatever its path). */
  userName?: string
  /** Assumed roles only: the role's name (its path is not in the ARN). */
  roleName?: string
  /**
   * Sessions only: the session name of an assumed role, or the name of a federated user
   * (`GetFederationToken`'s `Name`). Both are chosen by whoever created the session.
   */
  sessionName?: string
}

/** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, … */
const partitionPattern = /^aws(?:-[a-z]+)*$/
const accountPattern = /^\d{12}$/
/** IAM user, role and session names: letters, digits and `+=,.@_-`. */
const namePattern = /^[\w+=,.@-]+$/
/** One segment of an IAM path: printable ASCII but `/` (IAM allows `!` through `~`). */
const pathSegmentPattern = /^[\x21-\x2e\x30-\x7e]+$/

/**
 * Parses the ARN of an IAM caller, as API Gateway and function URLs give it (`userArn`):
 *
 * - `arn:<partition>:iam::<account>:user/<path/>name`: an IAM user;
 * - `arn:<partition>:iam::<account>:root`: the account's root user;
 * - `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`: an assumed role (also
 *   Cognito identity pools, IAM Identity Center, Lambda and EC2 roles);
 * - `arn:<partition>:sts::<account>:federated-user/<name>`: `GetFederationToken`.
 *
 * Anything else (a role ARN, a region, an account that is not 12 digits, a name with
 * characters IAM does not allow, a service that does not fit the type) is `undefined`: never
 * a guess, never a throw.
 *
 * @example
 * ```ts
 * import { parseIamArn } from '@middy-auth/iam-context'
 *
 * parseIamArn('arn:aws:sts::123456789012:assumed-role/Admin/alice')
 * // { partition: 'aws', service: 'sts', accountId: '123456789012', principalType: 'assumed-role', roleName: 'Admin', sessionName: 'alice' }
 * parseIamArn('arn:aws:iam::123456789012:role/Admin') // undefined: a role is not a caller
 * ```
 */
export const parseIamArn = (arn: string): ParsedIamArn | undefined => {
  if (typeof arn !== 'string') return undefined
  const parts = arn.split(':')
  if (parts.length !== 6) return undefined
  const [prefix, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string]
  if (prefix !== 'arn' || !partitionPattern.test(partition) || region !== '' || !accountPattern.test(accountId)) return undefined
  const base = { partition, accountId }

  if (service === 'iam') {
    if (resource === 'root') return { ...base, service, principalType: 'root' }
    const segments = resource.split('/')
    if (segments.length < 2 || segments[0] !== 'user') return undefined
    const userName = segments.at(-1) as string
    const pathSegments = segments.slice(1, -1)
    if (!namePattern.test(userName) || !pathSegments.every((segment) => pathSegmentPattern.test(segment))) return undefined
    const path = pathSegments.length === 0 ? '/' : `/${pathSegments.join('/')}/`
    return { ...base, service, principalType: 'user', path, userName }
  }

  if (service === 'sts') {
    const segments = resource.split('/')
    if (segments[0] === 'assumed-role' && segments.length === 3) {
      const [, roleName, sessionName] = segments as [string, string, string]
      if (!namePattern.test(roleName) || !namePattern.test(sessionName)) return undefined
      return { ...base, service, principalType: 'assumed-role', roleName, sessionName }
    }
    if (segments[0] === 'federated-user' && segments.length === 2) {
      const sessionName = segments[1] as string
      if (!namePattern.test(sessionName)) return undefined
      return { ...base, service, principalType: 'federated-user', sessionName }
    }
  }
  return undefined
}
