/**
 * Mutated tokens through a whole protected handler (jwtVerify, oauthScope, rbac, the error
 * handler), in every HTTP event kind, with jose as the oracle for the token and small models
 * for the scope and the roles: an accept jose refuses, or the models refuse, is a false accept.
 *
 * A token starts as ordered raw JSON members (so duplicate keys, `1e309`, `-0` and `\u` escapes
 * survive), may get a hostile header or claim, is signed (by its key, another trusted key, an
 * outsider with a trusted kid, or as HS256 with the public key as the secret), and may then be
 * mutated as text: bit flips, segment swaps, re-encoded or padded segments, whitespace.
 */
import { afterAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import authorizerResponse from '@middy-auth/authorizer'
import jwtVerify from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import rbac, { type Policy } from '@middy-auth/rbac'
import fc from 'fast-check'
import { lambdaContext } from '@middy-auth/testing'
import { createLocalJWKSet, jwtVerify as joseJwtVerify, type JWTPayload } from 'jose'
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { loadFixture } from '../support/fixtures.js'
import { protect, type Middleware } from '../support/protect.js'
import { expectBothSides, expectRefusal, FUZZ_TIMEOUT_MS, fuzzParameters, rolesOf, scopesOf } from './support.js'

const NOW = 1_760_000_000
const ISSUER = 'https://issuer.fuzz.example'
const AUDIENCE = 'fuzz-api'
const SUBJECT = 'sub-fuzz-7d1c'
const TOLERANCE = 5

type Alg = 'ES256' | 'EdDSA' | 'RS256'
interface Key {
  kid: string
  alg: Alg
  privateKey: KeyObject
  jwk: Record<string, unknown>
  pem: string
}

const makeKey = (kid: string, alg: Alg): Key => {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig' }
  return { kid, alg, privateKey: pair.privateKey, jwk, pem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() }
}

const trusted = [makeKey('kid-es256-fuzz', 'ES256'), makeKey('kid-eddsa-fuzz', 'EdDSA'), makeKey('kid-rs256-fuzz', 'RS256')]
/** Signs with a trusted key's kid, but nobody trusts it. */
const outsider = makeKey('kid-es256-fuzz', 'ES256')
const signers = [...trusted, outsider]
const jwks = { keys: trusted.map((key) => key.jwk) }
const joseKeys = createLocalJWKSet(jwks as never)

const policy: Policy = {
  roles: {
    reader: { allow: ['orders:read'] },
    admin: { inherits: ['reader'], allow: ['*'] },
    banned: { deny: ['orders:*'] },
  },
}

// -------------------------------------------------------------------------------------------
// The reference: jose for the token, models for scopes and roles
// -------------------------------------------------------------------------------------------

const jose = async (token: string): Promise<JWTPayload | undefined> => {
  try {
    const { payload } = await joseJwtVerify(token, joseKeys, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256', 'EdDSA', 'RS256'],
      clockTolerance: TOLERANCE,
      currentDate: new Date(NOW * 1000),
      requiredClaims: ['exp'],
    })
    return payload
  } catch {
    return undefined
  }
}

/** The policy above, by hand: banned denies orders:*, reader and admin (who inherits it) allow orders:read. */
const rolesAllowRead = (roles: string[]): boolean => !roles.includes('banned') && (roles.includes('reader') || roles.includes('admin'))

const modelAccepts = (payload: JWTPayload): boolean =>
  (payload.sub === undefined || typeof payload.sub === 'string') && scopesOf(payload.scope).includes('orders:read') && rolesAllowRead(rolesOf(payload.roles))

// -------------------------------------------------------------------------------------------
// Drafts: raw JSON members, then signing, then text mutations
// -------------------------------------------------------------------------------------------

type Members = Array<[string, string]>
const raw = (value: unknown): string => JSON.stringify(value)

/** The canonical value most of the time, a hostile one sometimes. */
const mostly = (canonical: string | undefined, variants: readonly (string | undefined)[]) =>
  fc.oneof({ arbitrary: fc.constant(canonical), weight: 7 }, { arbitrary: fc.constantFrom(...variants), weight: 1 })

