import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, signToken, type TestIssuer } from '@middy-auth/testing'
import jwtVerify, {
  auth0Issuer,
  cognitoIssuer,
  entraIssuer,
  jwtVerifyValidateOptions,
  keycloakIssuer,
  oktaIssuer,
  type PublicKeyIssuerConfig,
} from '../src/index.js'
import { createStaticKeyResolver } from '../src/keys.js'
import { loadFixture } from '../../../test/support/fixtures.js'
import { thrown } from '../../../test/support/thrown.js'
import { bearer, outcome, protect } from './support.js'
import { afterHole } from '../../../test/support/holes.js'

const entry = { issuer: 'https://auth.example.com/', audience: 'api', jwks: { keys: [] as unknown[] } }

describe('configuration mistakes fail at cold start with a TypeError that says what to fix', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /^jwtVerify: options must be an object$/],
    ['no issuers', {}, /^jwtVerify: issuers must be a non-empty list of issuer entries \(or set trustApiGateway: true\)$/],
    ['empty issuers', { issuers: [] }, /^jwtVerify: issuers must be a non-empty list/],
    [
      'audience forgotten',
      { issuers: [{ issuer: 'https://a.example.com/', jwksUri: 'https://a.example.com/jwks' }] },
      /^jwtVerify: issuers\[0\]\.audience is required.*audience: null/,
    ],
    [
      'symmetric algorithm',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', algorithms: ['HS256'] }] },
      /^jwtVerify: issuers\[0\]\.algorithms must be a non-empty list of RS256, .*, Ed25519 \(HS256\/384\/512 with a secret\)$/,
    ],
    [
      'alg none',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', algorithms: ['none'] }] },
      /^jwtVerify: issuers\[0\]\.algorithms must be a non-empty list of RS256, /,
    ],
    [
      'plain http JWKS on a public host',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'http://a.example.com/jwks' }] },
      /^jwtVerify: issuers\[0\]\.jwksUri must be an https: URL/,
    ],
    [
      // An empty jwksUri is a jwksUri given, named as such (not the issuer's discovery, as before the size pass).
      'an empty jwksUri',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: '' }] },
      /^jwtVerify: issuers\[0\]\.jwksUri must be an https: URL \(http: only for loopback hosts\)$/,
    ],
    [
      'discovery from a plain http issuer',
      { issuers: [{ issuer: 'http://a.example.com', audience: 'x' }] },
      /^jwtVerify: issuers\[0\]\.issuer must be an https: URL \(http: only for loopback hosts\), for OIDC discovery$/,
    ],
    [
      'two key sources',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/jwks', jwks: { keys: [] } }] },
      /^jwtVerify: issuers\[0\]\.jwks goes without jwksUri: give one of jwksUri, jwks, keyResolver, keys$/,
    ],
    [
      'same issuer twice',
      {
        issuers: [
          { issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j' },
          { issuer: 'https://a.example.com/', audience: 'y', jwksUri: 'https://a.example.com/j' },
        ],
      },
      /^jwtVerify: issuers\[1\]\.issuer "https:\/\/a\.example\.com\/" is listed twice/,
    ],
    [
      'unknown option',
      { issuers: [], trustApiGateway: true, issuer: 'https://a.example.com/' },
      /^jwtVerify: issuer is not an option \(known: issuers, tokenSource, /,
    ],
    [
      'unknown issuer field',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', aud: 'x' }] },
      /^jwtVerify: issuers\[0\]\.aud is not an option \(known: issuer, audience, /,
    ],
    [
      'negative tolerance',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', clockTolerance: -1 }] },
      /^jwtVerify: issuers\[0\]\.clockTolerance must be a number of seconds >= 0, got -1$/,
    ],
    ['issuers not a list, with trustApiGateway', { trustApiGateway: true, issuers: null }, /^jwtVerify: issuers must be a non-empty list of issuer entries$/],
    ['trustApiGateway not a boolean', { trustApiGateway: 'yes', issuers: [] }, /^jwtVerify: trustApiGateway must be a boolean$/],
    ['credentialsRequired not a boolean', { trustApiGateway: true, credentialsRequired: 0 }, /^jwtVerify: credentialsRequired must be a boolean$/],
    ['cache neither an object nor false', { trustApiGateway: true, cache: true }, /^jwtVerify: cache must be \{ maxEntries \} or false$/],
    [
      'cache.maxEntries negative',
      { trustApiGateway: true, cache: { maxEntries: -1 } },
      /^jwtVerify: cache\.maxEntries must be a number of entries from 0 to 100000$/,
    ],
    ['cache.maxEntries null', { trustApiGateway: true, cache: { maxEntries: null } }, /^jwtVerify: cache\.maxEntries must be a number/],
    ['clock not a function', { trustApiGateway: true, clock: 1000 }, /^jwtVerify: clock must be a function$/],
    ['jwks not an object', { trustApiGateway: true, jwks: 'https://a.example.com/jwks' }, /^jwtVerify: jwks must be an object$/],
    ['jwks.fetchJson not a function', { trustApiGateway: true, jwks: { fetchJson: null } }, /^jwtVerify: jwks\.fetchJson must be a function$/],
    ['jwks.timeoutMs zero', { trustApiGateway: true, jwks: { timeoutMs: 0 } }, /^jwtVerify: jwks\.timeoutMs must be a number of milliseconds > 0, got 0$/],
    [
      'issuer missing',
      { issuers: [{ audience: 'x', jwksUri: 'https://a.example.com/j' }] },
      /^jwtVerify: issuers\[0\]\.issuer must be a non-empty list of non-empty strings \(or one\)$/,
    ],
    [
      'an empty audience in a list',
      { issuers: [{ issuer: 'https://a.example.com/', audience: ['x', ''], jwksUri: 'https://a.example.com/j' }] },
      /^jwtVerify: issuers\[0\]\.audience must be a non-empty list of non-empty strings \(or one\)$/,
    ],
    [
      'algorithms empty',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', algorithms: [] }] },
      /^jwtVerify: issuers\[0\]\.algorithms must be a non-empty list of RS256, /,
    ],
    [
      'tokenType null',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', tokenType: null }] },
      /^jwtVerify: issuers\[0\]\.tokenType must be a non-empty string such as 'at\+jwt'$/,
    ],
    [
      'requiredClaims a string',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', requiredClaims: 'tenant' }] },
      /^jwtVerify: issuers\[0\]\.requiredClaims must be a list of claim names$/,
    ],
    [
      'maxTokenAge not a number',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', maxTokenAge: '1h' }] },
      /^jwtVerify: issuers\[0\]\.maxTokenAge must be a number of seconds >= 0, got string$/,
    ],
    [
      'keyResolver without the methods of one',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', keyResolver: { getKeySet: () => Promise.resolve({ keys: [] }) } }] },
      /^jwtVerify: issuers\[0\]\.keyResolver must be a key resolver with prefetch\(\), cached\(\) and getKeySet\(\)$/,
    ],
    // Each falsy value once fell through to OIDC discovery of the issuer, without a word.
    ...[null, false, 0, ''].map((keyResolver): [string, unknown, RegExp] => [
      `keyResolver ${JSON.stringify(keyResolver)}`,
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', keyResolver }] },
      /^jwtVerify: issuers\[0\]\.keyResolver must be a key resolver with prefetch\(\), cached\(\) and getKeySet\(\)$/,
    ]),
    [
      'jwks not a key set',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwks: [{ kty: 'RSA' }] }] },
      /^jwtVerify: issuers\[0\]\.jwks must be a JWKS object: \{ keys: \[\.\.\.\] \}$/,
    ],
    [
      'plain http JWKS on a public host, in a later entry',
      {
        issuers: [
          { issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j' },
          { issuer: 'https://b.example.com/', audience: 'x', jwksUri: 'http://b.example.com/j' },
        ],
      },
      /^jwtVerify: issuers\[1\]\.jwksUri must be an https: URL \(http: only for loopback hosts\)$/,
    ],
    [
      // It took the first entry's discovery resolver, keyed 'discovery:<issuer>', and skipped the URL check (size pass).
      "a jwksUri spelled like the key of another entry's discovery",
      {
        issuers: [
          { issuer: 'https://a.example.com/', audience: 'x' },
          { issuer: 'https://b.example.com/', audience: 'x', jwksUri: 'discovery:https://a.example.com/' },
        ],
      },
      /^jwtVerify: issuers\[1\]\.jwksUri must be an https: URL \(http: only for loopback hosts\)$/,
    ],
    // A hole (JavaScript's `[, 'x']`) is refused like any entry that is not a non-empty string.
    [
      'a hole in the issuer list',
      { issuers: [{ issuer: afterHole('https://a.example.com/'), audience: 'x', jwksUri: 'https://a.example.com/j' }] },
      /^jwtVerify: issuers\[0\]\.issuer must be a non-empty list of non-empty strings \(or one\)$/,
    ],
    [
      'a hole in the audience list',
      { issuers: [{ issuer: 'https://a.example.com/', audience: afterHole('x'), jwksUri: 'https://a.example.com/j' }] },
      /^jwtVerify: issuers\[0\]\.audience must be a non-empty list of non-empty strings \(or one\)$/,
    ],
    [
      'a hole in requiredClaims',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', requiredClaims: afterHole('tenant') }] },
      /^jwtVerify: issuers\[0\]\.requiredClaims must be a list of claim names$/,
    ],
    [
      // map() skipped it: a bare TypeError of the verifier's, with no cause, before and after the size pass.
      'a hole in the issuers list',
      { issuers: afterHole({ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j' }) },
      /^jwtVerify: issuers\[0\] must be an object$/,
    ],
    ['bad realm', { trustApiGateway: true, realm: 'a"b' }, /^jwtVerify: realm must be printable ASCII/],
    ['bad token source', { trustApiGateway: true, tokenSource: { header: 'a', cookie: 'b' } }, /^jwtVerify: tokenSource must be/],
    [
      'claimsCheck not a function',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', claimsCheck: true }] },
      /^jwtVerify: issuers\[0\]\.claimsCheck must be a function$/,
    ],
    [
      'claims (deprecated) not a function',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', claims: true }] },
      /^jwtVerify: issuers\[0\]\.claims must be a function$/,
    ],
    [
      'claims and claimsCheck together',
      { issuers: [{ issuer: 'https://a.example.com/', audience: 'x', jwksUri: 'https://a.example.com/j', claims: () => true, claimsCheck: () => true }] },
      /^jwtVerify: issuers\[0\]\.claims is the deprecated name of claimsCheck: give claimsCheck only$/,
    ],
  ]
  test.each(cases)('%s', (_name, options, message) => {
    expect(() => jwtVerify(options as never)).toThrow(TypeError)
    expect(() => jwtVerify(options as never)).toThrow(message)
    try {
      jwtVerify(options as never)
    } catch (error) {
      // The message starts with the option's path, which cause.option names.
      const { message: text, cause } = error as TypeError & { cause: { package: string; option: string } }
      expect(cause).toEqual({ package: '@middy-auth/jwt-verify', option: expect.any(String) })
      expect(text.startsWith(`jwtVerify: ${cause.option} `)).toBe(true)
    }
  })

  test('a local key set with no usable key', () => {
    expect(() => jwtVerify({ issuers: [entry] })).toThrow(TypeError)
    // The entry's option, in jwtVerify's own message (createStaticKeyResolver's checks, under this name).
    expect(thrown(() => jwtVerify({ issuers: [entry] }))).toMatchObject({
      message: expect.stringMatching(/^jwtVerify: issuers\[0\]\.jwks has no usable key: only public RSA/),
      cause: { package: '@middy-auth/jwt-verify', option: 'issuers[0].jwks' },
    })
  })

  test('left out, or null where a default means left out: the defaults, as before', async () => {
    const iss = await createTestIssuer()
    try {
      const api = protect({
        issuers: [{ issuer: iss.issuer, audience: 'api', jwks: { keys: iss.keys.map((k) => k.publicJwk) }, algorithms: null, requiredClaims: null }],
        trustApiGateway: null,
        credentialsRequired: null,
        cache: null,
        clock: null,
        jwks: null,
        tokenSource: null,
      } as never)
      expect(outcome(await api.invoke(bearer(await iss.sign({}, { audience: 'api' }))))).toEqual([200, 'ok'])
      // credentialsRequired: null is the default (true): no token is still refused.
      expect(outcome(await api.invoke({ ...bearer(''), headers: {} }))).toEqual([401, 'missing_token'])
    } finally {
      await iss.close()
    }
  })

  test('jwksUri: null is left out, as before: the keys are found by OIDC discovery from the issuer', async () => {
    const iss = await createTestIssuer()
    try {
      const api = protect({ issuers: [{ issuer: iss.issuer, audience: 'api', jwksUri: null }] } as never)
      expect(outcome(await api.invoke(bearer(await iss.sign({}, { audience: 'api' }))))).toEqual([200, 'ok'])
      expect(iss.requests).toMatchObject({ discovery: 1, jwks: 1 })
    } finally {
      await iss.close()
    }
  })

  test('jwtVerifyValidateOptions, the opt-in Middy schema check', () => {
    expect(() => jwtVerifyValidateOptions({ issuers: [{ issuer: 'x', audience: null }] })).not.toThrow()
    expect(() => jwtVerifyValidateOptions({ issuers: [{ issuer: 'x' }] })).toThrow(TypeError)
    expect(() => jwtVerifyValidateOptions({ typo: 1 })).toThrow(/Unknown option 'typo'/)
  })
})

describe('issuer presets', () => {
  let iss: TestIssuer
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())
  /** A preset's entry, with its keys taken from the loopback issuer. */
  const local = (preset: PublicKeyIssuerConfig): PublicKeyIssuerConfig => ({ ...preset, jwksUri: undefined, jwks: { keys: iss.keys.map((k) => k.publicJwk) } })
  const verifyWith = async (preset: PublicKeyIssuerConfig, claims: Record<string, unknown>, audience: string | null = null) => {
    const api = protect({ issuers: [local(preset)] })
    const token = await iss.sign(claims, { audience })
    return outcome(await api.invoke(bearer(token)))
  }

  describe('cognitoIssuer', () => {
    const pool = 'eu-west-1_AbCdEf123'
    const cognitoIss = `https://cognito-idp.eu-west-1.amazonaws.com/${pool}`
    test('the issuer and JWKS URL come from the pool id', () => {
      expect(cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access' })).toMatchObject({
        issuer: cognitoIss,
        jwksUri: `${cognitoIss}/.well-known/jwks.json`,
        audience: null,
        algorithms: ['RS256'],
      })
    })
    test('access tokens: token_use and client_id checked', async () => {
      const preset = cognitoIssuer({ userPoolId: pool, clientId: ['c1', 'c2'], tokenUse: 'access' })
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'access', client_id: 'c2' })).toEqual([200, 'ok'])
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'access', client_id: 'other' })).toEqual([401, 'invalid_token'])
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'id', client_id: 'c1' }, 'c1')).toEqual([401, 'invalid_token'])
    })
    test('id tokens: aud checked, an access token refused', async () => {
      const preset = cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'id' })
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'id' }, 'c1')).toEqual([200, 'ok'])
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'id' }, 'c9')).toEqual([401, 'invalid_token'])
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'access', client_id: 'c1' }, 'c1')).toEqual([401, 'invalid_token'])
    })
    test('the user check still runs after the preset checks', async () => {
      const preset = cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access', claims: (p) => p.username === 'alice' })
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'access', client_id: 'c1', username: 'alice' })).toEqual([200, 'ok'])
      expect(await verifyWith(preset, { iss: cognitoIss, token_use: 'access', client_id: 'c1', username: 'bob' })).toEqual([401, 'invalid_token'])
    })
    test.each([
      [{ userPoolId: 'AbCdEf123', clientId: 'c', tokenUse: 'access' }, /userPoolId/],
      [{ userPoolId: pool, clientId: '', tokenUse: 'access' }, /clientId/],
      [{ userPoolId: pool, clientId: 'c', tokenUse: 'refresh' }, /tokenUse/],
    ])('mistakes: %j', (options, message) => {
      expect(() => cognitoIssuer(options as never)).toThrow(message)
    })
  })

  test('auth0Issuer: trailing slash issuer', async () => {
    const preset = auth0Issuer({ domain: 'example.eu.auth0.com', audience: 'https://api.example.com' })
    expect(preset).toMatchObject({ issuer: 'https://example.eu.auth0.com/', jwksUri: 'https://example.eu.auth0.com/.well-known/jwks.json' })
    expect(await verifyWith(preset, { iss: 'https://example.eu.auth0.com/' }, 'https://api.example.com')).toEqual([200, 'ok'])
    expect(await verifyWith(preset, { iss: 'https://example.eu.auth0.com' }, 'https://api.example.com')).toEqual([401, 'invalid_token'])
    expect(() => auth0Issuer({ domain: 'https://example.auth0.com', audience: 'x' })).toThrow(/^auth0Issuer: domain must be a host name/)
  })

  test('oktaIssuer: custom and org authorization servers', () => {
    expect(oktaIssuer({ domain: 'example.okta.com', audience: 'api://default' })).toMatchObject({
      issuer: 'https://example.okta.com/oauth2/default',
      jwksUri: 'https://example.okta.com/oauth2/default/v1/keys',
    })
    expect(oktaIssuer({ domain: 'example.okta.com', authorizationServerId: null, audience: 'x' })).toMatchObject({
      issuer: 'https://example.okta.com',
      jwksUri: 'https://example.okta.com/oauth2/v1/keys',
    })
  })

  test('entraIssuer: v1 and v2 issuers, tid checked', async () => {
    const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'
    const preset = entraIssuer({ tenantId, audience: 'api://orders' })
    expect(preset.issuer).toEqual([`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`])
    expect(await verifyWith(preset, { iss: `https://sts.windows.net/${tenantId}/`, tid: tenantId }, 'api://orders')).toEqual([200, 'ok'])
    expect(await verifyWith(preset, { iss: `https://login.microsoftonline.com/${tenantId}/v2.0`, tid: tenantId }, 'api://orders')).toEqual([200, 'ok'])
    expect(await verifyWith(preset, { iss: `https://login.microsoftonline.com/${tenantId}/v2.0`, tid: 'another' }, 'api://orders')).toEqual([
      401,
      'invalid_token',
    ])
    expect(() => entraIssuer({ tenantId: 'common', audience: 'x' })).toThrow(/list each accepted tenant/)
  })

  test('keycloakIssuer: realm issuer, azp checked when clientId is given', async () => {
    const preset = keycloakIssuer({ url: 'https://sso.example.com/', realm: 'shop', audience: null, clientId: 'orders' })
    expect(preset).toMatchObject({
      issuer: 'https://sso.example.com/realms/shop',
      jwksUri: 'https://sso.example.com/realms/shop/protocol/openid-connect/certs',
    })
    expect(await verifyWith(preset, { iss: 'https://sso.example.com/realms/shop', azp: 'orders' })).toEqual([200, 'ok'])
    expect(await verifyWith(preset, { iss: 'https://sso.example.com/realms/shop', azp: 'other' })).toEqual([401, 'invalid_token'])
  })

  test('a preset called without an options object is its own TypeError, naming the preset (not the engine destructuring)', () => {
    const presets = { cognitoIssuer, auth0Issuer, oktaIssuer, entraIssuer, keycloakIssuer } as Record<string, (options: unknown) => unknown>
    for (const [name, preset] of Object.entries(presets)) {
      for (const options of [undefined, null, 'example.auth0.com', 42]) {
        const error = (() => {
          try {
            preset(options)
          } catch (caught) {
            return caught as TypeError
          }
          throw new Error(`${name}(${String(options)}) did not throw`)
        })()
        expect(error).toBeInstanceOf(TypeError)
        expect(error.message).toBe(`${name}: options must be an object`)
        expect(error.cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'options' })
      }
    }
  })
})

