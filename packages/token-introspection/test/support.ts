import { generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import tokenIntrospection, { type TokenIntrospectionOptions } from '../src/index.js'
import { protect as protectWith, type Middleware, type Response } from '../../../test/support/protect.js'

export { outcome, type Response } from '../../../test/support/protect.js'

/**
 * A real handler protected by tokenIntrospection (and the given middlewares after it; the shared
 * harness); records what the handler saw, so a test can tell it was never called.
 */
export const protect = (options: TokenIntrospectionOptions, after: Middleware[] = []) => protectWith([tokenIntrospection(options), ...after])

/** Everything a client sees of a response but its status. */
export const visible = (response: Response) => response.body + JSON.stringify(response.headers)

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

/** One request the stub received. */
export interface StubRequest {
  accept: string | undefined
  authorization: string | undefined
  contentType: string | undefined
  form: URLSearchParams
}

/** What the stub does with one request: an answer, or a raw reply (status, body, delay). */
export type StubBehaviour = (request: StubRequest) => {
  status?: number
  /** JSON-encoded unless a string. */
  body?: unknown
  delayMs?: number
}

/**
 * A plain `node:http` introspection endpoint on loopback for the failure paths: its behaviour
 * can be changed between requests, and it records what it was sent.
 */
export const startStub = async (initial: StubBehaviour) => {
  let behaviour = initial
  const requests: StubRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request: StubRequest = {
        accept: req.headers.accept,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      }
      requests.push(request)
      const { status = 200, body = {}, delayMs = 0 } = behaviour(request)
      const reply = () => {
        timers.delete(timer)
        if (res.destroyed) return
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(typeof body === 'string' ? body : JSON.stringify(body))
      }
      const timer = setTimeout(reply, delayMs)
      timers.add(timer)
    })
  })
  const url = await listen(server)
  return {
    endpoint: `${url}/introspect`,
    requests,
    set: (next: StubBehaviour) => {
      behaviour = next
    },
    close: () => {
      for (const timer of timers) clearTimeout(timer)
      return close(server)
    },
  }
}

export const RESOURCE = 'https://api.example.com'
const secret = (name: string) => `${name}-secret-${'x'.repeat(32)}`
export const APP = { clientId: 'app', clientSecret: secret('app') }
/** The resource server's credentials at the introspection endpoint, one per client auth method. */
export const RS_BASIC = { clientId: 'orders-api', clientSecret: secret('orders-api') }
export const RS_POST = { clientId: 'orders-api-post', clientSecret: secret('orders-api-post') }
const assertionKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
/** A resource server that authenticates with private_key_jwt: the provider knows its public key. */
export const RS_JWT = { clientId: 'orders-api-jwt', privateKey: assertionKeys.privateKey, keyId: 'rs-key-1' }
/** A resource server the provider answers with signed introspection responses (RFC 9701). */
export const RS_SIGNED = { clientId: 'orders-api-signed', clientSecret: secret('orders-api-signed') }

/**
 * oidc-provider on 127.0.0.1 (port 0), issuing opaque access tokens for {@link RESOURCE} by
 * `client_credentials` with a resource indicator (RFC 8707), with its introspection and
 * revocation endpoints on. Counts the introspection calls it answers.
 */
export const startProvider = async () => {
  let introspections = 0
  // Listening first: the provider's issuer URL needs the port the system picked.
  const server = createServer()
  const issuer = await listen(server)
  const noFlows = { grant_types: [], redirect_uris: [], response_types: [] }
  // oidc-provider copies client metadata with structuredClone, which under Jest's VM modules
  // makes objects of the outer realm: its `constructor === Object` check of a client's `jwks`
  // then fails. During construction, copies are made in this realm instead.
  const realmClone = globalThis.structuredClone
  globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
  const provider = new Provider(issuer, {
    clients: [
      { client_id: APP.clientId, client_secret: APP.clientSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
      { client_id: RS_BASIC.clientId, client_secret: RS_BASIC.clientSecret, ...noFlows, token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: RS_POST.clientId, client_secret: RS_POST.clientSecret, ...noFlows, token_endpoint_auth_method: 'client_secret_post' },
      { client_id: RS_SIGNED.clientId, client_secret: RS_SIGNED.clientSecret, ...noFlows, introspection_signed_response_alg: 'RS256' },
      {
        client_id: RS_JWT.clientId,
        ...noFlows,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...assertionKeys.publicKey.export({ format: 'jwk' }), kid: RS_JWT.keyId }] },
      },
    ],
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      jwtIntrospection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'orders:read orders:write', audience: RESOURCE, accessTokenFormat: 'opaque', accessTokenTTL: 600 }),
      },
    },
  })
  globalThis.structuredClone = realmClone
  const handle = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/token/introspection') introspections += 1
    handle(req, res)
  })
  const basic = `Basic ${Buffer.from(`${APP.clientId}:${APP.clientSecret}`).toString('base64')}`
  const form = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }

  /** An opaque access token for the resource, with these scopes. */
  const issueToken = async (scope: string): Promise<string> => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: RESOURCE }),
    })
    const body = (await response.json()) as { access_token?: string }
    if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`)
    return body.access_token
  }

  /** Revokes a token (RFC 7009): the provider then answers `active: false` for it. */
  const revoke = async (token: string): Promise<void> => {
    const response = await fetch(`${issuer}/token/revocation`, { method: 'POST', headers: form, body: new URLSearchParams({ token }) })
    if (response.status !== 200) throw new Error(`revocation failed: ${response.status}`)
  }

  return {
    issuer,
    endpoint: `${issuer}/token/introspection`,
    jwksUri: `${issuer}/jwks`,
    issueToken,
    revoke,
    introspections: () => introspections,
    close: () => close(server),
  }
}
