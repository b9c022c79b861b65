// The peers and our options: jose and aws-jwt-verify on the same tokens, and the options our
// middleware is given (a local JWKS: no network).
import jwtVerify from '@middy-auth/jwt-verify'
import { JwtVerifier } from 'aws-jwt-verify'
import { createLocalJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import type { BenchTask } from './measure.ts'
import { cycle } from './middleware.ts'
import { AUDIENCE, ISSUER, type Fixture } from './tokens.ts'

type JwtVerifyOptions = Parameters<typeof jwtVerify>[0]

/** Our options for one algorithm, with a local JWKS (no network). */
export const ourOptions = (fixture: Pick<Fixture, 'alg' | 'jwks'>, extra: Partial<JwtVerifyOptions> = {}): JwtVerifyOptions => ({
  issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: fixture.jwks as never, algorithms: [fixture.alg] }],
  ...extra,
})

/** A Middy request as Middy builds it, for calling a middleware's before() directly. */
export const middyRequest = (
  event: unknown,
): { event: unknown; context: Record<string, unknown>; response: undefined; error: undefined; internal: Record<string, unknown> } => ({
  event,
  context: {},
  response: undefined,
  error: undefined,
  internal: Object.create(null) as Record<string, unknown>,
})

/** An aws-jwt-verify verifier with the JWKS in its cache (no network). */
export const awsVerifier = (fixture: Pick<Fixture, 'jwks'>) => {
  const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}.well-known/jwks.json` })
  verifier.cacheJwks(fixture.jwks as never)
  return verifier
}

/** jose and aws-jwt-verify, bare calls on the same pool of distinct tokens (for reference). */
export const peerTasks = (fixture: Fixture): BenchTask[] => {
  const localJwks = createLocalJWKSet(fixture.jwks as never)
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [fixture.alg] }
  const nextJose = cycle(fixture.tokens)
  const aws = awsVerifier(fixture)
  const nextAws = cycle(fixture.tokens)
  return [
    { name: 'jose jwtVerify', async: true, op: () => joseJwtVerify(nextJose(), localJwks, joseOptions) },
    { name: 'aws-jwt-verify verifySync', op: () => aws.verifySync(nextAws()) },
  ]
}

/** Checks that jose and aws-jwt-verify accept the fixture's tokens (a rejecting path would time the error path). */
export const checkPeers = async (fixture: Fixture): Promise<void> => {
  const token = fixture.tokens[1] as string
  const expected = (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { sub: string }).sub
  const jose = await joseJwtVerify(token, createLocalJWKSet(fixture.jwks as never), { issuer: ISSUER, audience: AUDIENCE, algorithms: [fixture.alg] })
  const aws = awsVerifier(fixture).verifySync(token)
  if (jose.payload.sub !== expected || aws.sub !== expected) throw new Error(`${fixture.alg}: a peer did not verify the token`)
}