const claimsArbitrary = fc.record({
  iss: mostly(raw(ISSUER), [
    raw(`${ISSUER}/`),
    '"https:\\/\\/issuer.fuzz.example"',
    raw(ISSUER.toUpperCase()),
    raw(`${ISSUER}\u0000`),
    raw([ISSUER]),
    'null',
    undefined,
  ]),
  aud: mostly(raw(AUDIENCE), [
    raw([AUDIENCE]),
    raw([AUDIENCE, 'other']),
    '[]',
    raw('other'),
    raw(`${AUDIENCE} `),
    raw('fuzz-\u0430pi'),
    '1',
    'null',
    undefined,
  ]),
  sub: mostly(raw(SUBJECT), [raw('admin'), '"s\\u0075b-fuzz-7d1c"', '"\\ud800"', '""', '1', 'null', undefined, raw('x'.repeat(5000)), raw('sub\u202e-fuzz')]),
  exp: mostly(String(NOW + 600), [
    String(NOW - 600),
    String(NOW - 3),
    String(NOW - 6),
    '1e309',
    '-1e309',
    '9007199254740993',
    '1.7600006e9',
    raw(String(NOW + 600)),
    'null',
    'true',
    '-0',
    '0',
    '1e400',
    undefined,
  ]),
  nbf: mostly(undefined, [String(NOW + 600), String(NOW + 3), String(NOW - 10), '1e309', raw('x'), 'null']),
  iat: mostly(String(NOW - 10), [String(NOW + 600), '1e309', raw('x'), '-0', 'null', undefined]),
  scope: mostly(raw('orders:read orders:write'), [
    raw('orders:read'),
    raw('orders:write'),
    raw('orders:read,orders:write'),
    raw('ORDERS:READ'),
    raw(['orders:read']),
    raw('orders:readx'),
    raw(' orders:read\t'),
    raw('x\u00a0orders:read'),
    '1',
    raw([1, 'orders:read']),
    undefined,
  ]),
  roles: mostly(raw(['reader']), [
    raw(['admin']),
    raw(['reader', 'banned']),
    raw('reader'),
    raw('reader banned'),
    raw(['Reader']),
    '[]',
    raw([1, 'reader']),
    raw('["admin"]'),
    '{"0":"reader"}',
    'null',
    undefined,
  ]),
})

const headerArbitrary = fc.record({
  alg: mostly('signer', [
    '"none"',
    '"HS256"',
    '"es256"',
    '"ES384"',
    '"RS256"',
    '"EdDSA"',
    '"Ed25519"',
    '"PS256"',
    'null',
    '1',
    '["ES256"]',
    '"ES256 "',
    '"\\u0045S256"',
    undefined,
  ]),
  kid: mostly('signer', ['"kid-es256-fuzz"', '"kid-eddsa-fuzz"', '"kid-rs256-fuzz"', '"kid-unknown"', '""', '1', 'null', '"kid-es256-fuzz\\u0000"', undefined]),
  typ: mostly(undefined, ['"JWT"', '"at+jwt"', '"dpop+jwt"', '"JWE"', 'null']),
  extra: mostly(undefined, [
    'crit:[]',
    'crit:["exp"]',
    'b64:false',
    'jku:"https://evil.example/jwks"',
    `jwk:${raw(outsider.jwk)}`,
    'x5u:"https://evil.example/x5u"',
    'zip:"DEF"',
    'enc:"A256GCM"',
    'x5c:["MIIB"]',
  ]),
})

/** A second member of the same name, appended (JSON.parse keeps the last). */
const duplicateArbitrary = fc.constantFrom(
  undefined,
  undefined,
  undefined,
  ['header', 'alg', '"none"'],
  ['header', 'alg', '"HS256"'],
  ['header', 'kid', '"kid-unknown"'],
  ['payload', 'sub', raw('admin')],
  ['payload', 'exp', String(NOW - 600)],
  ['payload', 'exp', String(NOW + 600)],
  ['payload', 'iss', raw('https://evil.example')],
  ['payload', 'aud', raw('other')],
  ['payload', 'scope', raw('orders:read')],
  ['payload', 'roles', raw(['admin'])],
  ['payload', '__proto__', raw({ roles: ['admin'], scope: 'orders:read', sub: 'admin' })],
) as fc.Arbitrary<undefined | [string, string, string]>

interface Draft {
  header: Members
  payload: Members
  signer: number
  /** Sign as HS256 with the signer's public key (PEM or JWK text) as the secret. */
  hmacConfusion: false | 'pem' | 'jwk'
  /** Text before the JSON (a BOM, whitespace) and JSON whitespace between members. */
  prefix: string
  spacing: string
}

