import { describe, expect, test } from '@jest/globals'
import { isConcretePermission, splitPermission } from '../src/internal.js'

describe('the one permission grammar', () => {
  test.each([
    ['articles:read', { resource: 'articles', action: 'read' }],
    ['articles:*', { resource: 'articles', action: '*' }],
    ['*:read', { resource: '*', action: 'read' }],
    ['*', { resource: '*', action: '*' }],
    ['*:*', { resource: '*', action: '*' }],
    ['Artikel:lesen', { resource: 'Artikel', action: 'lesen' }],
  ])('%j', (value, parts) => {
    expect(splitPermission(value)).toEqual(parts)
  })
  test.each(['articles', 'articles:', ':read', 'a:b:c', 'art*:read', 'a :b', 'a:b\n', 'a:b\u0000', 'a:b\u0085', 'a\u007f:b', '', 5, null, ['a:b']])(
    '%j is not a permission',
    (value) => {
      expect(splitPermission(value)).toBeUndefined()
      expect(isConcretePermission(value)).toBe(false)
    },
  )
  test('a concrete permission has no wildcard', () => {
    expect(isConcretePermission('articles:update')).toBe(true)
    expect(isConcretePermission('articles:*')).toBe(false)
    expect(isConcretePermission('*:update')).toBe(false)
    expect(isConcretePermission('*')).toBe(false)
  })
})
