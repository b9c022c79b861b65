/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): what reaches the
 * handler, and options that must not compile.
 */
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { IamCaller } from '@middy-auth/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import iamContext, { parseIamArn, readIamCaller, type IamAuthContext, type ParsedIamArn } from '@middy-auth/iam-context'

export const typed = middy<APIGatewayProxyEventV2>()
  .use(iamContext({ allowAccounts: ['123456789012'] }))
  .use(httpErrorHandler())
  .handler(async (_event, context) => {
    // iam is always set after iamContext(): no optional chaining needed.
    const caller: IamCaller = context.auth.iam
    const account: string = context.auth.iam.accountId
    const role: string | undefined = context.auth.iam.roleName
    const type: 'user' | 'assumed-role' | 'root' | 'federated-user' = context.auth.iam.principalType
    const source: 'iam' = context.auth.source
    const auth: IamAuthContext = context.auth
    // @ts-expect-error a role name may be absent (users, root, federated users)
    const mustHaveRole: string = context.auth.iam.roleName
    return { statusCode: 200, body: [caller.arn, account, role, type, source, auth.subject, mustHaveRole].join() }
  })

export const untyped = middy()
  .use(iamContext())
  .handler(async (_event, context) => context.auth.iam.arn)

const parsed: ParsedIamArn | undefined = parseIamArn('arn:aws:iam::123456789012:root')
const read: IamCaller | undefined = readIamCaller({}, { allowConsoleTestInvoke: true })
export const values = [parsed, read]

// @ts-expect-error allow-lists are lists
iamContext({ allowAccounts: '123456789012' })

// @ts-expect-error unknown options do not compile
iamContext({ allowAccount: ['123456789012'] })

// @ts-expect-error allowConsoleTestInvoke is a boolean
iamContext({ allowConsoleTestInvoke: 'yes' })

// readonly lists are accepted
const accounts = ['123456789012'] as const
iamContext({ allowAccounts: accounts })
