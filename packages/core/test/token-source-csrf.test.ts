import { describe, expect, test } from '@jest/globals'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { compileTokenSource, tokenSourceProblem } from '../src/internal.js'
import { afterHole } from '../../../test/support/holes.js'

describe('a cookie token source refuses cross-site requests that may change something', () => {
  const read = compileTokenSource({ cookie: 'access', allowedOrigins: ['https://app.example.com'] })
  const withCookie = (method: string, headers: Record<string, string>) => httpApiEvent({ method, cookies: { access: 'eyJ.a.b' }, headers })

  test.each([
    ['POST', { 'sec-fetch-site': 'cross-site' }, 'cross_site_request'],
    ['POST', { 'sec-fetch-site': 'same-site', origin: 'https://user-content.example.com' }, 'cross_site_request'],
    ['DELETE', { origin: 'https://evil.example' }, 'foreign_origin'],
    ['PURGE', { origin: 'null' }, 'foreign_origin'],
  ])('%s %j: refused (%s)', (method, headers, reason) => {
    expect(read(withCookie(method, headers))).toMatchObject({ kind: 'cross-site', reason })
  })

  test.each([
    ['GET', { 'sec-fetch-site': 'cross-site' }],
    ['POST', { 'sec-fetch-site': 'same-origin' }],
    ['POST', { origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' }],
    ['POST', {}],
  ])('%s %j: read', (method, headers) => {
    expect(read(withCookie(method, headers))).toEqual({ kind: 'token', token: 'eyJ.a.b', presentedAs: 'bearer' })
  })

  test('REST events too; a header token source never checks (no ambient credential)', () => {
    expect(read(restEvent({ method: 'POST', headers: { cookie: 'access=eyJ.a.b', 'sec-fetch-site': 'cross-site' } }))).toMatchObject({ kind: 'cross-site' })
    const header = compileTokenSource({ header: 'Authorization', scheme: 'Bearer' })
    expect(header(httpApiEvent({ method: 'POST', bearer: 'eyJ.a.b', headers: { 'sec-fetch-site': 'cross-site' } }))).toMatchObject({ kind: 'token' })
  })

  test('allowedOrigins goes with a cookie and lists origins', () => {
    expect(tokenSourceProblem({ cookie: 'a', allowedOrigins: ['https://app.example.com'] })).toBeUndefined()
    for (const bad of [
      { cookie: 'a', allowedOrigins: ['https://app.example.com/'] },
      { cookie: 'a', allowedOrigins: 'https://app.example.com' },
      { header: 'x', allowedOrigins: [] },
      // A hole is no origin (every() alone would skip it).
      { cookie: 'a', allowedOrigins: afterHole('https://app.example.com') },
    ]) {
      expect(tokenSourceProblem(bad)).toMatch(/allowedOrigins/)
    }
    // A header source's origins would never be read: the message says only where they go.
    expect(tokenSourceProblem({ header: 'x', allowedOrigins: ['https://app.example.com'] })).toBe('tokenSource.allowedOrigins goes with { cookie } only')
    expect(tokenSourceProblem({ query: 'x', allowedOrigins: ['https://app.example.com'] })).toMatch(
      /^tokenSource.allowedOrigins goes with \{ cookie \} and must be a list/,
    )
  })
})
