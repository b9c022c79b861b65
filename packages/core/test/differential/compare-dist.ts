// Differential check of two builds of @middy-auth/core: imports the compiled core of a reference
// checkout and of this one, runs both over the same generated inputs, and reports every output
// that differs. For changes meant to keep behaviour (issue #13's byte work): AuthError codes,
// statuses, headers, bodies and causes; challenges; event readers and token sources over every
// fixture of test/fixtures/aws-events with mutated headers, cookies and query strings; the option
// checks with bad options. Configuration messages may be reworded: a difference only in a
// TypeError's message is listed apart, once per distinct pair, for review.
//
//   npx tsc -b && node_modules/.bin/node packages/core/test/differential/compare-dist.ts <reference core dist> [<core dist>]
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { pathToFileURL } from 'node:url'
import type * as Index from '../../src/index.js'
import type * as Internal from '../../src/internal.js'

type Core = typeof Index & typeof Internal

const [referenceDir, currentDir = new URL('../../dist/', import.meta.url).pathname] = process.argv.slice(2)
if (referenceDir === undefined) throw new Error('usage: compare-dist.ts <reference core dist> [<core dist>]')

const load = async (dir: string): Promise<Core> => {
  const at = (file: string) => pathToFileURL(resolve(dir, file)).href
  return { ...((await import(at('index.js'))) as typeof Index), ...((await import(at('internal.js'))) as typeof Internal) }
}
const reference = await load(referenceDir)
const current = await load(currentDir)

/** Everything observable of a value: own keys in order (symbols included), prototypes' names, errors' fields. */
const observe = (value: unknown, seen = new Set<unknown>()): unknown => {
  if (typeof value === 'function') return { function: value.name, length: value.length }
  if (typeof value === 'symbol') return { symbol: value.description, registered: Symbol.keyFor(value) }
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) return '[circular]'
  seen.add(value)
  const keys = Reflect.ownKeys(value)
  const fields = keys.map((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!
    return [typeof key === 'symbol' ? `@@${String(key.description)}` : key, observe(descriptor.value, seen), descriptor.enumerable, descriptor.writable]
  })
  const prototype: unknown = Object.getPrototypeOf(value)
  const kind = prototype === null ? 'null' : ((prototype as { constructor?: { name?: string } }).constructor?.name ?? '?')
  const extra =
    value instanceof Error
      ? { message: value.message, name: value.name, isError: true }
      : value instanceof Map || value instanceof Set
        ? [...value.entries()].map((entry) => observe(entry, seen))
        : undefined
  return { kind, frozen: Object.isFrozen(value), fields, extra }
}

type Outcome = { returned: unknown } | { threw: string; message: string; cause: unknown }

const outcome = (run: () => unknown): Outcome => {
  try {
    return { returned: observe(run()) }
  } catch (error) {
    const thrown = error as Error
    return { threw: thrown.constructor.name, message: String(thrown.message), cause: observe(thrown.cause) }
  }
}

let cases = 0
const differences: string[] = []
const messageChanges = new Map<string, number>()
const countsByArea = new Map<string, number>()

/** Runs one case against both builds. */
const check = (area: string, label: string, run: (core: Core) => unknown): void => {
  cases++
  countsByArea.set(area, (countsByArea.get(area) ?? 0) + 1)
  const before = outcome(() => run(reference))
  const after = outcome(() => run(current))
  if (isDeepStrictEqual(before, after)) return
  if ('threw' in before && 'threw' in after && before.threw === 'TypeError' && after.threw === 'TypeError' && isDeepStrictEqual(before.cause, after.cause)) {
    const pair = `${before.message}\n  → ${after.message}`
    messageChanges.set(pair, (messageChanges.get(pair) ?? 0) + 1)
    return
  }
  if (differences.length < 50) differences.push(`${area}: ${label}\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`)
  else differences.push('')
}

