import { describe, expect, test } from '@jest/globals'
import { type AuthContext } from '../src/index.js'
import { attachPermissionCheck, holdsPermission, noteRequestSpecificCheck, requestSpecificChecks } from '../src/internal.js'

const identity = (): AuthContext => ({ source: 'jwt', subject: 'alice', scopes: [], roles: [], claims: {} })

describe('request-specific checks', () => {
  test('noted in order on request.internal, read back', () => {
    const request = { internal: Object.create(null) as Record<string, unknown> }
    expect(requestSpecificChecks(request)).toEqual([])
    noteRequestSpecificCheck(request, { package: 'a', reason: 'routes' })
    noteRequestSpecificCheck(request, { package: 'b', reason: 'condition' })
    expect(requestSpecificChecks(request)).toEqual([
      { package: 'a', reason: 'routes' },
      { package: 'b', reason: 'condition' },
    ])
  })
  test('a request without internal is left alone', () => {
    const request = {}
    expect(() => noteRequestSpecificCheck(request, { package: 'a', reason: 'routes' })).not.toThrow()
    expect(requestSpecificChecks(request)).toEqual([])
  })
  test('only the package and the reason are kept', () => {
    const request = { internal: {} as Record<string, unknown> }
    noteRequestSpecificCheck(request, { package: 'a', reason: 'routes', token: 'eyJ' } as never)
    expect(requestSpecificChecks(request)).toEqual([{ package: 'a', reason: 'routes' }])
  })
})

describe('permission checks', () => {
  test('undefined until a middleware attaches one', () => {
    expect(holdsPermission(identity(), 'articles:read')).toBeUndefined()
    expect(holdsPermission(undefined, 'articles:read')).toBeUndefined()
  })
  test('the attached check answers; only true is held', () => {
    const auth = identity()
    attachPermissionCheck(auth, (permission) => (permission === 'articles:read' ? true : ('yes' as never)))
    expect(holdsPermission(auth, 'articles:read')).toBe(true)
    expect(holdsPermission(auth, 'articles:update')).toBe(false)
  })
  test('a check that throws is false', () => {
    const auth = identity()
    attachPermissionCheck(auth, () => {
      throw new Error('boom')
    })
    expect(holdsPermission(auth, 'articles:read')).toBe(false)
  })
  test('invisible to JSON, keys and spreads; a copy does not carry it', () => {
    const auth = identity()
    attachPermissionCheck(auth, () => true)
    expect(JSON.stringify(auth)).toBe(JSON.stringify(identity()))
    expect(Object.keys(auth)).toEqual(Object.keys(identity()))
    expect(holdsPermission({ ...auth }, 'articles:read')).toBeUndefined()
  })
  test('a later attach replaces the earlier one', () => {
    const auth = identity()
    attachPermissionCheck(auth, () => false)
    attachPermissionCheck(auth, () => true)
    expect(holdsPermission(auth, 'x:y')).toBe(true)
  })
})
