import { validateOptions } from '@middy/util'
import { packageName } from './permission.js'

const requirement = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'object' }, { instanceof: 'Function' }] } as const
const roleSource = { oneOf: [{ type: 'string' }, { instanceof: 'Function' }] } as const

const optionSchema = {
  type: 'object',
  properties: {
    policy: { type: 'object' },
    required: requirement,
    routes: { type: 'object' },
    routesDefault: requirement,
    rolesFrom: { oneOf: [roleSource, { type: 'array', items: roleSource }] },
    roleMap: { type: 'object' },
    conditions: { type: 'object' },
    resource: { instanceof: 'Function' },
    onDecision: { instanceof: 'Function' },
    realm: { type: 'string' },
    extensions: { type: 'array', items: { type: 'object' } },
  },
  required: ['policy'],
  additionalProperties: false,
} as const

/**
 * Middy's opt-in schema check of the options (the factory itself checks everything that can
 * never work, at cold start, whether or not this is called).
 *
 * @example
 * ```ts
 * import { rbacValidateOptions } from '@middy-auth/rbac'
 * rbacValidateOptions({ policy: { roles: { viewer: { allow: ['articles:read'] } } }, required: 'articles:read' })
 * ```
 */
export const rbacValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
