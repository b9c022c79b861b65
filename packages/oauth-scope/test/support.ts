import middy, { type MiddlewareObj } from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { AuthContext } from '@middy-auth/core'
import { lambdaContext } from '@middy-auth/testing'
import oauthScope, { type OAuthScopeOptions } from '../src/index.js'

export interface Response {
  statusCode: number
  headers: Record<string, string>
  body: string
}

/**
 * A real handler protected by oauthScope (after the given middlewares, jwt-verify say), the
 * way users write it; records what the handler saw, so a test can tell it was never called.
 */
export const protect = (options: OAuthScopeOptions, before: MiddlewareObj<any, any, any, any, any>[] = []) => {
  const seen: AuthContext[] = []
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(before)
    .use(oauthScope(options))
    .handler(async (_event: unknown, context: any) => {
      seen.push(context.auth)
      return { statusCode: 200, headers: {}, body: JSON.stringify({ subject: context.auth.subject }) }
    })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event as never, lambdaContext() as never)) as Response
  return { invoke, seen }
}

/** Status and `error` code of a response. */
export const outcome = (response: Response) => [response.statusCode, JSON.parse(response.body).error ?? 'ok'] as const

/** The `WWW-Authenticate` header of a response, if any. */
export const challenge = (response: Response) => response.headers['WWW-Authenticate']

/** Everything a client sees of a response but its status. */
export const visible = (response: Response) => response.body + JSON.stringify(response.headers)
