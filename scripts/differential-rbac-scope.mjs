#!/usr/bin/env node
// Differential check of @middy-auth/rbac and @middy-auth/oauth-scope: this checkout's dist/
// against another checkout's (the code before a change), over generated configurations and
// requests. (An extension that only one side has, for an option the other side's lean entry
// took without one, is added to that side's list where the option is used: see withMovedCode.) Both sides get the same inputs (built twice from the same seed), and every
// observable outcome is compared:
//   - the factory (root entry, lean entry with and without extensions, compilePolicy()): built,
//     or the error's class, message and cause;
//   - each request through the middleware's before(): passed or refused, synchronously or
//     through a Promise, the error's class, status, code, reason, detail, message, headers and
//     cause; context.auth afterwards (JSON, and whether it is the object given); request.internal
//     (its symbol-keyed notes); every onDecision record (JSON, key order included); explain(),
//     can() and core's permission check on the request's auth afterwards;
//   - compilePolicy(policy).check(roles, permission, when) and its roles and conditionNames.
// Configuration messages may legitimately differ after a change that shortens them: pass
// --messages=<file.json> with a list of [old, new] pairs the change made on purpose, and
// every other difference is reported.
//
//   npx tsc -b && node scripts/differential-rbac-scope.mjs <other checkout> [--cases N] [--seed N] [--messages file]
//
// Exits 1 on the first differences (up to 20 printed), 0 when every case agrees.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const otherRoot = args[0]
if (!otherRoot || otherRoot.startsWith('--')) {
  console.error('usage: node scripts/differential-rbac-scope.mjs <other checkout, built> [--cases N] [--seed N] [--messages file.json]')
  process.exit(2)
}
const CASES = Number(flag('cases', '4000'))
const SEED = Number(flag('seed', '1'))
const messagePairs = flag('messages') ? JSON.parse(readFileSync(flag('messages'), 'utf8')) : []

const here = resolve(import.meta.dirname, '..')
const load = async (root) => {
  const at = (path) => import(pathToFileURL(resolve(root, path)).href)
  const [rbacRoot, rbacLean, rbacExt, scopeRoot, scopeLean, scopeExt, coreInternal] = await Promise.all([
    at('packages/rbac/dist/index.js'),
    at('packages/rbac/dist/lean.js'),
    at('packages/rbac/dist/extensions.js'),
    at('packages/oauth-scope/dist/index.js'),
    at('packages/oauth-scope/dist/lean.js'),
    at('packages/oauth-scope/dist/extensions.js'),
    at('packages/core/dist/internal.js'),
  ])
  return { rbacRoot, rbacLean, rbacExt, scopeRoot, scopeLean, scopeExt, coreInternal }
}
const sides = { old: await load(resolve(otherRoot)), new: await load(here) }
const { httpApiEvent } = await import(pathToFileURL(resolve(here, 'packages/testing/dist/index.js')).href)

// ---------------------------------------------------------------------------------------------
// Deterministic choices: mulberry32.
const prng = (seed) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n) => Math.floor(next() * n)
  const pick = (list) => list[int(list.length)]
  const chance = (p) => next() < p
  const some = (list, max) => Array.from({ length: int(max + 1) }, () => pick(list))
  // A third of the cases have mistakes in them (each mistake at its own rate); the others none,
  // so that most configurations build and their requests are compared too.
  const mistakes = chance(0.35)
  const bad = (p) => mistakes && chance(p)
  return { next, int, pick, chance, some, bad }
}

/** A list with a hole at index 0 (JavaScript's `[, ...rest]`). */
const withHole = (rest) => {
  const list = [undefined, ...rest]
  delete list[0]
  return list
}

/**
 * A side whose lean entry moved the code of an option into a new extension (rbac's roleMaps,
 * oauth-scope's scopeClaims) gets that extension added to the list whenever the option is
 * given, so that both sides are compared on what the option does; the new refusal without it is
 * the suites' to test. A list that is not one (a mistake) is left as it is.
 */