const draftArbitrary: fc.Arbitrary<Draft> = fc
  .record({
    claims: claimsArbitrary,
    head: headerArbitrary,
    duplicate: duplicateArbitrary,
    signer: fc.oneof({ arbitrary: fc.nat({ max: 2 }), weight: 6 }, { arbitrary: fc.constant(3), weight: 1 }),
    hmacConfusion: mostly(undefined, ['pem', 'jwk']),
    prefix: mostly('', ['\ufeff', ' ', '\n']),
    spacing: mostly('', [' ', '\t', '\r\n']),
  })
  .map(({ claims, head, duplicate, signer, hmacConfusion, prefix, spacing }) => {
    const key = signers[signer]!
    const header: Members = []
    const alg = head.alg === 'signer' ? raw(hmacConfusion ? 'HS256' : key.alg) : head.alg
    if (alg !== undefined) header.push(['alg', alg])
    const kid = head.kid === 'signer' ? raw(key.kid) : head.kid
    if (kid !== undefined) header.push(['kid', kid])
    if (head.typ !== undefined) header.push(['typ', head.typ])
    if (head.extra !== undefined) {
      const colon = head.extra.indexOf(':')
      header.push([head.extra.slice(0, colon), head.extra.slice(colon + 1)])
    }
    const payload: Members = Object.entries(claims).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as [string, string]]))
    if (duplicate) (duplicate[0] === 'header' ? header : payload).push([duplicate[1], duplicate[2]])
    return { header, payload, signer, hmacConfusion: hmacConfusion ?? false, prefix: prefix ?? '', spacing: spacing ?? '' } as Draft
  })

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url')
const json = (members: Members, spacing: string): string =>
  `{${spacing}${members.map(([name, value]) => `${raw(name)}${spacing}:${spacing}${value}`).join(`,${spacing}`)}${spacing}}`

const signDraft = (draft: Draft): string => {
  const key = signers[draft.signer]!
  const input = `${b64(draft.prefix + json(draft.header, draft.spacing))}.${b64(draft.prefix + json(draft.payload, draft.spacing))}`
  if (draft.hmacConfusion) {
    const secret = draft.hmacConfusion === 'pem' ? key.pem : JSON.stringify(key.jwk)
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(key.alg === 'RS256' ? 'sha256' : null, Buffer.from(input), key.privateKey)
  return `${input}.${b64(signature)}`
}

/** Valid tokens of other callers, whose parts a mutation may splice in. */
const donors = [
  signDraft({
    header: [
      ['alg', raw('RS256')],
      ['kid', raw('kid-rs256-fuzz')],
    ],
    payload: [
      ['iss', raw(ISSUER)],
      ['aud', raw(AUDIENCE)],
      ['sub', raw('admin')],
      ['exp', String(NOW + 600)],
      ['scope', raw('orders:read')],
      ['roles', raw(['admin'])],
    ],
    signer: 2,
    hmacConfusion: false,
    prefix: '',
    spacing: '',
  }),
  signDraft({
    header: [
      ['alg', raw('ES256')],
      ['kid', raw('kid-es256-fuzz')],
    ],
    payload: [
      ['iss', raw(ISSUER)],
      ['aud', raw(AUDIENCE)],
      ['sub', raw('other')],
      ['exp', String(NOW - 600)],
      ['roles', raw(['admin'])],
    ],
    signer: 0,
    hmacConfusion: false,
    prefix: '',
    spacing: '',
  }),
]

type Mutation =
  | { kind: 'bit-flip'; part: number; at: number; bit: number }
  | { kind: 'char'; at: number; char: string }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'splice'; donor: number; part: number }
  | { kind: 'pad'; part: number; padding: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'standard-base64'; part: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'parts'; change: 'drop-signature' | 'empty-signature' | 'fourth-part' | 'jwe-like' | 'two-dots' }

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('bit-flip' as const), part: fc.nat({ max: 2 }), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), char: fc.constantFrom('A', 'a', '_', '-', '+', '/', '=', '.', ' ', '\u00e9', '\u0000') }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat({ max: 2 }), b: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant('splice' as const), donor: fc.nat({ max: donors.length - 1 }), part: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant('pad' as const), part: fc.nat({ max: 2 }), padding: fc.constantFrom('=', '==', '===') }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u200b', '.') }),
  fc.record({ kind: fc.constant('standard-base64' as const), part: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('parts' as const), change: fc.constantFrom('drop-signature', 'empty-signature', 'fourth-part', 'jwe-like', 'two-dots') }),
)

