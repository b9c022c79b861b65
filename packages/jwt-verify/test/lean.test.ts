// The lean entry (`@middy-auth/jwt-verify/lean`) against the root entry, through real middy
// handlers: the same answers on the core options, a TypeError naming the import for an option
// whose extension was not given, never an accept the root refuses (bound tokens, the DPoP
// scheme), and each extension working as in the root.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { requestSpecificChecks } from '@middy-auth/core/internal'
import middy from '@middy/core'
import { createTestIssuer, httpApiEvent, type TestIssuer } from '@middy-auth/testing'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { selfSignedCertificate, type TestCertificate } from '../../../test/support/certificates.js'
import { loadFixture } from '../../../test/support/fixtures.js'
import { protect as protectWith, type Middleware } from '../../../test/support/protect.js'
import {
  apiGatewayClaims,
  claimsChecks,
  oidcDiscovery,
  opaqueTokenHandoff,
  resourceMetadataChallenge,
  senderConstraints,
  staticKeys,
  tokenSources,
} from '../src/extensions.js'
import rootJwtVerify, { albIssuer, createJwtVerifier as rootCreateJwtVerifier, type JwtVerifyOptions } from '../src/index.js'
import { certificateThumbprint } from '../src/keys.js'
import leanJwtVerify, { createJwtVerifier as leanCreateJwtVerifier } from '../src/lean.js'
import { albEventWith, albToken, ARN, CLIENT, albSigner, keyPair, NOW as ALB_NOW, OTHER_ARN, REGION } from './alb-support.js'
import { proofKey, signProof, withHeaders } from './dpop-support.js'
import { outcome } from './support.js'
import { thrown } from '../../../test/support/thrown.js'
import { boundConfirmations, thumbprint } from '../../../test/support/bound-tokens.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.lean.example/'
const audience = 'orders-api'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
const payload = (claims: Record<string, unknown>) => b64u(JSON.stringify({ iss: issuer, aud: audience, sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }))
// A local key set (no network): the staticKeys extension.
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }
const es256 = (claims: Record<string, unknown>): string => {
  const input = `${b64u('{"alg":"ES256","typ":"JWT","kid":"k1"}')}.${payload(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
const entry = { issuer, audience, jwks: { keys: [jwk] }, algorithms: ['ES256' as const] }
// An HMAC secret: the staticKeys extension too.
const secret = 'a shared secret of at least thirty-two bytes'
const hs256 = (claims: Record<string, unknown>): string => {
  const input = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${payload(claims)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}
const secretEntry = { issuer, audience, secret, algorithms: ['HS256' as const] }
// Every lean handler here takes the local key set with staticKeys, and the extensions a test adds.
const options = (extra: Partial<JwtVerifyOptions> = {}) =>
  ({
    issuers: [entry],
    clock: () => NOW * 1000,
    ...extra,
    // Last, so that a test's mistake in its own list keeps its index; anything but a list as given.
    extensions: Array.isArray(extra.extensions) ? [...extra.extensions, staticKeys] : (extra.extensions ?? [staticKeys]),
  }) as JwtVerifyOptions
const bearer = (token: string) => httpApiEvent({ headers: { authorization: `Bearer ${token}` } })

type Factory = (options: JwtVerifyOptions) => Middleware
const entries: Array<[string, Factory]> = [
  ['root', rootJwtVerify as Factory],
  ['lean', leanJwtVerify as Factory],
]

/** Each request through a fresh root handler and a fresh lean handler: status, code, log reason, what the handler saw. */
const bothAnswer = async (opts: JwtVerifyOptions, events: unknown[]) => {
  const answers = []
  for (const [, jwtVerify] of entries) {
    const api = protectWith([jwtVerify(opts)])
    const responses = []
    for (const event of events) responses.push(outcome(await api.invoke(event)))
    answers.push({ responses, reasons: api.errors.map((error) => [error.code, error.cause.data?.reason]), seen: api.seen.map((auth) => auth?.subject ?? null) })
  }
  return answers
}

describe('the core options: the lean entry answers as the root does', () => {
  const tokens: Array<[string, unknown]> = [
    ['a valid token', bearer(es256({}))],
    ['the same token again (a cache hit)', bearer(es256({}))],
    ['an expired token', bearer(es256({ exp: NOW - 60 }))],
    ['another audience', bearer(es256({ aud: 'someone-else' }))],
    ['an unknown issuer', bearer(es256({ iss: 'https://evil.example/' }))],
    ['a bad signature', bearer(`${es256({}).slice(0, -4)}AAAA`)],
    ['alg none', bearer(`${b64u('{"alg":"none"}')}.${b64u(JSON.stringify({ iss: issuer, aud: audience, exp: NOW + 60 }))}.`)],
    ['no token', httpApiEvent({})],
    ['two tokens', httpApiEvent({ headers: { authorization: `Bearer ${es256({})} ${es256({})}` } })],
    ['an empty bearer', httpApiEvent({ headers: { authorization: 'Bearer ' } })],
    ['an opaque token (no opaqueTokens)', bearer('an-opaque-token')],
  ]

  test('every token, in one sequence: identical status, code, reason and handler calls', async () => {
    const [root, lean] = await bothAnswer(
      options(),
      tokens.map(([, event]) => event),
    )
    expect(lean).toEqual(root)
    // What they agree on is what the root always answered.
    expect(root!.responses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [401, 'missing_token'],
      [400, 'invalid_request'],
      [400, 'invalid_request'],
      [401, 'invalid_token'],
    ])
    expect(root!.seen).toEqual(['alice', 'alice'])
  })

  test('credentialsRequired: false and a cookie token source (with tokenSources, which the root has): the same answers', async () => {
    const events = [httpApiEvent({}), httpApiEvent({ headers: { cookie: `session=${es256({})}` } }), httpApiEvent({ headers: { cookie: 'session=x.y.z' } })]
    const [root, lean] = await bothAnswer(options({ credentialsRequired: false, tokenSource: { cookie: 'session' }, extensions: [tokenSources] }), events)
    expect(lean).toEqual(root)
    expect(root!.responses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
  })

  describe('with keys from a JWKS URL', () => {
    let iss: TestIssuer
    beforeAll(async () => {
      iss = await createTestIssuer()
    })
    afterAll(() => iss.close())

    test('a signed token, a token of another issuer, a tampered one: the same answers', async () => {
      const other = await createTestIssuer()
      try {
        const events = [
          bearer(await iss.sign({ sub: 'bob' }, { audience })),
          bearer(await other.sign({ sub: 'bob' }, { audience })),
          bearer((await iss.sign({ sub: 'bob' }, { audience })).replace(/\.[^.]{4}/, '.AAAA')),
        ]
        const [root, lean] = await bothAnswer({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }] }, events)
        expect(lean).toEqual(root)
        expect(root!.responses).toEqual([
          [200, 'ok'],
          [401, 'invalid_token'],
          [401, 'invalid_token'],
        ])
      } finally {
        await other.close()
      }
    })
  })

  describe('albIssuer() entries (imported from the root entry)', () => {
    const { signing, kid, endpoint } = albSigner()

    test('a token of this load balancer, of another, a bad signature: the same answers', async () => {
      const events = [
        albEventWith(albToken({ key: signing.privateKey, kid })),
        albEventWith(albToken({ key: signing.privateKey, kid, header: { signer: OTHER_ARN } })),
        albEventWith(albToken({ key: keyPair().privateKey, kid })),
      ]
      const opts = {
        issuers: [albIssuer({ region: REGION, loadBalancerArn: ARN, clientId: CLIENT, endpoint: endpoint() })],
        clock: () => ALB_NOW * 1000,
      }
      const [root, lean] = await bothAnswer(opts, events)
      expect(lean).toEqual(root)
      expect(lean!.responses).toEqual([
        [200, 'ok'],
        [401, 'invalid_token'],
        [401, 'invalid_token'],
      ])
    })
  })

  test('createJwtVerifier: the same identity and the same refusal', async () => {
    const root = rootCreateJwtVerifier(options())
    const lean = leanCreateJwtVerifier(options())
    expect(await lean.verifyToken(es256({}))).toEqual(await root.verifyToken(es256({})))
    const refusal = async (verifier: typeof root) => verifier.verifyToken(es256({ exp: NOW - 60 })).catch((error: unknown) => error)
    expect(await refusal(lean)).toEqual(await refusal(root))
    expect(await lean.verifyEvent(bearer(es256({})))).toEqual(await root.verifyEvent(bearer(es256({}))))
  })
})

describe('never an accept the root refuses: bound tokens and the DPoP scheme without senderConstraints', () => {
  test.each(boundConfirmations)('%s, as Bearer: 401 invalid_token from both entries, for the same reason, also after a cache hit', async (_name, cnf) => {
    const events = [bearer(es256({})), bearer(es256({ cnf })), bearer(es256({ cnf }))]
    const [root, lean] = await bothAnswer(options(), events)
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
    ])
  })

  test('an empty cnf binds nothing: accepted by both, as a bearer token', async () => {
    const [root, lean] = await bothAnswer(options(), [bearer(es256({ cnf: {} }))])
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([[200, 'ok']])
  })

  test('a DPoP-bound token under the DPoP scheme with a valid proof: refused by both, the handler never called', async () => {
    const key = proofKey('ES256')
    const token = es256({ cnf: { jkt: key.jkt } })
    const url = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
    const event = withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${token}`, dpop: await signProof(key, { url, token }) })
    const plain = withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${es256({})}`, dpop: 'a.b.c' })
    const [root, lean] = await bothAnswer(options(), [event, plain])
    expect(lean).toEqual(root)
    for (const [status] of lean!.responses) expect(status).toBe(401)
    expect(lean!.seen).toEqual([])
  })

  test('the lean createJwtVerifier refuses a bound token too', async () => {
    const verifier = leanCreateJwtVerifier(options())
    await expect(verifier.verifyToken(es256({ cnf: { jkt: thumbprint } }))).rejects.toMatchObject({ code: 'invalid_token' })
    await expect(verifier.verifyToken(es256({ cnf: { 'x5t#S256': thumbprint } }))).rejects.toMatchObject({ code: 'invalid_token' })
  })

  test('with senderConstraints but neither dpop nor mtls: the same refusals', async () => {
    const events = boundConfirmations.map(([, cnf]) => bearer(es256({ cnf })))
    const [root] = await bothAnswer(options(), events)
    const lean = protectWith([leanJwtVerify(options({ extensions: [senderConstraints] }))])
    for (const event of events) await lean.invoke(event)
    expect(lean.errors.map((error) => [error.code, error.cause.data?.reason])).toEqual(root!.reasons)
    expect(lean.seen).toEqual([])
  })
})

describe('an option without its extension: a TypeError at cold start that names the import', () => {
  const verifier = { verifyToken: () => ({ source: 'introspection' as const, subject: 'x', scopes: [], roles: [], claims: {} }) }
  const missing: Array<[string, Partial<JwtVerifyOptions>, string, string]> = [
    ['dpop', { dpop: { boundTokens: 'allowed' } }, 'dpop', 'senderConstraints'],
    ['mtls', { mtls: { boundTokens: 'required' } }, 'mtls', 'senderConstraints'],
    ["an issuer entry's dpop", { issuers: [{ ...entry, dpop: { boundTokens: 'required' } }] }, 'issuers[0].dpop', 'senderConstraints'],
    ["an issuer entry's mtls", { issuers: [{ ...entry, mtls: { boundTokens: 'allowed' } }] }, 'issuers[0].mtls', 'senderConstraints'],
    ['a dpop that is no DPoP option at all', { dpop: 'yes' as never }, 'dpop', 'senderConstraints'],
    ['trustApiGateway', { trustApiGateway: true }, 'trustApiGateway', 'apiGatewayClaims'],
    ['opaqueTokens', { opaqueTokens: verifier }, 'opaqueTokens', 'opaqueTokenHandoff'],
    ["an issuer entry's secret", { issuers: [secretEntry] }, 'issuers[0].secret', 'staticKeys'],
    ["an issuer entry's jwks", {}, 'issuers[0].jwks', 'staticKeys'],
    [
      "an issuer entry's jwks that is no JWKS at all",
      { issuers: [{ ...entry, jwks: 'not checked before the extension' as never }] },
      'issuers[0].jwks',
      'staticKeys',
    ],
    [
      "an issuer entry's keys",
      { issuers: [{ issuer, audience, keys: [{ kid: 'k1', pem: 'not checked before the extension' }] }] },
      'issuers[0].keys',
      'staticKeys',
    ],
    [
      "an issuer entry's keyResolver",
      {
        issuers: [
          { issuer, audience, keyResolver: { prefetch: () => undefined, cached: () => undefined, getKeySet: () => Promise.reject(new Error('none')) } },
        ],
      },
      'issuers[0].keyResolver',
      'staticKeys',
    ],
    [
      "an issuer entry's keyResolver that is none at all",
      { issuers: [{ issuer, audience, keyResolver: 'not checked before the extension' as never }] },
      'issuers[0].keyResolver',
      'staticKeys',
    ],
    ['a cookie token source', { tokenSource: { cookie: 'session' } }, 'tokenSource', 'tokenSources'],
    [
      'a cookie token source with allowedOrigins',
      { tokenSource: { cookie: 'session', allowedOrigins: ['https://app.example.com'] } },
      'tokenSource',
      'tokenSources',
    ],
    ['a query token source', { tokenSource: { query: 'access_token' } }, 'tokenSource', 'tokenSources'],
    ['a function token source', { tokenSource: () => 'a.b.c' }, 'tokenSource', 'tokenSources'],
    ['resourceMetadata', { resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' }, 'resourceMetadata', 'resourceMetadataChallenge'],
    ['a resourceMetadata that is no URL at all', { resourceMetadata: 'not checked before the extension' }, 'resourceMetadata', 'resourceMetadataChallenge'],
    ['jwks (how JWKS endpoints are fetched)', { jwks: { timeoutMs: 1500 } }, 'jwks', 'tuning'],
    ['a jwks that is no object at all', { jwks: 'not checked before the extension' as never }, 'jwks', 'tuning'],
    ['cache: false', { cache: false }, 'cache', 'tuning'],
    ['a cache size', { cache: { maxEntries: 10 } }, 'cache', 'tuning'],
  ]

  test.each(missing)('%s', (_name, extra, option, extension) => {
    // Without staticKeys too when it is the one missing.
    const opts = extension === 'staticKeys' ? { ...options(extra), extensions: [] } : options(extra)
    for (const factory of [leanJwtVerify as Factory, leanCreateJwtVerifier]) {
      const build = () => factory(opts)
      expect(build).toThrow(TypeError)
      expect(build).toThrow(
        `jwtVerify: ${option} needs the ${extension} extension: import { ${extension} } from '@middy-auth/jwt-verify/extensions' and pass extensions: [${extension}]`,
      )
      expect(thrown(build)?.cause).toMatchObject({ package: '@middy-auth/jwt-verify', option })
    }
    // The root entry has every extension: the same options build there.
    expect(() => rootJwtVerify(options(extra as never) as never)).not.toThrow(/extension/)
  })

  test('dpop: false and mtls: false (off) need nothing', () => {
    expect(() => leanJwtVerify(options({ dpop: false as never, issuers: [{ ...entry, dpop: false, mtls: false }] }))).not.toThrow()
  })

  test.each(entries)('%s: extensions that are not a list of jwt-verify extensions are a TypeError', (_name, jwtVerify) => {
    expect(() => jwtVerify(options({ extensions: senderConstraints as never }))).toThrow(
      "jwtVerify: extensions must be a list of extensions from '@middy-auth/jwt-verify/extensions'",
    )
    expect(() => jwtVerify(options({ extensions: [{ package: '@middy-auth/oauth-scope', name: 'routeMaps' }] as never }))).toThrow(
      "jwtVerify: extensions[0] must be an extension from '@middy-auth/jwt-verify/extensions', of the same version",
    )
  })

  test.each(entries)('%s: an object that only claims the name staticKeys or oidcDiscovery is a TypeError naming its import', (_name, jwtVerify) => {
    const forged = (name: string, code: object = {}) => [{ package: '@middy-auth/jwt-verify', name, ...code }] as never
    expect(() => jwtVerify({ issuers: [entry], extensions: forged('staticKeys', { jwks: () => undefined }) })).toThrow(
      "jwtVerify: extensions[0] must be an extension from '@middy-auth/jwt-verify/extensions', of the same version",
    )
    expect(() => jwtVerify({ issuers: [{ issuer, audience }], extensions: forged('oidcDiscovery') })).toThrow(
      "jwtVerify: extensions[0] must be an extension from '@middy-auth/jwt-verify/extensions', of the same version",
    )
    // The extension's own code without its mark (as written by hand), or with another version's mark: refused all the same.
    for (const extension of [
      { ...staticKeys, mark: undefined },
      { ...staticKeys, mark: '@middy-auth/jwt-verify extensions v0' },
    ]) {
      expect(() => jwtVerify({ issuers: [{ ...entry, jwks: { keys: [] } }], extensions: [extension] as never })).toThrow(
        "jwtVerify: extensions[0] must be an extension from '@middy-auth/jwt-verify/extensions', of the same version",
      )
    }
  })
})

describe('oidcDiscovery: an issuer entry without jwksUri', () => {
  let iss: TestIssuer
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())

  const discoveryEntries = () =>
    [
      ['no jwksUri', { issuer: iss.issuer, audience }],
      ['jwksUri: null', { issuer: iss.issuer, audience, jwksUri: null as never }],
    ] as const

  test('without the extension: a TypeError at cold start that names the import (and the jwksUri it could give instead); nothing fetched', async () => {
    for (const [, discoveryEntry] of discoveryEntries()) {
      for (const factory of [leanJwtVerify as Factory, leanCreateJwtVerifier]) {
        const build = () => factory({ issuers: [discoveryEntry], extensions: [staticKeys, tokenSources] })
        expect(build).toThrow(TypeError)
        expect(build).toThrow(
          "jwtVerify: issuers[0] without jwksUri needs the oidcDiscovery extension: import { oidcDiscovery } from '@middy-auth/jwt-verify/extensions' and pass extensions: [oidcDiscovery] (or import jwtVerify from '@middy-auth/jwt-verify')",
        )
        expect(thrown(build)?.cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'issuers[0]' })
      }
    }
    // The second entry is named by its index; a jwksUri needs nothing.
    const second = () =>
      leanJwtVerify({
        issuers: [
          { issuer: 'https://a.example/', audience, jwksUri: 'https://a.example/jwks' },
          { issuer: iss.issuer, audience },
        ],
      })
    expect(thrown(second)?.message).toMatch(/^jwtVerify: issuers\[1\] without jwksUri needs the oidcDiscovery extension/)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(iss.requests.total).toBe(0)
  })

  test('with it: the keys found by discovery from the loopback issuer, the same answers as the root, one discovery and one JWKS each', async () => {
    for (const [, discoveryEntry] of discoveryEntries()) {
      const other = await createTestIssuer()
      try {
        const events = [
          bearer(await iss.sign({ sub: 'bob' }, { audience })),
          bearer(await iss.sign({ sub: 'bob' }, { audience })),
          bearer(await other.sign({ sub: 'bob' }, { audience })),
          bearer(await iss.sign({ sub: 'bob' }, { audience: 'another-api' })),
        ]
        const answers = []
        for (const [name, jwtVerify] of entries) {
          iss.resetCounters()
          const api = protectWith([jwtVerify({ issuers: [discoveryEntry], ...(name === 'lean' ? { extensions: [oidcDiscovery] } : {}) })])
          const responses = []
          for (const event of events) responses.push(outcome(await api.invoke(event)))
          answers.push({ responses, seen: api.seen.map((auth) => auth?.subject ?? null), requests: { ...iss.requests } })
        }
        expect(answers[1]).toEqual(answers[0])
        expect(answers[1]).toEqual({
          responses: [
            [200, 'ok'],
            [200, 'ok'],
            [401, 'invalid_token'],
            [401, 'invalid_token'],
          ],
          seen: ['bob', 'bob'],
          requests: { discovery: 1, jwks: 1, total: 2 },
        })
      } finally {
        await other.close()
      }
    }
  })

  test('the lean createJwtVerifier with it verifies a token of the discovered keys', async () => {
    const verifier = leanCreateJwtVerifier({ issuers: [{ issuer: iss.issuer, audience }], extensions: [oidcDiscovery] })
    expect(await verifier.verifyToken(await iss.sign({ sub: 'carol' }, { audience }))).toMatchObject({ subject: 'carol', issuer: iss.issuer })
  })

  test('with it: an issuer discovery must not fetch from is the same TypeError as in the root', () => {
    const plain = { issuers: [{ issuer: 'http://issuer.example.com/', audience }] }
    const message = 'jwtVerify: issuers[0].issuer must be an https: URL (http: only for loopback hosts), for OIDC discovery'
    expect(thrown(() => rootJwtVerify(plain))?.message).toBe(message)
    expect(thrown(() => leanJwtVerify({ ...plain, extensions: [oidcDiscovery] }))?.message).toBe(message)
    expect(thrown(() => leanJwtVerify({ ...plain, extensions: [oidcDiscovery] }))?.cause).toEqual({
      package: '@middy-auth/jwt-verify',
      option: 'issuers[0].issuer',
    })
  })

  test('an entry with a jwksUri needs no oidcDiscovery, and takes no discovery with it', async () => {
    iss.resetCounters()
    const api = protectWith([leanJwtVerify({ issuers: [{ issuer: iss.issuer, audience, jwksUri: iss.jwksUri }], extensions: [oidcDiscovery] })])
    expect(outcome(await api.invoke(bearer(await iss.sign({}, { audience }))))).toEqual([200, 'ok'])
    expect(iss.requests).toMatchObject({ discovery: 0, jwks: 1 })
  })
})

describe("staticKeys: an issuer entry's jwks", () => {
  test('with it: the local key set, the same answers as the root; a JWKS without usable keys the same TypeError', async () => {
    const events = [bearer(es256({})), bearer(es256({ aud: 'other' }))]
    const [root, lean] = await bothAnswer(options({ extensions: [staticKeys] }), events)
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
    const empty = { issuers: [{ ...entry, jwks: { keys: [] } }] }
    const message = thrown(() => rootJwtVerify(empty))?.message
    expect(message).toMatch(/^jwtVerify: issuers\[0\]\.jwks has no usable key/)
    expect(thrown(() => leanJwtVerify({ ...empty, extensions: [staticKeys] }))?.message).toBe(message)
  })
})

describe('the extensions given: the lean entry works as the root', () => {
  test('senderConstraints and dpop: a proof is checked, replays and downgrades refused, the binding recorded', async () => {
    const key = proofKey('ES256')
    const token = es256({ cnf: { jkt: key.jkt } })
    const url = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
    const proof = await signProof(key, { url, token, iat: NOW })
    const dpopEvent = (proofHeader: string) => withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${token}`, dpop: proofHeader })
    const events = [dpopEvent(proof), dpopEvent(proof), bearer(token), bearer(es256({}))]
    const answers = []
    for (const [name, jwtVerify] of entries) {
      const api = protectWith([jwtVerify(options({ dpop: { boundTokens: 'allowed' }, ...(name === 'lean' ? { extensions: [senderConstraints] } : {}) }))])
      const responses = []
      for (const event of events) responses.push(outcome(await api.invoke(event)))
      answers.push({ responses, reasons: api.errors.map((error) => error.cause.data?.reason), seen: api.seen.map((auth) => auth.confirmation ?? auth.subject) })
    }
    expect(answers[1]).toEqual(answers[0])
    expect(answers[1]!.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_token'],
      [200, 'ok'],
    ])
    expect(answers[1]!.seen).toEqual([{ jkt: key.jkt }, 'alice'])
  })

  describe('senderConstraints and mtls', () => {
    const certs: TestCertificate[] = []
    beforeAll(() => {
      certs.push(selfSignedCertificate('device-1'), selfSignedCertificate('device-2'))
    })

    test('a certificate-bound token with its certificate, another certificate, none: as the root', async () => {
      const [mine, other] = certs as [TestCertificate, TestCertificate]
      const token = es256({ cnf: { 'x5t#S256': certificateThumbprint(mine.pem) } })
      const events = [
        httpApiEvent({ bearer: token, clientCert: { clientCertPem: mine.pem } }),
        httpApiEvent({ bearer: token, clientCert: { clientCertPem: other.pem } }),
        httpApiEvent({ bearer: token }),
        httpApiEvent({ bearer: es256({}) }),
      ]
      const root = protectWith([rootJwtVerify(options({ mtls: { boundTokens: 'allowed' } }))])
      const lean = protectWith([leanJwtVerify(options({ issuers: [{ ...entry, mtls: { boundTokens: 'allowed' } }], extensions: [senderConstraints] }))])
      for (const api of [root, lean]) {
        const responses = []
        for (const event of events) responses.push(outcome(await api.invoke(event)))
        expect(responses).toEqual([
          [200, 'ok'],
          [401, 'invalid_token'],
          [401, 'invalid_token'],
          [200, 'ok'],
        ])
      }
      expect(lean.errors.map((error) => error.cause.data?.reason)).toEqual(root.errors.map((error) => error.cause.data?.reason))
    })
  })

  test('apiGatewayClaims and trustApiGateway: the identity API Gateway verified, checked against the issuer entry', async () => {
    const event = loadFixture('http-v2-jwt.json')
    const claims = event.requestContext.authorizer.jwt.claims
    const gatewayEntry = { issuer: claims.iss, audience: claims.aud ?? null, jwks: { keys: [jwk] } }
    const foreign = { ...gatewayEntry, audience: 'not-this-one' }
    const outcomes = []
    for (const [name, jwtVerify] of entries) {
      const extensions = name === 'lean' ? [apiGatewayClaims, staticKeys] : []
      const accepts = protectWith([jwtVerify({ trustApiGateway: true, issuers: [gatewayEntry], extensions })])
      const refuses = protectWith([jwtVerify({ trustApiGateway: true, issuers: [foreign], extensions })])
      outcomes.push([outcome(await accepts.invoke(event)), accepts.seen[0]?.source, outcome(await refuses.invoke(event)), refuses.seen.length])
    }
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(outcomes[1]).toEqual([[200, 'ok'], 'apigateway', [401, 'invalid_token'], 0])
  })

  test('apiGatewayClaims with an async claimsCheck: awaited, its refusal a 401, as the root', async () => {
    const event = loadFixture('http-v2-jwt.json')
    const claims = event.requestContext.authorizer.jwt.claims
    const outcomes = []
    for (const [name, jwtVerify] of entries) {
      const extensions = name === 'lean' ? [apiGatewayClaims, staticKeys, claimsChecks] : []
      const withCheck = (accept: boolean) =>
        protectWith([
          jwtVerify({
            trustApiGateway: true,
            issuers: [{ issuer: claims.iss, audience: null, jwks: { keys: [jwk] }, claimsCheck: async () => accept }],
            extensions,
          }),
        ])
      const accepts = withCheck(true)
      const refuses = withCheck(false)
      outcomes.push([outcome(await accepts.invoke(event)), accepts.seen.length, outcome(await refuses.invoke(event)), refuses.seen.length])
    }
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(outcomes[1]).toEqual([[200, 'ok'], 1, [401, 'invalid_token'], 0])
  })

  describe('apiGatewayClaims with albIssuer() entries', () => {
    const { endpoint } = albSigner()
    test("API Gateway's claims never come from a load balancer: refused as the root refuses them", async () => {
      const outcomes = []
      for (const [name, jwtVerify] of entries) {
        const api = protectWith([
          jwtVerify({
            trustApiGateway: true,
            issuers: [albIssuer({ region: REGION, loadBalancerArn: ARN, clientId: CLIENT, endpoint: endpoint() })],
            extensions: name === 'lean' ? [apiGatewayClaims] : [],
          }),
        ])
        outcomes.push([outcome(await api.invoke(loadFixture('http-v2-jwt.json'))), api.errors.map((error) => error.cause.data?.reason), api.seen.length])
      }
      expect(outcomes[1]).toEqual(outcomes[0])
      expect(outcomes[1]).toEqual([[401, 'invalid_token'], ['unknown_issuer'], 0])
    })
  })

  test('opaqueTokenHandoff and opaqueTokens: an opaque token goes to that verifier, a JWT never does, the DPoP scheme is refused', async () => {
    const outcomes = []
    for (const [name, jwtVerify] of entries) {
      const asked: string[] = []
      const verifier = {
        verifyToken: (token: string) => (asked.push(token), { source: 'introspection' as const, subject: 'opaque-user', scopes: [], roles: [], claims: {} }),
      }
      const api = protectWith([jwtVerify(options({ opaqueTokens: verifier, ...(name === 'lean' ? { extensions: [opaqueTokenHandoff] } : {}) }))])
      const forged = `${b64u('{"alg":"none"}')}.${b64u('{"sub":"root"}')}.`
      const responses = [
        outcome(await api.invoke(bearer('an-opaque-token'))),
        outcome(await api.invoke(bearer(forged))),
        outcome(await api.invoke(bearer(es256({})))),
        outcome(await api.invoke(httpApiEvent({ headers: { authorization: 'DPoP an-opaque-token', dpop: 'a.b.c' } }))),
      ]
      outcomes.push({ responses, asked, seen: api.seen.map((auth) => auth?.subject ?? null) })
    }
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(outcomes[1]!.asked).toEqual(['an-opaque-token'])
    expect(outcomes[1]!.seen).toEqual(['opaque-user', 'alice'])
  })

  test('staticKeys: an HMAC secret and PEM keys, as the root', async () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const pemEntry = { issuer: 'https://pem.example/', audience, keys: [{ kid: 'k1', pem }], algorithms: ['ES256' as const] }
    const pemToken = es256({ iss: 'https://pem.example/' })
    const events = [bearer(hs256({})), bearer(hs256({ aud: 'other' })), bearer(pemToken), bearer(es256({}))]
    const answers = []
    for (const [name, jwtVerify] of entries) {
      const api = protectWith([
        jwtVerify({ issuers: [secretEntry, pemEntry], clock: () => NOW * 1000, ...(name === 'lean' ? { extensions: [staticKeys] } : {}) }),
      ])
      const responses = []
      for (const event of events) responses.push(outcome(await api.invoke(event)))
      answers.push({ responses, reasons: api.errors.map((error) => error.cause.data?.reason) })
    }
    expect(answers[1]).toEqual(answers[0])
    expect(answers[1]!.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [200, 'ok'],
      [401, 'invalid_token'],
    ])
  })

  test('staticKeys: a weak secret is the same TypeError as in the root', () => {
    const weak = { issuers: [{ ...secretEntry, secret: 'short' }] }
    expect(() => leanJwtVerify({ ...weak, extensions: [staticKeys] })).toThrow('jwtVerify: issuers[0].secret must be at least 32 bytes, got 5')
    expect(() => rootJwtVerify(weak)).toThrow('jwtVerify: issuers[0].secret must be at least 32 bytes, got 5')
  })

  test('opaqueTokenHandoff with senderConstraints: an opaque token proves no possession, refused under DPoP and where bound tokens are required', async () => {
    const verifier = { verifyToken: () => ({ source: 'introspection' as const, subject: 'opaque-user', scopes: [], roles: [], claims: {} }) }
    const dpopScheme = httpApiEvent({ headers: { authorization: 'DPoP an-opaque-token', dpop: 'a.b.c' } })
    const answers = []
    for (const [name, jwtVerify] of entries) {
      const extensions = name === 'lean' ? [opaqueTokenHandoff, senderConstraints] : []
      const allowed = protectWith([jwtVerify(options({ opaqueTokens: verifier, dpop: { boundTokens: 'allowed' }, extensions }))])
      const required = protectWith([jwtVerify(options({ opaqueTokens: verifier, dpop: { boundTokens: 'required' }, extensions }))])
      answers.push({
        responses: [
          outcome(await allowed.invoke(bearer('an-opaque-token'))),
          outcome(await allowed.invoke(dpopScheme)),
          outcome(await required.invoke(bearer('an-opaque-token'))),
        ],
        reasons: [...allowed.errors, ...required.errors].map((error) => error.cause.data?.reason),
      })
    }
    expect(answers[1]).toEqual(answers[0])
    expect(answers[1]!.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
    ])
    expect(answers[1]!.reasons).toEqual(['opaque_token_as_dpop', 'opaque_token_not_bound'])
  })

  test('the root entry checks extensions and then has them all: an option works whatever the list says', async () => {
    const api = protectWith([rootJwtVerify(options({ trustApiGateway: true, extensions: [senderConstraints] }))])
    expect(outcome(await api.invoke(bearer(es256({}))))).toEqual([200, 'ok'])
  })
})

