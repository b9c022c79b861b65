/**
 * The oracle (docs/design.md#the-oracle): the same tokens, valid, mutated and hostile, go to our
 * middleware and to jose's `jwtVerify` with the same issuer, audience, algorithm allow-list,
 * `typ`, tolerance, key set and clock, and must get the same accept/reject. The few places where
 * we are stricter are explicit expectations below (`stricterRules`), never skipped cases.
 */
import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import fc from 'fast-check'
import { CompactSign, createLocalJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import { constants, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto'
import jwtVerify from '../src/index.js'

// ---------------------------------------------------------------------------------------------
// Fixed world: clock, issuer, audience, keys
// ---------------------------------------------------------------------------------------------

const SEED = 0x5eed_1e5
const NOW_S = 1_760_000_000 // floor of every clock used here: jose compares whole seconds
const TOLERANCE = 5
const ISSUER = 'https://issuer.example.com/'
const ISSUER_ALT = 'https://issuer.example.com'
const AUDIENCE = 'orders-api'
const MAX_TOKEN_LENGTH = 16 * 1024

type SignAlg = 'RS256' | 'RS384' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519'
type Jwk = Record<string, unknown>

interface PoolKey {
  readonly name: string
  readonly kid: string | undefined
  readonly privateKey: KeyObject
  readonly jwk: Jwk
  /** What this key signs when it is used on purpose. */
  readonly algs: readonly SignAlg[]
  /** Ours and jose's import agree the key may verify (use/alg fitting is per token). */
  readonly type: 'RSA' | 'P-256' | 'P-384' | 'P-521' | 'Ed25519'
  /** Skipped at import by us (RSA under 2048 bits, docs/design.md#the-oracle); jose refuses it per token. */
  readonly weak: boolean
}

const makeKey = (
  name: string,
  kid: string | undefined,
  kind: ['rsa', number] | ['ec', 'P-256' | 'P-384' | 'P-521'] | ['ed25519'],
  algs: SignAlg[],
  extra: Jwk = {},
): PoolKey => {
  const pair =
    kind[0] === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: kind[1] })
      : kind[0] === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: kind[1] })
        : generateKeyPairSync('ed25519')
  const type = kind[0] === 'rsa' ? 'RSA' : kind[0] === 'ec' ? kind[1] : 'Ed25519'
  const jwk: Jwk = { ...pair.publicKey.export({ format: 'jwk' }), ...(kid === undefined ? {} : { kid }), ...extra }
  return { name, kid, privateKey: pair.privateKey, jwk, algs, type, weak: kind[0] === 'rsa' && kind[1] < 2048 }
}

/** The keys a configuration may trust: each is there to exercise one rule of key selection. */
const pool: readonly PoolKey[] = [
  makeKey('rsa', 'kid-rsa-main', ['rsa', 2048], ['RS256', 'PS256', 'RS384']),
  makeKey('rsa-rs384', 'kid-rsa-rs384', ['rsa', 2048], ['RS384'], { alg: 'RS384', use: 'sig' }),
  makeKey('rsa-enc', 'kid-rsa-enc', ['rsa', 2048], ['RS256'], { use: 'enc' }),
  makeKey('rsa-1024', 'kid-rsa-1024', ['rsa', 1024], ['RS256']),
  makeKey('rsa-nokid', undefined, ['rsa', 2048], ['PS256'], { alg: 'PS256' }),
  makeKey('ec256', 'kid-ec-p256', ['ec', 'P-256'], ['ES256']),
  makeKey('ec384', 'kid-ec-p384', ['ec', 'P-384'], ['ES384'], { alg: 'ES384' }),
  makeKey('ec521', 'kid-ec-p521', ['ec', 'P-521'], ['ES512']),
  makeKey('ec256-nokid', undefined, ['ec', 'P-256'], ['ES256']),
  makeKey('ed25519', 'kid-ed25519', ['ed25519'], ['EdDSA', 'Ed25519']),
]
/** Keys nobody trusts: a forger holding one signs with a trusted key's kid. */
const outsiders: readonly PoolKey[] = [
  makeKey('out-rsa', 'kid-rsa-main', ['rsa', 2048], ['RS256', 'PS256', 'RS384']),
  makeKey('out-ec256', 'kid-ec-p256', ['ec', 'P-256'], ['ES256']),
  makeKey('out-ec384', 'kid-ec-p384', ['ec', 'P-384'], ['ES384']),
  makeKey('out-ec521', 'kid-ec-p521', ['ec', 'P-521'], ['ES512']),
  makeKey('out-ed25519', 'kid-ed25519', ['ed25519'], ['EdDSA']),
]
const allKeys = new Map([...pool, ...outsiders].map((key) => [key.name, key]))
const keyNamed = (name: string): PoolKey => allKeys.get(name) as PoolKey
const usableNames = pool.filter((key) => !key.weak && key.jwk.use !== 'enc').map((key) => key.name)
const trustedKids = pool.flatMap((key) => (key.kid ? [key.kid] : []))

