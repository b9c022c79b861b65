import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { AuthContext } from '@middy-auth/core'
import { lambdaContext } from '@middy-auth/testing'
import jwtVerify, { type JwtVerifyOptions } from '../src/index.js'

export interface Response {
  statusCode: number
  headers: Record<string, string>
  body: string
}

/**
 * A real handler protected by jwtVerify, the way users write it; records what the handler saw.
 */
export const protect = (options: JwtVerifyOptions) => {
  const seen: Array<AuthContext | undefined> = []
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(jwtVerify(options))
    .handler(async (_event: unknown, context: any) => {
      seen.push(context.auth)
      return { statusCode: 200, headers: {}, body: JSON.stringify({ subject: context.auth?.subject ?? null }) }
    })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event as never, lambdaContext() as never)) as Response
  return { invoke, seen }
}

/** An HTTP API event carrying an Authorization header. */
export const bearer = (token: string) => ({ version: '2.0', headers: { authorization: `Bearer ${token}` }, requestContext: { http: { method: 'GET' } } })

/** Status and `error` code of a response. */
export const outcome = (response: Response) => [response.statusCode, JSON.parse(response.body).error ?? 'ok'] as const
