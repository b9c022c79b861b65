import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { diagnostics, inPool, run, runOk, type RunResult } from './support/child-process.js'

/**
 * What a user gets from npm: every package packed as `npm publish` would pack it (its `prepack`
 * build included), linted (publint, Are the Types Wrong), then installed ALONE into a fresh
 * project outside the monorepo: its own tarball, the tarballs of the middy-auth packages it
 * declares (through `overrides`, as npm would fetch them from the registry), and its peer
 * dependencies from the registry. Nothing hoisted from the workspace, nothing of a sibling.
 * There, tsc resolves every entry point under `NodeNext` and under `Bundler`, and Node imports
 * each one; jwt-verify's project also compiles and runs a real handler.
 *
 * Set PACK_TEST_KEEP=1 to keep the temporary directory for inspection.
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const tscBin = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
const readJson = <T = Record<string, any>>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T

interface Manifest {
  name: string
  version: string
  exports: Record<string, { types: string; default: string }>
  types?: string
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  [field: string]: unknown
}

interface Package {
  dir: string
  manifest: Manifest
  /** `@middy-auth/core`, `@middy-auth/core/internal`, … */
  entryPoints: string[]
}

const packages: Package[] = readdirSync(join(repoRoot, 'packages'))
  .sort()
  .map((dir) => {
    const manifest = readJson<Manifest>(join(repoRoot, 'packages', dir, 'package.json'))
    const entryPoints = Object.keys(manifest.exports).map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`))
    return { dir, manifest, entryPoints }
  })
const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]))

/** What every package says about itself on npm (one repository, one issue tracker, the Node versions CI tests). */
const REPOSITORY = 'https://github.com/middy-auth/middy-auth'
const ENGINES = { node: '^22.0.0 || ^24.0.0' }

/**
 * The optional peers a subpath exists for: only that entry point may load them, so that the root
 * entry works without them (jwks-rsa's adapter only imports its types).
 */
const subpathPeers: Record<string, string[]> = {
  '@middy-auth/jwt-verify/jwks-rsa': ['jwks-rsa'],
  '@middy-auth/jwt-verify/dynamodb-replay-store': ['@aws-sdk/client-dynamodb'],
  '@middy-auth/testing/oidc-provider': ['oidc-provider'],
}

/** The middy-auth packages a package depends on, directly or through another of ours. */
const ourDependencies = (name: string): string[] => {
  const direct = Object.keys(byName.get(name)!.manifest.dependencies ?? {}).filter((dep) => byName.has(dep))
  return [...new Set(direct.flatMap((dep) => [dep, ...ourDependencies(dep)]))].sort()
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

interface Tarball {
  path: string
  files: string[]
}

/** Run by Node in a package's project: imports one entry point and says what it loaded. */
const loadMjs = `import { registerHooks } from 'node:module'

const specifier = process.argv[2]
// The packages our files import by name (their own relative imports and node: builtins aside).
const imported = new Set()
registerHooks({
  resolve(request, context, nextResolve) {
    if (context.parentURL?.includes('/node_modules/@middy-auth/') && !/^(\\.|node:|#)/.test(request)) imported.add(request)
    return nextResolve(request, context)
  },
})
const loaded = await import(specifier)
process.stdout.write(JSON.stringify({ resolved: import.meta.resolve(specifier), exports: Object.keys(loaded).sort(), imported: [...imported].sort() }) + '\\n')
`

describe('the packages as npm publishes them', () => {
  let tmp: string
  const tarballs = new Map<string, Tarball>()
  /** Each package's project, once its install succeeded. */
  const projects = new Map<string, string>()

  /** What each entry point exports in the sources (through Jest's mapping to src/), sorted. */
  const sourceExports = new Map<string, string[]>()

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'middy-auth-pack-'))
    // One at a time: Jest's ES module linker (on Node 22) fails on concurrent imports of one graph.
    for (const { entryPoints } of packages) {
      for (const specifier of entryPoints) sourceExports.set(specifier, Object.keys((await import(specifier)) as object).sort())
    }
  }, 120_000)

  afterAll(() => {
    if (process.env.PACK_TEST_KEEP === '1') console.log(`pack test: kept ${tmp}`)
    else if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  const needTarballs = () => {
    if (tarballs.size !== packages.length) throw new Error('npm pack did not produce every tarball (see the first failing test)')
  }
  const needProject = (name: string): string => {
    const project = projects.get(name)
    if (!project) throw new Error(`${name} was not installed into its project (see the install test)`)
    return project
  }

  test('npm pack (prepack builds): dist, types, README, LICENSE and CHANGELOG are in; sources, tests, build info and maps are out', async () => {
    const packDir = join(tmp, 'tarballs')
    mkdirSync(packDir)
    const stdout = await runOk(
      'npm',
      ['pack', ...packages.flatMap((pkg) => ['--workspace', `packages/${pkg.dir}`]), '--pack-destination', packDir, '--json'],
      repoRoot,
      240,
    )
    // prepack's output (tsc -b) precedes the JSON when there is any.
    const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as { name: string; filename: string; files: { path: string }[] }[]
    expect(packed.map((entry) => entry.name).sort()).toEqual([...byName.keys()].sort())

    const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8')
    const report: Record<string, Record<string, string[]>> = {}
    for (const entry of packed) {
      const pkg = byName.get(entry.name)!
      const files = entry.files.map((file) => file.path).sort()
      tarballs.set(entry.name, { path: join(packDir, entry.filename), files })

      const targets = [...Object.values(pkg.manifest.exports).flatMap((conditions) => Object.values(conditions)), pkg.manifest.types ?? '']
      const required = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', ...targets.map((target) => target.replace(/^\.\//, ''))]
      const forbidden = (file: string) =>
        /^src\//.test(file) ||
        /(^|\/)(test|tests|__tests__)\//.test(file) ||
        /\.tsbuildinfo$/.test(file) ||
        /\.map$/.test(file) ||
        /^tsconfig.*\.json$/.test(file)
      report[entry.name] = {
        missing: required.filter((file) => !files.includes(file)),
        forbidden: files.filter(forbidden),
        // Every module ships with its declarations.
        untyped: files.filter((file) => file.endsWith('.js') && !files.includes(file.replace(/\.js$/, '.d.ts'))),
        // The package's LICENSE is the repository's, word for word.
        licenseDiffers: readFileSync(join(repoRoot, 'packages', pkg.dir, 'LICENSE'), 'utf8') === license ? [] : ['LICENSE'],
      }
    }
    const clean = Object.fromEntries(packages.map(({ manifest }) => [manifest.name, { missing: [], forbidden: [], untyped: [], licenseDiffers: [] }]))
    expect(report).toEqual(clean)
  }, 300_000)

  test('publint and Are the Types Wrong: every tarball and every entry point is clean', async () => {
    needTarballs()
    const paths = [...tarballs.values()].map((tarball) => tarball.path)
    const result = await run(process.execPath, [join(repoRoot, 'scripts', 'check-tarballs.mjs'), ...paths], repoRoot, 180)
    expect({ status: result.status, stderr: result.stderr, notOk: result.stdout.split('\n').filter((line) => /^not ok|^ {2}/.test(line)) }).toEqual({
      status: 0,
      stderr: '',
      notOk: [],
    })
    // Every package, with every entry point of its exports map.
    const checked = result.stdout.trim().split('\n').sort()
    expect(checked).toEqual(
      packages.map(({ manifest }) =>
        expect.stringMatching(
          new RegExp(
            `^ok ${manifest.name}@${manifest.version} \\(.*\\): ${Object.keys(manifest.exports)
              .map((s) => s.replace(/[.]/g, '\\.'))
              .join(' ')}$`,
          ),
        ),
      ),
    )
  }, 180_000)

  test('the checks can fail: a tarball whose types are missing is refused', async () => {
    const broken = join(tmp, 'broken')
    mkdirSync(join(broken, 'dist'), { recursive: true })
    writeFileSync(join(broken, 'dist', 'index.js'), 'export const x = 1\n')
    writeFileSync(
      join(broken, 'package.json'),
      JSON.stringify({
        name: 'broken-types',
        version: '1.0.0',
        type: 'module',
        license: 'MIT',
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
        files: ['dist'],
      }),
    )
    const stdout = await runOk('npm', ['pack', '--json', '--pack-destination', broken], broken, 60)
    const [packed] = JSON.parse(stdout) as { filename: string }[]
    const result = await run(process.execPath, [join(repoRoot, 'scripts', 'check-tarballs.mjs'), join(broken, packed!.filename)], repoRoot, 120)
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(/^not ok broken-types@1\.0\.0/)
    expect(result.stdout).toMatch(/publint error FILE_DOES_NOT_EXIST/)
  }, 120_000)

  test('the published manifests: repository, homepage, bugs, keywords, license, public access, prepack, engines, peers in step', () => {
    needTarballs()
    const report = Object.fromEntries(
      packages.map(({ dir, manifest }) => {
        const deps = { ...manifest.dependencies, ...manifest.peerDependencies }
        return [
          manifest.name,
          {
            repository: manifest.repository,
            homepage: manifest.homepage,
            bugs: manifest.bugs,
            hasKeywords: Array.isArray(manifest.keywords) && manifest.keywords.includes('middy') && manifest.keywords.length > 3,
            license: manifest.license,
            publishConfig: manifest.publishConfig,
            prepack: (manifest.scripts as Record<string, string> | undefined)?.prepack,
            engines: manifest.engines,
            sideEffects: manifest.sideEffects,
            type: manifest.type,
            // No workspace or local-path specifiers reach npm.
            localSpecifiers: Object.entries(deps).filter(([, spec]) => /^(workspace|file|link):/.test(spec)),
            // @middy/util is released with @middy/core: one range for both.
            middyInStep:
              manifest.dependencies?.['@middy/util'] === undefined || manifest.dependencies['@middy/util'] === manifest.peerDependencies?.['@middy/core'],
            // Our own packages at exactly this release.
            ours: Object.entries(manifest.dependencies ?? {}).filter(([dep, spec]) => byName.has(dep) && spec !== manifest.version),
            readme: {
              relativeLinks: [...readFileSync(join(repoRoot, 'packages', dir, 'README.md'), 'utf8').matchAll(/\]\((?!https?:|#|mailto:)([^)\s]+)\)/g)].map(
                (m) => m[1],
              ),
            },
          },
        ]
      }),
    )
    const expected = Object.fromEntries(
      packages.map(({ dir, manifest }) => [
        manifest.name,
        {
          repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${dir}` },
          homepage: `${REPOSITORY}/tree/main/packages/${dir}#readme`,
          bugs: { url: `${REPOSITORY}/issues` },
          hasKeywords: true,
          license: 'MIT',
          publishConfig: { access: 'public' },
          prepack: 'tsc -b',
          engines: ENGINES,
          sideEffects: false,
          type: 'module',
          localSpecifiers: [],
          middyInStep: true,
          ours: [],
          readme: { relativeLinks: [] },
        },
      ]),
    )
    expect(report).toEqual(expected)
  })

  test('each tarball installs alone: itself, the middy-auth packages it declares, its peers from the registry', async () => {
    needTarballs()
    const results = await inPool(packages, 3, async ({ dir, manifest }) => {
      const project = join(tmp, 'projects', dir)
      mkdirSync(project, { recursive: true })
      const peers = Object.entries(manifest.peerDependencies ?? {}).map(([name, range]) => [name, range] as const)
      // jwt-verify's project also runs a handler behind @middy/http-error-handler (below).
      if (manifest.name === '@middy-auth/jwt-verify') peers.push(['@middy/http-error-handler', manifest.peerDependencies!['@middy/core']!])
      const ours = ourDependencies(manifest.name)
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify(
          {
            name: `pack-test-${dir}`,
            private: true,
            type: 'module',
            dependencies: { [manifest.name]: `file:${tarballs.get(manifest.name)!.path}`, ...Object.fromEntries(peers) },
            // As the registry would serve them, were they published.
            overrides: Object.fromEntries(ours.map((name) => [name, `file:${tarballs.get(name)!.path}`])),
          },
          null,
          2,
        ) + '\n',
      )
      await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project, 240)

      const lock = readJson<{ packages: Record<string, { resolved?: string }> }>(join(project, 'package-lock.json'))
      const installedOurs = Object.keys(lock.packages).filter((location) => /(^|\/)node_modules\/@middy-auth\//.test(location))
      return {
        project,
        installed: installedOurs.sort(),
        fromTarballs: installedOurs.every((location) => /^file:.*\.tgz$/.test(lock.packages[location]!.resolved ?? '')),
        expected: [manifest.name, ...ours].map((name) => `node_modules/${name}`).sort(),
      }
    })
    const report = Object.fromEntries(
      packages.map(({ manifest }, index) => {
        const result = results[index]!
        if (result.status === 'rejected') return [manifest.name, String(result.reason)]
        projects.set(manifest.name, result.value.project)
        return [manifest.name, { installed: result.value.installed, fromTarballs: result.value.fromTarballs }]
      }),
    )
    expect(report).toEqual(
      Object.fromEntries(
        packages.map(({ manifest }) => [
          manifest.name,
          { installed: [manifest.name, ...ourDependencies(manifest.name)].map((name) => `node_modules/${name}`).sort(), fromTarballs: true },
        ]),
      ),
    )
  }, 600_000)

  test.each(['NodeNext', 'Bundler'] as const)(
    'tsc (moduleResolution %s): every entry point resolves with its declared values; under NodeNext our declarations compile with skipLibCheck: false',
    async (moduleResolution) => {
      const results = await inPool(packages, 2, async ({ dir, manifest, entryPoints }) => {
        const project = needProject(manifest.name)
        // Each value an entry point exports, imported by name: its declaration must have it.
        const source = entryPoints
          .map((specifier, index) => {
            const values = sourceExports.get(specifier)!.filter((name) => name !== 'default')
            return (
              `import * as entry${index} from '${specifier}'\nexport type Entry${index} = typeof entry${index}\n` +
              (values.length > 0 ? `export { ${values.map((value) => `${value} as ${value}${index}`).join(', ')} } from '${specifier}'\n` : '')
            )
          })
          .join('')
        const file = `types-${moduleResolution.toLowerCase()}.ts`
        writeFileSync(join(project, file), source)
        // Only the type packages the package names as peers: Node's only where its declarations need them.
        const types = Object.keys(manifest.peerDependencies ?? {})
          .filter((peer) => peer.startsWith('@types/'))
          .map((peer) => peer.slice('@types/'.length))
        const tsconfig = {
          compilerOptions: {
            strict: true,
            target: 'ES2023',
            module: moduleResolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
            moduleResolution,
            noEmit: true,
            // Our declarations are checked in full once, under NodeNext; under Bundler, what counts
            // is that every entry point resolves (attw checks the files they import, too).
            skipLibCheck: moduleResolution === 'Bundler',
            types,
          },
          files: [file],
        }
        writeFileSync(join(project, `tsconfig.${moduleResolution.toLowerCase()}.json`), JSON.stringify(tsconfig, null, 2) + '\n')
        const result = await run(process.execPath, [tscBin, '-p', `tsconfig.${moduleResolution.toLowerCase()}.json`, '--pretty', 'false'], project, 180)
        // Third-party declarations may fail on their own (@middy/core's optional durable-execution
        // peer, @types/aws-lambda's node:stream): only ours and the user's file count.
        const ours = diagnostics(result.stdout + result.stderr).filter(
          (line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@middy-auth/'),
        )
        return { dir, errors: ours }
      })
      const report = Object.fromEntries(
        packages.map(({ manifest }, index) => {
          const result = results[index]!
          return [manifest.name, result.status === 'rejected' ? [String(result.reason)] : result.value.errors]
        }),
      )
      expect(report).toEqual(Object.fromEntries(packages.map(({ manifest }) => [manifest.name, []])))
    },
    600_000,
  )

  test('node imports every entry point from its tarball: the exports of the sources, and no package it does not declare', async () => {
    const entries = packages.flatMap((pkg) => pkg.entryPoints.map((specifier) => ({ pkg, specifier })))
    for (const { manifest } of packages) if (projects.has(manifest.name)) writeFileSync(join(projects.get(manifest.name)!, 'load.mjs'), loadMjs)
    const results = await inPool(entries, 2, async ({ pkg, specifier }) => {
      const project = needProject(pkg.manifest.name)
      const stdout = await runOk(process.execPath, ['load.mjs', specifier], project, 60)
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { resolved: string; exports: string[]; imported: string[] }
    })
    const report: Record<string, unknown> = {}
    const expected: Record<string, unknown> = {}
    for (const [index, { pkg, specifier }] of entries.entries()) {
      const result = results[index]!
      const sources = sourceExports.get(specifier)
      const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = pkg.manifest
      const allowed = new Set([
        ...Object.keys(dependencies),
        ...Object.keys(peerDependencies).filter((peer) => !peerDependenciesMeta[peer]?.optional),
        ...(subpathPeers[specifier] ?? []),
      ])
      const subpath = specifier === pkg.manifest.name ? '.' : `./${specifier.slice(pkg.manifest.name.length + 1)}`
      expected[specifier] = {
        resolved: expect.stringMatching(
          new RegExp(`/node_modules/${pkg.manifest.name}/${pkg.manifest.exports[subpath]!.default.slice(2).replace(/[.]/g, '\\.')}$`),
        ),
        exports: sources,
        undeclared: [],
      }
      report[specifier] =
        result.status === 'rejected'
          ? String(result.reason)
          : {
              resolved: result.value.resolved,
              exports: result.value.exports,
              undeclared: result.value.imported.filter((name) => !allowed.has(packageOf(name))),
            }
    }
    expect(report).toEqual(expected)
  }, 300_000)

  describe('jwt-verify in its project: a real handler', () => {
    const ISSUER = 'https://issuer.example.com'
    const AUDIENCE = 'api'
    const KID = 'pack-test-key'
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

    /** Code that must NOT compile: each `@ts-expect-error` must be used, or tsc fails. */
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

    /** The user's tsconfig (skipLibCheck: true; the test above checks ours with false). */
    const tsconfig = (files: string[], extra: Record<string, unknown> = {}) => ({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', outDir: 'dist', skipLibCheck: true, ...extra },
      files,
    })

    /** Signs RS256 JWTs with node:crypto, invokes the compiled handler with HTTP API (v2) events, prints one JSON line. */
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
const result = {
  valid: await invoke({ authorization: 'Bearer ' + valid }),
  tampered: await invoke({ authorization: 'Bearer ' + tampered }),
  missing: await invoke({}),
}
process.stdout.write(JSON.stringify(result) + '\\n')
`

    let compiled = false

    test('tsc: the handler compiles; wrong options and wrong claim types do not', async () => {
      const project = needProject('@middy-auth/jwt-verify')
      writeFileSync(join(project, 'handler.ts'), handlerTs)
      writeFileSync(join(project, 'bad.ts'), badTs)
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig(['handler.ts', 'bad.ts']), null, 2) + '\n')
      const main: RunResult = await run(process.execPath, [tscBin, '-p', 'tsconfig.json', '--pretty', 'false'], project, 180)
      expect({ status: main.status, output: main.stdout + main.stderr }).toEqual({ status: 0, output: '' })
      expect(existsSync(join(project, 'dist', 'handler.js'))).toBe(true)
      compiled = true

      // The @ts-expect-error lines fail for the expected reasons, not for another error on the same line.
      writeFileSync(join(project, 'bad-unmarked.ts'), badTs.replace(/^\s*\/\/ @ts-expect-error.*\n/gm, ''))
      writeFileSync(join(project, 'tsconfig.negative.json'), JSON.stringify(tsconfig(['bad-unmarked.ts'], { noEmit: true }), null, 2) + '\n')
      const negative = await run(process.execPath, [tscBin, '-p', 'tsconfig.negative.json', '--pretty', 'false'], project, 180)
      const errors = diagnostics(negative.stdout)
      expect(negative.status).not.toBe(0)
      expect(errors).toHaveLength(2)
      expect(errors[0]).toMatch(/^bad-unmarked\.ts\(8,\d+\): error TS\d+: [^]*Property 'audience' is missing/)
      expect(errors[1]).toMatch(/^bad-unmarked\.ts\(14,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/)
    }, 300_000)

    test('the compiled handler at runtime: 200 with the claim; 401 invalid_token with WWW-Authenticate', async () => {
      if (!compiled) throw new Error('the handler did not compile (see the previous test)')
      const project = needProject('@middy-auth/jwt-verify')
      writeFileSync(join(project, 'invoke.mjs'), invokeMjs)
      const stdout = await runOk(process.execPath, ['invoke.mjs'], project, 60, { PACK_TEST_PRIVATE_KEY: privatePem })
      const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, any>

      expect(out.valid).toEqual({ statusCode: 200, body: 'ada@example.com' })

      expect(out.tampered.statusCode).toBe(401)
      expect(out.tampered.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/)
      expect(JSON.parse(out.tampered.body)).toMatchObject({ error: 'invalid_token' })

      expect(out.missing.statusCode).toBe(401)
      expect(out.missing.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api"/)
    }, 120_000)
  })
})
