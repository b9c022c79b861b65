import { AuthError, setAuth, type AuthContext, type IamCaller, type MiddyRequestLike } from '@middy-auth/core'
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import type { DenialReason } from './allow-lists.js'
import { lookupIamCaller, type CallerLookup, type MissingCallerReason } from './caller.js'
import { compileOptions, packageName, type IamContextOptions } from './options.js'

/**
 * `context.auth` after `iamContext()`: the caller's ARN is the `subject`, and `iam` is always
 * set. `scopes` and `roles` are empty (rbac may add roles), `claims` is an empty frozen object.
 *
 * @example
 * ```ts
 * const describe = (auth: IamAuthContext) => `${auth.iam.principalType} ${auth.subject} from ${auth.iam.accountId}`
 * ```
 */
export type IamAuthContext = AuthContext & { source: 'iam'; iam: IamCaller }

/**
 * Why iamContext denied (`AuthError.reason`, also `cause.data.reason`): no caller, 401
 * `missing_credentials` (`no_iam_identity`, `anonymous`, `console_test_invoke`, `malformed_arn`,
 * `incomplete_identity`, `account_mismatch`), or an allow-list that does not list the caller,
 * 403 `access_denied` (`account_not_allowed`, `principal_not_allowed`, `org_not_allowed`,
 * `source_ip_not_allowed`, with the caller's ARN in `cause.data.arn`).
 *
 * @example
 * ```ts
 * import type { AuthError } from '@middy-auth/core'
 * const notListed = (error: AuthError<IamContextDenialReason>) => error.reason?.endsWith('_not_allowed')
 * ```
 */
export type IamContextDenialReason = MissingCallerReason | DenialReason

/**
 * The middleware `iamContext()` returns: the handler's `context.auth` is an {@link IamAuthContext}.
 *
 * @example
 * ```ts
 * const middleware: IamContextMiddleware = iamContext({ allowAccounts: ['123456789012'] })
 * ```
 */
export type IamContextMiddleware = MiddlewareObj<unknown, unknown, Error, Context & { auth: IamAuthContext }, { auth: IamAuthContext }>

/** No claims: an IAM caller has no token. Shared, and frozen so that no request can change it. */
const noClaims: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * Puts the IAM caller of a SigV4-signed request on `context.auth` (`source: 'iam'`, `subject`
 * the caller's ARN, `iam` the parsed caller), from `requestContext.identity` (REST) or
 * `requestContext.authorizer.iam` (HTTP API, function URL). Using it says the route is
 * IAM-authorized: a request without an IAM identity (another route, a function URL with auth
 * type `NONE`, an API Gateway console test invocation) is `401 missing_credentials`, and a
 * caller outside an allow-list is `403 access_denied`. The handler is not called on either;
 * `@middy/http-error-handler` renders the `AuthError`.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import httpErrorHandler from '@middy/http-error-handler'
 * import iamContext from '@middy-auth/iam-context'
 *
 * export const handler = middy()
 *   .use(iamContext({ allowAccounts: ['123456789012'], allowPrincipals: ['arn:aws:sts::123456789012:assumed-role/Deployer/*'] }))
 *   .use(httpErrorHandler())
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.auth.iam.roleName ?? context.auth.subject }))
 * ```
 */
function iamContext(options: IamContextOptions = {}): IamContextMiddleware {
  const { allowConsoleTestInvoke, check } = compileOptions(options)

  const iamContextMiddlewareBefore = (request: MiddyRequestLike): void => {
    let lookup: CallerLookup
    try {
      lookup = lookupIamCaller(request.event, { allowConsoleTestInvoke })
    } catch {
      // A hostile or unforeseen event shape: no caller (never a 500, never an accept).
      lookup = { reason: 'no_iam_identity' }
    }
    const { caller } = lookup
    if (!caller) throw new AuthError<IamContextDenialReason>('missing_credentials', { package: packageName, reason: lookup.reason })
    const denial = check(caller)
    if (denial) throw new AuthError<IamContextDenialReason>('access_denied', { package: packageName, reason: denial, data: { arn: caller.arn } })
    const auth: IamAuthContext = { source: 'iam', subject: caller.arn, scopes: [], roles: [], claims: noClaims, iam: caller }
    setAuth(request, auth)
  }

  return { before: iamContextMiddlewareBefore }
}

export default iamContext
export type { IamCaller } from '@middy-auth/core'
export type { IamContextOptions } from './options.js'
export { iamContextValidateOptions } from './options.js'
export { parseIamArn } from './arn.js'
export type { ParsedIamArn } from './arn.js'
export { readIamCaller } from './caller.js'
export type { ReadIamCallerOptions } from './caller.js'
