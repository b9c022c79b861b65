import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, httpApiEvent, restEvent, type TestIssuer } from '@middy-auth/testing'
import { generateKeyPair as dpopKeyPair, generateProof } from 'dpop'
import { createMemoryReplayStore, type ReplayStore } from '../src/index.js'
import { proofKey, signProof, withHeaders, type ProofKey } from './dpop-support.js'
import { outcome, protect } from './support.js'

let iss: TestIssuer
const audience = 'orders-api'
const entry = (extra: Record<string, unknown> = {}) => ({ issuer: iss.issuer, audience, jwksUri: iss.jwksUri, ...extra })
let key: ProofKey

// httpApiEvent: $default stage, execute-api domain.
const api = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com'
const url = `${api}/orders`

beforeAll(async () => {
  iss = await createTestIssuer()
  key = proofKey('ES256')
})
afterAll(() => iss.close())

const boundToken = (jkt = key.jkt, claims: Record<string, unknown> = {}) => iss.sign({ sub: 'alice', cnf: { jkt }, ...claims }, { audience })
const dpopEvent = (token: string, proof: string | undefined, options: { method?: string } = {}) =>
  withHeaders(httpApiEvent({ method: options.method ?? 'GET', path: '/orders' }), { authorization: `DPoP ${token}`, dpop: proof })

