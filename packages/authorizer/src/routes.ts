/**
 * `routes`: what each route needs, and from it the policy that covers exactly what a caller may
 * call. Everything that depends only on the configuration (ARN patterns, the languages of the
 * routes, which route's patterns reach which route's requests) is computed once, at cold start.
 */
// The languages are sequences of characters: spreading a method, a literal segment or a whole
// key ($connect) into its characters is the split they are made of.
/* eslint-disable @typescript-eslint/no-misused-spread */
import type { AnyEvent, AuthContext } from '@middy-auth/core'
import {
  checkOptionNames,
  compileRouteMap,
  compileScopeCheck,
  holdsPermission,
  isConcretePermission,
  isRecord,
  matchesWildcard,
  parseRouteKey,
  readScopeTokens,
  scopesSatisfy,
  type ConfigError,
  type RouteKey,
  type RouteMap,
  type ScopeCheck,
  type TemplateSegment,
} from '@middy-auth/core/internal'
import { ANYTHING, hasWildcard, intersects, REST, SEGMENT, type Token } from './patterns.js'

/**
 * What a caller needs on one route: every scope of `scopes`, one of `anyOf`, and every
 * permission of `permissions` (decided by `@middy-auth/rbac` in front of the authorizer). `{}`
 * needs only an identity.
 *
 * @example
 * ```ts
 * const read: RouteRequirement = { scopes: ['orders/read'] }
 * const write: RouteRequirement = { anyOf: ['orders/write', 'orders/admin'], permissions: ['orders:create'] }
 * const anyone: RouteRequirement = {}
 * ```
 */
export interface RouteRequirement {
  /** Every one of these scopes. */
  scopes?: readonly string[]
  /** At least one of these scopes. */
  anyOf?: readonly string[]
  /** Every one of these permissions (`resource:action`), as `rbac()` in front decides them. */
  permissions?: readonly string[]
}

/** The HTTP methods `ANY` stands for in a policy (a `*` method would also cover `GET/x/orders`). */
export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

interface CompiledRoute {
  key: string
  scopes: ScopeCheck | undefined
  permissions: readonly string[]
  /** ARN tails (after the stage) of this route's Allow or Deny: IAM patterns. */
  patterns: readonly string[]
  /** The requests the gateway routes here, one language per method. */
  languages: ReadonlyArray<readonly Token[]>
  /** The method of each pattern and language (`'*'`: every one, `''`: a WebSocket route). */
  methods: readonly string[]
  /** Without path parameters: its patterns are exactly its requests, which go nowhere else. */
  literal: boolean
  /**
   * Patterns of what this route's Allow patterns cover beyond its own requests: a `*` that stands
   * for `{id}` also matches `x/y` (a path the route does not take) and the empty string.
   */
  excess: readonly string[]
}

/** What the policy of one request holds: ARN tails (after `<apiId>/<stage>/`). */
export interface PolicyPlan {
  allow: string[]
  deny: string[]
  /** Whether the policy lets this very request through: the decision the response reports. */
  allowed: boolean
  /** Routes the caller may call whose patterns could not be granted without granting more. */
  narrowed: string[]
  /** Whether a policy allowing this request's exact ARN alone would be right (for an oversized policy). */
  exactSafe: boolean
}

/** `routes`, compiled. */
export interface CompiledRoutes {
  /** The index of the request's route, `undefined` when `routes` does not list it. */
  lookup: (event: AnyEvent) => number | undefined
  /**
   * The index of the route named by a gateway route key alone (`GET /orders/{id}`, or `ANY` at the
   * same path; `$default`), never found from a path: what an answer cached per route key may use.
   */
  lookupKey: (routeKey: string) => number | undefined
  /**
   * The entries whose requests a catch-all route key (`$default`, a greedy `GET /files/{proxy+}`)
   * also takes, besides its own entry: an answer cached per route key is reused for all of them.
   */
  entriesUnder: (routeKey: string) => readonly number[]
  /** Which routes the caller satisfies; `permissionCheckMissing` when a permission could not be asked. */
  satisfied: (auth: AuthContext) => { satisfied: boolean[]; permissionCheckMissing: boolean }
  /**
   * The policy for a caller who satisfies `satisfied`, asked about the route `current` at
   * `currentTail`; `routeNamed` when the event names its route (REST REQUEST `resource`, HTTP API
   * `routeKey`), rather than the route being found from the path; `defaultRoute` when the API can
   * have a `$default` route (HTTP APIs): elsewhere a `$default` entry stands for no request.
   */
  plan: (satisfied: readonly boolean[], current: number | undefined, currentTail: string, routeNamed: boolean, defaultRoute: boolean) => PolicyPlan
}

