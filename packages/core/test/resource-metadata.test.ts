import { describe, expect, test } from '@jest/globals'
import { AuthError } from '../src/index.js'
import { bearerChallenge, resourceMetadataProblem } from '../src/internal.js'

const url = 'https://api.example.com/.well-known/oauth-protected-resource'

describe('resource_metadata (RFC 9728 §5.1)', () => {
  test('every Bearer challenge carries it; DPoP challenges, 503 and access_denied do not', () => {
    const options = { package: 'test', resourceMetadata: url, scope: ['a'] }
    expect(new AuthError('missing_token', options).headers['WWW-Authenticate']).toBe(`Bearer realm="api", resource_metadata="${url}"`)
    expect(new AuthError('insufficient_scope', options).headers['WWW-Authenticate']).toBe(
      `Bearer realm="api", resource_metadata="${url}", error="insufficient_scope", scope="a"`,
    )
    expect(new AuthError('invalid_token', { ...options, dpop: { algs: ['ES256'] } }).headers['WWW-Authenticate']).toBe(
      `Bearer realm="api", resource_metadata="${url}", error="invalid_token", error_description="The access token is invalid", DPoP algs="ES256"`,
    )
    expect(new AuthError('invalid_dpop_proof', { ...options, dpop: { algs: ['ES256'] } }).headers['WWW-Authenticate']).not.toContain('resource_metadata')
    expect(new AuthError('access_denied', options).headers).toEqual({})
    expect(new AuthError('temporarily_unavailable', options).headers).toEqual({ 'Retry-After': '5' })
  })

  test('a value that is not challenge-safe is left out, never cleaned into another URL', () => {
    expect(bearerChallenge({ realm: 'api', resourceMetadata: 'https://a.example.com/"evil' })).toBe('Bearer realm="api"')
    expect(bearerChallenge({ realm: 'api', resourceMetadata: 'https://a.example.com/\r\nx' })).toBe('Bearer realm="api"')
  })

  test('resourceMetadataProblem accepts absolute https URLs, and http on loopback only', () => {
    expect(resourceMetadataProblem(url)).toBeUndefined()
    expect(resourceMetadataProblem('http://127.0.0.1:3000/.well-known/oauth-protected-resource')).toBeUndefined()
    for (const bad of [
      '',
      'relative',
      'javascript:alert(1)',
      'http://api.example.com/.well-known/oauth-protected-resource',
      `${url}#x`,
      `${url} x`,
      'https://a.example.com/"',
      undefined,
      1,
    ]) {
      expect(resourceMetadataProblem(bad)).toMatch(/^must be the absolute https URL/)
    }
  })
})
