// The deployable services of examples/services, checked as a deployment would use them: each AWS
// SAM template is read and checked against its own code (references, handlers, environment,
// runtimes, events), and each function is bundled with esbuild from the template's own build
// settings, as `sam build` does, then loaded from the bundle alone and invoked. cfn-lint is not
// installable on the machines CI runs on (docs/guides/deploying.md says what this covers instead).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { build } from 'esbuild'
import { createTestIssuer, functionUrlEvent, httpApiEvent, httpAuthorizerEventV2, lambdaContext, restEvent, type TestIssuer } from '@middy-auth/testing'
import { readTemplate, type Template } from './support/cloudformation.js'

const servicesDir = fileURLToPath(new URL('../examples/services/', import.meta.url))
const services = readdirSync(servicesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(servicesDir, entry.name, 'template.yaml')))
  .map((entry) => entry.name)

const pseudoParameters = new Set(['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName', 'AWS::StackId', 'AWS::NoValue'])
const lambdaRuntimes = new Set(['nodejs22.x', 'nodejs24.x'])

type Resource = Template['Resources'][string]
interface FunctionUnderTest {
  name: string
  resource: Resource
  properties: Record<string, any>
}

/** Every value of a template, depth first. */
function* walk(value: unknown): Generator<unknown> {
  yield value
  if (Array.isArray(value)) for (const item of value) yield* walk(item)
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) yield* walk(item)
}

/** The logical names a template's intrinsic functions point at. */
const referencedNames = (template: Template): string[] =>
  [...walk(template.Resources), ...walk(template.Outputs ?? {})].flatMap((value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
    const node = value as Record<string, unknown>
    if (typeof node.Ref === 'string') return [node.Ref]
    if (typeof node['Fn::GetAtt'] === 'string') return [node['Fn::GetAtt'].split('.')[0]!]
    if (typeof node['Fn::Sub'] === 'string') return [...node['Fn::Sub'].matchAll(/\$\{([^}!.]+)(?:\.[^}]*)?\}/g)].map((match) => match[1]!)
    return []
  })

/** The functions of a template with the Globals applied, as SAM applies them. */
const functionsOf = (template: Template): FunctionUnderTest[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([name, resource]) => ({ name, resource, properties: { ...(template.Globals?.Function ?? {}), ...resource.Properties } }))

/** SAM adds these resources for a function or an API; templates may reference them. */
const generatedNames = (template: Template): string[] =>
  Object.entries(template.Resources).flatMap(([name, resource]) =>
    resource.Type === 'AWS::Serverless::Function' ? [`${name}Url`, `${name}Role`, `${name}Alias`] : [],
  )

describe.each(services)('examples/services/%s', (service) => {
  const dir = join(servicesDir, service)
  const template = readTemplate(join(dir, 'template.yaml'))
  const functions = functionsOf(template)

  test('is an AWS SAM template whose references all resolve', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09')
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31')
    const known = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources), ...generatedNames(template), ...pseudoParameters])
    expect(referencedNames(template).filter((name) => !known.has(name))).toEqual([])
    const used = new Set(referencedNames(template))
    expect(Object.keys(template.Parameters ?? {}).filter((name) => !used.has(name))).toEqual([])
    expect(functions.length).toBeGreaterThan(0)
  })

  test('every function runs on a Lambda Node.js runtime, built with esbuild from an entry point that exists', () => {
    for (const { name, resource, properties } of functions) {
      expect([name, properties.Runtime]).toEqual([name, expect.stringMatching(/^nodejs(22|24)\.x$/)])
      expect(lambdaRuntimes.has(properties.Runtime)).toBe(true)
      expect(resource.Metadata?.BuildMethod).toBe('esbuild')
      const buildProperties = resource.Metadata!.BuildProperties
      expect(buildProperties).toMatchObject({ Format: 'esm', OutExtension: ['.js=.mjs'], EntryPoints: [expect.any(String)] })
      const entry = join(dir, properties.CodeUri ?? '.', buildProperties.EntryPoints[0])
      expect(existsSync(entry)).toBe(true)
      // Handler is "<entry file name>.<export>", as the bundle is named after its entry point.
      const [file, exported] = String(properties.Handler).split('.')
      expect(file).toBe(basename(entry, extname(entry)))
      expect(readFileSync(entry, 'utf8')).toMatch(new RegExp(`export const ${exported}\\b`))
    }
  })

  test('every environment variable the code reads is set by the template, and no other', () => {
    for (const { name, resource, properties } of functions) {
      const entry = join(dir, properties.CodeUri ?? '.', resource.Metadata!.BuildProperties.EntryPoints[0])
      const read = [...readFileSync(entry, 'utf8').matchAll(/setting\('([A-Z_]+)'\)/g)].map((match) => match[1]!)
      const set = Object.keys(properties.Environment?.Variables ?? {})
      expect([name, [...new Set(read)].sort()]).toEqual([name, set.sort()])
    }
  })

  test('its package.json (what sam build installs) lists every package the code imports', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    const sources = readdirSync(join(dir, 'src')).map((file) => readFileSync(join(dir, 'src', file), 'utf8'))
    const imported = sources.flatMap((source) =>
      [...source.matchAll(/^import (type )?[^;]*? from '([^'.][^']*)'/gms)]
        .filter((match) => match[1] === undefined && !match[2]!.startsWith('node:'))
        .map((match) =>
          match[2]!
            .split('/')
            .slice(0, match[2]!.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    )
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...new Set(imported)].sort())
  })

  test('every API event belongs to an API of the template, of the right kind', () => {
    for (const { properties } of functions) {
      for (const event of Object.values(properties.Events ?? {}) as Array<{ Type: string; Properties: Record<string, any> }>) {
        const api = event.Type === 'HttpApi' ? event.Properties.ApiId?.Ref : event.Properties.RestApiId?.Ref
        expect(template.Resources[api]?.Type).toBe(event.Type === 'HttpApi' ? 'AWS::Serverless::HttpApi' : 'AWS::Serverless::Api')
        expect(event.Properties.Path).toMatch(/^\/[\w/{}+-]*$/)
        expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY']).toContain(event.Properties.Method)
      }
    }
  })
})

