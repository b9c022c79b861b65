import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { AuthError } from '@middy-auth/core'
import { createTestIssuer, lambdaContext, type TestIssuer } from '@middy-auth/testing'
import jwtVerify, { cognitoIssuer, entraIssuer, keycloakIssuer, type JwtVerifyDenialReason, type PublicKeyIssuerConfig } from '../src/index.js'
import { bearer } from './support.js'

let iss: TestIssuer
beforeAll(async () => {
  iss = await createTestIssuer()
})
afterAll(() => iss.close())
afterEach(() => {
  jest.restoreAllMocks()
})

/** A preset's entry, with its keys taken from the loopback issuer. */
const local = (entry: PublicKeyIssuerConfig): PublicKeyIssuerConfig => ({ ...entry, jwksUri: undefined, jwks: { keys: iss.keys.map((k) => k.publicJwk) } })

/** The denial's status, reason and detail, and what was logged (cause), for a token of these claims. */
const denial = async (entry: PublicKeyIssuerConfig, claims: Record<string, unknown>, audience: string | null = null, header?: Record<string, unknown>) => {
  let error: AuthError<JwtVerifyDenialReason> | undefined
  const handler = middy()
    .use(jwtVerify({ issuers: [local(entry)], cache: false }))
    .use({
      onError: (request) => {
        error = request.error as AuthError<JwtVerifyDenialReason>
      },
    })
    .use(httpErrorHandler({ logger: false }))
    .handler(async () => ({ statusCode: 200, body: 'ok' }))
  const token = await iss.sign(claims, { audience, header })
  const response = (await handler(bearer(token) as never, lambdaContext() as never)) as { statusCode: number; body: string }
  return { status: response.statusCode, body: response.body, reason: error?.reason, detail: error?.detail, cause: JSON.stringify(error?.cause) }
}

describe('cause.data.reason says which check failed', () => {
  const pool = 'eu-west-1_AbCdEf123'
  const cognitoIss = `https://cognito-idp.eu-west-1.amazonaws.com/${pool}`
  const cognito = cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access' })

  test.each<[string, PublicKeyIssuerConfig, Record<string, unknown>, JwtVerifyDenialReason]>([
    ['Cognito: an id token where access tokens are expected', cognito, { iss: cognitoIss, token_use: 'id', client_id: 'c1' }, 'token_use'],
    ['Cognito: no token_use at all', cognito, { iss: cognitoIss, client_id: 'c1' }, 'token_use'],
    ['Cognito: another app client', cognito, { iss: cognitoIss, token_use: 'access', client_id: 'secret-client-42' }, 'client_id'],
    [
      'Keycloak: another authorized party',
      keycloakIssuer({ url: 'https://sso.example.com', realm: 'shop', audience: null, clientId: 'orders' }),
      { iss: 'https://sso.example.com/realms/shop', azp: 'other-app' },
      'azp',
    ],
  ])('%s: %s', async (_name, entry, claims, reason) => {
    const seen = await denial(entry, claims)
    expect(seen.status).toBe(401)
    expect(JSON.parse(seen.body).error).toBe('invalid_token')
    expect(seen.reason).toBe(reason)
    expect(seen.cause).toContain(`"reason":"${reason}"`)
    // What is logged names the check, never a claim's value.
    expect(seen.cause).not.toMatch(/secret-client-42|other-app/)
    expect(seen.body).not.toContain(reason)
  })

  test('Entra ID: a token of another tenant is tid', async () => {
    const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'
    const seen = await denial(
      entraIssuer({ tenantId, audience: 'api://orders' }),
      { iss: `https://sts.windows.net/${tenantId}/`, tid: '00000000-0000-0000-0000-000000000000' },
      'api://orders',
    )
    expect([seen.status, seen.reason]).toEqual([401, 'tid'])
    expect(seen.cause).not.toContain('00000000-0000')
  })

  test('the user check after a preset that passes is still claims_check_failed', async () => {
    const entry = cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access', claimsCheck: (p) => p.username === 'alice' })
    expect((await denial(entry, { iss: cognitoIss, token_use: 'access', client_id: 'c1', username: 'bob' })).reason).toBe('claims_check_failed')
    expect((await denial(entry, { iss: cognitoIss, token_use: 'access', client_id: 'c1', username: 'alice' })).status).toBe(200)
  })

  test('a standard check: the reason, and the claim concerned (never its value) as detail', async () => {
    const entry: PublicKeyIssuerConfig = { issuer: iss.issuer, audience: 'api', requiredClaims: ['tenant'] }
    const missing = await denial(entry, {}, 'api')
    expect([missing.status, missing.reason, missing.detail]).toEqual([401, 'missing_claim', 'tenant'])
    const expired = await denial(entry, { tenant: 't', exp: Math.floor(Date.now() / 1000) - 60 }, 'api')
    expect([expired.reason, JSON.parse(expired.body).error_description]).toEqual(['expired', 'The access token expired'])
    expect((await denial(entry, { tenant: 't' }, 'another-api')).reason).toBe('audience_mismatch')
  })

  test('a confirmation claim (cnf) it cannot check: bad_confirmation, with the member concerned as detail', async () => {
    const entry: PublicKeyIssuerConfig = { issuer: iss.issuer, audience: null }
    const unknownMember = await denial(entry, { cnf: { jwk: { kty: 'OKP' } } })
    expect([unknownMember.status, unknownMember.reason, unknownMember.detail]).toEqual([401, 'bad_confirmation', 'jwk'])
    // A member named '' is no detail: the cause carries the reason alone.
    const emptyName = await denial(entry, { cnf: { '': 'x' } })
    expect([emptyName.status, emptyName.reason, emptyName.detail, emptyName.cause]).toEqual([
      401,
      'bad_confirmation',
      undefined,
      '{"package":"@middy-auth/jwt-verify","data":{"reason":"bad_confirmation"}}',
    ])
    for (const cnf of ['x', { jkt: 5 }, { 'x5t#S256': null }]) {
      const seen = await denial(entry, { cnf })
      expect([seen.status, seen.reason, seen.detail]).toEqual([401, 'bad_confirmation', undefined])
    }
  })
})

