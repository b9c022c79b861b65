import { randomBytes, randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'

/** How long {@link lambdaContext}'s invocation has left when it is made, in milliseconds. */
const TIMEOUT_MS = 30_000

/**
 * A complete Lambda `Context` for invoking a handler in a test.
 *
 * Defaults: `functionName` `'test-function'`, `functionVersion` `'$LATEST'`, an
 * `invokedFunctionArn` in `eu-west-1` / `123456789012`, `memoryLimitInMB` `'1024'`, a random
 * `awsRequestId` (UUID), the matching `logGroupName` and `logStreamName`,
 * `callbackWaitsForEmptyEventLoop` `true`. `getRemainingTimeInMillis()` counts down from 30
 * seconds from the moment the context is made, like a 30 s timeout (Middy's `timeoutEarly` reads
 * it). The deprecated `done`, `fail` and `succeed` do nothing. Any field can be overridden.
 *
 * The return type is a type parameter, inferred from where the context goes: a Middy handler
 * whose middlewares add to the context (`context.auth`) takes it without a cast. Only the
 * `Context` fields are made here; the middlewares add theirs when the handler runs.
 *
 * @typeParam TContext - the context type the handler expects. Default is `Context`.
 * @param overrides - fields to set over the defaults.
 *
 * @example
 * ```ts
 * import { lambdaContext } from '@middy-auth/testing'
 *
 * const response = await handler(httpApiEvent({ bearer: token }), lambdaContext())
 * const short = lambdaContext({ functionName: 'orders-api', getRemainingTimeInMillis: () => 50 })
 * ```
 */
// TContext types a context a handler widened (WithAuth<Context>, SessionContext) for the caller.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function lambdaContext<TContext extends Context = Context>(overrides: Partial<Context> = {}): TContext {
  const functionName = overrides.functionName ?? 'test-function'
  const functionVersion = overrides.functionVersion ?? '$LATEST'
  const deadline = Date.now() + TIMEOUT_MS
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/')
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[${functionVersion}]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Deprecated members that aws-lambda's Context still requires.
    /* eslint-disable @typescript-eslint/no-deprecated */
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    /* eslint-enable @typescript-eslint/no-deprecated */
    ...overrides,
  } as TContext
}
