// The API's routes and what each needs, in one place: the authorizer answers from this map, and
// the template declares the same routes (a test checks that the two agree).
import type { Policy } from '@middy-auth/rbac'

/** Who may do what: the identity provider's groups are the roles. */
export const policy: Policy = {
  roles: {
    manager: { inherits: ['clerk'], allow: ['orders:delete'] },
    clerk: { allow: ['orders:read', 'orders:create'] },
  },
}

/** What each route needs: scopes of the token, permissions from the policy. */
export const routes = {
  'GET /orders': { scopes: ['orders/read'], permissions: ['orders:read'] },
  'POST /orders': { scopes: ['orders/write'], permissions: ['orders:create'] },
  'DELETE /orders/{id}': { scopes: ['orders/write'], permissions: ['orders:delete'] },
} as const