// A seeded generator: the same cases on every run.
let seed = 0x2545f491
const random = (): number => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 2 ** 32
}
/** A list whose first item is a hole (JavaScript's `[, 'a']`). */
const hole = (items: unknown[]): unknown[] => {
  const list: unknown[] = []
  list.length = 1
  list.push(...items)
  return list
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!

// ---------------------------------------------------------------------------------------------
// AuthError: every code and every option, one by one and in random combinations.
const codes = [
  'missing_token',
  'missing_credentials',
  'invalid_request',
  'invalid_token',
  'insufficient_scope',
  'access_denied',
  'temporarily_unavailable',
  'login_required',
  'invalid_dpop_proof',
  'use_dpop_nonce',
]
const badCodes: unknown[] = ['', 'nope', 'toString', '__proto__', 'hasOwnProperty', 'constructor', 'INVALID_TOKEN', undefined, null, 42]
const optionValues: Record<string, unknown[]> = {
  package: [undefined, '@middy-auth/jwt-verify', '', null],
  reason: [undefined, 'exp', '', 5, null],
  detail: [undefined, 'expired 3s ago', '', {}],
  data: [undefined, null, 'text', 0, { reason: 'from-data', detail: 7 }, { reason: 'r2', extra: [1] }, [1, 2], { a: 1 }],
  realm: [undefined, 'orders', 'a"b\\c\r\nd', '', 'é', null],
  description: [undefined, null, 'The access token expired', '', 'quote " and \\ and é'],
  scope: [undefined, [], ['orders:read', 'orders:admin'], [''], ['"', 'a b', 'ok'], ['x"y']],
  retryAfter: [undefined, 0, 7, null, 1.5, 'soon'],
  dpop: [
    undefined,
    { algs: [] },
    { algs: ['ES256', 'EdDSA'] },
    { algs: ['ES256', 'bad"alg', ''] },
    { algs: ['ES256'], nonce: 'eyJ7S_zG.yH0-xp' },
    { algs: ['ES256'], nonce: 'bad nonce' },
    { algs: ['ES256'], nonce: '' },
    { algs: ['ES256'], nonce: 'q"uote' },
    { nonce: 'n' },
  ],
  resourceMetadata: [undefined, 'https://api.example.com/.well-known/oauth-protected-resource', 'https://a/"x', '', 'https://a b'],
}
const optionNames = Object.keys(optionValues)
const newError = (core: Core, code: unknown, options?: unknown) =>
  options === 'none' ? new core.AuthError(code as Index.AuthErrorCode) : new core.AuthError(code as Index.AuthErrorCode, options as Index.AuthErrorOptions)

for (const code of [...codes, ...badCodes]) {
  check('AuthError', `${String(code)} without options`, (core) => newError(core, code, 'none'))
  check('AuthError', `${String(code)} {}`, (core) => newError(core, code, {}))
  check('AuthError', `${String(code)} undefined`, (core) => newError(core, code, undefined))
  for (const name of optionNames) {
    for (const value of optionValues[name]!)
      check('AuthError', `${String(code)} ${name}=${JSON.stringify(value)}`, (core) => newError(core, code, { [name]: value }))
  }
}
for (let i = 0; i < 20_000; i++) {
  const code = random() < 0.97 ? pick(codes) : pick(badCodes)
  const options: Record<string, unknown> = {}
  for (const name of optionNames) if (random() < 0.5) options[name] = pick(optionValues[name]!)
  check('AuthError', `${String(code)} ${JSON.stringify(options)}`, (core) => {
    const error = newError(core, code, options)
    return { error, isAuthError: core.isAuthError(error), json: JSON.stringify(error), string: String(error) }
  })
}
const forbiddenArgs: Array<[string?, string?]> = [[], ['not_owner'], ['not_owner', 'only the owner'], [undefined, 'detail'], ['', '']]
for (const args of forbiddenArgs) {
  check('AuthError', `forbidden(${JSON.stringify(args)})`, (core) => core.forbidden(...args))
}
for (const value of [new Error('x'), { name: 'AuthError', code: 'x' }, Object.assign(new Error('x'), { name: 'AuthError', code: 'c' }), null, 'AuthError']) {
  check('AuthError', `isAuthError(${String(value)})`, (core) => core.isAuthError(value))
}

// ---------------------------------------------------------------------------------------------
// Challenges and the values sent in them.
const texts = [
  '',
  ' ',
  'api',
  'my api',
  'a"b',
  'a\\b',
  'é',
  '\t',
  'x\r\ny',
  '~',
  'eyJ7S_zG.yH0-xp',
  'https://api.example.com/m',
  'http://127.0.0.1:3000/m',
  'http://localhost/m',
  'http://[::1]/m',
  'http://example.com/m',
  'https://a/#f',
  'ftp://a/b',
  'https://a/"b',
  'https://a b/',
  'relative/path',
]
for (const text of texts) {
  check('challenge', `isChallengeSafe ${text}`, (core) => core.isChallengeSafe(text))
  check('challenge', `isDpopNonceSafe ${text}`, (core) => core.isDpopNonceSafe(text))
  check('challenge', `resourceMetadataProblem ${text}`, (core) => core.resourceMetadataProblem(text))
}
for (const value of [undefined, null, 5, {}, ['https://a/']])
  check('challenge', `resourceMetadataProblem ${String(value)}`, (core) => core.resourceMetadataProblem(value))
for (let i = 0; i < 3000; i++) {
  const challenge = {
    realm: pick(texts),
    error: pick([undefined, ...texts]),
    errorDescription: pick([undefined, ...texts]),
    scope: pick([undefined, [], [pick(texts)], [pick(texts), pick(texts)]]),
    resourceMetadata: pick([undefined, ...texts]),
  }
  check('challenge', `bearerChallenge ${JSON.stringify(challenge)}`, (core) => core.bearerChallenge(challenge as Internal.BearerChallenge))
  const dpop = { algs: pick([undefined, [], [pick(texts)], [pick(texts), pick(texts)]]), error: pick([undefined, ...texts]) }
  check('challenge', `dpopChallenge ${JSON.stringify(dpop)}`, (core) => core.dpopChallenge(dpop as Internal.DpopChallenge))
}

// ---------------------------------------------------------------------------------------------
// Event readers and token sources over every fixture, as it is and with mutated credentials.
const fixturesDir = new URL('../../../../test/fixtures/aws-events/', import.meta.url)
const fixtures = readdirSync(fixturesDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as Record<string, unknown>] as const)

