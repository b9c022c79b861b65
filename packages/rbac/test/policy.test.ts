import { describe, expect, test } from '@jest/globals'
import { compilePolicy } from '../src/index.js'
import { articlesPolicy } from './support.js'

const compiled = compilePolicy(articlesPolicy)
const decision = (roles: string[], permission: string, when?: (name: string) => boolean) => compiled.check(roles, permission, when).decision

describe("the issue's policy", () => {
  test.each([
    [['viewer'], 'articles:read', 'allow'],
    [['viewer'], 'articles:update', 'deny'],
    [['viewer'], 'comments:delete', 'allow'],
    [['editor'], 'articles:read', 'allow'],
    [['editor'], 'articles:create', 'allow'],
    [['editor'], 'articles:delete', 'deny'],
    [['editor'], 'users:invite', 'deny'],
    [['admin'], 'users:invite', 'allow'],
    [['admin'], 'articles:update', 'allow'],
    // Inheriting a role is holding it: editor's deny reaches admin, whose "*" does not override it.
    [['admin'], 'articles:delete', 'deny'],
    [['admin', 'viewer'], 'articles:delete', 'deny'],
    [['viewer', 'admin'], 'billing:refund', 'allow'],
    [[], 'articles:read', 'deny'],
    [['Admin', 'ADMIN', 'root'], 'articles:read', 'deny'],
  ])('%j %s: %s', (roles, permission, expected) => {
    expect(decision(roles, permission)).toBe(expected)
  })

  test('reasons name the rule, the role that declares it and the held role that inherits it', () => {
    expect(compiled.check(['admin'], 'articles:delete')).toEqual({
      permission: 'articles:delete',
      decision: 'deny',
      reason: 'role editor (inherited by admin) denies articles:delete',
      rule: { effect: 'deny', role: 'editor', permission: 'articles:delete', via: 'admin' },
    })
    expect(compiled.check(['editor'], 'articles:delete').reason).toBe('role editor denies articles:delete')
    expect(compiled.check(['admin'], 'users:invite')).toMatchObject({
      reason: 'role admin allows *',
      rule: { effect: 'allow', role: 'admin', permission: '*' },
    })
    expect(compiled.check(['admin'], 'comments:edit').reason).toBe('role viewer (inherited by admin) allows comments:*')
    expect(compiled.check(['viewer'], 'articles:update')).toEqual({ permission: 'articles:update', decision: 'deny', reason: 'no role allows articles:update' })
    expect(compiled.check(['nobody'], 'articles:read').reason).toBe('no role of the policy is held')
  })

  test('conditional allows: asked only when nothing else decides; the reason says which condition', () => {
    const asked: string[] = []
    const when = (name: string) => (asked.push(name), true)
    expect(compiled.check(['editor'], 'articles:publish', when)).toMatchObject({
      decision: 'allow',
      reason: 'role editor allows articles:publish when isOwner',
    })
    expect(asked).toEqual(['isOwner'])
    expect(compiled.check(['editor'], 'articles:update', when).decision).toBe('allow')
    expect(compiled.check(['editor'], 'articles:delete', when).decision).toBe('deny')
    expect(asked).toEqual(['isOwner'])
    expect(compiled.check(['editor'], 'articles:publish', () => false).reason).toBe('no role allows articles:publish; condition isOwner not met')
    expect(compiled.check(['editor'], 'articles:publish').reason).toBe('no role allows articles:publish; condition isOwner not met')
    expect(
      compiled.check(['editor'], 'articles:publish', () => {
        throw new Error('db down')
      }).reason,
    ).toBe('no role allows articles:publish; condition isOwner threw')
    // Only `true` is met: a truthy value or a promise is not.
    expect(compiled.check(['editor'], 'articles:publish', () => 'yes' as never).decision).toBe('deny')
    expect(compiled.check(['editor'], 'articles:publish', () => Promise.resolve(true) as never).decision).toBe('deny')
    // admin's "*" allows unconditionally: the condition is not asked.
    expect(compiled.check(['admin'], 'articles:publish', () => false).decision).toBe('allow')
  })

  test('a permission to check must be concrete', () => {
    for (const permission of ['articles:*', '*:read', '*', 'articles', '', 'a:b:c', 5 as never]) {
      expect(compiled.check(['admin'], permission)).toMatchObject({ decision: 'deny', reason: 'invalid permission' })
    }
  })

  test('roles that are not strings, or not a list, grant nothing', () => {
    expect(decision([5, null, {}] as never, 'articles:read')).toBe('deny')
    expect(decision('admin' as never, 'articles:read')).toBe('deny')
  })
})

describe('wildcards and deny', () => {
  test.each([
    // [allow, deny, permission, decision]
    [['*'], [], 'a:b', 'allow'],
    [['*:*'], [], 'a:b', 'allow'],
    [['a:*'], [], 'a:b', 'allow'],
    [['a:*'], [], 'c:b', 'deny'],
    [['*:b'], [], 'c:b', 'allow'],
    [['*:b'], [], 'c:d', 'deny'],
    [['a:b'], [], 'a:bb', 'deny'],
    [['a:b'], [], 'A:b', 'deny'],
    [['*'], ['a:b'], 'a:b', 'deny'],
    [['*'], ['a:b'], 'a:c', 'allow'],
    [['a:b'], ['a:*'], 'a:b', 'deny'],
    [['a:b'], ['*:b'], 'a:b', 'deny'],
    [['a:b'], ['*'], 'a:b', 'deny'],
    [['a:*'], ['*:b'], 'a:c', 'allow'],
    [['a:*'], ['*:b'], 'a:b', 'deny'],
  ])('allow %j deny %j: %s is %s', (allow, deny, permission, expected) => {
    expect(compilePolicy({ roles: { r: { allow, deny } } }).check(['r'], permission).decision).toBe(expected)
  })

  test('a deny inherited from far away, through a diamond', () => {
    const diamond = compilePolicy({
      roles: {
        top: { inherits: ['left', 'right'], allow: ['*'] },
        left: { inherits: ['base'], allow: ['x:*'] },
        right: { inherits: ['base'] },
        base: { deny: ['x:drop'] },
      },
    })
    expect(diamond.check(['top'], 'x:drop')).toMatchObject({ decision: 'deny', rule: { role: 'base', via: 'top' } })
    expect(diamond.check(['left'], 'x:keep').decision).toBe('allow')
    expect(diamond.check(['right'], 'x:keep').decision).toBe('deny')
  })
})
