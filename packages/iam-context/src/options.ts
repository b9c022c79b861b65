import type { IamCaller } from '@middy-auth/core'
import { checkOptionNames, configErrors } from '@middy-auth/core/internal'
import { validateOptions } from '@middy/util'
import { compileAllowLists, type DenialReason } from './allow-lists.js'

export const packageName = '@middy-auth/iam-context'

/**
 * Options of `iamContext()`. Every allow-list that is given must let the caller through
 * (they combine with AND); one that is left out allows any caller. They are checked on every
 * request, after the identity is read.
 *
 * @example
 * ```ts
 * const options: IamContextOptions = {
 *   allowAccounts: ['123456789012', '210987654321'],
 *   allowPrincipals: ['arn:aws:sts::123456789012:assumed-role/OrdersWriter/*'],
 *   allowOrgIds: ['o-a1b2c3d4e5'],
 *   allowSourceIps: ['203.0.113.0/24', '2001:db8::/32'],
 * }
 * ```
 */
export interface IamContextOptions {
  /** Accounts whose callers are accepted: 12-digit ids, compared with the caller's ARN. Default: any. */
  allowAccounts?: readonly string[]
  /**
   * Caller ARN patterns: `*` matches any run of characters within one part of the ARN (not
   * across `:`), as in IAM policies; case-sensitive. A caller that assumed a role has an
   * `sts` ARN: `'arn:aws:sts::123456789012:assumed-role/Admin/*'`, not the role's `iam` ARN.
   * Default: any.
   */
  allowPrincipals?: readonly string[]
  /** AWS Organizations ids (`o-…`): the caller's account must be in one of them. Default: any. */
  allowOrgIds?: readonly string[]
  /**
   * Source IPs: IPv4 and IPv6 CIDR blocks or single addresses. The gateway's `sourceIp` is
   * compared, never `X-Forwarded-For`. Default: any.
   */
  allowSourceIps?: readonly string[]
  /**
   * Take the identity of an API Gateway console test invocation (stage `test-invoke-stage`)
   * as the caller. It is the console user's identity, present even on methods without IAM
   * authorization; with `false`, such a request is `401 missing_credentials`. Default `false`.
   */
  allowConsoleTestInvoke?: boolean
}

/** The settings of one middleware instance, checked and compiled at cold start. */
export interface CompiledOptions {
  allowConsoleTestInvoke: boolean
  check: (caller: IamCaller) => DenialReason | undefined
}

const configError = configErrors(packageName, 'iamContext')
/** Throws the configuration `TypeError` (allow-lists.ts reports through it). */
const fail = (option: string, problem: string): never => {
  throw configError(option, problem)
}

const knownOptions = ['allowAccounts', 'allowPrincipals', 'allowOrgIds', 'allowSourceIps', 'allowConsoleTestInvoke']

/**
 * Checks every option and compiles the allow-lists. Anything that can never work is a
 * `TypeError` naming the option, thrown at cold start.
 */
export const compileOptions = (options: IamContextOptions): CompiledOptions => {
  checkOptionNames(options, knownOptions, configError)
  const allowConsoleTestInvoke = options.allowConsoleTestInvoke ?? false
  if (typeof allowConsoleTestInvoke !== 'boolean') fail('allowConsoleTestInvoke', `must be a boolean`)
  const check = compileAllowLists(
    {
      accounts: options.allowAccounts,
      principals: options.allowPrincipals,
      orgIds: options.allowOrgIds,
      sourceIps: options.allowSourceIps,
    },
    fail,
  )
  return { allowConsoleTestInvoke, check }
}

const stringList = { type: 'array', items: { type: 'string' } } as const

const optionSchema = {
  type: 'object',
  properties: {
    allowAccounts: stringList,
    allowPrincipals: stringList,
    allowOrgIds: stringList,
    allowSourceIps: stringList,
    allowConsoleTestInvoke: { type: 'boolean' },
  },
  additionalProperties: false,
} as const

/**
 * Middy's opt-in schema check of the options (`@middy/util`'s `validateOptions`). The factory
 * itself checks everything that can never work (account ids, ARN patterns, organization ids,
 * CIDRs), at cold start, whether or not this is called.
 *
 * @example
 * ```ts
 * import { iamContextValidateOptions } from '@middy-auth/iam-context'
 * iamContextValidateOptions({ allowAccounts: ['123456789012'] })
 * ```
 */
export const iamContextValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
