// The lean entry with the extensions of another installed copy of this package (same version,
// same mark: core's `Extension.mark` says such a copy "carries the same code, and works"). A
// file of its own: Jest gives each test file its own modules, so nothing of this copy has
// compiled a secret before these tests do.
import { describe, expect, jest, test } from '@jest/globals'
import { httpApiEvent } from '@middy-auth/testing'
import { createHmac } from 'node:crypto'
import { protect } from '../../../test/support/protect.js'
import jwtVerify from '../src/index.js'
import leanJwtVerify from '../src/lean.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.copies.example/'
const secret = 'a shared secret of at least thirty-two bytes'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
const hs256 = (claims: Record<string, unknown>, key = secret): string => {
  const input = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify({ iss: issuer, aud: 'orders-api', sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }))}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

/** The extensions module as another installed copy of the package has it: its own modules, its own state. */
async function extensionsOfAnotherCopy() {
  const ours = await import('../src/extensions.js')
  jest.resetModules()
  const theirs = await import('../src/extensions.js')
  // Another copy indeed (other objects), with the same mark, which the lean entry accepts.
  expect(theirs.staticKeys).not.toBe(ours.staticKeys)
  expect((theirs.staticKeys as unknown as { mark: string }).mark).toBe((ours.staticKeys as unknown as { mark: string }).mark)
  return theirs
}

describe('the lean jwtVerify with staticKeys from another installed copy', () => {
  test('verifies HS256 tokens of a secret entry as with its own staticKeys: the valid one is accepted, a forged one refused', async () => {
    const { staticKeys } = await extensionsOfAnotherCopy()
    const api = protect([
      leanJwtVerify({
        issuers: [{ issuer, audience: 'orders-api', secret, algorithms: ['HS256'] }],
        clock: () => NOW * 1000,
        extensions: [staticKeys],
      }),
    ])
    const accepted = await api.invoke(httpApiEvent({ bearer: hs256({}) }))
    const forged = await api.invoke(httpApiEvent({ bearer: hs256({}, 'another secret of at least thirty-two bytes') }))
    expect([accepted.statusCode, forged.statusCode]).toEqual([200, 401])
    expect(api.seen.map((auth) => auth.subject)).toEqual(['alice'])
    expect(api.errors.map((error) => error.cause.data?.reason)).toEqual(['bad_signature'])
  })
})

describe('the lean jwtVerify with other extensions of another installed copy: their errors are told apart as its own', () => {
  test("oidcDiscovery's unavailable keys are 503 temporarily_unavailable with Retry-After, not a refusal", async () => {
    const { oidcDiscovery } = await extensionsOfAnotherCopy()
    // Discovery from a loopback port nothing listens on: the connection is refused at once.
    const api = protect([leanJwtVerify({ issuers: [{ issuer: 'http://127.0.0.1:1/', audience: 'orders-api' }], extensions: [oidcDiscovery] })])
    // An ES256 token of that issuer: its keys are needed before its signature is looked at.
    const header = b64u('{"alg":"ES256","kid":"k1","typ":"JWT"}')
    const payload = b64u(JSON.stringify({ iss: 'http://127.0.0.1:1/', aud: 'orders-api', sub: 'alice', exp: 4_000_000_000 }))
    const response = await api.invoke(httpApiEvent({ bearer: `${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}` }))
    expect(response.statusCode).toBe(503)
    expect(response.headers?.['Retry-After']).toMatch(/^\d+$/)
    expect(api.errors.map((error) => [error.code, error.cause.data?.reason])).toEqual([['temporarily_unavailable', 'keys_unavailable']])
    expect(api.seen).toEqual([])
  })

  test("claimsChecks' refusal keeps its reason (claims_check_failed), not verification_error", async () => {
    const { claimsChecks, staticKeys } = await extensionsOfAnotherCopy()
    const api = protect([
      leanJwtVerify({
        issuers: [
          {
            issuer,
            audience: 'orders-api',
            secret,
            algorithms: ['HS256'],
            claimsCheck: (claims: Record<string, unknown>) => claims.sub !== 'mallory',
          },
        ],
        clock: () => NOW * 1000,
        extensions: [claimsChecks, staticKeys],
      }),
    ])
    const refused = await api.invoke(httpApiEvent({ bearer: hs256({ sub: 'mallory' }) }))
    const accepted = await api.invoke(httpApiEvent({ bearer: hs256({}) }))
    expect([refused.statusCode, accepted.statusCode]).toEqual([401, 200])
    expect(api.errors.map((error) => error.cause.data?.reason)).toEqual(['claims_check_failed'])
    expect(api.seen.map((auth) => auth.subject)).toEqual(['alice'])
  })
})

describe('the root jwtVerify with a keyResolver of another installed copy (its /keys)', () => {
  test("the copy's unavailable keys are 503 temporarily_unavailable with Retry-After, as those of its own /keys (it used to answer 401 invalid_token, verification_error)", async () => {
    jest.resetModules()
    const { createRemoteKeyResolver } = await import('../src/keys.js')
    // A loopback port nothing listens on: the connection is refused at once.
    const keyResolver = createRemoteKeyResolver({ jwksUri: 'http://127.0.0.1:1/jwks' })
    const api = protect([jwtVerify({ issuers: [{ issuer, audience: 'orders-api', keyResolver }] })])
    const header = b64u('{"alg":"ES256","kid":"k1","typ":"JWT"}')
    const payload = b64u(JSON.stringify({ iss: issuer, aud: 'orders-api', sub: 'alice', exp: 4_000_000_000 }))
    const response = await api.invoke(httpApiEvent({ bearer: `${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}` }))
    expect(response.statusCode).toBe(503)
    expect(response.headers?.['Retry-After']).toMatch(/^\d+$/)
    expect(api.errors.map((error) => [error.code, error.cause.data?.reason])).toEqual([['temporarily_unavailable', 'keys_unavailable']])
    expect(api.seen).toEqual([])
  })
})
