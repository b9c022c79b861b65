/**
 * The one harness of the middleware tests: a real `middy()` handler as users write it, its
 * response, and the identity middlewares the tests put in front. Every package's test support
 * builds on it, so every suite runs its middlewares the same way.
 */
import { setAuth, type AuthContext } from '@middy-auth/core'
import { lambdaContext } from '@middy-auth/testing'
import middy, { type MiddlewareObj } from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'

/** What an HTTP handler answered. */
export interface Response {
  statusCode: number
  headers: Record<string, string>
  body: string
}

/** Any package's middleware: each types its own context, these tests only read `context.auth`. */
export type Middleware = MiddlewareObj<any, any, any, any, any>

/** What the handler answers by default: the subject it saw (`null` without an identity). */
const subjectBody = (context: any): unknown => ({ subject: context.auth?.subject ?? null })

/**
 * A handler behind `middlewares` (in that order) and `@middy/http-error-handler` registered last,
 * so that its `onError` runs first and renders each `AuthError`, as every README writes it.
 * Records the identity each call reached the handler with (`seen`: a refused request never
 * reaches it) and the error of each refusal (`errors`). The handler answers 200 with `body`'s
 * value as JSON (default: `{ subject }`).
 *
 * @typeParam Auth - the identity type the tests read from `seen`.
 */
export const protect = <Auth = AuthContext>(middlewares: readonly Middleware[], body: (context: any) => unknown = subjectBody) => {
  const seen: Auth[] = []
  const errors: Array<{ code: string; cause: { package: string; data?: any } }> = []
  const handler = middy()
  for (const middleware of middlewares) handler.use(middleware)
  handler.use({ onError: (request) => void errors.push(request.error as never) })
  handler.use(httpErrorHandler({ logger: false }))
  handler.handler(async (_event: unknown, context: any) => {
    seen.push(context.auth)
    return { statusCode: 200, headers: {}, body: JSON.stringify(await body(context)) }
  })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event as never, lambdaContext() as never)) as Response
  return { invoke, seen, errors }
}

/** The `error` code of a refusal; `undefined` for a JSON body without one; the text of any other body. */
export const errorCode = (response: Response): string | undefined => {
  try {
    return (JSON.parse(response.body) as { error?: string } | null)?.error
  } catch {
    return response.body
  }
}

/** Status and `error` code of a response (`'ok'` when it has none). */
export const outcome = (response: Response) => [response.statusCode, errorCode(response) ?? 'ok'] as const

/** A hand-built identity, as an earlier middleware (jwt-verify, iam-context) leaves it. */
export const identity = (auth: Partial<AuthContext>): AuthContext => ({ source: 'jwt', subject: 'alice', scopes: [], roles: [], claims: {}, ...auth })

/** A middleware that puts a fixed identity on the request with `setAuth` (each request its own copy). */
export const withIdentity = (auth: Partial<AuthContext>): Middleware => ({
  before: (request) => setAuth(request, identity(structuredClone(auth))),
})
