/**
 * An MCP server (Streamable HTTP, stateless) in one Lambda function behind an HTTP API
 * (payload 2.0), protected as an OAuth 2.0 resource server the way the MCP authorization spec
 * asks: `jwtVerify` accepts only tokens minted for this server (its URL is the audience, RFC
 * 8707), every `401`/`403` points to the protected resource metadata (RFC 9728), which the same
 * function serves, and `oauthScope` checks the scopes of the endpoint and of each tool.
 *
 * No side effects: nothing runs until `createMcpHandler()` is called (at cold start in a
 * deployed function; with loopback URLs in the tests).
 */
import middy, { type MiddlewareObj } from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpRouterHandler, { type Route } from '@middy/http-router'
import type { AuthContext } from '@middy-auth/core'
import jwtVerify, { protectedResourceMetadata, resourceMetadataUrl } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'

/** Every call to the MCP endpoint needs this scope. */
export const MCP_READ_SCOPE = 'orders:read'
/** The scope each tool needs beyond {@link MCP_READ_SCOPE}; a tool not listed needs nothing more. */
export const TOOL_SCOPES: Readonly<Record<string, readonly string[]>> = { cancel_order: ['orders:write'] }

export interface McpHandlerOptions {
  /** The MCP endpoint's URL as clients call it (`https://mcp.example.com/mcp`): the resource identifier and the tokens' audience. */
  resource: string
  /** The authorization server's issuer identifier. */
  issuer: string
  /** What `@middy/http-error-handler` logs. Default: nothing. */
  logger?: ((error: Error) => void) | false
}

/** The tools of this server, built per request for the caller `auth` (the transport is stateless). */
const ordersServer = (auth: AuthContext): McpServer => {
  const server = new McpServer({ name: 'orders-mcp', version: '1.0.0' })
  server.registerTool('whoami', { description: 'Who the caller is, as the server verified it' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ subject: auth.subject, scopes: auth.scopes }) }],
  }))
  server.registerTool('cancel_order', { description: 'Cancels the last order (needs orders:write)' }, async () => ({
    content: [{ type: 'text', text: 'cancelled' }],
  }))
  return server
}

/** The JSON-RPC messages of a POST body (one message or a batch); none when it is not JSON. */
const jsonRpcMessages = (event: APIGatewayProxyEventV2): unknown[] => {
  if (!event.body) return []
  try {
    const parsed: unknown = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body)
    return Array.isArray(parsed) ? parsed : [parsed]
  } catch {
    return [] // the transport answers the parse error
  }
}

/** The tools a request calls (`tools/call`), by name. */
const calledTools = (event: APIGatewayProxyEventV2): string[] =>
  jsonRpcMessages(event).flatMap((message) => {
    const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown } }
    return method === 'tools/call' && typeof params?.name === 'string' ? [params.name] : []
  })

/**
 * Per tool, the same `oauthScope` check as on a route: a tool call whose token lacks the tool's
 * scope is a `403 insufficient_scope` whose challenge names that scope, before the MCP server
 * runs (the SDK would turn an error thrown in a tool into a tool result, not an HTTP status).
 */
const toolScopes = (resourceMetadata: string): MiddlewareObj<APIGatewayProxyEventV2> => {
  const checks = new Map(Object.entries(TOOL_SCOPES).map(([tool, required]) => [tool, oauthScope({ required, resourceMetadata })]))
  return {
    before: (request) => {
      for (const tool of calledTools(request.event)) checks.get(tool)?.before?.(request as never)
    },
  }
}

/** The Lambda event as the Fetch API `Request` the SDK's web-standard transport takes. */
const toRequest = (event: APIGatewayProxyEventV2): Request => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value)
  const query = event.rawQueryString ? `?${event.rawQueryString}` : ''
  const url = `https://${event.requestContext.domainName}${event.rawPath}${query}`
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body
  return new Request(url, { method: event.requestContext.http.method, headers, ...(body === undefined ? {} : { body }) })
}

/** The transport's `Response` as a Lambda result (JSON responses only: SSE is off). */
const toResult = async (response: Response): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: response.status,
  headers: Object.fromEntries(response.headers),
  body: await response.text(),
})

/**
 * Builds the function: `GET /.well-known/oauth-protected-resource/<path>` answers the metadata
 * (no token needed); `POST <path>` is the MCP endpoint. `GET` and `DELETE` on the endpoint are
 * 405, as the MCP spec allows a server without server-initiated streams or sessions.
 *
 * @example
 * ```ts
 * export const handler = createMcpHandler({ resource: 'https://mcp.example.com/mcp', issuer: 'https://auth.example.com' })
 * ```
 */
export const createMcpHandler = ({ resource, issuer, logger = false }: McpHandlerOptions) => {
  const metadataUrl = resourceMetadataUrl(resource)
  const mcpPath = new URL(resource).pathname
  const scopesSupported = [MCP_READ_SCOPE, ...Object.values(TOOL_SCOPES).flat()]

  const metadata = protectedResourceMetadata({
    resource,
    authorizationServers: [issuer],
    scopesSupported,
    bearerMethodsSupported: ['header'],
    resourceName: 'Orders MCP server',
  })

  const mcp = middy<APIGatewayProxyEventV2>()
    .use(httpErrorHandler({ logger }))
    .use(jwtVerify({ issuers: [{ issuer, audience: resource }], resourceMetadata: metadataUrl }))
    .use(oauthScope({ required: [MCP_READ_SCOPE], resourceMetadata: metadataUrl }))
    .use(toolScopes(metadataUrl))
    .handler(async (event, context): Promise<APIGatewayProxyStructuredResultV2> => {
      if (event.requestContext.http.method !== 'POST') return { statusCode: 405, headers: { Allow: 'POST' }, body: '' }
      // Stateless: a new server and transport per request, nothing shared between invocations.
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
      await ordersServer(context.auth).connect(transport)
      return toResult(await transport.handleRequest(toRequest(event)))
    })

  type McpRoute = Route<APIGatewayProxyEventV2, APIGatewayProxyResultV2>
  const route = (method: McpRoute['method'], path: string, handler: unknown): McpRoute => ({ method, path, handler: handler as McpRoute['handler'] })
  // The router's own 404 and 405 are rendered by the error handler around it.
  return middy<APIGatewayProxyEventV2>()
    .use(httpErrorHandler({ logger }))
    .handler(
      httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>([route('GET', new URL(metadataUrl).pathname, metadata), route('ANY', mcpPath, mcp)]),
    )
}
