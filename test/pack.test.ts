import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * What a user gets from npm: the published tarballs of @middy-auth/core and
 * @middy-auth/jwt-verify, installed into a fresh project outside the monorepo (no workspace
 * links, no hoisted devDependencies), type-checked with the user's tsconfig and run.
 *
 * Set PACK_TEST_KEEP=1 to keep the temporary directory for inspection.
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const tscBin = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
const packages = {
  core: { dir: 'packages/core', name: '@middy-auth/core' },
  jwtVerify: { dir: 'packages/jwt-verify', name: '@middy-auth/jwt-verify' },
} as const

const ISSUER = 'https://issuer.example.com'
const AUDIENCE = 'api'
const KID = 'pack-test-key'

/**
 * The environment of every child process: this Node first on PATH (npm's `#!/usr/bin/env node`
 * then runs on it), and none of the variables `npm test` / Jest set (`npm_package_*`,
 * `npm_lifecycle_*`, `NODE_OPTIONS=--experimental-vm-modules`, …) so that npm in the
 * temporary project behaves as in a user's shell. The cache and registry settings are kept.
 */
const childEnv = (): NodeJS.ProcessEnv => {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig'])
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase()
    if (lower.startsWith('npm_') && !keep.has(lower)) continue
    if (key === 'NODE_OPTIONS' || key === 'INIT_CWD' || key.startsWith('JEST_')) continue
    env[key] = value
  }
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter)
  return env
}

interface RunResult {
  status: number | null
  stdout: string
  stderr: string
  /** The command, for failure messages. */
  describe: string
}

const run = (
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutSeconds: number,
  extraEnv: Record<string, string> = {},
): RunResult => {
  const started = Date.now()
  const result = spawnSync(command, args, {
    cwd,
    env: { ...childEnv(), ...extraEnv },
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    maxBuffer: 32 * 1024 * 1024,
  })
  const describe = `\`${[command, ...args].join(' ')}\` in ${cwd}`
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT'
  if (timedOut || result.signal) {
    throw new Error(`${describe} was stopped (${result.signal ?? 'timeout'}) after ${Date.now() - started} ms (timeout ${timeoutSeconds} s)\n--- stderr\n${result.stderr}`)
  }
  if (result.error) throw new Error(`${describe} could not run: ${result.error.message}`)
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, describe }
}

