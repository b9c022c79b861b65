import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { loadFixture } from '../../../test/support/fixtures.js'
import { parseIamArn, readIamCaller } from '../src/index.js'
import { protect } from './support.js'

const fixtures = [
  'rest-v1-iam.json',
  'rest-v1-iam-user.json',
  'rest-v1-iam-cognito-identity-pool.json',
  'rest-v1-console-test-invoke.json',
  'http-v2-iam.json',
  'http-v2-iam-cognito-identity-mtls.json',
  'function-url-iam.json',
  'function-url-iam-assumed-role.json',
  'function-url-no-auth.json',
].map((name) => loadFixture(name))

/** A fixture with one field of its identity replaced by anything at all. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom(...fixtures),
    fc.constantFrom(
      'userArn',
      'accountId',
      'caller',
      'user',
      'callerId',
      'userId',
      'accessKey',
      'principalOrgId',
      'sourceIp',
      'cognitoIdentity',
      'cognitoIdentityId',
      'cognitoIdentityPoolId',
      'cognitoAuthenticationType',
      'cognitoAuthenticationProvider',
    ),
    fc.oneof(fc.anything(), fc.string(), fc.constant(null), fc.constant(undefined)),
    fc.oneof(fc.constant('identity'), fc.constant('iam'), fc.constant('requestContext'), fc.constant('http')),
  )
  .map(([fixture, field, value, where]) => {
    const event = structuredClone(fixture)
    const requestContext = event.requestContext
    if (where === 'requestContext') event.requestContext = value
    else if (where === 'http' && requestContext?.http) requestContext.http.sourceIp = value
    else if (where === 'identity' && requestContext?.identity) requestContext.identity[field] = value
    else if (requestContext?.authorizer?.iam) requestContext.authorizer.iam[field] = value
    return event
  })

describe('whatever the event holds, the answer is 200, 401 or 403, never a 500', () => {
  test('mutated IAM fixtures', async () => {
    const api = protect({ allowSourceIps: ['0.0.0.0/0', '::/0'], allowAccounts: ['123456789012', '111122223333'] })
    await fc.assert(
      fc.asyncProperty(mutatedEvent, async (event) => {
        const before = api.seen.length
        const response = await api.invoke(event)
        expect([200, 401, 403]).toContain(response.statusCode)
        if (response.statusCode === 200) {
          const auth = api.seen[before]!
          expect(parseIamArn(auth.iam.arn)).toBeDefined()
          expect(auth.iam.accountId).toBe(parseIamArn(auth.iam.arn)!.accountId)
          expect(auth.iam).toEqual(readIamCaller(event))
        } else {
          expect(api.seen.length).toBe(before)
        }
      }),
      { numRuns: 500 },
    )
  })

  test('anything at all', async () => {
    const api = protect()
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (event) => {
        const response = await api.invoke(event)
        expect([200, 401]).toContain(response.statusCode)
      }),
      { numRuns: 300 },
    )
  })

  test('readIamCaller never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutatedEvent), (event) => {
        readIamCaller(event)
      }),
      { numRuns: 500 },
    )
  })
})
