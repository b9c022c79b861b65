import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { startGateway, type Gateway, type GatewayOptions, type LambdaAuthorizer, type LocalCredentials } from '../examples/src/gateway.js'
import { signRequest, verifySignature } from '../examples/src/sigv4.js'

/**
 * The local gateway as API Gateway behaves: SigV4 checked on AWS_IAM routes (a wrong signature
 * never reaches the function), Lambda authorizers called and cached as API Gateway calls and
 * caches them, routes chosen by priority. Over real HTTP on 127.0.0.1, with an injected clock.
 */

const importer: LocalCredentials = {
  accessKeyId: 'ASIATESTIMPORTER0001',
  secretAccessKey: 'test-importer-secret-key-000000000000000',
  sessionToken: 'test-importer-session-token',
  arn: 'arn:aws:sts::123456789012:assumed-role/OrdersImport/nightly',
  principalId: 'AROATESTORDERSIMPORT:nightly',
}
const user: LocalCredentials = {
  accessKeyId: 'AKIATESTUSER00000001',
  secretAccessKey: 'test-user-secret-key-00000000000000000000',
  arn: 'arn:aws:iam::123456789012:user/alice',
  principalId: 'AIDATESTUSER00000001',
  principalOrgId: 'o-exampleorg1',
}

const gateways: Gateway[] = []
const start = async (options: GatewayOptions) => {
  const gateway = await startGateway({ port: 0, ...options })
  gateways.push(gateway)
  return gateway
}
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})

/** A function that records the events it gets and answers 200 with `answer`. */
const recorder = (answer: unknown = { statusCode: 200, body: 'ok' }) => {
  const events: any[] = []
  const handler = (event: never) => {
    events.push(event)
    return answer
  }
  return { events, handler }
}

