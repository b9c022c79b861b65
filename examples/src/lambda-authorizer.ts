/**
 * The local gateway's Lambda authorizers, done as API Gateway does them: the identity sources are
 * read first (a missing one is a 401 without calling the function), the answer is cached under
 * their values for the authorizer's TTL, and a cached IAM policy is evaluated again for every
 * later request, against that request's ARN.
 */

/** A function the gateway invokes: a Lambda handler of any event. */
export type LambdaFunction = (event: never, context: never, ...rest: never[]) => unknown

/** A Lambda authorizer on a route, as it is configured on the API. */
export interface LambdaAuthorizer {
  /** The authorizer's name, in log lines. */
  name: string
  handler: LambdaFunction
  /**
   * Where the identity is, as API Gateway writes it: `$request.header.Authorization`,
   * `$request.querystring.name`, `$context.routeKey` (REST: `method.request.header.Authorization`,
   * `method.request.querystring.name`). The cache key is their values.
   */
  identitySource: readonly string[]
  /** How long an answer is cached, in seconds (0 to 3600). Default 300, API Gateway's. 0: every request asks. */
  ttlSeconds?: number
  /** HTTP API only: `'simple'` (`{ isAuthorized, context }`, the default) or `'iam-policy'`. REST always takes a policy. */
  responseFormat?: 'simple' | 'iam-policy'
  /** REST only: `'TOKEN'` (one header's value) or `'REQUEST'` (the default). */
  type?: 'TOKEN' | 'REQUEST'
}

/** What an authorizer answered, once checked. */
export type AuthorizerAnswer =
  | { kind: 'simple'; isAuthorized: boolean; context: Record<string, unknown> | null }
  | { kind: 'policy'; principalId: string; statements: PolicyStatement[]; context: Record<string, unknown> | null }

interface PolicyStatement {
  effect: 'allow' | 'deny'
  actions: string[]
  resources: string[]
}

/** Where one identity source is read. */
export type IdentitySourceRef = { from: 'header' | 'querystring'; name: string } | { from: 'routeKey' }

const SOURCE = /^(?:\$request|method\.request)\.(header|querystring)\.([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/

/** Parses the identity sources when the gateway starts: a typo is an error then, not a 401 on every request. */
export const parseIdentitySources = (authorizer: LambdaAuthorizer): IdentitySourceRef[] => {
  if (authorizer.identitySource.length === 0) throw new TypeError(`gateway: authorizer ${authorizer.name}: identitySource must name at least one source`)
  return authorizer.identitySource.map((source) => {
    if (source === '$context.routeKey') return { from: 'routeKey' }
    const match = SOURCE.exec(source)
    if (!match)
      throw new TypeError(
        `gateway: authorizer ${authorizer.name}: identitySource ${JSON.stringify(source)} is not $request.header.<name>, $request.querystring.<name> or $context.routeKey`,
      )
    return { from: match[1] as 'header' | 'querystring', name: match[2] as string }
  })
}

/**
 * The identity sources' values, or `undefined` when one is missing or empty (the gateway then
 * answers 401 without calling the authorizer).
 */
export const identityValues = (
  sources: readonly IdentitySourceRef[],
  request: { headers: Readonly<Record<string, string>>; rawQuery: string; routeKey: string },
): string[] | undefined => {
  const values: string[] = []
  for (const source of sources) {
    const value =
      source.from === 'routeKey'
        ? request.routeKey
        : source.from === 'header'
          ? request.headers[source.name.toLowerCase()]
          : new URLSearchParams(request.rawQuery).getAll(source.name).join(',') || undefined
    if (value === undefined || value.trim() === '') return undefined
    values.push(value)
  }
  return values
}

/** The authorizer's answers, kept per cache key (the identity sources' values) for its TTL. */
export class AuthorizerCache {
  private readonly entries = new Map<string, { answer: AuthorizerAnswer; expiresAt: number }>()
  constructor(private readonly ttlMs: number) {}

  get(values: readonly string[], now: number): AuthorizerAnswer | undefined {
    const key = JSON.stringify(values)
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (now >= entry.expiresAt) {
      this.entries.delete(key)
      return undefined
    }
    return entry.answer
  }

  set(values: readonly string[], answer: AuthorizerAnswer, now: number): void {
    if (this.ttlMs > 0) this.entries.set(JSON.stringify(values), { answer, expiresAt: now + this.ttlMs })
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const listOf = (value: unknown): string[] | undefined =>
  typeof value === 'string' ? [value] : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? value : undefined

const contextOf = (value: unknown): Record<string, unknown> | null | undefined =>
  value === undefined || value === null ? null : isRecord(value) ? value : undefined

const statementOf = (value: unknown): PolicyStatement | undefined => {
  if (!isRecord(value) || 'NotAction' in value || 'NotResource' in value || 'Condition' in value) return undefined
  const effect = typeof value.Effect === 'string' ? value.Effect.toLowerCase() : ''
  const actions = listOf(value.Action)
  const resources = listOf(value.Resource)
  if ((effect !== 'allow' && effect !== 'deny') || actions === undefined || resources === undefined) return undefined
  return { effect, actions, resources }
}

/**
 * Checks what the authorizer returned; `undefined` when API Gateway could not use it (it then
 * answers 500). A policy with a statement this gateway cannot evaluate (`NotAction`,
 * `NotResource`, `Condition`) counts as unusable rather than being half-read.
 */
export const readAnswer = (result: unknown, format: 'simple' | 'iam-policy'): AuthorizerAnswer | undefined => {
  if (!isRecord(result)) return undefined
  const context = contextOf(result.context)
  if (context === undefined) return undefined
  if (format === 'simple') return typeof result.isAuthorized === 'boolean' ? { kind: 'simple', isAuthorized: result.isAuthorized, context } : undefined
  const document = result.policyDocument
  if (typeof result.principalId !== 'string' || !isRecord(document)) return undefined
  const rawStatements = Array.isArray(document.Statement) ? document.Statement : [document.Statement]
  const statements = rawStatements.map(statementOf)
  if (statements.length === 0 || statements.some((s) => s === undefined)) return undefined
  return { kind: 'policy', principalId: result.principalId, statements: statements as PolicyStatement[], context }
}

/** IAM's wildcards: `*` any run of characters (`/` included), `?` exactly one. */
const globMatches = (pattern: string, value: string, ignoreCase: boolean): boolean => {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value)
}

/** Whether an answer lets a request to `arn` through: a simple response by its boolean; a policy as IAM evaluates it (an explicit Deny beats any Allow; no Allow is a Deny). */
export const answerAllows = (answer: AuthorizerAnswer, arn: string): boolean => {
  if (answer.kind === 'simple') return answer.isAuthorized
  const applies = (s: PolicyStatement) =>
    s.actions.some((a) => globMatches(a, 'execute-api:Invoke', true)) && s.resources.some((r) => globMatches(r, arn, false))
  const matching = answer.statements.filter(applies)
  return matching.length > 0 && matching.every((s) => s.effect === 'allow')
}
