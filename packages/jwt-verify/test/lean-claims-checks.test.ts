// The claimsChecks extension: an issuer entry's own check of the claims (`claimsCheck`, its
// former name `claims`, `claimsCacheTtl`) in the lean entry, through real middy handlers. Without
// it, a TypeError at cold start naming the import (the presets' entries included); with it, the
// same answers as the root entry, its cache honouring claimsCacheTtl.
import { describe, expect, jest, test } from '@jest/globals'
import { httpApiEvent } from '@middy-auth/testing'
import { generateKeyPairSync, sign } from 'node:crypto'
import { protect as protectWith, type Middleware } from '../../../test/support/protect.js'
import { thrown } from '../../../test/support/thrown.js'
import { claimsChecks, staticKeys } from '../src/extensions.js'
import rootJwtVerify, {
  auth0Issuer,
  cognitoIssuer,
  createJwtVerifier as rootCreateJwtVerifier,
  entraIssuer,
  keycloakIssuer,
  oktaIssuer,
  type ClaimsCheck,
  type IssuerConfig,
  type JwtVerifyOptions,
  type PublicKeyIssuerConfig,
} from '../src/index.js'
import leanJwtVerify, { createJwtVerifier as leanCreateJwtVerifier } from '../src/lean.js'
import { outcome } from './support.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.claims.example/'
const audience = 'orders-api'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
// A local key set (no network): every entry here takes it, with the staticKeys extension.
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] }
const es256 = (claims: Record<string, unknown>): string => {
  const body = b64u(JSON.stringify({ iss: issuer, aud: audience, sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }))
  const input = `${b64u('{"alg":"ES256","typ":"JWT","kid":"k1"}')}.${body}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
const bearer = (token: string) => httpApiEvent({ headers: { authorization: `Bearer ${token}` } })
const entry = (fields: Partial<PublicKeyIssuerConfig> = {}): IssuerConfig => ({ issuer, audience, jwks, algorithms: ['ES256'], ...fields })
/** A preset's entry with the local key set (ES256) instead of its JWKS URL (no network). */
const local = (preset: PublicKeyIssuerConfig): IssuerConfig => ({ ...preset, jwksUri: undefined, jwks, algorithms: ['ES256'] })

type Factory = (options: JwtVerifyOptions) => Middleware
const entries: Array<[string, Factory]> = [
  ['root', rootJwtVerify as Factory],
  ['lean', leanJwtVerify as Factory],
]

/** Each request through a fresh handler of each entry: status and code, log reason, whom the handler saw. */
async function bothAnswer(issuers: IssuerConfig[], events: unknown[], clock = () => NOW * 1000) {
  const answers = []
  for (const [, jwtVerify] of entries) {
    const api = protectWith([jwtVerify({ issuers, clock, extensions: [staticKeys, claimsChecks] })])
    const responses = []
    for (const event of events) responses.push(outcome(await api.invoke(event)))
    answers.push({
      responses,
      reasons: api.errors.map((error) => [error.code, error.cause.data?.reason, error.cause.data?.detail]),
      seen: api.seen.map((auth) => auth?.subject ?? null),
    })
  }
  return answers
}

const needsIt = (option: string) =>
  `jwtVerify: ${option} needs the claimsChecks extension: import { claimsChecks } from '@middy-auth/jwt-verify/extensions' and pass extensions: [claimsChecks] (or import jwtVerify from '@middy-auth/jwt-verify')`

describe('without claimsChecks: a TypeError at cold start that names the import', () => {
  const missing: Array<[string, IssuerConfig, string]> = [
    ['claimsCheck', entry({ claimsCheck: () => true }), 'issuers[0].claimsCheck'],
    ['an async claimsCheck', entry({ claimsCheck: async () => true }), 'issuers[0].claimsCheck'],
    ['a claimsCheck that is no function (not checked before the extension)', entry({ claimsCheck: 'yes' as never }), 'issuers[0].claimsCheck'],
    ['a claimsCheck of null (a mistake, never "no check")', entry({ claimsCheck: null as never }), 'issuers[0].claimsCheck'],
    ['claims, its deprecated name', entry({ claims: () => true }), 'issuers[0].claims'],
    ['claimsCacheTtl alone', entry({ claimsCacheTtl: 30 }), 'issuers[0].claimsCacheTtl'],
    ['claimsCacheTtl and claimsCheck: the check is named', entry({ claimsCacheTtl: 30, claimsCheck: () => true }), 'issuers[0].claimsCheck'],
  ]

  test.each(missing)('%s', (_name, given, option) => {
    const options = { issuers: [entry({ issuer: 'https://first.example/' }), given], extensions: [staticKeys] } as JwtVerifyOptions
    for (const factory of [leanJwtVerify as Factory, leanCreateJwtVerifier]) {
      const build = () => factory(options)
      expect(build).toThrow(TypeError)
      expect(thrown(build)?.message).toBe(needsIt(option.replace('[0]', '[1]')))
      expect(thrown(build)?.cause).toMatchObject({ package: '@middy-auth/jwt-verify', option: option.replace('[0]', '[1]') })
    }
  })

  test('the deprecated claims, refused for its missing extension, warns of nothing yet', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    expect(() => leanJwtVerify({ issuers: [entry({ claims: () => true })], extensions: [staticKeys] })).toThrow(needsIt('issuers[0].claims'))
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
  })

  test('an entry without any of them needs nothing, and its tokens are verified as by the root', async () => {
    const answers = await bothAnswer([entry()], [bearer(es256({})), bearer(es256({})), bearer(es256({ aud: 'another' }))])
    const [root, lean] = answers
    expect(lean).toEqual(root)
    expect(lean?.responses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
    // The lean handler without the extension too.
    const api = protectWith([leanJwtVerify({ issuers: [entry()], clock: () => NOW * 1000, extensions: [staticKeys] })])
    expect(outcome(await api.invoke(bearer(es256({}))))).toEqual([200, 'ok'])
  })

  test('an object that only claims the name claimsChecks is a TypeError naming its import, in both entries', () => {
    const forged = [{ package: '@middy-auth/jwt-verify', name: 'claimsChecks', read: () => undefined }] as never
    for (const [, jwtVerify] of entries) {
      expect(() => jwtVerify({ issuers: [entry()], extensions: forged })).toThrow(
        "jwtVerify: extensions[0] must be an extension from '@middy-auth/jwt-verify/extensions', of the same version",
      )
    }
  })
})

describe('with claimsChecks: the lean entry answers as the root', () => {
  const tenantIs =
    (tenant: string): ClaimsCheck =>
    (payload) =>
      payload.tenant === tenant

  test('a synchronous check: run on every request (cache hits too), a refusal the same 401 and reason', async () => {
    let calls = 0
    const counted: ClaimsCheck = (payload) => (calls++, payload.tenant === 'acme')
    const acme = bearer(es256({ tenant: 'acme' }))
    const [root, lean] = await bothAnswer([entry({ claimsCheck: counted })], [acme, acme, bearer(es256({ tenant: 'other' })), bearer(es256({}))])
    expect(lean).toEqual(root)
    expect(lean?.responses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
    ])
    expect(lean?.reasons).toEqual([
      ['invalid_token', 'claims_check_failed', undefined],
      ['invalid_token', 'claims_check_failed', undefined],
    ])
    expect(lean?.seen).toEqual(['alice', 'alice'])
    expect(calls).toBe(8)
  })

  test('fail closed: a throw, a rejection, an answer other than true or nothing refuse; undefined accepts', async () => {
    const checks: ClaimsCheck[] = [
      () => {
        throw new Error('directory down')
      },
      () => Promise.reject(new Error('directory down')),
      () => 'yes' as never,
      async () => 1 as never,
      () => undefined,
      async () => undefined,
      tenantIs('acme'),
    ]
    for (const claimsCheck of checks) {
      const [root, lean] = await bothAnswer([entry({ claimsCheck })], [bearer(es256({ tenant: 'acme' }))])
      expect(lean).toEqual(root)
    }
    const [, refused] = await bothAnswer([entry({ claimsCheck: checks[0] })], [bearer(es256({}))])
    expect(refused?.responses).toEqual([[401, 'invalid_token']])
  })

  test('the deprecated claims still works, with one DeprecationWarning naming the entry', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const [root, lean] = await bothAnswer([entry({ claims: tenantIs('acme') })], [bearer(es256({ tenant: 'acme' })), bearer(es256({ tenant: 'other' }))])
    expect(lean).toEqual(root)
    expect(lean?.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
    expect(warn.mock.calls).toEqual([['jwtVerify: issuers[0].claims is deprecated: rename it claimsCheck', 'DeprecationWarning']])
    warn.mockRestore()
  })

  test("its configuration mistakes are the root entry's TypeErrors, in the same order", () => {
    const mistakes: IssuerConfig[] = [
      entry({ claimsCheck: 'yes' as never }),
      entry({ claimsCheck: null as never }),
      entry({ claims: true as never }),
      entry({ claims: () => true, claimsCheck: () => true }),
      entry({ claimsCacheTtl: -1 }),
      entry({ claimsCacheTtl: '60' as never }),
      // Two mistakes: the check is named before the keys, the keys before claimsCacheTtl.
      entry({ claimsCheck: 1 as never, jwks: { keys: [] } }),
      entry({ claimsCacheTtl: -1, jwks: { keys: [] } }),
    ]
    for (const mistake of mistakes) {
      const fromRoot = thrown(() => rootJwtVerify({ issuers: [mistake] }))
      expect(fromRoot).toBeInstanceOf(TypeError)
      expect(thrown(() => leanJwtVerify({ issuers: [mistake], extensions: [staticKeys, claimsChecks] }))?.message).toBe(fromRoot?.message)
    }
    expect(thrown(() => rootJwtVerify({ issuers: [mistakes[6] as IssuerConfig] }))?.message).toBe('jwtVerify: issuers[0].claimsCheck must be a function')
    expect(thrown(() => rootJwtVerify({ issuers: [mistakes[7] as IssuerConfig] }))?.message).toMatch(/^jwtVerify: issuers\[0\]\.jwks /)
  })

  test('an async check: awaited, its success reused for claimsCacheTtl seconds and never past exp, as in the root', async () => {
    let now = NOW * 1000
    const clock = () => now
    for (const [name, jwtVerify] of entries) {
      now = NOW * 1000
      const asked: unknown[] = []
      const revoked = new Set<unknown>()
      const claimsCheck: ClaimsCheck = async (payload) => (asked.push(payload.jti), !revoked.has(payload.jti))
      const api = protectWith([
        jwtVerify({ issuers: [entry({ claimsCheck, claimsCacheTtl: 30 })], clock, extensions: name === 'lean' ? [staticKeys, claimsChecks] : [] }),
      ])
      const token = bearer(es256({ jti: 't-1' }))
      expect(outcome(await api.invoke(token))).toEqual([200, 'ok'])
      expect(outcome(await api.invoke(token))).toEqual([200, 'ok'])
      expect(asked).toEqual(['t-1'])
      // Revoked: still accepted from the cache until claimsCacheTtl ends, then refused.
      revoked.add('t-1')
      now += 29_000
      expect(outcome(await api.invoke(token))).toEqual([200, 'ok'])
      now += 2_000
      expect(outcome(await api.invoke(token))).toEqual([401, 'invalid_token'])
      expect(asked).toEqual(['t-1', 't-1'])
      // Refused once: forgotten, so asked again (and refused) on the next request.
      expect(outcome(await api.invoke(token))).toEqual([401, 'invalid_token'])
      expect(asked).toEqual(['t-1', 't-1', 't-1'])

      // Never past exp: a token of 10 seconds left is not trusted for the hour of claimsCacheTtl.
      now = NOW * 1000
      let calls = 0
      const short = protectWith([
        jwtVerify({
          issuers: [entry({ claimsCheck: async () => (calls++, true), claimsCacheTtl: 3600 })],
          clock,
          extensions: name === 'lean' ? [staticKeys, claimsChecks] : [],
        }),
      ])
      const shortLived = bearer(es256({ exp: NOW + 10 }))
      expect(outcome(await short.invoke(shortLived))).toEqual([200, 'ok'])
      now += 20_000
      expect(outcome(await short.invoke(shortLived))).toEqual([401, 'invalid_token'])
      expect(calls).toBe(1)

      // claimsCacheTtl: 0 runs the check on every request.
      now = NOW * 1000
      let every = 0
      const uncached = protectWith([
        jwtVerify({
          issuers: [entry({ claimsCheck: async () => (every++, true), claimsCacheTtl: 0 })],
          clock,
          extensions: name === 'lean' ? [staticKeys, claimsChecks] : [],
        }),
      ])
      for (let i = 0; i < 3; i++) expect(outcome(await uncached.invoke(token))).toEqual([200, 'ok'])
      expect(every).toBe(3)
    }
  })

  test('claimsCacheTtl without a check: checked, then without effect, as in the root', async () => {
    const [root, lean] = await bothAnswer([entry({ claimsCacheTtl: 5 })], [bearer(es256({})), bearer(es256({})), bearer(es256({ exp: NOW - 60 }))])
    expect(lean).toEqual(root)
    expect(lean?.responses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
  })

  test('createJwtVerifier: the same identity and the same refusal', async () => {
    const options = { issuers: [entry({ claimsCheck: tenantIs('acme') })], clock: () => NOW * 1000, extensions: [staticKeys, claimsChecks] }
    const root = rootCreateJwtVerifier(options)
    const lean = leanCreateJwtVerifier(options)
    const acme = es256({ tenant: 'acme' })
    expect(await lean.verifyToken(acme)).toEqual(await root.verifyToken(acme))
    const other = es256({ tenant: 'other' })
    const refusal = async (verify: (token: string) => Promise<unknown>) =>
      verify(other).then(
        () => 'accepted',
        (error: Error & { code?: string }) => [error.name, error.code],
      )
    expect(await refusal((token) => lean.verifyToken(token))).toEqual(await refusal((token) => root.verifyToken(token)))
    expect(await refusal((token) => lean.verifyToken(token))).toEqual(['AuthError', 'invalid_token'])
  })
})

describe('the presets through the lean entry', () => {
  const pool = 'eu-west-1_AbCdEf123'
  const cognitoIss = `https://cognito-idp.eu-west-1.amazonaws.com/${pool}`
  const tenantId = '9188040d-6c67-4c5b-b112-36a304b66dad'

  test("cognitoIssuer() and entraIssuer() check claims themselves: their entries need claimsChecks (the entry's claimsCheck is named)", () => {
    const presets = [
      cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access' }),
      entraIssuer({ tenantId, audience: 'api://orders' }),
      keycloakIssuer({ url: 'https://sso.example.com', realm: 'shop', audience: 'orders', clientId: 'web' }),
    ]
    for (const preset of presets) {
      expect(typeof preset.claimsCheck).toBe('function')
      expect(() => leanJwtVerify({ issuers: [local(preset)], extensions: [staticKeys] })).toThrow(needsIt('issuers[0].claimsCheck'))
      expect(() => leanJwtVerify({ issuers: [local(preset)], extensions: [staticKeys, claimsChecks] })).not.toThrow()
    }
  })

  test('the presets without a check of their own need nothing more; given a claimsCheck, they need claimsChecks', () => {
    const plain = [
      auth0Issuer({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com' }),
      oktaIssuer({ domain: 'dev-1.okta.com', audience: 'api://default' }),
      keycloakIssuer({ url: 'https://sso.example.com', realm: 'shop', audience: 'orders' }),
    ]
    for (const preset of plain) {
      expect(preset.claimsCheck).toBeUndefined()
      expect(() => leanJwtVerify({ issuers: [local(preset)], extensions: [staticKeys] })).not.toThrow()
    }
    const checked = auth0Issuer({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com', claimsCheck: () => true })
    expect(() => leanJwtVerify({ issuers: [local(checked)], extensions: [staticKeys] })).toThrow(needsIt('issuers[0].claimsCheck'))
    const cached = oktaIssuer({ domain: 'dev-1.okta.com', audience: 'api://default', claimsCacheTtl: 10 })
    expect(() => leanJwtVerify({ issuers: [local(cached)], extensions: [staticKeys] })).toThrow(needsIt('issuers[0].claimsCacheTtl'))
  })

  test("cognitoIssuer() with claimsChecks: token_use, client_id and the user's own check, the same answers and reasons as the root", async () => {
    const preset = cognitoIssuer({ userPoolId: pool, clientId: 'c1', tokenUse: 'access', claimsCheck: (payload) => payload.username === 'alice' })
    const token = (claims: Record<string, unknown>) =>
      bearer(es256({ iss: cognitoIss, aud: undefined, token_use: 'access', client_id: 'c1', username: 'alice', ...claims }))
    const events = [token({}), token({ token_use: 'id' }), token({ client_id: 'c2' }), token({ username: 'bob' }), token({})]
    const [root, lean] = await bothAnswer([local(preset)], events)
    expect(lean).toEqual(root)
    expect(lean?.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [200, 'ok'],
    ])
    expect(lean?.reasons.map(([, reason, detail]) => [reason, detail])).toEqual([
      ['token_use', undefined],
      ['client_id', undefined],
      ['claims_check_failed', undefined],
    ])
  })

  test('entraIssuer() with claimsChecks: another tenant refused as by the root', async () => {
    const preset = entraIssuer({ tenantId, audience: 'api://orders', version: 'v2' })
    const iss = `https://login.microsoftonline.com/${tenantId}/v2.0`
    const events = [bearer(es256({ iss, aud: 'api://orders', tid: tenantId })), bearer(es256({ iss, aud: 'api://orders', tid: 'another-tenant' }))]
    const [root, lean] = await bothAnswer([local(preset)], events)
    expect(lean).toEqual(root)
    expect(lean?.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
  })
})

// An outsider on the cache of the check's successes: a success cached for one token never answers
// for another one, a second token of the same user or the same header and payload under a
// signature never made. An extension copied by spread is the same code.
/** An async check that accepts only tenant acme, counting the tokens (by jti) it was asked about. */
function tenantCheck(): { check: ClaimsCheck; asked: string[] } {
  const asked: string[] = []
  const check: ClaimsCheck = async (payload) => {
    asked.push(String(payload.jti))
    return payload.tenant === 'acme'
  }
  return { check, asked }
}

function optionsWith(claimsCheck: ClaimsCheck): JwtVerifyOptions {
  return { issuers: [entry({ claimsCheck, claimsCacheTtl: 300 })], clock: () => NOW * 1000, extensions: [staticKeys, claimsChecks] }
}
const outsiderEntries = {
  root: (check: ClaimsCheck) => protectWith([rootJwtVerify(optionsWith(check))]),
  // The lean entry with copies of its extensions (spread): a copy is the same code.
  'lean, extensions copied by spread': (check: ClaimsCheck) =>
    protectWith([leanJwtVerify({ ...optionsWith(check), extensions: [{ ...staticKeys }, { ...claimsChecks }] })]),
}

describe.each(Object.entries(outsiderEntries))('a cached claims-check success answers for its own token only (%s)', (_name, protect) => {
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
