// The lean entry's `tuning` extension (the `jwks` fetching options and the `cache` option) and
// an issuer entry's own `keyResolver` (the `staticKeys` extension), against the root entry,
// through real middy handlers: without the extension a TypeError at cold start that names the
// import; with it the root's answers, what is fetched and how, and the root's TypeErrors.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createTestIssuer, httpApiEvent, type TestIssuer } from '@middy-auth/testing'
import { generateKeyPairSync, sign } from 'node:crypto'
import { protect as protectWith, type Middleware } from '../../../test/support/protect.js'
import { thrown } from '../../../test/support/thrown.js'
import { claimsChecks, staticKeys, tuning } from '../src/extensions.js'
import rootJwtVerify, { createJwtVerifier as rootCreateJwtVerifier, type JwtVerifyOptions } from '../src/index.js'
import { createRemoteKeyResolver, createStaticKeyResolver, type KeyResolver } from '../src/keys.js'
import leanJwtVerify, { createJwtVerifier as leanCreateJwtVerifier } from '../src/lean.js'
import { outcome } from './support.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.tuning.example/'
const audience = 'orders-api'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }
const es256 = (claims: Record<string, unknown> = {}): string => {
  const body = { iss: issuer, aud: audience, sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }
  const input = `${b64u('{"alg":"ES256","typ":"JWT","kid":"k1"}')}.${b64u(JSON.stringify(body))}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
const bearer = (token: string) => httpApiEvent({ headers: { authorization: `Bearer ${token}` } })
const clock = () => NOW * 1000
const jwksUri = 'https://issuer.tuning.example/.well-known/jwks.json'
const remoteEntry = { issuer, audience, jwksUri, algorithms: ['ES256' as const] }
const resolverEntry = (keyResolver: unknown) => ({ issuer, audience, keyResolver: keyResolver as KeyResolver, algorithms: ['ES256' as const] })

type Factory = (options: JwtVerifyOptions) => Middleware
const factories: Array<[string, Factory]> = [
  ['jwtVerify', leanJwtVerify as Factory],
  ['createJwtVerifier', leanCreateJwtVerifier as never],
]
const needs = (option: string, extension: string) =>
  `jwtVerify: ${option} needs the ${extension} extension: import { ${extension} } from '@middy-auth/jwt-verify/extensions' and pass extensions: [${extension}] (or import jwtVerify from '@middy-auth/jwt-verify')`

/** The requests through a fresh handler: status and code, log reasons, whom the handler saw. */
async function answers(middleware: Middleware, events: unknown[]) {
  const api = protectWith([middleware])
  const responses = []
  for (const event of events) responses.push(outcome(await api.invoke(event)))
  return { responses, reasons: api.errors.map((error) => error.cause.data?.reason), seen: api.seen.map((auth) => auth?.subject ?? null) }
}

/** A fetchJson that serves the local key set and records what it was asked. */
function recordingFetch() {
  const calls: Array<[string, unknown]> = []
  const fetchJson = (url: string, options: unknown) => {
    calls.push([url, options])
    return Promise.resolve({ keys: [jwk] })
  }
  return { calls, fetchJson }
}

describe('tuning: the jwks and cache options', () => {
  test.each(factories)('%s: without it, jwks or cache given (even cache: false, even a wrong value) is a TypeError that names the import', (_name, factory) => {
    const given: Array<[Partial<JwtVerifyOptions>, string]> = [
      [{ jwks: { timeoutMs: 1500 } }, 'jwks'],
      [{ jwks: { fetchJson: recordingFetch().fetchJson } }, 'jwks'],
      [{ jwks: {} }, 'jwks'],
      [{ jwks: 'not checked before the extension' as never }, 'jwks'],
      [{ cache: false }, 'cache'],
      [{ cache: { maxEntries: 10 } }, 'cache'],
      [{ cache: { maxEntries: -1 } }, 'cache'],
      [{ cache: 'not checked before the extension' as never }, 'cache'],
      // Both: named in the order the root checks them, cache first.
      [{ jwks: { timeoutMs: 1500 }, cache: false }, 'cache'],
    ]
    for (const [extra, option] of given) {
      const build = () => factory({ issuers: [remoteEntry], ...extra, extensions: [staticKeys] } as JwtVerifyOptions)
      expect(thrown(build)).toBeInstanceOf(TypeError)
      expect(thrown(build)?.message).toBe(needs(option, 'tuning'))
      expect(thrown(build)?.cause).toEqual({ package: '@middy-auth/jwt-verify', option })
    }
  })

  test('without it, jwks and cache left out (or null) are their defaults: keys fetched with node:https, tokens cached', async () => {
    const iss: TestIssuer = await createTestIssuer()
    try {
      const entry = { issuer: iss.issuer, audience, jwksUri: iss.jwksUri }
      for (const extra of [{}, { jwks: null, cache: null }]) {
        iss.resetCounters()
        const token = await iss.sign({ sub: 'bob' }, { audience })
        const result = await answers(leanJwtVerify({ issuers: [entry], ...(extra as object) }), [bearer(token), bearer(token)])
        expect(result).toEqual({
          responses: [
            [200, 'ok'],
            [200, 'ok'],
          ],
          reasons: [],
          seen: ['bob', 'bob'],
        })
        expect(iss.requests).toMatchObject({ jwks: 1 })
      }
    } finally {
      await iss.close()
    }
  })

  test('with it: jwks sets the fetching of every JWKS, as the root (fetchJson called with the URL and the timeout)', async () => {
    const events = [bearer(es256()), bearer(es256({ aud: 'another-api' })), bearer(es256())]
    const results = []
    for (const [jwtVerify, extensions] of [
      [rootJwtVerify, undefined],
      [leanJwtVerify, [tuning]],
    ] as const) {
      const { calls, fetchJson } = recordingFetch()
      const jwks = { timeoutMs: 1234, cooldownMs: 0, maxAgeMs: Infinity, fetchJson }
      results.push({ ...(await answers((jwtVerify as Factory)({ issuers: [remoteEntry], jwks, clock, extensions }), events)), calls })
    }
    expect(results[1]).toEqual(results[0])
    expect(results[1]).toEqual({
      responses: [
        [200, 'ok'],
        [401, 'invalid_token'],
        [200, 'ok'],
      ],
      reasons: ['audience_mismatch'],
      seen: ['alice', 'alice'],
      calls: [[jwksUri, { timeoutMs: 1234, keepAlive: false }]],
    })
  })

  test('with it: cache: false (and maxEntries 0) turns the verified-token cache off, as the root: an async claimsCheck runs for every request', async () => {
    const runs: Record<string, number> = {}
    for (const [name, cache] of [
      ['default', undefined],
      ['{}', {}],
      ['false', false],
      ['maxEntries 0', { maxEntries: 0 }],
      ['maxEntries 2.5', { maxEntries: 2.5 }],
    ] as const) {
      for (const [entryName, jwtVerify] of [
        ['root', rootJwtVerify],
        ['lean', leanJwtVerify],
      ] as const) {
        let checks = 0
        const claimsCheck = async () => {
          checks += 1
          return true
        }
        const { fetchJson } = recordingFetch()
        const options = { issuers: [{ ...remoteEntry, claimsCheck }], cache, jwks: { fetchJson }, clock, extensions: [tuning, claimsChecks] }
        const token = es256()
        const result = await answers((jwtVerify as Factory)(options as JwtVerifyOptions), [bearer(token), bearer(token), bearer(token)])
        expect(result.responses).toEqual([
          [200, 'ok'],
          [200, 'ok'],
          [200, 'ok'],
        ])
        runs[`${entryName} ${name}`] = checks
      }
    }
    expect(runs).toEqual({
      'root default': 1,
      'lean default': 1,
      'root {}': 1,
      'lean {}': 1,
      'root false': 3,
      'lean false': 3,
      'root maxEntries 0': 3,
      'lean maxEntries 0': 3,
      'root maxEntries 2.5': 1,
      'lean maxEntries 2.5': 1,
    })
  })

  const wrong: Array<[string, Partial<JwtVerifyOptions>, string, string]> = [
    ['jwks not an object', { jwks: 'fast' as never }, 'jwks', 'jwtVerify: jwks must be an object'],
    ['jwks.timeoutMs 0', { jwks: { timeoutMs: 0 } }, 'jwks.timeoutMs', 'jwtVerify: jwks.timeoutMs must be a number of milliseconds > 0, got 0'],
    [
      'jwks.timeoutMs Infinity',
      { jwks: { timeoutMs: Infinity } },
      'jwks.timeoutMs',
      'jwtVerify: jwks.timeoutMs must be a number of milliseconds > 0, got Infinity',
    ],
    ['jwks.cooldownMs negative', { jwks: { cooldownMs: -1 } }, 'jwks.cooldownMs', 'jwtVerify: jwks.cooldownMs must be a number of milliseconds >= 0, got -1'],
    [
      'jwks.maxAgeMs a string',
      { jwks: { maxAgeMs: '600000' as never } },
      'jwks.maxAgeMs',
      'jwtVerify: jwks.maxAgeMs must be a number of milliseconds > 0 (or Infinity), got string',
    ],
    ['jwks.fetchJson null', { jwks: { fetchJson: null as never } }, 'jwks.fetchJson', 'jwtVerify: jwks.fetchJson must be a function'],
    ['jwks.fetchJson an object', { jwks: { fetchJson: {} as never } }, 'jwks.fetchJson', 'jwtVerify: jwks.fetchJson must be a function'],
    ['cache true', { cache: true as never }, 'cache', 'jwtVerify: cache must be { maxEntries } or false'],
    [
      'cache.maxEntries negative',
      { cache: { maxEntries: -1 } },
      'cache.maxEntries',
      'jwtVerify: cache.maxEntries must be a number of entries from 0 to 100000',
    ],
    [
      'cache.maxEntries too large',
      { cache: { maxEntries: 100_001 } },
      'cache.maxEntries',
      'jwtVerify: cache.maxEntries must be a number of entries from 0 to 100000',
    ],
    [
      'cache.maxEntries null',
      { cache: { maxEntries: null as never } },
      'cache.maxEntries',
      'jwtVerify: cache.maxEntries must be a number of entries from 0 to 100000',
    ],
    ['cache.maxEntries NaN', { cache: { maxEntries: NaN } }, 'cache.maxEntries', 'jwtVerify: cache.maxEntries must be a number of entries from 0 to 100000'],
  ]

  test.each(wrong)("with it, %s: the root entry's TypeError", (_name, extra, option, message) => {
    const opts = { issuers: [remoteEntry], ...extra } as JwtVerifyOptions
    for (const build of [
      () => rootJwtVerify(opts),
      () => rootCreateJwtVerifier(opts),
      () => leanJwtVerify({ ...opts, extensions: [tuning] }),
      () => leanCreateJwtVerifier({ ...opts, extensions: [tuning] }),
    ]) {
      expect(thrown(build)).toBeInstanceOf(TypeError)
      expect(thrown(build)?.message).toBe(message)
      expect(thrown(build)?.cause).toEqual({ package: '@middy-auth/jwt-verify', option })
    }
  })
})

describe("staticKeys: an issuer entry's keyResolver", () => {
  const localKeys = createStaticKeyResolver({ keys: [jwk] })

  test.each(factories)('%s: without it, a keyResolver (even a wrong one) is a TypeError that names the import', (_name, factory) => {
    for (const keyResolver of [localKeys, createRemoteKeyResolver({ jwksUri }), {}, null, false]) {
      const build = () => factory({ issuers: [resolverEntry(keyResolver)], extensions: [tuning] })
      expect(thrown(build)).toBeInstanceOf(TypeError)
      expect(thrown(build)?.message).toBe(needs('issuers[0].keyResolver', 'staticKeys'))
      expect(thrown(build)?.cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'issuers[0].keyResolver' })
    }
  })

  test('with it: the resolver the entry gives, the same answers as the root', async () => {
    const events = [bearer(es256()), bearer(es256({ iss: 'https://another.example/' })), bearer(es256({ exp: NOW - 60 })), bearer(es256())]
    const root = await answers(rootJwtVerify({ issuers: [resolverEntry(localKeys)], clock }), events)
    const lean = await answers(leanJwtVerify({ issuers: [resolverEntry(localKeys)], clock, extensions: [staticKeys] }), events)
    expect(lean).toEqual(root)
    expect(lean.responses).toEqual([
      [200, 'ok'],
      [401, 'invalid_token'],
      [401, 'invalid_token'],
      [200, 'ok'],
    ])
    const verifier = leanCreateJwtVerifier({ issuers: [resolverEntry(localKeys)], clock, extensions: [staticKeys] })
    expect(await verifier.verifyToken(es256())).toMatchObject({ subject: 'alice', issuer })
  })

  test('with it: a remote key resolver of its own, fetched as the root fetches it', async () => {
    const events = [bearer(es256()), bearer(es256())]
    const results = []
    for (const [jwtVerify, extensions] of [
      [rootJwtVerify, undefined],
      [leanJwtVerify, [staticKeys]],
    ] as const) {
      const { calls, fetchJson } = recordingFetch()
      const keyResolver = createRemoteKeyResolver({ jwksUri, fetchJson, timeoutMs: 900, clock })
      results.push({ ...(await answers((jwtVerify as Factory)({ issuers: [resolverEntry(keyResolver)], clock, extensions }), events)), calls })
    }
    expect(results[1]).toEqual(results[0])
    expect(results[1]).toMatchObject({ seen: ['alice', 'alice'], calls: [[jwksUri, { timeoutMs: 900, keepAlive: false }]] })
  })

  const notResolvers: Array<[string, unknown]> = [
    ['null', null],
    ['false', false],
    ['an empty object', {}],
    ['a resolver without getKeySet', { prefetch: () => undefined, cached: () => undefined }],
    ['a resolver whose cached is no function', { prefetch: () => undefined, cached: 1, getKeySet: () => undefined }],
  ]

  test.each(notResolvers)("with it, %s: the root entry's TypeError", (_name, keyResolver) => {
    const opts = { issuers: [resolverEntry(keyResolver)] }
    for (const build of [
      () => rootJwtVerify(opts),
      () => leanJwtVerify({ ...opts, extensions: [staticKeys] }),
      () => leanCreateJwtVerifier({ ...opts, extensions: [staticKeys] }),
    ]) {
      expect(thrown(build)).toBeInstanceOf(TypeError)
      expect(thrown(build)?.message).toBe('jwtVerify: issuers[0].keyResolver must be a key resolver with prefetch(), cached() and getKeySet()')
      expect(thrown(build)?.cause).toEqual({ package: '@middy-auth/jwt-verify', option: 'issuers[0].keyResolver' })
    }
  })

  test("with it, a keyResolver beside another key source: the root entry's TypeError", () => {
    const opts = { issuers: [{ ...resolverEntry(localKeys), jwksUri }] }
    const message = thrown(() => rootJwtVerify(opts))?.message
    expect(message).toBe('jwtVerify: issuers[0].keyResolver goes without jwksUri: give one of jwksUri, jwks, keyResolver, keys')
    expect(thrown(() => leanJwtVerify({ ...opts, extensions: [staticKeys] }))?.message).toBe(message)
    // The mix is named before any extension is needed.
    expect(thrown(() => leanJwtVerify(opts))?.message).toBe(message)
  })
})

describe('tuning and staticKeys together: the lean entry as the root', () => {
  let iss: TestIssuer
  beforeAll(async () => {
    iss = await createTestIssuer()
  })
  afterAll(() => iss.close())

  test('a key resolver of its own beside a jwksUri entry with jwks and cache set: the same answers and fetches', async () => {
    const other = 'https://other.tuning.example/'
    const results = []
    for (const [jwtVerify, extensions] of [
      [rootJwtVerify, undefined],
      [leanJwtVerify, [tuning, staticKeys]],
    ] as const) {
      iss.resetCounters()
      const localKeys = createStaticKeyResolver({ keys: [jwk] })
      const options = {
        issuers: [
          { issuer: iss.issuer, audience, jwksUri: iss.jwksUri },
          { ...resolverEntry(localKeys), issuer: other },
        ],
        jwks: { timeoutMs: 2000, cooldownMs: 5000 },
        cache: { maxEntries: 5 },
        extensions,
      }
      const events = [
        bearer(await iss.sign({ sub: 'bob' }, { audience })),
        bearer(es256({ iss: other, exp: Math.floor(Date.now() / 1000) + 600, iat: Math.floor(Date.now() / 1000) })),
        bearer(es256({ iss: other, exp: Math.floor(Date.now() / 1000) - 600 })),
        bearer(await iss.sign({ sub: 'bob' }, { audience: 'another-api' })),
      ]
      results.push({ ...(await answers((jwtVerify as Factory)(options as JwtVerifyOptions), events)), requests: { ...iss.requests } })
    }
    expect(results[1]).toEqual(results[0])
    expect(results[1]).toMatchObject({
      responses: [
        [200, 'ok'],
        [200, 'ok'],
        [401, 'invalid_token'],
        [401, 'invalid_token'],
      ],
      seen: ['bob', 'alice'],
      requests: { jwks: 1 },
    })
  })
})

describe('tuning: options read from JSON, as an outsider might write them', () => {
  test('a "__proto__" key inside jwks or cache sets nothing: the defaults, the same answers from both entries, Object.prototype untouched', async () => {
    // JSON.parse makes "__proto__" an own property, not the prototype: a configuration read from
    // a file or an environment variable can carry one.
    const jwks = JSON.parse('{"__proto__": {"timeoutMs": 1, "fetchJson": "x"}}') as JwtVerifyOptions['jwks']
    const cache = JSON.parse('{"__proto__": {"maxEntries": 0}}') as JwtVerifyOptions['cache']
    const runs = []
    for (const make of [
      (fetchJson: unknown) => rootJwtVerify({ issuers: [remoteEntry], clock, jwks: { ...jwks, fetchJson } as never, cache }),
      (fetchJson: unknown) => leanJwtVerify({ issuers: [remoteEntry], clock, jwks: { ...jwks, fetchJson } as never, cache, extensions: [tuning] }),
    ]) {
      const { calls, fetchJson } = recordingFetch()
      const token = es256()
      runs.push({ ...(await answers(make(fetchJson), [bearer(token), bearer(token)])), fetches: calls.map(([, options]) => options) })
    }
    // Accepted twice, keys fetched once with the default timeout: no timeout of 1 ms, no cache of 0 entries.
    expect(runs[0]?.responses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
    ])
    expect(runs[0]?.seen).toEqual(['alice', 'alice'])
    expect(runs[0]?.fetches).toEqual([expect.objectContaining({ timeoutMs: 3000 })])
    expect(runs[1]).toEqual(runs[0])
    expect(({} as Record<string, unknown>).timeoutMs).toBeUndefined()
    expect(({} as Record<string, unknown>).maxEntries).toBeUndefined()
  })
})
