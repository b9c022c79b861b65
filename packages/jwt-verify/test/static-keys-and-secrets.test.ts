import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { httpApiEvent } from '@middy-auth/testing'
import { SignJWT } from 'jose'
import type { JwtVerifyOptions } from '../src/index.js'
import { outcome, protect } from './support.js'

const issuer = 'https://issuer.example.com'
const audience = 'api'
const secret = 'a shared secret of at least thirty-two bytes'

const sign = (key: KeyObject | Uint8Array, alg: string, header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}) =>
  new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg, ...header })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key)
const call = async (options: JwtVerifyOptions, token: string) => outcome(await protect(options).invoke(httpApiEvent({ bearer: token })))
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('static keys in PEM form', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const spki = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }) as string
  let dir: string
  let certificate: { pem: string; privateKey: KeyObject }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pem-keys-'))
    const keyFile = join(dir, 'signer.key')
    const certFile = join(dir, 'signer.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=signer', '-days', '2'], {
      stdio: 'pipe',
    })
    certificate = { pem: readFileSync(certFile, 'utf8'), privateKey: createPrivateKey(readFileSync(keyFile, 'utf8')) }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('SPKI, PKCS#1 and X.509 certificate PEMs verify their tokens, picked by kid', async () => {
    const options: JwtVerifyOptions = {
      issuers: [
        {
          issuer,
          audience,
          keys: [
            { kid: 'rsa-spki', pem: spki(rsa.publicKey) },
            { kid: 'rsa-pkcs1', pem: rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string },
            { kid: 'ec', pem: spki(ec.publicKey), alg: 'ES256' },
            { kid: 'cert', pem: certificate.pem },
          ],
        },
      ],
    }
    expect(await call(options, await sign(rsa.privateKey, 'RS256', { kid: 'rsa-spki' }))).toEqual([200, 'ok'])
    expect(await call(options, await sign(rsa.privateKey, 'PS256', { kid: 'rsa-pkcs1' }))).toEqual([200, 'ok'])
    expect(await call(options, await sign(ec.privateKey, 'ES256', { kid: 'ec' }))).toEqual([200, 'ok'])
    expect(await call(options, await sign(certificate.privateKey, 'RS256', { kid: 'cert' }))).toEqual([200, 'ok'])
    // Another key's kid, an unknown kid, an algorithm the key is not labelled for.
    expect(await call(options, await sign(rsa.privateKey, 'RS256', { kid: 'cert' }))).toEqual([401, 'invalid_token'])
    expect(await call(options, await sign(rsa.privateKey, 'RS256', { kid: 'nope' }))).toEqual([401, 'invalid_token'])
    expect(await call(options, await sign(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256', { kid: 'ec' }))).toEqual([
      401,
      'invalid_token',
    ])
  })

  test('one key without kid verifies tokens without kid', async () => {
    const options: JwtVerifyOptions = { issuers: [{ issuer, audience, keys: [{ pem: spki(ec.publicKey) }] }] }
    expect(await call(options, await sign(ec.privateKey, 'ES256'))).toEqual([200, 'ok'])
  })

  test('configuration mistakes are TypeErrors naming the key', () => {
    const make =
      (keys: unknown, extra: Record<string, unknown> = {}) =>
      () =>
        protect({ issuers: [{ issuer, audience, keys, ...extra }] } as never)
    expect(make([{ kid: 'k', pem: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) }])).toThrow(/keys\[0\].pem is a private key/)
    expect(make([{ kid: 'k', pem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }])).toThrow(/keys\[0\].pem is not a PEM public key/)
    expect(make([{ kid: 'k', pem: spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey) }])).toThrow(/keys\[0\] cannot verify tokens/)
    expect(
      make([
        { kid: 'k', pem: spki(ec.publicKey) },
        { kid: 'k', pem: spki(ec.publicKey) },
      ]),
    ).toThrow(/listed twice/)
    expect(make([])).toThrow(/non-empty list/)
    expect(make([{ kid: 'k', pem: spki(ec.publicKey) }], { jwksUri: 'https://issuer.example.com/jwks' })).toThrow(
      /^jwtVerify: issuers\[0\]\.keys goes without jwksUri/,
    )
  })
})