const call = async (gateway: Gateway, method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
  const res = await fetch(`${gateway.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await res.text()
  return { status: res.status, body: text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined }
}

describe('AWS_IAM routes: SigV4 checked by the gateway', () => {
  let clock = Date.now()
  const fn = recorder()
  const logs: string[] = []
  let http: Gateway
  let rest: Gateway
  beforeAll(async () => {
    const route = { route: 'POST /import', handler: fn.handler, authorization: { type: 'AWS_IAM' as const, credentials: [importer, user] } }
    http = await startGateway({ port: 0, routes: [route], now: () => clock, log: (l) => logs.push(l) })
    rest = await startGateway({ port: 0, api: 'rest', routes: [route], now: () => clock, log: (l) => logs.push(l) })
  })
  afterAll(() => Promise.all([http?.close(), rest?.close()]))

  /** Signs a POST /import to `gateway`, then sends it, changed by `edit` if given. */
  const signedCall = async (
    gateway: Gateway,
    options: {
      credentials?: LocalCredentials
      query?: string
      body?: string
      signedAt?: number
      region?: string
      edit?: (r: { query: string; body: string; headers: Record<string, string> }) => void
    } = {},
  ) => {
    const query = options.query ?? ''
    const body = options.body ?? '{"orders":[]}'
    const host = new URL(gateway.url).host
    const headers = await signRequest(
      options.credentials ?? importer,
      options.region ?? gateway.region,
      { method: 'POST', path: '/import', rawQuery: query, headers: { host, 'content-type': 'application/json' }, body: Buffer.from(body) },
      new Date(options.signedAt ?? clock),
    )
    const request = { query, body, headers }
    options.edit?.(request)
    return call(gateway, 'POST', `/import${request.query === '' ? '' : `?${request.query}`}`, request.headers, request.body)
  }

  test('a request signed by a known caller reaches the function with the caller on requestContext.authorizer.iam', async () => {
    fn.events.length = 0
    const res = await signedCall(http, { query: 'b=2&a=1&a=0&x=%20y' })
    expect(res.status).toBe(200)
    expect(fn.events).toHaveLength(1)
    expect(fn.events[0].requestContext.authorizer.iam).toMatchObject({ userArn: importer.arn, accessKey: importer.accessKeyId, callerId: importer.principalId })
    const asUser = await signedCall(http, { credentials: user })
    expect(asUser.status).toBe(200)
    expect(fn.events[1].requestContext.authorizer.iam).toMatchObject({ userArn: user.arn, principalOrgId: 'o-exampleorg1' })
  })

  test.each([
    [
      'the body changed after signing',
      {
        edit: (r: { body: string }) => {
          r.body = '{"orders":[1]}'
        },
      },
    ],
    [
      'the query changed after signing',
      {
        query: 'limit=1',
        edit: (r: { query: string }) => {
          r.query = 'limit=1000'
        },
      },
    ],
    [
      'a signed header changed',
      {
        edit: (r: { headers: Record<string, string> }) => {
          r.headers['content-type'] = 'text/plain'
        },
      },
    ],
    [
      'a signed header removed',
      {
        edit: (r: { headers: Record<string, string> }) => {
          delete r.headers['content-type']
        },
      },
    ],
    ['the wrong secret', { credentials: { ...importer, secretAccessKey: 'guessed-secret-key-00000000000000000000' } }],
    ['an unknown access key', { credentials: { ...importer, accessKeyId: 'ASIAUNKNOWNKEY000001' } }],
    [
      'no session token with temporary credentials',
      {
        edit: (r: { headers: Record<string, string> }) => {
          delete r.headers['x-amz-security-token']
        },
      },
    ],
    ['another session token', { credentials: { ...importer, sessionToken: 'stolen-elsewhere' } }],
    ['a signature scoped to another region', { region: 'us-east-1' }],
    ['signed 6 minutes ago', { signedAt: Date.now() - 6 * 60_000 }],
    ['signed 6 minutes ahead', { signedAt: Date.now() + 6 * 60_000 }],
    [
      'no signature at all',
      {
        edit: (r: { headers: Record<string, string> }) => {
          delete r.headers.authorization
        },
      },
    ],
    [
      'a Bearer token instead',
      {
        edit: (r: { headers: Record<string, string> }) => {
          r.headers.authorization = 'Bearer abc.def.ghi'
        },
      },
    ],
  ])('%s: 403 Forbidden from the gateway, the function never called', async (_name, options) => {
    clock = Date.now()
    fn.events.length = 0
    const res = await signedCall(http, options as Parameters<typeof signedCall>[1])
    expect([res.status, res.json]).toEqual([403, { message: 'Forbidden' }])
    expect(fn.events).toEqual([])
  })

  test('within the 5 minutes of skew AWS allows, a signature is accepted', async () => {
    clock = Date.now()
    expect((await signedCall(http, { signedAt: clock - 4 * 60_000 })).status).toBe(200)
    expect((await signedCall(http, { signedAt: clock + 4 * 60_000 })).status).toBe(200)
  })

  test('a REST API says why, as API Gateway does', async () => {
    clock = Date.now()
    const wrong = await signedCall(rest, { credentials: { ...importer, secretAccessKey: 'guessed-secret-key-00000000000000000000' } })
    expect(wrong.status).toBe(403)
    expect(wrong.json?.message).toMatch(/^The request signature we calculated does not match the signature you provided/)
    const none = await signedCall(rest, {
      edit: (r) => {
        delete r.headers.authorization
      },
    })
    expect([none.status, none.json]).toEqual([403, { message: 'Missing Authentication Token' }])
    const ok = await signedCall(rest)
    expect(ok.status).toBe(200)
    expect(fn.events.at(-1).requestContext.identity).toMatchObject({ userArn: importer.arn, accessKey: importer.accessKeyId })
  })

  test('the checks the signer alone would not make: host signed, a well-formed header, the scope of X-Amz-Date and execute-api', async () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5)
    const headers = await signRequest(
      user,
      'eu-west-1',
      { method: 'GET', path: '/x', rawQuery: '', headers: { host: 'api.local', 'x-custom': '1' }, body: Buffer.alloc(0) },
      new Date(now),
    )
    const check = (edit: (h: Record<string, string>) => void) => {
      const copy = { ...headers }
      edit(copy)
      return verifySignature(
        { method: 'GET', path: '/x', rawQuery: '', headers: copy, body: Buffer.alloc(0) },
        { credentials: [user], region: 'eu-west-1', now },
      )
    }
    await expect(check(() => undefined)).resolves.toMatchObject({ ok: true, caller: { arn: user.arn } })
    await expect(check((h) => void (h.authorization = h.authorization!.replace('SignedHeaders=host;', 'SignedHeaders=')))).resolves.toEqual({
      ok: false,
      message: "'Host' must be a signed header.",
    })
    await expect(check((h) => void (h.authorization = h.authorization!.replace('/execute-api/', '/s3/')))).resolves.toMatchObject({
      ok: false,
      message: expect.stringContaining('correct service'),
    })
    await expect(check((h) => void (h.authorization = h.authorization!.replace('/20260102/', '/20260101/')))).resolves.toMatchObject({
      ok: false,
      message: expect.stringContaining('date of X-Amz-Date'),
    })
    await expect(check((h) => void (h['x-amz-date'] = 'yesterday'))).resolves.toMatchObject({ ok: false, message: expect.stringContaining('X-Amz-Date') })
    await expect(check((h) => void (h.authorization = `${h.authorization}, Extra=1`))).resolves.toMatchObject({
      ok: false,
      message: expect.stringContaining('requires'),
    })
  })

  test('the gateway logged nothing: refusals are answers, not failures', () => {
    expect(logs).toEqual([])
  })
})

describe('Lambda authorizers: called and cached as API Gateway does', () => {
  const fn = recorder()
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  /** An authorizer that counts its invocations and answers `answer(event)`. */
  const authorizer = (answer: (event: any) => unknown, config: Partial<LambdaAuthorizer> = {}) => {
    const calls: any[] = []
    const definition: LambdaAuthorizer = {
      name: 'test-authorizer',
      identitySource: ['$request.header.Authorization'],
      handler: (event: never) => {
        calls.push(event)
        return answer(event)
      },
      ...config,
    }
    return { calls, definition }
  }

  test('an answer is cached per identity source for the TTL, then the authorizer is asked again', async () => {
    let clock = Date.UTC(2026, 0, 1)
    const auth = authorizer((event) => ({ isAuthorized: event.identitySource[0] === 'Bearer good', context: { who: event.identitySource[0] } }), {
      ttlSeconds: 300,
    })
    const gateway = await start({
      routes: [{ route: 'GET /reports', handler: fn.handler, authorization: { type: 'CUSTOM', authorizer: auth.definition } }],
      now: () => clock,
    })
    const statuses = []
    statuses.push((await call(gateway, 'GET', '/reports', bearer('good'))).status)
    statuses.push((await call(gateway, 'GET', '/reports', bearer('good'))).status)
    statuses.push((await call(gateway, 'GET', '/reports', bearer('bad'))).status)
    statuses.push((await call(gateway, 'GET', '/reports', bearer('bad'))).status)
    expect([statuses, auth.calls.length]).toEqual([[200, 200, 403, 403], 2])
    clock += 299_000
    await call(gateway, 'GET', '/reports', bearer('good'))
    expect(auth.calls).toHaveLength(2)
    clock += 1_000
    await call(gateway, 'GET', '/reports', bearer('good'))
    expect(auth.calls).toHaveLength(3)
    expect(fn.events.at(-1).requestContext.authorizer).toEqual({ lambda: { who: 'Bearer good' } })
  })

  test('TTL 0: every request asks the authorizer', async () => {
    const auth = authorizer(() => ({ isAuthorized: true }), { ttlSeconds: 0 })
    const gateway = await start({ routes: [{ route: 'GET /reports', handler: fn.handler, authorization: { type: 'CUSTOM', authorizer: auth.definition } }] })
    for (let i = 0; i < 3; i += 1) expect((await call(gateway, 'GET', '/reports', bearer('t'))).status).toBe(200)
    expect(auth.calls).toHaveLength(3)
    expect(fn.events.at(-1).requestContext.authorizer).toEqual({ lambda: null })
  })

  test('every identity source is part of the key, and a missing one is a 401 without asking', async () => {
    const auth = authorizer(() => ({ isAuthorized: true }), {
      identitySource: ['$request.header.Authorization', '$request.querystring.tenant', '$context.routeKey'],
    })
    const gateway = await start({ routes: [{ route: 'GET /reports', handler: fn.handler, authorization: { type: 'CUSTOM', authorizer: auth.definition } }] })
    expect((await call(gateway, 'GET', '/reports', bearer('t'))).json).toEqual({ message: 'Unauthorized' })
    expect((await call(gateway, 'GET', '/reports?tenant=', bearer('t'))).status).toBe(401)
    expect((await call(gateway, 'GET', '/reports?tenant=a')).status).toBe(401)
    expect(auth.calls).toHaveLength(0)
    await call(gateway, 'GET', '/reports?tenant=a', bearer('t'))
    await call(gateway, 'GET', '/reports?tenant=a', bearer('t'))
    await call(gateway, 'GET', '/reports?tenant=b', bearer('t'))
    expect(auth.calls.map((e) => e.identitySource)).toEqual([
      ['Bearer t', 'a', 'GET /reports'],
      ['Bearer t', 'b', 'GET /reports'],
    ])
  })

  test('a cached IAM policy is evaluated again for each route: it lets through what it allows, and nothing else', async () => {
    const auth = authorizer(
      (event) => ({
        principalId: 'alice',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            // Allowed for the route asked about only, as a careless authorizer would answer.
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.routeArn },
            { Action: 'execute-api:*', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:local/$default/GET/public/*'] },
            { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:local/$default/GET/public/secret' },
          ],
        },
        context: { tier: 'gold' },
      }),
      { responseFormat: 'iam-policy' },
    )
    const routes = ['GET /reports', 'GET /admin', 'GET /public/{name}'].map((route) => ({
      route,
      handler: fn.handler,
      authorization: { type: 'CUSTOM' as const, authorizer: auth.definition },
    }))
    const gateway = await start({ routes })
    const statuses = []
    for (const path of ['/reports', '/admin', '/public/page', '/public/secret', '/reports'])
      statuses.push((await call(gateway, 'GET', path, bearer('t'))).status)
    expect(statuses).toEqual([200, 403, 200, 403, 200])
    // One invocation: every later answer came from the cached policy.
    expect(auth.calls).toHaveLength(1)
    expect(fn.events.at(-1).requestContext.authorizer).toEqual({ lambda: { tier: 'gold' } })
  })

  test.each([
    [
      "throws 'Unauthorized'",
      () => {
        throw new Error('Unauthorized')
      },
      401,
      'Unauthorized',
      false,
    ],
    [
      'throws anything else',
      () => {
        throw new Error('boom')
      },
      500,
      'Internal Server Error',
      true,
    ],
    ['answers without isAuthorized', () => ({ context: {} }), 500, 'Internal Server Error', true],
    ['answers isAuthorized "true" (a string)', () => ({ isAuthorized: 'true' }), 500, 'Internal Server Error', true],
    ['answers a context that is a list', () => ({ isAuthorized: true, context: ['a'] }), 500, 'Internal Server Error', true],
  ])('an authorizer that %s: the gateway answers for it, the function is never called, nothing is cached', async (_name, answer, status, message, logged) => {
    const logs: string[] = []
    const auth = authorizer(answer)
    const calls = recorder()
    const gateway = await start({
      routes: [{ route: 'GET /reports', handler: calls.handler, authorization: { type: 'CUSTOM', authorizer: auth.definition } }],
      log: (l) => logs.push(l),
    })
    expect(await call(gateway, 'GET', '/reports', bearer('t'))).toMatchObject({ status, json: { message } })
    expect(calls.events).toEqual([])
    expect(logs.length > 0).toBe(logged)
    // Failures are not cached: the next request asks again.
    await call(gateway, 'GET', '/reports', bearer('t'))
    expect(auth.calls).toHaveLength(2)
  })

  test.each([
    ['an Allow of another action', [{ Action: 's3:GetObject', Effect: 'Allow', Resource: '*' }], 403],
    [
      'a wildcard Allow and a lower-case deny of the route',
      [
        { Action: '*', Effect: 'Allow', Resource: '*' },
        { Action: 'execute-api:invoke', Effect: 'deny', Resource: 'arn:aws:execute-api:*:*:*/*/GET/reports' },
      ],
      403,
    ],
    // What this gateway cannot evaluate is a response it cannot use, never half-read.
    ['no statement', [], 500],
    ['a statement with NotResource', [{ Action: '*', Effect: 'Allow', NotResource: 'x' }], 500],
    ['a statement with a Condition', [{ Action: '*', Effect: 'Allow', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }], 500],
    ['an Effect that is neither Allow nor Deny', [{ Action: '*', Effect: 'Allow|Deny', Resource: '*' }], 500],
  ])('a policy with %s lets nothing through', async (_name, Statement, status) => {
    const auth = authorizer(() => ({ principalId: 'p', policyDocument: { Version: '2012-10-17', Statement } }), { responseFormat: 'iam-policy' })
    const calls = recorder()
    const gateway = await start({
      routes: [{ route: 'GET /reports', handler: calls.handler, authorization: { type: 'CUSTOM', authorizer: auth.definition } }],
      log: () => undefined,
    })
    expect((await call(gateway, 'GET', '/reports', bearer('t'))).status).toBe(status)
    expect(calls.events).toEqual([])
  })

  test('REST: the context reaches the function as strings beside principalId; a list in it is a 500', async () => {
    const policy = (context: Record<string, unknown>) => () => ({
      principalId: 'alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:local/local/*' },
      },
      context,
    })
    const good = authorizer(policy({ n: 1, yes: true, s: 'x' }), { identitySource: ['method.request.header.Authorization'] })
    const bad = authorizer(policy({ roles: ['a'] }), { identitySource: ['method.request.header.Authorization'] })
    const gateway = await start({
      api: 'rest',
      routes: [
        { route: 'GET /good', handler: fn.handler, authorization: { type: 'CUSTOM', authorizer: good.definition } },
        { route: 'GET /bad', handler: fn.handler, authorization: { type: 'CUSTOM', authorizer: bad.definition } },
      ],
      log: () => undefined,
    })
    expect((await call(gateway, 'GET', '/good', bearer('t'))).status).toBe(200)
    expect(fn.events.at(-1).requestContext.authorizer).toMatchObject({ principalId: 'alice', n: '1', yes: 'true', s: 'x' })
    expect(typeof fn.events.at(-1).requestContext.authorizer.integrationLatency).toBe('number')
    expect((await call(gateway, 'GET', '/bad', bearer('t'))).status).toBe(500)
  })
})

describe('routes', () => {
  const noop = (): number => 1

  test('the most specific route takes the request, as on API Gateway; none is a 404 (HTTP API) or a 403 (REST)', async () => {
    const named = (name: string) => () => ({ statusCode: 200, body: name })
    const routes = [
      { route: 'ANY /orders/{id}', handler: named('any') },
      { route: 'GET /orders/{id}', handler: named('get-id') },
      { route: 'GET /orders/export', handler: named('export') },
      { route: 'GET /files/{path+}', handler: named('files') },
    ]
    const http = await start({ routes })
    const bodies = []
    for (const [method, path] of [
      ['GET', '/orders/export'],
      ['GET', '/orders/42'],
      ['DELETE', '/orders/42'],
      ['GET', '/files/a/b'],
      ['GET', '/files'],
      ['GET', '/orders/'],
      ['GET', '/nothing'],
    ] as const) {
      const res = await call(http, method, path)
      bodies.push(`${res.status} ${res.body}`)
    }
    expect(bodies).toEqual([
      '200 export',
      '200 get-id',
      '200 any',
      '200 files',
      '404 {"message":"Not Found"}',
      '404 {"message":"Not Found"}',
      '404 {"message":"Not Found"}',
    ])
    const rest = await start({ api: 'rest', routes })
    expect(await call(rest, 'GET', '/nothing')).toMatchObject({ status: 403, json: { message: 'Missing Authentication Token' } })
  })

  test('path parameters are decoded; a REST function must answer a proxy response, or the client gets a 502', async () => {
    const fn = recorder({ ok: true })
    const gateway = await start({ routes: [{ route: 'GET /orders/{id}', handler: fn.handler }] })
    expect(await call(gateway, 'GET', '/orders/a%20b')).toMatchObject({ status: 200, json: { ok: true } })
    expect(fn.events[0].pathParameters).toEqual({ id: 'a b' })
    const rest = await start({ api: 'rest', routes: [{ route: 'GET /orders/{id}', handler: fn.handler }], log: () => undefined })
    expect(await call(rest, 'GET', '/orders/1')).toMatchObject({ status: 502, json: { message: 'Internal server error' } })
  })

  test.each([
    ['a route key without a method', { routes: [{ route: '/orders', handler: noop }] }, /is not "METHOD \/path"/],
    ['a greedy parameter before the end', { routes: [{ route: 'GET /{p+}/x', handler: noop }] }, /must be the last segment/],
    [
      'an identity source with a typo',
      {
        routes: [
          {
            route: 'GET /r',
            handler: noop,
            authorization: { type: 'CUSTOM', authorizer: { name: 'a', handler: noop, identitySource: ['$request.headers.Authorization'] } },
          },
        ],
      },
      /identitySource/,
    ],
    [
      'no identity source',
      { routes: [{ route: 'GET /r', handler: noop, authorization: { type: 'CUSTOM', authorizer: { name: 'a', handler: noop, identitySource: [] } } }] },
      /at least one/,
    ],
    [
      'a TTL over an hour',
      {
        routes: [
          {
            route: 'GET /r',
            handler: noop,
            authorization: { type: 'CUSTOM', authorizer: { name: 'a', handler: noop, identitySource: ['$request.header.A'], ttlSeconds: 3601 } },
          },
        ],
      },
      /ttlSeconds/,
    ],
    [
      'simple responses on a REST API',
      {
        api: 'rest',
        routes: [
          {
            route: 'GET /r',
            handler: noop,
            authorization: { type: 'CUSTOM', authorizer: { name: 'a', handler: noop, identitySource: ['$request.header.A'], responseFormat: 'simple' } },
          },
        ],
      },
      /IAM policies only/,
    ],
    [
      'a TOKEN authorizer of two sources',
      {
        api: 'rest',
        routes: [
          {
            route: 'GET /r',
            handler: noop,
            authorization: {
              type: 'CUSTOM',
              authorizer: { name: 'a', type: 'TOKEN', handler: noop, identitySource: ['method.request.header.A', 'method.request.header.B'] },
            },
          },
        ],
      },
      /exactly one header/,
    ],
  ])('a configuration mistake is a TypeError at start: %s', async (_name, options, message) => {
    await expect(startGateway({ port: 0, ...(options as GatewayOptions) })).rejects.toThrow(message)
  })
})
