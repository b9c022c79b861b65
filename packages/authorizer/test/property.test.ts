import { describe, expect, test } from '@jest/globals'
import type { MiddlewareObj } from '@middy/core'
import { setAuth } from '@middy-auth/core'
import { authorizerRequestEvent, authorizerTokenEvent, httpAuthorizerEventV2 } from '@middy-auth/testing'
import fc from 'fast-check'
import { authorizer, cachedStatus, policyOf } from './support.js'

/**
 * Random route maps, random callers, every request a probe: whatever the authorizer was asked
 * about, the policy it returns, cached and applied to any other request of the same caller,
 * never lets through a request that the gateway routes to a route the caller may not call.
 * The gateway's routing is modelled here on its own: the most specific matching route wins
 * (segment by segment, a literal before `{param}` before `{greedy+}`; then an exact method
 * before `ANY`).
 */

type Segment = string // 'a' | 'b' | 'c' | '{p}' | '{g+}'
interface Route {
  method: 'GET' | 'POST' | 'ANY'
  segments: Segment[]
}
const keyOf = (route: Route) => `${route.method} /${route.segments.join('/')}`

const rank = (segment: Segment) => (segment === '{g+}' ? 2 : segment === '{p}' ? 1 : 0)

const templateMatches = (segments: Segment[], path: string[]): boolean => {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    if (segment === '{g+}') return path.length > i
    if (i >= path.length) return false
    if (segment !== '{p}' && segment !== path[i]) return false
  }
  return segments.length === path.length
}

/** The route the gateway picks for a request, or undefined (no route: 404, no authorizer). */
const routeOf = (routes: Route[], method: string, path: string): number | undefined => {
  const parts = path.slice(1).split('/')
  let best: number | undefined
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!
    if ((route.method !== method && route.method !== 'ANY') || !templateMatches(route.segments, parts)) continue
    if (best === undefined) {
      best = i
      continue
    }
    const current = routes[best]!
    let order = 0
    for (let s = 0; s < Math.max(route.segments.length, current.segments.length) && order === 0; s++) {
      order = rank(route.segments[s] ?? '{g+}') - rank(current.segments[s] ?? '{g+}')
    }
    if (order === 0) order = Number(route.method === 'ANY') - Number(current.method === 'ANY')
    if (order < 0) best = i
  }
  return best
}

const segment = fc.constantFrom<Segment>('a', 'b', 'c', '{p}')
const route: fc.Arbitrary<Route> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'ANY'),
  segments: fc
    .tuple(fc.array(segment, { minLength: 0, maxLength: 2 }), fc.constantFrom<Segment | undefined>('a', 'b', '{p}', '{g+}'))
    .map(([head, last]) => (last === undefined ? (head.length > 0 ? head : ['a']) : [...head, last])),
}) as fc.Arbitrary<Route>

const routeSet = fc.uniqueArray(route, { minLength: 1, maxLength: 6, selector: keyOf })

/** Concrete requests for a route: parameters filled with literals of other routes and fresh values. */
const requestsOf = (route: Route): Array<[string, string]> => {
  const fills = (segment: Segment): string[] => (segment === '{p}' ? ['a', 'x'] : segment === '{g+}' ? ['x', 'a/b'] : [segment])
  let paths = ['']
  for (const segment of route.segments) paths = paths.flatMap((prefix) => fills(segment).map((fill) => `${prefix}/${fill}`))
  const methods = route.method === 'ANY' ? ['GET', 'POST', 'DELETE'] : [route.method]
  return methods.flatMap((method) => paths.map((path) => [method, path] as [string, string]))
}

const arn = (method: string, path: string) => `arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/${method}${path}`

const withScopes = (scopes: string[]): MiddlewareObj => ({
  before: (request) => setAuth(request as never, { source: 'jwt', subject: 'alice', scopes, roles: [], claims: {} }),
})

describe('cache safety over random route maps', () => {
  test.each(['TOKEN', 'REQUEST'] as const)('REST %s: a cached policy never lets a request through to a route the caller may not call', async (kind) => {
    await fc.assert(
      fc.asyncProperty(routeSet, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.nat(), async (routes, holds, pick) => {
        const options = { routes: Object.fromEntries(routes.map((route, i) => [keyOf(route), { scopes: [`s${i}`] }])) }
        const scopes = routes.map((_, i) => `s${i}`).filter((_, i) => holds[i])
        const api = authorizer(options, [withScopes(scopes)])
        const requests = routes.flatMap(requestsOf)
        const [askedMethod, askedPath] = requests[pick % requests.length]!
        const askedRoute = routeOf(routes, askedMethod, askedPath)
        if (askedRoute === undefined) return // the gateway would not call the authorizer
        const route = routes[askedRoute]!
        const event =
          kind === 'TOKEN'
            ? authorizerTokenEvent({ token: 'x', method: askedMethod, path: askedPath })
            : authorizerRequestEvent({ method: askedMethod, path: askedPath, resource: `/${route.segments.join('/')}` })
        const policy = policyOf(await api.invoke(event))
        for (const [method, path] of requests) {
          const target = routeOf(routes, method, path)
          if (target === undefined) continue
          if (cachedStatus(policy, arn(method, path)) === 200)
            expect([keyOf(routes[target]!), path, holds[target]]).toEqual([keyOf(routes[target]!), path, true])
        }
        // The request asked about: allowed exactly when its route is satisfied, unless the
        // configuration could not be told apart by path (then a Deny: never a wrong Allow).
        if (!holds[askedRoute]) expect(cachedStatus(policy, arn(askedMethod, askedPath))).toBe(403)
      }),
      { numRuns: 300 },
    )
  })

  test('REST REQUEST: the route the gateway names is answered right', async () => {
    await fc.assert(
      fc.asyncProperty(routeSet, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.nat(), async (routes, holds, pick) => {
        const options = { routes: Object.fromEntries(routes.map((route, i) => [keyOf(route), { scopes: [`s${i}`] }])) }
        const api = authorizer(options, [withScopes(routes.map((_, i) => `s${i}`).filter((_, i) => holds[i]))])
        const requests = routes.flatMap(requestsOf)
        const [method, path] = requests[pick % requests.length]!
        const target = routeOf(routes, method, path)
        if (target === undefined) return
        const policy = policyOf(await api.invoke(authorizerRequestEvent({ method, path, resource: `/${routes[target]!.segments.join('/')}` })))
        expect(cachedStatus(policy, arn(method, path))).toBe(holds[target] ? 200 : 403)
      }),
      { numRuns: 300 },
    )
  })
})

