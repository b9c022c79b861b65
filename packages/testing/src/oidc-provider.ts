/**
 * `@middy-auth/testing/oidc-provider`: a real OpenID Provider on loopback for tests of browser
 * sign-in (`@middy-auth/oauth-login`): `oidc-provider` (certified), listening on 127.0.0.1 on a
 * free port, with a confidential client, a public client and an API (RFC 8707 resource
 * indicator) whose access tokens are JWTs. Its login and consent pages are answered over HTTP
 * by `signIn()`, which plays the user's browser at the provider. Needs `oidc-provider`
 * (an optional peer dependency of this package): `npm install --save-dev oidc-provider`.
 */
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type Adapter, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'

/**
 * The clients and the API the provider knows, for the configuration of the code under test.
 *
 * @example
 * ```ts
 * const config = { issuer: provider.issuer, clientId: testOidc.clientId, clientSecret: testOidc.clientSecret, redirectUri: testOidc.redirectUri }
 * ```
 */
export const testOidc = {
  /** The API whose scopes clients may ask for (its resource indicator). */
  api: 'https://orders.example.test/',
  /** Every scope of the API; an account may be granted fewer (`apiScopes`). */
  apiScopes: 'orders:read orders:write',
  /** A confidential client (`client_secret_basic`). */
  clientId: 'orders-web',
  clientSecret: 'orders-web-secret-for-tests-only-0123456789',
  /** A public client (`none`: PKCE only). */
  publicClientId: 'orders-spa',
  /** A confidential client (`private_key_jwt`) whose public keys are `clientJwks`: known only when that option is given. */
  privateKeyJwtClientId: 'orders-worker',
  /** The redirect URI both clients registered (nothing needs to listen there when tests invoke handlers directly). */
  redirectUri: 'https://app.example.test/auth/callback',
  /** The post-logout redirect URI both clients registered. */
  postLogoutRedirectUri: 'https://app.example.test/',
  /** A confidential machine client (`client_secret_basic`, `client_credentials` grant only): agents, MCP clients. */
  serviceClientId: 'orders-agent',
  serviceClientSecret: 'orders-agent-secret-for-tests-only-0123456789',
} as const

const API = testOidc.api
const API_SCOPES = testOidc.apiScopes
const CLIENT_ID = testOidc.clientId
const CLIENT_SECRET = testOidc.clientSecret
const PUBLIC_CLIENT_ID = testOidc.publicClientId
const PRIVATE_KEY_JWT_CLIENT_ID = testOidc.privateKeyJwtClientId
const REDIRECT_URI = testOidc.redirectUri
const POST_LOGOUT_URI = testOidc.postLogoutRedirectUri

// A public JWK as node:crypto or WebCrypto exports it, under every @types/node version (26 no
// longer exports node:crypto's JsonWebKey).
type PublicJwk = { kty?: string; crv?: string; x?: string; y?: string; n?: string; e?: string; kid?: string; alg?: string; use?: string }

/**
 * A user of the provider.
 *
 * @example
 * ```ts
 * const bob: TestOidcAccount = { claims: { email: 'bob@example.com' }, apiScopes: 'orders:read' }
 * ```
 */
export interface TestOidcAccount {
  /** Claims of the ID token beyond `sub` (`email`, `name`, `bio`, …). */
  claims?: Record<string, unknown>
  /** The API scopes this user may be granted. Default: all of them. */
  apiScopes?: string
}

/**
 * Options of {@link startOidcProvider}.
 *
 * @example
 * ```ts
 * const options: TestOidcProviderOptions = { accessTokenTtl: 60, redirectUris: ['http://127.0.0.1:3000/auth/callback'] }
 * ```
 */
export interface TestOidcProviderOptions {
  /** Users by account id. Default: `alice` (`alice@example.com`, `Alice`). */
  accounts?: Record<string, TestOidcAccount>
  /** Access token lifetime, seconds. Default 3600. */
  accessTokenTtl?: number
  /** More redirect URIs for the clients (the browser test's loopback gateway). */
  redirectUris?: string[]
  postLogoutRedirectUris?: string[]
  /** The public keys of the `private_key_jwt` client (`testOidc.privateKeyJwtClientId`), which is registered only with them. */
  clientJwks?: { keys: PublicJwk[] }
  /**
   * More APIs (resource indicators, RFC 8707) with their space-separated scopes, such as a
   * loopback MCP server: `{ 'http://127.0.0.1:4000/mcp': 'tools:read tools:call' }`. Their access
   * tokens are JWTs whose `aud` is the resource. The service client may ask for any of them.
   */
  resources?: Record<string, string>
}

