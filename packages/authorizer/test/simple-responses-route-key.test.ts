import { describe, expect, test } from '@jest/globals'
import { httpAuthorizerEventV2 } from '@middy-auth/testing'
import { authorizer, useIssuer } from './support.js'

const { verify, sign } = useIssuer()

describe('simple responses with routes: the route key must come from $context.routeKey, not from a value the client sent', () => {
  const routes = { 'GET /public': {}, 'GET /admin': { scopes: ['admin'] } }

  test('a query parameter (an identity source the client controls) equal to the route key does not count', async () => {
    const api = authorizer({ routes, format: 'simple' }, [verify()])
    const token = await sign({ scope: 'read' })
    // Identity sources: the token and ?tenant — no $context.routeKey. The client sets tenant to
    // the route key of a route it may call: a cached isAuthorized: true would then answer
    // GET /admin?tenant=GET%20/public too (same identity source values).
    const event = httpAuthorizerEventV2({
      bearer: token,
      method: 'GET',
      path: '/public',
      routeKey: 'GET /public',
      query: { tenant: 'GET /public' },
      identitySource: [`Bearer ${token}`, 'GET /public'],
    })
    expect(await api.invoke(event)).toEqual({ kind: 'response', response: { isAuthorized: false } })
    expect(api.logs).toEqual([expect.objectContaining({ reason: 'route_key_not_in_identity_source' })])
  })

  test('a header equal to the route key does not count either', async () => {
    const api = authorizer({ routes, format: 'simple' }, [verify()])
    const token = await sign({ scope: 'read' })
    const event = httpAuthorizerEventV2({
      bearer: token,
      method: 'GET',
      path: '/public',
      routeKey: 'GET /public',
      headers: { 'x-tenant': 'GET /public' },
      identitySource: [`Bearer ${token}`, 'GET /public'],
    })
    expect(await api.invoke(event)).toEqual({ kind: 'response', response: { isAuthorized: false } })
  })

  test('$context.routeKey itself still works', async () => {
    const api = authorizer({ routes, format: 'simple' }, [verify()])
    const token = await sign({ scope: 'read' })
    const event = httpAuthorizerEventV2({
      bearer: token,
      method: 'GET',
      path: '/public',
      routeKey: 'GET /public',
      identitySource: [`Bearer ${token}`, 'GET /public'],
    })
    expect(await api.invoke(event)).toMatchObject({ response: { isAuthorized: true } })
  })
})
