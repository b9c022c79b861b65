export { default } from './middleware.js'
export type { OptionalTokenIntrospectionMiddleware, TokenIntrospectionMiddleware } from './middleware.js'
export type { ClientAuthMethod, ClientAuthOptions, IntrospectionCacheOptions, JwtResponseOptions, TokenIntrospectionOptions } from './options.js'
export { tokenIntrospectionValidateOptions } from './validate-options.js'
