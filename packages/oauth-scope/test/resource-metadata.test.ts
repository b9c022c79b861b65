import { describe, expect, test } from '@jest/globals'
import { loadFixture } from '../../../test/support/fixtures.js'
import { challenge, outcome, protect } from './support.js'

/** RFC 9728 §5.1: the scope challenge tells a client where the protected resource metadata is. */

const metadata = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'

describe('resourceMetadata', () => {
  test('an insufficient_scope challenge carries resource_metadata', async () => {
    const api = protect({ required: ['scope1', 'scope3'], resourceMetadata: metadata })
    const response = await api.invoke(loadFixture('http-v2-jwt-mtls-scopes.json'))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(challenge(response)).toBe(`Bearer realm="api", resource_metadata="${metadata}", error="insufficient_scope", scope="scope1 scope3"`)
    expect(api.seen).toEqual([])
  })

  test('a request with no identity: the bare challenge carries it too', async () => {
    const response = await protect({ required: ['scope1'], resourceMetadata: metadata }).invoke(loadFixture('http-v2-no-auth.json'))
    expect(outcome(response)).toEqual([401, 'missing_token'])
    expect(challenge(response)).toBe(`Bearer realm="api", resource_metadata="${metadata}"`)
  })

  test('a satisfied requirement is unchanged', async () => {
    const api = protect({ required: ['scope1'], resourceMetadata: metadata })
    expect((await api.invoke(loadFixture('http-v2-jwt-mtls-scopes.json'))).statusCode).toBe(200)
    expect(api.seen).toHaveLength(1)
  })

  test.each([
    ['a quote', 'https://api.example.com/"x'],
    ['a backslash', 'https://api.example.com/\\x'],
    ['a space', 'https://api.example.com/a b'],
    ['non-ASCII', 'https://api.example.com/é'],
    ['a relative path', '/.well-known/oauth-protected-resource'],
    ['another scheme', 'ftp://api.example.com/x'],
    ['plain http off loopback', 'http://api.example.com/.well-known/oauth-protected-resource'],
    ['a fragment', 'https://api.example.com/x#y'],
    ['an empty string', ''],
    ['a number', 42],
  ])('%s is a TypeError at cold start', (_name, value) => {
    expect(() => protect({ required: ['a'], resourceMetadata: value as string })).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringMatching(/^oauthScope: resourceMetadata must be the absolute https URL/),
        cause: { package: '@middy-auth/oauth-scope', option: 'resourceMetadata' },
      }),
    )
  })
})
