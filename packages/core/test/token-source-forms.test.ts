// The header-only token source (what a lean entry compiles without an extension) against the
// compiler of every form: the same lookups for the header forms on every event kind, the same
// problems for every option that is not a cookie, query or function source.
import { describe, expect, test } from '@jest/globals'
import { appsyncAuthorizerEvent, authorizerTokenEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import {
  compileHeaderSource,
  compileTokenSource,
  headerSourceProblem,
  isCookieQueryOrFunction,
  tokenSourceProblem,
  type HeaderTokenSource,
} from '../src/internal.js'

const events = [
  httpApiEvent({ bearer: 'eyJ.a.b' }),
  httpApiEvent({ headers: { authorization: 'DPoP eyJ.a.b' } }),
  httpApiEvent({ headers: { authorization: 'Token eyJ.a.b', 'x-token': ' eyJ.c.d ' } }),
  httpApiEvent({ headers: { authorization: 'Bearer ', 'x-token': '' } }),
  httpApiEvent({ cookies: { session: 'eyJ.a.b' }, query: { access_token: 'eyJ.a.b' } }),
  restEvent({ bearer: 'eyJ.a.b' }),
  authorizerTokenEvent({ token: 'Bearer eyJ.a.b' }),
  appsyncAuthorizerEvent({ token: 'eyJ.a.b' }),
  appsyncAuthorizerEvent({ token: 'Bearer eyJ.a.b' }),
]

describe('compileHeaderSource reads as compileTokenSource for every header form', () => {
  const sources: HeaderTokenSource[] = [
    { header: 'Authorization' },
    { header: 'authorization', scheme: 'Bearer' },
    { header: 'Authorization', scheme: 'Token' },
    { header: 'Authorization', scheme: null },
    { header: 'X-Token', scheme: null },
    { header: 'x-token' },
  ]

  test.each(sources)('%j', (source) => {
    for (const acceptDpop of [false, true]) {
      const header = compileHeaderSource(source, acceptDpop)
      const every = compileTokenSource(source, acceptDpop)
      for (const event of events) expect(header(event)).toEqual(every(event))
    }
    // What they agree on reads the token where it is, and only there.
    expect(compileHeaderSource({ header: 'Authorization' })(events[0] as never)).toEqual({ kind: 'token', token: 'eyJ.a.b', presentedAs: 'bearer' })
    expect(compileHeaderSource({ header: 'Authorization' })(events[4] as never)).toEqual({ kind: 'missing' })
  })
})

describe('the header form is checked alike by both; the other forms only by tokenSourceProblem', () => {
  const headerLike: unknown[] = [
    { header: 'Authorization' },
    { header: 'Authorization', scheme: 'DPoP' },
    { header: 'x', scheme: null },
    { header: 'x', scheme: undefined, allowedOrigins: undefined },
    { header: '' },
    { header: 42 },
    { header: 'x', scheme: 'Be arer' },
    { header: 'x', scheme: 7 },
    { header: 'x', allowedOrigins: ['https://app.example.com'] },
    {},
    { name: 'x' },
    [],
    null,
    undefined,
    'Authorization',
    42,
  ]

  test.each(headerLike.map((source) => [source]))('%j', (source) => {
    expect(isCookieQueryOrFunction(source)).toBe(false)
    expect(headerSourceProblem(source)).toBe(tokenSourceProblem(source))
  })

  test('the cookie, query and function forms are told apart, and checked by tokenSourceProblem', () => {
    const others: unknown[] = [{ cookie: 'a' }, { query: 'a' }, () => 'a', { header: 'a', cookie: 'b' }, { cookie: 'a', query: 'b' }]
    expect(others.map(isCookieQueryOrFunction)).toEqual([true, true, true, true, true])
    expect(others.map(tokenSourceProblem)).toEqual([
      undefined,
      undefined,
      undefined,
      expect.stringMatching(/^tokenSource must be/),
      expect.stringMatching(/^tokenSource must be/),
    ])
    expect(tokenSourceProblem({ cookie: 'a', scheme: 'Bearer' })).toBe(`tokenSource.scheme must be an HTTP auth scheme such as 'Bearer', or null`)
    expect(tokenSourceProblem({ query: 'a', scheme: null })).toBeUndefined()
  })
})
