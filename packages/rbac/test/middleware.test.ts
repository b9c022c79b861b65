import { describe, expect, test } from '@jest/globals'
import { functionUrlEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import type { AuthError } from '@middy-auth/core'
import { holdsPermission } from '@middy-auth/core/internal'
import { cognitoRoles, type RbacDenialReason, type RbacOptions } from '../src/index.js'
import { articlesPolicy as policy, identity, outcome, protect, withIdentity } from './support.js'

describe('alone, behind an API Gateway authorizer (real fixtures)', () => {
  test('HTTP API JWT authorizer: cognito:groups "[admin editor]"', async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:update' })
    const response = await api.invoke(loadFixture('http-v2-jwt-access-token-groups.json'))
    expect(response.statusCode).toBe(200)
    const auth = api.seen.auth[0]!
    expect(auth.source).toBe('apigateway')
    expect(auth.roles).toEqual(['admin', 'editor', 'viewer'])
    expect(auth.permissions).toEqual(['*', 'articles:create', 'articles:update', 'articles:read', 'comments:*'])
  })

  test('HTTP API JWT authorizer: a deny inherited from editor beats admin\'s "*"', async () => {
    const api = protect({ policy, rolesFrom: 'cognito:groups', required: 'articles:delete' })
    const response = await api.invoke(loadFixture('http-v2-jwt-access-token-groups.json'))
    expect(outcome(response)).toEqual([403, 'access_denied'])
    expect(response.headers['WWW-Authenticate']).toBeUndefined()
    expect(JSON.parse(response.body)).toEqual({ error: 'access_denied', error_description: 'Access denied' })
    expect(api.seen.auth).toHaveLength(0)
    // The caller holds admin first: the deny reaches it through admin's inheritance.
    expect(api.seen.decisions[0]).toMatchObject({
      decision: 'deny',
      permission: 'articles:delete',
      reason: 'role editor (inherited by admin) denies articles:delete',
    })
  })

  test('REST Cognito authorizer: cognito:groups "admin,editor"', async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: ['articles:create', 'users:invite'] })
    expect((await api.invoke(loadFixture('rest-v1-cognito-groups.json'))).statusCode).toBe(200)
    expect(api.seen.auth[0]!.roles).toEqual(['admin', 'editor', 'viewer'])
    expect(api.seen.decisions[0]).toMatchObject({ decision: 'allow', permission: 'users:invite', reason: 'role admin allows *' })
  })

  test('REST Lambda authorizer context: roles "admin,editor" are the default role source', async () => {
    const api = protect({ policy, required: 'articles:update' })
    expect((await api.invoke(loadFixture('rest-v1-lambda-authorizer-context.json'))).statusCode).toBe(200)
    const auth = api.seen.auth[0]!
    expect(auth.source).toBe('lambda-authorizer')
    expect(auth.subject).toBe('user|a1b2c3')
    expect(auth.roles).toEqual(['admin', 'editor', 'viewer'])
  })

  test('HTTP API Lambda authorizer context: a roles array', async () => {
    const api = protect({ policy, required: 'articles:read' })
    const event = httpApiEvent({ authorizer: { lambda: { principalId: 'svc', roles: ['viewer'] } } })
    expect((await api.invoke(event)).statusCode).toBe(200)
    expect(outcome(await protect({ policy, required: 'articles:update' }).invoke(event))).toEqual([403, 'access_denied'])
  })

  test('event builders: REST Cognito claims and HTTP API JWT claims as the gateways render them', async () => {
    const api = protect({ policy, rolesFrom: cognitoRoles(), required: 'articles:update' })
    expect((await api.invoke(restEvent({ authorizer: { claims: { sub: 'bob', 'cognito:groups': ['viewer', 'editor'] } } }))).statusCode).toBe(200)
    expect((await api.invoke(httpApiEvent({ authorizer: { jwt: { claims: { sub: 'bob', 'cognito:groups': ['editor'] } } } }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(httpApiEvent({ authorizer: { jwt: { claims: { sub: 'bob', 'cognito:groups': ['viewer'] } } } })))).toEqual([
      403,
      'access_denied',
    ])
  })
})

