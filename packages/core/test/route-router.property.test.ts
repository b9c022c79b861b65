import { describe, expect, test } from '@jest/globals'
import httpRouterHandler from '@middy/http-router'
import fc from 'fast-check'
import { compileRouteMap } from '../src/internal.js'

// The matcher against @middy/http-router's own decisions: for every generated route set (written
// in the same order in the map and in the router), method and path, the entry the matcher picks
// is the route whose handler the router runs, and "no route" (404) is undefined.

const literals = ['a', 'b', 'files', 'x.y'] as const
const methods = ['GET', 'POST', 'HEAD', 'ANY'] as const

/** A template: literal and `{pN}` segments, maybe a final `{proxy+}`. */
const template = fc.tuple(fc.array(fc.oneof(fc.constantFrom(...literals), fc.constant('{}')), { maxLength: 3 }), fc.boolean()).map(([segments, greedy]) => {
  const parts = segments.map((segment, i) => (segment === '{}' ? `{p${i}}` : segment))
  if (greedy) parts.push('{proxy+}')
  return `/${parts.join('/')}`
})

const routeSet = fc.uniqueArray(fc.tuple(fc.constantFrom(...methods), template), {
  minLength: 1,
  maxLength: 6,
  // One entry per method and template shape, as an object's keys and the router's routes allow.
  selector: ([method, path]) => `${method} ${path.replace(/\{p\d+\}/g, '{}')}`,
})

/** Paths near the templates: their segments, empty segments, trailing slashes, other words. */
const path = fc
  .tuple(fc.array(fc.constantFrom(...literals, '', 'other', '42'), { maxLength: 4 }), fc.boolean())
  .map(([segments, slash]) => `/${segments.join('/')}${slash && segments.length > 0 ? '/' : ''}`)

/** Concrete paths of a template: what its variables stand for, with and without a trailing slash. */
const instances = (template: string): string[] => {
  const filled = template.replace(/\{p\d+\}/g, '42')
  const bare = filled.replace(/\/?\{proxy\+\}$/, '')
  const paths = filled.endsWith('{proxy+}') ? [bare || '/', `${bare}/`, `${bare}/a/b`] : [filled]
  return paths.flatMap((p) => [p, p.endsWith('/') ? p : `${p}/`])
}

const requestMethod = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'get')

/** The request as each catch-all delivers it to the function; the router reads each one. */
const deliveries = {
  'HTTP API $default': (method: string, p: string) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: p,
    requestContext: { http: { method, path: p }, stage: '$default' },
  }),
  'HTTP API ANY /{proxy+}': (method: string, p: string) => ({
    version: '2.0',
    routeKey: 'ANY /{proxy+}',
    rawPath: p,
    requestContext: { http: { method, path: p }, stage: '$default' },
  }),
  'REST /{proxy+}': (method: string, p: string) => ({
    resource: '/{proxy+}',
    path: p,
    httpMethod: method,
    requestContext: { httpMethod: method, stage: 'prod' },
  }),
  'function URL': (method: string, p: string) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: p,
    requestContext: { domainName: 'u.lambda-url.eu-west-1.on.aws', http: { method, path: p } },
  }),
  ALB: (method: string, p: string) => ({ httpMethod: method, path: p, requestContext: { elb: { targetGroupArn: 'arn' } } }),
} as const

/** Which route http-router runs: its key, or undefined for its 404. */
const routerPick = (routes: ReadonlyArray<readonly [string, string]>) => {
  const router = httpRouterHandler(
    routes.map(([method, p]) => ({ method: method as 'GET', path: p, handler: () => `${method} ${p}` })) as never,
  ) as unknown as (event: unknown, context: unknown) => unknown
  return (event: unknown): string | undefined => {
    try {
      return router(event, {}) as string
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined
      throw error
    }
  }
}

const compile = (routes: ReadonlyArray<readonly [string, string]>) =>
  compileRouteMap(Object.fromEntries(routes.map(([method, p]) => [`${method} ${p}`, `${method} ${p}`])), 'test', 'routes', {
    matching: 'http-router',
    warn: () => undefined,
  })

describe('compileRouteMap (http-router) agrees with @middy/http-router', () => {
  test('on every generated route set, method and path, for every catch-all delivery', () => {
    const numRuns = Number(process.env.ROUTE_RUNS ?? 400)
    let compared = 0
    let routed = 0
    let refusedMaps = 0
    fc.assert(
      fc.property(routeSet, fc.array(fc.tuple(requestMethod, path), { minLength: 1, maxLength: 12 }), (routes, requests) => {
        let lookup: ReturnType<typeof compile>
        try {
          lookup = compile(routes)
        } catch (error) {
          // Refused maps have an entry the router never runs; their own test shows it.
          expect((error as Error).message).toMatch(/is never used/)
          refusedMaps++
          return
        }
        const router = routerPick(routes)
        const near = routes.flatMap(([method, template]) => instances(template).map((p) => [method === 'ANY' ? 'PUT' : method, p] as const))
        for (const [method, p] of [...requests, ...near]) {
          for (const [name, deliver] of Object.entries(deliveries)) {
            const event = deliver(method, p)
            const expected = router(structuredClone(event))
            expect([name, method, p, lookup(event)]).toEqual([name, method, p, expected])
            compared++
            if (expected !== undefined) routed++
          }
        }
      }),
      { seed: Number(process.env.ROUTE_SEED ?? 20261204), numRuns },
    )
    // The generators reach both outcomes often, on maps that mostly compile.
    expect(refusedMaps).toBeLessThan(numRuns / 3)
    expect(routed).toBeGreaterThan(compared / 10)
    expect(compared - routed).toBeGreaterThan(compared / 10)
  })

  test('an entry refused as "never used" is one the router never runs', () => {
    fc.assert(
      fc.property(routeSet, fc.array(fc.tuple(requestMethod, path), { minLength: 20, maxLength: 40 }), (routes, requests) => {
        let refused: string | undefined
        try {
          compile(routes)
        } catch (error) {
          refused = /"([^"]+)" is never used/.exec((error as Error).message)?.[1]
        }
        fc.pre(refused !== undefined)
        const router = routerPick(routes)
        const near = routes.flatMap(([method, template]) => instances(template).map((p) => [method === 'ANY' ? 'GET' : method, p] as const))
        for (const [method, p] of [...requests, ...near]) expect(router(deliveries['HTTP API $default'](method, p))).not.toBe(refused)
      }),
      { seed: 20261204, numRuns: 200 },
    )
  })
})