const credentialValues: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'Bearer',
  'Bearer ',
  'bearer eyJ.a.b',
  'Bearer eyJ.a.b',
  'BEARER  eyJ.a.b  ',
  '\tBearer\teyJ.a.b\t',
  'Bearer a b',
  'Bearer a,b',
  'Bearer eyJ.a.b, Bearer eyJ.c.d',
  'DPoP eyJ.a.b',
  'dpop',
  'Basic dXNlcjpwYXNz',
  'Token eyJ.a.b',
  'eyJ.a.b',
  'eyJ.a.b extra',
  '  eyJ.a.b  ',
  'Bearer\u00a0eyJ.a.b',
  ['Bearer eyJ.a.b'],
  ['Bearer eyJ.a.b', 'Bearer eyJ.c.d'],
  [5, 'Bearer eyJ.a.b'],
  7,
]
const headerNames = [
  'Authorization',
  'authorization',
  'AUTHORIZATION',
  'x-api-token',
  'Cookie',
  'cookie',
  'host',
  'Host',
  'x-amzn-oidc-data',
  'content-type',
  'missing',
  '',
]
const cookieValues = [
  'access_token=eyJ.a.b',
  'access_token="eyJ.a.b"',
  'a=1; access_token=eyJ.a.b; b=2',
  'access_token=eyJ.a.b; access_token=eyJ.c.d',
  'access_token=',
  'access_token',
  ' access_token = eyJ.a.b ',
  '"',
  'x=y',
]
const queryStrings = ['', 'access_token=eyJ.a.b', 'access_token=a%20b&access_token=c', 'access_token=a+b', 'access_token=%E0%A4%A', 'x=1']

