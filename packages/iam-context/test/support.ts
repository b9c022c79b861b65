import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { lambdaContext } from '@middy-auth/testing'
import iamContext, { type IamAuthContext, type IamContextOptions } from '../src/index.js'

export interface Response {
  statusCode: number
  headers: Record<string, string>
  body: string
}

/**
 * A real handler behind iamContext and http-error-handler, the way users write it; records the
 * `context.auth` each call of the handler saw, and the `AuthError` of each denial.
 */
export const protect = (options?: IamContextOptions) => {
  const seen: IamAuthContext[] = []
  const errors: Array<{ code: string; cause: { package: string; data?: any } }> = []
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(iamContext(options))
    .use({ onError: (request) => void errors.push(request.error as never) })
    .handler(async (_event, context) => {
      seen.push(context.auth)
      return { statusCode: 200, headers: {}, body: JSON.stringify({ subject: context.auth.subject }) }
    })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event as never, lambdaContext() as never)) as Response
  return { invoke, seen, errors }
}

/** Status and `error` code of a response. */
export const outcome = (response: Response) => [response.statusCode, response.statusCode === 200 ? 'ok' : JSON.parse(response.body).error] as const
