import { getAuth, setAuth, type AuthContext } from './auth-context.js'
import { parseJsonArray, parseJsonList, readListClaim, readScopeClaim, readScopeList, restoreGatewayClaims, restoreScalarClaim } from './claims.js'
import type { AnyEvent } from './event.js'
import { asRecord, emptyRecord } from './record.js'

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

  if (Object.hasOwn(authorizer, 'lambda')) {
    // HTTP API: the principalId is one of the context's own values.
    return fromAuthorizerContext(asRecord(authorizer.lambda) ?? {}, undefined)
  }

  if (typeof authorizer.principalId === 'string') {
    const context = emptyRecord()
    for (const [key, value] of Object.entries(authorizer)) if (!restAuthorizerKeys.has(key)) context[key] = value
    return fromAuthorizerContext(context, authorizer.principalId)
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

/**
 * The key under which `@middy-auth/authorizer` names, as a JSON list, the claims of its context
 * that were lists (besides `scopes` and `roles`, always lists). Only those are read back as lists:
 * a claim that was the string `'["Admins"]'` stays that string. A marked context without it
 * (written by an earlier version) reads every JSON-list text as a list.
 *
 * @example
 * ```ts
 * const context = { [authorizerContextMark]: 1, [authorizerContextLists]: '["groups"]', groups: '["a","b"]', note: '["x"]' }
 * ```
 */
export const authorizerContextLists = 'middyAuthLists'

/**
 * A Lambda authorizer's context with its types restored, into an object without a prototype.
 * One written by `@middy-auth/authorizer` (marked) is read exactly; any other is read with the
 * tolerant readers and its identity says so (`stringifiedClaims`).
 */
const restoreAuthorizerContext = (context: Record<string, unknown>): { claims: Record<string, unknown>; exact: boolean } => {
  const mark = context[authorizerContextMark]
  if (mark !== 1 && mark !== '1') return { claims: restoreGatewayClaims(context), exact: false }
  const listed = typeof context[authorizerContextLists] === 'string' ? parseJsonList(context[authorizerContextLists]) : undefined
  // Without the list of lists (an earlier authorizer), every JSON-list text is taken for a list.
  const lists = listed === undefined ? undefined : new Set([...listed, 'scopes', 'roles'])
  const restored = emptyRecord()
  for (const [name, value] of Object.entries(context)) {
    if (name === authorizerContextMark || name === authorizerContextLists) continue
    const maybeList = typeof value === 'string' && value.startsWith('[') && value.endsWith(']') && (lists === undefined || lists.has(name))
    // A claim the authorizer names as a list comes back whatever its items (`[12, 34]`); without
    // the names, only a list of strings is taken for one.
    const list = maybeList ? (lists === undefined ? parseJsonList(value) : parseJsonArray(value)) : undefined
    restored[name] = list ?? restoreScalarClaim(name, value)
  }
  return { claims: restored, exact: true }
}


const fromClaims = (rawClaims: Record<string, unknown>, gatewayScopes: unknown): AuthContext => {
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

const fromAuthorizerContext = (context: Record<string, unknown>, restPrincipalId: string | undefined): AuthContext => {
  const { claims, exact } = restoreAuthorizerContext(context)
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
export const resolveAuth = (request: { event: unknown; context: object; internal?: Record<string, unknown> }): AuthContext | undefined => {
  const existing = getAuth(request)
  if (existing) return existing
  const fromGateway = gatewayAuth(request.event)
  if (fromGateway) setAuth(request, fromGateway)
  return fromGateway
}
