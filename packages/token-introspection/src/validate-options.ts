import { validateOptions } from '@middy/util'
import { packageName } from './options.js'

const optionSchema = {
  type: 'object',
  properties: {
    endpoint: { type: 'string' },
    issuer: { type: 'string' },
    clientId: { type: 'string' },
    clientSecret: { type: 'string' },
    clientAuthMethod: { enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] },
    privateKey: { oneOf: [{ type: 'string' }, { type: 'object' }] },
    keyId: { type: 'string' },
    audience: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { const: null }] },
    clockTolerance: { type: 'number', minimum: 0 },
    tokenSource: { oneOf: [{ type: 'object' }, { instanceof: 'Function' }] },
    credentialsRequired: { type: 'boolean' },
    realm: { type: 'string' },
    timeoutMs: { type: 'number', exclusiveMinimum: 0 },
    cache: {
      oneOf: [
        { const: false },
        {
          type: 'object',
          properties: {
            ttl: { type: 'number', exclusiveMinimum: 0 },
            inactiveTtl: { type: 'number', minimum: 0 },
            maxEntries: { type: 'integer', minimum: 1 },
          },
          additionalProperties: false,
        },
      ],
    },
    clock: { instanceof: 'Function' },
    jwtResponse: {
      oneOf: [
        { type: 'boolean' },
        {
          type: 'object',
          properties: { jwksUri: { type: 'string' }, algorithms: { type: 'array', items: { type: 'string' } } },
          additionalProperties: false,
        },
      ],
    },
  },
  required: ['clientId', 'audience'],
  additionalProperties: false,
} as const

/**
 * Middy's opt-in schema check of the options (the factory itself checks everything that can
 * never work, at cold start, whether or not this is called).
 *
 * @example
 * ```ts
 * import { tokenIntrospectionValidateOptions } from '@middy-auth/token-introspection'
 * tokenIntrospectionValidateOptions({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: 's', audience: 'api' })
 * ```
 */
export const tokenIntrospectionValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
