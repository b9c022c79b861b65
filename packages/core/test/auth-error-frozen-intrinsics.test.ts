/**
 * A hardened runtime may freeze `Error.prototype` (against prototype pollution). An `AuthError`
 * must then still be built: its `name` is defined on the instance, never assigned, because an
 * assignment to a name that is read-only on the prototype throws ("the override mistake"), and
 * every refusal would become a 500. Jest gives each test file its own intrinsics: freezing them
 * here touches no other file.
 */
import { beforeAll, describe, expect, test } from '@jest/globals'
import { AuthError, forbidden } from '@middy-auth/core'
import { outcome, protect } from '../../../test/support/protect.js'

beforeAll(() => {
  Object.freeze(Error.prototype)
})

describe('with Error.prototype frozen', () => {
  test('a refusal is still its 4xx with its challenge, never a 500', async () => {
    const api = protect([
      {
        before: () => {
          throw new AuthError('missing_token', { package: '@middy-auth/core' })
        },
      },
    ])
    const response = await api.invoke({ headers: {} })
    expect(outcome(response)).toEqual([401, 'missing_token'])
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api"')
    expect(api.seen).toEqual([])
  })

  test('forbidden() in a handler is still a 403, and the error keeps its own name', async () => {
    const api = protect([], () => forbidden('not_owner'))
    expect(outcome(await api.invoke({ headers: {} }))).toEqual([403, 'access_denied'])
    const error = new AuthError('invalid_token')
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({ value: 'AuthError', writable: true, enumerable: true, configurable: true })
  })
})