describe('the header and audience checks: reason and detail', () => {
  const at = (): PublicKeyIssuerConfig => ({ issuer: iss.issuer, audience: 'api' })

  test.each<[string, Record<string, unknown>, JwtVerifyDenialReason, string | undefined]>([
    ['crit empty', { crit: [] }, 'crit_unsupported', undefined],
    ['crit not a list', { crit: 'b64', b64: true }, 'crit_unsupported', undefined],
    ['crit b64 without b64', { crit: ['b64'] }, 'crit_unsupported', undefined],
    ['crit b64 and an unknown name', { crit: ['b64', 'exp'], b64: true, exp: 1 }, 'crit_unsupported', undefined],
    ['crit with a non-string', { crit: [7], b64: true }, 'crit_unsupported', undefined],
    ['crit b64 with b64 false (an unencoded payload)', { crit: ['b64'], b64: false }, 'crit_unsupported', 'b64'],
    ['crit b64 with b64 null', { crit: ['b64'], b64: null }, 'crit_unsupported', 'b64'],
    ['an embedded jwk', { jwk: { kty: 'oct' } }, 'embedded_key_header', 'jwk'],
    ['a numeric kid', { kid: 7 }, 'bad_header', 'kid'],
    ['alg none', { alg: 'none' }, 'alg_not_allowed', undefined],
    ['alg constructor', { alg: 'constructor' }, 'alg_not_allowed', undefined],
    ['HS256 on an entry without a secret', { alg: 'HS256' }, 'alg_not_allowed', undefined],
  ])('%s', async (_name, header, reason, detail) => {
    const seen = await denial(at(), {}, 'api', header)
    expect([seen.status, seen.reason, seen.detail]).toEqual([401, reason, detail])
  })

  test('crit b64 with b64 true is understood', async () => {
    expect((await denial(at(), {}, 'api', { crit: ['b64'], b64: true })).status).toBe(200)
  })

  test.each<[string, unknown, JwtVerifyDenialReason | 200, string | undefined]>([
    ['no aud', undefined, 'missing_claim', 'aud'],
    ['aud of another API', 'other', 'audience_mismatch', undefined],
    ['aud a number', 7, 'audience_mismatch', undefined],
    ['aud null', null, 'audience_mismatch', undefined],
    ['aud an empty list', [], 'audience_mismatch', undefined],
    ['aud a list of others and non-strings', ['other', 7, null, ['api']], 'audience_mismatch', undefined],
    ['aud a list holding the API among non-strings', [7, { api: 1 }, 'api'], 200, undefined],
    ['aud the API', 'api', 200, undefined],
  ])('%s', async (_name, aud, reason, detail) => {
    const seen = await denial(at(), aud === undefined ? {} : { aud }, null)
    if (reason === 200) expect(seen.status).toBe(200)
    else expect([seen.status, seen.reason, seen.detail]).toEqual([401, reason, detail])
  })

  test.each<[string, unknown]>([
    ['a string', '4102444800'],
    ['null', null],
    ['a list', [4102444800]],
  ])('exp as %s is bad_claim_type exp', async (_name, exp) => {
    const seen = await denial(at(), { exp }, 'api')
    expect([seen.status, seen.reason, seen.detail]).toEqual([401, 'bad_claim_type', 'exp'])
  })
})

describe('IssuerConfig.claims is now claimsCheck', () => {
  test('claimsCheck refuses what it returns false for', async () => {
    const entry: PublicKeyIssuerConfig = { issuer: iss.issuer, audience: null, claimsCheck: (p) => p.tenant === 'acme' }
    expect((await denial(entry, { tenant: 'acme' })).status).toBe(200)
    expect((await denial(entry, { tenant: 'other' })).reason).toBe('claims_check_failed')
  })

  test('claims still works, with one DeprecationWarning at cold start', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const entry: PublicKeyIssuerConfig = { issuer: iss.issuer, audience: null, claims: (p) => p.tenant === 'acme' }
    expect((await denial(entry, { tenant: 'acme' })).status).toBe(200)
    expect((await denial(entry, { tenant: 'other' })).reason).toBe('claims_check_failed')
    expect(warn.mock.calls).toEqual([['jwtVerify: issuers[0].claims is deprecated: rename it claimsCheck', 'DeprecationWarning']])
  })

  test('a preset given claims (deprecated) warns once and still checks', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const pool = 'eu-west-1_AbCdEf123'
    const entry = cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access', claims: (p) => p.username === 'alice' })
    expect(entry.claims).toBeUndefined()
    const claims = { iss: `https://cognito-idp.eu-west-1.amazonaws.com/${pool}`, token_use: 'access', client_id: 'c1' }
    expect((await denial(entry, { ...claims, username: 'alice' })).status).toBe(200)
    expect((await denial(entry, { ...claims, username: 'bob' })).reason).toBe('claims_check_failed')
    expect(warn.mock.calls).toEqual([['cognitoIssuer: claims is deprecated: rename it claimsCheck', 'DeprecationWarning']])
  })
})