const ALGORITHMS = ['RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const

const fitsType = (alg: string, type: PoolKey['type']): boolean =>
  (alg.startsWith('RS') || alg.startsWith('PS')
    ? 'RSA'
    : alg === 'ES256'
      ? 'P-256'
      : alg === 'ES384'
        ? 'P-384'
        : alg === 'ES512'
          ? 'P-521'
          : alg === 'EdDSA' || alg === 'Ed25519'
            ? 'Ed25519'
            : '') === type

// ---------------------------------------------------------------------------------------------
// Configurations, and the two verifiers built from one
// ---------------------------------------------------------------------------------------------

interface Config {
  readonly keys: readonly string[]
  readonly algorithms: readonly SignAlg[]
  readonly issuer: string | readonly string[]
  readonly audience: string | readonly string[]
  readonly typ: string | undefined
  readonly maxTokenAge: number | undefined
  /** Milliseconds past NOW_S: our clock is in ms, jose floors its currentDate to seconds. */
  readonly ms: number
}

interface Ours {
  invoke: (token: string) => Promise<{ statusCode: number; headers: Record<string, string>; body: string; called: number }>
}

const oursCache = new Map<string, Ours>()
const ours = (config: Config): Ours => {
  const cacheKey = JSON.stringify(config)
  let built = oursCache.get(cacheKey)
  if (built) return built
  let calls = 0
  const handler = middy()
    .use(httpErrorHandler({ logger: false }))
    .use(
      jwtVerify({
        issuers: [
          {
            issuer: config.issuer,
            audience: config.audience,
            jwks: { keys: config.keys.map((name) => keyNamed(name).jwk) },
            algorithms: config.algorithms,
            clockTolerance: TOLERANCE,
            ...(config.typ === undefined ? {} : { tokenType: config.typ }),
            ...(config.maxTokenAge === undefined ? {} : { maxTokenAge: config.maxTokenAge }),
          },
        ],
        clock: () => NOW_S * 1000 + config.ms,
        cache: false,
      }),
    )
    .handler(async () => {
      calls++
      return { statusCode: 200, body: 'ok' }
    })
  built = {
    invoke: async (token) => {
      const before = calls
      const response = (await handler({ headers: { authorization: `Bearer ${token}` } } as never, {} as never)) as {
        statusCode: number
        headers?: Record<string, string>
        body: string
      }
      return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body, called: calls - before }
    },
  }
  oursCache.set(cacheKey, built)
  return built
}

const joseSets = new Map<string, ReturnType<typeof createLocalJWKSet>>()
const joseSet = (names: readonly string[]) => {
  const cacheKey = names.join(',')
  let set = joseSets.get(cacheKey)
  if (!set) {
    set = createLocalJWKSet({ keys: names.map((name) => keyNamed(name).jwk) as never })
    joseSets.set(cacheKey, set)
  }
  return set
}

interface JoseOutcome {
  ok: boolean
  code: string
}

const jose = async (token: string, config: Config, keys: readonly string[]): Promise<JoseOutcome> => {
  try {
    await joseJwtVerify(token, joseSet(keys), {
      issuer: config.issuer as string | string[],
      audience: config.audience as string | string[],
      algorithms: [...config.algorithms],
      clockTolerance: TOLERANCE,
      currentDate: new Date(NOW_S * 1000 + config.ms),
      requiredClaims: ['exp'],
      ...(config.typ === undefined ? {} : { typ: config.typ }),
      ...(config.maxTokenAge === undefined ? {} : { maxTokenAge: config.maxTokenAge }),
    })
    return { ok: true, code: 'accepted' }
  } catch (error) {
    return { ok: false, code: String((error as { code?: string }).code ?? (error as Error).name) }
  }
}

// ---------------------------------------------------------------------------------------------
// Token drafts: header and payload as ordered raw JSON members, so that duplicates, -0, 1e309
// and any other text survive; then bytes, encoding, signing and string-level mutations.
// ---------------------------------------------------------------------------------------------

type Members = Array<[string, string]>

interface Draft {
  header: Members
  payload: Members
  signer: string
  signAlg: SignAlg
  pssSalt: number | undefined
  headerBytes: ByteOp[]
  payloadBytes: ByteOp[]
  encoding: EncodeOp[]
  tokenOps: TokenOp[]
}

type ByteOp = 'bom' | 'bad-utf8' | 'overlong-utf8' | 'surrogate-utf8' | 'cut-utf8' | 'json-whitespace' | 'trailing-garbage' | 'not-an-object'
type EncodeOp = { part: 0 | 1; kind: 'pad' | 'std-alphabet' }
type TokenOp =
  | { t: 'flip'; segment: 0 | 1 | 2; index: number }
  | { t: 'sig-bit'; index: number; bit: number }
  | { t: 'truncate'; count: number }
  | { t: 'cut'; at: number }
  | { t: 'insert'; at: number; text: string }
  | { t: 'wrap'; before: string; after: string }
  | { t: 'sig-pad' }
  | { t: 'sig-std-alphabet' }
  | { t: 'sig-der' }
  | { t: 'sig-high-s' }
  | { t: 'sig-zero' }
  | { t: 'sig-trailing-bits' }
  | { t: 'sig-append'; text: string }
  | { t: 'sig-drop' }
  | { t: 'swap-segments' }
  | { t: 'reheader'; alg: string }
  | { t: 'alg-none' }
  | { t: 'lowercase' }

type MemberOp =
  { t: 'set'; name: string; raw: string } | { t: 'delete'; name: string } | { t: 'duplicate'; name: string; raw: string } | { t: 'move-last'; name: string }

const render = (members: Members): string => `{${members.map(([name, raw]) => `${JSON.stringify(name)}:${raw}`).join(',')}}`

const applyMember = (members: Members, op: MemberOp): Members => {
  switch (op.t) {
    case 'set':
      return members.some(([name]) => name === op.name)
        ? members.map(([name, raw]) => [name, name === op.name ? op.raw : raw])
        : [...members, [op.name, op.raw]]
    case 'delete':
      return members.filter(([name]) => name !== op.name)
    case 'duplicate':
      return [...members, [op.name, op.raw]]
    case 'move-last':
      return [...members.filter(([name]) => name !== op.name), ...members.filter(([name]) => name === op.name)]
  }
}

