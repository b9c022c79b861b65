// The extra cost of sender-constrained tokens, per Middy invocation: a DPoP check (RFC 9449)
// and an mTLS certificate-binding check (RFC 8705) over plain bearer verification of the same
// RS256 tokens. The budget (docs/design.md#performance-budgets): the DPoP check costs at most one more signature
// verification (of its ES256 proof) + 10%.
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import middy from '@middy/core'
import jwtVerify, { jwkThumbprint } from '@middy-auth/jwt-verify'
import { floorVerifier } from './floor.js'
import { httpApiEvent } from './middleware.js'
import { measure, perRoundMedian } from './measure.js'
import { cycle, ourOptions } from './verify.js'
import { claimsFor, signJwt } from './tokens.js'

const b64u = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const url = 'https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/orders'

/** An ES256 DPoP proof for a GET of `url` with `token`, signed with node:crypto. */
const proofFor = (client, token) => {
  const input = `${b64u({ typ: 'dpop+jwt', alg: 'ES256', jwk: client.jwk })}.${b64u({ jti: randomUUID(), htm: 'GET', htu: url, iat: Math.floor(Date.now() / 1000), ath: createHash('sha256').update(token).digest('base64url') })}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: client.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

/** A self-signed client certificate, made with openssl (null when openssl is missing). */
const clientCertificate = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mtls-'))
  try {
    const file = join(dir, 'client.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'client.key'), '-out', file, '-subj', '/CN=bench', '-days', '2'], { stdio: 'pipe' })
    return readFileSync(file, 'utf8')
  } catch {
    return null
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const lambdaContext = () => ({ functionName: 'bench', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 })
const ok = async () => ({ statusCode: 200, body: 'ok' })

/**
 * A replay store doing the in-memory store's work (a Map write per proof) that never refuses:
 * the pools of proofs are cycled through many times by the benchmark.
 */
const benchReplayStore = () => {
  const seen = new Map()
  const accepted = Promise.resolve(true)
  return { claim: (jti, expiresAt) => (seen.size > 100_000 && seen.clear(), seen.set(jti, expiresAt), accepted) }
}

/**
 * @param {{ alg: string, key: object, jwks: object }} fixture the RS256 fixture of tokens.js
 * @param {{ tokens: number, rounds: number, time: number, warmupTime: number }} settings
 */
export const senderConstrainedBench = async (fixture, settings) => {
  const clientKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const client = { privateKey: clientKeys.privateKey, jwk: clientKeys.publicKey.export({ format: 'jwk' }) }
  const jkt = jwkThumbprint(client.jwk)
  const pem = clientCertificate()
  const x5t = pem && createHash('sha256').update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('base64url')
  const count = settings.tokens

  const bearerEvents = Array.from({ length: count }, (_, i) => httpApiEvent(signJwt(fixture.key, claimsFor(i))))
  const dpopEvents = Array.from({ length: count }, (_, i) => {
    const token = signJwt(fixture.key, { ...claimsFor(i), cnf: { jkt } })
    const event = httpApiEvent(token)
    event.headers = { ...event.headers, authorization: `DPoP ${token}`, dpop: proofFor(client, token) }
    return event
  })
  const mtlsEvents = pem && Array.from({ length: count }, (_, i) => {
    const event = httpApiEvent(signJwt(fixture.key, { ...claimsFor(i), cnf: { 'x5t#S256': x5t } }))
    event.requestContext = { ...event.requestContext, authentication: { clientCert: { clientCertPem: pem } } }
    return event
  })

  // One more signature verification: the ES256 floor (split, decodes, JSON.parse, raw→DER,
  // crypto.verify on a bare KeyObject) of the proofs themselves.
  const verifyProof = floorVerifier('ES256', createPublicKey({ key: client.jwk, format: 'jwk' }))
  const nextProof = cycle(dpopEvents.map((event) => event.headers.dpop))

  const handler = (options) => middy().use(jwtVerify(ourOptions(fixture, options))).handler(ok)
  const bearer = handler({})
  const dpop = handler({ dpop: { boundTokens: 'required', replayStore: benchReplayStore() } })
  const mtls = handler({ mtls: { boundTokens: 'required' } })
  const invoke = (fn, events) => {
    const next = cycle(events)
    return () => fn(next(), lambdaContext())
  }
  const tasks = [
    { name: 'ES256 proof signature (floor)', op: () => verifyProof(nextProof()) },
    { name: 'bearer', async: true, op: invoke(bearer, bearerEvents) },
    { name: 'DPoP', async: true, op: invoke(dpop, dpopEvents) },
    ...(mtlsEvents ? [{ name: 'mTLS', async: true, op: invoke(mtls, mtlsEvents) }] : []),
  ]
  for (const task of tasks.slice(1)) {
    const response = await task.op()
    if (response?.statusCode !== 200) throw new Error(`${task.name}: expected 200, got ${JSON.stringify(response)}`)
  }
  const m = await measure(tasks, settings)
  const at = (name) => m.perRound(name)
  const dpopExtra = perRoundMedian(m, (r) => (at('DPoP')[r] - at('bearer')[r]) / at('ES256 proof signature (floor)')[r])
  const dpopOverBearer = perRoundMedian(m, (r) => at('DPoP')[r] / at('bearer')[r])
  const mtlsOverBearer = mtlsEvents ? perRoundMedian(m, (r) => at('mTLS')[r] / at('bearer')[r]) : undefined
  return { ns: Object.fromEntries(tasks.map((task) => [task.name, m.ns(task.name)])), dpopExtra, dpopOverBearer, mtlsOverBearer, note: pem ? '' : 'openssl not found: no mTLS measure' }
}
