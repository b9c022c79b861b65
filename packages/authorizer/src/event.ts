/**
 * What an authorizer is asked: which kind of authorizer event this is (API Gateway's or AppSync's), and the ARN of the
 * request it decides on (`methodArn` on REST and WebSocket APIs and HTTP API payload 1.0,
 * `routeArn` on HTTP API payload 2.0).
 */
import { eventKind } from '@middy-auth/core'
import { asRecord, parseExecuteApiArn, type ExecuteApiArn } from '@middy-auth/core/internal'

/** The authorizer events this package answers. */
export type AuthorizerKind = 'rest-token' | 'rest-request' | 'http-v1' | 'http-v2' | 'websocket' | 'appsync'

/** An authorizer event, read. */
export interface AuthorizerEvent {
  kind: AuthorizerKind
  /** The request's ARN as the gateway gave it, split; `undefined` when absent or malformed. */
  target: ExecuteApiArn | undefined
  /** HTTP API payload 2.0: the route key, and the identity source values the cache is keyed by. */
  routeKey: string | undefined
  identitySource: readonly string[]
}

/** The authorizer event this is, or `undefined` for any other event. */
export const readAuthorizerEvent = (event: unknown): AuthorizerEvent | undefined => {
  const e = asRecord(event)
  if (!e) return undefined
  const base = { routeKey: undefined, identitySource: [] as string[] }
  // AppSync's event has no ARN: its answer is not a policy.
  if (eventKind(e) === 'authorizer-appsync') return { ...base, kind: 'appsync', target: undefined }
  if (e.type === 'TOKEN') return { ...base, kind: 'rest-token', target: parseExecuteApiArn(e.methodArn) }
  if (e.type !== 'REQUEST') return undefined
  if (e.version === '2.0') {
    const identitySource = Array.isArray(e.identitySource) ? e.identitySource.filter((v): v is string => typeof v === 'string') : []
    return { kind: 'http-v2', target: parseExecuteApiArn(e.routeArn), routeKey: typeof e.routeKey === 'string' ? e.routeKey : undefined, identitySource }
  }
  if (e.version === '1.0') return { ...base, kind: 'http-v1', target: parseExecuteApiArn(e.methodArn) }
  // By the event's shape, never by its path: a REST request to `/x/$connect` is still REST.
  const requestContext = asRecord(e.requestContext)
  const websocket = requestContext?.eventType === 'CONNECT' || typeof requestContext?.connectionId === 'string'
  return { ...base, kind: websocket ? 'websocket' : 'rest-request', target: parseExecuteApiArn(e.methodArn) }
}

/** HTTP API events: the context reaches the function as `requestContext.authorizer.lambda`, principalId included. */
export const isHttpApi = (kind: AuthorizerKind): boolean => kind === 'http-v1' || kind === 'http-v2'