const mutate = (token: string, mutation: Mutation): string => {
  const parts = token.split('.')
  const at = (n: number) => n % (token.length + 1)
  // A part an earlier mutation removed cannot be changed.
  if ('part' in mutation && mutation.part >= parts.length) return token
  if (mutation.kind === 'swap' && Math.max(mutation.a, mutation.b) >= parts.length) return token
  switch (mutation.kind) {
    case 'bit-flip': {
      const bytes = Buffer.from(parts[mutation.part] ?? '', 'base64url')
      if (bytes.length === 0) return token
      bytes[mutation.at % bytes.length]! ^= 1 << mutation.bit
      parts[mutation.part] = bytes.toString('base64url')
      return parts.join('.')
    }
    case 'char':
      return token.slice(0, at(mutation.at)) + mutation.char + token.slice(at(mutation.at) + 1)
    case 'swap': {
      const a = parts[mutation.a]!
      parts[mutation.a] = parts[mutation.b]!
      parts[mutation.b] = a
      return parts.join('.')
    }
    case 'splice':
      parts[mutation.part] = donors[mutation.donor]!.split('.')[mutation.part]!
      return parts.join('.')
    case 'pad':
      parts[mutation.part] += mutation.padding
      return parts.join('.')
    case 'insert':
      return token.slice(0, at(mutation.at)) + mutation.text + token.slice(at(mutation.at))
    case 'standard-base64':
      parts[mutation.part] = Buffer.from(parts[mutation.part]!, 'base64url').toString('base64')
      return parts.join('.')
    case 'truncate':
      return token.slice(0, at(mutation.at))
    case 'parts':
      return mutation.change === 'drop-signature'
        ? parts.slice(0, 2).join('.')
        : mutation.change === 'empty-signature'
          ? `${parts[0]}.${parts[1]}.`
          : mutation.change === 'fourth-part'
            ? `${token}.${parts[2]}`
            : mutation.change === 'jwe-like'
              ? `${parts[0]}..${parts[1]}.${parts[2]}.AAAA`
              : `${parts[0]}..${parts[2]}`
  }
}

// -------------------------------------------------------------------------------------------
// Where the token travels: the Authorization header of every HTTP event kind
// -------------------------------------------------------------------------------------------

const kinds = [
  'http-v2-no-auth.json',
  'rest-v1-no-auth.json',
  'function-url-no-auth.json',
  'alb.json',
  'alb-multivalue.json',
  'websocket-connect.json',
] as const
const fixtures = Object.fromEntries(kinds.map((name) => [name, loadFixture(name)]))

/** The Authorization header as clients spell it; `bearer: false` where it carries no bearer token. */
const schemes = [
  { spell: (t: string) => `Bearer ${t}`, bearer: true },
  { spell: (t: string) => `bearer ${t}`, bearer: true },
  { spell: (t: string) => `BEARER ${t}`, bearer: true },
  { spell: (t: string) => `Bearer  ${t} `, bearer: true },
  { spell: (t: string) => `Bearer\t${t}`, bearer: true },
  { spell: (t: string) => `Bearer ${t}, Bearer ${t}`, bearer: true },
  { spell: (t: string) => `Basic ${t}`, bearer: false },
  { spell: (t: string) => `DPoP ${t}`, bearer: false },
  { spell: (t: string) => t, bearer: false },
  { spell: (t: string) => `Token ${t}`, bearer: false },
] as const

const eventWith = (kind: (typeof kinds)[number], authorization: string): Record<string, any> => {
  const event = structuredClone(fixtures[kind]!)
  if (event.multiValueHeaders) event.multiValueHeaders = { ...event.multiValueHeaders, authorization: [authorization] }
  else event.headers = { ...event.headers, authorization }
  return event
}

const verifier = (cache = true) =>
  jwtVerify({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: ['ES256', 'EdDSA', 'RS256'], clockTolerance: TOLERANCE }],
    clock: () => NOW * 1000,
    ...(cache ? {} : { cache: false as const }),
  })

const stack = (cache: boolean) =>
  protect([verifier(cache), oauthScope({ required: ['orders:read'] }), rbac({ policy, rolesFrom: 'roles', required: 'orders:read' })])

/** The authorizer events, with the Authorization value where each kind carries it. */
const authorizerKinds = [
  'authorizer-token.json',
  'authorizer-request-v2.json',
  'authorizer-request-v1.json',
  'authorizer-appsync.json',
  'authorizer-request-websocket-connect.json',
] as const
const authorizerFixtures = Object.fromEntries(authorizerKinds.map((name) => [name, loadFixture(name)]))
const authorizerEventWith = (kind: (typeof authorizerKinds)[number], authorization: string): Record<string, any> => {
  const event = structuredClone(authorizerFixtures[kind]!)
  if (typeof event.authorizationToken === 'string') event.authorizationToken = authorization
  if (event.headers) event.headers = { ...event.headers, authorization }
  if (event.multiValueHeaders) event.multiValueHeaders = { ...event.multiValueHeaders, authorization: [authorization] }
  if (Array.isArray(event.identitySource)) event.identitySource = [authorization]
  if (event.requestHeaders) event.requestHeaders = { ...event.requestHeaders, authorization }
  return event
}