const withMovedCode = (extensionsModule, extensions, used) => {
  const moved = Object.entries(used)
    .filter(([name, value]) => value !== undefined && extensionsModule[name] !== undefined)
    .map(([name]) => extensionsModule[name])
  if (moved.length === 0 || (extensions !== undefined && !Array.isArray(extensions))) return extensions
  return [...(extensions ?? []), ...moved]
}

// ---------------------------------------------------------------------------------------------
// rbac: generated policies, options and requests.
const roleNames = ['viewer', 'editor', 'admin', 'ops', 'r1', 'r2']
const badRoleNames = ['content editor', '', 'a\nb', 'tab\there']
const permissions = ['a:read', 'a:write', 'a:delete', 'a:*', '*:read', '*', '*:*', 'b:read', 'b:write', 'b:*', 'c:x']
const badPermissions = ['a', 'a:', ':read', 'a:b:c', 'a :b', 'ar*:b', '**', '', 5, null, ['a:read']]
const conditionNames = ['c1', 'c2', 'c3', 'c4']
const concrete = ['a:read', 'a:write', 'a:delete', 'b:read', 'b:write', 'c:x', 'd:y']

const genPermissionEntry = (r, allowConditional) => {
  if (r.bad(0.08)) return r.pick(badPermissions)
  if (allowConditional && r.chance(0.06)) {
    const entry = { permission: r.bad(0.1) ? r.pick(badPermissions) : r.pick(permissions), when: r.bad(0.1) ? r.pick(['', 5]) : r.pick(conditionNames) }
    if (r.bad(0.05)) entry.unless = 'x'
    if (r.bad(0.04)) delete entry.when
    return entry
  }
  return r.pick(permissions)
}

const genList = (r, item) => {
  if (r.bad(0.04)) return r.pick(['a:read', 5, { a: 1 }])
  const list = Array.from({ length: r.int(4) }, item)
  return r.bad(0.04) ? withHole(list) : list
}

const genPolicy = (r) => {
  if (r.bad(0.03)) return r.pick(['admin', null, [], 5])
  if (r.bad(0.03)) return { roles: {}, version: 1 }
  if (r.bad(0.03)) return { roles: r.pick([[], 'x', null]) }
  const roles = {}
  const count = r.bad(0.03) ? 0 : 1 + r.int(5)
  // Distinct names; a role inherits only roles defined before it (no cycle), but in mistakes.
  const names = roleNames.slice(r.int(2), roleNames.length).slice(0, count)
  names.forEach((listed, i) => {
    const name = r.bad(0.04) ? r.pick(badRoleNames) : listed
    if (r.bad(0.04)) {
      roles[name] = r.pick([['a:read'], 'x', null, 5])
      return
    }
    const definition = {}
    if (i > 0 && r.chance(0.5)) {
      definition.inherits = genList(r, () => (r.bad(0.05) ? r.pick([5, null]) : r.bad(0.08) ? r.pick(['ghost', listed, ...names]) : names[r.int(i)]))
    }
    if (r.chance(0.85)) definition.allow = genList(r, () => genPermissionEntry(r, true))
    if (r.chance(0.35)) definition.deny = genList(r, () => genPermissionEntry(r, r.bad(0.1)))
    if (r.bad(0.03)) definition.allows = ['a:read']
    roles[name] = definition
  })
  return { roles }
}

const requirementPool = (r) => {
  if (r.bad(0.15)) {
    return r.pick([
      { anyOf: [] },
      { allOf: ['a:read'] },
      { anyOf: ['a:read'], extra: 1 },
      { anyOf: 'a:read' },
      'a:*',
      '*',
      '*:read',
      ['a:read', 'b:*'],
      'a',
      5,
      null,
      ['a:read', 5],
      withHole(['a:read']),
    ])
  }
  const k = r.int(100)
  if (k < 40) return r.pick(concrete)
  if (k < 65) return r.some(concrete, 3)
  return { anyOf: r.chance(0.95) ? r.some(concrete, 3).concat(r.pick(concrete)) : [r.pick(concrete)] }
}

