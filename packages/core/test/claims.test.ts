import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { loadFixture } from '../../../test/support/fixtures.js'
import {
  gatewayAuth,
  readBoolean,
  readClaimPath,
  readNumber,
  readListClaim,
  readNumericDate,
  readScopeClaim,
  readStringList,
  restoreGatewayClaims,
} from '../src/index.js'
import { authorizerContextMark, hasExactClaims, readScopeList } from '../src/internal.js'

describe('readStringList', () => {
  test.each([
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    ['a b', ['a b']],
    ['Not Admins', ['Not Admins']],
    ['a,b', ['a', 'b']],
    ['Domain Editors, Readers', ['Domain Editors', 'Readers']],
    ['a, b', ['a', 'b']],
    ['[a b]', ['a', 'b']],
    ['["a","b"]', ['a', 'b']],
    ['', []],
    ['[]', []],
    [null, []],
    [undefined, []],
    [42, []],
    [
      ['a', 1, '', 'b'],
      ['a', 'b'],
    ],
  ])('%j → %j', (input, expected) => {
    expect(readStringList(input)).toEqual(expected)
  })
})

describe('readListClaim', () => {
  test('a verified token string is one name; gateway strings are lists', () => {
    expect(readListClaim({ source: 'jwt' }, 'Not Admins')).toEqual(['Not Admins'])
    expect(readListClaim({ source: 'jwt' }, ['a', 'b'])).toEqual(['a', 'b'])
    expect(readListClaim({ source: 'jwt' }, '')).toEqual([])
    expect(readListClaim({ source: 'apigateway', stringifiedClaims: true }, '[admin editor]')).toEqual(['admin', 'editor'])
    expect(readListClaim({ source: 'lambda-authorizer', stringifiedClaims: true }, 'admin,editor')).toEqual(['admin', 'editor'])
    // Whether claims are strings a gateway made is the identity's own field, not its source.
    expect(readListClaim({ source: 'apigateway' }, '[admin editor]')).toEqual(['[admin editor]'])
  })
})

describe('readScopeList', () => {
  test.each([
    ['orders:read  orders:write', ['orders:read', 'orders:write']],
    ['read,admin', ['read,admin']],
    [
      ['a', 2, '', 'b'],
      ['a', 'b'],
    ],
    [null, []],
  ])('%j → %j', (input, expected) => {
    expect(readScopeList(input)).toEqual(expected)
  })

  test('the split without a regex reads every string as the whitespace split does', () => {
    const unit = fc.constantFrom('a', 'Z', '0', ':', '/', '.', '[', ',', ' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\ufeff', 'é', '\u007f', '\u0000')
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 20 }).map((units) => units.join('')),
        (text) => {
          expect(readScopeList(text)).toEqual(text.split(/\s+/).filter((scope) => scope.length > 0))
        },
      ),
      { seed: 0x5c0be, numRuns: 3000 },
    )
  })
})

describe('readScopeClaim: the one rule for scope claims', () => {
  const gateway = { stringifiedClaims: true }
  test.each([
    [{}, 'a b', ['a', 'b']],
    [{}, 'a,b c', ['a,b', 'c']],
    [{}, '[a b]', ['[a', 'b]']],
    [{}, ['a', 'b,c'], ['a', 'b,c']],
    [gateway, '[a b]', ['a', 'b']],
    [gateway, '["a","b,c"]', ['a', 'b,c']],
    [gateway, '[a,b c]', ['a,b', 'c']],
    [gateway, 'a,b', ['a,b']],
    [gateway, 'a b', ['a', 'b']],
    [gateway, null, []],
  ])('%j %j → %j', (identity, value, expected) => {
    expect(readScopeClaim(identity, value)).toEqual(expected)
  })

  test('the target reads a context exactly as the authorizer wrote it, and a gateway scp as a token would be read', () => {
    expect(restoreGatewayClaims({ scp: '[orders:read orders,write]' }).scp).toEqual(['orders:read', 'orders,write'])
    expect(gatewayAuth({ requestContext: { authorizer: { principalId: 'a', scopes: 'x,y z' } } })!.scopes).toEqual(['x,y', 'z'])
  })
})

describe('copies of claims and contexts have no prototype', () => {
  test('an own __proto__ key stays data', () => {
    const claims = JSON.parse('{"sub":"a","__proto__":{"admin":true},"exp":"10"}') as Record<string, unknown>
    const restored = restoreGatewayClaims(claims)
    expect(Object.getPrototypeOf(restored)).toBeNull()
    expect(restored.admin).toBeUndefined()
    expect(Object.hasOwn(restored, '__proto__')).toBe(true)
    expect(restored.exp).toBe(10)
  })
})

describe('numbers and dates', () => {
  test('readNumber', () => {
    expect(readNumber('1718722804')).toBe(1718722804)
    expect(readNumber(12.5)).toBe(12.5)
    expect(readNumber('12abc')).toBeUndefined()
    expect(readNumber('')).toBeUndefined()
    expect(readNumber(Number.NaN)).toBeUndefined()
    expect(readNumber(Infinity)).toBeUndefined()
  })
  test('readNumericDate reads the REST Cognito authorizer date text', () => {
    expect(readNumericDate('Tue Jun 18 15:00:04 UTC 2024')).toBe(1718722804)
    expect(readNumericDate('1718722804')).toBe(1718722804)
    expect(readNumericDate('soon')).toBeUndefined()
  })
  test('readBoolean', () => {
    expect(readBoolean('true')).toBe(true)
    expect(readBoolean(false)).toBe(false)
    expect(readBoolean('yes')).toBeUndefined()
  })
})

