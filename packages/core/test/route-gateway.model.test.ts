import { describe, expect, test } from '@jest/globals'
import httpRouterHandler from '@middy/http-router'
import fc from 'fast-check'
import { compileRouteMap } from '../src/internal.js'

/**
 * API Gateway's documented route selection for HTTP APIs ("Routing API requests"): the most
 * specific match, by these priorities — a full match for the route and method; then a match for
 * the route and method with a greedy path variable, which catches the route's child resources;
 * then `$default`. `ANY` matches the methods no route of the resource defines. Where the docs say
 * no more (two full matches, two greedy ones), the model takes the longer template, then literal
 * segments before variables, left to right (`GET /pets/dog/1` before `GET /pets/dog/{id}`,
 * `GET /pets/{proxy+}` before `ANY /{proxy+}`): an assumption, never observed on AWS here.
 */
const gatewayRoute = (routeKeys: readonly string[], method: string, path: string): string | undefined => {
  const parts = path.split('/').filter((part) => part !== '')
  const routes = routeKeys
    .filter((key) => !key.startsWith('$'))
    .map((key) => {
      const [keyMethod, template] = key.split(' ') as [string, string]
      const segments = template.split('/').filter((part) => part !== '')
      const greedy = segments.at(-1)?.endsWith('+}') ?? false
      return { key, keyMethod, segments: greedy ? segments.slice(0, -1) : segments, greedy }
    })
  const prefixMatches = (segments: readonly string[]) => segments.every((segment, i) => segment.startsWith('{') || segment === parts[i])
  const full = routes.filter((r) => !r.greedy && r.segments.length === parts.length && prefixMatches(r.segments))
  // Children only: a greedy variable stands for one segment or more.
  const greedy = routes.filter((r) => r.greedy && parts.length > r.segments.length && prefixMatches(r.segments))
  const specificity = (r: (typeof routes)[number]) => r.segments.map((segment) => (segment.startsWith('{') ? '1' : '0')).join('')
  const best = (candidates: typeof routes) => {
    const forMethod = candidates.filter((r) => r.keyMethod === method)
    const pool = forMethod.length > 0 ? forMethod : candidates.filter((r) => r.keyMethod === 'ANY')
    return pool.sort((a, b) => b.segments.length - a.segments.length || specificity(a).localeCompare(specificity(b)))[0]?.key
  }
  return best(full) ?? best(greedy) ?? (routeKeys.includes('$default') ? '$default' : undefined)
}

const httpApi = (routeKey: string, method: string, path: string) => ({
  version: '2.0',
  routeKey,
  rawPath: path,
  requestContext: { http: { method, path }, routeKey, stage: '$default' },
})

describe("API Gateway's documented route selection", () => {
  const docsRoutes = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default']

  test.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1'],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}'],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}'],
    ['POST', '/pets/cat/1', 'ANY /{proxy+}'],
    ['GET', '/', '$default'],
  ])('the model: %s %s goes to %s', (method, path, expected) => {
    expect(gatewayRoute(docsRoutes, method, path)).toBe(expected)
  })

  test('those routes through the matcher: named routes by name, catch-alls as the router routes', () => {
    const routes = Object.fromEntries(docsRoutes.map((key) => [key, key]))
    const router = compileRouteMap(routes, 'test', 'routes', { matching: 'http-router', warn: () => undefined })
    const gateway = compileRouteMap(routes, 'test', 'routes')
    const at = (method: string, path: string) => httpApi(gatewayRoute(docsRoutes, method, path) as string, method, path)
    expect(router(at('GET', '/pets/dog/2'))).toBe('GET /pets/dog/{id}')
    expect(gateway(at('GET', '/pets/dog/2'))).toBe('GET /pets/dog/{id}')
    // GET /pets/cat/1 came through GET /pets/{proxy+}; a router behind it routes the same.
    expect(router(at('GET', '/pets/cat/1'))).toBe('GET /pets/{proxy+}')
    // GET /pets came through ANY /{proxy+} (a greedy variable is for children); http-router sends
    // it to GET /pets/{proxy+}, whose requirement then applies. The authorizer's matching keeps
    // the gateway's route.
    expect(gatewayRoute(docsRoutes, 'GET', '/pets')).toBe('ANY /{proxy+}')
    expect(router(at('GET', '/pets'))).toBe('GET /pets/{proxy+}')
    expect(gateway(at('GET', '/pets'))).toBe('ANY /{proxy+}')
  })

  const literals = ['a', 'b'] as const
  const template = fc
    .tuple(fc.array(fc.constantFrom(...literals, '{}'), { maxLength: 3 }), fc.boolean())
    .map(([segments, greedy]) => `/${[...segments.map((s, i) => (s === '{}' ? `{p${i}}` : s)), ...(greedy ? ['{proxy+}'] : [])].join('/')}`)
  const routeKeys = fc
    .tuple(
      fc.uniqueArray(fc.tuple(fc.constantFrom('GET', 'POST', 'ANY'), template), {
        minLength: 1,
        maxLength: 6,
        selector: ([m, t]) => `${m} ${t.replace(/\{p\d+\}/g, '{}')}`,
      }),
      fc.boolean(),
    )
    .map(([routes, withDefault]) => [...routes.map(([m, t]) => `${m} ${t}`), ...(withDefault ? ['$default'] : [])])
  const request = fc.tuple(
    fc.constantFrom('GET', 'POST', 'DELETE'),
    fc.array(fc.constantFrom(...literals, '42'), { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  )

  test('model-based: a route the gateway names counts where the router agrees; behind a catch-all, the router decides', () => {
    let named = 0
    let caught = 0
    fc.assert(
      fc.property(routeKeys, fc.array(request, { minLength: 1, maxLength: 10 }), (keys, requests) => {
        const routes = Object.fromEntries(keys.map((key) => [key, key]))
        let beside: (event: unknown) => string | undefined
        try {
          beside = compileRouteMap(routes, 'test', 'routes', { matching: 'http-router', warn: () => undefined })
        } catch {
          fc.pre(false)
          return
        }
        const front = compileRouteMap(routes, 'test', 'routes')
        const templated = keys.filter((key) => !key.startsWith('$'))
        const router = httpRouterHandler(
          templated.map((key) => ({ method: key.split(' ')[0] as 'GET', path: key.split(' ')[1] as string, handler: () => key })) as never,
        ) as unknown as (event: unknown, context: unknown) => string
        const routerPick = (event: unknown) => {
          try {
            return router(structuredClone(event), {})
          } catch {
            return undefined
          }
        }
        for (const [method, path] of requests) {
          const chosen = gatewayRoute(keys, method, path)
          if (chosen === undefined) continue // the gateway answers 404 itself: no function runs
          const event = httpApi(chosen, method, path)
          // In front of the routes (the authorizer's matching): always the gateway's route.
          expect(front(event)).toBe(chosen)
          if (chosen !== '$default' && !chosen.endsWith('+}')) {
            // The named route's entry, unless a router behind the gateway would run another
            // handler for this path: then neither counts (the default requirement applies).
            const routerRuns = routerPick(event)
            expect([method, path, beside(event)]).toEqual([method, path, routerRuns === undefined || routerRuns === chosen ? chosen : undefined])
            named++
          } else {
            expect([method, path, beside(event)]).toEqual([method, path, routerPick(event) ?? (chosen === '$default' ? '$default' : undefined)])
            caught++
          }
        }
      }),
      { seed: 20261204, numRuns: 300 },
    )
    expect(named).toBeGreaterThan(50)
    expect(caught).toBeGreaterThan(50)
  })
})
