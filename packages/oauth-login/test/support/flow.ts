/**
 * What the handler tests share: a configuration for the loopback provider, events of every
 * kind, the `Set-Cookie` values of a response in whatever form its kind uses, and a browser's
 * cookie jar for the app's cookies.
 */
import { albEvent, functionUrlEvent, httpApiEvent, lambdaContext, restEvent } from '@middy-auth/testing'
import type { OAuthLoginConfig, OAuthLoginHandler, OAuthLoginHandlers } from '../../src/index.js'
import { API, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, type LoopbackProvider } from './provider.js'

export const SECRET = 'test-session-secret-0123456789-abcdefghij'
export const OTHER_SECRET = 'another-session-secret-9876543210-zyxwvu'

export const configFor = (provider: LoopbackProvider, overrides: Partial<OAuthLoginConfig> = {}): OAuthLoginConfig => ({
  issuer: provider.issuer,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  secret: SECRET,
  redirectUri: REDIRECT_URI,
  scopes: ['openid', 'profile', 'email'],
  resource: API,
  returnToPaths: ['/app'],
  ...overrides,
})

export type Kind = 'http-api' | 'function-url' | 'rest' | 'alb' | 'alb-multi'
export const kinds: Kind[] = ['http-api', 'function-url', 'rest', 'alb-multi']

export interface RequestShape {
  method?: string
  path?: string
  query?: Record<string, string | string[]>
  cookies?: Record<string, string>
  headers?: Record<string, string>
}

export const eventFor = (kind: Kind, request: RequestShape = {}): unknown => {
  const options = {
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    ...(request.query ? { query: request.query } : {}),
    ...(request.cookies && Object.keys(request.cookies).length > 0 ? { cookies: request.cookies } : {}),
    ...(request.headers ? { headers: request.headers } : {}),
  }
  switch (kind) {
    case 'http-api':
      return httpApiEvent(options)
    case 'function-url':
      return functionUrlEvent(options)
    case 'rest':
      return restEvent(options)
    case 'alb':
      return albEvent(options)
    case 'alb-multi':
      return albEvent({ ...options, multiValue: true })
  }
}

export interface Response {
  statusCode: number
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  cookies?: string[]
  body?: string
}

export const invoke = async (handler: OAuthLoginHandler, event: unknown): Promise<Response> =>
  (await handler(event as never, lambdaContext() as never)) as Response

/** Every `Set-Cookie` of a response: `cookies[]` (payload 2.0) or `multiValueHeaders` (REST, ALB) or `headers`. */
export const setCookiesOf = (response: Response): string[] => [
  ...(response.cookies ?? []),
  ...Object.entries(response.multiValueHeaders ?? {})
    .filter(([n]) => n.toLowerCase() === 'set-cookie')
    .flatMap(([, v]) => v),
  ...Object.entries(response.headers ?? {})
    .filter(([n]) => n.toLowerCase() === 'set-cookie')
    .map(([, v]) => v),
]

/** A response header, from `headers` or `multiValueHeaders`. */
export const headerOf = (response: Response, name: string): string | undefined => {
  const lower = name.toLowerCase()
  const single = Object.entries(response.headers ?? {}).find(([n]) => n.toLowerCase() === lower)?.[1]
  return single ?? Object.entries(response.multiValueHeaders ?? {}).find(([n]) => n.toLowerCase() === lower)?.[1]?.[0]
}

export const errorOf = (response: Response): string | undefined => (response.body ? (JSON.parse(response.body) as { error?: string }).error : undefined)

/** The browser's cookies for the app: set, replaced and deleted by `Set-Cookie`, as a browser does. */
export class CookieJar {
  readonly values = new Map<string, string>()
  /** The attributes of the last `Set-Cookie` of each name, lower-cased. */
  readonly attributes = new Map<string, string[]>()
  apply(response: Response): this {
    for (const line of setCookiesOf(response)) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      this.attributes.set(
        name,
        attributes.map((a) => a.toLowerCase()),
      )
      if (attributes.some((a) => /^max-age=0$/i.test(a))) this.values.delete(name)
      else this.values.set(name, pair.slice(eq + 1))
    }
    return this
  }
  get cookies(): Record<string, string> {
    return Object.fromEntries(this.values)
  }
  names(): string[] {
    return [...this.values.keys()].sort()
  }
}

/**
 * A whole sign-in as a browser makes it: `login`, the provider's pages, `callback`. Returns the
 * callback's response (the jar then holds the session) and the login's.
 */
export const signIn = async (
  handlers: OAuthLoginHandlers,
  provider: LoopbackProvider,
  jar: CookieJar,
  { kind = 'http-api', account = 'alice', query }: { kind?: Kind; account?: string; query?: Record<string, string> } = {},
): Promise<{ login: Response; callback: Response; callbackUrl: URL }> => {
  const login = await invoke(handlers.login, eventFor(kind, { path: '/auth/login', ...(query ? { query } : {}), cookies: jar.cookies }))
  jar.apply(login)
  const location = headerOf(login, 'location')
  if (login.statusCode !== 302 || !location) throw new Error(`login answered ${login.statusCode} ${login.body}`)
  const callbackUrl = await provider.signIn(location, account)
  const callback = await invoke(handlers.callback, eventFor(kind, { path: '/auth/callback', query: queryOf(callbackUrl), cookies: jar.cookies }))
  jar.apply(callback)
  return { login, callback, callbackUrl }
}

export const queryOf = (url: URL): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {}
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name)
    query[name] = values.length === 1 ? (values[0] as string) : values
  }
  return query
}