describe('bundled as sam build bundles them, each function loads alone and refuses an anonymous request', () => {
  let out: string
  let idp: TestIssuer
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'services-'))
    idp = await createTestIssuer()
  })
  afterAll(async () => {
    rmSync(out, { recursive: true, force: true })
    await idp.close()
  })

  /** What a deployment would pass for each parameter; the issuers are the loopback one. */
  const parameterValues = (): Record<string, string> => ({
    Issuer: idp.issuer,
    Audience: 'https://orders.example.com',
    UserPoolId: 'eu-test-1_AbCdEf123', // a region that does not exist: the key prefetch reaches nothing
    UserPoolClientId: 'orders-web-client',
    CallerRoleName: 'ReportReader',
    DomainName: 'partners.api.example.com',
  })

  const environmentOf = (variables: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(variables).map(([name, value]) => {
        const ref = (value as { Ref?: string }).Ref
        if (ref === 'AWS::AccountId') return [name, '123456789012']
        const resolved = ref === undefined ? value : parameterValues()[ref]
        if (typeof resolved !== 'string') throw new Error(`no test value for ${name}`)
        return [name, resolved]
      }),
    )

  /** An event of the function's integration, without any credential. */
  const anonymousEvent = (fn: FunctionUnderTest): unknown => {
    if (fn.properties.FunctionUrlConfig) return functionUrlEvent()
    const [event] = Object.values(fn.properties.Events ?? {}) as Array<{ Type: string; Properties: { Method: string; Path: string } }>
    if (event === undefined) return httpAuthorizerEventV2({ identitySource: ['GET /orders'], routeKey: 'GET /orders' }) // an authorizer
    const { Method: method, Path: path } = event.Properties
    return event.Type === 'HttpApi' ? httpApiEvent({ method, path, routeKey: `${method} ${path}` }) : restEvent({ method, path, resource: path })
  }

  const cases = services.flatMap((service) =>
    functionsOf(readTemplate(join(servicesDir, service, 'template.yaml'))).map((fn) => [service, fn.name, fn] as const),
  )

  test.each(cases)('%s: %s', async (service, name, fn) => {
    const build_ = fn.resource.Metadata!.BuildProperties
    const outdir = join(out, service, name)
    const result = await build({
      absWorkingDir: join(servicesDir, service, fn.properties.CodeUri ?? '.'),
      entryPoints: build_.EntryPoints,
      bundle: true,
      platform: 'node',
      format: build_.Format,
      target: build_.Target,
      minify: build_.Minify,
      sourcemap: build_.Sourcemap,
      outExtension: { '.js': '.mjs' },
      outdir,
      metafile: true,
      logLevel: 'silent',
    })
    // Nothing left to resolve at run time but Node's own modules: the artifact is self-contained.
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.external).map((entry) => entry.path))
    expect(imports.filter((path) => !path.startsWith('node:') && !/^[a-z_]+$/.test(path))).toEqual([])

    const [file, exported] = String(fn.properties.Handler).split('.')
    Object.assign(process.env, environmentOf(fn.properties.Environment?.Variables ?? {}))
    const module = (await import(pathToFileURL(join(outdir, `${file}.mjs`)).href)) as Record<string, (event: unknown, context: unknown) => Promise<any>>
    const answer = await module[exported!]!(anonymousEvent(fn), lambdaContext())
    if ('isAuthorized' in answer) expect(answer).toEqual({ isAuthorized: false })
    else expect([401, 403]).toContain(answer.statusCode)
  })
})
