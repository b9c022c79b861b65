import { describe, expect, test } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import tokenIntrospection, { tokenIntrospectionValidateOptions, type TokenIntrospectionOptions } from '../src/index.js'
import { afterHole } from '../../../test/support/holes.js'

const ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const shortRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
const valid = { endpoint: 'https://auth.example.com/introspect', clientId: 'api', clientSecret: 's', audience: 'api' }

/** The TypeError a configuration throws at cold start, or undefined. */
const configError = (options: unknown): TypeError | undefined => {
  try {
    tokenIntrospection(options as TokenIntrospectionOptions)
    return undefined
  } catch (error) {
    return error as TypeError
  }
}

describe('configuration mistakes are TypeErrors at cold start', () => {
  test.each([
    [
      'no endpoint and no issuer',
      { ...valid, endpoint: undefined },
      /^tokenIntrospection: endpoint \(the introspection endpoint\) or issuer \(to discover it\) is required$/,
    ],
    ['an http: endpoint off loopback', { ...valid, endpoint: 'http://auth.example.com/introspect' }, /^tokenIntrospection: endpoint must be an https: URL/],
    [
      'an http: issuer off loopback for discovery',
      { ...valid, endpoint: undefined, issuer: 'http://auth.example.com' },
      /^tokenIntrospection: issuer must be an https: URL/,
    ],
    ['no audience', { ...valid, audience: undefined }, /^tokenIntrospection: audience is required/],
    ['an empty audience list', { ...valid, audience: [] }, /^tokenIntrospection: audience must be/],
    // some() skipped a hole (JavaScript's [, x]): it was accepted, as it was in jwtResponse.algorithms.
    ['a hole in the audience list', { ...valid, audience: afterHole('api') }, /^tokenIntrospection: audience must be/],
    [
      'a hole in jwtResponse.algorithms',
      { ...valid, issuer: 'https://auth.example.com', jwtResponse: { algorithms: afterHole('RS256') } },
      /^tokenIntrospection: jwtResponse\.algorithms must be a non-empty list/,
    ],
    ['no client id', { ...valid, clientId: '' }, /^tokenIntrospection: clientId/],
    ['no client secret', { ...valid, clientSecret: undefined }, /^tokenIntrospection: clientSecret/],
    ['an unknown client auth method', { ...valid, clientAuthMethod: 'client_secret_jwt' }, /^tokenIntrospection: clientAuthMethod/],
    ['private_key_jwt with a secret', { ...valid, clientAuthMethod: 'private_key_jwt' }, /^tokenIntrospection: clientSecret is not used/],
    ['private_key_jwt without a key', { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt' }, /^tokenIntrospection: privateKey/],
    [
      'private_key_jwt with a public key',
      { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt', privateKey: ecKeys.publicKey },
      /must be a private key/,
    ],
    ['private_key_jwt with a short RSA key', { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt', privateKey: shortRsa }, /2048 bits/],
    [
      'private_key_jwt with a PEM that is not a key',
      { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt', privateKey: '-----BEGIN NOTHING-----' },
      /^tokenIntrospection: privateKey must be/,
    ],
    ['a private key with a client secret method', { ...valid, privateKey: ecKeys.privateKey }, /^tokenIntrospection: privateKey is for/],
    ['a misspelt option', { ...valid, audiences: 'api' }, /^tokenIntrospection: audiences is not an option \(known: endpoint, /],
    ['a negative tolerance', { ...valid, clockTolerance: -1 }, /^tokenIntrospection: clockTolerance/],
    ['a zero timeout', { ...valid, timeoutMs: 0 }, /^tokenIntrospection: timeoutMs/],
    ['a zero TTL', { ...valid, cache: { ttl: 0 } }, /^tokenIntrospection: cache\.ttl/],
    [
      'an unknown cache field',
      { ...valid, cache: { maxAge: 5 } },
      /^tokenIntrospection: cache\.maxAge is not an option \(known: ttl, inactiveTtl, maxEntries\)$/,
    ],
    ['a bad token source', { ...valid, tokenSource: { header: 'x', cookie: 'y' } }, /^tokenIntrospection: tokenSource/],
    ['jwtResponse without an issuer', { ...valid, jwtResponse: true }, /^tokenIntrospection: jwtResponse needs issuer/],
    [
      'jwtResponse with an unknown field',
      { ...valid, issuer: 'https://auth.example.com', jwtResponse: { jwks: {} } },
      /^tokenIntrospection: jwtResponse\.jwks is not an option \(known: jwksUri, algorithms\)$/,
    ],
    [
      'jwtResponse with HS256',
      { ...valid, issuer: 'https://auth.example.com', jwtResponse: { algorithms: ['HS256'] } },
      /^tokenIntrospection: jwtResponse\.algorithms/,
    ],
    [
      'jwtResponse with an http: JWKS off loopback',
      { ...valid, issuer: 'https://auth.example.com', jwtResponse: { jwksUri: 'http://auth.example.com/jwks' } },
      /^tokenIntrospection: jwtResponse\.jwksUri must be an https: URL/,
    ],
    ['a realm that would break the challenge', { ...valid, realm: 'a"b' }, /^tokenIntrospection: realm/],
  ])('%s', (_name, options, message) => {
    const error = configError(options)
    expect(error).toBeInstanceOf(TypeError)
    expect(error?.message).toMatch(message)
    // The message starts with the option's path, which cause.option names.
    expect(error?.cause).toEqual({ package: '@middy-auth/token-introspection', option: expect.any(String) })
    expect(error?.message.startsWith(`tokenIntrospection: ${(error?.cause as { option: string }).option} `)).toBe(true)
  })

  test('loopback http: endpoints are allowed (tests, local providers)', () => {
    expect(configError({ ...valid, endpoint: 'http://127.0.0.1:8080/introspect' })).toBeUndefined()
  })

  test('tokenIntrospectionValidateOptions: Middy-style schema check', () => {
    expect(() => tokenIntrospectionValidateOptions(valid)).not.toThrow()
    expect(() => tokenIntrospectionValidateOptions({ ...valid, cache: { ttl: 'soon' } })).toThrow()
    expect(() => tokenIntrospectionValidateOptions({ ...valid, extra: true })).toThrow()
  })
})