describe('issuer options at request time', () => {
  let iss: TestIssuer
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())
  const api = (extra: Partial<PublicKeyIssuerConfig>) =>
    protect({ issuers: [{ issuer: iss.issuer, audience: 'api', jwksUri: iss.jwksUri, ...extra }], cache: false })
  const check = async (extra: Partial<PublicKeyIssuerConfig>, claims: Record<string, unknown>, options: Record<string, unknown> = {}) =>
    outcome(await api(extra).invoke(bearer(await iss.sign(claims, { audience: 'api', ...options }))))

  test('audience: null skips the check', async () => {
    expect(await check({ audience: null }, {}, { audience: 'whatever' })).toEqual([200, 'ok'])
  })
  test('clockTolerance', async () => {
    const now = Math.floor(Date.now() / 1000)
    expect(await check({ clockTolerance: 0 }, { exp: now - 2 })).toEqual([401, 'invalid_token'])
    expect(await check({ clockTolerance: 30 }, { exp: now - 2 })).toEqual([200, 'ok'])
  })
  test('maxTokenAge makes iat required and bounds it', async () => {
    const now = Math.floor(Date.now() / 1000)
    expect(await check({ maxTokenAge: 60 }, { iat: now - 30 })).toEqual([200, 'ok'])
    expect(await check({ maxTokenAge: 60 }, { iat: now - 600, exp: now + 60 })).toEqual([401, 'invalid_token'])
    expect(await check({ maxTokenAge: 60 }, {}, { omit: ['iat'] })).toEqual([401, 'invalid_token'])
  })
  test('requiredClaims', async () => {
    expect(await check({ requiredClaims: ['tenant'] }, { tenant: 't1' })).toEqual([200, 'ok'])
    expect(await check({ requiredClaims: ['tenant'] }, {})).toEqual([401, 'invalid_token'])
  })
  test('claims: false or a throw refuses, sync or async', async () => {
    expect(await check({ claims: (p) => p.tenant === 't1' }, { tenant: 't1' })).toEqual([200, 'ok'])
    expect(await check({ claims: () => false }, {})).toEqual([401, 'invalid_token'])
    expect(
      await check(
        {
          claims: () => {
            throw new Error('no')
          },
        },
        {},
      ),
    ).toEqual([401, 'invalid_token'])
    expect(await check({ claims: async (p) => p.tenant === 't1' }, { tenant: 't1' })).toEqual([200, 'ok'])
    expect(await check({ claims: async () => false }, {})).toEqual([401, 'invalid_token'])
    expect(
      await check(
        {
          claims: async () => {
            throw new Error('no')
          },
        },
        {},
      ),
    ).toEqual([401, 'invalid_token'])
  })
})