/** Copies of an event with credentials set in every place a reader looks. */
const mutations = function* (event: Record<string, unknown>): Generator<[string, Record<string, unknown>]> {
  yield ['as is', event]
  yield ['headers null', { ...event, headers: null, multiValueHeaders: null }]
  yield ['no headers', { ...event, headers: undefined, multiValueHeaders: undefined }]
  yield ['headers array', { ...event, headers: ['Authorization'] }]
  for (let i = 0; i < 12; i++) {
    const value = pick(credentialValues)
    const name = pick(['Authorization', 'authorization', 'AUTHORIZATION', 'x-api-token'])
    yield [`headers.${name}=${JSON.stringify(value)}`, { ...event, headers: { ...((event.headers as object | null) ?? {}), [name]: value } }]
    yield [
      `multiValueHeaders.${name}=${JSON.stringify(value)}`,
      { ...event, multiValueHeaders: { ...((event.multiValueHeaders as object | null) ?? {}), [name]: Array.isArray(value) ? value : [value] } },
    ]
    yield [`authorizationToken=${JSON.stringify(value)}`, { ...event, authorizationToken: value }]
  }
  for (let i = 0; i < 4; i++) {
    const cookie = pick(cookieValues)
    yield [`cookies=[${cookie}]`, { ...event, cookies: [cookie, 5] }]
    yield [`Cookie: ${cookie}`, { ...event, headers: { ...((event.headers as object | null) ?? {}), Cookie: cookie } }]
    yield [`multi Cookie: ${cookie}`, { ...event, multiValueHeaders: { cookie: [cookie, pick(cookieValues)] } }]
  }
  const query = pick(queryStrings)
  yield [`rawQueryString=${query}`, { ...event, rawQueryString: query }]
  yield [`multiValueQueryStringParameters`, { ...event, rawQueryString: undefined, multiValueQueryStringParameters: { access_token: ['a%20b', 'c', 5] } }]
  yield [
    `queryStringParameters`,
    { ...event, rawQueryString: undefined, multiValueQueryStringParameters: undefined, queryStringParameters: { access_token: 'a%2Bb+c' } },
  ]
}

const headerSources: unknown[] = [
  { header: 'Authorization' },
  { header: 'authorization', scheme: 'Bearer' },
  { header: 'Authorization', scheme: null },
  { header: 'Authorization', scheme: 'DPoP' },
  { header: 'Authorization', scheme: 'Token' },
  { header: 'x-api-token', scheme: null },
  { header: 'x-api-token' },
  { header: 'X-Amzn-Oidc-Data', scheme: null },
]
const otherSources: unknown[] = [
  { cookie: 'access_token' },
  { cookie: 'access_token', allowedOrigins: ['https://app.example.com'] },
  { query: 'access_token' },
  (event: { headers?: Record<string, string> }) => event.headers?.['x-token'],
]

