// Red team, round 3: the renames and helpers of feat/config — rbac's identity-provider role
// factories (cognitoRoles() …, presets kept as a deprecated alias), forbidden() for denials
// decided in the handler, AuthError's typed reason/detail, jwt-verify's claimsCheck with
// `claims` as its deprecated alias. Through real middy() handlers. The role factories exist only
// with feat/config merged: they are read from the module namespace, so this file also loads on a
// tree without them (there the attack on them fails for want of them, see each test).
import { describe, expect, test } from '@jest/globals'
import * as core from '@middy-auth/core'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import * as rbacModule from '@middy-auth/rbac'
import rbac from '@middy-auth/rbac'
import { httpApiEvent } from '@middy-auth/testing'
import { createHmac } from 'node:crypto'
import { errorCode, protect, withIdentity } from '../support/protect.js'

const policy = { roles: { admin: { allow: ['orders:*'] }, reader: { allow: ['orders:read'] } } }
const requirementOption = (() => {
  try {
    rbac({ policy, required: [] } as never)
    return 'required'
  } catch {
    return 'require'
  }
})()
const rbacWith = (options: Record<string, unknown>) => rbac({ policy, [requirementOption]: 'orders:read', ...options } as never)
const factory = (name: string) => (rbacModule as Record<string, unknown>)[name] as ((...args: never[]) => unknown) | undefined