/**
 * A request to the token endpoint, as the provider parsed it, and how it answered.
 *
 * @example
 * ```ts
 * const [request] = provider.tokenRequests
 * expect(request?.params.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
 * ```
 */
export interface TestOidcTokenRequest {
  /** Its form parameters (`grant_type`, `client_id`, `client_assertion_type`, `client_assertion`, …), those it sent only. */
  params: Record<string, string>
  /** The OAuth error the provider answered with (`invalid_client`, `invalid_grant`, …); none when it issued tokens. */
  error?: string
}

/**
 * The running provider.
 *
 * @example
 * ```ts
 * const callbackUrl = await provider.signIn(authorizationUrl, 'alice')
 * ```
 */
export interface TestOidcProvider {
  /** `http://127.0.0.1:<port>` */
  issuer: string
  /** Every request the provider received, as `METHOD /path`. */
  requests: string[]
  /** Every request its token endpoint answered, in order. */
  tokenRequests: TestOidcTokenRequest[]
  /** Answers the provider's pages as a user would, from the authorization URL to the redirect back; returns that last URL. */
  signIn(authorizationUrl: string, accountId: string, options?: { abort?: boolean }): Promise<URL>
  /** Makes the provider's token endpoint answer 503 (`true`) or work again. */
  failTokenEndpoint(fail: boolean): void
  close(): Promise<void>
}

/**
 * Starts the provider on 127.0.0.1, port 0. Close it in `afterAll`.
 *
 * @example
 * ```ts
 * import { startOidcProvider, testOidc } from '@middy-auth/testing/oidc-provider'
 *
 * const provider = await startOidcProvider({ accounts: { alice: { claims: { email: 'alice@example.com' } } } })
 * // … oauthLogin({ issuer: provider.issuer, clientId: testOidc.clientId, clientSecret: testOidc.clientSecret, … })
 * await provider.close()
 * ```
 */
