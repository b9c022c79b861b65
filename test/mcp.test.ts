import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startOidcProvider, testOidc, type TestOidcProvider } from '@middy-auth/testing/oidc-provider'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startGateway, type Gateway } from '../examples/src/gateway.js'
import { createMcpHandler } from '../examples/src/mcp-server.js'

/**
 * The MCP server of examples/src/mcp-server.ts in a Lambda handler behind the local HTTP API
 * gateway, with oidc-provider as the authorization server, all on loopback: first the MCP
 * authorization spec's discovery steps by hand, then the MCP SDK's own client doing them.
 */

let provider: TestOidcProvider
let gateway: Gateway
let resource: string
let app: ReturnType<typeof createMcpHandler> | undefined
const gatewayLog: string[] = []

beforeAll(async () => {
  // The resource URL holds the gateway's port, so the function is built once the gateway listens.
  gateway = await startGateway({ handler: (event, context) => app!(event, context), port: 0, log: (line) => gatewayLog.push(line) })
  resource = `${gateway.url}/mcp`
  provider = await startOidcProvider({ resources: { [resource]: 'orders:read orders:write' } })
  app = createMcpHandler({ resource, issuer: provider.issuer })
})

afterAll(async () => {
  await gateway?.close()
  await provider?.close()
})

const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' }
const toolCall = (name: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } })

/** `name="value"` attributes of a challenge. */
const attributes = (challenge: string | null): Record<string, string> =>
  Object.fromEntries([...(challenge ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]))

describe('the discovery steps of the MCP authorization spec, by hand', () => {
  let metadataUrl: string
  let tokenEndpoint: string

  const token = async (scope: string, forResource = resource): Promise<string> => {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${testOidc.serviceClientId}:${testOidc.serviceClientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: forResource }),
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { access_token: string }).access_token
  }

  test('1. a request without a token: 401 whose challenge names the resource metadata', async () => {
    const response = await fetch(resource, { method: 'POST', headers: mcpHeaders, body: toolCall('whoami') })
    expect(response.status).toBe(401)
    const challenge = response.headers.get('www-authenticate')
    expect(challenge).toMatch(/^Bearer /)
    metadataUrl = attributes(challenge).resource_metadata!
    expect(metadataUrl).toBe(`${gateway.url}/.well-known/oauth-protected-resource/mcp`)
  })

  test('2. the metadata names this resource and its authorization server', async () => {
    const response = await fetch(metadataUrl)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600')
    const document = (await response.json()) as { resource: string; authorization_servers: string[]; scopes_supported: string[] }
    expect(document).toEqual({
      resource,
      authorization_servers: [provider.issuer],
      scopes_supported: ['orders:read', 'orders:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Orders MCP server',
    })
  })

  test('3. the authorization server metadata gives the token endpoint', async () => {
    const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`)
    expect(response.status).toBe(200)
    tokenEndpoint = ((await response.json()) as { token_endpoint: string }).token_endpoint
    expect(tokenEndpoint.startsWith(provider.issuer)).toBe(true)
  })

  test('4. a token for this resource (client_credentials, resource indicator) calls a tool: 200', async () => {
    const accessToken = await token('orders:read')
    const response = await fetch(resource, { method: 'POST', headers: { ...mcpHeaders, authorization: `Bearer ${accessToken}` }, body: toolCall('whoami') })
    expect(response.status).toBe(200)
    const answer = (await response.json()) as { result: { content: Array<{ text: string }> } }
    expect(JSON.parse(answer.result.content[0]!.text)).toEqual({ subject: testOidc.serviceClientId, scopes: ['orders:read'] })
  })

  test('5. a tool needing a scope the token lacks: 403 insufficient_scope naming that scope, with the metadata', async () => {
    const accessToken = await token('orders:read')
    const response = await fetch(resource, {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${accessToken}` },
      body: toolCall('cancel_order'),
    })
    expect(response.status).toBe(403)
    expect(attributes(response.headers.get('www-authenticate'))).toEqual({
      realm: 'api',
      resource_metadata: metadataUrl,
      error: 'insufficient_scope',
      scope: 'orders:write',
    })
    expect(await response.json()).toEqual({ error: 'insufficient_scope', error_description: 'The access token lacks the required scope' })
    // With the scope, the same call passes.
    const wider = await token('orders:read orders:write')
    const allowed = await fetch(resource, { method: 'POST', headers: { ...mcpHeaders, authorization: `Bearer ${wider}` }, body: toolCall('cancel_order') })
    expect(allowed.status).toBe(200)
  })

  test('a token minted for another resource of the same server is refused (the audience is the resource)', async () => {
    const other = await token('orders:read', testOidc.api)
    const response = await fetch(resource, { method: 'POST', headers: { ...mcpHeaders, authorization: `Bearer ${other}` }, body: toolCall('whoami') })
    expect(response.status).toBe(401)
    expect(attributes(response.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', resource_metadata: metadataUrl })
  })
})

