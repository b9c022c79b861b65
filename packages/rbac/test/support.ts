import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { MiddlewareObj } from '@middy/core'
import type { AuthContext } from '@middy-auth/core'
import { lambdaContext } from '@middy-auth/testing'
import rbac, { type Policy, type RbacDecision, type RbacOptions } from '../src/index.js'

export interface Response {
  statusCode: number
  headers: Record<string, string>
  body: string
}

/** The policy, plus a conditional allow and a second resource. */
export const articlesPolicy: Policy = {
  roles: {
    admin: { inherits: ['editor'], allow: ['*'] },
    editor: {
      inherits: ['viewer'],
      allow: ['articles:create', 'articles:update', { permission: 'articles:publish', when: 'isOwner' }],
      deny: ['articles:delete'],
    },
    viewer: { allow: ['articles:read', 'comments:*'] },
  },
}

/** The condition of {@link articlesPolicy}. */
export const isOwner = ({ auth, resource }: { auth: AuthContext; resource: unknown }) => (resource as { ownerId?: string } | undefined)?.ownerId === auth.subject

/** What the handler saw, and what onDecision got. */
export interface Seen {
  auth: Array<AuthContext | undefined>
  decisions: RbacDecision[]
}

/**
 * A real handler: the given identity middlewares, then rbac, then httpErrorHandler last, the
 * way the README says to write it. `onDecision` records into `seen.decisions`
 * and `conditions` is `{ isOwner }`, unless given.
 */
export const protect = (
  options: RbacOptions<any, any>,
  before: Array<MiddlewareObj<any, any, any, any, any>> = [],
  body: (context: any) => unknown = (context) => ({ subject: context.auth.subject, roles: context.auth.roles, permissions: context.auth.permissions }),
) => {
  const seen: Seen = { auth: [], decisions: [] }
  let handler: any = middy()
  for (const middleware of before) handler = handler.use(middleware)
  handler = handler
    .use(rbac({ onDecision: (decision: RbacDecision) => void seen.decisions.push(decision), conditions: { isOwner }, ...options } as RbacOptions))
    .use(httpErrorHandler({ logger: false }))
    .handler(async (_event: unknown, context: any) => {
      seen.auth.push(context.auth)
      return { statusCode: 200, headers: {}, body: JSON.stringify(await body(context)) }
    })
  const invoke = async (event: unknown): Promise<Response> => (await handler(event, lambdaContext())) as Response
  return { invoke, seen }
}

/** Status and `error` code of a response. */
export const outcome = (response: Response) => [response.statusCode, response.statusCode === 200 ? 'ok' : JSON.parse(response.body).error] as const

/** A hand-built identity, as an earlier middleware (jwt-verify, iam-context) leaves it. */
export const identity = (auth: Partial<AuthContext>): AuthContext => ({ source: 'jwt', subject: 'alice', scopes: [], roles: [], claims: {}, ...auth })

/** A middleware that puts a fixed identity on the request (each request its own copy). */
export const withIdentity = (auth: Partial<AuthContext>): MiddlewareObj => ({
  before: (request) => {
    const fresh = identity(structuredClone(auth))
    ;(request.context as unknown as { auth: AuthContext }).auth = fresh
    ;(request.internal as Record<string, unknown>).auth = fresh
  },
})
