import { scopeTokenPattern } from '@middy-auth/core/internal'
import { validateOptions } from '@middy/util'
import { packageName } from './options.js'

const scopeList = { type: 'array', items: { type: 'string', pattern: scopeTokenPattern } } as const

const requirement = {
  type: 'object',
  properties: {
    scopes: scopeList,
    anyOf: scopeList,
    permissions: { type: 'array', items: { type: 'string', pattern: '^[^\\s:*]+:[^\\s:*]+$' } },
  },
  additionalProperties: false,
} as const

const optionSchema = {
  type: 'object',
  properties: {
    format: { enum: ['simple', 'iam-policy'] },
    routes: { type: 'object', additionalProperties: requirement },
    contextClaims: { type: 'array', items: { type: 'string' } },
    context: { instanceof: 'Function' },
    usageIdentifierKey: { instanceof: 'Function' },
    maxResponseBytes: { type: 'integer', minimum: 512 },
    gatewayCache: { type: 'boolean' },
    logger: { oneOf: [{ instanceof: 'Function' }, { const: false }] },
    ttlOverride: { type: 'integer', minimum: 0, maximum: 3600 },
    deniedFields: { oneOf: [{ instanceof: 'Function' }, { type: 'object', additionalProperties: requirement }] },
  },
  additionalProperties: false,
} as const

/**
 * Middy's opt-in schema check of the options (the factory itself checks everything that can
 * never work, at cold start, whether or not this is called).
 *
 * @example
 * ```ts
 * import { authorizerResponseValidateOptions } from '@middy-auth/authorizer'
 * authorizerResponseValidateOptions({ format: 'iam-policy', routes: { 'GET /orders': { scopes: ['orders/read'] } } })
 * ```
 */
export const authorizerResponseValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