/** A requirement function: what it returns depends only on the event's x-k header. */
const requirementFunction = (variant) => {
  const answers = ['a:read', ['a:read', 'b:read'], { anyOf: ['a:write', 'b:write'] }, 'a:*', 5, { anyOf: [] }, [], 'c:x']
  return (request) => {
    const k = Number(request.event.headers?.['x-k'] ?? 0)
    if (variant === 1 && k % 5 === 4) {
      const error = new Error('not found')
      error.statusCode = 404
      throw error
    }
    const answer = answers[k % answers.length]
    return variant === 2 ? Promise.resolve(answer) : answer
  }
}

const routeKeys = ['GET /a', 'POST /a', 'DELETE /a/{id}', 'GET /b', 'ANY /c/{proxy+}', '$default']
const genRoutes = (r, value) => {
  if (r.bad(0.05)) return r.pick([['GET /a'], {}, { '/a': 'a:read' }])
  const routes = {}
  for (let i = 0, n = 1 + r.int(3); i < n; i++) routes[r.pick(routeKeys)] = value()
  return routes
}

/** The rbac options of one case, for one side (`s`): the same choices on both sides. */
const genRbacOptions = (r, s, log) => {
  const options = {}
  const policy = genPolicy(r)
  const compiled = r.chance(0.1)
  options.policy = policy
  const usesRoutes = r.chance(0.2)
  if (usesRoutes) {
    options.routes = genRoutes(r, () => (r.chance(0.15) ? requirementFunction(r.int(3)) : requirementPool(r)))
    if (r.chance(0.4)) options.routesDefault = requirementPool(r)
    if (r.bad(0.05)) options.required = 'a:read'
  } else if (r.bad(0.05)) {
    // neither required nor routes
  } else {
    options.required = r.chance(0.2) ? requirementFunction(r.int(3)) : requirementPool(r)
    if (r.bad(0.04)) options.routesDefault = 'a:read'
  }
  const rolesKind = r.int(100)
  if (rolesKind < 25) options.rolesFrom = 'groups'
  else if (rolesKind < 35) options.rolesFrom = ['groups', 'more.roles']
  else if (rolesKind < 45) options.rolesFrom = (auth) => auth.claims.fnRoles
  else if (rolesKind < 50) options.rolesFrom = s.rbacRoot.cognitoRoles()
  else if (rolesKind < 51) options.rolesFrom = s.rbacRoot.cognitoRoles
  else if (rolesKind < 52) options.rolesFrom = r.pick([[], '', 5, ['groups', 5], withHole(['groups'])])
  else if (rolesKind < 54)
    options.rolesFrom = () => {
      throw new Error('no roles here')
    }
  if (r.chance(0.2)) {
    const policyRoles = Object.keys(policy?.roles ?? {}).concat('viewer')
    if (!r.bad(0.3)) options.roleMap = { G1: r.pick(policyRoles), G2: r.some(policyRoles, 2), G3: [r.pick(policyRoles), r.pick(policyRoles)] }
    else options.roleMap = r.pick([[['a', 'viewer']], { G: 'ghost' }, { G: ['viewer', 'ghost'] }, { G: 1 }, { G: ['viewer', 2] }, 'x'])
  }
  if (r.chance(0.3)) {
    const answers = {
      c1: ({ auth, resource }) => resource?.owner === auth.subject,
      c2: () => true,
      c3: () => {
        throw new Error('condition failed')
      },
      c4: () => Promise.resolve(true),
    }
    const conditions = {}
    for (const name of conditionNames) if (r.chance(0.8)) conditions[name] = answers[name]
    if (r.bad(0.05)) conditions.c2 = true
    options.conditions = r.bad(0.05) ? [answers.c1] : conditions
  }
  if (r.chance(0.2)) {
    options.resource = !r.bad(0.1)
      ? async (request) => {
          const owner = request.event.headers?.['x-owner']
          if (owner === 'boom') throw new Error('resource failed')
          return { owner }
        }
      : 'resource'
  }
  if (r.chance(0.5)) {
    const variant = r.int(10)
    options.onDecision =
      variant === 0
        ? 'log'
        : variant === 1
          ? async (decision) => {
              log.push(JSON.stringify(decision))
            }
          : variant === 2
            ? (decision) => {
                log.push(JSON.stringify(decision))
                if (decision.decision === 'allow' && decision.checks.length > 1) throw new Error('audit failed')
              }
            : (decision) => void log.push(JSON.stringify(decision))
  }
  if (r.chance(0.05)) options.realm = r.bad(0.5) ? r.pick(['a"b', 5]) : 'orders'
  if (r.bad(0.04)) options[r.pick(['requires', 'require', 'roles'])] = 'a:read'
  if (r.bad(0.02)) return { options: r.pick([undefined, 'x', null]), compiled: false, entry: 'root' }
  // Which entry, and which extensions (names, mapped to each side's objects).
  const entry = r.pick(['root', 'lean', 'lean', 'compiled-lean'])
  let extensions
  if (entry !== 'root' || r.chance(0.2)) {
    const names = ['routeMaps', 'apiGatewayClaims', 'conditions'].filter(() => r.chance(0.8))
    if (r.chance(0.9) || entry === 'root') extensions = names.map((name) => s.rbacExt[name])
    if (r.bad(0.04)) extensions = r.pick(['x', [{}], [{ package: '@middy-auth/rbac', name: 'routeMaps' }], [s.scopeExt.routeMaps]])
  }
  extensions = withMovedCode(s.rbacExt, extensions, { roleMaps: options.roleMap })
  if (extensions !== undefined) options.extensions = extensions
  return { options, compiled: compiled || entry === 'compiled-lean', entry }
}

