import { afterEach, describe, expect, jest, test } from '@jest/globals'
import { checkOptionNames, configErrors, readDuration, readFunction, readRealm, readRenamed, readResourceMetadata, refuseMisspelled } from '../src/internal.js'

const fail = configErrors('@middy-auth/test', 'testFactory')

const thrown = (run: () => unknown): TypeError => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return error as TypeError
  }
  throw new Error('nothing was thrown')
}

describe('configErrors', () => {
  test('the message starts with the factory and the option path; the cause names both', () => {
    const error = fail('issuers[0].jwks', 'must be an object')
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('testFactory: issuers[0].jwks must be an object')
    expect(error.cause).toEqual({ package: '@middy-auth/test', option: 'issuers[0].jwks' })
  })
})

describe('checkOptionNames', () => {
  test('accepts known names', () => {
    expect(() => checkOptionNames({ a: 1, b: undefined }, ['a', 'b'], fail)).not.toThrow()
  })

  test('an unknown name lists the known ones', () => {
    const error = thrown(() => checkOptionNames({ a: 1, c: 2 }, ['a', 'b'], fail))
    expect(error.message).toBe('testFactory: c is not an option (known: a, b)')
    expect(error.cause).toEqual({ package: '@middy-auth/test', option: 'c' })
  })

  test('a nested object names its path', () => {
    expect(thrown(() => checkOptionNames({ z: 1 }, ['a'], fail, 'issuers[1].')).message).toBe('testFactory: issuers[1].z is not an option (known: a)')
    expect(thrown(() => checkOptionNames('x', ['a'], fail, 'issuers[1].')).message).toBe('testFactory: issuers[1] must be an object')
  })

  test.each([null, undefined, [], 'required', 3])('%j is not an object of options', (value) => {
    expect(thrown(() => checkOptionNames(value, ['a'], fail)).message).toBe('testFactory: options must be an object')
  })
})

describe('refuseMisspelled', () => {
  const known = ['required', 'realm']

  test('the other spelling names the suite’s, at the path of its object', () => {
    const error = thrown(() => refuseMisspelled({ require: [] }, known, fail))
    expect(error.message).toBe('testFactory: require is spelled required in middy-auth: rename it')
    expect(error.cause).toEqual({ package: '@middy-auth/test', option: 'require' })
    expect(thrown(() => refuseMisspelled({ require: [] }, known, fail, 'routes["GET /"].')).message).toBe(
      'testFactory: routes["GET /"].require is spelled required in middy-auth: rename it',
    )
  })

  test('only when it is the first name checkOptionNames refuses, which refuses every other, in the same order', () => {
    const both = (options: unknown) => () => {
      refuseMisspelled(options, known, fail)
      checkOptionNames(options, known, fail)
    }
    expect(thrown(both({ realm: 'a', other: 1, require: [] })).message).toBe('testFactory: other is not an option (known: required, realm)')
    expect(thrown(both({ realm: 'a', require: [], other: 1 })).message).toBe('testFactory: require is spelled required in middy-auth: rename it')
    expect(thrown(both('x')).message).toBe('testFactory: options must be an object')
    expect(both({ required: [], realm: 'a' })).not.toThrow()
    // A name inherited from Object.prototype is not a spelling.
    expect(thrown(both({ toString: 1 })).message).toBe('testFactory: toString is not an option (known: required, realm)')
  })
})

describe('readResourceMetadata', () => {
  test('the URL a challenge can carry; anything else the TypeError naming the option', () => {
    const url = 'https://api.example.com/.well-known/oauth-protected-resource'
    expect(readResourceMetadata(url, fail)).toBe(url)
    for (const value of ['http://api.example.com/x', 'https://api.example.com/"x', `${url}#a`, 42]) {
      const error = thrown(() => readResourceMetadata(value, fail))
      expect(error.message).toMatch(/^testFactory: resourceMetadata must be the absolute https URL of the protected resource metadata/)
      expect(error.cause).toEqual({ package: '@middy-auth/test', option: 'resourceMetadata' })
    }
  })
})

describe('readDuration', () => {
  const ms = { unit: 'milliseconds', fallback: 3000 } as const

  test('the fallback when left out; the value when positive', () => {
    expect(readDuration(undefined, 'timeoutMs', fail, ms)).toBe(3000)
    expect(readDuration(1, 'timeoutMs', fail, ms)).toBe(1)
  })

  test.each<[unknown, string]>([
    [0, 'got 0'],
    [-1, 'got -1'],
    [Number.NaN, 'got NaN'],
    [Infinity, 'got Infinity'],
    ['5', 'got string'],
    [5n, 'got bigint'],
  ])('%p is refused', (value, got) => {
    const error = thrown(() => readDuration(value, 'jwks.timeoutMs', fail, ms))
    expect(error.message).toBe(`testFactory: jwks.timeoutMs must be a number of milliseconds > 0, ${got}`)
    expect(error.cause).toEqual({ package: '@middy-auth/test', option: 'jwks.timeoutMs' })
  })

  test('zero and Infinity when the rule allows them', () => {
    const rule = { unit: 'seconds', fallback: 5, zero: true, infinity: true } as const
    expect(readDuration(0, 'maxAge', fail, rule)).toBe(0)
    expect(readDuration(Infinity, 'maxAge', fail, rule)).toBe(Infinity)
    expect(thrown(() => readDuration(-1, 'maxAge', fail, rule)).message).toBe('testFactory: maxAge must be a number of seconds >= 0 (or Infinity), got -1')
  })
})

describe('readRenamed', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  test('the new name is read without a warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    expect(readRenamed({ clock: 1 }, 'clock', 'now', fail)).toBe(1)
    expect(warn).not.toHaveBeenCalled()
  })

  test('the old name still works, with one DeprecationWarning per process', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const clock = () => 0
    expect(readRenamed({ now: clock }, 'clock', 'now', fail, 'jwks.')).toBe(clock)
    expect(readRenamed({ now: clock }, 'clock', 'now', fail, 'jwks.')).toBe(clock)
    expect(warn.mock.calls).toEqual([['testFactory: jwks.now is deprecated: rename it clock', 'DeprecationWarning']])
  })

  test('both names at once is a mistake', () => {
    const error = thrown(() => readRenamed({ now: 1, clock: 2 }, 'clock', 'now', fail))
    expect(error.message).toBe('testFactory: now is the deprecated name of clock: give clock only')
  })
})

describe('readRealm and readFunction', () => {
  test('a realm: api by default, challenge-safe text, else the option named', () => {
    expect(readRealm(undefined, fail)).toBe('api')
    expect(readRealm('orders api', fail)).toBe('orders api')
    for (const bad of ['a"b', 'a\\b', 'é', 7]) {
      expect(thrown(() => readRealm(bad, fail)).message).toBe(`testFactory: realm must be printable ASCII without '"' or '\\'`)
    }
  })

  test('a function option: undefined when left out, else a function', () => {
    const fn = () => 1
    expect(readFunction(undefined, 'onDecision', fail)).toBeUndefined()
    expect(readFunction(fn, 'onDecision', fail)).toBe(fn)
    expect(thrown(() => readFunction('x', 'onDecision', fail, 'a function of the decision')).message).toBe(
      'testFactory: onDecision must be a function of the decision',
    )
    expect(thrown(() => readFunction(null, 'resource', fail)).message).toBe('testFactory: resource must be a function')
  })
})