const applyBytes = (bytes: Buffer, op: ByteOp): Buffer => {
  // Raw bytes in the string value of an extra member that no check reads: only the decoding can refuse them.
  const intoString = (raw: number[]) => {
    const end = bytes.lastIndexOf('}')
    if (end === -1) return Buffer.concat([bytes, Buffer.from(raw)])
    return Buffer.concat([bytes.subarray(0, end), Buffer.from(',"note":"a'), Buffer.from(raw), Buffer.from('b"'), bytes.subarray(end)])
  }
  switch (op) {
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])
    case 'bad-utf8':
      return intoString([0xff, 0xfe])
    case 'overlong-utf8':
      return intoString([0xc0, 0xaf])
    case 'surrogate-utf8':
      return intoString([0xed, 0xa0, 0x80])
    case 'cut-utf8':
      return intoString([0xe2, 0x82])
    case 'json-whitespace':
      return Buffer.concat([Buffer.from(' \n\t'), bytes, Buffer.from('\r\n ')])
    case 'trailing-garbage':
      return Buffer.concat([bytes, Buffer.from('x')])
    case 'not-an-object':
      return Buffer.concat([Buffer.from('['), bytes, Buffer.from(']')])
  }
}

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const P521_N = 0x01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n
const P384_N = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n
const toBig = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex') || '0'}`)
const fromBig = (value: bigint, length: number): Buffer => Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex')

const derInteger = (bytes: Buffer): Buffer => {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  let value = bytes.subarray(start)
  if ((value[0] ?? 0) & 0x80) value = Buffer.concat([Buffer.from([0]), value])
  return Buffer.concat([Buffer.from([0x02, value.length]), value])
}
const toDer = (raw: Buffer): Buffer => {
  const half = raw.length / 2
  const body = Buffer.concat([derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half))])
  return Buffer.concat([Buffer.from(body.length < 0x80 ? [0x30, body.length] : [0x30, 0x81, body.length]), body])
}

const signBytes = (alg: SignAlg, key: KeyObject, data: Buffer, pssSalt: number | undefined): Buffer => {
  switch (alg) {
    case 'RS256':
      return nodeSign('sha256', data, key)
    case 'RS384':
      return nodeSign('sha384', data, key)
    case 'PS256':
      return nodeSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSalt ?? 32 })
    case 'ES256':
      return nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
    case 'ES384':
      return nodeSign('sha384', data, { key, dsaEncoding: 'ieee-p1363' })
    case 'ES512':
      return nodeSign('sha512', data, { key, dsaEncoding: 'ieee-p1363' })
    case 'EdDSA':
    case 'Ed25519':
      return nodeSign(null, data, key)
  }
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const mapSignature = (token: string, change: (signature: Buffer) => Buffer): string => {
  const parts = token.split('.')
  if (parts.length !== 3) return token
  const signature = Buffer.from(parts[2] as string, 'base64url')
  return `${parts[0]}.${parts[1]}.${change(signature).toString('base64url')}`
}

const applyToken = (token: string, op: TokenOp, draft: Draft): string => {
  const parts = token.split('.')
  const signature = parts[2] ?? ''
  switch (op.t) {
    case 'flip': {
      const segment = parts[op.segment]
      if (!segment) return token
      const index = op.index % segment.length
      const char = segment[index] as string
      const replaced = BASE64URL[(BASE64URL.indexOf(char) + 1) % 64] as string
      parts[op.segment] = segment.slice(0, index) + replaced + segment.slice(index + 1)
      return parts.join('.')
    }
    case 'sig-bit':
      return mapSignature(token, (sig) => {
        if (sig.length === 0) return sig
        const copy = Buffer.from(sig)
        const index = op.index % copy.length
        copy[index] = (copy[index] as number) ^ (1 << op.bit)
        return copy
      })
    case 'truncate':
      return token.slice(0, Math.max(0, token.length - op.count))
    case 'cut':
      return token.slice(0, op.at % (token.length + 1))
    case 'insert': {
      const at = op.at % (token.length + 1)
      return token.slice(0, at) + op.text + token.slice(at)
    }
    case 'wrap':
      return op.before + token + op.after
    case 'sig-pad':
      return parts.length === 3 ? `${token}${'='.repeat(signature.length % 4 === 0 ? 2 : 4 - (signature.length % 4))}` : token
    case 'sig-std-alphabet':
      return parts.length === 3 ? `${parts[0]}.${parts[1]}.${signature.replace(/-/g, '+').replace(/_/g, '/')}` : token
    case 'sig-der':
      return draft.signAlg.startsWith('ES') ? mapSignature(token, (sig) => ([64, 96, 132].includes(sig.length) ? toDer(sig) : sig)) : token
    case 'sig-high-s':
      return draft.signAlg.startsWith('ES')
        ? mapSignature(token, (sig) => {
            const half = sig.length / 2
            const n = half === 32 ? P256_N : half === 48 ? P384_N : P521_N
            if (half !== 32 && half !== 48 && half !== 66) return sig
            return Buffer.concat([sig.subarray(0, half), fromBig(n - toBig(sig.subarray(half)), half)])
          })
        : token
    case 'sig-zero':
      return mapSignature(token, (sig) => Buffer.alloc(sig.length))
    case 'sig-trailing-bits': {
      // The unused low bits of the last character: the same bytes, another text.
      if (parts.length !== 3 || signature.length % 4 === 0) return token
      const last = BASE64URL.indexOf(signature.at(-1) as string)
      const unused = signature.length % 4 === 2 ? 0b1111 : 0b11
      const changed = BASE64URL[(last & ~unused) | ((last + 1) & unused)] as string
      return `${parts[0]}.${parts[1]}.${signature.slice(0, -1)}${changed}`
    }
    case 'sig-append':
      return token + op.text
    case 'sig-drop':
      return parts.length === 3 ? `${parts[0]}.${parts[1]}.` : token
    case 'swap-segments':
      return parts.length === 3 ? `${parts[1]}.${parts[0]}.${signature}` : token
    case 'reheader': {
      if (parts.length !== 3) return token
      const header = applyMember(draft.header, { t: 'set', name: 'alg', raw: JSON.stringify(op.alg) })
      return `${Buffer.from(render(header)).toString('base64url')}.${parts[1]}.${signature}`
    }
    case 'alg-none': {
      if (parts.length !== 3) return token
      const header = applyMember(draft.header, { t: 'set', name: 'alg', raw: '"none"' })
      return `${Buffer.from(render(header)).toString('base64url')}.${parts[1]}.`
    }
    case 'lowercase':
      return token.toLowerCase()
  }
}