describe('symmetric secrets (HMAC)', () => {
  const entry = (extra: Record<string, unknown> = {}) => ({ issuer, audience, secret, algorithms: ['HS256' as const], ...extra })
  const key = new TextEncoder().encode(secret)

  test('HS256 with the secret is accepted; HS384 and HS512 only when listed', async () => {
    expect(await call({ issuers: [entry()] }, await sign(key, 'HS256'))).toEqual([200, 'ok'])
    expect(await call({ issuers: [entry()] }, await sign(key, 'HS512'))).toEqual([401, 'invalid_token'])
    expect(await call({ issuers: [entry({ algorithms: ['HS384', 'HS512'] })] }, await sign(key, 'HS512'))).toEqual([200, 'ok'])
    expect(await call({ issuers: [entry({ secret: key })] }, await sign(key, 'HS256', { kid: 'any' }))).toEqual([200, 'ok'])
  })

  test('another secret, a tampered token, a truncated MAC: refused', async () => {
    const other = new TextEncoder().encode('another secret of at least thirty-two bytes!')
    expect(await call({ issuers: [entry()] }, await sign(other, 'HS256'))).toEqual([401, 'invalid_token'])
    const token = await sign(key, 'HS256')
    const [h, , s] = token.split('.') as [string, string, string]
    expect(await call({ issuers: [entry()] }, `${h}.${b64({ sub: 'mallory', iss: issuer, aud: audience, exp: 9999999999 })}.${s}`)).toEqual([
      401,
      'invalid_token',
    ])
    expect(await call({ issuers: [entry()] }, token.slice(0, -4))).toEqual([401, 'invalid_token'])
  })

  test('RSA public key as HMAC secret: the classic confusion stays impossible', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string
    const jwk = JSON.stringify(rsa.publicKey.export({ format: 'jwk' }))
    const forge = (macKey: string) => {
      const input = `${b64({ alg: 'HS256', kid: 'rsa' })}.${b64({ sub: 'mallory', iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 300 })}`
      return `${input}.${createHmac('sha256', macKey).update(input).digest('base64url')}`
    }
    // The entry has the public key: an HS256 token "signed" with it is refused.
    const publicEntry: JwtVerifyOptions = { issuers: [{ issuer, audience, keys: [{ kid: 'rsa', pem }] }] }
    for (const macKey of [pem, jwk]) expect(await call(publicEntry, forge(macKey))).toEqual([401, 'invalid_token'])
    // Even listing HS256 there is refused at cold start: a secret entry has no public keys, and public keys have no HMAC.
    // (The types refuse both too: these are what a JavaScript caller could still write.)
    expect(() => protect({ issuers: [{ issuer, audience, keys: [{ kid: 'rsa', pem }], algorithms: ['RS256', 'HS256'] }] } as never)).toThrow(
      /algorithms must be a non-empty list of RS256, .* \(HS256\/384\/512 with a secret\)$/,
    )
    expect(() => protect({ issuers: [{ issuer, audience, keys: [{ kid: 'rsa', pem }], secret: pem, algorithms: ['HS256'] }] } as never)).toThrow(/never mixed/)
    // A secret entry refuses an RS256 token signed by the real private key.
    expect(await call({ issuers: [entry()] }, await sign(rsa.privateKey, 'RS256', { kid: 'rsa' }))).toEqual([401, 'invalid_token'])
  })

  test('configuration mistakes are TypeErrors', () => {
    const make = (extra: Record<string, unknown>) => () => protect({ issuers: [{ issuer, audience, ...extra }] } as never)
    expect(make({ secret: 'short', algorithms: ['HS256'] })).toThrow(/at least 32 bytes, got 5/)
    expect(make({ secret })).toThrow(/^jwtVerify: issuers\[0\]\.algorithms is required with a secret/)
    expect(make({ secret, algorithms: ['HS256', 'RS256'] })).toThrow(
      /^jwtVerify: issuers\[0\]\.algorithms must be a non-empty list of HS256, HS384, HS512 with a secret \(put public keys on another entry\)$/,
    )
    expect(make({ algorithms: ['HS256'], jwksUri: 'https://issuer.example.com/jwks' })).toThrow(
      /^jwtVerify: issuers\[0\]\.algorithms must be a non-empty list of RS256, .*\(HS256\/384\/512 with a secret\)$/,
    )
    expect(make({ secret, algorithms: ['HS256'], jwksUri: 'https://issuer.example.com/jwks' })).toThrow(/never mixed with public keys/)
    expect(make({ secret: 42, algorithms: ['HS256'] })).toThrow(/string or bytes/)
  })
})
