/** Configuration that can never work is a TypeError when the factory runs (cold start), saying what to fix. */
import { generateKeyPairSync, type webcrypto } from 'node:crypto'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { oauthLogin, oauthLoginValidateOptions, sessionAuth, type OAuthLoginConfig } from '../src/index.js'
import { checkReturnTo } from '../src/return-to.js'
import { afterHole } from '../../../test/support/holes.js'

const valid: OAuthLoginConfig = {
  // Nothing listens here: discovery fails quietly at init, and these tests make no request.
  issuer: 'http://127.0.0.1:9/',
  clientId: 'web',
  clientSecret: 'client-secret',
  secret: 's'.repeat(32),
  redirectUri: 'https://app.example.com/auth/callback',
}

const thrown = (config: unknown): TypeError => {
  try {
    oauthLogin(config as OAuthLoginConfig)
  } catch (error) {
    return error as TypeError
  }
  throw new Error('no error')
}

describe('configuration', () => {
  test('a valid configuration builds the five routes and the middleware', () => {
    const routes = oauthLogin({ ...valid })
    expect(Object.keys(routes).sort()).toEqual(['callback', 'login', 'logout', 'refresh', 'session'])
    expect(typeof sessionAuth({ ...valid }).before).toBe('function')
  })

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing secret', { secret: undefined }, /^oauthLogin: secret is required/],
    ['an empty secret list', { secret: [] }, /^oauthLogin: secret is required/],
    ['a secret under 32 bytes', { secret: 's'.repeat(31) }, /^oauthLogin: secret must be at least 32 bytes/],
    ['a short secret in the rotation list', { secret: ['s'.repeat(32), 'short'] }, /^oauthLogin: secret\[1\] must be at least 32 bytes/],
    ['an http: issuer that is not loopback', { issuer: 'http://login.example.com' }, /^oauthLogin: issuer must be an https: URL/],
    ['an issuer that is not a URL', { issuer: 'login.example.com' }, /^oauthLogin: issuer must be an absolute URL/],
    ['a missing clientId', { clientId: '' }, /^oauthLogin: clientId/],
    ['an http: redirectUri', { redirectUri: 'http://app.example.com/cb' }, /^oauthLogin: redirectUri must be an https: URL/],
    ['scopes without openid', { scopes: ['profile'] }, /must contain 'openid'/],
    ['a scope with a space', { scopes: ['openid', 'a b'] }, /scope tokens/],
    // some() skipped a hole (JavaScript's [, x]): it was accepted, an empty scope in every sign-in's request.
    ['a hole in scopes', { scopes: afterHole('openid') }, /scope tokens/],
    [
      'client_secret_post without a secret',
      { clientSecret: undefined, clientAuth: 'client_secret_post' },
      /^oauthLogin: clientSecret is required with clientAuth: 'client_secret_post'$/,
    ],
    ['private_key_jwt without a key', { clientAuth: 'private_key_jwt' }, /^oauthLogin: privateKey is required with clientAuth: 'private_key_jwt'$/],
    ['a public client with a secret', { clientAuth: 'none' }, /public client/],
    ['an unknown client authentication', { clientAuth: 'tls_client_auth' }, /^oauthLogin: clientAuth must be/],
    ['SameSite=None', { cookie: { sameSite: 'None' } }, /^oauthLogin: cookie\.sameSite/],
    ['a cookie name with a space', { cookie: { name: 'my session' } }, /^oauthLogin: cookie\.name/],
    ['rolling longer than absolute', { session: { rolling: 10, absolute: 5 } }, /must not exceed/],
    ['a negative lifetime', { session: { rolling: -1 } }, /^oauthLogin: session\.rolling/],
    ['an absolute URL in returnToPaths', { returnToPaths: ['https://evil.example'] }, /^oauthLogin: returnToPaths/],
    ['a protocol-relative returnToPaths entry', { returnToPaths: ['//evil.example'] }, /^oauthLogin: returnToPaths/],
    ['a postLoginRedirect to http:', { postLoginRedirect: 'http://evil.example' }, /^oauthLogin: postLoginRedirect/],
    ['a resource with a fragment', { resource: 'https://api.example.com/#x' }, /^oauthLogin: resource/],
    ['authorizationParams replacing the state', { authorizationParams: { state: 'fixed' } }, /^oauthLogin: authorizationParams\.state is set by the flow/],
    [
      'authorizationParams replacing the redirect_uri',
      { authorizationParams: { redirect_uri: 'https://evil.example/cb' } },
      /^oauthLogin: authorizationParams\.redirect_uri/,
    ],
    ['a non-string authorizationParams value', { authorizationParams: { max_age: 60 } }, /must be a string/],
    ['the access-token cookie named as the session', { accessTokenCookie: '__Host-session' }, /must differ/],
    ['an unknown option (a typo)', { secrets: ['s'.repeat(32)] }, /^oauthLogin: secrets is not an option \(known: issuer, clientId, /],
    ['a clock that is not a function', { clock: 5 }, /^oauthLogin: clock must be a function/],
  ])('%s', (_name, change, message) => {
    const error = thrown({ ...valid, ...change })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(message)
    // The message starts with the option's path, which cause.option names.
    expect(error.cause).toEqual({ package: '@middy-auth/oauth-login', option: expect.any(String) })
    expect(error.message.startsWith(`oauthLogin: ${(error.cause as { option: string }).option} `)).toBe(true)
  })

  describe('privateKey: a private signing CryptoKey, or nothing works at the token endpoint', () => {
    const keys: Record<string, unknown> = {}
    beforeAll(async () => {
      const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
      const oaep = (await crypto.subtle.generateKey(
        { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        false,
        ['encrypt', 'decrypt'],
      )) as webcrypto.CryptoKeyPair
      Object.assign(keys, {
        'the public key': ec.publicKey,
        'a Node KeyObject': generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        'a PEM string': generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
        '{ key } with a PEM string': { key: '-----BEGIN PRIVATE KEY-----' },
        'an encryption key (RSA-OAEP)': oaep.privateKey,
        'an HMAC secret key': await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
        'a kid that is not a string': { key: ec.privateKey, kid: 7 },
      })
    })

    test.each([
      ['the public key', /^oauthLogin: privateKey must be a private key/],
      ['a Node KeyObject', /^oauthLogin: privateKey must be a CryptoKey/],
      ['a PEM string', /^oauthLogin: privateKey must be a CryptoKey/],
      ['{ key } with a PEM string', /^oauthLogin: privateKey must be a CryptoKey/],
      ['an encryption key (RSA-OAEP)', /^oauthLogin: privateKey must be a signing key/],
      ['an HMAC secret key', /^oauthLogin: privateKey must be a private key/],
      ['a kid that is not a string', /^oauthLogin: privateKey\.kid must be a string/],
    ])('%s', (name, message) => {
      const error = thrown({ ...valid, clientSecret: undefined, privateKey: keys[name] })
      expect(error).toBeInstanceOf(TypeError)
      expect(error.message).toMatch(message)
      expect(error.cause).toEqual({ package: '@middy-auth/oauth-login', option: expect.stringMatching(/^privateKey/) })
    })
  })

  test('sessionAuth checks the same configuration', () => {
    expect(() => sessionAuth({ ...valid, secret: 'short' })).toThrow(/at least 32 bytes/)
  })

  test('oauthLoginValidateOptions: Middy-style schema check', () => {
    expect(() => oauthLoginValidateOptions({ ...valid })).not.toThrow()
    expect(() => oauthLoginValidateOptions({ ...valid, cookie: { sameSite: 'None' } })).toThrow()
    expect(() => oauthLoginValidateOptions({ clientId: 'web' })).toThrow()
  })
})

describe('returnTo check', () => {
  const allowed = ['/app', '/reports/']
  test.each(['/app', '/app/', '/app/orders/42?tab=items#top', '/reports/2026'])('%s is allowed', (value) => {
    expect(checkReturnTo(value, allowed)).toBe(value)
  })
  test.each([
    'https://evil.example/app',
    '//evil.example/app',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/app\\..\\admin',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/app/%2F..%2F..%2Fadmin',
    '/app/../admin',
    '/app/%2e%2e/admin',
    '/apple',
    '/reports',
    'app',
    'javascript:alert(1)',
    ' /app',
    '/app\t',
    '/app\r\nSet-Cookie: x=1',
    '/app%0d%0aSet-Cookie:x=1',
    '',
  ])('%j is refused', (value) => {
    expect(checkReturnTo(value, allowed)).toBeUndefined()
  })
})