describe('an identity that holds for this request only: noted by the lean entry as by the root, only with the extensions that bring one', () => {
  /** The request-specific checks noted on each request (read by a middleware after jwtVerify), and its status. */
  const notesOf = async (middleware: Middleware, events: unknown[]) => {
    const notes: unknown[] = []
    const handler = middy()
      .use(middleware)
      .before((request) => {
        notes.push(requestSpecificChecks(request))
      })
      .handler(async () => ({ statusCode: 200, body: 'ok' }))
    const statuses = []
    for (const event of events) {
      const result = await handler(event as never, {} as never).catch((error: { statusCode?: number }) => ({ statusCode: error.statusCode }))
      statuses.push((result as { statusCode?: number }).statusCode)
    }
    return { statuses, notes }
  }
  const note = (reason: string) => ({ package: '@middy-auth/jwt-verify', reason })
  // An opaque verifier may answer with a binding of its own (`confirmation`): a bound token for this request.
  const opaqueVerifier = (confirmation?: { jkt: string }) => ({
    verifyToken: () => ({ source: 'introspection' as const, subject: 'opaque-user', scopes: [], roles: [], claims: {}, ...(confirmation && { confirmation }) }),
  })
  const cookie = (token: string) => httpApiEvent({ headers: { cookie: `session=${token}` } })

  test.each<[string, Partial<JwtVerifyOptions>, unknown[], unknown[]]>([
    ['a header token, no extension: nothing noted', {}, [bearer(es256({}))], [[]]],
    ['a header token with tokenSources: nothing noted', { extensions: [tokenSources] }, [bearer(es256({}))], [[]]],
    [
      'a cookie credential (tokenSources)',
      { tokenSource: { cookie: 'session' }, extensions: [tokenSources] },
      [cookie(es256({})), cookie(es256({}))],
      [[note('cookie credential')], [note('cookie credential')]],
    ],
    ['an opaque answer without a binding (opaqueTokenHandoff)', { opaqueTokens: opaqueVerifier(), extensions: [opaqueTokenHandoff] }, [bearer('opaque')], [[]]],
    [
      'an opaque answer with a binding (opaqueTokenHandoff)',
      { opaqueTokens: opaqueVerifier({ jkt: 'k' }), extensions: [opaqueTokenHandoff] },
      [bearer('opaque'), bearer(es256({}))],
      [[note('bound token')], []],
    ],
    [
      'a cookie credential with a binding: both, the cookie first',
      { tokenSource: { cookie: 'session' }, opaqueTokens: opaqueVerifier({ jkt: 'k' }), extensions: [opaqueTokenHandoff, tokenSources] },
      [cookie('opaque')],
      [[note('cookie credential'), note('bound token')]],
    ],
    ['senderConstraints without a bound token: nothing noted', { extensions: [senderConstraints] }, [bearer(es256({}))], [[]]],
  ])('%s', async (_name, extra, events, expected) => {
    const root = await notesOf(rootJwtVerify(options(extra)) as Middleware, events)
    const lean = await notesOf(leanJwtVerify(options(extra)) as Middleware, events)
    expect(lean).toEqual(root)
    expect(root.notes).toEqual(expected)
    expect(root.statuses).toEqual(events.map(() => 200))
  })

  test('a refused cookie credential is not noted: the handler is never reached, and neither is the note', async () => {
    const extra = { tokenSource: { cookie: 'session' }, extensions: [tokenSources] }
    const root = await notesOf(rootJwtVerify(options(extra)) as Middleware, [cookie('x.y.z')])
    const lean = await notesOf(leanJwtVerify(options(extra)) as Middleware, [cookie('x.y.z')])
    expect(lean).toEqual(root)
    expect(root).toEqual({ statuses: [401], notes: [] })
  })
})