type PathSegment = string | typeof SEGMENT | typeof REST

/** A template's segments (core's one route-key grammar) as this module's tokens. */
const segmentsOf = (segments: readonly TemplateSegment[]): PathSegment[] =>
  segments.map((segment) => (segment === 'param' ? SEGMENT : segment === 'greedy' ? REST : segment.literal))

const languageOf = (method: string, segments: readonly PathSegment[]): Token[] => {
  const tokens: Token[] = [...method, '/']
  segments.forEach((segment, i) => {
    if (i > 0) tokens.push('/')
    if (typeof segment === 'string') tokens.push(...segment)
    else tokens.push(segment)
  })
  return tokens
}

const patternOf = (method: string, segments: readonly PathSegment[]): string =>
  `${method}/${segments.map((segment) => (typeof segment === 'string' ? segment : '*')).join('/')}`

/**
 * The requests an Allow of `patternOf(method, segments)` covers that the route does not take,
 * as patterns: for each `{param}`, one where it holds a `/` (two `*` around a `/`) and one where
 * it is empty.
 * A greedy `{proxy+}` takes any non-empty rest, `/` included: its `*` only adds the empty rest.
 * None of these patterns matches a request of the route itself: each has more `/` than the
 * route's requests, or an empty segment, which they never have.
 */
const excessOf = (method: string, segments: readonly PathSegment[]): string[] => {
  const variants: string[] = []
  segments.forEach((segment, i) => {
    if (typeof segment === 'string') return
    const withParameter = (replacement: string) =>
      `${method}/${segments.map((other, j) => (j === i ? replacement : typeof other === 'string' ? other : '*')).join('/')}`
    if (segment === SEGMENT) variants.push(withParameter('*/*'))
    variants.push(withParameter(''))
  })
  return variants
}

/** A requirement, checked and compiled. */
export interface CompiledRequirement {
  scopes: ScopeCheck | undefined
  permissions: readonly string[]
}

const requirementFields = ['scopes', 'anyOf', 'permissions']

/** Checks and compiles one requirement (`at` names it in the `TypeError`). */
export const readRequirement = (value: unknown, at: string, fail: ConfigError): CompiledRequirement => {
  if (!isRecord(value)) throw fail(at, `must be an object { scopes?, anyOf?, permissions? } ({} needs only an identity)`)
  checkOptionNames(value, requirementFields, fail, `${at}.`)
  const scopes = value.scopes === undefined ? [] : readScopeTokens(value.scopes, `${at}.scopes`, fail)
  const anyOf = value.anyOf === undefined ? undefined : readScopeTokens(value.anyOf, `${at}.anyOf`, fail)
  let permissions: string[] = []
  if (value.permissions !== undefined) {
    if (!Array.isArray(value.permissions) || value.permissions.length === 0) {
      throw fail(`${at}.permissions`, `must be a non-empty list of permissions such as ['orders:read']`)
    }
    // Spread first: forEach() skips a hole (`[, 'orders:read']`), a permission no caller could hold.
    ;[...(value.permissions as unknown[])].forEach((permission: unknown, i) => {
      if (!isConcretePermission(permission)) {
        throw fail(
          `${at}.permissions[${i}]`,
          `${JSON.stringify(permission)} is not a concrete permission 'resource:action' (wildcards are for the policy's grants)`,
        )
      }
    })
    permissions = [...new Set(value.permissions as string[])]
  }
  return { scopes: scopes.length > 0 || anyOf ? compileScopeCheck(scopes, anyOf) : undefined, permissions }
}

