// The extra cost of sender-constrained tokens, per Middy invocation: a DPoP check (RFC 9449)
// and an mTLS certificate-binding check (RFC 8705) over plain bearer verification of the same
// RS256 tokens. No budget of issue #13 covers it; the figure printed is the earlier design's
// (the DPoP check costs at most one more signature verification of its ES256 proof + 10%).
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto'
import middy from '@middy/core'
import jwtVerify from '@middy-auth/jwt-verify'
import { jwkThumbprint } from '@middy-auth/jwt-verify/keys'
import { floorVerifier } from './floor.ts'
import { cycle, expectOk, httpApiEvent, lambdaContext, type Invoke } from './middleware.ts'
import { measure, perRoundMedian } from './measure.ts'
import { fmtNs, fmtRatio, table, verdict, type BudgetRow } from './report.ts'
import { makeFixture, claimsFor, signJwt } from './tokens.ts'
import { ourOptions } from './verify.ts'
import { selfSignedCertificate } from '../test/support/certificates.ts'

const b64u = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const url = 'https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/orders'

/** An ES256 DPoP proof for a GET of `url` with `token`, signed with node:crypto. */
const proofFor = (client: { privateKey: KeyObject; jwk: JsonWebKey }, token: string): string => {
  const input = `${b64u({ typ: 'dpop+jwt', alg: 'ES256', jwk: client.jwk })}.${b64u({ jti: randomUUID(), htm: 'GET', htu: url, iat: Math.floor(Date.now() / 1000), ath: createHash('sha256').update(token).digest('base64url') })}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: client.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

/** A self-signed client certificate, made with openssl (null when openssl is missing). */
const clientCertificate = (): string | null => {
  try {
    return selfSignedCertificate('bench').pem
  } catch {
    return null
  }
}

const ok = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: 'ok' })

/**
 * A replay store doing the in-memory store's work (a Map write per proof) that never refuses:
 * the pools of proofs are cycled through many times by the benchmark.
 */
const benchReplayStore = (): { claim: (jti: string, expiresAt: number) => Promise<boolean> } => {
  const seen = new Map<string, number>()
  const accepted = Promise.resolve(true)
  return {
    claim: (jti, expiresAt) => {
      if (seen.size > 100_000) seen.clear()
      seen.set(jti, expiresAt)
      return accepted
    },
  }
}

/** DPoP and mTLS over bearer, RS256 access tokens, distinct per invocation. */
export async function run({ quick }: { quick: boolean }): Promise<BudgetRow[]> {
  const settings = { tokens: quick ? 1000 : 3000, rounds: quick ? 6 : 30, time: 25, warmupTime: 100 }
  const fixture = makeFixture('RS256', 1)
  const clientKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const client = { privateKey: clientKeys.privateKey, jwk: clientKeys.publicKey.export({ format: 'jwk' }) }
  const jkt = jwkThumbprint(client.jwk)
  const pem = clientCertificate()
  const x5t =
    pem &&
    createHash('sha256')
      .update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))
      .digest('base64url')
  const count = settings.tokens

  const bearerEvents = Array.from({ length: count }, (_, i) => httpApiEvent(signJwt(fixture.key, claimsFor(i))))
  const dpopEvents = Array.from({ length: count }, (_, i) => {
    const token = signJwt(fixture.key, { ...claimsFor(i), cnf: { jkt } })
    const event = httpApiEvent(token)
    event.headers = { ...event.headers, authorization: `DPoP ${token}`, dpop: proofFor(client, token) }
    return event
  })
  const mtlsEvents =
    pem &&
    Array.from({ length: count }, (_, i) => {
      const event = httpApiEvent(signJwt(fixture.key, { ...claimsFor(i), cnf: { 'x5t#S256': x5t } }))
      event.requestContext = { ...event.requestContext, authentication: { clientCert: { clientCertPem: pem } } }
      return event
    })

  // One more signature verification: the ES256 floor (split, decodes, JSON.parse, raw→DER,
  // crypto.verify on a bare KeyObject) of the proofs themselves.
  const verifyProof = floorVerifier('ES256', createPublicKey({ key: client.jwk, format: 'jwk' }))
  const nextProof = cycle(dpopEvents.map((event) => event.headers.dpop as string))

  const handler = (options: object): Invoke =>
    middy()
      .use(jwtVerify(ourOptions(fixture, options)))
      .handler(ok) as unknown as Invoke
  const bearer = handler({})
  const dpop = handler({ dpop: { boundTokens: 'required', replayStore: benchReplayStore() } })
  const mtls = handler({ mtls: { boundTokens: 'required' } })
  const invoke = (fn: Invoke, events: object[]) => {
    const next = cycle(events)
    return () => fn(next(), lambdaContext())
  }
  const tasks = [
    { name: 'ES256 proof signature (floor)', op: () => verifyProof(nextProof()) },
    { name: 'bearer', async: true, op: invoke(bearer, bearerEvents) },
    { name: 'DPoP', async: true, op: invoke(dpop, dpopEvents) },
    ...(mtlsEvents ? [{ name: 'mTLS', async: true, op: invoke(mtls, mtlsEvents) }] : []),
  ]
  await expectOk(tasks.slice(1))
  const m = await measure(tasks, settings)
  const at = (name: string, r: number): number => m.perRound(name)[r] as number
  const dpopExtra = perRoundMedian(m, (r) => (at('DPoP', r) - at('bearer', r)) / at('ES256 proof signature (floor)', r))
  const dpopOverBearer = perRoundMedian(m, (r) => at('DPoP', r) / at('bearer', r))
  const mtlsOverBearer = mtlsEvents ? perRoundMedian(m, (r) => at('mTLS', r) / at('bearer', r)) : undefined
  console.log('=== sender-constrained tokens: RS256 access tokens, distinct per invocation, middy + jwtVerify (no budget of #13) ===')
  table(
    ['', 'ns/op'],
    tasks.map((task) => [task.name, fmtNs(m.ns(task.name))]),
  )
  console.log(
    `DPoP / bearer = ${fmtRatio(dpopOverBearer.value)}; (DPoP − bearer) / one ES256 proof verification = ${fmtRatio(dpopExtra.value)} ` +
      `[${dpopExtra.q1.toFixed(2)}–${dpopExtra.q3.toFixed(2)}] (the earlier design's ≤ 1.1×: ${verdict(dpopExtra.value <= 1.1)})`,
  )
  console.log(
    mtlsOverBearer
      ? `mTLS / bearer = ${fmtRatio(mtlsOverBearer.value)} [${mtlsOverBearer.q1.toFixed(2)}–${mtlsOverBearer.q3.toFixed(2)}]\n`
      : 'openssl not found: no mTLS measure\n',
  )
  return []
}
