/**
 * The browser sign-in part of the demo: the login app (`login-app.ts`) behind its own local
 * gateway, a loopback OpenID Provider, and a scripted tour of the requests a browser makes, from
 * "not signed in" to "signed out again".
 */
import { startOidcProvider, testOidc, type TestOidcProvider } from '@middy-auth/testing/oidc-provider'
import { startGateway, type Gateway } from './gateway.js'
import { createLoginApp } from './login-app.js'

/** The user of the tour (any password): granted `orders:read`, not `orders:write`. */
export const DEMO_USER = 'alice'

export interface LoginDemo {
  provider: TestOidcProvider
  gateway: Gateway
  /** Where a browser starts: the app's page, which sends it to sign in. */
  appUrl: string
  close(): Promise<void>
}

/**
 * Starts the provider and the login app's gateway. The gateway comes first: its URL is in the
 * redirect URI the provider must know.
 */
export const startLoginDemo = async (options: { port?: number; log?: (line: string) => void } = {}): Promise<LoginDemo> => {
  const behind: { app?: ReturnType<typeof createLoginApp> } = {}
  const gateway = await startGateway({
    handler: (event, context) => behind.app?.(event, context),
    port: options.port ?? 0,
    functionName: 'orders-web',
    ...(options.log ? { log: options.log } : {}),
  })
  try {
    const provider = await startOidcProvider({
      accounts: { [DEMO_USER]: { claims: { email: 'alice@example.com', name: 'Alice' }, apiScopes: 'orders:read' } },
      redirectUris: [`${gateway.url}/auth/callback`],
      postLogoutRedirectUris: [`${gateway.url}/`],
    })
    behind.app = createLoginApp({
      issuer: provider.issuer,
      clientId: testOidc.clientId,
      clientSecret: testOidc.clientSecret,
      // A demo secret: in a deployment it comes from SSM (see docs/guides/browser-login.md).
      secret: 'demo-session-secret-not-for-production-0123456789',
      baseUrl: gateway.url,
      resource: testOidc.api,
    })
    let closing: Promise<void> | undefined
    return {
      provider,
      gateway,
      appUrl: `${gateway.url}/app`,
      close: () => (closing ??= Promise.all([gateway.close(), provider.close()]).then(() => undefined)),
    }
  } catch (error) {
    await gateway.close()
    throw error
  }
}

/** One request of the login tour and what it got. */
export interface LoginStep {
  name: string
  request: string
  status: number
  /** What matters in the answer: where it redirects, the cookies it sets, the body's error or subject. */
  detail: string
  expected: number
  ok: boolean
}

/** A browser's cookie jar, by hand: Node's fetch keeps no cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>()
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
  /** Stores the response's cookies; returns their names, `-name` for a deleted one. */
  store(response: Response): string[] {
    const names: string[] = []
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const name = pair.slice(0, pair.indexOf('='))
      if (attributes.some((a) => /^max-age=0$/i.test(a))) {
        this.cookies.delete(name)
        names.push(`-${name}`)
      } else {
        this.cookies.set(name, pair.slice(pair.indexOf('=') + 1))
        names.push(name)
      }
    }
    return names
  }
}

/** A URL as the tour prints it: the path on the app, the whole origin elsewhere, the query elided. */
const shortUrl = (target: string, base: string): string => {
  const url = new URL(target, base)
  const query = url.search ? '?…' : ''
  return url.origin === base ? `${url.pathname}${query}` : `${url.origin}${url.pathname}${query}`
}

/**
 * The requests a browser makes to sign in, use the API, and sign out, sent with a cookie jar:
 * each must get the expected status.
 */
export const runLoginTour = async (demo: LoginDemo): Promise<LoginStep[]> => {
  const base = demo.gateway.url
  const jar = new CookieJar()
  const steps: LoginStep[] = []
  const send = async (name: string, method: string, path: string, expected: number, headers: Record<string, string> = {}): Promise<Response> => {
    const response = await fetch(new URL(path, base), {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(), ...headers },
      signal: AbortSignal.timeout(5000),
    })
    const cookies = jar.store(response)
    const location = response.headers.get('location')
    const text = await response.text()
    const body = response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : undefined
    const detail = [
      ...(location ? [`→ ${shortUrl(location, base)}`] : []),
      ...(cookies.length > 0 ? [`cookies ${cookies.join(' ')}`] : []),
      ...(body?.error ? [String(body.error)] : []),
      ...(body?.subject ? [`subject ${String(body.subject)}`] : []),
    ].join('  ')
    steps.push({ name, request: `${method} ${shortUrl(path, base)}`, status: response.status, detail, expected, ok: response.status === expected })
    return response
  }
  const sameOrigin = { origin: base, 'sec-fetch-site': 'same-origin' }

  await send('nobody is signed in', 'GET', '/auth/session', 401)
  const login = await send('the app sends the user to sign in', 'GET', '/auth/login?returnTo=/app', 302)
  const authorizationUrl = login.headers.get('location') ?? ''
  // The provider's own pages (sign-in, consent), answered as the user would.
  const callbackUrl = await demo.provider.signIn(authorizationUrl, DEMO_USER)
  steps.push({
    name: `${DEMO_USER} signs in at the provider`,
    request: `GET ${shortUrl(authorizationUrl, base)}`,
    status: 302,
    detail: '(sign-in and consent pages)  → /auth/callback?code=…&state=…&iss=…',
    expected: 302,
    ok: callbackUrl.searchParams.has('code'),
  })
  await send('the callback opens the session', 'GET', `${callbackUrl.pathname}${callbackUrl.search}`, 302)
  await send('the front end asks who is signed in', 'GET', '/auth/session', 200)
  await send('an API call with orders:read', 'GET', '/api/orders', 200)
  await send('an API call needing orders:write', 'DELETE', '/api/orders', 403, sameOrigin)
  await send('the same call from another site (CSRF)', 'DELETE', '/api/orders', 403, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
  await send('sign out', 'POST', '/auth/logout', 302, sameOrigin)
  await send('refused afterwards', 'GET', '/api/orders', 401)
  return steps
}

/** The login tour as an aligned table. */
export const formatLoginTour = (steps: readonly LoginStep[]): string => {
  const nameWidth = Math.max(...steps.map((s) => s.name.length))
  const requestWidth = Math.max(...steps.map((s) => s.request.length))
  return steps
    .map(
      (s) =>
        `  ${s.ok ? '✓' : '✗'} ${s.name.padEnd(nameWidth)}  ${s.request.padEnd(requestWidth)}  ${String(s.status).padEnd(4)} ${s.detail}${s.ok ? '' : `  (expected ${s.expected})`}`,
    )
    .join('\n')
}