/**
 * Whether the identity meets a requirement: `true`, `false`, or `undefined` when a permission
 * could not be asked (no `rbac()` in front), which is not met either.
 */
export const meetsRequirement = (requirement: CompiledRequirement, auth: AuthContext): boolean | undefined => {
  const held = Array.isArray(auth.scopes) ? auth.scopes : []
  if (requirement.scopes && !scopesSatisfy(requirement.scopes, held)) return false
  for (const permission of requirement.permissions) {
    const holds = holdsPermission(auth, permission)
    if (holds !== true) return holds === undefined ? undefined : false
  }
  return true
}

/** What one route's patterns reach. */
interface ReachRow {
  /** Per route b: a bit for each of b's languages (methods) that a pattern of this route meets. */
  languages: readonly number[]
  /** Per pattern of this route: the routes it meets. */
  byPattern: ReadonlyArray<readonly boolean[]>
}

/**
 * What each route's patterns reach: an Allow or Deny of a pattern of `a` also covers requests
 * the gateway routes to `b`. A literal route's patterns are its own requests only (the gateway
 * routes an exact path to the route that names it), so it reaches nothing else. Patterns and
 * languages start with their method and first path segment: only those that agree there are
 * searched (`*` and `$default` agree with everything). A route's row is computed the first time
 * a policy needs it and kept: it depends on the configuration only, so a cold start pays for no
 * route nobody called.
 */
const reachOf = (compiled: readonly CompiledRoute[]): ((a: number) => ReachRow) => {
  interface Entry {
    route: number
    index: number
    method: string
    /** The first path segment when literal; `undefined` for a wildcard. */
    head: string | undefined
    pattern: string
    language: readonly Token[]
  }
  const headOf = (pattern: string): string | undefined => {
    if (pattern === '*') return undefined
    const slash = pattern.indexOf('/')
    if (slash === -1) return pattern // a WebSocket route key
    const end = pattern.indexOf('/', slash + 1)
    const head = pattern.slice(slash + 1, end === -1 ? undefined : end)
    return head.includes('*') ? undefined : head
  }
  const entries: Entry[] = compiled.flatMap((route, i) =>
    route.patterns.map((pattern, p) => ({
      route: i,
      index: p,
      method: route.methods[p] as string,
      head: headOf(pattern),
      pattern,
      language: route.languages[p] as readonly Token[],
    })),
  )
  const byMethod = new Map<string, Entry[]>()
  for (const entry of entries) byMethod.set(entry.method, [...(byMethod.get(entry.method) ?? []), entry])
  const rows: Array<ReachRow | undefined> = compiled.map(() => undefined)
  return (route) => {
    const known = rows[route]
    if (known) return known
    const origin = compiled[route] as CompiledRoute
    const languages = compiled.map(() => 0)
    const byPattern = origin.patterns.map(() => compiled.map(() => false))
    if (!origin.literal) {
      for (const a of entries) {
        if (a.route !== route) continue
        const candidates = a.method === '*' ? entries : [...(byMethod.get(a.method) ?? []), ...(byMethod.get('*') ?? [])]
        for (const b of candidates) {
          if (b.route === route) continue
          if (a.head !== undefined && b.head !== undefined && a.head !== b.head) continue
          if (intersects(a.pattern, b.language)) {
            languages[b.route] = (languages[b.route] as number) | (1 << b.index)
            ;(byPattern[a.index] as boolean[])[b.route] = true
          }
        }
      }
    }
    const row = { languages, byPattern }
    rows[route] = row
    return row
  }
}

/**
 * Checks and compiles `routes`: every key and requirement (a `TypeError` naming what is wrong),
 * each route's ARN patterns and language, and which routes' patterns reach which routes.
 */
