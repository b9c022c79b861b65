// Cold instance: a new verifier (key import included) and its first verification, in a warm
// process. The cold process (module import) is measured on the bundles, in bundle.js.
import jwtVerify from '@middy-auth/jwt-verify'
import { createLocalJWKSet, jwtVerify as joseJwtVerify } from 'jose'
import { AUDIENCE, ISSUER } from './tokens.js'
import { awsVerifier, cycle, middyRequest, ourOptions } from './verify.js'

/**
 * @param {object} fixture
 * @param {{ events: object[] }} pools
 */
export const coldTasks = (fixture, { events }) => {
  const nextEvent = cycle(events)
  const nextJose = cycle(fixture.tokens)
  const nextAws = cycle(fixture.tokens)
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [fixture.alg] }
  return [
    {
      name: 'ours: new jwtVerify() + first before()',
      async: true,
      op: () => jwtVerify(ourOptions(fixture)).before(middyRequest(nextEvent())),
    },
    {
      name: 'jose: createLocalJWKSet() + first jwtVerify',
      async: true,
      op: () => joseJwtVerify(nextJose(), createLocalJWKSet(fixture.jwks), joseOptions),
    },
    {
      name: 'aws-jwt-verify: create() + cacheJwks() + first verifySync',
      op: () => awsVerifier(fixture).verifySync(nextAws()),
    },
  ]
}
