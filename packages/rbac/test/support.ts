import type { AuthContext } from '@middy-auth/core'
import rbac, { type Policy, type RbacDecision, type RbacOptions } from '../src/index.js'
import { protect as protectWith, type Middleware } from '../../../test/support/protect.js'

export { identity, outcome, withIdentity, type Response } from '../../../test/support/protect.js'

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
export const isOwner = ({ auth, resource }: { auth: AuthContext; resource: unknown }) =>
  (resource as { ownerId?: string } | undefined)?.ownerId === auth.subject

/** What the handler saw, and what onDecision got. */
export interface Seen {
  auth: Array<AuthContext | undefined>
  decisions: RbacDecision[]
}

/**
 * A real handler (the shared harness): the given identity middlewares, then rbac, then the error
 * handler last. `onDecision` records into `seen.decisions` and `conditions` is `{ isOwner }`,
 * unless given.
 */
export const protect = (
  options: RbacOptions<any, any>,
  before: Middleware[] = [],
  body: (context: any) => unknown = (context) => ({ subject: context.auth.subject, roles: context.auth.roles, permissions: context.auth.permissions }),
) => {
  const decisions: RbacDecision[] = []
  const middleware = rbac({ onDecision: (decision: RbacDecision) => void decisions.push(decision), conditions: { isOwner }, ...options } as RbacOptions)
  const { invoke, seen } = protectWith<AuthContext | undefined>([...before, middleware], body)
  return { invoke, seen: { auth: seen, decisions } satisfies Seen }
}