const encodeSegment = (bytes: Buffer, ops: EncodeOp[], part: 0 | 1): string => {
  let text = bytes.toString('base64url')
  for (const op of ops) {
    if (op.part !== part) continue
    if (op.kind === 'pad') text = bytes.toString('base64')
    if (op.kind === 'std-alphabet') text = bytes.toString('base64').replace(/=+$/, '')
  }
  return text
}

/** Builds the token: through jose's CompactSign when jose can produce it, else node:crypto. */
const buildToken = async (draft: Draft): Promise<string> => {
  const headerText = render(draft.header)
  const signer = keyNamed(draft.signer)
  let headerBytes: Buffer = Buffer.from(headerText)
  for (const op of draft.headerBytes) headerBytes = applyBytes(headerBytes, op)
  let payloadBytes: Buffer = Buffer.from(render(draft.payload))
  for (const op of draft.payloadBytes) payloadBytes = applyBytes(payloadBytes, op)

  let token: string | undefined
  const joseCanSign =
    draft.headerBytes.length === 0 &&
    draft.encoding.length === 0 &&
    draft.pssSalt === undefined &&
    !draft.header.some(([name]) => name === 'crit' || name === 'b64') &&
    roundTrips(headerText) &&
    JSON.parse(headerText).alg === draft.signAlg
  if (joseCanSign) {
    try {
      token = await new CompactSign(payloadBytes).setProtectedHeader(JSON.parse(headerText)).sign(signer.privateKey)
      stats.joseSigned++
    } catch {
      token = undefined // e.g. a header jose refuses to sign: sign it ourselves
    }
  }
  if (token === undefined) {
    const signingInput = `${encodeSegment(headerBytes, draft.encoding, 0)}.${encodeSegment(payloadBytes, draft.encoding, 1)}`
    const signature = signBytes(draft.signAlg, signer.privateKey, Buffer.from(signingInput), draft.pssSalt)
    token = `${signingInput}.${signature.toString('base64url')}`
  }
  for (const op of draft.tokenOps) token = applyToken(token, op, draft)
  return token
}

