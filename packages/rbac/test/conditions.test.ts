import { describe, expect, jest, test } from '@jest/globals'
import { httpApiEvent } from '@middy-auth/testing'
import { can, explain, forbidden, type Condition, type ConditionInput } from '../src/index.js'
import { articlesPolicy as policy, identity, outcome, protect, withIdentity } from './support.js'

interface Article {
  id: string
  ownerId: string
  tenantId: string
}

const articles = new Map<string, Article>([
  ['1', { id: '1', ownerId: 'alice', tenantId: 'acme' }],
  ['2', { id: '2', ownerId: 'bob', tenantId: 'acme' }],
])
const articleOf = (event: any): Article | undefined => articles.get(event.pathParameters?.id)
const onArticle = (id: string) =>
  httpApiEvent({ routeKey: 'POST /articles/{id}/publish', path: `/articles/${id}/publish`, method: 'POST', pathParameters: { id } })

describe('conditions with the resource option', () => {
  test('isOwner: the owner may publish, another editor may not, and admin may regardless', async () => {
    let loads = 0
    const resource = async (request: { event: unknown }) => {
      loads++
      return articleOf(request.event)
    }
    const alice = protect({ policy, required: 'articles:publish', resource }, [withIdentity({ subject: 'alice', roles: ['editor'] })])
    expect((await alice.invoke(onArticle('1'))).statusCode).toBe(200)
    expect(alice.seen.decisions[0]).toMatchObject({ decision: 'allow', reason: 'role editor allows articles:publish when isOwner', rule: { when: 'isOwner' } })
    expect(outcome(await alice.invoke(onArticle('2')))).toEqual([403, 'access_denied'])
    expect(alice.seen.decisions[1]!.reason).toBe('no role allows articles:publish; condition isOwner not met')
    expect(outcome(await alice.invoke(onArticle('404')))).toEqual([403, 'access_denied'])
    expect(loads).toBe(3)

    const admin = protect({ policy, required: 'articles:publish', resource }, [withIdentity({ subject: 'root', roles: ['admin'] })])
    expect((await admin.invoke(onArticle('2'))).statusCode).toBe(200)
    expect(loads).toBe(3) // nothing conditional was asked: the resource was not loaded
  })

  test('the resource is loaded once per request, for every condition of every permission', async () => {
    const calls: string[] = []
    const conditional = {
      roles: {
        member: {
          allow: [
            { permission: 'articles:read', when: 'sameTenant' },
            { permission: 'articles:update', when: 'isOwner' },
            { permission: 'articles:update', when: 'sameTenant' },
          ],
        },
      },
    }
    const sameTenant: Condition<Article> = ({ auth, resource, permission }) => (
      calls.push(`sameTenant ${permission}`),
      resource?.tenantId === auth.claims.tenant
    )
    const isOwner: Condition<Article> = ({ auth, resource, permission }) => (calls.push(`isOwner ${permission}`), resource?.ownerId === auth.subject)
    let loads = 0
    const api = protect(
      {
        policy: conditional,
        required: ['articles:read', 'articles:update'],
        conditions: { sameTenant, isOwner },
        resource: (request: any) => (loads++, articleOf(request.event)),
      },
      [withIdentity({ subject: 'carol', roles: ['member'], claims: { tenant: 'acme' } })],
    )
    expect((await api.invoke(onArticle('1'))).statusCode).toBe(200)
    expect(loads).toBe(1)
    expect(calls).toEqual(['sameTenant articles:read', 'isOwner articles:update', 'sameTenant articles:update'])
    expect(api.seen.decisions[0]!.reason).toBe('role member allows articles:update when sameTenant')
  })

  test('conditions get the caller, the event, the resource and the permission', async () => {
    const inputs: ConditionInput[] = []
    const api = protect(
      { policy, required: 'articles:publish', conditions: { isOwner: (input: ConditionInput) => (inputs.push(input), true) }, resource: () => 'the-article' },
      [withIdentity({ roles: ['editor'] })],
    )
    const event = onArticle('1')
    await api.invoke(event)
    expect(inputs).toHaveLength(1)
    expect(inputs[0]!.auth).toBe(api.seen.auth[0])
    expect(inputs[0]!.event).toEqual(event)
    expect(inputs[0]!.resource).toBe('the-article')
    expect(inputs[0]!.permission).toBe('articles:publish')
  })

  test('without a resource option, conditions get undefined', async () => {
    const api = protect({ policy, required: 'articles:publish' }, [withIdentity({ roles: ['editor'] })])
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
  })

  test('a condition that throws is not met (403, not 500); the reason says it threw', async () => {
    const api = protect(
      {
        policy,
        required: 'articles:publish',
        conditions: {
          isOwner: () => {
            throw new Error('bad resource')
          },
        },
      },
      [withIdentity({ roles: ['editor'] })],
    )
    expect(outcome(await api.invoke({}))).toEqual([403, 'access_denied'])
    expect(api.seen.decisions[0]!.reason).toBe('no role allows articles:publish; condition isOwner threw')
  })

  test('a resource loader that throws fails the request with its error (a 404 stays a 404)', async () => {
    const notFound = Object.assign(new Error('Not Found'), { statusCode: 404, expose: true })
    const api = protect(
      {
        policy,
        required: 'articles:publish',
        resource: async () => {
          throw notFound
        },
      },
      [withIdentity({ roles: ['editor'] })],
    )
    expect((await api.invoke({})).statusCode).toBe(404)
    expect(api.seen.decisions).toHaveLength(0)
  })
})