/** One identity (or none), and one event, for a request; `s` is unused: the same on both sides. */
const genRequest = (r) => {
  const k = r.int(100)
  const headers = { 'x-k': String(r.int(10)), 'x-owner': r.pick(['alice', 'bob', 'boom', undefined]) }
  if (headers['x-owner'] === undefined) delete headers['x-owner']
  const routeKey = r.pick(routeKeys)
  const path = routeKey.includes(' ') ? routeKey.split(' ')[1].replace('{id}', '7').replace('{proxy+}', 'x/y') : '/z'
  const method = routeKey.includes(' ') ? routeKey.split(' ')[0].replace('ANY', 'PUT') : 'GET'
  const gateway = r.chance(0.2)
  const claims = { groups: r.some(['G1', 'G2', 'G3', ...roleNames, 'nobody'], 3), more: { roles: r.pick(['r1 r2', ['admin'], 5, undefined]) } }
  if (r.chance(0.1)) claims.groups = r.pick(['viewer editor', 'viewer,editor', 7, '["viewer"]'])
  claims['cognito:groups'] = r.some(roleNames, 2)
  claims.fnRoles = r.pick([r.some(roleNames, 3), 'viewer', 5, undefined])
  claims.scope = r.pick(['s1 s2', 's1', '', 'orders:read s3', undefined])
  claims.scp = r.pick([['s2', 's3'], 's4', undefined, 5])
  const event = httpApiEvent({
    routeKey,
    method,
    path,
    headers,
    ...(gateway
      ? {
          authorizer: {
            jwt: { claims: { sub: 'gw-user', 'cognito:groups': '[viewer editor]', scope: 's1 orders:read' }, scopes: r.pick([['s1', 's2'], null]) },
          },
        }
      : {}),
  })
  let auth
  if (k < 85) {
    auth = {
      source: 'jwt',
      subject: r.pick(['alice', 'bob']),
      scopes: r.chance(0.95) ? r.some(['s1', 's2', 's3', 'orders:read'], 3) : 'not a list',
      roles: r.chance(0.95) ? r.some([...roleNames, 'nobody'], 3) : 'viewer',
      claims,
    }
    if (r.chance(0.05)) auth.permissions = ['x:y']
    const frozen = r.int(20)
    if (frozen === 0) Object.freeze(auth)
    else if (frozen === 1) Object.defineProperty(auth, 'roles', { value: auth.roles, writable: false, enumerable: true })
    else if (frozen === 2) Object.defineProperty(auth, 'permissions', { get: () => [], enumerable: false, configurable: true })
  }
  return { event, auth }
}