const events: Array<readonly [string, unknown]> = [...fixtures, ['not an event', 'text'], ['null', null], ['array', []], ['empty', {}]]
for (const [name, fixture] of events) {
  const variants =
    fixture !== null && typeof fixture === 'object' && !Array.isArray(fixture)
      ? [...mutations(fixture as Record<string, unknown>)]
      : [['as is', fixture] as [string, unknown]]
  for (const [mutation, event] of variants) {
    const label = `${name} ${mutation}`
    check('event', `eventKind ${label}`, (core) => core.eventKind(event))
    for (const header of headerNames) {
      check('event', `getHeaderValues ${header} ${label}`, (core) => core.getHeaderValues(event, header))
      check('event', `getHeader ${header} ${label}`, (core) => core.getHeader(event, header))
    }
    for (const cookie of ['access_token', 'a', 'b', 'missing'])
      check('event', `getCookieValues ${cookie} ${label}`, (core) => core.getCookieValues(event, cookie))
    for (const parameter of ['access_token', 'x', 'missing'])
      check('event', `getQueryValues ${parameter} ${label}`, (core) => core.getQueryValues(event, parameter))
    for (const source of headerSources) {
      for (const acceptDpop of [false, true]) {
        check('token-source', `compileHeaderSource ${JSON.stringify(source)} ${acceptDpop} ${label}`, (core) =>
          core.compileHeaderSource(source as Internal.HeaderTokenSource, acceptDpop)(event),
        )
      }
    }
    for (const source of [...headerSources, ...otherSources]) {
      for (const acceptDpop of [false, true]) {
        check('token-source', `compileTokenSource ${String(JSON.stringify(source))} ${acceptDpop} ${label}`, (core) =>
          core.compileTokenSource(source as Internal.TokenSource, acceptDpop)(event),
        )
      }
    }
  }
}

const badSources: unknown[] = [
  ...headerSources,
  ...otherSources,
  undefined,
  null,
  'Authorization',
  {},
  { header: '' },
  { header: '  ' },
  { header: 5 },
  { header: 'Authorization', scheme: '' },
  { header: 'Authorization', scheme: 'Bear er' },
  { header: 'Authorization', scheme: 5 },
  { header: 'Authorization', allowedOrigins: [] },
  { header: 'Authorization', allowedOrigins: ['https://a.example'] },
  { cookie: '' },
  { cookie: 'c', scheme: 'Bearer' },
  { cookie: 'c', allowedOrigins: 'https://a.example' },
  { cookie: 'c', allowedOrigins: ['https://a.example/path'] },
  { cookie: 'c', allowedOrigins: hole(['https://a.example']) },
  { cookie: 'c', allowedOrigins: ['null'] },
  { query: '' },
  { query: 'q', scheme: null },
  { query: 'q', allowedOrigins: ['https://a.example'] },
  { cookie: 'c', query: 'q' },
  [],
  () => undefined,
]
for (const source of badSources) {
  const label = String(JSON.stringify(source))
  check('token-source', `headerSourceProblem ${label}`, (core) => core.headerSourceProblem(source))
  check('token-source', `tokenSourceProblem ${label}`, (core) => core.tokenSourceProblem(source))
  check('token-source', `isCookieQueryOrFunction ${label}`, (core) => core.isCookieQueryOrFunction(source))
}
for (const text of [...texts, 'a,b', 'eyJ.a.b', 'a\nb']) check('token-source', `looksLikeSeveralTokens ${text}`, (core) => core.looksLikeSeveralTokens(text))

