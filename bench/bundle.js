// Cold start: esbuild bundles of the same small handler with each verifier, their minified and
// gzip sizes, and the import time of each bundle in a fresh `node` process (median of N).
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { median } from './measure.js'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const outDir = join(root, '.bench-out')

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123'
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`
const AUDIENCE = '4kfe0ooc2nq6ddsm8bccjj8q6e'

/** The handler files, each the same function with a different verifier. */
const handlers = {
  'middy only (baseline)': `
import middy from '@middy/core'
export const handler = middy().handler(async () => ({ statusCode: 200, body: 'ok' }))
`,
  'middy + @middy-auth/jwt-verify': `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
export const handler = middy()
  .use(jwtVerify({ issuers: [{ issuer: '${ISSUER}', audience: '${AUDIENCE}', jwksUri: '${JWKS_URI}' }] }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  'middy + jwt-verify + oauth-scope + rbac': `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac from '@middy-auth/rbac'
const policy = { roles: { reader: { allow: ['orders:read'] }, admin: { inherits: ['reader'], allow: ['orders:*'] } } }
export const handler = middy()
  .use(jwtVerify({ issuers: [{ issuer: '${ISSUER}', audience: '${AUDIENCE}', jwksUri: '${JWKS_URI}' }] }))
  .use(oauthScope({ required: ['orders:read'] }))
  .use(rbac({ policy, rolesFrom: 'cognito:groups', required: 'orders:read' }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  'middy + @middy-auth/jwt-verify, local jwks (no prefetch)': `
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
const jwk = { kty: 'EC', crv: 'P-256', kid: 'k1', use: 'sig', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }
export const handler = middy()
  .use(jwtVerify({ issuers: [{ issuer: '${ISSUER}', audience: '${AUDIENCE}', jwks: { keys: [jwk] } }] }))
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  'middy + aws-jwt-verify': `
import middy from '@middy/core'
import { JwtVerifier } from 'aws-jwt-verify'
const verifier = JwtVerifier.create({ issuer: '${ISSUER}', audience: '${AUDIENCE}', jwksUri: '${JWKS_URI}' })
const awsJwtVerifyBefore = async (request) => {
  const header = request.event.headers?.authorization ?? ''
  const payload = await verifier.verify(header.replace(/^Bearer /i, ''))
  request.context.auth = { subject: payload.sub, claims: payload }
}
export const handler = middy()
  .use({ before: awsJwtVerifyBefore })
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
  'middy + jwks-rsa (reference)': `
import { createPublicKey, verify } from 'node:crypto'
import middy from '@middy/core'
import { JwksClient } from 'jwks-rsa'
const client = new JwksClient({ jwksUri: '${JWKS_URI}' })
const jwksRsaBefore = async (request) => {
  const token = (request.event.headers?.authorization ?? '').replace(/^Bearer /i, '')
  const [h, p, s] = token.split('.')
  const header = JSON.parse(Buffer.from(h, 'base64url').toString())
  const key = await client.getSigningKey(header.kid)
  if (!verify('sha256', Buffer.from(h + '.' + p), createPublicKey(key.getPublicKey()), Buffer.from(s, 'base64url'))) throw new Error('Unauthorized')
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString())
  request.context.auth = { subject: payload.sub, claims: payload }
}
export const handler = middy()
  .use({ before: jwksRsaBefore })
  .handler(async (event, context) => ({ statusCode: 200, body: context.auth.subject }))
`,
}

// CommonJS dependencies (jwks-rsa's) call require() for built-ins, which an ESM bundle lacks.
const requireBanner = "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);"

const childSource = `
const url = process.argv[2]
const t0 = performance.now()
await import(url)
const t1 = performance.now()
await new Promise((resolve) => setImmediate(resolve))
const t2 = performance.now()
process.stdout.write(JSON.stringify({ importMs: t1 - t0, settledMs: t2 - t0 }))
process.exit(0)
`

/** The npm package a bundled file comes from (workspace packages resolve to packages/<name>). */
const packageOf = (path) => {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (dependency) return dependency[1]
  const workspace = /packages\/([^/]+)\//.exec(path)
  return workspace ? `@middy-auth/${workspace[1]}` : 'handler'
}

const slug = (name) => name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()

/**
 * @param {{ runs: number }} settings
 */
export const bundles = async ({ runs }) => {
  const dir = join(outDir, 'bundles')
  await mkdir(dir, { recursive: true })
  const child = join(dir, 'import-child.mjs')
  await writeFile(child, childSource)
  const rows = []
  for (const [name, source] of Object.entries(handlers)) {
    const entry = join(dir, `${slug(name)}.entry.mjs`)
    const outfile = join(dir, `${slug(name)}.bundle.mjs`)
    await writeFile(entry, source)
    const needsRequire = name.includes('jwks-rsa')
    const options = {
      entryPoints: [entry],
      outfile,
      metafile: true,
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'silent',
      ...(needsRequire ? { banner: { js: requireBanner } } : {}),
    }
    let metafile
    try {
      ({ metafile } = await build(options))
    } catch (error) {
      // A package of the handler is not built (yet): the row says so.
      rows.push({ name, skipped: error.errors?.[0]?.text ?? error.message })
      continue
    }
    const bytes = await readFile(outfile)
    // Bytes each package's files contribute to the minified bundle.
    const inputs = Object.values(metafile.outputs)[0].inputs
    const byPackage = new Map()
    for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
      const label = packageOf(path)
      byPackage.set(label, (byPackage.get(label) ?? 0) + bytesInOutput)
    }
    const largest = Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 8)
      .map(([path, { bytesInOutput }]) => ({ file: path.replace(/^(\.\.\/)+/, ''), bytes: bytesInOutput }))
    rows.push({
      name, outfile, minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, banner: needsRequire,
      packages: Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1])), largest, importMs: [], settledMs: [],
    })
  }
  // Round-robin over the bundles, so that a slow moment of the machine hits them alike.
  for (let i = 0; i < runs; i++) {
    for (const row of rows.filter((r) => !r.skipped)) {
      const { stdout } = await run(process.execPath, [child, pathToFileURL(row.outfile).href], { timeout: 30_000 })
      const { importMs, settledMs } = JSON.parse(stdout)
      row.importMs.push(importMs)
      row.settledMs.push(settledMs)
    }
  }
  return rows.map((row) => (row.skipped ? row : { ...row, importMedian: median(row.importMs), settledMedian: median(row.settledMs) }))
}
