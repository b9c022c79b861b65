/**
 * `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): the client proves itself at the
 * token endpoint with a JWT signed by its private key, whose public half the provider knows.
 * The whole sign-in against the loopback provider, with an ES256 and an RS256 key; a key the
 * provider does not know is refused like any rejected token request.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { webcrypto } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { oauthLogin, type OAuthLoginConfig } from '../src/index.js'
import { CookieJar, configFor, errorOf, eventFor, headerOf, invoke, setCookiesOf, signIn } from './support/flow.js'
import { PRIVATE_KEY_JWT_CLIENT_ID, startProvider, type LoopbackProvider } from './support/provider.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

type KeyPair = webcrypto.CryptoKeyPair

const keyPair = (alg: 'ES256' | 'RS256'): Promise<KeyPair> =>
  crypto.subtle.generateKey(
    alg === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  ) as Promise<KeyPair>

const publicJwk = async (pair: KeyPair, alg: string, kid: string) => ({ ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), alg, kid, use: 'sig' })

let provider: LoopbackProvider
let es256: KeyPair
let rs256: KeyPair
beforeAll(async () => {
  ;[es256, rs256] = await Promise.all([keyPair('ES256'), keyPair('RS256')])
  // Keys made here, in the test's realm, as an application's tests would make them.
  const clientJwks = { keys: [await publicJwk(es256, 'ES256', 'worker-es256'), await publicJwk(rs256, 'RS256', 'worker-rs256')] }
  provider = await startProvider({ clientJwks })
})
afterAll(() => provider.close())

const configWith = (privateKey: OAuthLoginConfig['privateKey']): OAuthLoginConfig =>
  configFor(provider, { clientId: PRIVATE_KEY_JWT_CLIENT_ID, clientSecret: undefined, privateKey, clientAuth: 'private_key_jwt' })

describe('private_key_jwt', () => {
  test.each([
    ['ES256 with its kid', 'ES256', () => ({ key: es256.privateKey, kid: 'worker-es256' }), 'worker-es256'],
    ['RS256 without a kid', 'RS256', () => rs256.privateKey, undefined],
  ] as const)('%s: the sign-in completes, and the code is redeemed with a client assertion', async (_name, alg, privateKey, kid) => {
    const handlers = oauthLogin(configWith(privateKey()))
    const jar = new CookieJar()
    const before = provider.tokenRequests.length
    const { callback } = await signIn(handlers, provider, jar)

    expect(callback.statusCode).toBe(302)
    expect(headerOf(callback, 'location')).toBe('/')
    expect(jar.names()).toEqual(['__Host-session'])
    const session = await invoke(handlers.session, eventFor('http-api', { path: '/auth/session', cookies: jar.cookies }))
    expect(session.statusCode).toBe(200)
    expect(JSON.parse(session.body as string)).toMatchObject({ subject: 'alice', issuer: provider.issuer, claims: { aud: PRIVATE_KEY_JWT_CLIENT_ID } })

    // What the provider's token endpoint received: an assertion, no secret, and it issued tokens.
    const requests = provider.tokenRequests.slice(before)
    expect(requests).toHaveLength(1)
    const [request] = requests
    expect(request?.error).toBeUndefined()
    expect(request?.params).toMatchObject({ grant_type: 'authorization_code', client_assertion_type: JWT_BEARER })
    expect(request?.params.client_secret).toBeUndefined()
    const assertion = request?.params.client_assertion as string
    const header = decodeProtectedHeader(assertion)
    expect(header.alg).toBe(alg)
    expect(header.kid).toBe(kid)
    const claims = decodeJwt(assertion)
    expect(claims).toMatchObject({ iss: PRIVATE_KEY_JWT_CLIENT_ID, sub: PRIVATE_KEY_JWT_CLIENT_ID })
    expect([claims.aud].flat()).toContain(provider.issuer)
    expect(typeof claims.jti).toBe('string')
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000)
  })

  test('refreshing the session authenticates with a new assertion (the provider refuses a replayed one)', async () => {
    const handlers = oauthLogin(configWith({ key: es256.privateKey, kid: 'worker-es256' }))
    const jar = new CookieJar()
    await signIn(handlers, provider, jar)
    const before = provider.tokenRequests.length
    const response = await invoke(
      handlers.refresh,
      eventFor('http-api', { method: 'POST', cookies: jar.cookies, headers: { 'sec-fetch-site': 'same-origin' } }),
    )
    expect(response.statusCode).toBe(200)

    const [signInRequest, refreshRequest] = provider.tokenRequests.slice(before - 1)
    expect(signInRequest?.params.grant_type).toBe('authorization_code')
    expect(refreshRequest?.error).toBeUndefined()
    expect(refreshRequest?.params).toMatchObject({ grant_type: 'refresh_token', client_assertion_type: JWT_BEARER })
    const jtiOf = (assertion: string | undefined) => decodeJwt(assertion as string).jti
    expect(jtiOf(refreshRequest?.params.client_assertion)).not.toBe(jtiOf(signInRequest?.params.client_assertion))
  })

  test('a key the provider does not know: the token request is refused (invalid_client), the callback answers 401 login_required, no session', async () => {
    const stranger = await keyPair('ES256')
    const handlers = oauthLogin(configWith({ key: stranger.privateKey, kid: 'worker-es256' }))
    const jar = new CookieJar()
    const before = provider.tokenRequests.length
    const { callback } = await signIn(handlers, provider, jar)

    expect([callback.statusCode, errorOf(callback)]).toEqual([401, 'login_required'])
    expect(headerOf(callback, 'content-type')).toBe('application/json')
    expect(setCookiesOf(callback).filter((cookie) => cookie.startsWith('__Host-session'))).toEqual([])
    expect(jar.names()).toEqual([])
    expect(callback.body).not.toMatch(/eyJ|invalid_client|worker-es256|stack|Error:/)

    const requests = provider.tokenRequests.slice(before)
    expect(requests.map((request) => [request.params.client_assertion_type, request.error])).toEqual([[JWT_BEARER, 'invalid_client']])

    const session = await invoke(handlers.session, eventFor('http-api', { path: '/auth/session', cookies: jar.cookies }))
    expect([session.statusCode, errorOf(session)]).toEqual([401, 'login_required'])
  })
})