describe('no identity at all: 401 missing_token', () => {
  test.each([
    ['HTTP API without authorizer', () => loadFixture('http-v2-no-auth.json')],
    ['function URL without auth', () => loadFixture('function-url-no-auth.json')],
    ['REST console test invocation', () => loadFixture('rest-v1-console-test-invoke.json')],
    ['an IAM-authorized function URL without iam-context', () => loadFixture('function-url-iam-assumed-role.json')],
    ['function URL builder', () => functionUrlEvent({})],
  ])('%s', async (_name, event) => {
    const api = protect({ policy, required: 'articles:read' })
    const response = await api.invoke(event())
    expect(outcome(response)).toEqual([401, 'missing_token'])
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api"')
    expect(api.seen.decisions).toEqual([{ decision: 'deny', permission: undefined, roles: [], reason: 'no identity', subject: '', checks: [] }])
  })

  test('the realm option', async () => {
    const api = protect({ policy, required: 'articles:read', realm: 'articles' })
    expect((await api.invoke({})).headers['WWW-Authenticate']).toBe('Bearer realm="articles"')
  })
})

describe('roles', () => {
  test('roles that are not in the policy grant nothing, also names of Object.prototype', async () => {
    const api = protect({ policy, rolesFrom: 'groups', required: [] }, [
      withIdentity({ claims: { groups: ['superuser', 'constructor', '__proto__', 'toString', 'hasOwnProperty'] } }),
    ])
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(api.seen.auth[0]).toMatchObject({ roles: [], permissions: [] })
    const strict = protect({ policy, rolesFrom: 'groups', required: 'articles:read' }, [withIdentity({ claims: { groups: ['superuser', 'constructor'] } })])
    expect(outcome(await strict.invoke({}))).toEqual([403, 'access_denied'])
    expect(strict.seen.decisions[0]!.reason).toBe('no role of the policy is held')
  })

  test('role names are exact: case and spaces matter', async () => {
    const api = protect({ policy, rolesFrom: 'groups', required: 'articles:read' }, [withIdentity({ claims: { groups: ['Viewer', ' viewer'] } })])
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
  })

  test('roleMap renames identity-provider groups; unmapped names are kept; [] drops one', async () => {
    const api = protect(
      { policy, rolesFrom: 'groups', roleMap: { 'Content Editors': 'editor', Readers: ['viewer'], admin: [] }, required: 'articles:update' },
      [withIdentity({ claims: { groups: ['Content Editors'] } })],
    )
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(api.seen.auth[0]!.roles).toEqual(['editor', 'viewer'])
    const dropped = protect({ policy, rolesFrom: 'groups', roleMap: { admin: [] }, required: 'users:invite' }, [
      withIdentity({ claims: { groups: ['admin', 'viewer'] } }),
    ])
    expect(outcome(await dropped.invoke({}))).toEqual([403, 'access_denied'])
    expect(dropped.seen.decisions[0]!.roles).toEqual(['viewer'])
  })

  test("roleMap renames only its own keys: a group named like Object.prototype's members maps to nothing", async () => {
    // Written from JSON, as a configuration file gives it: `__proto__` is then an own key like any other.
    const roleMap = JSON.parse('{ "__proto__": "viewer", "Readers": "viewer" }') as Record<string, string>
    const api = protect({ policy, rolesFrom: 'groups', roleMap, required: 'articles:read' }, [
      withIdentity({ claims: { groups: ['toString', 'constructor', 'hasOwnProperty', 'valueOf'] } }),
    ])
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions[0]!.roles).toEqual([])
    const own = protect({ policy, rolesFrom: 'groups', roleMap, required: 'articles:read' }, [withIdentity({ claims: { groups: ['__proto__'] } })])
    expect((await own.invoke({})).statusCode).toBe(200)
    expect(own.seen.auth[0]!.roles).toEqual(['viewer'])
  })

  test('several sources are merged, in order, each role once', async () => {
    const api = protect({ policy, rolesFrom: ['groups', (auth) => (auth.claims.level === 'high' ? ['admin'] : [])], required: [] }, [
      withIdentity({ source: 'apigateway', stringifiedClaims: true, claims: { groups: 'viewer,editor,viewer', level: 'high' } }),
    ])
    await api.invoke({})
    expect(api.seen.auth[0]!.roles).toEqual(['viewer', 'editor', 'admin'])
  })

  test('a string role claim of a verified token is one name: "Not admin" never grants admin', async () => {
    const adminOnly = { roles: { admin: { allow: ['*'] } } }
    const api = protect({ policy: adminOnly, rolesFrom: 'groups', required: 'articles:read' }, [
      withIdentity({ source: 'jwt', claims: { groups: 'Not admin' } }),
    ])
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
    const admin = protect({ policy: adminOnly, rolesFrom: 'groups', required: 'articles:read' }, [withIdentity({ source: 'jwt', claims: { groups: 'admin' } })])
    expect((await admin.invoke({})).statusCode).toBe(200)
  })

  test('a role source that throws gives no roles (403, not 500)', async () => {
    const api = protect(
      {
        policy,
        rolesFrom: [
          () => {
            throw new Error('unexpected claims')
          },
          'groups',
        ],
        required: 'articles:read',
      },
      [withIdentity({ claims: { groups: ['viewer'] } })],
    )
    expect((await api.invoke({})).statusCode).toBe(200)
    const only = protect(
      {
        policy,
        rolesFrom: () => {
          throw new Error('unexpected claims')
        },
        required: 'articles:read',
      },
      [withIdentity({})],
    )
    expect(outcome(await only.invoke({}))).toEqual([403, 'access_denied'])
  })

  test('a deny from one held role beats an allow from another', async () => {
    const twoRoles = { roles: { author: { allow: ['articles:*'] }, suspended: { deny: ['articles:create'] } } }
    const api = protect({ policy: twoRoles, rolesFrom: 'groups', required: 'articles:create' }, [withIdentity({ claims: { groups: ['author', 'suspended'] } })])
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions[0]).toMatchObject({
      reason: 'role suspended denies articles:create',
      rule: { effect: 'deny', role: 'suspended', permission: 'articles:create' },
    })
  })
})

