import { describe, expect, test } from '@jest/globals'
import { createVerifiedTokenCache, type VerifiedToken } from '../src/verified-token-cache.js'

const entry = (token: string): VerifiedToken => [token, {} as never, 0, {} as never, {} as never, 0]
const token = (name: string) => `header.payload.${name.padStart(40, '-')}`
/** The names whose tokens the cache holds. */
const held = (cache: ReturnType<typeof createVerifiedTokenCache>, names: readonly string[]) => names.filter((name) => cache.get(token(name)) !== undefined)

describe('createVerifiedTokenCache', () => {
  test('bounded: the oldest entry goes first', () => {
    const cache = createVerifiedTokenCache(3)
    for (const name of ['a', 'b', 'c', 'd']) cache.set(entry(token(name)))
    expect(held(cache, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd'])
    expect(cache.get(token('a'))).toBeUndefined()
    expect(cache.get(token('d'))?.[0]).toBe(token('d'))
  })

  test('stays bounded whatever mix of deletes and sets', () => {
    const cache = createVerifiedTokenCache(5)
    const names: string[] = []
    for (let i = 0; i < 2000; i++) {
      names.push(String(i))
      cache.set(entry(token(String(i))))
      if (i % 3 === 0) cache.delete(token(String(i - 1)))
      if (i % 11 === 0) cache.set(entry(token(String(i - 2))))
      // Every token set so far (i - 2 and i - 1 are among them).
      expect(held(cache, names).length).toBeLessThanOrEqual(5)
    }
  })

  test('a token that only shares the lookup suffix is a miss, and cannot delete the other', () => {
    const cache = createVerifiedTokenCache(10)
    const original = `aaa.bbb.${'s'.repeat(40)}`
    const forged = `aaa.ccc.${'s'.repeat(40)}`
    cache.set(entry(original))
    expect(cache.get(forged)).toBeUndefined()
    cache.delete(forged)
    expect(cache.get(original)?.[0]).toBe(original)
  })
})
