import { getAuth, setAuth, type AuthContext } from './auth-context.js'
import { readScopeList, readStringList, restoreGatewayClaims, restoreScalarClaim } from './claims.js'
import { markExactClaims } from './exact-claims.js'
import type { AnyEvent } from './event.js'
import { asRecord } from './record.js'

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
export const gatewayAuth = (event: AnyEvent): AuthContext | undefined => {
  const authorizer = asRecord(asRecord(asRecord(event)?.requestContext)?.authorizer)
  if (!authorizer) return undefined

  const jwt = asRecord(authorizer.jwt)
  if (jwt) return fromClaims(asRecord(jwt.claims) ?? {}, jwt.scopes)

  const cognitoClaims = asRecord(authorizer.claims)
  if (cognitoClaims) return fromClaims(cognitoClaims, undefined)

  if ('lambda' in authorizer) {
    const context = restoreAuthorizerContext(asRecord(authorizer.lambda) ?? {})
    return fromAuthorizerContext(context, context.principalId)
  }

  if (typeof authorizer.principalId === 'string') {
    const context: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(authorizer)) if (!restAuthorizerKeys.has(key)) context[key] = value
    return fromAuthorizerContext(restoreAuthorizerContext(context), authorizer.principalId)
  }
  return undefined
}

/**
 * The key `@middy-auth/authorizer` adds to every context it writes. Such a context writes every
 * list as JSON text, so it is read exactly: a JSON list is a list and any other string is ONE
 * value. A context without it (a hand-written authorizer) is read with the tolerant readers,
 * where `"admin,editor"` is two roles.
 *
 * @example
 * ```ts
 * const context = { [authorizerContextMark]: 1, roles: '["admin"]', groups: 'Not Admins' }
 * ```
 */
export const authorizerContextMark = 'middyAuthContext'

const restoreAuthorizerContext = (context: Record<string, unknown>): Record<string, unknown> => {
  const mark = context[authorizerContextMark]
  if (mark !== 1 && mark !== '1') return restoreGatewayClaims(context)
  const restored: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(context)) {
    if (name === authorizerContextMark) continue
    const list = typeof value === 'string' && value.startsWith('[') && value.endsWith(']') ? jsonList(value) : undefined
    restored[name] = list ?? restoreScalarClaim(name, value)
  }
  exactContexts.add(restored)
  return restored
}

/** Contexts read exactly; the identity built from one is marked with `markExactClaims`. */
const exactContexts = new WeakSet<object>()

const jsonList = (text: string): string[] | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined
  } catch {
    return undefined
  }
}

const fromClaims = (rawClaims: Record<string, unknown>, gatewayScopes: unknown): AuthContext => {
  const claims = restoreGatewayClaims(rawClaims)
  // HTTP API gives `scopes: null` when the route requires none; the claims still say what the
  // token holds: `scope` space-delimited (a scope may hold a comma), `scp` already restored to a list.
  const scopes = Array.isArray(gatewayScopes) ? readStringList(gatewayScopes) : readScopeList(claims.scope ?? claims.scp)
  return {
    source: 'apigateway',
    subject: typeof claims.sub === 'string' ? claims.sub : '',
    ...(typeof claims.iss === 'string' ? { issuer: claims.iss } : {}),
    scopes,
    roles: [],
    claims,
  }
}

const fromAuthorizerContext = (context: Record<string, unknown>, principalId: unknown): AuthContext => {
  const auth = fromAuthorizerContextLoose(context, principalId)
  if (exactContexts.has(context)) markExactClaims(auth)
  return auth
}

const fromAuthorizerContextLoose = (context: Record<string, unknown>, principalId: unknown): AuthContext => ({
  source: 'lambda-authorizer',
  subject: typeof principalId === 'string' ? principalId : typeof context.sub === 'string' ? context.sub : '',
  ...(typeof context.iss === 'string' ? { issuer: context.iss } : {}),
  scopes: readStringList(context.scopes ?? context.scope),
  roles: readStringList(context.roles),
  claims: context,
})

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
export const resolveAuth = (request: { event: unknown; context: object; internal?: Record<string, unknown> }): AuthContext | undefined => {
  const existing = getAuth(request)
  if (existing) return existing
  const fromGateway = gatewayAuth(request.event)
  if (fromGateway) setAuth(request, fromGateway)
  return fromGateway
}
