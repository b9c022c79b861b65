import type { IamCaller } from '@middy-auth/core'
import { asRecord, asText } from '@middy-auth/core/internal'
import { parseIamArn } from './arn.js'

/**
 * Options of {@link readIamCaller}.
 *
 * @example
 * ```ts
 * const options: ReadIamCallerOptions = { allowConsoleTestInvoke: true }
 * ```
 */
export interface ReadIamCallerOptions {
  /**
   * Take the identity of an API Gateway console test invocation (stage `test-invoke-stage`)
   * as the caller. It is the console user's, and it is there even on routes without IAM
   * authorization. Default `false`.
   */
  allowConsoleTestInvoke?: boolean
}

/** Why an event has no IAM caller, for logs. */
export type MissingCallerReason = 'no_iam_identity' | 'anonymous' | 'console_test_invoke' | 'malformed_arn' | 'incomplete_identity' | 'account_mismatch'

/** The caller, or why there is none. */
export type CallerLookup = { caller: IamCaller; reason?: undefined } | { caller?: undefined; reason: MissingCallerReason }

/** The stage and source IP API Gateway gives a console test invocation instead of real ones. */
const CONSOLE_TEST_STAGE = 'test-invoke-stage'
const CONSOLE_TEST_SOURCE_IP = 'test-invoke-source-ip'

/** The fields of an IAM identity, whichever event kind carried them. */
interface RawIdentity {
  userArn: unknown
  accountId: unknown
  principalId: unknown
  accessKey: unknown
  principalOrgId: unknown
  sourceIp: unknown
  cognitoIdentity: IamCaller['cognitoIdentity']
}

/**
 * REST (and WebSocket) `requestContext.identity`. `cognitoAuthenticationProvider` is the
 * comma-separated list the `$context.identity` docs describe
 * (`cognito-idp.<region>.amazonaws.com/<pool>,cognito-idp.<region>.amazonaws.com/<pool>:CognitoSignIn:<sub>`).
 */
const fromRestIdentity = (identity: Record<string, unknown>): RawIdentity => {
  const identityId = asText(identity.cognitoIdentityId)
  const identityPoolId = asText(identity.cognitoIdentityPoolId)
  const authenticationType = asText(identity.cognitoAuthenticationType)
  const provider = asText(identity.cognitoAuthenticationProvider)
  return {
    userArn: identity.userArn,
    accountId: identity.accountId,
    principalId: asText(identity.caller) ?? identity.user,
    accessKey: identity.accessKey,
    principalOrgId: identity.principalOrgId,
    sourceIp: identity.sourceIp,
    cognitoIdentity:
      identityId && identityPoolId
        ? {
            identityId,
            identityPoolId,
            ...(authenticationType ? { authenticationType } : {}),
            providers: provider
              ? provider
                  .split(',')
                  .map((p) => p.trim())
                  .filter((p) => p !== '')
              : [],
          }
        : undefined,
  }
}

/**
 * HTTP API and function URL `requestContext.authorizer.iam`. Its `cognitoIdentity.amr` holds
 * `authenticated` or `unauthenticated`, then the providers (as in the identity's OpenID token).
 */
const fromAuthorizerIam = (iam: Record<string, unknown>, requestContext: Record<string, unknown>): RawIdentity => {
  const cognito = asRecord(iam.cognitoIdentity)
  const identityId = asText(cognito?.identityId)
  const identityPoolId = asText(cognito?.identityPoolId)
  const amr = Array.isArray(cognito?.amr) ? cognito.amr.filter((v): v is string => typeof v === 'string' && v !== '') : []
  const authenticationType = amr.find((v) => v === 'authenticated' || v === 'unauthenticated')
  return {
    userArn: iam.userArn,
    accountId: iam.accountId,
    principalId: asText(iam.callerId) ?? iam.userId,
    accessKey: iam.accessKey,
    principalOrgId: iam.principalOrgId,
    sourceIp: asRecord(requestContext.http)?.sourceIp,
    cognitoIdentity:
      identityId && identityPoolId
        ? {
            identityId,
            identityPoolId,
            ...(authenticationType ? { authenticationType } : {}),
            providers: amr.filter((v) => v !== 'authenticated' && v !== 'unauthenticated'),
          }
        : undefined,
  }
}

/**
 * Whether the event is an API Gateway console test invocation: its stage is
 * `test-invoke-stage`, or its source IP is the placeholder `test-invoke-source-ip`.
 */