/** Runs a command that must succeed; returns its stdout. */
const runOk = (command: string, args: readonly string[], cwd: string, timeoutSeconds: number): string => {
  const result = run(command, args, cwd, timeoutSeconds)
  if (result.status !== 0) {
    throw new Error(`${result.describe} exited with ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
  }
  return result.stdout
}

const tsc = (cwd: string, project: string): RunResult => run(process.execPath, [tscBin, '-p', project, '--pretty', 'false'], cwd, 90)

/** tsc's output (`--pretty false`) as one string per diagnostic, with its indented continuation lines. */
const diagnostics = (output: string): string[] =>
  output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .reduce<string[]>((all, line) => {
      if (/^\s/.test(line) && all.length > 0) all[all.length - 1] += `\n${line}`
      else all.push(line)
      return all
    }, [])

const readJson = <T = Record<string, any>>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T

interface PackResult {
  name: string
  version: string
  filename: string
  files: { path: string }[]
}

/** The public key the handler trusts (exported by node:crypto, plus kid and alg) and its private half. */
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }
const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

/** The user's code: a middy handler with jwtVerify and a typed claim, and a Cognito preset. */
const handlerTs = `import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import jwtVerify, { cognitoIssuer, type IssuerConfig } from '@middy-auth/jwt-verify'

export const handler = middy()
  .use(httpErrorHandler())
  .use(
    jwtVerify<{ email: string }>({
      issuers: [
        {
          issuer: '${ISSUER}',
          audience: '${AUDIENCE}',
          jwks: { keys: [${JSON.stringify(publicJwk)}] },
        },
      ],
    }),
  )
  .handler(async (_event, context) => ({ statusCode: 200, body: context.auth.claims.email }))

// Type-checks the preset import (the handler above does not use it: it would fetch Cognito's keys).
export const cognito: IssuerConfig = cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'access' })
`

/**
 * Code that must NOT compile: each `@ts-expect-error` must be used, or tsc fails. The same file
 * without the directives is compiled too, and must fail for the expected reasons.
 */
const badTs = `import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'

const jwks = { keys: [] }

// Never called: these only have to compile (with the errors below expected).
export const missingAudience = () =>
  // @ts-expect-error 'audience' is required (write audience: null to skip the check on purpose)
  jwtVerify({ issuers: [{ issuer: '${ISSUER}', jwks }] })

export const typedClaims = () =>
  middy()
    .use(jwtVerify<{ email: string }>({ issuers: [{ issuer: '${ISSUER}', audience: '${AUDIENCE}', jwks }] }))
    .handler(async (_event, context) => {
      // @ts-expect-error claims.email is a string: the generic reaches context.auth.claims
      const email: number = context.auth.claims.email
      return email
    })
`

/** The jwks-rsa subpath: its types resolve through package.json "exports" (jwks-rsa itself is not installed). */
const subpathTs = `import type { JwksRsaResolverOptions } from '@middy-auth/jwt-verify/jwks-rsa'

export const resolverOptions: JwksRsaResolverOptions = { cooldownMs: 30_000 }
`

/** The user's tsconfig. */
const tsconfig = {
  compilerOptions: {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2023',
    outDir: 'dist',
    // skipLibCheck: false would fail on third-party declarations, not ours:
    // - @middy/core's index.d.ts imports types from '@aws/durable-execution-sdk-js', an optional
    //   peer dependency a plain HTTP handler does not install;
    // - @types/aws-lambda's handler.d.ts imports 'node:stream', so it needs @types/node.
    // Our own declarations are still checked with skipLibCheck: false, in tsconfig.libcheck.json.
    skipLibCheck: true,
  },
  files: ['handler.ts', 'bad.ts', 'subpath.ts'],
}

/**
 * skipLibCheck: false, with the repository's @types/node (through typeRoots: nothing is
 * installed): every error must come from a third-party declaration, none from
 * node_modules/@middy-auth/ nor from the user's files.
 */
const tsconfigLibcheck = {
  extends: './tsconfig.json',
  compilerOptions: {
    skipLibCheck: false,
    noEmit: true,
    typeRoots: [join(repoRoot, 'node_modules', '@types')],
    types: ['node'],
  },
  // Not subpath.ts: jwks-rsa.d.ts imports types from 'jwks-rsa', an optional peer not installed here.
  files: ['handler.ts', 'bad.ts'],
}

/** bad.ts without its @ts-expect-error directives: must not compile. */
const tsconfigNegative = {
  extends: './tsconfig.json',
  compilerOptions: { noEmit: true },
  files: ['bad-unmarked.ts'],
}

/**
 * Run by the Node of `npm test` in the temporary project: signs RS256 JWTs with node:crypto,
 * invokes the compiled handler with HTTP API (v2) events, prints one JSON line.
 */
const invokeMjs = `import { createPrivateKey, sign } from 'node:crypto'
import { handler } from './dist/handler.js'

const key = createPrivateKey(process.env.PACK_TEST_PRIVATE_KEY)
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = Math.floor(Date.now() / 1000)
const claims = { iss: '${ISSUER}', aud: '${AUDIENCE}', sub: 'user-1', email: 'ada@example.com', iat: now, exp: now + 300 }
const header = b64({ alg: 'RS256', typ: 'JWT', kid: '${KID}' })
const payload = b64(claims)
const signature = sign('sha256', Buffer.from(header + '.' + payload), key).toString('base64url')
const valid = header + '.' + payload + '.' + signature
// Same header and signature, another email: the signature no longer matches.
const tampered = header + '.' + b64({ ...claims, email: 'eve@example.com' }) + '.' + signature

const context = {
  functionName: 'pack-test',
  functionVersion: '$LATEST',
  awsRequestId: 'pack-test-request',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000,
}
const event = (headers) => ({ version: '2.0', headers, requestContext: { http: { method: 'GET' } } })
const invoke = (headers) => handler(event(headers), { ...context })

const subpath = await import('@middy-auth/jwt-verify/jwks-rsa')
const result = {
  valid: await invoke({ authorization: 'Bearer ' + valid }),
  tampered: await invoke({ authorization: 'Bearer ' + tampered }),
  missing: await invoke({}),
  subpath: { resolved: import.meta.resolve('@middy-auth/jwt-verify/jwks-rsa'), jwksRsaResolver: typeof subpath.jwksRsaResolver },
}
process.stdout.write(JSON.stringify(result) + '\\n')
`

describe('npm pack: the published tarballs work in a fresh project', () => {
  let tmp: string
  let tarballs: Partial<Record<keyof typeof packages, { path: string; files: string[] }>> = {}
  let projectDir: string
  let installed = false
  let compiled = false

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'middy-auth-pack-'))
    projectDir = join(tmp, 'project')
    tarballs = {}
  })

  afterAll(() => {
    if (process.env.PACK_TEST_KEEP === '1') console.log(`pack test: kept ${tmp}`)
    else if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  const needTarballs = () => {
    const { core, jwtVerify } = tarballs
    if (!core || !jwtVerify) throw new Error('npm pack did not produce the tarballs (see the first failing test)')
    return { core, jwtVerify }
  }
  const needInstalled = () => {
    if (!installed) throw new Error('the temporary project was not installed (see the first failing test)')
  }
  const needCompiled = () => {
    if (!compiled) throw new Error('the temporary project did not compile (see the first failing test)')
  }

  test('npm pack: dist, types and README are in; sources, tests, build info and maps are out', () => {
    const missing = [
      'packages/core/dist/index.js',
      'packages/core/dist/index.d.ts',
      'packages/jwt-verify/dist/index.js',
      'packages/jwt-verify/dist/index.d.ts',
      'packages/jwt-verify/dist/jwks-rsa.js',
    ].filter((file) => !existsSync(join(repoRoot, file)))
    if (missing.length > 0) {
      throw new Error(`not built: ${missing.join(', ')} missing. Run \`npx tsc -b\` first (\`npm test\` does).`)
    }

    const packDir = join(tmp, 'tarballs')
    mkdirSync(packDir)
    const stdout = runOk(
      'npm',
      ['pack', '--workspace', packages.core.dir, '--workspace', packages.jwtVerify.dir, '--pack-destination', packDir, '--json'],
      repoRoot,
      90,
    )
    let packed: PackResult[]
    try {
      packed = JSON.parse(stdout) as PackResult[]
    } catch {
      throw new Error(`npm pack --json printed something that is not JSON:\n${stdout}`)
    }
    expect(packed.map((p) => p.name).sort()).toEqual([packages.core.name, packages.jwtVerify.name])

    for (const [key, { name }] of Object.entries(packages) as [keyof typeof packages, (typeof packages)[keyof typeof packages]][]) {
      const entry = packed.find((p) => p.name === name)!
      const files = entry.files.map((f) => f.path).sort()
      const path = join(packDir, entry.filename)
      expect(existsSync(path)).toBe(true)
      tarballs[key] = { path, files }

      const required = ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']
      if (key === 'jwtVerify') required.push('dist/jwks-rsa.js', 'dist/jwks-rsa.d.ts')
      expect({ name, missing: required.filter((f) => !files.includes(f)) }).toEqual({ name, missing: [] })

      const forbidden = (f: string) =>
        /^src\//.test(f) || /(^|\/)(test|tests|__tests__)\//.test(f) || /\.tsbuildinfo$/.test(f) || /\.map$/.test(f) || /^tsconfig.*\.json$/.test(f)
      expect({ name, forbidden: files.filter(forbidden) }).toEqual({ name, forbidden: [] })

      // Every module ships with its declarations.
      const untyped = files.filter((f) => f.endsWith('.js') && !files.includes(f.replace(/\.js$/, '.d.ts')))
      expect({ name, untyped }).toEqual({ name, untyped: [] })
    }
  }, 180_000)

  test('npm install of the two tarballs: nothing else of ours, no jose, no jwks-rsa', () => {
    const { core, jwtVerify } = needTarballs()
    mkdirSync(projectDir)
    writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ type: 'module', private: true }, null, 2) + '\n')
    runOk(
      'npm',
      [
        'install', '--no-audit', '--no-fund', '--prefer-offline',
        core.path, jwtVerify.path,
        '@middy/core@^7', '@middy/http-error-handler@^7', '@types/aws-lambda',
      ],
      projectDir,
      150,
    )
    installed = true

    const nodeModules = join(projectDir, 'node_modules')
    for (const name of ['jose', 'jwks-rsa', '@middy-auth/testing']) {
      expect({ name, installed: existsSync(join(nodeModules, name)) }).toEqual({ name, installed: false })
    }
    // Nor nested anywhere, and both of ours come from the tarballs (not from a registry).
    const lock = readJson<{ packages: Record<string, { version?: string; resolved?: string }> }>(join(projectDir, 'package-lock.json'))
    const locations = Object.keys(lock.packages).filter((location) => location !== '')
    expect(locations.filter((l) => /node_modules\/(jose|jwks-rsa|@middy-auth\/testing)$/.test(l))).toEqual([])
    expect(locations.filter((l) => l.includes('@middy-auth/')).sort()).toEqual([
      'node_modules/@middy-auth/core',
      'node_modules/@middy-auth/jwt-verify',
    ])
    expect(lock.packages['node_modules/@middy-auth/core']?.resolved).toMatch(/^file:.*middy-auth-core-0\.1\.0\.tgz$/)
    expect(lock.packages['node_modules/@middy-auth/jwt-verify']?.resolved).toMatch(/^file:.*middy-auth-jwt-verify-0\.1\.0\.tgz$/)

    // The published manifests: no workspace or local-path specifiers, and every export target shipped.
    for (const { name } of Object.values(packages)) {
      const dir = join(nodeModules, name)
      const manifest = readJson(join(dir, 'package.json'))
      const specs = { ...manifest.dependencies, ...manifest.peerDependencies } as Record<string, string>
      const local = Object.entries(specs).filter(([, spec]) => /^(workspace|file|link):/.test(spec))
      expect({ name, local }).toEqual({ name, local: [] })
      const targets = Object.values(manifest.exports as Record<string, Record<string, string>>).flatMap((conditions) => Object.values(conditions))
      targets.push(manifest.types as string)
      expect({ name, absent: targets.filter((target) => !existsSync(join(dir, target))) }).toEqual({ name, absent: [] })
    }

    // The jwks-rsa subpath is exported, with types (jwks-rsa itself stays the user's choice).
    const jwtManifest = readJson(join(nodeModules, packages.jwtVerify.name, 'package.json'))
    expect(jwtManifest.exports['./jwks-rsa']).toEqual({ types: './dist/jwks-rsa.d.ts', default: './dist/jwks-rsa.js' })
    expect(jwtManifest.peerDependenciesMeta?.['jwks-rsa']?.optional).toBe(true)
  }, 180_000)

  test('tsc in the project: the handler compiles; wrong options and wrong claim types do not', () => {
    needInstalled()
    writeFileSync(join(projectDir, 'handler.ts'), handlerTs)
    writeFileSync(join(projectDir, 'bad.ts'), badTs)
    writeFileSync(join(projectDir, 'subpath.ts'), subpathTs)
    writeFileSync(join(projectDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n')

    const main = tsc(projectDir, 'tsconfig.json')
    expect({ status: main.status, output: main.stdout + main.stderr }).toEqual({ status: 0, output: '' })
    expect(existsSync(join(projectDir, 'dist', 'handler.js'))).toBe(true)
    compiled = true

    // The @ts-expect-error lines fail for the expected reasons, not for another error on the same line.
    writeFileSync(join(projectDir, 'bad-unmarked.ts'), badTs.replace(/^\s*\/\/ @ts-expect-error.*\n/gm, ''))
    writeFileSync(join(projectDir, 'tsconfig.negative.json'), JSON.stringify(tsconfigNegative, null, 2) + '\n')
    const negative = tsc(projectDir, 'tsconfig.negative.json')
    const errors = diagnostics(negative.stdout)
    expect(negative.status).not.toBe(0)
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatch(/^bad-unmarked\.ts\(8,\d+\): error TS\d+: [^]*Property 'audience' is missing/)
    expect(errors[1]).toMatch(/^bad-unmarked\.ts\(14,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/)

    // Our declarations pass skipLibCheck: false (given @types/node); only third-party ones may not.
    writeFileSync(join(projectDir, 'tsconfig.libcheck.json'), JSON.stringify(tsconfigLibcheck, null, 2) + '\n')
    const libcheck = tsc(projectDir, 'tsconfig.libcheck.json')
    const ours = diagnostics(libcheck.stdout + libcheck.stderr).filter(
      (d) => !d.startsWith('node_modules/') || d.startsWith('node_modules/@middy-auth/'),
    )
    expect(ours).toEqual([])
  }, 180_000)

  test('the compiled handler at runtime: 200 with the claim; 401 invalid_token with WWW-Authenticate', () => {
    needCompiled()
    writeFileSync(join(projectDir, 'invoke.mjs'), invokeMjs)
    const result = run(process.execPath, ['invoke.mjs'], projectDir, 60, { PACK_TEST_PRIVATE_KEY: privatePem })
    const stdout = result.stdout.trim().split('\n').at(-1) ?? ''
    if (result.status !== 0 || !stdout.startsWith('{')) {
      throw new Error(`${result.describe} exited with ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
    }
    const out = JSON.parse(stdout) as Record<string, any>

    expect(out.valid).toEqual({ statusCode: 200, body: 'ada@example.com' })

    expect(out.tampered.statusCode).toBe(401)
    expect(out.tampered.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/)
    expect(JSON.parse(out.tampered.body)).toMatchObject({ error: 'invalid_token' })

    expect(out.missing.statusCode).toBe(401)
    expect(out.missing.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api"/)

    // The subpath resolves through "exports" and loads without jwks-rsa (it only imports its types).
    expect(out.subpath).toEqual({
      resolved: expect.stringMatching(/\/node_modules\/@middy-auth\/jwt-verify\/dist\/jwks-rsa\.js$/),
      jwksRsaResolver: 'function',
    })
  }, 180_000)
})
