import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import { createTestIssuer, generateKeyPair, type TestIssuer } from '@middy-auth/testing'
import { albIssuer, cognitoIssuer, createJwtVerifier, type AlbIssuerOptions, type IssuerConfig } from '../src/index.js'
import { albEventWith, albToken, ARN, CLIENT, fixture, keyPair, NOW, REGION, startAlbKeyServer, SUBJECT } from './alb-support.js'
import { outcome, protect } from './support.js'

describe('albIssuer accessToken: x-amzn-oidc-accesstoken verified as well', () => {
  const signing = keyPair()
  const kid = randomUUID()
  const pems = new Map<string, string>([[kid, signing.publicKey.export({ type: 'spki', format: 'pem' }) as string]])
  let keyServer: Awaited<ReturnType<typeof startAlbKeyServer>>
  let idp: TestIssuer
  const clock = () => NOW * 1000

  beforeAll(async () => {
    keyServer = await startAlbKeyServer(pems)
    idp = await createTestIssuer()
  })
  afterAll(async () => {
    await keyServer.close()
    await idp.close()
  })

  const accessEntry = (): IssuerConfig => ({ issuer: idp.issuer, audience: 'orders-api', jwksUri: idp.jwksUri })
  const issuer = (extra: Partial<AlbIssuerOptions> = {}) =>
    albIssuer({
      region: REGION,
      loadBalancerArn: ARN,
      clientId: CLIENT,
      endpoint: keyServer.endpoint,
      accessToken: accessEntry(),
      ...extra,
    } as AlbIssuerOptions)
  const data = () => albToken({ key: signing.privateKey, kid })
  const accessToken = (claims: Record<string, unknown> = {}, options: Parameters<TestIssuer['sign']>[1] = {}) =>
    idp.sign({ scope: 'orders:read orders:write', ...claims }, { subject: SUBJECT, audience: 'orders-api', now: NOW - 10, expiresIn: 300, ...options })

  test('both valid and about one user: the ALB identity, with the access token scopes', async () => {
    const { invoke, seen } = protect({ issuers: [issuer()], clock })
    const response = await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await accessToken() }))
    expect(outcome(response)).toEqual([200, 'ok'])
    expect(seen[0]).toMatchObject({ source: 'alb', subject: SUBJECT, scopes: ['orders:read', 'orders:write'], roles: [] })
    // The claims stay those the load balancer signed.
    expect(seen[0]?.claims.email).toBe('alice@example.com')
    expect(seen[0]?.claims.scope).toBeUndefined()
  })

  test('warm: the second request verifies both without fetching keys again', async () => {
    const { invoke } = protect({ issuers: [issuer()], clock })
    idp.resetCounters()
    const token = await accessToken()
    expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': token })))).toEqual([200, 'ok'])
    expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': token })))).toEqual([200, 'ok'])
    expect(idp.requests.jwks).toBe(1)
  })

  test("the provider's keys load at cold start: the first request fetches nothing more", async () => {
    const cold = await createTestIssuer()
    try {
      const token = await cold.sign({ scope: 'orders:read' }, { subject: SUBJECT, audience: 'orders-api', now: NOW - 10, expiresIn: 300 })
      const { invoke } = protect({ issuers: [issuer({ accessToken: { issuer: cold.issuer, audience: 'orders-api', jwksUri: cold.jwksUri } })], clock })
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(cold.requests.jwks).toBe(1)
      expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': token })))).toEqual([200, 'ok'])
      expect(cold.requests.jwks).toBe(1)
    } finally {
      await cold.close()
    }
  })

  describe('refused: 401 invalid_token, the handler not called', () => {
    const refused: Array<[string, () => Promise<string | undefined>]> = [
      ['no access token', async () => undefined],
      ['an empty access token', async () => ''],
      ['an expired access token', () => accessToken({}, { now: NOW - 400, expiresIn: 300 })],
      ['a forged access token (another key under the issuer kid)', () => accessToken({}, { key: generateKeyPair('RS256', { kid: idp.keys[0]?.kid ?? '' }) })],
      ['an access token of another user', () => accessToken({}, { subject: 'someone-else' })],
      ['an access token without sub', () => accessToken({}, { subject: null })],
      ['an access token for another audience', () => accessToken({}, { audience: 'another-api' })],
      ['an access token from another issuer', () => accessToken({ iss: 'https://other.example.com' })],
      ['the ALB token in the access token header', async () => data()],
      ['the access token of the fixture (a placeholder, as the event arrives)', async () => fixture.headers['x-amzn-oidc-accesstoken']],
    ]
    test.each(refused)('%s', async (_name, make) => {
      const { invoke, seen } = protect({ issuers: [issuer()], clock })
      const response = await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await make() }))
      expect(outcome(response)).toEqual([401, 'invalid_token'])
      expect(seen).toHaveLength(0)
    })

    test('a valid access token does not save a bad x-amzn-oidc-data', async () => {
      const { invoke, seen } = protect({ issuers: [issuer()], clock })
      const forged = albToken({ key: keyPair().privateKey, kid })
      expect(outcome(await invoke(albEventWith(forged, { 'x-amzn-oidc-accesstoken': await accessToken() })))).toEqual([401, 'invalid_token'])
      expect(seen).toHaveLength(0)
    })
  })

  test("the access token issuer's keys unavailable: 503 with Retry-After, never an accept", async () => {
    const down = await createTestIssuer()
    try {
      const token = await down.sign({}, { subject: SUBJECT, audience: 'orders-api', now: NOW - 10, expiresIn: 300 })
      down.failWith('status-500')
      const { invoke, seen } = protect({
        issuers: [issuer({ accessToken: { issuer: down.issuer, audience: 'orders-api', jwksUri: down.jwksUri } })],
        clock,
      })
      const response = await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': token }))
      expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
      expect(Number(response.headers['Retry-After'])).toBeGreaterThanOrEqual(1)
      expect(seen).toHaveLength(0)
    } finally {
      await down.close()
    }
  })

  test('outside Middy: verifyEvent checks both; verifyToken, which has no request to read the access token from, refuses', async () => {
    const verifier = createJwtVerifier({ issuers: [issuer()], clock })
    const refusal = (pending: Promise<unknown>) =>
      pending.then(
        () => 'accepted',
        (error: { statusCode: number; code: string; cause: { data: { reason: string } } }) => [error.statusCode, error.code, error.cause.data.reason],
      )
    const auth = await verifier.verifyEvent(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await accessToken() }))
    expect(auth).toMatchObject({ source: 'alb', subject: SUBJECT, scopes: ['orders:read', 'orders:write'] })
    expect(await refusal(verifier.verifyEvent(albEventWith(data(), { 'x-amzn-oidc-accesstoken': undefined })))).toEqual([
      401,
      'invalid_token',
      'access_token_missing',
    ])
    expect(await refusal(verifier.verifyToken(data()))).toEqual([401, 'invalid_token', 'access_token_missing'])
    const someoneElse = albEventWith(data(), { 'x-amzn-oidc-accesstoken': await accessToken({}, { subject: 'someone-else' }) })
    expect(await refusal(verifier.verifyEvent(someoneElse))).toEqual([401, 'invalid_token', 'subject_mismatch'])
  })

  describe("the access token entry's own claims check (a preset's, or claimsCheck) runs as in jwtVerify", () => {
    // A Cognito access token: no aud, its client_id and token_use checked by the preset's claimsCheck.
    const cognitoEntry = (): IssuerConfig => ({
      ...cognitoIssuer({ userPoolId: 'us-east-1_example', clientId: 'orders-client', tokenUse: 'access' }),
      issuer: idp.issuer,
      jwksUri: idp.jwksUri,
    })
    const cognitoToken = (claims: Record<string, unknown>) => accessToken({ client_id: 'orders-client', token_use: 'access', ...claims }, { audience: null })

    test('a cognitoIssuer() entry: accepted at cold start; its access token passes, an id token or another client is refused', async () => {
      const { invoke, seen } = protect({ issuers: [issuer({ accessToken: cognitoEntry() })], clock })
      expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await cognitoToken({}) })))).toEqual([200, 'ok'])
      expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await cognitoToken({ token_use: 'id' }) })))).toEqual([
        401,
        'invalid_token',
      ])
      expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await cognitoToken({ client_id: 'another' }) })))).toEqual([
        401,
        'invalid_token',
      ])
      expect(seen).toHaveLength(1)
    })

    test('an async claimsCheck with claimsCacheTtl: a token it refuses is refused', async () => {
      const entry = { ...accessEntry(), claimsCheck: async (payload: Readonly<Record<string, unknown>>) => payload.tenant === 'acme', claimsCacheTtl: 30 }
      const { invoke, seen } = protect({ issuers: [issuer({ accessToken: entry })], clock })
      expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await accessToken({ tenant: 'acme' }) })))).toEqual([200, 'ok'])
      expect(outcome(await invoke(albEventWith(data(), { 'x-amzn-oidc-accesstoken': await accessToken({ tenant: 'other' }) })))).toEqual([401, 'invalid_token'])
      expect(seen).toHaveLength(1)
    })
  })

  // albIssuer compiles its access-token entry with its own list of jwtVerify's extensions (to keep
  // the rest of them out of ALB bundles): a field of an issuer entry whose extension that list
  // forgot would be a TypeError at cold start there, as claimsCheck was once. Every field but
  // dpop and mtls (refused: the load balancer forwards neither proofs nor certificates) compiles.
  test.each([
    ['jwksUri', { jwksUri: 'https://idp.example.com/jwks' }],
    ['none (OIDC discovery)', {}],
    ['jwks', { jwks: { keys: [{ ...keyPair().publicKey.export({ format: 'jwk' }), kid: 'k1' }] } }],
    ['keys', { keys: [{ kid: 'k1', pem: keyPair().publicKey.export({ type: 'spki', format: 'pem' }) as string }] }],
    ['secret', { secret: 'a-secret-of-at-least-thirty-two-bytes!', algorithms: ['HS256'] }],
    ['keyResolver', { keyResolver: { prefetch: () => undefined, cached: () => undefined, getKeySet: async () => [] } }],
    [
      'algorithms, tokenType, clockTolerance, maxTokenAge, requiredClaims',
      {
        jwksUri: 'https://idp.example.com/jwks',
        algorithms: ['RS256'],
        tokenType: 'at+jwt',
        clockTolerance: 10,
        maxTokenAge: 3600,
        requiredClaims: ['client_id'],
      },
    ],
    ['claimsCheck, claimsCacheTtl', { jwksUri: 'https://idp.example.com/jwks', claimsCheck: () => true, claimsCacheTtl: 30 }],
  ])('an access-token entry with %s compiles, as in jwtVerify', (_fields, fields) => {
    const accessToken = { issuer: 'https://idp.example.com', audience: 'orders-api', ...fields } as IssuerConfig
    expect(() => albIssuer({ region: REGION, loadBalancerArn: ARN, accessToken })).not.toThrow()
  })

  describe('configuration mistakes are TypeErrors at cold start', () => {
    test.each([
      ['not an entry', 'cognito', /^albIssuer: accessToken must be an issuer entry/],
      ['no audience', { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' }, /accessToken\.audience is required/],
      [
        'an http: JWKS off loopback',
        { issuer: 'https://idp.example.com', audience: 'a', jwksUri: 'http://idp.example.com/jwks' },
        /accessToken\.jwksUri.*https/,
      ],
      [
        'an unknown field',
        { issuer: 'https://idp.example.com', audience: 'a', jwksUri: 'https://idp.example.com/jwks', scopes: [] },
        /^albIssuer: accessToken\.scopes is not an option \(known: issuer, /,
      ],
      [
        'dpop',
        { issuer: 'https://idp.example.com', audience: 'a', jwksUri: 'https://idp.example.com/jwks', dpop: {} },
        /^albIssuer: accessToken cannot use dpop or mtls/,
      ],
    ])('%s', (_name, accessToken, message) => {
      let error: unknown
      try {
        albIssuer({ region: REGION, loadBalancerArn: ARN, accessToken: accessToken as IssuerConfig })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(/^albIssuer: /)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).cause).toEqual({ package: '@middy-auth/jwt-verify', option: expect.stringMatching(/^accessToken/) })
    })
  })
})
