import type { AuthContext } from '@middy-auth/core'
import { lambdaContext } from '@middy-auth/testing'
import middy, { type MiddlewareObj } from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'

/** What an HTTP handler answered. */
export type Response = { statusCode: number; headers?: Record<string, string>; body?: string }

/** Any package's middleware: each types its own context, these tests only read `context.auth`. */
export type Middleware = MiddlewareObj<any, any, any, any, any>

/**
 * A handler behind `middlewares` and the error handler, as a user writes one; records the
 * identity each call reached it with (a refused request never does).
 */
export const protect = (middlewares: Middleware[]) => {
  const handlerSaw: AuthContext[] = []
  const handler = middy()
  for (const middleware of middlewares) handler.use(middleware)
  handler.use(httpErrorHandler({ logger: false }))
  handler.handler(async (_event: unknown, context: object) => {
    handlerSaw.push((context as { auth: AuthContext }).auth)
    return { statusCode: 200, body: 'ok' }
  })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event as never, lambdaContext() as never)) as Response
  return { invoke, handlerSaw }
}

/** The `error` code of a refusal; the body itself when it is not a JSON error (a handler's 'ok'). */
export const errorCode = (response: Response): string | undefined => {
  try {
    return (JSON.parse(response.body ?? '{}') as { error?: string }).error
  } catch {
    return response.body
  }
}
