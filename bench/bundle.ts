// Bundle size: the handlers a user writes, bundled as `sam build` bundles them (esbuild: bundle,
// minify, platform node, format esm, target node22), with the bytes each package contributes
// read from esbuild's metafile. Budgets: the full stack (jwt-verify + oauth-scope + rbac +
// http-error-handler) at most 40 KB, jwt-verify alone at most 25 KB (whole handler bundles,
// Middy included); and code only an unused option needs (route maps, jwtVerify's API Gateway
// claims, DPoP and mTLS, presets, ALB, opaque tokens, OIDC discovery, keys given in the
// configuration (jwks, PEM keys, secrets, a keyResolver), token sources other than a header, an
// issuer entry's claimsCheck, jwtVerify's jwks and cache settings, rbac's conditions and roleMap,
// oauth-scope's scopeClaims) absent from bundles that do not use it. The root
// entries carry every option's code; the lean entries (`@middy-auth/<pkg>/lean`) only that of the
// extensions a handler imports from `@middy-auth/<pkg>/extensions`.
//
// Alone: node bench/bundle.ts (after npm run build: the packages are bundled from their dist/).
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'

export interface BudgetRow {
  name: string
  value: string
  limit: string
  ok: boolean
}

const execFileAsync = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, '.bench-out', 'bundles')

const KB = 1024
const BUDGET = { fullStack: 40 * KB, jwtVerifyAlone: 25 * KB }

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123'
/** A public P-256 key (RFC 7515 A.3's), for a handler with a local JWKS. */
const LOCAL_JWK = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'local-1',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
}

/** A handler as a user writes it; `absent` lists source files that must not be in its bundle. */
interface Handler {
  name: string
  source: string
  limit?: number
  absent: RegExp[]
  /** Files that must be in its bundle (the optional code its imports register), and the bundle must load. */
  present?: RegExp[]
}

/** Files of options the typical handlers below do not use (see the header comment). */
const unusedOptionFiles = {
  routes: /core\/dist\/route(-match|-event|-key)?\.js$/,
  // oauth-scope's and rbac's compilers of `routes` (their routeMaps extensions).
  routeRequirements: /(oauth-scope|rbac)\/dist\/route-requirements\.js$/,
  // rbac's role factories (cognitoRoles(), …): only those a handler calls.
  roleFactories: /rbac\/dist\/roles\.js$/,
  senderBinding: /jwt-verify\/dist\/(sender-binding(-options)?|dpop-proof|dpop-nonce|request-target|client-certificate|jwk-thumbprint|replay-store)\.js$/,
  presets: /jwt-verify\/dist\/presets\.js$/,
  alb: /jwt-verify\/dist\/alb(-key-resolver|-access-token)?\.js$/,
  opaqueTokens: /jwt-verify\/dist\/opaque-tokens\.js$/,
  // An issuer entry's local JWKS, PEM keys, HMAC secret and own keyResolver (the lean entry's staticKeys extension).
  staticKeys: /jwt-verify\/dist\/static-key(s|-resolver)\.js$/,
  // jwtVerify's jwks (fetching) and cache options, checked (the lean entry's tuning extension).
  tuning: /jwt-verify\/dist\/tuning\.js$/,
  // The discovery document of an issuer entry without jwksUri (the lean entry's oidcDiscovery extension).
  oidcDiscovery: /jwt-verify\/dist\/oidc-discovery\.js$/,
  // The cookie (and its cross-site check), query and function token sources (the lean entry's
  // tokenSources extension); a header source is core's token-source.js.
  tokenSources: /core\/dist\/(every-token-source|same-origin)\.js$/,
  // An issuer entry's own claimsCheck (and claimsCacheTtl): the lean entry's claimsChecks extension.
  claimsChecks: /jwt-verify\/dist\/claims-check-runner\.js$/,
  // The root entries of oauth-scope and rbac read API Gateway's claims when no middleware before
  // them set context.auth (their documented default), so a full stack of root entries carries
  // this: reported, not hidden. Their lean entries read them only with apiGatewayClaims.
  gatewayClaims: /core\/dist\/gateway\.js$/,
  // rbac's conditional allows, its conditions and resource options (the lean entry's conditions
  // extension); the root entry of rbac has it, as every extension.
  conditions: /rbac\/dist\/conditions\.js$/,
  // rbac's roleMap and oauth-scope's scopeClaims (the lean entries' roleMaps and scopeClaims
  // extensions).
  roleMap: /rbac\/dist\/role-map\.js$/,
  scopeClaims: /oauth-scope\/dist\/scope-claims\.js$/,
  // oauth-scope's resourceMetadata (the lean entry's resourceMetadataChallenge extension).
  resourceMetadata: /oauth-scope\/dist\/resource-metadata\.js$/,
  // rbac's onDecision hook and requirement functions (the lean entry's decisionRecords and
  // requirementFunctions extensions).
  decisionRecords: /rbac\/dist\/decision-records\.js$/,
  requirementFunctions: /rbac\/dist\/requirement-functions\.js$/,
}

