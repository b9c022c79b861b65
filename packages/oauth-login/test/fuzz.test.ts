/**
 * Hostile inputs, generated: `returnTo` never leaves the site, and a session cookie that is not
 * exactly one this function sealed never reaches the handler, whatever its shape.
 */
import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { httpApiEvent, lambdaContext, restEvent } from '@middy-auth/testing'
import fc from 'fast-check'
import { sessionAuth, type OAuthLoginConfig } from '../src/index.js'
import { checkReturnTo } from '../src/return-to.js'
import { createSealer } from '../src/sealing.js'
import { SECRET } from './support/flow.js'

/** Pieces attackers combine into redirect targets. */
const redirectPiece = fc.constantFrom(
  '/',
  '//',
  '\\',
  '/\\',
  '\\/',
  '.',
  '..',
  '/..',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%2e',
  '%2e%2e',
  '%00',
  '%0d%0a',
  '\t',
  '\n',
  '@',
  ':',
  'app',
  'evil.example',
  'https:',
  'javascript:',
  '?',
  '#',
  '%252f',
  ' ',
  '\u3002',
  '\uff0f',
  '/app',
  '/app/',
)
const redirectCandidate = fc.oneof(
  fc.array(redirectPiece, { maxLength: 8 }).map((parts) => parts.join('')),
  fc.string({ maxLength: 40 }),
)

describe('returnTo, generated', () => {
  test('an accepted value stays on the site and under an allowed path, as a browser resolves it', () => {
    fc.assert(
      fc.property(redirectCandidate, (value) => {
        const kept = checkReturnTo(value, ['/app'])
        if (kept === undefined) return
        const resolved = new URL(kept, 'https://site.example')
        expect(resolved.origin).toBe('https://site.example')
        expect(resolved.pathname === '/app' || resolved.pathname.startsWith('/app/')).toBe(true)
        expect([...kept].every((c) => c !== '\\' && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('session cookie, generated', () => {
  // Nothing here reaches the provider: every request is refused before a refresh could start.
  const config: OAuthLoginConfig = {
    issuer: 'http://127.0.0.1:9/',
    clientId: 'web',
    clientSecret: 'secret',
    secret: SECRET,
    redirectUri: 'https://app.example.test/auth/callback',
  }
  let called = 0
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(sessionAuth(config))
    .handler(async () => {
      called++
      return { statusCode: 200, body: 'ok' }
    })
  const call = async (event: unknown) => (await handler(event as never, lambdaContext() as never)) as { statusCode: number; body: string }

  test('random values, mutated sealed values and chunk soups: always 401 login_required, never the handler, never a 500', async () => {
    const sealed = await createSealer([SECRET], 'session', { issuer: new URL(config.issuer).href, clientId: config.clientId }).seal(
      { sub: 'alice' },
      Date.now(),
      Math.floor(Date.now() / 1000) + 3600,
    )
    const mutated = fc
      .tuple(fc.nat({ max: sealed.length - 1 }), fc.constantFrom('A', 'B', '_', '-', '.', ''))
      .map(([at, char]) => sealed.slice(0, at) + char + sealed.slice(at + 1))
      .filter((value) => value !== sealed)
    const value = fc.oneof(fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 300 }), mutated)
    const cookies = fc.dictionary(fc.constantFrom('__Host-session', '__Host-session.0', '__Host-session.1', '__Host-session.2', '__Host-login'), value, {
      minKeys: 1,
    })
    await fc.assert(
      fc.asyncProperty(cookies, fc.boolean(), async (jar, rest) => {
        // A sealed payload without the session's fields (sub only) is no session either.
        const safe = Object.fromEntries(Object.entries(jar).map(([name, v]) => [name, v.replace(/[;,\s"]/g, '')]))
        const response = await call(rest ? restEvent({ cookies: safe }) : httpApiEvent({ cookies: safe }))
        expect(response.statusCode).toBe(401)
        expect(JSON.parse(response.body).error).toBe('login_required')
      }),
      { numRuns: 400 },
    )
    expect(called).toBe(0)
  })
})
