import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { createTestIssuer, functionUrlEvent, httpApiEvent, restEvent, type TestIssuer } from '@middy-auth/testing'
import { auth0Roles, cognitoRoles, entraRoles, iamRoles, keycloakRoles, oktaRoles, type RoleSource } from '../src/index.js'
import { articlesPolicy as policy, outcome, protect } from './support.js'

let iss: TestIssuer
const audience = 'articles-api'
const verify = () => jwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] })
const sign = (claims: Record<string, unknown>) => iss.sign({ sub: 'alice', ...claims }, { audience })

beforeAll(async () => {
  iss = await createTestIssuer()
})
afterAll(() => iss.close())

describe('after jwtVerify: roles from the verified token', () => {
  test.each<[string, RoleSource | RoleSource[], Record<string, unknown>]>([
    ['Cognito groups', cognitoRoles(), { 'cognito:groups': ['editor'] }],
    ['Keycloak realm roles', keycloakRoles(), { realm_access: { roles: ['offline_access', 'editor'] } }],
    [
      'Keycloak client roles (a client id with dots)',
      keycloakRoles({ clientId: 'articles.api' }),
      { resource_access: { 'articles.api': { roles: ['editor'] }, other: { roles: ['admin'] } } },
    ],
    ['Entra ID app roles', entraRoles(), { roles: ['editor'] }],
    ['Okta groups', oktaRoles(), { groups: ['Everyone', 'editor'] }],
    ['Auth0 namespaced roles', auth0Roles({ namespace: 'https://example.com' }), { 'https://example.com/roles': ['editor'] }],
    ['Auth0 namespace given with a slash', auth0Roles({ namespace: 'https://example.com/' }), { 'https://example.com/roles': ['editor'] }],
    ['Auth0 RBAC permissions claim as roles', 'permissions', { permissions: ['editor'] }],
    ['a nested claim path', 'app.access.roles', { app: { access: { roles: ['editor'] } } }],
  ])('%s', async (_name, rolesFrom, claims) => {
    const api = protect({ policy, rolesFrom, required: 'articles:update' }, [verify()])
    const response = await api.invoke(httpApiEvent({ bearer: await sign(claims) }))
    expect(response.statusCode).toBe(200)
    expect(api.seen.auth[0]).toMatchObject({ source: 'jwt', subject: 'alice', roles: ['editor', 'viewer'] })
  })

  test('the role factories read only their own claims', async () => {
    const token = await sign({
      roles: ['admin'],
      groups: ['admin'],
      resource_access: { other: { roles: ['admin'] } },
      'https://evil.example.com/roles': ['admin'],
    })
    for (const rolesFrom of [cognitoRoles(), keycloakRoles({ clientId: 'articles.api' }), auth0Roles({ namespace: 'https://example.com' }), iamRoles()]) {
      const api = protect({ policy, rolesFrom, required: 'articles:read' }, [verify()])
      expect(outcome(await api.invoke(httpApiEvent({ bearer: token })))).toEqual([403, 'access_denied'])
    }
  })

  test('Keycloak with a client id: realm and client roles together', async () => {
    const api = protect({ policy, rolesFrom: keycloakRoles({ clientId: 'articles-web' }), required: [] }, [verify()])
    await api.invoke(httpApiEvent({ bearer: await sign({ realm_access: { roles: ['viewer'] }, resource_access: { 'articles-web': { roles: ['editor'] } } }) }))
    expect(api.seen.auth[0]!.roles).toEqual(['viewer', 'editor'])
  })

  test('Entra group ids mapped to policy roles', async () => {
    const api = protect({ policy, rolesFrom: 'groups', roleMap: { '8c1c3f5e-0000-4000-8000-000000000001': 'admin' }, required: 'users:invite' }, [verify()])
    expect((await api.invoke(httpApiEvent({ bearer: await sign({ groups: ['8c1c3f5e-0000-4000-8000-000000000001'] }) }))).statusCode).toBe(200)
  })

  test('REST and function URL events', async () => {
    const token = await sign({ 'cognito:groups': ['viewer'] })
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:read' }, [verify()])
    expect((await api.invoke(restEvent({ bearer: token }))).statusCode).toBe(200)
    expect((await api.invoke(functionUrlEvent({ bearer: token }))).statusCode).toBe(200)
    const editorOnly = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:update' }, [verify()])
    expect(outcome(await editorOnly.invoke(functionUrlEvent({ bearer: token })))).toEqual([403, 'access_denied'])
  })

  test('jwtVerify refuses first: rbac never runs on a bad or missing token', async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:read' }, [verify()])
    expect(outcome(await api.invoke(httpApiEvent({ bearer: `${await sign({ 'cognito:groups': ['admin'] })}x` })))).toEqual([401, 'invalid_token'])
    expect(outcome(await api.invoke(httpApiEvent({})))).toEqual([401, 'missing_token'])
    expect(api.seen.decisions).toHaveLength(0)
  })

  test("jwtVerify with trustApiGateway: the gateway's claims", async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:update' }, [jwtVerify({ trustApiGateway: true })])
    expect((await api.invoke(httpApiEvent({ authorizer: { jwt: { claims: { sub: 'alice', 'cognito:groups': ['editor'] } } } }))).statusCode).toBe(200)
  })

  test('the claims jwtVerify froze stay frozen; rbac sets roles and permissions on the identity', async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: [] }, [verify()])
    await api.invoke(httpApiEvent({ bearer: await sign({ 'cognito:groups': ['viewer'] }) }))
    const auth = api.seen.auth[0]!
    expect(Object.isFrozen(auth.claims)).toBe(true)
    expect(auth.permissions).toEqual(['articles:read', 'comments:*'])
  })

  test('the full stack: jwtVerify, oauthScope, rbac, httpErrorHandler last', async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:update' }, [verify(), oauthScope({ required: ['articles/write'] })])
    const editor = (scope: string) => sign({ scope, 'cognito:groups': ['editor'] })
    expect((await api.invoke(httpApiEvent({ bearer: await editor('articles/write') }))).statusCode).toBe(200)
    // No scope: oauthScope refuses before rbac looks at the roles.
    expect(outcome(await api.invoke(httpApiEvent({ bearer: await editor('articles/read') })))).toEqual([403, 'insufficient_scope'])
    expect(api.seen.decisions).toHaveLength(1)
    const viewer = await sign({ scope: 'articles/write', 'cognito:groups': ['viewer'] })
    expect(outcome(await api.invoke(httpApiEvent({ bearer: viewer })))).toEqual([403, 'access_denied'])
  })
})