// ---------------------------------------------------------------------------------------------
// Option checks with bad options.
const anyValues: unknown[] = [undefined, null, 0, -1, 1, 1.5, NaN, Infinity, -Infinity, '', 'x', '5', true, [], ['a'], hole(['a']), {}, { a: 1 }, () => 1]
const fail = (core: Core) => core.configErrors('@middy-auth/test', 'testFactory')
check('config', 'configErrors', (core) => fail(core)('issuers[0].jwks', 'must be a function'))
for (const value of anyValues) {
  const label = String(JSON.stringify(value))
  for (const at of ['', 'issuers[0].', 'policy.']) {
    check('config', `checkOptionNames ${label} ${at}`, (core) => core.checkOptionNames(value, ['a', 'b'], fail(core), at, { require: 'required' }))
  }
  check('config', `checkOptionNames {${label}} renamed`, (core) =>
    core.checkOptionNames({ a: value, require: value }, ['a'], fail(core), '', { require: 'required' }),
  )
  check('config', `checkOptionNames {c} known`, (core) => core.checkOptionNames({ a: value, c: 1 }, ['a', 'b'], fail(core)))
  for (const unit of ['milliseconds', 'seconds'] as const) {
    for (const zero of [undefined, false, true]) {
      for (const infinity of [undefined, false, true]) {
        check('config', `readDuration ${label} ${unit} ${String(zero)} ${String(infinity)}`, (core) =>
          core.readDuration(value, 'cache.ttl', fail(core), {
            unit,
            fallback: 3000,
            ...(zero === undefined ? {} : { zero }),
            ...(infinity === undefined ? {} : { infinity }),
          }),
        )
      }
    }
  }
  check('config', `isListOf ${label}`, (core) => core.isListOf(value, (item): item is string => typeof item === 'string'))
  check('config', `readRealm ${label}`, (core) => core.readRealm(value, fail(core)))
  check('config', `readFunction ${label}`, (core) => core.readFunction(value, 'onDecision', fail(core)))
  check('config', `readFunction ${label} what`, (core) => core.readFunction(value, 'onDecision', fail(core), 'a function of the request'))
  check('config', `readScopeTokens ${label}`, (core) => core.readScopeTokens(value, 'required', fail(core)))
  check('config', `readExtensions ${label}`, (core) => core.readExtensions(value, '@middy-auth/test', fail(core), { routeMaps: ['compileRoutes'] }))
  check('config', `readExtensions [${label}]`, (core) => core.readExtensions([value], '@middy-auth/test', fail(core), { routeMaps: ['compileRoutes'] }))
}
for (const realm of texts) check('config', `readRealm ${realm}`, (core) => core.readRealm(realm, fail(core)))
for (const value of [
  'orders:read',
  'orders:read orders:write',
  '  ',
  ' a  b ',
  ['a', 'a', 'b'],
  ['a b'],
  ['a"b'],
  ['é'],
  [''],
  [5],
  hole(['a', 'b']),
  [null],
]) {
  check('config', `readScopeTokens ${JSON.stringify(value)}`, (core) => core.readScopeTokens(value, 'routes["GET /a"].required', fail(core)))
}
const extensionLists: unknown[] = [
  [{ package: '@middy-auth/test', name: 'routeMaps', compileRoutes: () => 1 }],
  [{ package: '@middy-auth/test', name: 'routeMaps' }],
  [{ package: '@middy-auth/test', name: 'routeMaps', compileRoutes: 1, routeName: () => 1 }],
  [{ package: '@middy-auth/other', name: 'routeMaps', compileRoutes: () => 1 }],
  [{ package: '@middy-auth/test', name: 'toString', compileRoutes: () => 1 }],
  [{ package: '@middy-auth/test', name: 'nope' }],
  [{ package: '@middy-auth/test', name: 5 }],
  [
    { package: '@middy-auth/test', name: 'routeMaps', compileRoutes: () => 1 },
    { package: '@middy-auth/test', name: 'dpop', verify: () => 1, bind: () => 2 },
  ],
  [{ package: '@middy-auth/test', name: 'dpop', verify: () => 1 }],
]
for (const list of extensionLists) {
  const shapes = { routeMaps: ['compileRoutes'], dpop: ['verify', 'bind'] }
  check('config', `readExtensions ${JSON.stringify(list)}`, (core) => core.readExtensions(list, '@middy-auth/test', fail(core), shapes))
  check('config', `needExtension ${JSON.stringify(list)}`, (core) => {
    const extensions = core.readExtensions(list, '@middy-auth/test', fail(core), shapes)
    return ['routeMaps', 'dpop'].map((name) =>
      outcome(() =>
        core.needExtension(extensions, name, name === 'dpop' ? 'dpop' : 'routes', { packageName: '@middy-auth/test', factory: 'testFactory' }, fail(core)),
      ),
    )
  })
}
for (const [options, name, old] of [
  [{}, 'clock', 'now'],
  [{ clock: 1 }, 'clock', 'now'],
  [{ now: 2 }, 'clock', 'now'],
  [{ now: 2, clock: 1 }, 'clock', 'now'],
  [{ now: undefined, clock: 1 }, 'clock', 'now'],
] as const) {
  for (const at of ['', 'jwks.']) {
    check('config', `readRenamed ${JSON.stringify(options)} ${at}`, (core) => {
      // Each build warns once per process and message: the warnings are what each call emitted.
      const warnings: unknown[] = []
      const emitWarning = process.emitWarning.bind(process)
      process.emitWarning = (...args: unknown[]) => void warnings.push(args)
      try {
        return [core.readRenamed(options, name, old, fail(core), at), warnings]
      } finally {
        process.emitWarning = emitWarning
      }
    })
  }
}