const roundTrips = (text: string): boolean => {
  try {
    return JSON.stringify(JSON.parse(text)) === text
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// Expectations: jose's verdict, plus where the design is stricter (docs/design.md#the-oracle)
// ---------------------------------------------------------------------------------------------

type Verdict = 'accept' | 'reject' | 'invalid_request'

/** Decodes a segment the way jose does on this runtime (atob after a +/ check; fatal UTF-8). */
const joseDecode = (segment: string): Record<string, unknown> | undefined => {
  try {
    if (segment.includes('+') || segment.includes('/')) return undefined
    const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Where the design is stricter than jose (docs/design.md#the-oracle): each rule names a token
 * jose accepts and we refuse. Anything jose accepts that matches none of these, we must accept too.
 */
const stricterRules: ReadonlyArray<[string, (token: string, header: Record<string, unknown>, payload: Record<string, unknown>, config: Config) => boolean]> = [
  // Time claims: iat in the future is refused even without maxTokenAge.
  ['iat in the future', (_t, _h, payload) => typeof payload.iat === 'number' && payload.iat > NOW_S + TOLERANCE],
  // Header parameters that carry or point at a key are never accepted.
  ['jku/x5u/jwk/x5c header', (_t, header) => ['jku', 'x5u', 'jwk', 'x5c'].some((name) => Object.hasOwn(header, name))],
  // A non-string sub.
  ['non-string sub', (_t, _h, payload) => Object.hasOwn(payload, 'sub') && typeof payload.sub !== 'string'],
  // Padded base64 (jose's atob fallback accepts correct padding on Node < 25; we refuse it).
  ['padded base64url', (token) => token.includes('=')],
  // Without a kid, several keys that fit the algorithm are ambiguous (verifier.ts, pickKey).
  ['no kid, several keys fit', (_t, header, _p, config) => !Object.hasOwn(header, 'kid') && fittingKeys(config, header.alg).length > 1],
  // A time claim that JSON turns into ±Infinity (1e309) (docs/design.md#time-claims).
  ['non-finite time claim', (_t, _h, payload) => ['exp', 'nbf', 'iat'].some((n) => typeof payload[n] === 'number' && !Number.isFinite(payload[n]))],
  // Tokens over MAX_TOKEN_LENGTH are refused before decoding.
  ['longer than 16 KiB', (token) => token.length > MAX_TOKEN_LENGTH],
]

/** The keys of a configuration we would try for a token without kid. */
const fittingKeys = (config: Config, alg: unknown): PoolKey[] =>
  config.keys
    .map(keyNamed)
    .filter(
      (key) => !key.weak && key.jwk.use !== 'enc' && typeof alg === 'string' && fitsType(alg, key.type) && (key.jwk.alg === undefined || key.jwk.alg === alg),
    )

interface Expectation {
  verdict: Verdict
  /** Every reason to refuse: jose's error, and each stricter rule the token meets. */
  reasons: string[]
}

const expectation = async (token: string, config: Config): Promise<Expectation> => {
  // The bearer value is trimmed; whitespace or a comma inside it means several tokens (400, docs/design.md#scheme).
  const extracted = token.trim()
  if (extracted === '') return { verdict: 'invalid_request', reasons: ['empty bearer'] }
  if (/[\s,]/.test(extracted)) return { verdict: 'invalid_request', reasons: ['whitespace or comma: several tokens'] }

  const full = await jose(extracted, config, config.keys)
  // RSA keys under 2048 bits are skipped at import (docs/design.md#the-oracle): jose sees them per token, and
  // without a kid they make the choice ambiguous for jose, not for us.
  const ourKeys = config.keys.filter((name) => !keyNamed(name).weak)
  const reference = ourKeys.length === config.keys.length ? full : await jose(extracted, config, ourKeys)
  if (full.ok !== reference.ok) {
    const header = joseDecode(extracted.split('.')[0] ?? '')
    expect({ kid: header && Object.hasOwn(header, 'kid'), code: full.code }).toEqual({ kid: false, code: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' })
  }
  const reasons = reference.ok ? [] : [`jose: ${reference.code}`]
  const [headerPart, payloadPart] = extracted.split('.')
  const header = joseDecode(headerPart ?? '') ?? {}
  const payload = joseDecode(payloadPart ?? '') ?? {}
  for (const [name, rule] of stricterRules) if (rule(extracted, header, payload, config)) reasons.push(`stricter than jose: ${name}`)
  return { verdict: reasons.length === 0 ? 'accept' : 'reject', reasons }
}

const stats = { runs: 0, accept: 0, reject: 0, invalidRequest: 0, joseSigned: 0, reasons: new Map<string, number>() }

/** Runs one draft through both, and checks the response of ours in full. */
const check = async (draft: Draft, config: Config): Promise<void> => {
  const token = await buildToken(draft)
  const expected = await expectation(token, config)
  const response = await ours(config).invoke(token)
  const actual: string =
    response.statusCode === 200 && response.called === 1
      ? 'accept'
      : response.statusCode === 401 && safeError(response.body) === 'invalid_token' && response.called === 0
        ? 'reject'
        : response.statusCode === 400 && safeError(response.body) === 'invalid_request' && response.called === 0
          ? 'invalid_request'
          : `unexpected ${response.statusCode} ${response.body} (handler called ${response.called} times)`
  stats.runs++
  for (const reason of expected.reasons) stats.reasons.set(reason, (stats.reasons.get(reason) ?? 0) + 1)
  if (expected.verdict === 'accept') stats.accept++
  else if (expected.verdict === 'reject') stats.reject++
  else stats.invalidRequest++
  if (actual !== expected.verdict) {
    const [h, p] = token.trim().split('.')
    throw new Error(
      [
        `ours: ${actual}; expected: ${expected.verdict} (${expected.reasons.join('; ') || 'jose accepts'})`,
        `token: ${JSON.stringify(token)}`,
        `header: ${safeText(h)}`,
        `payload: ${safeText(p)}`,
        `config: ${JSON.stringify(config)}`,
        `signer: ${draft.signer} ${draft.signAlg}`,
      ].join('\n'),
    )
  }
  if (actual !== 'accept') {
    // Nothing of the token, its kid or its claims in what the client sees.
    const visible = response.body + JSON.stringify(response.headers)
    for (const part of token.split('.')) if (part.length >= 8) expect(visible).not.toContain(part)
    for (const kid of trustedKids) expect(visible).not.toContain(kid)
    expect(visible).not.toContain(AUDIENCE)
    expect(visible).not.toContain('issuer.example.com')
  }
}

const safeError = (body: string): unknown => {
  try {
    return (JSON.parse(body) as { error?: unknown }).error
  } catch {
    return undefined
  }
}
const safeText = (segment: string | undefined): string => {
  try {
    return Buffer.from(segment ?? '', 'base64url').toString('utf8')
  } catch {
    return '?'
  }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const aroundSecond = (center: number) =>
  fc.tuple(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, 0.25, 0.5, 0.75, 0.999)).map(([d, f]) => String(center + d + f))

/** exp, nbf, iat: around every boundary, and every wrong type or number spelling. */
const timeRaw = fc.oneof(
  { weight: 4, arbitrary: aroundSecond(NOW_S - TOLERANCE) },
  { weight: 4, arbitrary: aroundSecond(NOW_S + TOLERANCE) },
  { weight: 2, arbitrary: aroundSecond(NOW_S) },
  { weight: 1, arbitrary: aroundSecond(NOW_S - 300 - TOLERANCE) },
  { weight: 2, arbitrary: fc.integer({ min: -200_000, max: 200_000 }).map((d) => String(NOW_S + d)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `"${NOW_S + 600}"`,
      'null',
      'true',
      'false',
      '[]',
      '{}',
      `[${NOW_S + 600}]`,
      `{"$date":${NOW_S + 600}}`,
      '1e309',
      '-1e309',
      '-0',
      '0',
      '-1',
      '1e308',
      '-1e308',
      '9007199254740993',
      '1.76e9',
      `${NOW_S + 600}.0`,
      '17600006e2',
      `"${NOW_S + 600}.5"`,
      '""',
      `"Tue Jun 18 15:00:04 UTC 2099"`,
      '4102444800000',
    ),
  },
)

const audRaw = fc.constantFrom(
  '"orders-api"',
  '["orders-api"]',
  '["other","orders-api"]',
  '["orders-api",1]',
  '[1,"orders-api"]',
  '[null,"orders-api"]',
  '"ORDERS-API"',
  '"orders-api "',
  '" orders-api"',
  '"orders-api/"',
  '[]',
  'null',
  '1',
  '{}',
  '{"0":"orders-api"}',
  '[["orders-api"]]',
  '"other"',
  '["other"]',
  '""',
  '"orders-api\\u0000"',
  '"orders\\u2010api"',
  '"order\\u0073-api"',
  '"billing-api"',
  '["billing-api","other"]',
)

const issRaw = fc.constantFrom(
  JSON.stringify(ISSUER),
  JSON.stringify(ISSUER_ALT),
  '"https://issuer.example.com//"',
  '"HTTPS://ISSUER.EXAMPLE.COM/"',
  '"https://Issuer.example.com/"',
  '" https://issuer.example.com/"',
  '"https://issuer.example.com/ "',
  '["https://issuer.example.com/"]',
  'null',
  '1',
  '{}',
  '"https://issuer.example.com/\\u0000"',
  '"https:\\/\\/issuer.example.com\\/"',
  '"https://issuer.example.com/?"',
  '"https://evil.example.com/"',
  '"https://issuer.example.com.evil.example/"',
  '"https://issuer.example.com\\u2215"',
)

const subRaw = fc.constantFrom('"user-1"', '""', '1', '0', 'null', 'true', '["user-1"]', '{}', '"\\ud800"', '"ü\\u0000"')

const miscRaw = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.string({ unit: 'binary', maxLength: 40 }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '"orders:read orders:write"',
    '["orders:read"]',
    '"[admin]"',
    '{"__proto__":{"admin":true}}',
    `"${'x'.repeat(13_000)}"`,
    `${'['.repeat(2000)}${']'.repeat(2000)}`,
    '"\\ud83d\\ude00 日本語"',
    '1e309',
    '-0',
  ),
)

const payloadOp: fc.Arbitrary<MemberOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constantFrom('exp', 'nbf', 'iat'), raw: timeRaw }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('aud'), raw: audRaw }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('iss'), raw: issRaw }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('sub'), raw: subRaw }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('delete' as const), name: fc.constantFrom('exp', 'nbf', 'iat', 'aud', 'iss', 'sub') }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('duplicate' as const),
      name: fc.constantFrom('exp', 'nbf', 'iat', 'aud', 'iss', 'sub'),
      raw: fc.oneof(timeRaw, audRaw, issRaw, subRaw),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('move-last' as const), name: fc.constantFrom('exp', 'aud', 'iss') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      name: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'),
      raw: fc.constantFrom(`{"aud":"orders-api","exp":${NOW_S + 600},"iss":"https://issuer.example.com/","sub":"admin"}`, 'null', '1', '"x"', '[]', '{}'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constantFrom('scope', 'scp', 'email', 'x', '', 'é'), raw: miscRaw }) },
)