const policy = `{ roles: { reader: { allow: ['orders:read'] }, admin: { inherits: ['reader'], allow: ['orders:*'] } } }`

/** Which entries a budgeted handler imports: the root ones (`''`) or the lean ones (`'/lean'`). */
type Entry = '' | '/lean'

/** The full stack of the budget: jwt-verify (jwksUri) + oauth-scope + rbac + http-error-handler. */
const fullStack = (entry: Entry): string => `
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify from '@middy-auth/jwt-verify${entry}'
import oauthScope from '@middy-auth/oauth-scope${entry}'
import rbac from '@middy-auth/rbac${entry}'
export const handler = middy()
  .use(httpErrorHandler())
  .use(jwtVerify({ issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }] }))
  .use(oauthScope({ required: ['orders:read'] }))
  .use(rbac({ policy: ${policy}, rolesFrom: 'cognito:groups', required: 'orders:read' }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`

/** jwt-verify alone, with a jwksUri. */
const jwtVerifyAlone = (entry: Entry): string => `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify${entry}'
export const handler = middy()
  .use(jwtVerify({ issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }] }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`

export const handlers: Handler[] = [
  {
    name: 'full stack, root entries: jwt-verify (jwksUri) + oauth-scope + rbac + http-error-handler',
    limit: BUDGET.fullStack,
    absent: Object.values(unusedOptionFiles),
    source: fullStack(''),
  },
  {
    name: 'full stack, root entries, with cognitoIssuer() (a preset)',
    limit: BUDGET.fullStack,
    absent: Object.entries(unusedOptionFiles)
      .filter(([name]) => name !== 'presets')
      .map(([, file]) => file),
    source: `
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify, { cognitoIssuer } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
export const handler = middy()
  .use(httpErrorHandler())
  .use(jwtVerify({ issuers: [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'access' })] }))
  .use(oauthScope({ required: ['orders:read'] }))
  .use(rbac({ policy: ${policy}, rolesFrom: 'cognito:groups', required: 'orders:read' }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'full stack, lean: jwt-verify/lean + oauth-scope/lean + rbac/lean + http-error-handler',
    limit: BUDGET.fullStack,
    absent: Object.values(unusedOptionFiles),
    source: fullStack('/lean'),
  },
  {
    name: 'jwt-verify alone, root entry (jwksUri)',
    limit: BUDGET.jwtVerifyAlone,
    absent: Object.values(unusedOptionFiles),
    source: jwtVerifyAlone(''),
  },
  {
    name: 'jwt-verify alone, lean (jwksUri)',
    limit: BUDGET.jwtVerifyAlone,
    absent: Object.values(unusedOptionFiles),
    source: jwtVerifyAlone('/lean'),
  },
  {
    name: 'lean with extensions: [senderConstraints] and dpop (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.senderBinding],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { senderConstraints } from '@middy-auth/jwt-verify/extensions'
export const handler = middy()
  .use(jwtVerify({
    issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }],
    dpop: { boundTokens: 'required' },
    extensions: [senderConstraints],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [oidcDiscovery, staticKeys], discovery and a local JWKS (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.oidcDiscovery, unusedOptionFiles.staticKeys],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { oidcDiscovery, staticKeys } from '@middy-auth/jwt-verify/extensions'
export const handler = middy()
  .use(jwtVerify({
    issuers: [
      { issuer: '${ISSUER}', audience: 'orders-api' },
      { issuer: 'https://jobs.example.com/', audience: 'jobs', jwks: { keys: [${JSON.stringify(LOCAL_JWK)}] } },
    ],
    extensions: [oidcDiscovery, staticKeys],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [tuning, staticKeys], jwks, cache and a keyResolver (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.tuning, unusedOptionFiles.staticKeys],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { tuning, staticKeys } from '@middy-auth/jwt-verify/extensions'
import { createRemoteKeyResolver } from '@middy-auth/jwt-verify/keys'
export const handler = middy()
  .use(jwtVerify({
    issuers: [
      { issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' },
      { issuer: 'https://jobs.example.com/', audience: 'jobs', keyResolver: createRemoteKeyResolver({ jwksUri: 'https://jobs.example.com/jwks.json' }) },
    ],
    jwks: { timeoutMs: 1500 },
    cache: false,
    extensions: [tuning, staticKeys],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [tokenSources] and a cookie token source (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.tokenSources],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { tokenSources } from '@middy-auth/jwt-verify/extensions'
export const handler = middy()
  .use(jwtVerify({
    issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }],
    tokenSource: { cookie: 'access_token', allowedOrigins: ['https://app.example.com'] },
    extensions: [tokenSources],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    // resourceMetadataChallenge brings no file of its own (core's check of the URL, in challenge.js): loading is what is checked.
    name: 'lean with extensions: [resourceMetadataChallenge] and resourceMetadata (must load)',
    absent: [],
    present: [],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { resourceMetadataChallenge } from '@middy-auth/jwt-verify/extensions'
export const handler = middy()
  .use(jwtVerify({
    issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }],
    resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource',
    extensions: [resourceMetadataChallenge],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [claimsChecks] and cognitoIssuer() (must bundle them and load)',
    // The preset is imported from the root entry (the lean entry has none): only it is kept of that entry.
    absent: [],
    present: [unusedOptionFiles.claimsChecks, unusedOptionFiles.presets],
    source: `
import middy from '@middy/core'
import { cognitoIssuer } from '@middy-auth/jwt-verify'
import jwtVerify from '@middy-auth/jwt-verify/lean'
import { claimsChecks } from '@middy-auth/jwt-verify/extensions'
export const handler = middy()
  .use(jwtVerify({
    issuers: [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'access', claimsCacheTtl: 30 })],
    extensions: [claimsChecks],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'with dpop and oauth-scope routes (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.senderBinding, unusedOptionFiles.routes],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
export const handler = middy()
  .use(jwtVerify({ issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }], dpop: { boundTokens: 'required' } }))
  .use(oauthScope({ routes: { 'GET /orders': ['orders:read'] } }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [routeMaps] (must bundle the route files and load)',
    absent: [],
    present: [unusedOptionFiles.routes, unusedOptionFiles.routeRequirements],
    source: `
import middy from '@middy/core'
import oauthScope from '@middy-auth/oauth-scope/lean'
import { routeMaps as scopeRouteMaps } from '@middy-auth/oauth-scope/extensions'
import rbac from '@middy-auth/rbac/lean'
import { routeMaps } from '@middy-auth/rbac/extensions'
export const handler = middy()
  .use(oauthScope({ routes: { 'GET /orders': ['orders:read'] }, extensions: [scopeRouteMaps] }))
  .use(rbac({ policy: ${policy}, rolesFrom: 'cognito:groups', routes: { 'GET /orders': 'orders:read' }, extensions: [routeMaps] }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [decisionRecords, requirementFunctions], onDecision and a requirement function (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.decisionRecords, unusedOptionFiles.requirementFunctions],
    source: `
import middy from '@middy/core'
import rbac from '@middy-auth/rbac/lean'
import { decisionRecords, requirementFunctions } from '@middy-auth/rbac/extensions'
export const handler = middy()
  .use(rbac({
    policy: ${policy},
    rolesFrom: 'cognito:groups',
    required: (request) => (request.event.requestContext?.http?.method === 'GET' ? 'orders:read' : 'orders:write'),
    onDecision: (decision) => console.log(JSON.stringify(decision)),
    extensions: [decisionRecords, requirementFunctions],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [resourceMetadataChallenge] (must bundle it and load)',
    absent: [],
    present: [unusedOptionFiles.resourceMetadata],
    source: `
import middy from '@middy/core'
import oauthScope from '@middy-auth/oauth-scope/lean'
import { resourceMetadataChallenge } from '@middy-auth/oauth-scope/extensions'
export const handler = middy()
  .use(oauthScope({ required: ['orders:read'], resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource', extensions: [resourceMetadataChallenge] }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [conditions] and a conditional allow (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.conditions],
    source: `
import middy from '@middy/core'
import rbac from '@middy-auth/rbac/lean'
import { conditions } from '@middy-auth/rbac/extensions'
export const handler = middy()
  .use(rbac({
    policy: { roles: { reader: { allow: ['orders:read', { permission: 'orders:update', when: 'isOwner' }] } } },
    rolesFrom: 'cognito:groups',
    required: 'orders:update',
    conditions: { isOwner: ({ auth, resource }) => resource?.ownerId === auth.subject },
    resource: async (request) => ({ ownerId: request.event.pathParameters?.owner }),
    extensions: [conditions],
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'lean with extensions: [roleMaps] and [scopeClaims] (must bundle them and load)',
    absent: [],
    present: [unusedOptionFiles.roleMap, unusedOptionFiles.scopeClaims],
    source: `
import middy from '@middy/core'
import oauthScope from '@middy-auth/oauth-scope/lean'
import { scopeClaims } from '@middy-auth/oauth-scope/extensions'
import rbac from '@middy-auth/rbac/lean'
import { roleMaps } from '@middy-auth/rbac/extensions'
export const handler = middy()
  .use(oauthScope({ required: ['orders:read'], scopeClaims: 'permissions', extensions: [scopeClaims] }))
  .use(rbac({ policy: ${policy}, rolesFrom: 'cognito:groups', roleMap: { Admins: ['admin'] }, required: 'orders:read', extensions: [roleMaps] }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'with opaqueTokens: createIntrospectionVerifier() (must bundle the hand-off and load)',
    absent: [],
    present: [unusedOptionFiles.opaqueTokens],
    source: `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
import { createIntrospectionVerifier } from '@middy-auth/token-introspection'
export const handler = middy()
  .use(jwtVerify({
    issuers: [{ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' }],
    opaqueTokens: createIntrospectionVerifier({ issuer: '${ISSUER}', clientId: 'orders-api', clientSecret: 'a-client-secret-of-32-characters', audience: null }),
  }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
  {
    name: 'reference: Middy + aws-jwt-verify',
    absent: [],
    source: `
import middy from '@middy/core'
import { JwtVerifier } from 'aws-jwt-verify'
const verifier = JwtVerifier.create({ issuer: '${ISSUER}', audience: 'orders-api', jwksUri: '${ISSUER}/.well-known/jwks.json' })
export const handler = middy()
  .use({ before: async (request) => {
    const payload = await verifier.verify((request.event.headers?.authorization ?? '').replace(/^Bearer /i, ''))
    request.context.auth = { subject: payload.sub, claims: payload }
  } })
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  },
]

/** The npm package a bundled file comes from (workspace packages resolve to packages/<name>). */
const packageOf = (path: string): string => {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (dependency) return dependency[1] as string
  const workspace = /packages\/([^/]+)\//.exec(path)
  return workspace ? `@middy-auth/${workspace[1]}` : 'handler'
}

const slug = (name: string): string =>
  name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
    .slice(0, 60)

export interface BundleResult {
  name: string
  outfile: string
  minified: number
  gzip: number
  packages: Record<string, number>
  files: Record<string, number>
  /** Files that must not be there and are. */
  unexpected: string[]
}

/** The esbuild settings of `sam build` (Metadata BuildMethod: esbuild, Format: esm, Minify: true). */
export const samBuildOptions = { bundle: true, minify: true, platform: 'node', format: 'esm', target: 'node22', metafile: true, logLevel: 'silent' } as const

/** Bundles one handler source into `.bench-out/bundles/<slug>.mjs` and reads its metafile. */
export const bundleHandler = async (name: string, source: string, absent: RegExp[] = []): Promise<BundleResult> => {
  await mkdir(outDir, { recursive: true })
  const entry = join(outDir, `${slug(name)}.entry.mjs`)
  const outfile = join(outDir, `${slug(name)}.mjs`)
  await writeFile(entry, source)
  const { metafile } = (await build({ ...samBuildOptions, entryPoints: [entry], outfile })) as { metafile: Metafile }
  const output = Object.values(metafile.outputs)[0]!
  const files: Record<string, number> = {}
  const packages: Record<string, number> = {}
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (bytesInOutput === 0) continue
    const file = path.replace(/^(\.\.\/)+/, '')
    files[file] = bytesInOutput
    packages[packageOf(path)] = (packages[packageOf(path)] ?? 0) + bytesInOutput
  }
  const bytes = await readFile(outfile)
  return {
    name,
    outfile,
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    packages: Object.fromEntries(Object.entries(packages).sort((a, b) => b[1] - a[1])),
    files: Object.fromEntries(Object.entries(files).sort((a, b) => b[1] - a[1])),
    unexpected: Object.keys(files).filter((file) => absent.some((pattern) => pattern.test(file))),
  }
}

const kb = (bytes: number): string => `${(bytes / KB).toFixed(1)} KB`

/** One row per budget (and per package of each budgeted bundle); `ok: false` is OVER. */
export async function run(_settings: { quick: boolean }): Promise<BudgetRow[]> {
  const rows: BudgetRow[] = []
  for (const handler of handlers) {
    const result = await bundleHandler(handler.name, handler.source, handler.absent)
    console.log(`\n${handler.name}: ${kb(result.minified)} minified, ${kb(result.gzip)} gzip -9`)
    for (const [pkg, bytes] of Object.entries(result.packages)) console.log(`  ${pkg.padEnd(28)} ${kb(bytes).padStart(9)}`)
    if (handler.present) {
      const missing = handler.present.filter((pattern) => !Object.keys(result.files).some((file) => pattern.test(file)))
      // The factories run at import: a registration the bundler dropped would throw there.
      const loads = await execFileAsync(process.execPath, [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(result.outfile).href)})`,
      ]).then(
        () => 'loads',
        (error: Error) => `does not load: ${error.message.split('\n').find((line) => line.includes('Error')) ?? error.message}`,
      )
      rows.push({
        name: `bundle: ${handler.name}`,
        value: `${kb(result.minified)}, ${missing.length === 0 ? 'optional code in it' : `missing ${missing.join(', ')}`}, ${loads}`,
        limit: 'in it, loads',
        ok: missing.length === 0 && loads === 'loads',
      })
    }
    if (handler.limit === undefined) continue
    rows.push({ name: `bundle: ${handler.name}`, value: kb(result.minified), limit: `≤ ${kb(handler.limit)}`, ok: result.minified <= handler.limit })
    for (const [pkg, bytes] of Object.entries(result.packages)) {
      rows.push({ name: `  of which ${pkg}`, value: kb(bytes), limit: '', ok: true })
    }
    rows.push({
      name: `  code of unused options in it`,
      value: result.unexpected.length === 0 ? 'none' : result.unexpected.join(', '),
      limit: 'none',
      ok: result.unexpected.length === 0,
    })
  }
  return rows
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ quick: process.argv.includes('--quick') })
  console.log()
  for (const row of rows) console.log(`${row.ok ? 'PASS' : 'OVER'}  ${row.name}: ${row.value}${row.limit ? ` (budget ${row.limit})` : ''}`)
}
