// Warm verification with cached keys: the floor, our middleware's before() called directly,
// and the peers (jose, aws-jwt-verify), all on the same pool of distinct tokens.
import jwtVerify from '@middy-auth/jwt-verify'
import { JwtVerifier } from 'aws-jwt-verify'
import { createLocalJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import { es256OptionsVerifier, floorVerifier } from './floor.js'
import { AUDIENCE, ISSUER } from './tokens.js'

/** A function returning the items of `items` in turn, forever. */
export const cycle = (items) => {
  let i = 0
  return () => {
    const item = items[i]
    if (++i === items.length) i = 0
    return item
  }
}

/** Our options for one algorithm, with a local JWKS (no network). */
export const ourOptions = (fixture, extra = {}) => ({
  issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: fixture.jwks, algorithms: [fixture.alg] }],
  ...extra,
})

/** A Middy request as Middy builds it, for calling a middleware's before() directly. */
export const middyRequest = (event) => ({ event, context: {}, response: undefined, error: undefined, internal: Object.create(null) })

/** An aws-jwt-verify verifier with the JWKS in its cache (no network). */
export const awsVerifier = (fixture) => {
  const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}.well-known/jwks.json` })
  verifier.cacheJwks(fixture.jwks)
  return verifier
}

/**
 * The warm tasks of one algorithm that do not go through Middy.
 * @param {ReturnType<typeof import('./tokens.js').makeFixtures>[string]} fixture
 * @param {{ events: object[] }} pools - one HTTP API event per token (same order as fixture.tokens)
 */
export const verifyTasks = (fixture, { events }) => {
  const { alg } = fixture
  const tasks = []

  const floor = floorVerifier(alg, fixture.key.publicKey)
  const nextToken = cycle(fixture.tokens)
  tasks.push({ name: 'floor', op: () => floor(nextToken()) })
  if (alg === 'ES256') {
    const withOptions = es256OptionsVerifier(fixture.key.publicKey)
    const next = cycle(fixture.tokens)
    tasks.push({ name: 'floor, options object', op: () => withOptions(next()) })
  }

  // Our middleware's before(), without Middy: the token is read from the event's header.
  const uncached = jwtVerify(ourOptions(fixture, { cache: false }))
  const nextEventA = cycle(events)
  tasks.push({ name: 'ours before(), cache off', async: true, op: () => uncached.before(middyRequest(nextEventA())) })
  const cached = jwtVerify(ourOptions(fixture))
  const nextEventB = cycle(events)
  tasks.push({ name: 'ours before(), distinct', async: true, op: () => cached.before(middyRequest(nextEventB())) })
  const hit = jwtVerify(ourOptions(fixture))
  const repeated = events[0]
  tasks.push({ name: 'ours before(), cache hit', async: true, op: () => hit.before(middyRequest(repeated)) })

  const localJwks = createLocalJWKSet(fixture.jwks)
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }
  const nextJose = cycle(fixture.tokens)
  tasks.push({ name: 'jose jwtVerify', async: true, op: () => joseJwtVerify(nextJose(), localJwks, joseOptions) })

  const aws = awsVerifier(fixture)
  const nextAwsSync = cycle(fixture.tokens)
  tasks.push({ name: 'aws-jwt-verify verifySync', op: () => aws.verifySync(nextAwsSync()) })
  const nextAws = cycle(fixture.tokens)
  tasks.push({ name: 'aws-jwt-verify verify', async: true, op: () => aws.verify(nextAws()) })
  return tasks
}

/**
 * Checks that every path accepts the tokens (a benchmark of a rejecting path would be
 * meaningless) and returns the same subject.
 */
export const checkVerifiers = async (fixture, { events }) => {
  const token = fixture.tokens[1]
  const expected = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub
  const floor = floorVerifier(fixture.alg, fixture.key.publicKey)(token)
  const request = middyRequest(events[1])
  await jwtVerify(ourOptions(fixture, { cache: false })).before(request)
  const jose = await joseJwtVerify(token, createLocalJWKSet(fixture.jwks), { issuer: ISSUER, audience: AUDIENCE, algorithms: [fixture.alg] })
  const aws = awsVerifier(fixture).verifySync(token)
  const subjects = { floor: floor.sub, ours: request.context.auth?.subject, jose: jose.payload.sub, aws: aws.sub }
  for (const [name, subject] of Object.entries(subjects)) {
    if (subject !== expected) throw new Error(`${fixture.alg}: ${name} did not verify the token (subject ${subject})`)
  }
  if (fixture.alg === 'ES256') es256OptionsVerifier(fixture.key.publicKey)(token)
}
