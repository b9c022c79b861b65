import { validateOptions } from '@middy/util'
import { packageName } from './errors.js'

const stringList = { type: 'array', items: { type: 'string' } } as const
const stringOrList = { oneOf: [{ type: 'string' }, stringList] } as const

const optionSchema = {
  type: 'object',
  required: ['issuer', 'clientId', 'secret'],
  properties: {
    issuer: { type: 'string' },
    clientId: { type: 'string' },
    clientSecret: { type: 'string' },
    privateKey: { type: 'object' },
    clientAuth: { enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] },
    secret: { oneOf: [{ type: 'string' }, stringList, { type: 'object', properties: { internal: { type: 'string' } }, additionalProperties: false }] },
    redirectUri: { type: 'string' },
    callbackPath: { type: 'string' },
    scopes: stringList,
    resource: stringOrList,
    audience: { type: 'string' },
    authorizationParams: { type: 'object', additionalProperties: { type: 'string' } },
    postLoginRedirect: { type: 'string' },
    postLogoutRedirect: { type: 'string' },
    returnToPaths: stringList,
    allowedOrigins: stringList,
    cookie: {
      type: 'object',
      properties: { name: { type: 'string' }, transactionName: { type: 'string' }, sameSite: { enum: ['Lax', 'Strict'] } },
      additionalProperties: false,
    },
    session: {
      type: 'object',
      properties: { rolling: { type: 'number' }, absolute: { type: 'number' }, refreshBefore: { type: 'number' } },
      additionalProperties: false,
    },
    accessTokenCookie: { type: 'string' },
    timeout: { type: 'number' },
    fetch: { instanceof: 'Function' },
    clock: { instanceof: 'Function' },
  },
  additionalProperties: false,
} as const

/**
 * Middy's opt-in schema check of the configuration (`oauthLogin()` and `sessionAuth()` check
 * everything that can never work at cold start, whether or not this is called).
 *
 * @example
 * ```ts
 * import { oauthLoginValidateOptions } from '@middy-auth/oauth-login'
 * oauthLoginValidateOptions({ issuer: 'https://login.example.com', clientId: 'web', secret: 'x'.repeat(32) })
 * ```
 */
export const oauthLoginValidateOptions = (options: unknown): unknown => validateOptions(packageName, optionSchema, options as Record<string, unknown>)
