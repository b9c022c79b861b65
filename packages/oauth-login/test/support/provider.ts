/** The loopback OpenID Provider of `@middy-auth/testing/oidc-provider`, under the names these tests use. */
import { testOidc } from '@middy-auth/testing/oidc-provider'

export { startOidcProvider as startProvider } from '@middy-auth/testing/oidc-provider'
export type { TestOidcProvider as LoopbackProvider } from '@middy-auth/testing/oidc-provider'

export const API = testOidc.api
export const CLIENT_ID = testOidc.clientId
export const CLIENT_SECRET = testOidc.clientSecret
export const REDIRECT_URI = testOidc.redirectUri
export const POST_LOGOUT_URI = testOidc.postLogoutRedirectUri
export const PRIVATE_KEY_JWT_CLIENT_ID = testOidc.privateKeyJwtClientId