describe('readClaimPath', () => {
  const claims = { realm_access: { roles: ['admin'] }, 'https://example.com/roles': ['editor'], 'cognito:groups': ['g'] }
  test('nested, namespaced, and colon names', () => {
    expect(readClaimPath(claims, 'realm_access.roles')).toEqual(['admin'])
    expect(readClaimPath(claims, 'https://example.com/roles')).toEqual(['editor'])
    expect(readClaimPath(claims, 'cognito:groups')).toEqual(['g'])
    expect(readClaimPath(claims, ['realm_access', 'roles'])).toEqual(['admin'])
    expect(readClaimPath(claims, 'realm_access.missing.deep')).toBeUndefined()
    expect(readClaimPath(claims, '__proto__.constructor')).toBeUndefined()
  })
})

describe('gateway identities from the real fixtures', () => {
  test('HTTP API JWT authorizer: types restored, scopes null means none from the gateway', () => {
    const auth = gatewayAuth(loadFixture('http-v2-jwt.json'))!
    expect(auth.source).toBe('apigateway')
    expect(typeof auth.claims.exp).toBe('number')
    expect(auth.subject).toBe(auth.claims.sub)
    expect(Array.isArray(auth.scopes)).toBe(true)
  })
  test('HTTP API access token with bracketed groups and scopes', () => {
    const event = loadFixture('http-v2-jwt-access-token-groups.json')
    const auth = gatewayAuth(event)!
    expect(auth.claims['cognito:groups']).toEqual(['admin', 'editor'])
    expect(auth.scopes).toEqual(event.requestContext.authorizer.jwt.scopes)
  })
  test('REST Cognito: date text exp, comma-joined groups', () => {
    const auth = gatewayAuth(loadFixture('rest-v1-cognito-groups.json'))!
    expect(auth.claims.exp).toBe(1718722804)
    expect(auth.claims['cognito:groups']).toEqual(['admin', 'editor'])
    expect(auth.claims.email_verified).toBe(true)
  })
  test('REST Cognito access token: space-separated scope', () => {
    const auth = gatewayAuth(loadFixture('rest-v1-cognito-access-token.json'))!
    expect(auth.scopes.length).toBeGreaterThan(0)
    expect(auth.scopes.join(' ')).toBe(auth.claims.scope)
  })
  test('REST Lambda authorizer context, stringified', () => {
    const auth = gatewayAuth(loadFixture('rest-v1-lambda-authorizer-context.json'))!
    expect(auth.source).toBe('lambda-authorizer')
    expect(auth.roles).toEqual(['admin', 'editor'])
    expect(auth.claims).not.toHaveProperty('integrationLatency')
  })
  test('HTTP API Lambda authorizer with a null context', () => {
    const auth = gatewayAuth(loadFixture('http-v2-lambda-authorizer-null-context.json'))!
    expect(auth.source).toBe('lambda-authorizer')
    expect(auth.claims).toEqual({})
  })
  test('no authorizer, or IAM only: none', () => {
    expect(gatewayAuth(loadFixture('http-v2-no-auth.json'))).toBeUndefined()
    expect(gatewayAuth(loadFixture('rest-v1-no-auth.json'))).toBeUndefined()
    expect(gatewayAuth(loadFixture('http-v2-iam.json'))).toBeUndefined()
    expect(gatewayAuth(null)).toBeUndefined()
  })
  test('a context written by @middy-auth/authorizer (marked) is read exactly', () => {
    const marked = {
      requestContext: {
        authorizer: { principalId: 'alice', [authorizerContextMark]: '1', roles: '["admin"]', groups: 'Not Admins', exp: '1718722804', scopes: '["a,b"]' },
      },
    }
    const auth = gatewayAuth(marked)!
    expect(auth).toMatchObject({ source: 'lambda-authorizer', subject: 'alice', roles: ['admin'], scopes: ['a,b'] })
    expect(auth.claims).toMatchObject({ groups: 'Not Admins', exp: 1718722804 })
    expect(auth.claims).not.toHaveProperty(authorizerContextMark)
    expect(hasExactClaims(auth)).toBe(true)
    expect(readListClaim(auth, auth.claims.groups)).toEqual(['Not Admins'])
    const handWritten = gatewayAuth({ requestContext: { authorizer: { principalId: 'bob', groups: 'viewer,editor' } } })!
    expect(hasExactClaims(handWritten)).toBe(false)
    expect(readListClaim(handWritten, handWritten.claims.groups)).toEqual(['viewer', 'editor'])
  })

  test('a list the authorizer names in middyAuthLists comes back whatever its items (found by test/fuzz/models.test.ts)', () => {
    const auth = gatewayAuth({
      requestContext: {
        authorizer: {
          lambda: {
            principalId: 'alice',
            [authorizerContextMark]: 1,
            middyAuthLists: '["tenants","groups"]',
            tenants: '[12,34]',
            groups: '["clerk",null]',
            note: '[1]',
          },
        },
      },
    })!
    expect(auth.claims).toMatchObject({ tenants: [12, 34], groups: ['clerk', null], note: '[1]' })
    expect(readListClaim(auth, auth.claims.groups)).toEqual(['clerk'])
    // Without middyAuthLists (an earlier authorizer), only a list of strings is taken for a list.
    const earlier = gatewayAuth({ requestContext: { authorizer: { lambda: { [authorizerContextMark]: 1, tenants: '[12,34]', groups: '["clerk"]' } } } })!
    expect(earlier.claims).toMatchObject({ tenants: '[12,34]', groups: ['clerk'] })
  })

  test('restoreGatewayClaims leaves other strings alone', () => {
    expect(restoreGatewayClaims({ username: '1234', exp: '10' })).toEqual({ username: '1234', exp: 10 })
  })
})