describe("the MCP SDK's client", () => {
  /** Every request the client sent and the status it got, in order. */
  const exchanges: string[] = []
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init)
    const url = new URL(input instanceof Request ? input.url : input)
    const origin = url.origin === provider.issuer ? 'as' : 'mcp'
    exchanges.push(`${init?.method ?? 'GET'} ${origin}${url.pathname} ${response.status}`)
    return response
  }

  const connect = async (scope: string) => {
    const authProvider = new ClientCredentialsProvider({
      clientId: testOidc.serviceClientId,
      clientSecret: testOidc.serviceClientSecret,
      scope,
      expectedIssuer: provider.issuer,
    })
    const client = new Client({ name: 'test-agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider, fetch: recordingFetch }))
    return client
  }

  test('discovers the authorization server from the 401, gets a token and calls a tool', async () => {
    exchanges.length = 0
    const client = await connect('orders:read')
    const result = (await client.callTool({ name: 'whoami' })) as { content: Array<{ text: string }> }
    expect(JSON.parse(result.content[0]!.text)).toEqual({ subject: testOidc.serviceClientId, scopes: ['orders:read'] })
    await client.close()
    expect(exchanges.slice(0, 2)).toEqual(['POST mcp/mcp 401', 'GET mcp/.well-known/oauth-protected-resource/mcp 200'])
    expect(exchanges).toContain('POST as/token 200')
    const tokenRequest = provider.tokenRequests.at(-1)!
    expect(tokenRequest.params).toMatchObject({ grant_type: 'client_credentials', resource })
  })

  test('a tool needing a scope the token lacks: the call fails on the 403 insufficient_scope', async () => {
    const client = await connect('orders:read')
    exchanges.length = 0
    await expect(client.callTool({ name: 'cancel_order' })).rejects.toThrow(/403/)
    await client.close()
    // The client's own GET (a server-initiated stream, 405 here) runs concurrently: left out.
    const posts = exchanges.filter((line) => !line.startsWith('GET mcp/mcp '))
    // The SDK re-authorizes on the 403 (step-up) with the same discovery; its client credentials
    // hold no orders:write, so the server refuses again and the call fails.
    expect(posts).toEqual([
      'POST mcp/mcp 403',
      'GET mcp/.well-known/oauth-protected-resource/mcp 200',
      'GET as/.well-known/oauth-authorization-server 200',
      'POST as/token 200',
      'POST mcp/mcp 403',
    ])
  })

  test('with the scope, the same tool call succeeds', async () => {
    const client = await connect('orders:read orders:write')
    const result = (await client.callTool({ name: 'cancel_order' })) as { content: Array<{ text: string }> }
    expect(result.content[0]!.text).toBe('cancelled')
    await client.close()
  })

  test('the gateway logged nothing: no handler failure', () => {
    expect(gatewayLog).toEqual([])
  })
})
