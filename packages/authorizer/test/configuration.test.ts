import { describe, expect, jest, test } from '@jest/globals'
import { AuthError } from '@middy-auth/core'
import { authorizerRequestEvent, authorizerTokenEvent, httpAuthorizerEventV2, restEvent } from '@middy-auth/testing'
import { compilePolicy } from '@middy-auth/rbac'
import authorizerResponse, { authorizerResponseValidateOptions, type AuthorizerResponseOptions } from '../src/index.js'
import { afterHole } from '../../../test/support/holes.js'
import { withIdentity } from '../../../test/support/protect.js'
import { authorizer, contextOf, policyOf, useIssuer } from './support.js'

const issuer = useIssuer()
const { verify, sign } = issuer

const stage = 'arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/*/*'
const denyStage = { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [stage] }] }

/** A middleware that throws. */
const throwing = (error: unknown) => ({
  before: () => {
    throw error
  },
})

describe('configuration that can never work: a TypeError at cold start', () => {
  const refused = (options: unknown, message: RegExp) => {
    expect(() => authorizerResponse(options as AuthorizerResponseOptions)).toThrow(message)
    try {
      authorizerResponse(options as AuthorizerResponseOptions)
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      // The message starts with the option's path, which cause.option names (core's route map adds a colon).
      const { message, cause } = error as TypeError & { cause: { package: string; option: string } }
      expect(cause).toEqual({ package: '@middy-auth/authorizer', option: expect.any(String) })
      expect(message.startsWith(`authorizerResponse: ${cause.option} `) || message.startsWith(`authorizerResponse: ${cause.option}: `)).toBe(true)
    }
  }

  test('options', () => {
    refused(null, /^authorizerResponse: options must be an object$/)
    refused({ formats: 'simple' }, /^authorizerResponse: formats is not an option \(known: format, routes, /)
    refused({ format: 'json' }, /format must be 'simple' or 'iam-policy'/)
    refused({ contextClaims: 'email' }, /contextClaims must be a list of claim names/)
    refused({ contextClaims: [''] }, /contextClaims must be a list of claim names/)
    refused({ contextClaims: ['roles'] }, /^authorizerResponse: contextClaims has 'roles', which the authorizer writes itself/)
    refused({ contextClaims: ['iss'] }, /contextClaims has 'iss', which the authorizer writes itself/)
    refused({ maxResponseBytes: 100 }, /maxResponseBytes must be a whole number of bytes, 512 or more/)
    refused({ maxResponseBytes: 1.5e3 + 0.5 }, /maxResponseBytes/)
    refused({ logger: 'console' }, /logger must be a function of the log entry, or false/)
    refused({ context: { tenant: 'acme' } }, /^authorizerResponse: context must be a function \(auth, event\)/)
    refused({ usageIdentifierKey: 'key' }, /usageIdentifierKey must be a function/)
  })

  test('AppSync options', () => {
    refused({ ttlOverride: 3601 }, /ttlOverride must be a whole number of seconds from 0 to 3600/)
    refused({ ttlOverride: -1 }, /ttlOverride must be a whole number of seconds/)
    refused({ ttlOverride: 1.5 }, /ttlOverride must be a whole number of seconds/)
    refused({ ttlOverride: '300' }, /ttlOverride must be a whole number of seconds/)
    refused({ deniedFields: ['Order.cost'] }, /deniedFields must be a function \(auth\) => fields, or a map of fields/)
    refused({ deniedFields: {} }, /deniedFields must be a function/)
    refused({ deniedFields: { 'Order cost': {} } }, /^authorizerResponse: deniedFields has "Order cost", which is not a field/)
    refused({ deniedFields: { 'Order.cost': { scopes: [] } } }, /deniedFields\['Order.cost'\]\.scopes is empty/)
    refused(
      { deniedFields: { 'Order.cost': { permissions: ['orders:*'] } } },
      /deniedFields\['Order.cost'\]\.permissions\[0\] "orders:\*" is not a concrete permission/,
    )
    expect(() => authorizerResponse({ ttlOverride: 0, deniedFields: { 'Order.cost': { anyOf: ['a', 'b'] } } })).not.toThrow()
    expect(authorizerResponseValidateOptions({ ttlOverride: 300, deniedFields: { 'Order.cost': { scopes: ['a'] } } })).toBeDefined()
    expect(() => authorizerResponseValidateOptions({ ttlOverride: 7200 })).toThrow()
  })

  test('routes', () => {
    refused({ routes: [] }, /^authorizerResponse: routes must be an object keyed by "METHOD \/path"/)
    refused({ routes: {} }, /routes lists no route/)
    refused({ routes: { '/orders': {} } }, /routes: route key "\/orders" must look like "GET \/orders\/\{id\}"/)
    refused({ routes: { 'GET /orders': ['orders/read'] } }, /routes\["GET \/orders"\] must be an object \{ scopes\?, anyOf\?, permissions\? \}/)
    refused(
      { routes: { 'GET /orders': { required: ['a'] } } },
      /^authorizerResponse: routes\["GET \/orders"\]\.required is not an option \(known: scopes, anyOf, permissions\)$/,
    )
    refused({ routes: { 'GET /orders': { scopes: [] } } }, /routes\["GET \/orders"\]\.scopes is empty/)
    refused({ routes: { 'GET /orders': { scopes: 'a b' } } }, /\.scopes must be a list of scopes such as \['orders:read'\], not a string: write \['a', 'b'\]/)
    refused({ routes: { 'GET /orders': { anyOf: ['a b'] } } }, /\.anyOf\[0\] "a b" is not a scope/)
    refused({ routes: { 'GET /orders': { permissions: [] } } }, /\.permissions must be a non-empty list of permissions/)
    refused({ routes: { 'GET /orders': { permissions: ['orders:*'] } } }, /permissions\[0\] "orders:\*" is not a concrete permission/)
    refused({ routes: { 'GET /orders': { permissions: ['orders'] } } }, /permissions\[0\] "orders" is not a concrete permission/)
    refused({ routes: { 'GET /{proxy+}/x': {} } }, /a greedy parameter \{name\+\} must be the last segment/)
    refused({ routes: { 'GET /file.{ext}': {} } }, /route key "GET \/file\.\{ext\}" has the segment "file\.\{ext\}": a variable is a whole segment/)
    refused({ routes: { 'GET /a*b': {} } }, /"\*" and "\?" are not path characters \(an IAM policy reads them as wildcards\)/)
    refused({ routes: { 'GET /a?b': {} } }, /"\*" and "\?" are not path characters/)
    // One grammar with oauthScope and rbac (core's parseRouteKey): what they refuse, the authorizer refuses.
    refused({ routes: { 'GET /orders/{$id}': {} } }, /has the segment "\{\$id\}": a variable is a whole segment/)
    refused({ routes: { 'GET /orders/': {} } }, /ends with "\/"/)
    refused({ routes: { 'GET /a//b': {} } }, /has an empty segment/)
    refused({ routes: { 'get /orders': {} } }, /must look like "GET \/orders\/\{id\}"/)
  })

  // some() and forEach() skip a hole: a contextClaims with one was accepted and every answer was then
  // a Deny logged as unexpected_error; a hole among a route's (or a denied field's) permissions was
  // a permission no caller could hold, the route denied to everyone without a word.
  test("a hole in contextClaims or in a requirement's permissions (JavaScript's [, x]) is the TypeError at cold start", () => {
    refused({ contextClaims: afterHole('email') }, /^authorizerResponse: contextClaims must be a list of claim names/)
    refused(
      { format: 'iam-policy', routes: { 'GET /orders': { permissions: afterHole('orders:read') } } },
      /routes\["GET \/orders"\]\.permissions\[0\] undefined is not a concrete permission/,
    )
    refused(
      { deniedFields: { 'Order.cost': { permissions: afterHole('orders:audit') } } },
      /deniedFields\['Order.cost'\]\.permissions\[0\] undefined is not a concrete permission/,
    )
  })

  // One permission grammar (core's splitPermission) for the authorizer's requirements and rbac's
  // grants: a control character (NUL, DEL, NEL: not whitespace to a JavaScript RegExp) is refused
  // by both, so a requirement can never name a permission no policy could grant, or the reverse.
  test.each(['orders:read\u0000', 'orders\u007f:read', 'orders:read\u0085', 'or\u0007ders:read', 'orders:read\u009b'])(
    'a permission with a control character (%j) is refused, as rbac refuses it',
    (permission) => {
      refused({ routes: { 'GET /orders': { permissions: [permission] } } }, /permissions\[0\] .* is not a concrete permission/)
      expect(() => compilePolicy({ roles: { r: { allow: [permission] } } })).toThrow(/is not a permission/)
    },
  )
  test.each(['orders:read', 'Bestellungen:lesen', 'orders.v2:read-all', 'é:ü'])('the permission %j is accepted, as rbac accepts it', (permission) => {
    expect(() => authorizerResponse({ format: 'iam-policy', routes: { 'GET /orders': { permissions: [permission] } } })).not.toThrow()
    expect(() => compilePolicy({ roles: { r: { allow: [permission] } } })).not.toThrow()
  })

  test('what works', () => {
    expect(() =>
      authorizerResponse({
        format: 'iam-policy',
        routes: { 'GET /': {}, 'ANY /{proxy+}': { anyOf: ['a', 'b'] }, $connect: { scopes: ['chat'] }, $default: { permissions: ['x:y'] } },
        contextClaims: ['email', 'realm_access.roles'],
        context: () => ({ tier: 1 }),
        usageIdentifierKey: () => 'key',
        maxResponseBytes: 10240,
        logger: false,
      }),
    ).not.toThrow()
    expect(() => authorizerResponse()).not.toThrow()
  })

  test('authorizerResponseValidateOptions: Middy’s opt-in schema check', () => {
    expect(() =>
      authorizerResponseValidateOptions({ format: 'iam-policy', routes: { 'GET /orders': { scopes: ['orders/read'], permissions: ['orders:read'] } } }),
    ).not.toThrow()
    expect(() => authorizerResponseValidateOptions({ format: 'json' })).toThrow()
    expect(() => authorizerResponseValidateOptions({ routes: { 'GET /orders': { scopes: ['a b'] } } })).toThrow()
    expect(() => authorizerResponseValidateOptions({ routes: { 'GET /orders': { permissions: ['orders:*'] } } })).toThrow()
    expect(() => authorizerResponseValidateOptions({ nope: true })).toThrow()
  })
})

describe('any other failure is a Deny, never an Allow, and is logged', () => {
  const token = () => sign({ scope: 'orders/read' })

  test('an event that is not an authorizer event: a Deny of everything', async () => {
    const api = authorizer({}, [withIdentity({})])
    expect(policyOf(await api.invoke(restEvent({})))).toEqual({
      principalId: 'alice',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['*'] }] },
    })
    expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'not_an_authorizer_event' })])
  })

  test('an ARN that is not an execute-api ARN', async () => {
    const api = authorizer({}, [withIdentity({})])
    expect(
      policyOf(await api.invoke({ type: 'TOKEN', authorizationToken: 'x', methodArn: 'arn:aws:lambda:eu-west-1:1:function:f' })).policyDocument.Statement,
    ).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['*'] }])
    expect(api.logs).toEqual([expect.objectContaining({ reason: 'no_arn' })])
  })

  test('a middleware that throws something else than an AuthError (an http-errors 401 too)', async () => {
    for (const error of [new Error('boom'), Object.assign(new Error('Unauthorized'), { statusCode: 401, expose: true }), 'a string']) {
      const api = authorizer({}, [withIdentity({}), throwing(error)])
      expect(policyOf(await api.invoke(authorizerTokenEvent({ token: 'x' }))).policyDocument).toEqual(denyStage)
      expect(api.logs).toEqual([expect.objectContaining({ level: 'error', reason: 'unexpected_error', error })])
    }
  })

  test('an AuthError of another status (a 400 is a bad credential: 401)', async () => {
    const api = authorizer({}, [throwing(new AuthError('invalid_request', { package: 'x' }))])
    expect(await api.invoke(authorizerTokenEvent({ token: 'x' }))).toEqual({ kind: 'error', message: 'Unauthorized' })
    const denied = authorizer({}, [throwing(new AuthError('access_denied', { package: 'x' }))])
    expect(policyOf(await denied.invoke(authorizerTokenEvent({ token: 'x' }))).policyDocument).toEqual(denyStage)
    expect(denied.logs).toEqual([])
  })

  test('a handler that throws', async () => {
    const api = authorizer({}, [verify()])
    const handler = (await import('@middy/core'))
      .default()
      .use(verify())
      .use(authorizerResponse({ logger: (entry) => void api.logs.push(entry) }))
      .handler(async () => {
        throw new Error('bug')
      })
    const response = (await handler(authorizerTokenEvent({ bearer: await token() }) as never, {} as never)) as any
    expect(response.policyDocument).toEqual(denyStage)
    expect(api.logs).toEqual([expect.objectContaining({ reason: 'unexpected_error' })])
  })

  test('no identity at all: 401, as for a missing token', async () => {
    const api = authorizer({})
    expect(await api.invoke(authorizerTokenEvent({ token: 'x' }))).toEqual({ kind: 'error', message: 'Unauthorized' })
    expect(await api.invoke(httpAuthorizerEventV2({}))).toEqual({ kind: 'response', response: { isAuthorized: false } })
  })

  test('an identity without a subject', async () => {
    const api = authorizer({}, [withIdentity({ subject: '' })])
    expect(policyOf(await api.invoke(authorizerTokenEvent({ token: 'x' }))).policyDocument).toEqual(denyStage)
    expect(api.logs).toEqual([expect.objectContaining({ reason: 'no_subject' })])
  })

  test('a context value the authorizer writes itself, or a context function that throws', async () => {
    for (const context of [
      () => ({ roles: 'admin' }),
      () => ({ principalId: 'mallory' }),
      () => {
        throw new Error('no tenant')
      },
    ]) {
      const api = authorizer({ context: context as never }, [verify()])
      expect(policyOf(await api.invoke(authorizerTokenEvent({ bearer: await token() }))).policyDocument).toEqual(denyStage)
      expect(api.logs).toEqual([expect.objectContaining({ reason: 'unexpected_error' })])
    }
  })

  test('a usageIdentifierKey function that throws', async () => {
    const api = authorizer(
      {
        usageIdentifierKey: () => {
          throw new Error('no key')
        },
      },
      [verify()],
    )
    expect(policyOf(await api.invoke(authorizerTokenEvent({ bearer: await token() }))).policyDocument).toEqual(denyStage)
  })

  test('a response larger than maxResponseBytes', async () => {
    const api = authorizer({ maxResponseBytes: 512, context: () => ({ big: 'x'.repeat(600) }) }, [verify()])
    const token1 = await token()
    expect(policyOf(await api.invoke(authorizerTokenEvent({ bearer: token1 }))).policyDocument).toEqual(denyStage)
    expect(api.logs).toEqual([expect.objectContaining({ reason: 'response_too_large' })])
    const simple = authorizer({ maxResponseBytes: 512, context: () => ({ big: 'x'.repeat(600) }) }, [verify()])
    expect(await simple.invoke(httpAuthorizerEventV2({ bearer: token1 }))).toEqual({ kind: 'response', response: { isAuthorized: false } })
  })

  test('a policy of many routes larger than maxResponseBytes: this request only, logged', async () => {
    const routes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`GET /resource-number-${i}/{id}`, { scopes: ['orders/read'] }]))
    const api = authorizer({ routes, maxResponseBytes: 1024, contextClaims: [] }, [verify()])
    const policy = policyOf(
      await api.invoke(authorizerRequestEvent({ bearer: await token(), resource: '/resource-number-3/{id}', path: '/resource-number-3/42' })),
    )
    expect(policy.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:r1e2s3t4a5/prod/GET/resource-number-3/42'] },
    ])
    expect(policy.context).toBeDefined()
    expect(api.logs).toEqual([expect.objectContaining({ level: 'warn', reason: 'response_too_large' })])
  })

  test('a logger that throws changes nothing; logger: false logs nothing; the default is console.error', async () => {
    const thrower = authorizer(
      {
        logger: () => {
          throw new Error('log sink down')
        },
      },
      [withIdentity({ subject: '' })],
    )
    expect(policyOf(await thrower.invoke(authorizerTokenEvent({ token: 'x' }))).policyDocument).toEqual(denyStage)
    const quiet = authorizer({ logger: false }, [withIdentity({ subject: '' })])
    expect(policyOf(await quiet.invoke(authorizerTokenEvent({ token: 'x' }))).policyDocument).toEqual(denyStage)
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const middy = (await import('@middy/core')).default
      await middy()
        .use(withIdentity({ subject: '' }))
        .use(authorizerResponse())(authorizerTokenEvent({ token: 'x' }) as never, {} as never)
      expect(spy).toHaveBeenCalledWith(expect.objectContaining({ level: 'error', package: '@middy-auth/authorizer', reason: 'no_subject' }))
    } finally {
      spy.mockRestore()
    }
  })

  test('nothing of the token in a response or a log', async () => {
    const secret = await sign({ scope: 'orders/read', email: 'alice@example.com' })
    const api = authorizer({ routes: { 'GET /orders': { scopes: ['x'] } }, maxResponseBytes: 512, contextClaims: ['email'] }, [verify()])
    const outcomes = [
      await api.invoke(authorizerTokenEvent({ bearer: secret, path: '/orders' })),
      await api.invoke(authorizerTokenEvent({ bearer: secret, path: '/unlisted' })),
      await api.invoke(authorizerTokenEvent({ bearer: `${secret}x`, path: '/orders' })),
    ]
    expect(JSON.stringify({ outcomes, logs: api.logs })).not.toContain(secret)
    expect(JSON.stringify({ outcomes, logs: api.logs })).not.toContain('alice@example.com')
  })
})