describe('resourceMetadataChallenge: resource_metadata in every Bearer challenge (RFC 9728), lean against root', () => {
  const metadata = 'https://api.example.com/.well-known/oauth-protected-resource/orders'
  const verifier = { verifyToken: () => Promise.reject(new Error('refused')) }
  const events = [
    bearer(es256({})),
    httpApiEvent({}),
    bearer(es256({ exp: NOW - 60 })),
    bearer(es256({ aud: 'someone-else' })),
    httpApiEvent({ headers: { authorization: `Bearer ${es256({})} ${es256({})}` } }),
    bearer('an-opaque-token'),
  ]
  /** Each answer as the client sees it: status, body, and the challenge. */
  const answers = async (opts: JwtVerifyOptions, jwtVerify: Factory) => {
    const api = protectWith([jwtVerify(opts)])
    const seen = []
    for (const event of events) {
      const response = await api.invoke(event)
      seen.push([response.statusCode, response.body, response.headers?.['WWW-Authenticate'] ?? response.headers?.['www-authenticate'] ?? null])
    }
    return seen
  }

  test.each([
    ['alone', {}],
    ['with opaqueTokens (its refusals carry it too)', { opaqueTokens: verifier }],
  ] as Array<[string, Partial<JwtVerifyOptions>]>)('%s: the same statuses, bodies and challenges as the root', async (_name, extra) => {
    const lean = await answers(
      options({ ...extra, resourceMetadata: metadata, extensions: [resourceMetadataChallenge, ...(extra.opaqueTokens ? [opaqueTokenHandoff] : [])] }),
      leanJwtVerify as Factory,
    )
    const root = await answers(options({ ...extra, resourceMetadata: metadata }), rootJwtVerify as Factory)
    expect(lean).toEqual(root)
    // What they agree on: every 401 challenge names the metadata, the 400 of two tokens too.
    expect(lean.map(([status]) => status)).toEqual([200, 401, 401, 401, 400, 401])
    for (const [status, , challenge] of lean.slice(1)) {
      expect(status).not.toBe(200)
      expect(challenge).toContain(`resource_metadata="${metadata}"`)
    }
  })

  test("a URL a challenge cannot carry: the root entry's TypeError, from the lean entry with the extension", () => {
    for (const value of ['http://api.example.com/metadata', 'https://api.example.com/"x', '']) {
      const fromRoot = thrown(() => rootJwtVerify(options({ resourceMetadata: value })))
      expect(fromRoot).toBeInstanceOf(TypeError)
      expect(fromRoot?.message).toMatch(/^jwtVerify: resourceMetadata must be/)
      const fromLean = thrown(() => leanJwtVerify(options({ resourceMetadata: value, extensions: [resourceMetadataChallenge] })))
      expect(fromLean).toBeInstanceOf(TypeError)
      expect(fromLean?.message).toBe(fromRoot?.message)
      expect(fromLean?.cause).toEqual(fromRoot?.cause)
    }
  })

  test('the lean createJwtVerifier refuses with the challenge too', async () => {
    const verifier = leanCreateJwtVerifier(options({ resourceMetadata: metadata, extensions: [resourceMetadataChallenge] }))
    const error = await verifier.verifyEvent(httpApiEvent({})).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ statusCode: 401, code: 'missing_token' })
    expect(JSON.stringify((error as { headers?: unknown }).headers)).toContain(`resource_metadata=\\"${metadata}\\"`)
  })
})