describe('rbac role factories (feat/config)', () => {
  // HOLE (feat/config, packages/rbac/src/role-resolver.ts compileSources): the identity-provider role
  // sources became factories (cognitoRoles(), keycloakRoles({ clientId }) …) where presets.cognito
  // was a value. A user migrating writes `rolesFrom: cognitoRoles` (uncalled): a function, so it
  // is taken as a role source; per request it returns a function (cognitoRoles) or throws
  // (keycloakRoles/auth0Roles check the identity as their options), which compileRoleResolver
  // turns into no roles. Every caller, admins included, is then 403 with no cold-start error:
  // fail closed, but a configuration mistake the house rules want as a TypeError at factory time.
  // Fixed: compileSources knows the factories and refuses one passed uncalled, naming the call.
  test.each(['cognitoRoles', 'entraRoles', 'oktaRoles', 'iamRoles', 'keycloakRoles', 'auth0Roles'])(
    'rolesFrom: %s (the factory, not called) is a TypeError at cold start',
    (name) => {
      const uncalled = factory(name)
      expect(uncalled).toBeInstanceOf(Function)
      expect(() => rbacWith({ rolesFrom: uncalled })).toThrow(TypeError)
      expect(() => rbacWith({ rolesFrom: ['groups', uncalled] })).toThrow(/rolesFrom\[1\] is the factory itself: call it, \w+Roles\(/)
    },
  )

  // Found by the review of the lean entries: the deprecated presets.keycloak and presets.auth0 are
  // factories too, and were not marked; passed uncalled, they refused every caller (403) silently.
  test.each(['keycloak', 'auth0'])('rolesFrom: presets.%s (not called) is a TypeError at cold start naming the call', (name) => {
    const uncalled = (rbacModule.presets as Record<string, unknown>)[name]
    expect(uncalled).toBeInstanceOf(Function)
    expect(() => rbacWith({ rolesFrom: uncalled })).toThrow(new RegExp(`rolesFrom is the factory itself: call it, presets\\.${name}\\(`))
    expect(() => rbacWith({ rolesFrom: ['groups', uncalled] })).toThrow(TypeError)
  })

  test("role factories read only their own claim: a caller cannot become admin through another provider's claim", async () => {
    const cognitoRoles = factory('cognitoRoles') ?? (() => (rbacModule.presets as { cognito: unknown }).cognito)
    const { invoke, seen } = protect([
      withIdentity({
        subject: 'mallory',
        roles: ['admin'],
        claims: { roles: ['admin'], groups: ['admin'], 'cognito:groups': ['reader'], realm_access: { roles: ['admin'] } },
      }),
      rbac({ policy, [requirementOption]: 'orders:delete', rolesFrom: cognitoRoles() } as never),
    ])
    const response = await invoke(httpApiEvent())
    expect([response.statusCode, errorCode(response)]).toEqual([403, 'access_denied'])
    expect(seen).toHaveLength(0)
  })
})

describe('denials decided in the handler and what a refusal carries', () => {
  test('forbidden(reason, detail) in the handler: 403 access_denied, neither reason nor detail in the response', async () => {
    const forbidden = (core as Record<string, unknown>).forbidden as ((reason?: string, detail?: string) => never) | undefined
    const deny =
      forbidden ??
      ((reason?: string, detail?: string) => {
        throw new core.AuthError('access_denied', { package: 'application', data: { reason, detail } })
      })
    const { invoke } = protect([withIdentity({ subject: 'alice' })], () => deny('not_owner', 'order 42 belongs to bob@example.com'))
    const response = await invoke(httpApiEvent())
    expect([response.statusCode, errorCode(response)]).toEqual([403, 'access_denied'])
    const rendered = JSON.stringify(response)
    expect(rendered).not.toContain('not_owner')
    expect(rendered).not.toContain('bob@example.com')
  })

  test("a refused token: the failing claim's name and value, a cnf member name and the kid stay out of the response (status, headers, body)", async () => {
    const NOW = 1_760_000_000
    const issuer = 'https://issuer.red-team.example/'
    const secret = 'a shared secret of at least thirty-two bytes'
    const b64u = (value: string) => Buffer.from(value).toString('base64url')
    const sign = (header: object, claims: object) => {
      const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
    }
    const base = { iss: issuer, aud: 'orders-api', sub: 'alice', iat: NOW, exp: NOW + 600 }
    const { invoke, seen } = protect([
      jwtVerify({
        issuers: [{ issuer, audience: 'orders-api', secret, algorithms: ['HS256'], claims: (claims: Record<string, unknown>) => claims.tenant === 'acme' }],
        clock: () => NOW * 1000,
      } as JwtVerifyOptions),
    ])
    const marker = 'LEAK-MARKER'
    const tokens = [
      sign({ alg: 'HS256', kid: `${marker}-kid` }, { ...base, tenant: `${marker}-tenant` }),
      sign({ alg: 'HS256' }, { ...base, tenant: 'acme', cnf: { [`${marker}\r\nSet-Cookie: x=1`]: 'y' } }),
      sign({ alg: 'HS256' }, { ...base, tenant: 'acme', aud: `${marker}-aud` }),
      sign({ alg: 'HS256' }, { ...base, tenant: 'acme', exp: NOW - 3600, jti: `${marker}-jti` }),
    ]
    for (const token of tokens) {
      const response = await invoke(httpApiEvent({ headers: { authorization: `Bearer ${token}` } }))
      expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_token'])
      expect(JSON.stringify(response)).not.toContain(marker)
      expect(JSON.stringify(response)).not.toContain('Set-Cookie')
    }
    expect(seen).toHaveLength(0)
  })

  test('claimsCheck and its deprecated alias claims: either one is enforced; both at once is a TypeError, not one silently dropped', async () => {
    const NOW = 1_760_000_000
    const issuer = 'https://issuer.red-team.example/'
    const secret = 'a shared secret of at least thirty-two bytes'
    const b64u = (value: string) => Buffer.from(value).toString('base64url')
    const input = `${b64u('{"alg":"HS256"}')}.${b64u(JSON.stringify({ iss: issuer, aud: 'orders-api', sub: 'alice', iat: NOW, exp: NOW + 600, tenant: 'evil' }))}`
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
    const refuse = () => false
    const entry = { issuer, audience: 'orders-api', secret, algorithms: ['HS256' as const] }
    const built = (extra: Record<string, unknown>) => {
      try {
        return jwtVerify({ issuers: [{ ...entry, ...extra }], clock: () => NOW * 1000 } as JwtVerifyOptions)
      } catch (error) {
        return error as Error
      }
    }
    // `claims` is the name every tree reads: it must refuse.
    const viaAlias = built({ claims: refuse })
    expect(viaAlias).not.toBeInstanceOf(Error)
    const response = await protect([viaAlias as never]).invoke(httpApiEvent({ headers: { authorization: `Bearer ${token}` } }))
    expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_token'])
    // `claimsCheck`: enforced where it is known, an unknown-field TypeError where it is not.
    const viaNewName = built({ claimsCheck: refuse })
    if (viaNewName instanceof Error) expect(viaNewName).toBeInstanceOf(TypeError)
    else expect((await protect([viaNewName]).invoke(httpApiEvent({ headers: { authorization: `Bearer ${token}` } }))).statusCode).toBe(401)
    // Both: never one of them silently dropped — a TypeError at cold start.
    expect(built({ claims: refuse, claimsCheck: () => true })).toBeInstanceOf(TypeError)
  })
})