const isConsoleTestInvoke = (requestContext: Record<string, unknown>, identity: Record<string, unknown>): boolean =>
  requestContext.stage === CONSOLE_TEST_STAGE || identity.sourceIp === CONSOLE_TEST_SOURCE_IP

/**
 * The IAM caller of an event, or why there is none. Never throws on any input.
 */
export const lookupIamCaller = (event: unknown, options: ReadIamCallerOptions): CallerLookup => {
  const requestContext = asRecord(asRecord(event)?.requestContext)
  if (!requestContext) return { reason: 'no_iam_identity' }
  const authorizerIam = asRecord(asRecord(requestContext.authorizer)?.iam)
  const restIdentity = asRecord(requestContext.identity)

  let raw: RawIdentity
  if (authorizerIam) {
    raw = fromAuthorizerIam(authorizerIam, requestContext)
  } else if (restIdentity && asText(restIdentity.userArn)) {
    if (isConsoleTestInvoke(requestContext, restIdentity) && options.allowConsoleTestInvoke !== true) {
      return { reason: 'console_test_invoke' }
    }
    raw = fromRestIdentity(restIdentity)
  } else {
    // A function URL with auth type NONE says so: its requestContext.accountId is "anonymous".
    return { reason: requestContext.accountId === 'anonymous' ? 'anonymous' : 'no_iam_identity' }
  }
  return toCaller(raw)
}

const toCaller = (raw: RawIdentity): CallerLookup => {
  const arn = asText(raw.userArn)
  if (!arn) return { reason: 'no_iam_identity' }
  const parsed = parseIamArn(arn)
  if (!parsed) return { reason: 'malformed_arn' }
  // The ARN is what IAM authenticated: an accountId field that says otherwise is not trusted.
  const declaredAccount = raw.accountId
  if (declaredAccount !== undefined && declaredAccount !== null && declaredAccount !== parsed.accountId) {
    return { reason: 'account_mismatch' }
  }
  const principalId = asText(raw.principalId)
  if (!principalId) return { reason: 'incomplete_identity' }
  const accessKeyId = asText(raw.accessKey)
  const principalOrgId = asText(raw.principalOrgId)
  const isSession = parsed.principalType === 'assumed-role' || parsed.principalType === 'federated-user'
  const caller: IamCaller = {
    accountId: parsed.accountId,
    partition: parsed.partition,
    arn,
    principalType: parsed.principalType,
    ...(parsed.userName !== undefined ? { userName: parsed.userName } : {}),
    ...(parsed.path !== undefined ? { path: parsed.path } : {}),
    ...(parsed.roleName !== undefined ? { roleName: parsed.roleName } : {}),
    ...(parsed.sessionName !== undefined ? { sessionName: parsed.sessionName } : {}),
    principalId,
    ...(accessKeyId ? { accessKeyId } : {}),
    // Sessions (assumed roles, federated users) only ever sign with temporary credentials.
    temporaryCredentials: accessKeyId?.startsWith('ASIA') === true || isSession,
    ...(principalOrgId ? { principalOrgId } : {}),
    sourceIp: asText(raw.sourceIp) ?? '',
    ...(raw.cognitoIdentity ? { cognitoIdentity: raw.cognitoIdentity } : {}),
  }
  return { caller: deepFreeze(caller) }
}

const deepFreeze = (caller: IamCaller): IamCaller => {
  if (caller.cognitoIdentity) {
    Object.freeze(caller.cognitoIdentity.providers)
    Object.freeze(caller.cognitoIdentity)
  }
  return Object.freeze(caller)
}

/**
 * The IAM caller of a SigV4-signed request, read from `requestContext.identity` (REST) or
 * `requestContext.authorizer.iam` (HTTP API, function URL), with its ARN parsed; `undefined`
 * when the event carries none (a route without IAM authorization, a function URL with auth
 * type `NONE`), when its ARN or fields are malformed, and for API Gateway console test
 * invocations unless `allowConsoleTestInvoke` is `true`. The object is frozen. Never throws.
 *
 * Call it only where API Gateway or Lambda wrote the event: whoever may invoke the function
 * directly writes the whole event.
 *
 * @example
 * ```ts
 * import { readIamCaller } from '@middy-auth/iam-context'
 *
 * const caller = readIamCaller(event)
 * if (caller?.principalType === 'assumed-role') console.log(caller.roleName, caller.sessionName)
 * ```
 */
export const readIamCaller = (event: unknown, options: ReadIamCallerOptions = {}): IamCaller | undefined => {
  try {
    return lookupIamCaller(event, options).caller
  } catch {
    return undefined
  }
}
