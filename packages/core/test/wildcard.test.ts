import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { matchesWildcard } from '../src/internal.js'

/** The reference: the same pattern as a regular expression (fine on the short texts generated here). */
const reference = (pattern: string, text: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^]*')
      .replace(/\?/g, '[^]')}$`,
  ).test(text)

describe('matchesWildcard', () => {
  test.each([
    ['GET/orders/*', 'GET/orders/42/items', true],
    ['GET/orders/*', 'GET/orders/', true],
    ['GET/orders/*', 'GET/orders', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['?', '', false],
    ['?', 'x', true],
    ['*?b', 'ab', true],
    ['*a*a*a*a*a*a*b', 'a'.repeat(64), false],
    ['*a*a*a*a*a*a*b', `${'a'.repeat(64)}b`, true],
  ])('%j against %j: %s', (pattern, text, expected) => {
    expect(matchesWildcard(pattern, text)).toBe(expected)
  })

  test('agrees with the regular-expression reference on random patterns and texts', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', '*', '?')
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', '?', '*'), maxLength: 12 })
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), text, (pattern, subject) => {
        expect(matchesWildcard(pattern, subject)).toBe(reference(pattern, subject))
      }),
      { seed: 20261204, numRuns: 20000 },
    )
  })
})
