import { validateOptions } from '@middy/util'
import { scopeTokenPattern } from '@middy-auth/core/internal'
import { packageName } from './requirements.js'

const scopeList = { type: 'array', items: { type: 'string', pattern: scopeTokenPattern } } as const

const requirement = {
  oneOf: [scopeList, { type: 'object', properties: { required: scopeList, anyOf: scopeList }, additionalProperties: false }],
} as const

const optionSchema = {
  type: 'object',
  properties: {
    required: scopeList,
    anyOf: scopeList,
    routes: { type: 'object', additionalProperties: requirement },
    routesDefault: requirement,
    scopeClaims: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    realm: { type: 'string' },
    resourceMetadata: { type: 'string' },
    extensions: { type: 'array', items: { type: 'object' } },
  },
  additionalProperties: false,
} as const

/**
 * Middy's opt-in schema check of the options (the factory itself checks everything that can
 * never work, at cold start, whether or not this is called).
 *
 * @example
 * ```ts
 * import { oauthScopeValidateOptions } from '@middy-auth/oauth-scope'
 * oauthScopeValidateOptions({ routes: { 'GET /orders': ['orders:read'] } })
 * ```
 */
export const oauthScopeValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