describe('context', () => {
  test('claims flattened: lists and objects as JSON text, missing and null claims left out; dotted paths', async () => {
    const token = await sign({ groups: ['a', 'b'], realm_access: { roles: ['r1'] }, address: { country: 'FR' }, nothing: null, ratio: 0.5, flag: false })
    const api = authorizer({ contextClaims: ['groups', 'realm_access.roles', 'address', 'nothing', 'ratio', 'flag', 'absent'] }, [verify()])
    const context = contextOf(await api.invoke(authorizerTokenEvent({ bearer: token })))
    expect(context).toEqual({
      source: 'jwt',
      middyAuthContext: 1,
      // The claims that were lists, so that only they come back as lists.
      middyAuthLists: '["groups","realm_access.roles"]',
      iss: issuer.iss.issuer,
      scopes: '[]',
      roles: '[]',
      groups: '["a","b"]',
      'realm_access.roles': '["r1"]',
      address: '{"country":"FR"}',
      ratio: 0.5,
      flag: false,
    })
  })

  test('a scope holding a comma or a bracket survives: scopes are a JSON list', async () => {
    const api = authorizer({}, [withIdentity({ scopes: ['a,b', '[x]'] })])
    const context = contextOf(await api.invoke(httpAuthorizerEventV2({ bearer: 't' })))
    expect(context.scopes).toBe('["a,b","[x]"]')
    const { readStringList } = await import('@middy-auth/core')
    expect(readStringList(context.scopes)).toEqual(['a,b', '[x]'])
  })

  test('usageIdentifierKey on IAM-policy responses', async () => {
    const api = authorizer({ usageIdentifierKey: (auth) => `key-${auth.subject}` }, [withIdentity({})])
    expect(policyOf(await api.invoke(authorizerTokenEvent({ token: 'x' }))).usageIdentifierKey).toBe('key-alice')
    const none = authorizer({ usageIdentifierKey: () => undefined }, [withIdentity({})])
    expect(policyOf(await none.invoke(authorizerTokenEvent({ token: 'x' })))).not.toHaveProperty('usageIdentifierKey')
  })

  test('an IAM caller (iam-context in front): its ARN is the principal', async () => {
    const api = authorizer({}, [withIdentity({ source: 'iam', subject: 'arn:aws:iam::111122223333:user/alice' })])
    const policy = policyOf(await api.invoke(authorizerTokenEvent({ token: 'x' })))
    expect(policy.principalId).toBe('arn:aws:iam::111122223333:user/alice')
    expect(policy.context).toMatchObject({ source: 'iam' })
  })
})
