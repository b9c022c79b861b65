import { describe, expect, test } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import tokenIntrospection, { tokenIntrospectionValidateOptions, type TokenIntrospectionOptions } from '../src/index.js'

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
    ['no endpoint and no issuer', { ...valid, endpoint: undefined }, /give 'endpoint'/],
    ['an http: endpoint off loopback', { ...valid, endpoint: 'http://auth.example.com/introspect' }, /https: URL/],
    ['an http: issuer off loopback for discovery', { ...valid, endpoint: undefined, issuer: 'http://auth.example.com' }, /https: URL/],
    ['no audience', { ...valid, audience: undefined }, /'audience' is required/],
    ['an empty audience list', { ...valid, audience: [] }, /'audience' must be/],
    ['no client id', { ...valid, clientId: '' }, /'clientId'/],
    ['no client secret', { ...valid, clientSecret: undefined }, /'clientSecret'/],
    ['an unknown client auth method', { ...valid, clientAuthMethod: 'client_secret_jwt' }, /'clientAuthMethod'/],
    ['private_key_jwt with a secret', { ...valid, clientAuthMethod: 'private_key_jwt' }, /'clientSecret' is not used/],
    ['private_key_jwt without a key', { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt' }, /'privateKey'/],
    ['private_key_jwt with a public key', { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt', privateKey: ecKeys.publicKey }, /must be a private key/],
    ['private_key_jwt with a short RSA key', { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt', privateKey: shortRsa }, /2048 bits/],
    ['private_key_jwt with a PEM that is not a key', { ...valid, clientSecret: undefined, clientAuthMethod: 'private_key_jwt', privateKey: '-----BEGIN NOTHING-----' }, /'privateKey' must be/],
    ['a private key with a client secret method', { ...valid, privateKey: ecKeys.privateKey }, /'privateKey' is for/],
    ['a misspelt option', { ...valid, audiences: 'api' }, /unknown option 'audiences'/],
    ['a negative tolerance', { ...valid, clockTolerance: -1 }, /'clockTolerance'/],
    ['a zero timeout', { ...valid, timeoutMs: 0 }, /'timeoutMs'/],
    ['a zero TTL', { ...valid, cache: { ttl: 0 } }, /'cache.ttl'/],
    ['an unknown cache field', { ...valid, cache: { maxAge: 5 } }, /unknown field 'maxAge'/],
    ['a bad token source', { ...valid, tokenSource: { header: 'x', cookie: 'y' } }, /'tokenSource'/],
    ['jwtResponse without an issuer', { ...valid, jwtResponse: true }, /'jwtResponse' needs 'issuer'/],
    ['jwtResponse with an unknown field', { ...valid, issuer: 'https://auth.example.com', jwtResponse: { jwks: {} } }, /unknown field 'jwks'/],
    ['jwtResponse with HS256', { ...valid, issuer: 'https://auth.example.com', jwtResponse: { algorithms: ['HS256'] } }, /'jwtResponse.algorithms'/],
    ['jwtResponse with an http: JWKS off loopback', { ...valid, issuer: 'https://auth.example.com', jwtResponse: { jwksUri: 'http://auth.example.com/jwks' } }, /https: URL/],
    ['a realm that would break the challenge', { ...valid, realm: 'a"b' }, /'realm'/],
  ])('%s', (_name, options, message) => {
    const error = configError(options)
    expect(error).toBeInstanceOf(TypeError)
    expect(error?.message).toMatch(message)
    expect(error?.cause).toEqual({ package: '@middy-auth/token-introspection' })
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