// Scope checks.
const scopeLists = [[], ['a'], ['a', 'b'], ['b', 'a', 'a'], ['c'], ['a', 'c'], ['x', 'y', 'a', 'b', 'c'], [5, 'a'], ['a', null]]
for (const required of [[], ['a'], ['a', 'b'], ['a', 'a']]) {
  for (const anyOf of [undefined, [], ['c'], ['c', 'b']]) {
    check('scope', `compileScopeCheck ${JSON.stringify([required, anyOf])}`, (core) => core.compileScopeCheck(required, anyOf))
    for (const held of scopeLists) {
      check('scope', `scopesSatisfy ${JSON.stringify([required, anyOf, held])}`, (core) => core.scopesSatisfy(core.compileScopeCheck(required, anyOf), held))
      check('scope', `unmetScopes ${JSON.stringify([required, anyOf, held])}`, (core) => core.unmetScopes(core.compileScopeCheck(required, anyOf), held))
    }
  }
}
for (const bad of [['a b'], [''], ['"'], [5], ['ok', 'é']]) {
  check('scope', `compileScopeCheck bad ${JSON.stringify(bad)}`, (core) => core.compileScopeCheck(bad as string[]))
  check('scope', `compileScopeCheck bad anyOf ${JSON.stringify(bad)}`, (core) => core.compileScopeCheck(['a'], bad as string[]))
}
for (const value of [...anyValues, ...texts, 'orders:read', '\u007f'])
  check('scope', `isScopeToken ${String(JSON.stringify(value))}`, (core) => core.isScopeToken(value))

// Claims.
const claimValues: unknown[] = [
  ...anyValues,
  '[a b]',
  '[ a  b ]',
  '["a","b"]',
  '["a",5]',
  '[]',
  '[',
  'a,b',
  ' a , b ,',
  'Not Admins',
  'a b',
  'a  b',
  '\ta\nb',
  'read,admin',
  '[orders:read]',
  ['a', '', 5, 'b'],
  '1718722804',
  ' 12 ',
  '-1.5',
  '12abc',
  'Tue Jun 18 15:00:04 UTC 2024',
  'true',
  'false',
  'TRUE',
]
const identities = [{}, { source: 'jwt' }, { source: 'apigateway', stringifiedClaims: true }, { stringifiedClaims: false }]
for (const value of claimValues) {
  const label = String(JSON.stringify(value))
  check('claims', `readStringList ${label}`, (core) => core.readStringList(value))
  check('claims', `readScopeList ${label}`, (core) => core.readScopeList(value))
  check('claims', `readNumber ${label}`, (core) => core.readNumber(value))
  check('claims', `readNumericDate ${label}`, (core) => core.readNumericDate(value))
  check('claims', `readBoolean ${label}`, (core) => core.readBoolean(value))
  for (const identity of identities) {
    check('claims', `readScopeClaim ${JSON.stringify(identity)} ${label}`, (core) => core.readScopeClaim(identity, value))
    check('claims', `readListClaim ${JSON.stringify(identity)} ${label}`, (core) => core.readListClaim(identity, value))
  }
  for (const name of ['exp', 'iat', 'email_verified', 'groups', 'cognito:groups', 'scp', 'aud', 'sub', '__proto__']) {
    check('claims', `restoreScalarClaim ${name} ${label}`, (core) => core.restoreScalarClaim(name, value))
    check('claims', `restoreGatewayClaims ${name} ${label}`, (core) =>
      core.restoreGatewayClaims(JSON.parse(JSON.stringify({ [name]: value ?? null })) as Record<string, unknown>),
    )
  }
}
const claimObjects: unknown[] = [
  null,
  'x',
  { 'https://example.com/roles': ['a'], https: { '//example': 1 } },
  { realm_access: { roles: ['admin'] } },
  { a: { b: null } },
  JSON.parse('{"__proto__":{"x":1},"a":{"__proto__":{"b":2}}}'),
]
for (const claims of claimObjects) {
  for (const path of [
    'realm_access.roles',
    'https://example.com/roles',
    'a.b',
    'a.b.c',
    '__proto__.x',
    'a.__proto__.b',
    'toString',
    ['realm_access', 'roles'],
    ['a', 'b'],
    [],
  ]) {
    check('claims', `readClaimPath ${JSON.stringify(claims)} ${JSON.stringify(path)}`, (core) => core.readClaimPath(claims, path))
  }
}