/**
 * The gateway's cache, modelled as API Gateway keeps it: one answer per identity-source value
 * list, reused for every later request with the same values, whatever its route or path; an
 * error is not cached. Whatever answer is reused, it never lets a request through that the
 * authorizer would deny if asked about it.
 */
describe('a cached answer never lets through what the authorizer would deny if asked', () => {
  type Answer = { isAuthorized?: boolean; policyDocument?: { Statement: Array<{ Effect: string; Resource: string | string[] }> } } | undefined

  const lets = (answer: Answer, arnOfRequest: string): boolean => {
    if (answer === undefined) return false
    if (answer.policyDocument === undefined) return answer.isAuthorized === true
    return cachedStatus(answer as never, arnOfRequest) === 200
  }

  /** Requests beyond the routes' own: deeper paths, trailing slashes, paths of no route. */
  const requestPool = (routes: Route[]): Array<[string, string]> => {
    const own = routes.flatMap(requestsOf)
    const more = own.flatMap(
      ([method, path]) =>
        [
          [method, `${path}/x`],
          [method, `${path}/`],
          [method, `/${path}`],
          [method, path.replace(/\/([^/]*)$/, '//$1')],
          ['DELETE', path],
        ] as Array<[string, string]>,
    )
    return [...own, ...more, ['GET', '/zz'], ['GET', '/']]
  }

  const onDefaultRoute = (identitySource: string[]) => (method: string, path: string) => ({
    event: httpAuthorizerEventV2({ method, path, routeKey: '$default', identitySource, stage: '$default' }),
    arn: `arn:aws:execute-api:eu-west-1:123456789012:h1t2t3p4a5/$default/${method}${path}`,
    cacheKey: JSON.stringify(identitySource),
  })
  /** A REST API whose resource is a catch-all (`/{proxy+}`) with a TOKEN authorizer: the ARN is all it sees. */
  const behindRestProxy = (method: string, path: string) => ({
    event: authorizerTokenEvent({ token: 'token-of-alice', method, path }),
    arn: `arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/${method}${path}`,
    cacheKey: 'token-of-alice',
  })

  const setups = [
    {
      name: 'HTTP API $default, simple, identity sources: token + $context.routeKey',
      format: 'simple',
      request: onDefaultRoute(['token-of-alice', '$default']),
    },
    { name: 'HTTP API $default, simple, identity source: token only', format: 'simple', request: onDefaultRoute(['token-of-alice']) },
    { name: 'HTTP API $default, IAM policy, identity source: token only', format: 'iam-policy', request: onDefaultRoute(['token-of-alice']) },
    { name: 'REST /{proxy+}, TOKEN authorizer, IAM policy', format: 'iam-policy', request: behindRestProxy },
  ] as const

  test.each(setups)('$name', async ({ format, request }) => {
    await fc.assert(
      fc.asyncProperty(
        routeSet,
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 2, maxLength: 8 }),
        fc.boolean(),
        async (routes, holds, picks, listDefault) => {
          const listed: Record<string, { scopes: string[] }> = Object.fromEntries(routes.map((route, i) => [keyOf(route), { scopes: [`s${i}`] }]))
          if (listDefault) listed.$default = { scopes: ['s0'] }
          const scopes = routes.map((_, i) => `s${i}`).filter((_, i) => holds[i])
          const api = authorizer({ routes: listed, format }, [withScopes(scopes)])
          const pool = requestPool(routes)
          const cache = new Map<string, Answer>()
          for (const pick of picks) {
            const [method, path] = pool[pick % pool.length]!
            const { event, arn: requestArn, cacheKey: key } = request(method, path)
            const ask = async (): Promise<Answer> => {
              const outcome = await api.invoke(event)
              return outcome.kind === 'response' ? (outcome.response as Answer) : undefined
            }
            if (!cache.has(key)) {
              const answer = await ask()
              if (answer !== undefined) cache.set(key, answer)
            }
            if (lets(cache.get(key), requestArn)) expect([method, path, lets(await ask(), requestArn)]).toEqual([method, path, true])
          }
        },
      ),
      { numRuns: 250, seed: 20261204 },
    )
  })
})