describe('context.auth after the check', () => {
  test('roles and permissions are fresh lists per request; the identity object is the same', async () => {
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ roles: ['editor'] })])
    await api.invoke({})
    await api.invoke({})
    const [first, second] = api.seen.auth
    expect(first!.roles).not.toBe(second!.roles)
    expect(first!.permissions).not.toBe(second!.permissions)
    first!.permissions!.push('hacked:*')
    expect(second!.permissions).toEqual(['articles:create', 'articles:update', 'articles:read', 'comments:*'])
  })

  test('the permission check a Lambda authorizer after rbac asks: unconditional allows only, never a conditional one, a deny, a wildcard or a malformed permission', async () => {
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ subject: 'alice', roles: ['editor'] })], (context) =>
      ['articles:read', 'articles:update', 'comments:edit', 'articles:publish', 'articles:delete', 'users:invite', 'articles:*', 'articles'].map((permission) =>
        holdsPermission(context.auth, permission),
      ),
    )
    const response = await api.invoke({})
    // articles:publish is allowed to an editor only when isOwner: it depends on the request.
    expect(JSON.parse(response.body as string)).toEqual([true, true, true, false, false, false, false, false])
  })

  test('permissions leave out grants a deny covers entirely, and conditional ones', async () => {
    const mixed = {
      roles: {
        a: { allow: ['x:read', 'x:write', 'y:*', { permission: 'z:edit', when: 'never' }] },
        b: { deny: ['x:write', 'y:delete'] },
      },
    }
    const api = protect({ policy: mixed, rolesFrom: 'groups', required: [], conditions: { never: () => false } }, [
      withIdentity({ claims: { groups: ['a', 'b'] } }),
    ])
    await api.invoke({})
    expect(api.seen.auth[0]!.permissions).toEqual(['x:read', 'y:*'])
  })

  test('nothing rbac adds shows in JSON or keys', async () => {
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ roles: ['viewer'] })])
    await api.invoke({})
    const auth = api.seen.auth[0]!
    expect(Object.keys(auth).sort()).toEqual(['claims', 'permissions', 'roles', 'scopes', 'source', 'subject'])
    expect(JSON.parse(JSON.stringify(auth))).toEqual({ ...identity({ roles: ['viewer'] }), permissions: ['articles:read', 'comments:*'] })
  })

  test('a frozen identity is copied, and the copy is what the handler and request.internal see', async () => {
    const frozen = Object.freeze(identity({ roles: ['viewer'] }))
    let internal: unknown
    const api = protect(
      { policy, required: 'articles:read' },
      [
        {
          before: (request: any) => {
            request.context.auth = frozen
            request.internal.auth = frozen
          },
        },
      ],
      (context) => {
        internal = context.auth
        return null
      },
    )
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(api.seen.auth[0]).not.toBe(frozen)
    expect(api.seen.auth[0]!.permissions).toEqual(['articles:read', 'comments:*'])
    expect(internal).toBe(api.seen.auth[0])
  })
})