// State keys, request notes, identity resolution, record helpers.
check('state', 'stateKeys', (core) => core.stateKeys)
for (const target of [{}, null, 'x', () => 1]) {
  check('state', `attachState/readState ${String(target)}`, (core) => {
    if (target !== null && typeof target === 'object') core.attachState(target, core.stateKeys.rbacGrant, 1)
    return [core.readState(target, core.stateKeys.rbacGrant), target]
  })
}
for (const internal of [undefined, null, {}, 'x']) {
  check('state', `request checks ${String(internal)}`, (core) => {
    const request = { internal: internal === undefined || internal === null || typeof internal !== 'object' ? internal : {} } as Index.MiddyRequestLike
    core.noteRequestSpecificCheck(request, { package: 'p', reason: 'routes', extra: 1 } as Internal.RequestSpecificCheck)
    core.noteRequestSpecificCheck(request, { package: 'q', reason: 'condition' })
    core.noteCredential(request, 'token')
    return [core.requestSpecificChecks(request), core.notedCredential(request), request.internal]
  })
}
for (const check_ of [
  undefined,
  () => true,
  () => 'yes',
  () => false,
  () => {
    throw new Error('x')
  },
]) {
  check('state', `permission check ${String(check_)}`, (core) => {
    const auth = {}
    if (check_) core.attachPermissionCheck(auth, check_ as Internal.PermissionCheck)
    return [core.holdsPermission(auth, 'a:b'), typeof core.attachedPermissionCheck(auth), core.holdsPermission(null, 'a:b')]
  })
}
for (const [name, fixture] of fixtures) {
  for (const withReader of [false, true]) {
    for (const existing of [undefined, { source: 'jwt', subject: 'a', scopes: [], roles: [], claims: {} }]) {
      check('resolve-auth', `resolveAuthWith ${name} ${withReader} ${String(existing)}`, (core) => {
        const request = { event: fixture, context: existing ? { auth: existing } : {}, internal: {} } as unknown as Index.MiddyRequestLike
        const extensions = new Map(withReader ? [['apiGatewayClaims', { package: 'p', name: 'apiGatewayClaims', gatewayAuth: core.gatewayAuth }]] : [])
        return [core.resolveAuthWith(request, core.gatewayReaderOf(extensions)), request.context, request.internal]
      })
    }
  }
}
for (const value of anyValues) {
  const label = String(JSON.stringify(value))
  check('record', `isRecord ${label}`, (core) => [core.isRecord(value), core.asRecord(value), core.asText(value)])
}

// ---------------------------------------------------------------------------------------------
console.log(`${cases} cases compared (${[...countsByArea].map(([area, count]) => `${area} ${count}`).join(', ')})`)
console.log(`${differences.length} differences in behaviour`)
for (const difference of differences.filter(Boolean)) console.log(difference)
console.log(`${messageChanges.size} configuration messages reworded (same TypeError, same cause), each seen in the cases counted:`)
for (const [pair, count] of messageChanges) console.log(`- (${count}) ${pair}`)
process.exitCode = differences.length === 0 ? 0 : 1