// ---------------------------------------------------------------------------------------------
// Observing outcomes.
const errorOf = (error) => {
  if (!(error instanceof Error)) return { thrown: String(error) }
  return {
    class: error.constructor.name,
    name: error.name,
    message: error.message,
    statusCode: error.statusCode,
    code: error.code,
    reason: error.reason,
    detail: error.detail,
    expose: error.expose,
    headers: error.headers,
    cause: error.cause === undefined ? undefined : JSON.stringify(error.cause),
  }
}

const internalOf = (internal) =>
  Object.getOwnPropertySymbols(internal)
    .map((key) => `${String(key)}=${JSON.stringify(internal[key])}`)
    .concat(Object.keys(internal).map((key) => `${key}:${typeof internal[key]}`))
    .sort()

const runBefore = async (middleware, request) => {
  let returned
  try {
    returned = middleware.before(request)
  } catch (error) {
    return { passed: false, how: 'sync throw', error: errorOf(error) }
  }
  const how = returned instanceof Promise ? 'promise' : 'sync'
  try {
    await returned
    return { passed: true, how }
  } catch (error) {
    return { passed: false, how, error: errorOf(error) }
  }
}

const build = (make) => {
  try {
    return { middleware: make() }
  } catch (error) {
    return { error: errorOf(error) }
  }
}

