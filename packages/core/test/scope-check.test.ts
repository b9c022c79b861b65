import { describe, expect, test } from '@jest/globals'
import {
  compileScopeCheck,
  configErrors,
  isScopeToken,
  readScopeCheck,
  readScopeTokens,
  scopesSatisfy,
  scopeTokenPattern,
  unmetScopes,
} from '../src/internal.js'

const fail = configErrors('test', 'test')

describe('scope-tokens (RFC 6749 §3.3)', () => {
  test.each(['orders:read', 'orders/write', 'https://api.example.com/orders.read', 'a,b', '[x]', '!', '~'])('%j is a scope', (scope) => {
    expect(isScopeToken(scope)).toBe(true)
    expect(new RegExp(scopeTokenPattern).test(scope)).toBe(true)
  })
  test.each(['', 'a b', 'a"b', 'a\\b', 'é', 'a\tb', 'a\u0000'])('%j is not', (scope) => {
    expect(isScopeToken(scope)).toBe(false)
    expect(new RegExp(scopeTokenPattern).test(scope)).toBe(false)
  })
  test('non-strings are not', () => {
    expect(isScopeToken(42)).toBe(false)
    expect(isScopeToken(['a'])).toBe(false)
  })
})

describe('readScopeTokens', () => {
  test('a list, duplicates dropped, order kept', () => {
    expect(readScopeTokens(['b', 'a', 'b'], 'required', fail)).toEqual(['b', 'a'])
  })
  test.each<[unknown, RegExp]>([
    ['a b', /^test: required must be a list of scopes such as \['orders:read'\], not a string: write \['a', 'b'\]$/],
    [null, /^test: required must be a list of scopes such as \['orders:read'\]$/],
    [[], /^test: required is empty: list at least one scope, or leave it out/],
    [['a b'], /required\[0\] "a b" is not a scope \(RFC 6749 §3\.3: printable ASCII without '"' or '\\' or spaces\); list "a b" as separate scopes$/],
    // A hole of a sparse array is read as what it is, undefined: refused at its index.
    [Object.assign(new Array<string>(2), { 1: 'a' }), /^test: required\[0\] undefined is not a scope \(RFC 6749/],
    [['ok', 7], /required\[1\] 7 is not a scope/],
  ])('%j is refused through fail()', (value, message) => {
    expect(() => readScopeTokens(value, 'required', fail)).toThrow(message)
    try {
      readScopeTokens(value, 'required', fail)
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      expect((error as TypeError).cause).toEqual({ package: 'test', option: expect.stringMatching(/^required/) })
    }
  })
})

describe('compileScopeCheck / scopesSatisfy / unmetScopes', () => {
  test('all of required', () => {
    const check = compileScopeCheck(['a', 'b'])
    expect(scopesSatisfy(check, ['b', 'x', 'a'])).toBe(true)
    expect(scopesSatisfy(check, ['a'])).toBe(false)
    // A scope held twice counts once.
    expect(scopesSatisfy(check, ['a', 'a'])).toBe(false)
    expect(unmetScopes(check, ['a'])).toEqual({ missing: ['b'] })
  })
  test('one of anyOf, with and without required', () => {
    const any = compileScopeCheck([], ['r', 'w'])
    expect(scopesSatisfy(any, ['w'])).toBe(true)
    expect(scopesSatisfy(any, [])).toBe(false)
    expect(unmetScopes(any, ['x'])).toEqual({ missing: [], anyOf: ['r', 'w'] })
    const both = compileScopeCheck(['t'], ['r', 'w'])
    expect(scopesSatisfy(both, ['t', 'r'])).toBe(true)
    expect(scopesSatisfy(both, ['r'])).toBe(false)
    expect(scopesSatisfy(both, ['t'])).toBe(false)
    expect(both.challengeScope).toEqual(['t', 'r', 'w'])
  })
  test('nothing required is satisfied by anything', () => {
    expect(scopesSatisfy(compileScopeCheck([]), [])).toBe(true)
  })
  test('exact, case-sensitive comparison; non-strings held never match', () => {
    const check = compileScopeCheck(['Orders:Read'])
    expect(scopesSatisfy(check, ['orders:read'])).toBe(false)
    expect(scopesSatisfy(compileScopeCheck(['1']), [1])).toBe(false)
  })
  test('a value that is not a scope-token is a TypeError', () => {
    expect(() => compileScopeCheck(['a b'])).toThrow(TypeError)
    expect(() => compileScopeCheck([], [''])).toThrow(TypeError)
  })
  test('the challenge scope lists each scope once, required first', () => {
    expect(compileScopeCheck(['a', 'b'], ['b', 'c']).challengeScope).toEqual(['a', 'b', 'c'])
    expect(Object.isFrozen(compileScopeCheck(['a']).challengeScope)).toBe(true)
  })
})

describe('readScopeCheck', () => {
  test('reads both lists at their paths and compiles them as compileScopeCheck does', () => {
    expect(readScopeCheck(['a', 'a', 'b'], ['c', 'a'], ['required', 'anyOf'], fail)).toEqual(compileScopeCheck(['a', 'b'], ['c', 'a']))
    expect(readScopeCheck(undefined, ['c'], ['required', 'anyOf'], fail)).toEqual(compileScopeCheck([], ['c']))
    expect(readScopeCheck(['a'], undefined, ['required', 'anyOf'], fail).anyOf).toBeUndefined()
  })
  test('refuses what readScopeTokens refuses, at the path given', () => {
    expect(() => readScopeCheck(['a'], ['b c'], ['routes.x.required', 'routes.x.anyOf'], fail)).toThrow(/^test: routes\.x\.anyOf\[0\] "b c" is not a scope/)
    expect(() => readScopeCheck('a', undefined, ['required', 'anyOf'], fail)).toThrow(/^test: required must be a list of scopes/)
  })
})
