import type { AuthContext } from './auth-context.js'
import { decodeAuthorizerContext } from './authorizer-context.js'
import { readListClaim, readScopeClaim, readScopeList, restoreGatewayClaims } from './claims.js'
import type { AnyEvent } from './event.js'
import type { MiddyRequestLike } from './middy-request.js'
import { asRecord, emptyRecord } from './record.js'
import { resolveAuthWith } from './resolve-auth.js'

/** Keys API Gateway adds to a REST Lambda authorizer's context that are not the function's. */
const restAuthorizerKeys = new Set(['principalId', 'integrationLatency', 'usageIdentifierKey'])

/**
 * The identity API Gateway already established for this request, with claim types restored:
 * HTTP API JWT authorizer (`authorizer.jwt`), REST Cognito authorizer (`authorizer.claims`),
 * Lambda authorizers (`authorizer.lambda` on HTTP API, the flat context on REST). `undefined`
 * when the route has no such authorizer; IAM callers are read by `@middy-auth/iam-context`.
 *
 * Only call this where the gateway is trusted to have verified the caller: the event is
 * written by API Gateway, never by the client.
 *
 * @example
 * ```ts
 * const auth = gatewayAuth(event)
 * if (auth) console.log(auth.subject, auth.scopes)
 * ```
 */
export function gatewayAuth(event: AnyEvent): AuthContext | undefined {
  const authorizer = asRecord(asRecord(asRecord(event)?.requestContext)?.authorizer)
  if (!authorizer) return undefined

  const jwt = asRecord(authorizer.jwt)
  if (jwt) return fromClaims(asRecord(jwt.claims) ?? {}, jwt.scopes)

  const cognitoClaims = asRecord(authorizer.claims)
  if (cognitoClaims) return fromClaims(cognitoClaims, undefined)

  // HTTP API: the context is an object (or null) under `lambda`, and the principalId one of its
  // own values. On REST every context value is a string, so a value named `lambda` there is not
  // taken for an HTTP API context.
  if (Object.hasOwn(authorizer, 'lambda') && (authorizer.lambda === null || asRecord(authorizer.lambda) !== undefined)) {
    return fromAuthorizerContext(asRecord(authorizer.lambda) ?? {}, undefined)
  }

  if (typeof authorizer.principalId === 'string') {
    const context = emptyRecord()
    for (const [key, value] of Object.entries(authorizer)) if (!restAuthorizerKeys.has(key)) context[key] = value
    return fromAuthorizerContext(context, authorizer.principalId)
  }
  return undefined
}

function fromClaims(rawClaims: Record<string, unknown>, gatewayScopes: unknown): AuthContext {
  const claims = restoreGatewayClaims(rawClaims)
  // HTTP API gives `scopes: null` when the route requires none; the claims still say what the
  // token holds: `scope` space-delimited (a scope may hold a comma), `scp` already restored to a list.
  const scopes = Array.isArray(gatewayScopes) ? readScopeList(gatewayScopes) : readScopeClaim(stringified, claims.scope ?? claims.scp)
  return {
    source: 'apigateway',
    subject: typeof claims.sub === 'string' ? claims.sub : '',
    ...(typeof claims.iss === 'string' ? { issuer: claims.iss } : {}),
    scopes,
    roles: [],
    claims,
    stringifiedClaims: true,
  }
}

const stringified = { stringifiedClaims: true } as const

function fromAuthorizerContext(context: Record<string, unknown>, restPrincipalId: string | undefined): AuthContext {
  const { claims, exact } = decodeAuthorizerContext(context)
  const form = exact ? {} : stringified
  // Read from the restored copy, which has no prototype: only the context's own values count.
  const principalId = restPrincipalId ?? claims.principalId
  return {
    source: 'lambda-authorizer',
    subject: typeof principalId === 'string' ? principalId : typeof claims.sub === 'string' ? claims.sub : '',
    ...(typeof claims.iss === 'string' ? { issuer: claims.iss } : {}),
    scopes: readScopeClaim(form, claims.scopes ?? claims.scope),
    roles: readListClaim(form, claims.roles),
    claims,
    ...form,
  }
}

/**
 * The identity a consumer (oauth-scope, rbac) works on: the one an earlier middleware put on
 * `request.context.auth`, or else the one API Gateway verified, which is then written there so
 * later middlewares and the handler see the same object. `undefined`: no identity at all.
 *
 * @example
 * ```ts
 * const auth = resolveAuth(request)
 * if (!auth) throw new AuthError('missing_token', { package: '@middy-auth/rbac' })
 * ```
 */
export const resolveAuth = (request: Pick<MiddyRequestLike, 'event' | 'context' | 'internal'>): AuthContext | undefined => resolveAuthWith(request, gatewayAuth)