describe('requirements', () => {
  const as = (roles: string[]) => [withIdentity({ roles })]

  test('a list needs all; the first refused permission decides', async () => {
    const api = protect({ policy, required: ['articles:read', 'articles:update', 'articles:create'] }, as(['viewer']))
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
    const decision = api.seen.decisions[0]!
    expect(decision.permission).toBe('articles:update')
    expect(decision.checks.map((check) => [check.permission, check.decision])).toEqual([
      ['articles:read', 'allow'],
      ['articles:update', 'deny'],
    ])
  })

  test('{ anyOf } needs one; the first allowed decides', async () => {
    const api = protect({ policy, required: { anyOf: ['articles:delete', 'articles:update', 'articles:read'] } }, as(['editor']))
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(api.seen.decisions[0]).toMatchObject({ decision: 'allow', permission: 'articles:update', reason: 'role editor allows articles:update' })
    expect(api.seen.decisions[0]!.checks).toHaveLength(2)
    const none = protect({ policy, required: { anyOf: ['articles:delete', 'users:invite'] } }, as(['editor']))
    expect(outcome(await none.invoke({}))).toEqual([403, 'access_denied'])
    expect(none.seen.decisions[0]).toMatchObject({ permission: 'users:invite', reason: 'no role allows users:invite' })
  })

  test('[] needs an identity and no permission', async () => {
    const api = protect({ policy, required: [] }, as([]))
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(api.seen.decisions[0]).toEqual({
      decision: 'allow',
      permission: undefined,
      roles: [],
      reason: 'no permission required',
      subject: 'alice',
      checks: [],
    })
  })

  test('a function of the request, sync or async', async () => {
    const byMethod = (request: any) => (request.event.httpMethod === 'GET' ? 'articles:read' : 'articles:update')
    const api = protect({ policy, required: byMethod }, as(['viewer']))
    expect((await api.invoke(restEvent({ method: 'GET' }))).statusCode).toBe(200)
    expect(outcome(await api.invoke(restEvent({ method: 'PUT' })))).toEqual([403, 'access_denied'])
    const asyncApi = protect({ policy, required: async () => ({ anyOf: ['articles:read'] }) }, as(['viewer']))
    expect((await asyncApi.invoke({})).statusCode).toBe(200)
  })

  test('a function that returns no valid requirement denies (wildcards, garbage, undefined)', async () => {
    for (const value of [
      undefined,
      null,
      'articles:*',
      '*',
      'nonsense',
      ['articles:read', 3],
      { anyOf: [] },
      { allOf: ['articles:read'] },
      () => 'articles:read',
    ]) {
      const api = protect({ policy, required: () => value as never }, as(['admin']))
      expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
      expect(api.seen.decisions[0]!.reason).toBe('invalid requirement')
    }
  })

  test('a function that throws fails the request with its error', async () => {
    const notFound = Object.assign(new Error('no such article'), { statusCode: 404, expose: true })
    const api = protect(
      {
        policy,
        required: () => {
          throw notFound
        },
      },
      as(['admin']),
    )
    expect((await api.invoke({})).statusCode).toBe(404)
    const broken = protect(
      {
        policy,
        required: () => {
          throw new Error('bug')
        },
      },
      as(['admin']),
    )
    expect((await broken.invoke({})).statusCode).toBe(500)
  })

  test('onDecision gets every decision, allow and deny, with the roles and subject', async () => {
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ subject: 'carol', roles: ['editor'] })])
    await api.invoke({})
    expect(api.seen.decisions).toEqual([
      {
        decision: 'allow',
        permission: 'articles:read',
        roles: ['editor', 'viewer'],
        reason: 'role viewer (inherited by editor) allows articles:read',
        subject: 'carol',
        rule: { effect: 'allow', role: 'viewer', permission: 'articles:read', via: 'editor' },
        checks: [
          {
            permission: 'articles:read',
            decision: 'allow',
            reason: 'role viewer (inherited by editor) allows articles:read',
            rule: { effect: 'allow', role: 'viewer', permission: 'articles:read', via: 'editor' },
          },
        ],
      },
    ])
  })

  test('an async onDecision is awaited; one that throws fails the request (500), also on an allow', async () => {
    const log: string[] = []
    const api = protect(
      {
        policy,
        required: 'articles:read',
        onDecision: async (d) => {
          await new Promise((r) => setTimeout(r, 5))
          log.push(d.decision)
        },
      },
      as(['viewer']),
    )
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(log).toEqual(['allow'])
    const failing = protect(
      {
        policy,
        required: 'articles:read',
        onDecision: () => {
          throw new Error('audit sink down')
        },
      },
      as(['viewer']),
    )
    expect((await failing.invoke({})).statusCode).toBe(500)
    expect(failing.seen.auth).toHaveLength(0)
  })

  test('the denial carries the reason for logs, never in the response', async () => {
    let error: any
    const api = protect({ policy, required: 'articles:delete' }, [
      withIdentity({ roles: ['editor'] }),
      {
        onError: (request: any) => {
          error = request.error
        },
      },
    ])
    const response = await api.invoke({})
    expect(error.cause).toEqual({
      package: '@middy-auth/rbac',
      data: { reason: 'denied_by_policy', detail: 'role editor denies articles:delete', permission: 'articles:delete' },
    })
    expect(response.body).not.toContain('editor')
    expect(response.body).not.toContain('articles')
  })

  test.each<[string, Partial<RbacOptions>, string[] | undefined, RbacDenialReason, string]>([
    ['no identity', { required: 'articles:read' }, undefined, 'no_identity', 'no identity'],
    ['a deny rule', { required: 'articles:delete' }, ['editor'], 'denied_by_policy', 'role editor denies articles:delete'],
    ['no role allows it', { required: 'users:invite' }, ['viewer'], 'not_granted', 'no role allows users:invite'],
    ['no role of the policy held', { required: 'articles:read' }, ['stranger'], 'not_granted', 'no role of the policy is held'],
    ['a route not listed', { routes: { 'GET /elsewhere': 'articles:read' } }, ['viewer'], 'route_not_listed', 'route not listed'],
    ['a requirement function returning nonsense', { required: () => 'articles' as never }, ['viewer'], 'invalid_requirement', 'invalid requirement'],
  ])('%s: AuthError.reason is %s, the rule in words its detail', async (_name, options, roles, reason, detail) => {
    let error: AuthError<RbacDenialReason> | undefined
    const api = protect({ policy, ...options } as RbacOptions, [
      ...(roles ? [withIdentity({ roles })] : []),
      {
        onError: (request: any) => {
          error = request.error
        },
      },
    ])
    const response = await api.invoke({})
    expect(response.statusCode).toBe(reason === 'no_identity' ? 401 : 403)
    expect(error?.reason).toBe(reason)
    expect(error?.detail).toBe(detail)
  })
})