const safe = (f) => {
  try {
    return f()
  } catch (error) {
    return { error: errorOf(error) }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing.
const differences = []
let compared = 0
const counts = {}
const count = (name) => (counts[name] = (counts[name] ?? 0) + 1)

/** Messages of configuration errors may differ as listed in --messages, and only so. */
const sameMessage = (a, b) => a === b || messagePairs.some(([from, to]) => a?.replace(from, to) === b)

const compare = (label, a, b) => {
  compared++
  const normalise = (value) => JSON.stringify(value, (key, v) => (v === undefined ? '<undefined>' : typeof v === 'function' ? '<function>' : v))
  if (normalise(a) === normalise(b)) return
  if (a?.message !== undefined && b?.message !== undefined && a.message !== b.message && sameMessage(a.message, b.message)) {
    if (normalise({ ...a, message: b.message }) === normalise(b)) return count('message changed as listed')
  }
  if (differences.length < 20) differences.push({ label, old: a, new: b })
  else differences.push(null)
}

// ---------------------------------------------------------------------------------------------
// The rbac cases.
const rbacFactory = (s, entry) => (entry === 'root' ? s.rbacRoot.default : s.rbacLean.default)

const rbacCase = async (seed) => {
  const observed = {}
  for (const [name, s] of Object.entries(sides)) {
    const r = prng(seed)
    const log = []
    const { options, compiled, entry } = genRbacOptions(r, s, log)
    const o = { factory: undefined, requests: [], compile: undefined, checks: [] }
    // compilePolicy() of the generated policy, then some checks of it.
    const policyData = options?.policy
    const compiledPolicy = safe(() => s.rbacRoot.compilePolicy(policyData))
    o.compile = compiledPolicy.error ?? { roles: compiledPolicy.roles, conditionNames: compiledPolicy.conditionNames }
    if (!compiledPolicy.error) {
      for (let i = 0; i < 6; i++) {
        const roles = r.some([...roleNames, 'nobody', 5], 3)
        const permission = r.chance(0.9) ? r.pick(concrete) : r.pick(['a:*', 'bad', 5])
        const when = r.chance(0.5) ? (name) => name === 'c2' || name === 'c1' : r.chance(0.5) ? undefined : () => 'yes'
        o.checks.push(safe(() => compiledPolicy.check(roles, permission, when)))
      }
    }
    const given = compiled && options && !compiledPolicy.error ? { ...options, policy: compiledPolicy } : options
    const built = build(() => rbacFactory(s, entry === 'compiled-lean' ? 'lean' : entry)(given))
    o.factory = built.error ?? 'built'
    if (built.middleware) {
      for (let i = 0; i < 6; i++) {
        const { event, auth } = genRequest(r)
        const context = auth === undefined ? {} : { auth }
        const request = { event, context, internal: {} }
        const outcome = await runBefore(built.middleware, request)
        const after = request.context.auth
        const view = {
          outcome,
          auth: after === undefined ? undefined : JSON.stringify(after),
          sameAuth: after === auth,
          internal: internalOf(request.internal),
          decisions: log.splice(0),
        }
        if (after !== undefined && outcome.passed) {
          const holds = s.coreInternal.attachedPermissionCheck(after)
          view.handler = concrete.concat(['a:*', 'bad']).map((permission) => ({
            explain: safe(() => s.rbacRoot.explain(after, permission, { owner: 'alice' })),
            can: safe(() => s.rbacRoot.can(after, permission)),
            holds: holds === undefined ? 'none' : safe(() => holds(permission)),
          }))
          view.decisionsAfter = log.splice(0)
        }
        o.requests.push(view)
      }
    }
    observed[name] = o
  }
  const { old: a, new: b } = observed
  compare(`rbac case ${seed}: compilePolicy`, a.compile, b.compile)
  compare(`rbac case ${seed}: compilePolicy().check`, a.checks, b.checks)
  compare(`rbac case ${seed}: factory`, a.factory, b.factory)
  count(
    a.factory === 'built'
      ? 'rbac: built'
      : `rbac: refused at cold start${process.env.DIFF_VERBOSE ? `: ${a.factory.message?.replace(/\[.*?\]|"[^"]*"/g, '…').slice(0, 70)}` : ''}`,
  )
  a.requests.forEach((request, i) => {
    compare(`rbac case ${seed}: request ${i}`, request, b.requests[i])
    count(`rbac request: ${request.outcome.passed ? 'passed' : (request.outcome.error?.code ?? request.outcome.error?.message)} (${request.outcome.how})`)
  })
  if (a.requests.length !== b.requests.length) compare(`rbac case ${seed}: request count`, a.requests.length, b.requests.length)
}

// ---------------------------------------------------------------------------------------------
// oauth-scope: generated options and requests.
const scopes = ['s1', 's2', 's3', 'orders:read', 'orders/write']
const badScopes = ['a b', '', 5, 'é', 'a"b']

const genScopeList = (r) => {
  if (r.bad(0.05)) return r.pick(['s1', 's1 s2', 5, null])
  if (r.bad(0.05)) return []
  const list = Array.from({ length: 1 + r.int(3) }, () => (r.bad(0.06) ? r.pick(badScopes) : r.pick(scopes)))
  return r.bad(0.04) ? withHole(list) : list
}

const genScopeRequirement = (r) => {
  const k = r.int(100)
  if (k < 40) return genScopeList(r)
  if (k < 60) return { required: genScopeList(r) }
  if (k < 80) return { anyOf: genScopeList(r) }
  if (!r.bad(0.5)) return { required: genScopeList(r), anyOf: genScopeList(r) }
  return r.pick([{}, { scopes: ['s1'] }, 's1', 5, { required: ['s1'], require: ['s2'] }])
}

const genScopeOptions = (r, s) => {
  const options = {}
  const k = r.int(100)
  if (k < 25) options.routes = genRoutes(r, () => genScopeRequirement(r))
  if (k >= 20 && k < 70) options.required = genScopeList(r)
  if (k >= 50 && k < 90) options.anyOf = genScopeList(r)
  if (r.chance(0.15)) options.routesDefault = genScopeRequirement(r)
  if (r.chance(0.15)) options.scopeClaims = r.bad(0.4) ? r.pick([[], '', [5], withHole(['scp'])]) : r.pick(['scp', ['scope', 'scp'], 'scope'])
  if (r.chance(0.05)) options.realm = r.bad(0.5) ? r.pick(['a"b', 5]) : 'orders'
  if (r.chance(0.1))
    options.resourceMetadata = r.pick([
      'https://api.example.com/.well-known/oauth-protected-resource',
      'http://api.example.com/x',
      'http://127.0.0.1:3000/x',
      'not a url',
      5,
    ])
  if (r.bad(0.04)) options[r.pick(['require', 'scope', 'allOf'])] = ['s1']
  if (r.bad(0.02)) return { options: r.pick([undefined, 'x', null]), entry: 'root' }
  const entry = r.pick(['root', 'lean'])
  if (entry === 'lean' || r.chance(0.2)) {
    const names = ['routeMaps', 'apiGatewayClaims'].filter(() => r.chance(0.6))
    if (r.chance(0.9)) options.extensions = names.map((name) => s.scopeExt[name])
    if (r.bad(0.04)) options.extensions = r.pick(['x', [{}], [s.rbacExt.routeMaps], [{ package: '@middy-auth/oauth-scope', name: 'routeMaps' }]])
  }
  const extensions = withMovedCode(s.scopeExt, options.extensions, { scopeClaims: options.scopeClaims })
  if (extensions !== undefined) options.extensions = extensions
  return { options, entry }
}

const scopeCase = async (seed) => {
  const observed = {}
  for (const [name, s] of Object.entries(sides)) {
    const r = prng(seed)
    const { options, entry } = genScopeOptions(r, s)
    const built = build(() => (entry === 'root' ? s.scopeRoot.default : s.scopeLean.default)(options))
    const o = { factory: built.error ?? 'built', requests: [] }
    if (built.middleware) {
      for (let i = 0; i < 6; i++) {
        const { event, auth } = genRequest(r)
        const request = { event, context: auth === undefined ? {} : { auth }, internal: {} }
        const outcome = await runBefore(built.middleware, request)
        o.requests.push({
          outcome,
          auth: JSON.stringify(request.context.auth),
          sameAuth: request.context.auth === auth,
          internal: internalOf(request.internal),
        })
      }
    }
    observed[name] = o
  }
  const { old: a, new: b } = observed
  compare(`oauth-scope case ${seed}: factory`, a.factory, b.factory)
  count(a.factory === 'built' ? 'oauth-scope: built' : 'oauth-scope: refused at cold start')
  a.requests.forEach((request, i) => {
    compare(`oauth-scope case ${seed}: request ${i}`, request, b.requests[i])
    count(`oauth-scope request: ${request.outcome.passed ? 'passed' : (request.outcome.error?.code ?? request.outcome.error?.message)}`)
  })
  if (a.requests.length !== b.requests.length) compare(`oauth-scope case ${seed}: request count`, a.requests.length, b.requests.length)
}

// ---------------------------------------------------------------------------------------------
// Route maps warn (console.warn) about gateway routes their keys do not name: silenced here.
console.warn = () => undefined
const started = Date.now()
for (let i = 0; i < CASES; i++) {
  await rbacCase(SEED * 1_000_003 + i)
  await scopeCase(SEED * 1_000_003 + i + 7_777_777)
}
const shown = differences.filter(Boolean)
for (const difference of shown) console.log(JSON.stringify(difference, null, 2))
console.log(
  `\n${CASES} rbac cases and ${CASES} oauth-scope cases (seed ${SEED}), ${compared} comparisons in ${((Date.now() - started) / 1000).toFixed(1)} s; ${differences.length} differences`,
)
for (const [name, n] of Object.entries(counts).sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(7)}  ${name}`)
process.exit(differences.length === 0 ? 0 : 1)