describe('can() and explain() in the handler', () => {
  test('resource-level checks with the same rules', async () => {
    const results: unknown[] = []
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ subject: 'alice', roles: ['editor'] })], (context) => {
      results.push(
        can(context.auth, 'articles:read'),
        can(context.auth, 'articles:publish', articles.get('1')),
        can(context.auth, 'articles:publish', articles.get('2')),
        can(context.auth, 'articles:publish'),
        can(context.auth, 'articles:delete', articles.get('1')),
        can(context.auth, 'articles:*'),
        can(context.auth, 'users:invite'),
        explain(context.auth, 'articles:publish', articles.get('1')),
        explain(context.auth, 'articles:delete'),
      )
      return null
    })
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(results).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      {
        permission: 'articles:publish',
        decision: 'allow',
        reason: 'role editor allows articles:publish when isOwner',
        rule: { effect: 'allow', role: 'editor', permission: 'articles:publish', when: 'isOwner' },
      },
      {
        permission: 'articles:delete',
        decision: 'deny',
        reason: 'role editor denies articles:delete',
        rule: { effect: 'deny', role: 'editor', permission: 'articles:delete' },
      },
    ])
  })

  test('can() of a second installed copy of rbac (and of core) reads the grant', async () => {
    let other: typeof import('../src/index.js') | undefined
    await jest.isolateModulesAsync(async () => {
      other = await import('../src/index.js')
    })
    expect(other!.can).not.toBe(can)
    const results: unknown[] = []
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ subject: 'alice', roles: ['editor'] })], (context) => {
      results.push(other!.can(context.auth, 'articles:update'), other!.can(context.auth, 'articles:delete'))
      return null
    })
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(results).toEqual([true, false])
  })

  test('conditions called by can() get the request event', async () => {
    let seenEvent: unknown
    const api = protect(
      { policy, required: [], conditions: { isOwner: ({ event }: ConditionInput) => ((seenEvent = event), true) } },
      [withIdentity({ roles: ['editor'] })],
      (context) => can(context.auth, 'articles:publish', {}),
    )
    const event = onArticle('7')
    expect(JSON.parse((await api.invoke(event)).body)).toBe(true)
    expect(seenEvent).toEqual(event)
  })

  test('each request keeps its own grant, also when requests overlap', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const api = protect(
      { policy, required: [], rolesFrom: 'groups' },
      [
        {
          before: (request: any) => {
            request.context.auth = identity({ claims: { groups: [request.event.role] } })
          },
        },
      ],
      async (context) => {
        if (context.auth.claims.groups[0] === 'viewer') await gate
        return can(context.auth, 'articles:update')
      },
    )
    const slowViewer = api.invoke({ role: 'viewer' })
    const editor = await api.invoke({ role: 'editor' })
    release()
    expect(JSON.parse(editor.body)).toBe(true)
    expect(JSON.parse((await slowViewer).body)).toBe(false)
  })

  test('an auth object rbac did not check is a TypeError (a copy, or no rbac)', async () => {
    const api = protect({ policy, required: [] }, [withIdentity({ roles: ['admin'] })], (context) => {
      expect(() => can({ ...context.auth }, 'articles:read')).toThrow(/can\(\): this auth object was not checked by rbac\(\)/)
      return null
    })
    expect((await api.invoke({})).statusCode).toBe(200)
    expect(() => can(identity({ roles: ['admin'] }), 'articles:read')).toThrow(TypeError)
    expect(() => explain(undefined as never, 'articles:read')).toThrow(TypeError)
  })
})

describe('forbidden(): a denial decided in the handler, after can()', () => {
  test('the same JSON 403 access_denied as the middleware, with the reason kept for logs', async () => {
    const body = (context: any) => {
      if (!can(context.auth, 'articles:publish', { ownerId: 'someone-else' })) forbidden('not_owner', 'only the owner may publish')
      return { published: true }
    }
    const api = protect({ policy, required: 'articles:read' }, [withIdentity({ roles: ['editor'] })], body)
    const response = await api.invoke(httpApiEvent({}))
    expect(outcome(response)).toEqual([403, 'access_denied'])
    expect(JSON.parse(response.body)).toEqual({ error: 'access_denied', error_description: 'Access denied' })
    expect(response.body).not.toContain('owner')
    // What the middleware itself answers for a permission no role grants: the same response.
    const denied = await protect({ policy, required: 'users:invite' }, [withIdentity({ roles: ['editor'] })]).invoke(httpApiEvent({}))
    expect([denied.statusCode, denied.body, denied.headers]).toEqual([response.statusCode, response.body, response.headers])
  })
})