export const compileRoutes = (routes: RouteMap<RouteRequirement>, packageName: string, fail: ConfigError): CompiledRoutes => {
  if (!isRecord(routes)) throw fail('routes', `must be an object keyed by "METHOD /path", such as { 'GET /orders': { scopes: ['orders/read'] } }`)
  const keys = Object.keys(routes)
  if (keys.length === 0) throw fail('routes', `lists no route: list the routes this authorizer protects, or leave routes out`)
  // Key syntax and the request → route lookup are core's, as for oauthScope and rbac.
  const lookup = compileRouteMap(Object.fromEntries(keys.map((key, i) => [key, i])), packageName, 'authorizerResponse: routes')

  const explicit = new Set(keys.filter((key) => !key.startsWith('ANY ')))
  const compiled: CompiledRoute[] = keys.map((key) => {
    const requirement = readRequirement(routes[key], `routes[${JSON.stringify(key)}]`, fail)
    // compileRouteMap above refused every key outside the grammar.
    const parsed = parseRouteKey(key) as RouteKey
    if (parsed.special !== undefined) {
      const special = parsed.special
      if (special === '$default') {
        // One pattern per method the gateway's routes take, never a `*` method: a cached Allow must
        // not cover an extension method (PROPFIND) or a lower-case one that no route of the map takes.
        return {
          key,
          ...requirement,
          patterns: httpMethods.map((method) => `${method}/*`),
          languages: httpMethods.map((method) => [...method, '/', ANYTHING]),
          methods: [...httpMethods],
          literal: false,
          excess: [],
        }
      }
      return { key, ...requirement, patterns: [special], languages: [[...special]], methods: [''], literal: true, excess: [] }
    }
    const segments = segmentsOf(parsed.segments)
    // `ANY /x` covers the methods no route of its own takes at the same path.
    const methods = parsed.method === 'ANY' ? httpMethods.filter((method) => !explicit.has(`${method} ${parsed.template}`)) : [parsed.method]
    return {
      key,
      ...requirement,
      patterns: methods.map((method) => patternOf(method, segments)),
      languages: methods.map((method) => languageOf(method, segments)),
      methods,
      literal: segments.every((segment) => typeof segment === 'string'),
      excess: methods.flatMap((method) => excessOf(method, segments)),
    }
  })

  const reach = reachOf(compiled)

  const satisfied: CompiledRoutes['satisfied'] = (auth) => {
    let permissionCheckMissing = false
    const result = compiled.map((route) => {
      const met = meetsRequirement(route, auth)
      if (met === undefined) permissionCheckMissing = true
      return met === true
    })
    return { satisfied: result, permissionCheckMissing }
  }

  const plan: CompiledRoutes['plan'] = (satisfiedByCaller, current, currentTail, routeNamed, defaultRoute) => {
    const n = compiled.length
    // A `$default` entry of a REST or WebSocket API takes no request: neither allowed nor denied.
    const inert = (u: number) => !defaultRoute && (compiled[u] as CompiledRoute).key === '$default'
    const isSatisfied = satisfiedByCaller.map((held, i) => held && !inert(i))
    // A route's patterns may be granted only when what they cover beyond the route can be denied
    // without denying a route the caller may call: else a cached Allow of `GET/public/*` would
    // answer `GET /public/1/x`, which the authorizer denies when asked (no route takes it).
    const takenBySatisfied = (pattern: string) =>
      compiled.some((route, s) => isSatisfied[s] && route.languages.some((language) => intersects(pattern, language)))
    // The excess Denies of a route: a path without wildcard that a route the caller may call takes
    // (the root `/` for `GET/*`) needs none; any other must not touch such a route.
    const excessDenies = (i: number): string[] | undefined => {
      const denies: string[] = []
      for (const pattern of (compiled[i] as CompiledRoute).excess) {
        if (!takenBySatisfied(pattern)) denies.push(pattern)
        else if (pattern.includes('*')) return undefined
      }
      return denies
    }
    const excess = compiled.map((_, i) => (isSatisfied[i] ? excessDenies(i) : undefined))
    const allows = new Set<number>()
    for (let i = 0; i < n; i++) if (excess[i]) allows.add(i)
    // For each route the caller may not call, the methods of it that an Allow reaches: each
    // needs an explicit Deny.
    const neededDenies = (): number[] => {
      const bits = compiled.map(() => 0)
      for (const s of allows)
        reach(s).languages.forEach((mask, u) => {
          if (!isSatisfied[u] && !inert(u)) bits[u] = (bits[u] as number) | mask
        })
      return bits
    }
    let denyBits = neededDenies()
    const patternsOf = (u: number, mask: number) => (compiled[u] as CompiledRoute).patterns.filter((_, q) => (mask & (1 << q)) !== 0)
    for (;;) {
      // A Deny that would also cover a route the caller may call cannot be written: then the
      // Allows that made it necessary go instead (never an Allow that reaches a denied route).
      const inexpressible = denyBits
        .map((mask, u) => ({ mask, u }))
        .filter(
          ({ mask, u }) => mask !== 0 && reach(u).byPattern.some((reached, q) => (mask & (1 << q)) !== 0 && reached.some((hit, s) => hit && isSatisfied[s])),
        )
      if (inexpressible.length === 0) break
      for (const { u } of inexpressible) for (const s of [...allows]) if (reach(s).languages[u] !== 0) allows.delete(s)
      denyBits = neededDenies()
    }
    const allow = [...allows].flatMap((i) => compiled[i]?.patterns ?? [])
    const deny = [...denyBits.flatMap((mask, u) => patternsOf(u, mask)), ...[...allows].flatMap((i) => excess[i] ?? [])]
    const narrowed = compiled.filter((_, i) => isSatisfied[i] && !allows.has(i)).map((route) => route.key)
    // This very request, by its exact ARN (never one holding an IAM wildcard character). Allowing
    // it alone is right when the event named its route, or else when every listed route whose
    // template matches this path is allowed (whichever of them the gateway picks).
    const currentAllowed = current !== undefined && isSatisfied[current] === true
    const exactSafe =
      currentAllowed &&
      !hasWildcard(currentTail) &&
      (routeNamed || compiled.every((route, i) => isSatisfied[i] || inert(i) || !route.languages.some((language) => intersects(currentTail, language))))
    if (!currentAllowed && !hasWildcard(currentTail)) deny.push(currentTail)
    if (exactSafe && current !== undefined && !allows.has(current)) allow.push(currentTail)
    const result = { allow: [...new Set(allow)].sort(), deny: [...new Set(deny)].sort(), narrowed }
    return { ...result, allowed: evaluate(result, currentTail), exactSafe }
  }

  const byKey = new Map(keys.map((key, i) => [key, i]))
  const lookupKey: CompiledRoutes['lookupKey'] = (routeKey) => {
    const exact = byKey.get(routeKey)
    if (exact !== undefined || routeKey.startsWith('$')) return exact
    return byKey.get(`ANY ${routeKey.slice(routeKey.indexOf(' ') + 1)}`)
  }

  // Route keys come from the gateway's configuration: few, and each computed once.
  const under = new Map<string, readonly number[]>()
  const entriesUnder: CompiledRoutes['entriesUnder'] = (routeKey) => {
    const known = under.get(routeKey)
    if (known) return known
    let entries: number[]
    if (routeKey === '$default') {
      entries = compiled.flatMap((route, i) => (route.key.startsWith('$') ? [] : [i]))
    } else {
      const parsed = parseRouteKey(routeKey)
      // Not a route key this map could name: every entry may be under it.
      const patterns =
        parsed?.special === undefined && parsed !== undefined
          ? (parsed.method === 'ANY' ? httpMethods : [parsed.method]).map((method) => patternOf(method, segmentsOf(parsed.segments)))
          : ['*']
      entries = compiled.flatMap((route, i) =>
        route.key !== routeKey && route.languages.some((language) => patterns.some((pattern) => intersects(pattern, language))) ? [i] : [],
      )
    }
    if (under.size < 100) under.set(routeKey, entries)
    return entries
  }

  return { lookup: (event) => lookup(event), lookupKey, entriesUnder, satisfied, plan }
}

/** An explicit Deny wins; then an Allow; otherwise nothing allows it. */
export const evaluate = ({ allow, deny }: { allow: readonly string[]; deny: readonly string[] }, tail: string): boolean =>
  !deny.some((pattern) => matchesWildcard(pattern, tail)) && allow.some((pattern) => matchesWildcard(pattern, tail))