describe('fixes from review: nothing the configuration refuses is accepted another way', () => {
  let iss: TestIssuer
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())

  test('maxTokenAge also bounds verified-token cache hits', async () => {
    let now = Date.now()
    const api = protect({ issuers: [{ issuer: iss.issuer, audience: 'api', jwksUri: iss.jwksUri, maxTokenAge: 60 }], clock: () => now })
    const token = await iss.sign({}, { audience: 'api', now: Math.floor(now / 1000) })
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
    now += 120_000
    expect(outcome(await api.invoke(bearer(token)))).toEqual([401, 'invalid_token'])
  })

  test('scopes of a verified token are split on whitespace only', async () => {
    const api = protect({ issuers: [{ issuer: iss.issuer, audience: 'api', jwksUri: iss.jwksUri }] })
    await api.invoke(bearer(await iss.sign({ scope: 'read,admin  write' }, { audience: 'api' })))
    expect(api.seen[0]!.scopes).toEqual(['read,admin', 'write'])
    await api.invoke(bearer(await iss.sign({ scp: ['a', 'b'] }, { audience: 'api' })))
    expect(api.seen[1]!.scopes).toEqual(['a', 'b'])
  })

  test('requiredClaims counts own claims only', async () => {
    const api = protect({ issuers: [{ issuer: iss.issuer, audience: 'api', jwksUri: iss.jwksUri, requiredClaims: ['constructor'] }] })
    expect(outcome(await api.invoke(bearer(await iss.sign({}, { audience: 'api' }))))).toEqual([401, 'invalid_token'])
  })

  test('trustApiGateway applies the issuer entry: a Cognito id token is refused where access tokens of one client are required', async () => {
    const event = loadFixture('rest-v1-cognito.json')
    const claims = event.requestContext.authorizer.claims
    const userPoolId = claims.iss.split('/').pop()
    const accessOnly = protect({ trustApiGateway: true, issuers: [cognitoIssuer({ userPoolId, clientId: 'client1', tokenUse: 'access' })] })
    expect(outcome(await accessOnly.invoke(event))).toEqual([401, 'invalid_token'])
    const idTokens = protect({ trustApiGateway: true, issuers: [cognitoIssuer({ userPoolId, clientId: claims.aud, tokenUse: 'id' })] })
    expect((await idTokens.invoke(event)).statusCode).toBe(200)
    expect(idTokens.seen[0]!.source).toBe('apigateway')
  })

  test('a preset with a keyResolver (the jwks-rsa adapter) uses it instead of its jwksUri', async () => {
    const resolver = createStaticKeyResolver({ keys: iss.keys.map((k) => k.publicJwk) })
    const preset = auth0Issuer({ domain: 'example.eu.auth0.com', audience: 'api', keyResolver: resolver })
    expect(preset.jwksUri).toBeUndefined()
    const api = protect({ issuers: [preset] })
    const token = await signToken({}, { audience: 'api', issuer: 'https://example.eu.auth0.com/', key: iss.keys[0]! })
    expect((await api.invoke(bearer(token))).statusCode).toBe(200)
  })
})
