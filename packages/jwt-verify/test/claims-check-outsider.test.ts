// An outsider's attempts on the claims check's cache (this session moved it into the claimsChecks
// extension): a success cached for one token must never answer for another one, whether it is a
// second token of the same user, or the same header and payload under a signature that was never
// made. And an extension copied by spread is the same code: it checks as the original does.
import { describe, expect, test } from '@jest/globals'
import { httpApiEvent } from '@middy-auth/testing'
import { generateKeyPairSync, sign } from 'node:crypto'
import { protect as protectWith } from '../../../test/support/protect.js'
import { claimsChecks, staticKeys } from '../src/extensions.js'
import rootJwtVerify, { type ClaimsCheck, type JwtVerifyOptions } from '../src/index.js'
import leanJwtVerify from '../src/lean.js'
import { outcome } from './support.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.outsider.example/'
const audience = 'orders-api'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] }
const es256 = (claims: Record<string, unknown>): string => {
  const body = b64u(JSON.stringify({ iss: issuer, aud: audience, sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }))
  const input = `${b64u('{"alg":"ES256","typ":"JWT","kid":"k1"}')}.${body}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
const bearer = (token: string) => httpApiEvent({ headers: { authorization: `Bearer ${token}` } })

/** An async check that accepts only tenant acme, counting the tokens (by jti) it was asked about. */
function tenantCheck(): { check: ClaimsCheck; asked: string[] } {
  const asked: string[] = []
  const check: ClaimsCheck = async (payload) => {
    asked.push(String(payload.jti))
    return payload.tenant === 'acme'
  }
  return { check, asked }
}

const clock = () => NOW * 1000
function optionsWith(claimsCheck: ClaimsCheck): JwtVerifyOptions {
  return { issuers: [{ issuer, audience, jwks, algorithms: ['ES256'], claimsCheck, claimsCacheTtl: 300 }], clock, extensions: [staticKeys, claimsChecks] }
}
const entries = {
  root: (check: ClaimsCheck) => protectWith([rootJwtVerify(optionsWith(check))]),
  // The lean entry with copies of its extensions (spread): a copy is the same code.
  'lean, extensions copied by spread': (check: ClaimsCheck) =>
    protectWith([leanJwtVerify({ ...optionsWith(check), extensions: [{ ...staticKeys }, { ...claimsChecks }] })]),
}

describe.each(Object.entries(entries))('a cached claims-check success answers for its own token only (%s)', (_name, protect) => {
  test('a second token of the same user, inside the TTL, is checked on its own and refused', async () => {
    const { check, asked } = tenantCheck()
    const { invoke, seen } = protect(check)
    expect(outcome(await invoke(bearer(es256({ jti: 'a', tenant: 'acme' }))))).toEqual([200, 'ok'])
    expect(outcome(await invoke(bearer(es256({ jti: 'b', tenant: 'evil' }))))).toEqual([401, 'invalid_token'])
    expect(asked).toEqual(['a', 'b'])
    expect(seen.map((auth) => auth.claims.jti)).toEqual(['a'])
  })

  test('the same header and payload under a signature never made: refused, not answered from the cache', async () => {
    const { check, asked } = tenantCheck()
    const { invoke, seen } = protect(check)
    const token = es256({ jti: 'a', tenant: 'acme' })
    expect(outcome(await invoke(bearer(token)))).toEqual([200, 'ok'])
    const [header, payload, signature] = token.split('.') as [string, string, string]
    // One character in the middle of the signature changed: the same claims, another signature.
    const middle = Math.floor(signature.length / 2)
    const forged = `${header}.${payload}.${signature.slice(0, middle)}${signature[middle] === 'A' ? 'B' : 'A'}${signature.slice(middle + 1)}`
    expect(outcome(await invoke(bearer(forged)))).toEqual([401, 'invalid_token'])
    // And the real token is still answered from the cache, without asking the check again.
    expect(outcome(await invoke(bearer(token)))).toEqual([200, 'ok'])
    expect(asked).toEqual(['a'])
    expect(seen).toHaveLength(2)
  })
})