describe('tokenSources: every form of tokenSource, lean against root', () => {
  const token = es256({})
  const write = (headers: Record<string, string>) => httpApiEvent({ method: 'POST', cookies: { session: token }, headers })

  test('the header forms need no extension: the same answers, the AppSync and REST authorizer forms included', async () => {
    const custom = [httpApiEvent({ headers: { 'x-token': token } }), httpApiEvent({ headers: { 'x-token': ' ' } }), httpApiEvent({ bearer: token })]
    const [root, lean] = await bothAnswer(options({ tokenSource: { header: 'X-Token', scheme: null } }), custom)
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([
      [200, 'ok'],
      [400, 'invalid_request'],
      [401, 'missing_token'],
    ])
    const scheme = [httpApiEvent({ headers: { authorization: `Token ${token}` } }), bearer(token)]
    const [rootScheme, leanScheme] = await bothAnswer(options({ tokenSource: { header: 'Authorization', scheme: 'Token' } }), scheme)
    expect(leanScheme).toEqual(rootScheme)
    expect(leanScheme!.responses).toEqual([
      [200, 'ok'],
      [401, 'missing_token'],
    ])
  })

  test('{ cookie, allowedOrigins } with tokenSources: read, two cookies refused, a cross-site write refused, as the root', async () => {
    const events = [
      httpApiEvent({ cookies: { session: token } }),
      httpApiEvent({ headers: { cookie: `session=${token}; session=${token}` } }),
      write({ 'sec-fetch-site': 'cross-site' }),
      write({ origin: 'https://evil.example' }),
      write({ origin: 'https://app.example.com', 'sec-fetch-site': 'same-site' }),
      write({ 'sec-fetch-site': 'same-origin' }),
      bearer(token),
    ]
    const [root, lean] = await bothAnswer(
      options({ tokenSource: { cookie: 'session', allowedOrigins: ['https://app.example.com'] }, extensions: [tokenSources] }),
      events,
    )
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([
      [200, 'ok'],
      [400, 'invalid_request'],
      [403, 'access_denied'],
      [403, 'access_denied'],
      [200, 'ok'],
      [200, 'ok'],
      [401, 'missing_token'],
    ])
    expect(lean!.reasons.filter(([code]) => code === 'access_denied')).toEqual([
      ['access_denied', 'cross_site_request'],
      ['access_denied', 'foreign_origin'],
    ])
  })

  test('{ query } with tokenSources: read, repeated refused, as the root', async () => {
    const events = [httpApiEvent({ query: { access_token: token } }), httpApiEvent({ query: { access_token: [token, token] } }), bearer(token)]
    const [root, lean] = await bothAnswer(options({ tokenSource: { query: 'access_token' }, extensions: [tokenSources] }), events)
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([
      [200, 'ok'],
      [400, 'invalid_request'],
      [401, 'missing_token'],
    ])
  })

  test('a function with tokenSources: its token verified, a throwing reader is no token, as the root', async () => {
    const read = (event: unknown) => (event as { headers: { 'x-api-token': string } }).headers['x-api-token']
    const events = [httpApiEvent({ headers: { 'x-api-token': token } }), httpApiEvent({}), { headers: null }]
    const [root, lean] = await bothAnswer(options({ tokenSource: read, extensions: [tokenSources] }), events)
    expect(lean).toEqual(root)
    expect(lean!.responses).toEqual([
      [200, 'ok'],
      [401, 'missing_token'],
      [401, 'missing_token'],
    ])
    expect(lean!.seen).toEqual(['alice'])
  })

  test('the lean createJwtVerifier reads a cookie with tokenSources', async () => {
    const verifier = leanCreateJwtVerifier(options({ tokenSource: { cookie: 'session' }, extensions: [tokenSources] }))
    expect(await verifier.verifyEvent(httpApiEvent({ cookies: { session: token } }))).toMatchObject({ subject: 'alice' })
    await expect(verifier.verifyEvent(write({ 'sec-fetch-site': 'cross-site' }))).rejects.toMatchObject({ code: 'access_denied' })
  })

  // A wrong tokenSource: the root's message from the lean entry, with tokenSources, and without it for the header form.
  const wrong: Array<[string, unknown, string, boolean]> = [
    ['not an object', 42, 'tokenSource must be { header, scheme? }, { cookie }, { query } or a function of the event', false],
    ['an empty header name', { header: ' ' }, 'tokenSource must be { header, scheme? }', false],
    ['neither header, cookie nor query', { name: 'x' }, 'tokenSource must be { header, scheme? }', false],
    [
      'a header with allowedOrigins',
      { header: 'x', allowedOrigins: ['https://app.example.com'] },
      'tokenSource.allowedOrigins goes with { cookie } only',
      false,
    ],
    [
      'a header with a scheme that is no HTTP token',
      { header: 'Authorization', scheme: 'Be arer' },
      "tokenSource.scheme must be an HTTP auth scheme such as 'Bearer', or null",
      false,
    ],
    ['a cookie and a query', { cookie: 'a', query: 'b' }, 'tokenSource must be { header, scheme? }', true],
    ['a header and a cookie', { header: 'a', cookie: 'b' }, 'tokenSource must be { header, scheme? }', true],
    ['an empty cookie name', { cookie: '' }, 'tokenSource must be { header, scheme? }', true],
    [
      'a cookie with a path for an origin',
      { cookie: 'a', allowedOrigins: ['https://app.example.com/'] },
      'tokenSource.allowedOrigins goes with { cookie } and must be a list',
      true,
    ],
    ['a cookie with allowedOrigins not a list', { cookie: 'a', allowedOrigins: 'https://app.example.com' }, 'tokenSource.allowedOrigins', true],
    ['a query with allowedOrigins', { query: 'a', allowedOrigins: ['https://app.example.com'] }, 'tokenSource.allowedOrigins goes with { cookie }', true],
    ['a cookie with a scheme', { cookie: 'a', scheme: 'Bearer' }, 'tokenSource.scheme must be an HTTP auth scheme', true],
  ]

  test.each(wrong)('%s: the same TypeError from both entries', (_name, tokenSource, message, needsExtension) => {
    const opts = (extensions: JwtVerifyOptions['extensions']) => options({ tokenSource: tokenSource as never, extensions })
    const fromRoot = thrown(() => rootJwtVerify(opts(undefined)))
    expect(fromRoot).toBeInstanceOf(TypeError)
    expect(fromRoot?.message).toContain(`jwtVerify: ${message}`)
    expect(thrown(() => leanJwtVerify(opts([tokenSources])))?.message).toBe(fromRoot?.message)
    // Without the extension: the root's message for a header form, else the one that names the import.
    const withoutIt = thrown(() => leanJwtVerify(opts(undefined)))?.message
    if (needsExtension) expect(withoutIt).toContain(`import { tokenSources } from '@middy-auth/jwt-verify/extensions'`)
    else expect(withoutIt).toBe(fromRoot?.message)
  })
})