describe('DPoP-bound tokens (RFC 9449)', () => {
  test('a bound token with a valid proof from the dpop client package is accepted, and the binding recorded', async () => {
    const protectedApi = protect({ issuers: [entry()], dpop: { boundTokens: 'required' } })
    const client = await dpopKeyPair('ES256')
    const { calculateThumbprint } = await import('dpop')
    const jkt = await calculateThumbprint(client.publicKey)
    const token = await boundToken(jkt)
    const proof = await generateProof(client, url, 'GET', undefined, token)
    const response = await protectedApi.invoke(dpopEvent(token, proof))
    expect(response.statusCode).toBe(200)
    expect(protectedApi.seen[0]?.confirmation).toEqual({ jkt })
    expect(protectedApi.seen[0]?.subject).toBe('alice')
  })

  test.each(['EdDSA', 'RS256', 'PS256'] as const)('%s proofs are accepted', async (alg) => {
    const k = proofKey(alg)
    const token = await boundToken(k.jkt)
    const protectedApi = protect({ issuers: [entry()], dpop: { boundTokens: 'required' } })
    expect((await protectedApi.invoke(dpopEvent(token, await signProof(k, { url, token })))).statusCode).toBe(200)
  })

  test('the scheme is case-insensitive and the DPoP header name too', async () => {
    const protectedApi = protect({ issuers: [entry()], dpop: { boundTokens: 'required' } })
    const token = await boundToken()
    const event = withHeaders(httpApiEvent({ path: '/orders' }), { Authorization: `dpop ${token}`, DPoP: await signProof(key, { url, token }) })
    expect((await protectedApi.invoke(event)).statusCode).toBe(200)
  })

  describe('refusals, each with its code', () => {
    const protectedApi = () => protect({ issuers: [entry()], dpop: { boundTokens: 'allowed' } })
    const refusedWith = async (event: unknown) => {
      const api = protectedApi()
      const response = await api.invoke(event)
      expect(api.seen).toEqual([])
      return response
    }

    test('a replayed proof: accepted once, then invalid_dpop_proof', async () => {
      const api = protectedApi()
      const token = await boundToken()
      const proof = await signProof(key, { url, token })
      expect((await api.invoke(dpopEvent(token, proof))).statusCode).toBe(200)
      const replay = await api.invoke(dpopEvent(token, proof))
      expect(outcome(replay)).toEqual([401, 'invalid_dpop_proof'])
      expect(replay.headers['WWW-Authenticate']).toMatch(/^DPoP algs="[^"]*ES256[^"]*", error="invalid_dpop_proof"$/)
    })

    test('a proof for another method or another URL', async () => {
      const token = await boundToken()
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token, method: 'POST' }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url: `${api}/orders/1`, token }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url: 'https://other.example.com/orders', token }))))).toEqual([
        401,
        'invalid_dpop_proof',
      ])
    })

    test('htu ignores query and fragment, and normalizes case and default port', async () => {
      const api2 = protectedApi()
      const token = await boundToken()
      for (const htu of [`${url}?a=1#f`, url.replace('https://h1t2', 'HTTPS://H1T2'), url.replace('.com/', '.com:443/')]) {
        expect((await api2.invoke(dpopEvent(token, await signProof(key, { url: htu, token })))).statusCode).toBe(200)
      }
    })

    test('ath of another token, a missing ath', async () => {
      const token = await boundToken()
      const other = await boundToken(key.jkt, { scope: 'other' })
      expect(other).not.toBe(token)
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token: other }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url }))))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a token bound to another key than the proof', async () => {
      const token = await boundToken(proofKey('ES256').jkt)
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token }))))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('none and HMAC proofs', async () => {
      const token = await boundToken()
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const claims = {
        htm: 'GET',
        htu: url,
        iat: Math.floor(Date.now() / 1000),
        jti: 'j-none',
        ath: (await import('../src/dpop-proof.js')).accessTokenHash(token),
      }
      const none = `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${b64(claims)}.`
      expect(outcome(await refusedWith(dpopEvent(token, none)))).toEqual([401, 'invalid_dpop_proof'])
      const { createHmac } = await import('node:crypto')
      const signingInput = `${b64({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk })}.${b64(claims)}`
      // The classic confusion: the public key's JSON as the HMAC secret.
      const mac = createHmac('sha256', JSON.stringify(key.publicJwk)).update(signingInput).digest('base64url')
      expect(outcome(await refusedWith(dpopEvent(token, `${signingInput}.${mac}`)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('an RSA proof key over 8192 bits is refused before any verification', async () => {
      const { checkDpopProof } = await import('../src/dpop-proof.js')
      const { DpopRejection } = await import('../src/rejection.js')
      const { randomBytes } = await import('node:crypto')
      // A public key needs no private half to be sent: an odd 8200-bit modulus is enough to try.
      const modulus = randomBytes(1025)
      modulus[0] = 0xff
      modulus[1024] = (modulus[1024] as number) | 1
      const header = { typ: 'dpop+jwt', alg: 'RS256', jwk: { kty: 'RSA', e: 'AQAB', n: modulus.toString('base64url') } }
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const proof = `${b64(header)}.${b64({ htm: 'GET', htu: url, iat: 1, jti: 'x' })}.${Buffer.alloc(1025).toString('base64url')}`
      const rules = { algorithms: new Set(['RS256' as const]), maxAge: 300, clockTolerance: 5, nonces: undefined }
      let reason: string | undefined
      try {
        checkDpopProof(proof, { method: 'GET', url, accessToken: 't', now: 1 }, rules)
      } catch (error) {
        reason = error instanceof DpopRejection ? error.reason : String(error)
      }
      expect(reason).toBe('jwk')
    })

    test('a private key in the proof jwk', async () => {
      const token = await boundToken()
      const privateJwk = key.privateKey.export({ format: 'jwk' }) as Record<string, unknown>
      const proof = await signProof(key, { url, token, header: { jwk: privateJwk } })
      expect(outcome(await refusedWith(dpopEvent(token, proof)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a proof older than the window, or from the future', async () => {
      const token = await boundToken()
      const now = Math.floor(Date.now() / 1000)
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token, iat: now - 400 }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token, iat: now + 60 }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(await protectedApi().invoke(dpopEvent(token, await signProof(key, { url, token, iat: now - 290 })))).toMatchObject({ statusCode: 200 })
    })

    test('wrong typ, a kid-only header, no jwk, two proofs, no proof', async () => {
      const token = await boundToken()
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token, header: { typ: 'JWT' } }))))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token, header: { jwk: undefined, kid: 'k' } }))))).toEqual([
        401,
        'invalid_dpop_proof',
      ])
      const proof = await signProof(key, { url, token })
      expect(outcome(await refusedWith(dpopEvent(token, `${proof}, ${proof}`)))).toEqual([401, 'invalid_dpop_proof'])
      expect(outcome(await refusedWith(dpopEvent(token, undefined)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('the same signature spelt another way (unused base64url bits) is refused', async () => {
      const token = await boundToken()
      const proof = await signProof(key, { url, token })
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const last = alphabet.indexOf(proof.slice(-1))
      // An ES256 signature is 64 bytes: the last of 86 characters carries 2 bits, the other 4 are unused.
      const respelt = proof.slice(0, -1) + alphabet[(last & 0b110000) | (~last & 0b001111)]
      expect(Buffer.from(respelt.split('.')[2] as string, 'base64url')).toEqual(Buffer.from(proof.split('.')[2] as string, 'base64url'))
      expect(outcome(await refusedWith(dpopEvent(token, respelt)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a DPoP-bound token sent as Bearer is refused (downgrade)', async () => {
      const token = await boundToken()
      const event = withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `Bearer ${token}`, dpop: await signProof(key, { url, token }) })
      const response = await refusedWith(event)
      expect(outcome(response)).toEqual([401, 'invalid_token'])
      expect(response.headers['WWW-Authenticate']).toContain('DPoP algs="')
    })

    test('a DPoP-bound token is refused where DPoP is not turned on', async () => {
      const plain = protect({ issuers: [entry()] })
      const token = await boundToken()
      expect(outcome(await plain.invoke(withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `Bearer ${token}` })))).toEqual([401, 'invalid_token'])
      // Without DPoP configured, the DPoP scheme is not ours: no credentials.
      expect(outcome(await plain.invoke(dpopEvent(token, await signProof(key, { url, token }))))).toEqual([401, 'missing_token'])
    })

    test('an unbound token under the DPoP scheme', async () => {
      const token = await iss.sign({ sub: 'alice' }, { audience })
      expect(outcome(await refusedWith(dpopEvent(token, await signProof(key, { url, token }))))).toEqual([401, 'invalid_token'])
    })

    test('a cnf the middleware cannot check', async () => {
      const token = await iss.sign({ sub: 'alice', cnf: { jwk: key.publicJwk } }, { audience })
      expect(outcome(await refusedWith(withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `Bearer ${token}` })))).toEqual([401, 'invalid_token'])
    })
  })

  test('required: a plain bearer token is refused; allowed: accepted', async () => {
    const token = await iss.sign({ sub: 'alice' }, { audience })
    const event = () => withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `Bearer ${token}` })
    expect(outcome(await protect({ issuers: [entry()], dpop: { boundTokens: 'required' } }).invoke(event()))).toEqual([401, 'invalid_token'])
    expect((await protect({ issuers: [entry()], dpop: { boundTokens: 'allowed' } }).invoke(event())).statusCode).toBe(200)
  })

  test('per issuer entry: the entry wins over the middleware default', async () => {
    const token = await iss.sign({ sub: 'alice' }, { audience })
    const event = withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `Bearer ${token}` })
    const relaxed = protect({ issuers: [entry({ dpop: { boundTokens: 'allowed' } })], dpop: { boundTokens: 'required' } })
    expect((await relaxed.invoke(event)).statusCode).toBe(200)
  })

  test('algorithms: a proof alg outside the allow-list is refused', async () => {
    const k = proofKey('RS256')
    const token = await boundToken(k.jkt)
    const api2 = protect({ issuers: [entry()], dpop: { boundTokens: 'required', algorithms: ['ES256'] } })
    const response = await api2.invoke(dpopEvent(token, await signProof(k, { url, token })))
    expect(outcome(response)).toEqual([401, 'invalid_dpop_proof'])
    expect(response.headers['WWW-Authenticate']).toBe('DPoP algs="ES256", error="invalid_dpop_proof"')
  })

  describe('server nonces', () => {
    test('no nonce: 401 use_dpop_nonce with a DPoP-Nonce; the retry with it is accepted', async () => {
      const api2 = protect({ issuers: [entry()], dpop: { boundTokens: 'required', nonce: true } })
      const token = await boundToken()
      const first = await api2.invoke(dpopEvent(token, await signProof(key, { url, token })))
      expect(outcome(first)).toEqual([401, 'use_dpop_nonce'])
      expect(first.headers['WWW-Authenticate']).toBe('DPoP error="use_dpop_nonce"')
      const nonce = first.headers['DPoP-Nonce'] as string
      expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/)
      expect((await api2.invoke(dpopEvent(token, await signProof(key, { url, token, nonce })))).statusCode).toBe(200)
    })

    test('a stale or forged nonce: use_dpop_nonce again', async () => {
      let now = Date.now()
      const secret = 'a shared secret of at least 32 bytes!!'
      const api2 = protect({ issuers: [entry()], clock: () => now, dpop: { boundTokens: 'required', nonce: { secret, lifetime: 60 } } })
      const token = await boundToken()
      const first = await api2.invoke(dpopEvent(token, await signProof(key, { url, token })))
      const nonce = first.headers['DPoP-Nonce'] as string
      const forged = `${nonce.split('.')[0]}.${'A'.repeat(22)}`
      expect(outcome(await api2.invoke(dpopEvent(token, await signProof(key, { url, token, nonce: forged }))))).toEqual([401, 'use_dpop_nonce'])
      // Another instance with the same secret accepts the nonce.
      const other = protect({ issuers: [entry()], clock: () => now, dpop: { boundTokens: 'required', nonce: { secret, lifetime: 60 } } })
      expect((await other.invoke(dpopEvent(token, await signProof(key, { url, token, nonce, iat: Math.floor(now / 1000) })))).statusCode).toBe(200)
      now += 61_000
      const stale = await api2.invoke(dpopEvent(token, await signProof(key, { url, token, nonce, iat: Math.floor(now / 1000) })))
      expect(outcome(stale)).toEqual([401, 'use_dpop_nonce'])
      expect(stale.headers['DPoP-Nonce']).not.toBe(nonce)
    })
  })

  describe('replay stores', () => {
    test('a shared store refuses a proof another instance already used', async () => {
      const store = createMemoryReplayStore()
      const a = protect({ issuers: [entry()], dpop: { boundTokens: 'required', replayStore: store } })
      const b = protect({ issuers: [entry()], dpop: { boundTokens: 'required', replayStore: store } })
      const token = await boundToken()
      const proof = await signProof(key, { url, token })
      expect((await a.invoke(dpopEvent(token, proof))).statusCode).toBe(200)
      expect(outcome(await b.invoke(dpopEvent(token, proof)))).toEqual([401, 'invalid_dpop_proof'])
    })

    test('a store that fails or answers anything but true never lets a proof through', async () => {
      const token = await boundToken()
      const failing: ReplayStore = {
        claim: async () => {
          throw new Error('down')
        },
      }
      const response = await protect({ issuers: [entry()], dpop: { boundTokens: 'required', replayStore: failing } }).invoke(
        dpopEvent(token, await signProof(key, { url, token })),
      )
      expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
      const truthy = { claim: async () => 'yes' } as unknown as ReplayStore
      expect(
        outcome(
          await protect({ issuers: [entry()], dpop: { boundTokens: 'required', replayStore: truthy } }).invoke(
            dpopEvent(token, await signProof(key, { url, token })),
          ),
        ),
      ).toEqual([401, 'invalid_dpop_proof'])
    })

    test('the store is asked with the key-scoped jti and the end of the proof window; only after every other check', async () => {
      const calls: Array<[string, number]> = []
      const store: ReplayStore = { claim: async (jti, expiresAt) => (calls.push([jti, expiresAt]), true) }
      const api2 = protect({ issuers: [entry()], dpop: { boundTokens: 'required', replayStore: store } })
      const token = await boundToken()
      const iat = Math.floor(Date.now() / 1000)
      await api2.invoke(dpopEvent(token, await signProof(key, { url, token, jti: 'jti-1', iat })))
      await api2.invoke(dpopEvent(token, await signProof(key, { url: `${api}/x`, token, jti: 'jti-2', iat })))
      // Kept one second past the last second the proof is accepted in (iat + maxAge + clockTolerance).
      expect(calls).toEqual([[`${key.jkt}:jti-1`, iat + 300 + 5 + 1]])
    })

    test('the in-memory store: bounded, fail closed when full of live proofs, expired entries forgotten', async () => {
      let now = 1_000_000_000_000
      const store = createMemoryReplayStore({ maxEntries: 2, clock: () => now })
      const at = now / 1000
      expect(await store.claim('a', at + 10)).toBe(true)
      expect(await store.claim('a', at + 10)).toBe(false)
      expect(await store.claim('b', at + 20)).toBe(true)
      expect(await store.claim('c', at + 20)).toBe(false)
      now += 11_000
      expect(await store.claim('c', at + 30)).toBe(true)
      expect(await store.claim('b', at + 30)).toBe(false)
      expect(() => createMemoryReplayStore({ maxEntries: 0 })).toThrow(TypeError)
    })
  })

  test('REST: the URL has the stage as the client sent it', async () => {
    const api2 = protect({ issuers: [entry()], dpop: { boundTokens: 'required' } })
    const token = await boundToken()
    const restUrl = 'https://r1e2s3t4a5.execute-api.eu-west-1.amazonaws.com/prod/orders'
    const event = withHeaders(restEvent({ path: '/orders' }), { Authorization: `DPoP ${token}`, DPoP: await signProof(key, { url: restUrl, token }) })
    expect((await api2.invoke(event)).statusCode).toBe(200)
  })

  test('configuration mistakes are TypeErrors at cold start', () => {
    const make = (options: Record<string, unknown>) => () => protect({ issuers: [entry()], ...options } as never)
    expect(make({ dpop: { boundTokens: 'yes' } })).toThrow(/dpop.boundTokens/)
    expect(make({ dpop: { boundTokens: 'required', algorithms: ['HS256'] } })).toThrow(/dpop.algorithms/)
    expect(make({ dpop: { boundTokens: 'required', nonce: { secret: 'short' } } })).toThrow(/32 bytes/)
    expect(make({ dpop: { boundTokens: 'required', replayStore: {} } })).toThrow(/replayStore/)
    expect(make({ dpop: { boundTokens: 'required', publicBaseUrl: 'api.example.com' } })).toThrow(/publicBaseUrl/)
    expect(make({ dpop: { boundTokens: 'required', maxAge: -1 } })).toThrow(/maxAge/)
    expect(make({ dpop: { boundTokens: 'required', extra: 1 } })).toThrow(/^jwtVerify: dpop\.extra is not an option \(known: boundTokens, /)
    expect(make({ dpop: { boundTokens: 'required' }, tokenSource: { cookie: 'session' } })).toThrow(/Authorization header/)
    try {
      make({ dpop: { boundTokens: 'x' } })()
    } catch (error) {
      expect((error as TypeError).cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'dpop.boundTokens' })
      expect((error as TypeError).message).toBe(`jwtVerify: dpop.boundTokens must be 'required' or 'allowed'`)
    }
  })

  test('a hole in dpop.algorithms ([, "ES256"]) is the TypeError at cold start, of the middleware and of an entry', async () => {
    const withHole = new Array<unknown>(1)
    withHole.push('ES256')
    const dpop = { boundTokens: 'required', algorithms: withHole }
    // every() skipped it: the hole reached the challenge's algs, and every refusal (even a request without a token) was a 500.
    expect(() => protect({ issuers: [entry()], dpop } as never)).toThrow(/^jwtVerify: dpop\.algorithms must be a non-empty list of asymmetric algorithms/)
    expect(() => protect({ issuers: [entry({ dpop })] } as never)).toThrow(
      /^jwtVerify: issuers\[0\]\.dpop\.algorithms must be a non-empty list of asymmetric algorithms/,
    )
    // The same list without the hole works, and a refusal is the 401 with the algs.
    const api = protect({ issuers: [entry()], dpop: { boundTokens: 'required', algorithms: ['ES256'] } })
    const response = await api.invoke(httpApiEvent({ path: '/orders' }))
    expect(response.statusCode).toBe(401)
    expect(response.headers['WWW-Authenticate']).toContain('DPoP algs="ES256"')
  })
})
