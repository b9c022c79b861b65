import { validateOptions } from '@middy/util'
import { packageName } from './package-name.js'

const issuerSchema = {
  type: 'object',
  properties: {
    issuer: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    audience: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { const: null }] },
    jwksUri: { type: 'string' },
    jwks: { type: 'object' },
    keyResolver: { type: 'object' },
    keys: { type: 'array', items: { type: 'object' } },
    secret: { oneOf: [{ type: 'string' }, { instanceof: 'Uint8Array' }] },
    algorithms: { type: 'array', items: { type: 'string' } },
    tokenType: { type: 'string' },
    clockTolerance: { type: 'number' },
    maxTokenAge: { type: 'number' },
    requiredClaims: { type: 'array', items: { type: 'string' } },
    claims: { instanceof: 'Function' },
    claimsCacheTtl: { type: 'number' },
    dpop: { oneOf: [{ type: 'object' }, { const: false }] },
    mtls: { oneOf: [{ type: 'object' }, { const: false }] },
  },
  required: ['issuer', 'audience'],
  additionalProperties: false,
} as const

const optionSchema = {
  type: 'object',
  properties: {
    issuers: { type: 'array', items: issuerSchema },
    tokenSource: { oneOf: [{ type: 'object' }, { instanceof: 'Function' }] },
    credentialsRequired: { type: 'boolean' },
    trustApiGateway: { type: 'boolean' },
    realm: { type: 'string' },
    resourceMetadata: { type: 'string' },
    cache: { oneOf: [{ type: 'object' }, { const: false }] },
    jwks: { type: 'object' },
    clock: { instanceof: 'Function' },
    dpop: { type: 'object' },
    mtls: { type: 'object' },
    opaqueTokens: { type: 'object' },
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
 * import { jwtVerifyValidateOptions } from '@middy-auth/jwt-verify'
 * jwtVerifyValidateOptions({ issuers: [{ issuer: 'https://auth.example.com/', audience: 'api' }] })
 * ```
 */
export const jwtVerifyValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
