export { default } from './middleware.js'
export type { OptionalTokenIntrospectionMiddleware, TokenIntrospectionMiddleware } from './middleware.js'
export type { ClientAuthMethod, ClientAuthOptions, IntrospectionCacheOptions, TokenIntrospectionOptions } from './options.js'
export { tokenIntrospectionValidateOptions } from './validate-options.js'