export const startOidcProvider = async (options: TestOidcProviderOptions = {}): Promise<TestOidcProvider> => {
  const accounts = options.accounts ?? { alice: { claims: { email: 'alice@example.com', name: 'Alice' } } }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'provider-key-1', alg: 'ES256', use: 'sig' }
  const redirectUris = [REDIRECT_URI, ...(options.redirectUris ?? [])]
  const postLogoutRedirectUris = [POST_LOGOUT_URI, ...(options.postLogoutRedirectUris ?? [])]

  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
      {
        client_id: PUBLIC_CLIENT_ID,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'ES256',
      },
      {
        client_id: testOidc.serviceClientId,
        client_secret: testOidc.serviceClientSecret,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['cookie-key-for-tests-only'] },
    claims: { openid: ['sub'], email: ['email'], profile: ['name', 'bio'] },
    // ID tokens carry the profile claims, so the tests can make them big (cookie chunking).
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const account = accounts[id]
      if (!account) return undefined
      return { accountId: id, claims: () => ({ sub: id, ...account.claims }) }
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: true, allowedPolicy: () => true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          const extraScopes = options.resources?.[resource]
          if (extraScopes !== undefined) {
            return {
              scope: extraScopes,
              audience: resource,
              accessTokenFormat: 'jwt',
              accessTokenTTL: options.accessTokenTtl ?? 3600,
              jwt: { sign: { alg: 'ES256' } },
            }
          }
          if (resource !== API) throw new Error(`unknown resource ${resource}`)
          const accountId = ctx.oidc.session?.accountId ?? ctx.oidc.entities.Grant?.accountId
          const scope = (accountId && accounts[accountId]?.apiScopes) ?? API_SCOPES
          return { scope, audience: API, accessTokenFormat: 'jwt', accessTokenTTL: options.accessTokenTtl ?? 3600, jwt: { sign: { alg: 'ES256' } } }
        },
      },
    },
    issueRefreshToken: () => true,
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      ClientCredentials: options.accessTokenTtl ?? 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 86_400,
      Grant: 86_400,
      RefreshToken: 86_400,
    },
  }

  const requests: string[] = []
  let tokenEndpointDown = false
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = quietly(() => new Provider(issuer, configuration))
  if (options.clientJwks) await registerPrivateKeyJwtClient(provider, options.clientJwks, redirectUris, postLogoutRedirectUris)
  const tokenRequests: TestOidcTokenRequest[] = []
  const recordTokenRequest = (ctx: KoaContextWithOIDC, error?: { error?: unknown }): void => {
    const sent = Object.entries((ctx.oidc?.params ?? {}) as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    tokenRequests.push({ params: Object.fromEntries(sent), ...(typeof error?.error === 'string' ? { error: error.error } : {}) })
  }
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => recordTokenRequest(ctx))
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error?: unknown }) => recordTokenRequest(ctx, error))
  const callback = provider.callback()
  server.on('request', (req, res) => {
    requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`)
    if (tokenEndpointDown && req.url?.startsWith('/token')) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance')
      return
    }
    void callback(req, res)
  })

  return {
    issuer,
    requests,
    tokenRequests,
    signIn: (authorizationUrl, accountId, signInOptions = {}) => answerInteractions(issuer, authorizationUrl, accountId, signInOptions.abort === true),
    failTokenEndpoint: (fail) => {
      tokenEndpointDown = fail
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * Registers the `private_key_jwt` client through the provider's client store rather than its
 * `clients` option: the provider copies the `clients` it is given with `structuredClone`, which
 * under Jest is the host's and gives objects of the host's realm, not of the test's VM context
 * where oidc-provider runs; its check that each key of `jwks` is a plain object
 * (`constructor === Object`) then fails, and the client is refused ("client JSON Web Key Set
 * is invalid") whoever made the keys. Clients from the store are not copied, and metadata parsed
 * from JSON here is made of this realm's objects, whatever realm the caller's keys came from
 * (`KeyObject.export()` builds host objects too).
 */
const registerPrivateKeyJwtClient = async (
  provider: Provider,
  jwks: { keys: PublicJwk[] },
  redirectUris: string[],
  postLogoutRedirectUris: string[],
): Promise<void> => {
  const metadata: ClientMetadata = {
    client_id: PRIVATE_KEY_JWT_CLIENT_ID,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    id_token_signed_response_alg: 'ES256',
    jwks: { keys: jwks.keys },
  }
  // The store of clients, as for dynamically registered ones (missing from the type definitions).
  const clients = (provider.Client as unknown as { adapter: Adapter }).adapter
  await clients.upsert(PRIVATE_KEY_JWT_CLIENT_ID, JSON.parse(JSON.stringify(metadata)) as ClientMetadata)
}

/** oidc-provider warns, rightly, that its in-memory store and development pages are not for production: they are for these tests. */
const quietly = <T>(build: () => T): T => {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args)
  }
  try {
    return build()
  } finally {
    console.warn = warn
  }
}

/** A page's text, for an error message (the provider's error page ends with the error and its description). */
const textOf = (html: string): string => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ')

/** A cookie jar for one origin: enough for the provider's own cookies. */
class Jar {
  private readonly cookies = new Map<string, string>()
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a))
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(eq + 1).trim())
    }
  }
}

/**
 * Follows the provider's redirects with a cookie jar, answers its login page (`prompt=login`)
 * and consent page (`prompt=consent`) by posting their forms, and stops at the first redirect
 * away from the provider: the client's redirect URI with `code` (or `error`).
 */
const answerInteractions = async (issuer: string, authorizationUrl: string, accountId: string, abort: boolean): Promise<URL> => {
  const jar = new Jar()
  let url = new URL(authorizationUrl)
  let method = 'GET'
  let body: URLSearchParams | undefined
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, { method, body, redirect: 'manual', headers: { cookie: jar.header() } })
    jar.store(response)
    const location = response.headers.get('location')
    if (location) {
      const next = new URL(location, url)
      if (next.origin !== issuer) return next
      url = next
      method = 'GET'
      body = undefined
      continue
    }
    const page = await response.text()
    if (response.status !== 200 || !url.pathname.startsWith('/interaction/'))
      throw new Error(`provider answered ${response.status} at ${url.pathname}: ${textOf(page).slice(-400)}`)
    if (abort) {
      url = new URL(`${url.pathname}/abort`, issuer)
      continue
    }
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1]
    if (prompt !== 'login' && prompt !== 'consent') throw new Error(`unexpected interaction page at ${url.pathname}`)
    method = 'POST'
    body = new URLSearchParams(prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt })
  }
  throw new Error('the provider kept redirecting')
}