const kidRaw = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...trustedKids).map((kid) => JSON.stringify(kid)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '"nope"',
      '""',
      '123',
      'null',
      'true',
      '[]',
      '{}',
      '["kid-rsa-main"]',
      '"KID-RSA-MAIN"',
      '"kid-rsa-main "',
      '"__proto__"',
      '"constructor"',
    ),
  },
)

const algRaw = fc.constantFrom(
  '"RS256"',
  '"RS384"',
  '"RS512"',
  '"PS256"',
  '"PS384"',
  '"ES256"',
  '"ES384"',
  '"ES512"',
  '"EdDSA"',
  '"Ed25519"',
  '"Ed448"',
  '"HS256"',
  '"HS512"',
  '"none"',
  '"None"',
  '"NONE"',
  '"nOnE"',
  '"rs256"',
  '"RS256 "',
  '""',
  'null',
  '1',
  '["RS256"]',
  '{}',
  '"ML-DSA-44"',
  '"__proto__"',
  '"toString"',
)

const typRaw = fc.constantFrom(
  '"at+jwt"',
  '"AT+JWT"',
  '"application/at+jwt"',
  '"Application/At+Jwt"',
  '"APPLICATION/AT+JWT"',
  '"JWT"',
  '"jwt"',
  '"application/jwt"',
  '"at+jwt "',
  '"x/at+jwt"',
  '"application/"',
  '"applicationat+jwt"',
  '"application/application/at+jwt"',
  'null',
  '1',
  '["at+jwt"]',
  '""',
  '"at+JWT"',
  '"id+jwt"',
)

const critRaw = fc.constantFrom(
  '[]',
  '["b64"]',
  '["b64","b64"]',
  '["exp"]',
  '["kid"]',
  '["alg"]',
  '["__proto__"]',
  '[""]',
  '[1]',
  '"b64"',
  'null',
  '{}',
  '["b64","exp"]',
  '["http://example.com/ext"]',
)

const embeddedRaw = fc.constantFrom(
  '"https://evil.example.com/jwks.json"',
  '{"kty":"oct","k":"c2VjcmV0"}',
  '["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]',
  'null',
  '""',
  '{}',
)

const headerOp: fc.Arbitrary<MemberOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('alg'), raw: algRaw }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('kid'), raw: kidRaw }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), name: fc.constantFrom('kid', 'typ', 'alg') }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('typ'), raw: typRaw }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('crit'), raw: critRaw }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constant('b64'), raw: fc.constantFrom('true', 'false', '"true"', '1', 'null') }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constantFrom('jku', 'x5u', 'jwk', 'x5c'), raw: embeddedRaw }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      name: fc.constantFrom('__proto__', 'constructor'),
      raw: fc.constantFrom('{"alg":"none"}', '{"kid":"kid-ec-p256"}', '{"jku":"https://evil.example.com/"}', 'null'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('duplicate' as const), name: fc.constantFrom('alg', 'kid', 'typ', 'crit'), raw: fc.oneof(algRaw, kidRaw, typRaw) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.constantFrom('cty', 'x5t', 'x5t#S256', 'zip', 'enc', 'iss'), raw: miscRaw }) },
)

const whitespace = fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\ufeff', '\u3000')
const insertion = fc.constantFrom(
  '.',
  '..',
  ' ',
  '\t',
  '\n',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\u200b',
  'é',
  '€',
  '😀',
  '\u0000',
  ',',
  '=',
  '==',
  '+',
  '/',
  '%2E',
  'A',
  '"',
  '\\',
)

