import { describe, expect, jest, test } from '@jest/globals'
import type { AuthContext } from '../src/index.js'
import * as core from '../src/internal.js'

type Core = typeof core

/** A second, separately loaded copy of core, as when an application installs two versions. */
const secondCopy = async (): Promise<Core> => {
  let copy: Core | undefined
  await jest.isolateModulesAsync(async () => {
    copy = await import('../src/internal.js')
  })
  return copy!
}

const identity = (): AuthContext => ({ source: 'jwt', subject: 'alice', scopes: [], roles: [], claims: {} })

describe('state passed between packages', () => {
  test('the second copy is really another module instance', async () => {
    const other = await secondCopy()
    expect(other.attachState).not.toBe(core.attachState)
    expect(other.stateKeys).not.toBe(core.stateKeys)
  })

  test('two copies of core agree on every key', async () => {
    const other = await secondCopy()
    for (const [name, key] of Object.entries(core.stateKeys)) {
      expect(other.stateKeys[name as keyof Core['stateKeys']]).toBe(key)
      expect(Symbol.keyFor(key)).toMatch(/^@middy-auth\//)
    }
  })

  test('rbacGrantKey, which rbac imports by name, is stateKeys.rbacGrant', () => {
    expect(core.rbacGrantKey).toBe(core.stateKeys.rbacGrant)
  })

  test('every key keeps the description earlier versions registered, so that they and this one agree', () => {
    const descriptions = Object.fromEntries(Object.entries(core.stateKeys).map(([name, key]) => [name, Symbol.keyFor(key)]))
    expect(descriptions).toEqual({
      permissionCheck: '@middy-auth/core permission check',
      requestSpecificChecks: '@middy-auth/request-specific-checks',
      credential: '@middy-auth/credential',
      rbacGrant: '@middy-auth/rbac grant',
      oauthLoginInternal: '@middy-auth/oauth-login internal',
      oauthLoginCookies: '@middy-auth/oauth-login cookies',
    })
  })

  test('a permission check attached by one copy is read by the other', async () => {
    const other = await secondCopy()
    const auth = identity()
    core.attachPermissionCheck(auth, (permission) => permission === 'articles:read')
    expect(other.holdsPermission(auth, 'articles:read')).toBe(true)
    expect(other.holdsPermission(auth, 'articles:delete')).toBe(false)
  })

  test('request-specific checks and the credential noted by one copy are read by the other', async () => {
    const other = await secondCopy()
    const request = { internal: {} as Record<string, unknown> }
    other.noteRequestSpecificCheck(request, { package: '@middy-auth/oauth-scope', reason: 'routes' })
    other.noteCredential(request, 'token-1')
    expect(core.requestSpecificChecks(request)).toEqual([{ package: '@middy-auth/oauth-scope', reason: 'routes' }])
    expect(core.notedCredential(request)).toBe('token-1')
  })

  test('state stays out of copies, JSON and reads by name', () => {
    const auth = identity()
    core.attachPermissionCheck(auth, () => true)
    expect(Object.keys(auth)).not.toContain('permissionCheck')
    expect(core.holdsPermission({ ...auth }, 'articles:read')).toBeUndefined()
    expect(JSON.parse(JSON.stringify(auth))).toEqual(identity())
    const request = { internal: {} as Record<string, unknown> }
    core.noteCredential(request, 'token-1')
    expect(Object.keys(request.internal)).toEqual([])
    expect(JSON.stringify(request.internal)).toBe('{}')
  })

  test('readState of something that is not an object is undefined', () => {
    expect(core.readState(null, core.stateKeys.credential)).toBeUndefined()
    expect(core.readState('text', core.stateKeys.credential)).toBeUndefined()
  })
})
