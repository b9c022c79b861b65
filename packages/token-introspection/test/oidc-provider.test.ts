import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import oauthScope from '@middy-auth/oauth-scope'
import { albEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import { generateKeyPairSync } from 'node:crypto'
import { SignJWT } from 'jose'
import { APP, outcome, protect, RESOURCE, RS_BASIC, RS_JWT, RS_POST, RS_SIGNED, startProvider, startStub, visible } from './support.js'

/** Against a real authorization server: oidc-provider's introspection endpoint on loopback. */
describe('tokenIntrospection against oidc-provider', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>
  beforeAll(async () => {
    provider = await startProvider()
  })
  afterAll(() => provider.close())

  test('an active opaque token reaches the handler as the suite identity', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke, seen } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: RESOURCE, issuer: provider.issuer })
    const response = await invoke(httpApiEvent({ bearer: token }))
    expect(outcome(response)).toEqual([200, 'ok'])
    expect(seen).toHaveLength(1)
    const auth = seen[0]!
    expect(auth.source).toBe('introspection')
    expect(auth.issuer).toBe(provider.issuer)
    expect(auth.scopes).toEqual(['orders:read'])
    expect(auth.roles).toEqual([])
    expect(auth.claims).toMatchObject({ active: true, client_id: APP.clientId, aud: RESOURCE })
    expect(Object.getPrototypeOf(auth.claims)).toBeNull()
    expect(Object.isFrozen(auth.claims)).toBe(true)
  })

  test('client_secret_post authenticates too, and the endpoint can be discovered from the issuer', async () => {
    const token = await provider.issueToken('orders:write')
    const { invoke, seen } = protect({ issuer: provider.issuer, ...RS_POST, clientAuthMethod: 'client_secret_post', audience: RESOURCE })
    expect(outcome(await invoke(restEvent({ bearer: token })))).toEqual([200, 'ok'])
    expect(seen[0]?.scopes).toEqual(['orders:write'])
  })

  test('private_key_jwt: a signed assertion for the issuer, or for the endpoint when no issuer is configured', async () => {
    const token = await provider.issueToken('orders:read')
    const withIssuer = protect({ issuer: provider.issuer, ...RS_JWT, clientAuthMethod: 'private_key_jwt', audience: RESOURCE })
    expect(outcome(await withIssuer.invoke(httpApiEvent({ bearer: token })))).toEqual([200, 'ok'])
    // A fresh assertion (new jti) per call: the provider refuses replayed ones.
    const endpointOnly = protect({ endpoint: provider.endpoint, ...RS_JWT, clientAuthMethod: 'private_key_jwt', audience: RESOURCE, cache: false })
    for (let i = 0; i < 2; i += 1) expect(outcome(await endpointOnly.invoke(httpApiEvent({ bearer: token })))).toEqual([200, 'ok'])
  })

  test('private_key_jwt with a key the provider does not know: 503, never an accept', async () => {
    const token = await provider.issueToken('orders:read')
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const { invoke, seen } = protect({ endpoint: provider.endpoint, ...RS_JWT, privateKey: stranger, clientAuthMethod: 'private_key_jwt', audience: RESOURCE })
    expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([503, 'temporarily_unavailable'])
    expect(seen).toHaveLength(0)
  })

  describe('signed answers (RFC 9701, jwtResponse)', () => {
    test('a signed answer, verified with the keys found by discovery, lets the token in', async () => {
      const token = await provider.issueToken('orders:read')
      const { invoke, seen } = protect({ issuer: provider.issuer, ...RS_SIGNED, audience: RESOURCE, jwtResponse: true })
      expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([200, 'ok'])
      expect(seen[0]).toMatchObject({ source: 'introspection', issuer: provider.issuer, scopes: ['orders:read'] })
      expect(seen[0]?.claims).toMatchObject({ active: true, client_id: APP.clientId })
    })

    test('a signed answer for a revoked token is refused', async () => {
      const token = await provider.issueToken('orders:read')
      await provider.revoke(token)
      const { invoke } = protect({
        issuer: provider.issuer,
        ...RS_SIGNED,
        audience: RESOURCE,
        jwtResponse: { jwksUri: provider.jwksUri, algorithms: ['RS256'] },
      })
      expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    })

    test('an unsigned (JSON) answer when signed ones are required: 503, never an accept', async () => {
      const token = await provider.issueToken('orders:read')
      const plain = await startStub(() => ({ body: { active: true, aud: RESOURCE, iss: provider.issuer, exp: Math.floor(Date.now() / 1000) + 60 } }))
      try {
        const options = { endpoint: plain.endpoint, issuer: provider.issuer, ...RS_SIGNED, audience: RESOURCE, jwtResponse: { jwksUri: provider.jwksUri } }
        const { invoke, seen } = protect(options)
        expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([503, 'temporarily_unavailable'])
        expect(seen).toHaveLength(0)
        expect(plain.requests.map((request) => request.accept)).toEqual(['application/token-introspection+jwt'])
      } finally {
        await plain.close()
      }
    })

    test('an answer signed by another key, or for another client, or with an algorithm not allowed: 503', async () => {
      const token = await provider.issueToken('orders:read')
      const notAllowed = protect({ issuer: provider.issuer, ...RS_SIGNED, audience: RESOURCE, jwtResponse: { algorithms: ['ES256'] } })
      expect(outcome(await notAllowed.invoke(httpApiEvent({ bearer: token })))).toEqual([503, 'temporarily_unavailable'])

      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const forged = (aud: string) =>
        new SignJWT({ token_introspection: { active: true, aud: RESOURCE, exp: Math.floor(Date.now() / 1000) + 60 } })
          .setProtectedHeader({ alg: 'ES256', typ: 'token-introspection+jwt' })
          .setIssuer(provider.issuer)
          .setAudience(aud)
          .setIssuedAt()
          .sign(privateKey)
      const forger = await startStub(() => ({ body: '' }))
      try {
        for (const aud of [RS_SIGNED.clientId, 'someone-else']) {
          const jwt = await forged(aud)
          forger.set(() => ({ body: jwt }))
          const options = { endpoint: forger.endpoint, issuer: provider.issuer, ...RS_SIGNED, audience: RESOURCE, jwtResponse: { jwksUri: provider.jwksUri } }
          const { invoke, seen } = protect(options)
          expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([503, 'temporarily_unavailable'])
          expect(seen).toHaveLength(0)
        }
      } finally {
        await forger.close()
      }
    })
  })

  test('the same token on ALB events and the Authorization header read as in jwt-verify (scheme case-insensitive)', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: RESOURCE })
    expect(outcome(await invoke(albEvent({ headers: { authorization: `bearer ${token}` } })))).toEqual([200, 'ok'])
  })

  test('a revoked token is refused (cache off: the next request asks again)', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke, seen } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: RESOURCE, cache: false })
    expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([200, 'ok'])
    await provider.revoke(token)
    const response = await invoke(httpApiEvent({ bearer: token }))
    expect(outcome(response)).toEqual([401, 'invalid_token'])
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token is invalid"')
    expect(visible(response)).not.toContain(token)
    expect(seen).toHaveLength(1)
  })

  test('a token for another audience is refused', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke, seen } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: 'https://other.example.com' })
    expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
    expect(seen).toHaveLength(0)
  })

  test('answers naming another issuer are refused', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: RESOURCE, issuer: 'https://impostor.example.com' })
    expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([401, 'invalid_token'])
  })

  test('wrong client credentials at the provider: 503, never an accept', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke, seen } = protect({ endpoint: provider.endpoint, clientId: RS_BASIC.clientId, clientSecret: 'wrong', audience: RESOURCE })
    const response = await invoke(httpApiEvent({ bearer: token }))
    expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
    expect(response.headers['Retry-After']).toBe('5')
    expect(seen).toHaveLength(0)
  })

  test('an active answer is cached: ten requests with one token make one call', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: RESOURCE })
    const before = provider.introspections()
    for (let i = 0; i < 10; i += 1) expect(outcome(await invoke(httpApiEvent({ bearer: token })))).toEqual([200, 'ok'])
    expect(provider.introspections() - before).toBe(1)
  })

  test('oauthScope works unchanged on the identity', async () => {
    const token = await provider.issueToken('orders:read')
    const { invoke, seen } = protect({ endpoint: provider.endpoint, ...RS_BASIC, audience: RESOURCE }, [oauthScope({ required: ['orders:write'] })])
    const response = await invoke(httpApiEvent({ bearer: token }))
    expect(outcome(response)).toEqual([403, 'insufficient_scope'])
    expect(response.headers['WWW-Authenticate']).toContain('scope="orders:write"')
    expect(seen).toHaveLength(0)
  })
})