describe('mutated tokens through jwtVerify, oauthScope and rbac, jose and the models as the oracle', () => {
  const handlers = [stack(true), stack(false)]
  const tally = { accepted: 0, refused: 0, runs: 0 }
  // The generators must reach both sides often, or the property proves little.
  afterAll(() => expectBothSides(tally, tally.runs / 50))

  test(
    'never an accept jose or the models refuse; every refusal keeps the AuthError contract',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          draftArbitrary,
          fc.array(mutationArbitrary, { maxLength: 2 }).chain((all) => fc.subarray(all)),
          fc.constantFrom(...kinds),
          fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.nat({ max: schemes.length - 1 }), weight: 1 }),
          fc.nat({ max: handlers.length - 1 }),
          async (draft, mutations, kind, scheme, which) => {
            const token = mutations.reduce(mutate, signDraft(draft))
            // The bearer value is trimmed (docs/design.md#scheme): jose judges the token without
            // the whitespace a mutation put around it.
            const verified = await jose(token.trim())
            const { invoke, seen } = handlers[which]!
            const before = seen.length
            const response = await invoke(eventWith(kind, schemes[scheme]!.spell(token)))
            tally.runs++
            if (response.statusCode === 200) {
              tally.accepted++
              expect(verified).toBeDefined()
              expect(schemes[scheme]!.bearer).toBe(true)
              expect(modelAccepts(verified!)).toBe(true)
              expect(seen).toHaveLength(before + 1)
              const auth = seen[before]!
              expect(auth.source).toBe('jwt')
              expect(auth.subject).toBe(verified!.sub ?? '')
              expect(auth.issuer).toBe(verified!.iss)
              expect(auth.claims).toEqual(verified)
            } else {
              tally.refused++
              expect(seen).toHaveLength(before)
              const secrets = [token, ...token.split('.'), ...trusted.map((key) => key.kid), SUBJECT]
              expectRefusal(response, secrets)
            }
          },
        ),
        fuzzParameters('tokens'),
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})

describe('mutated tokens through an authorizer (jwtVerify, oauthScope, rbac, authorizerResponse), jose and the models as the oracle', () => {
  const authorizer = middy()
    .use(verifier() as Middleware)
    .use(oauthScope({ required: ['orders:read'] }) as Middleware)
    .use(rbac({ policy, rolesFrom: 'roles', required: 'orders:read' }) as Middleware)
    .use(authorizerResponse({ logger: () => undefined }) as Middleware)
  const tally = { accepted: 0, refused: 0, runs: 0 }
  afterAll(() => expectBothSides(tally, tally.runs / 50))

  test(
    'an Allow only for a token jose and the models accept, for its subject; a refusal is Unauthorized or a Deny, never an error',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          draftArbitrary,
          fc.array(mutationArbitrary, { maxLength: 2 }).chain((all) => fc.subarray(all)),
          fc.constantFrom(...authorizerKinds),
          async (draft, mutations, kind) => {
            const token = mutations.reduce(mutate, signDraft(draft))
            const verified = await jose(token.trim())
            tally.runs++
            let answer: any
            try {
              answer = await authorizer(authorizerEventWith(kind, `Bearer ${token}`) as never, lambdaContext() as never)
            } catch (error) {
              expect((error as Error).message).toBe('Unauthorized')
              tally.refused++
              return
            }
            const text = JSON.stringify(answer)
            // (A mutation may leave a few characters, or none, that any text holds.)
            if (token.length >= 8) expect(text).not.toContain(token)
            const allows =
              answer.isAuthorized === true || (answer.policyDocument?.Statement ?? []).some((statement: { Effect: string }) => statement.Effect === 'Allow')
            if (!allows) {
              tally.refused++
              return
            }
            tally.accepted++
            expect(verified).toBeDefined()
            expect(modelAccepts(verified!)).toBe(true)
            expect(typeof verified!.sub === 'string' && verified!.sub !== '').toBe(true)
            expect(text).toContain(JSON.stringify(verified!.sub).slice(1, -1))
          },
        ),
        fuzzParameters('tokens:authorizer'),
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})
