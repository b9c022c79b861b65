import { describe, expect, test } from '@jest/globals'
import { appsyncTtl } from '../src/appsync.js'

describe('how long AppSync may cache an answer', () => {
  const at = 1_800_000_000_000
  const auth = (claims: Record<string, unknown>) => ({ source: 'jwt' as const, subject: 'alice', scopes: [], roles: [], claims })

  test('never past the token’s exp, whatever is configured', () => {
    expect(appsyncTtl(auth({ exp: at / 1000 + 120 }), 3600, at)).toBe(120)
    expect(appsyncTtl(auth({ exp: at / 1000 + 120 }), undefined, at)).toBe(120)
    expect(appsyncTtl(auth({ exp: at / 1000 + 7200 }), undefined, at)).toBeUndefined()
    expect(appsyncTtl(auth({ exp: at / 1000 - 5 }), 60, at)).toBe(0)
  })

  test('an identity without exp is not cached: nothing says how long it holds', () => {
    expect(appsyncTtl(auth({}), undefined, at)).toBe(0)
    expect(appsyncTtl(auth({ exp: 'soon' }), 300, at)).toBe(0)
    expect(appsyncTtl(undefined, 300, at)).toBe(0)
  })
})