const tokenOp: fc.Arbitrary<TokenOp> = fc.oneof(
  fc.record({ t: fc.constant('flip' as const), segment: fc.constantFrom(0 as const, 1 as const, 2 as const), index: fc.nat() }),
  fc.record({ t: fc.constant('sig-bit' as const), index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ t: fc.constant('truncate' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ t: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ t: fc.constant('insert' as const), at: fc.nat(), text: insertion }),
  fc.record({ t: fc.constant('wrap' as const), before: fc.oneof(fc.constant(''), whitespace), after: fc.oneof(fc.constant(''), whitespace) }),
  fc.constantFrom<TokenOp>(
    { t: 'sig-pad' },
    { t: 'sig-std-alphabet' },
    { t: 'sig-der' },
    { t: 'sig-high-s' },
    { t: 'sig-zero' },
    { t: 'sig-trailing-bits' },
    { t: 'sig-drop' },
    { t: 'swap-segments' },
    { t: 'alg-none' },
    { t: 'lowercase' },
  ),
  fc.record({ t: fc.constant('sig-append' as const), text: fc.constantFrom('A', 'AA', 'AAAA', '.', '.x') }),
  fc.record({ t: fc.constant('reheader' as const), alg: fc.constantFrom(...ALGORITHMS, 'none', 'HS256', 'ES512') }),
)

const byteOp = fc.constantFrom<ByteOp>('bom', 'bad-utf8', 'overlong-utf8', 'surrogate-utf8', 'cut-utf8', 'json-whitespace', 'trailing-garbage', 'not-an-object')
const encodeOp = fc.record({ part: fc.constantFrom(0 as const, 1 as const), kind: fc.constantFrom('pad' as const, 'std-alphabet' as const) })

/** A configuration and a token that is valid for it, before any mutation. */
const validBase = fc
  .record({
    signer: fc.constantFrom(...usableNames),
    others: fc.subarray(pool.map((key) => key.name)),
    extraAlgs: fc.subarray([...ALGORITHMS]),
    issuer: fc.constantFrom<Config['issuer']>(ISSUER, [ISSUER, ISSUER_ALT], [ISSUER_ALT, ISSUER]),
    audience: fc.constantFrom<Config['audience']>(AUDIENCE, [AUDIENCE, 'billing-api'], ['billing-api', AUDIENCE]),
    typ: fc.constantFrom(undefined, undefined, 'at+jwt', 'application/at+jwt', 'JWT'),
    maxTokenAge: fc.constantFrom(undefined, undefined, 300),
    ms: fc.constantFrom(0, 1, 250, 500, 750, 999),
    withNbf: fc.boolean(),
    headerTyp: fc.boolean(),
  })
  .chain((base) => fc.record({ base: fc.constant(base), signAlg: fc.constantFrom(...keyNamed(base.signer).algs) }))
  .map(({ base, signAlg }) => {
    const signer = keyNamed(base.signer)
    const config: Config = {
      keys: [...new Set([base.signer, ...base.others])].sort(),
      algorithms: [...new Set<SignAlg>([signAlg, ...base.extraAlgs])],
      issuer: base.issuer,
      audience: base.audience,
      typ: base.typ,
      maxTokenAge: base.maxTokenAge,
      ms: base.ms,
    }
    const header: Members = [['alg', JSON.stringify(signAlg)]]
    if (signer.kid !== undefined) header.push(['kid', JSON.stringify(signer.kid)])
    if (base.typ !== undefined || base.headerTyp) header.push(['typ', JSON.stringify(base.typ ?? 'JWT')])
    const payload: Members = [
      ['iss', JSON.stringify(ISSUER)],
      ['sub', '"user-1"'],
      ['aud', JSON.stringify(AUDIENCE)],
      ['iat', String(NOW_S - 60)],
      ['exp', String(NOW_S + 600)],
      ['scope', '"orders:read orders:write"'],
    ]
    if (base.withNbf) payload.push(['nbf', String(NOW_S - 60)])
    const draft: Draft = {
      header,
      payload,
      signer: base.signer,
      signAlg,
      pssSalt: undefined,
      headerBytes: [],
      payloadBytes: [],
      encoding: [],
      tokenOps: [],
    }
    return { config, draft }
  })

interface Mutations {
  header?: MemberOp[]
  payload?: MemberOp[]
  signer?: { name: string; alg: SignAlg } | undefined
  pssSalt?: number | undefined
  headerBytes?: ByteOp[]
  payloadBytes?: ByteOp[]
  encoding?: EncodeOp[]
  tokenOps?: TokenOp[]
  keys?: string[] | undefined
}

const mutate = ({ config, draft }: { config: Config; draft: Draft }, m: Mutations) => {
  let header = draft.header
  for (const op of m.header ?? []) header = applyMember(header, op)
  let payload = draft.payload
  for (const op of m.payload ?? []) payload = applyMember(payload, op)
  const signer = m.signer ?? { name: draft.signer, alg: draft.signAlg }
  const keys = m.keys && m.keys.some((name) => usableNames.includes(name)) ? [...new Set(m.keys)].sort() : config.keys
  return {
    config: { ...config, keys },
    draft: {
      header,
      payload,
      signer: signer.name,
      signAlg: signer.alg,
      pssSalt: signer.alg === 'PS256' ? m.pssSalt : undefined,
      headerBytes: m.headerBytes ?? [],
      payloadBytes: m.payloadBytes ?? [],
      encoding: m.encoding ?? [],
      tokenOps: m.tokenOps ?? [],
    },
  }
}

/** Another signing key (trusted, or an outsider with a trusted kid) and one of its algorithms. */
const signerChange = fc
  .constantFrom(...allKeys.keys())
  .chain((name) => fc.record({ name: fc.constant(name), alg: fc.constantFrom(...keyNamed(name).algs, ...crossAlgs(keyNamed(name))) }))

/** Algorithms a key can technically produce besides its own: RSA signs RS*, PS*; EC and Ed only theirs. */
const crossAlgs = (key: PoolKey): SignAlg[] => (key.type === 'RSA' ? ['RS256', 'RS384', 'PS256'] : [])

const run = (arbitrary: fc.Arbitrary<{ config: Config; draft: Draft }>, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(arbitrary, async ({ config, draft }) => {
      await check(draft, config)
    }),
    { seed: SEED, numRuns },
  )

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('oracle: our middleware and jose agree on accept/reject', () => {
  test('valid tokens of every algorithm (RS256, PS256, RS384, ES256, ES384, ES512, EdDSA, Ed25519), through jose CompactSign', async () => {
    const before = { ...stats }
    await run(validBase, 250)
    // The generator must mostly make tokens both accept, or this property proves nothing.
    expect(stats.accept - before.accept).toBeGreaterThan(150)
  }, 30_000)

  test('claim edits: exp, nbf, iat, aud, iss, sub, duplicates, prototype names, odd values', async () => {
    await run(
      fc.tuple(validBase, fc.array(payloadOp, { minLength: 1, maxLength: 4 })).map(([base, payload]) => mutate(base, { payload })),
      1000,
    )
  }, 45_000)

  test('time claims: exp, nbf and iat together, each around its boundary, with and without maxTokenAge', async () => {
    const claim = fc.option(timeRaw, { freq: 5, nil: undefined })
    await run(
      fc.tuple(validBase, claim, claim, claim).map(([base, exp, nbf, iat]) =>
        mutate(base, {
          payload: [
            exp === undefined ? { t: 'delete', name: 'exp' } : { t: 'set', name: 'exp', raw: exp },
            nbf === undefined ? { t: 'delete', name: 'nbf' } : { t: 'set', name: 'nbf', raw: nbf },
            iat === undefined ? { t: 'delete', name: 'iat' } : { t: 'set', name: 'iat', raw: iat },
          ],
        }),
      ),
      600,
    )
  }, 45_000)

  test('header edits: alg, kid, typ, crit and b64, embedded keys, duplicates', async () => {
    await run(
      fc.tuple(validBase, fc.array(headerOp, { minLength: 1, maxLength: 3 })).map(([base, header]) => mutate(base, { header })),
      800,
    )
  }, 45_000)

  test('keys: other signers, outsiders with trusted kids, alg swaps, JWK alg/use that do not fit, PSS salt, key subsets', async () => {
    await run(
      fc
        .tuple(
          validBase,
          fc.option(signerChange, { nil: undefined }),
          fc.option(fc.constantFrom(0, 20, 48, 64, constants.RSA_PSS_SALTLEN_MAX_SIGN), { nil: undefined }),
          fc.array(
            fc.oneof(
              fc.record({ t: fc.constant('set' as const), name: fc.constant('alg'), raw: algRaw }),
              fc.record({ t: fc.constant('set' as const), name: fc.constant('kid'), raw: kidRaw }),
              fc.record({ t: fc.constant('delete' as const), name: fc.constant('kid') }),
            ),
            { maxLength: 2 },
          ),
          fc.option(
            fc.subarray(
              pool.map((key) => key.name),
              { minLength: 1 },
            ),
            { nil: undefined },
          ),
        )
        .map(([base, signer, pssSalt, header, keys]) => mutate(base, { signer, pssSalt, header, keys })),
      800,
    )
  }, 45_000)

  test('token text: bit flips, truncation, padding and + /, DER and high-S ECDSA, dots, whitespace, unicode', async () => {
    await run(
      fc.tuple(validBase, fc.array(tokenOp, { minLength: 1, maxLength: 3 })).map(([base, tokenOps]) => mutate(base, { tokenOps })),
      1000,
    )
  }, 45_000)

  test('bytes and encodings: invalid UTF-8, BOM, padded and standard base64 segments, non-objects', async () => {
    await run(
      fc
        .tuple(validBase, fc.array(byteOp, { maxLength: 2 }), fc.array(byteOp, { maxLength: 2 }), fc.array(encodeOp, { maxLength: 2 }))
        .filter(([, h, p, e]) => h.length + p.length + e.length > 0)
        .map(([base, headerBytes, payloadBytes, encoding]) => mutate(base, { headerBytes, payloadBytes, encoding })),
      500,
    )
  }, 45_000)

  test('everything at once', async () => {
    await run(
      fc
        .tuple(
          validBase,
          fc.array(headerOp, { maxLength: 2 }),
          fc.array(payloadOp, { maxLength: 3 }),
          fc.option(signerChange, { freq: 4, nil: undefined }),
          fc.array(byteOp, { maxLength: 1 }),
          fc.array(tokenOp, { maxLength: 2 }),
        )
        .map(([base, header, payload, signer, payloadBytes, tokenOps]) => mutate(base, { header, payload, signer, payloadBytes, tokenOps })),
      1000,
    )
  }, 45_000)

  test('the runs covered acceptance, rejection and each stricter rule', () => {
    // ORACLE_STATS=1 prints how often each reason to refuse came up.
    if (process.env.ORACLE_STATS) console.log(JSON.stringify({ ...stats, reasons: [...stats.reasons].sort((a, b) => b[1] - a[1]) }, null, 1))
    expect(stats.accept).toBeGreaterThan(500)
    expect(stats.reject).toBeGreaterThan(1000)
    expect(stats.invalidRequest).toBeGreaterThan(20)
    expect(stats.joseSigned).toBeGreaterThan(1000)
    for (const [name] of stricterRules) expect([name, stats.reasons.get(`stricter than jose: ${name}`) ?? 0]).not.toEqual([name, 0])
  })
})
