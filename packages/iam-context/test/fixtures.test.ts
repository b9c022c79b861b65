import { describe, expect, test } from '@jest/globals'
import { functionUrlEvent, httpApiEvent, restEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { readIamCaller } from '../src/index.js'
import { outcome, protect } from './support.js'

/** Every IAM fixture of test/fixtures/aws-events/, through a real middy handler. */
describe('IAM callers of the captured events reach the handler', () => {
  test('REST, assumed role (real capture)', async () => {
    const api = protect()
    expect(outcome(await api.invoke(loadFixture('rest-v1-iam.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]).toEqual({
      source: 'iam',
      subject: 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
      scopes: [],
      roles: [],
      claims: {},
      iam: {
        accountId: '123456789012',
        partition: 'aws',
        arn: 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
        principalType: 'assumed-role',
        roleName: 'Admin',
        sessionName: 'aamorosi',
        principalId: 'ABCAXZWZ5ZDPNIH6C6ODK:aamorosi',
        accessKeyId: 'ABCAXZWZ5ZDPIFV7JHWH',
        // The capture's key id is anonymised (ABCA…); an assumed-role session is temporary anyway.
        temporaryCredentials: true,
        sourceIp: '15.248.3.126',
      },
    })
  })

  test('REST, IAM user with a long-term key and an organization', async () => {
    const api = protect()
    expect(outcome(await api.invoke(loadFixture('rest-v1-iam-user.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toEqual({
      accountId: '123456789012',
      partition: 'aws',
      arn: 'arn:aws:iam::123456789012:user/alice',
      principalType: 'user',
      userName: 'alice',
      path: '/',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      temporaryCredentials: false,
      principalOrgId: 'o-exampleorgid',
      sourceIp: '15.248.3.126',
    })
    expect(api.seen[0]!.subject).toBe('arn:aws:iam::123456789012:user/alice')
  })

  test('REST, Cognito identity pool: an assumed role with cognitoIdentity, providers parsed', async () => {
    const api = protect()
    expect(outcome(await api.invoke(loadFixture('rest-v1-iam-cognito-identity-pool.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toEqual({
      accountId: '123456789012',
      partition: 'aws',
      arn: 'arn:aws:sts::123456789012:assumed-role/Cognito_MyPoolAuth_Role/CognitoIdentityCredentials',
      principalType: 'assumed-role',
      roleName: 'Cognito_MyPoolAuth_Role',
      sessionName: 'CognitoIdentityCredentials',
      principalId: 'AROAEXAMPLEROLEID1234:CognitoIdentityCredentials',
      accessKeyId: 'ASIAEXAMPLEACCESSKEY',
      temporaryCredentials: true,
      sourceIp: '15.248.3.126',
      cognitoIdentity: {
        identityId: 'eu-west-1:3f291106-8703-466b-8f2b-3ecee1ca56ce',
        identityPoolId: 'eu-west-1:4f291106-8703-466b-8f2b-3ecee1ca56ce',
        authenticationType: 'authenticated',
        providers: [
          'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_y0bLG4i27',
          'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_y0bLG4i27:CognitoSignIn:d2f50444-0041-7036-aea2-a955fca33d37',
        ],
      },
    })
  })

  test('HTTP API, assumed role (real capture)', async () => {
    const api = protect()
    expect(outcome(await api.invoke(loadFixture('http-v2-iam.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toEqual({
      accountId: '123456789012',
      partition: 'aws',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
      principalType: 'assumed-role',
      roleName: 'Admin',
      sessionName: 'aamorosi',
      // callerId, as REST's `caller` (the capture's userId is anonymised differently).
      principalId: 'ABCAXZWZ5ZDPNIH6C6ODK:aamorosi',
      accessKeyId: 'ABCAXZWZ5ZDPIFV7JHWH',
      temporaryCredentials: true,
      sourceIp: '15.248.3.126',
    })
  })

  test('function URL, IAM user (AWS docs payload)', async () => {
    const api = protect()
    expect(outcome(await api.invoke(loadFixture('function-url-iam.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toEqual({
      accountId: '111122223333',
      partition: 'aws',
      arn: 'arn:aws:iam::111122223333:user/example-user',
      principalType: 'user',
      userName: 'example-user',
      path: '/',
      principalId: 'AIDA...',
      accessKeyId: 'AKIA...',
      temporaryCredentials: false,
      sourceIp: '123.123.123.123',
    })
  })

  test('function URL, assumed role with an organization', async () => {
    const api = protect()
    expect(outcome(await api.invoke(loadFixture('function-url-iam-assumed-role.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toEqual({
      accountId: '111122223333',
      partition: 'aws',
      arn: 'arn:aws:sts::111122223333:assumed-role/deploy-role/my-session',
      principalType: 'assumed-role',
      roleName: 'deploy-role',
      sessionName: 'my-session',
      principalId: 'AROAEXAMPLEROLEID1234:my-session',
      accessKeyId: 'ASIAEXAMPLEACCESSKEY',
      temporaryCredentials: true,
      principalOrgId: 'o-exampleorgid',
      sourceIp: '123.123.123.123',
    })
  })

  test('HTTP API, Cognito identity pool (synthetic Go sample): its 10-digit account is refused; with a real one, the caller follows the ARN', async () => {
    const api = protect()
    const event = loadFixture('http-v2-iam-cognito-identity-mtls.json')
    // accountId "1234567890" in the ARN and the identity: no AWS account has 10 digits.
    expect(outcome(await api.invoke(event))).toEqual([401, 'missing_credentials'])
    expect(api.errors[0]!.cause.data).toEqual({ reason: 'malformed_arn' })

    const iam = event.requestContext.authorizer.iam
    iam.accountId = '123456789012'
    iam.userArn = 'arn:aws:iam::123456789012:user/Admin'
    expect(outcome(await api.invoke(event))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toEqual({
      accountId: '123456789012',
      partition: 'aws',
      arn: 'arn:aws:iam::123456789012:user/Admin',
      // The sample pairs a user ARN with an identity pool; principalType follows the ARN.
      principalType: 'user',
      userName: 'Admin',
      path: '/',
      principalId: 'AROA7ZJZYVRE7C3DUXHH6:CognitoIdentityCredentials',
      accessKeyId: 'ARIA2ZJZYVUEREEIHAKY',
      temporaryCredentials: false,
      principalOrgId: 'AwsOrgId',
      sourceIp: 'IP',
      cognitoIdentity: {
        identityId: 'us-east-1:3f291106-8703-466b-8f2b-3ecee1ca56ce',
        identityPoolId: 'us-east-1:4f291106-8703-466b-8f2b-3ecee1ca56ce',
        providers: ['foo'],
      },
    })
  })
})

describe('no IAM identity: 401 missing_credentials, the handler is not called', () => {
  test.each([
    ['rest-v1-no-auth.json', 'no_iam_identity'],
    ['rest-v1-cognito.json', 'no_iam_identity'],
    ['rest-v1-lambda-authorizer.json', 'no_iam_identity'],
    ['rest-v1-mtls.json', 'no_iam_identity'],
    ['http-v2-no-auth.json', 'no_iam_identity'],
    ['http-v2-jwt.json', 'no_iam_identity'],
    ['http-v2-lambda-authorizer.json', 'no_iam_identity'],
    ['function-url-no-auth.json', 'anonymous'],
    ['alb.json', 'no_iam_identity'],
    ['websocket-connect.json', 'no_iam_identity'],
    ['authorizer-token.json', 'no_iam_identity'],
    ['authorizer-request-v1.json', 'no_iam_identity'],
  ])('%s', async (name, reason) => {
    const api = protect()
    const response = await api.invoke(loadFixture(name))
    expect(outcome(response)).toEqual([401, 'missing_credentials'])
    expect(JSON.parse(response.body)).toEqual({ error: 'missing_credentials', error_description: 'IAM credentials required' })
    expect(response.headers['WWW-Authenticate']).toBeUndefined()
    expect(api.errors[0]!.cause).toEqual({ package: '@middy-auth/iam-context', data: { reason } })
    expect(api.seen).toEqual([])
  })

  test('not an event at all: 401, never a 500', async () => {
    const api = protect()
    for (const event of [null, undefined, 'x', 42, [], {}, { requestContext: null }, { requestContext: [] }]) {
      expect(outcome(await api.invoke(event))).toEqual([401, 'missing_credentials'])
    }
    expect(api.seen).toEqual([])
  })
})

describe('an event that throws when read', () => {
  const hostile = {
    get requestContext(): unknown {
      throw new Error('boom')
    },
  }
  test('is no caller: 401, never a 500', async () => {
    const api = protect()
    expect(outcome(await api.invoke(hostile))).toEqual([401, 'missing_credentials'])
    expect(api.errors[0]!.cause.data).toEqual({ reason: 'no_iam_identity' })
  })
  test('readIamCaller gives undefined', () => {
    expect(readIamCaller(hostile)).toBeUndefined()
  })
})

describe('Cognito identity pools, built like the gateway writes them', () => {
  const pool = 'eu-west-1:4f291106-8703-466b-8f2b-3ecee1ca56ce'
  const identity = 'eu-west-1:3f291106-8703-466b-8f2b-3ecee1ca56ce'
  const provider = 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123'
  const login = `${provider}:CognitoSignIn:d2f50444-0041-7036-aea2-a955fca33d37`
  const authArn = 'arn:aws:sts::123456789012:assumed-role/Cognito_OrdersAuth_Role/CognitoIdentityCredentials'
  const unauthArn = 'arn:aws:sts::123456789012:assumed-role/Cognito_OrdersUnauth_Role/CognitoIdentityCredentials'
  const restCaller = (userArn: string, extra: Record<string, unknown>) =>
    restEvent({
      identity: {
        userArn,
        accountId: '123456789012',
        caller: 'AROAEXAMPLE:CognitoIdentityCredentials',
        accessKey: 'ASIAEXAMPLE',
        cognitoIdentityPoolId: pool,
        cognitoIdentityId: identity,
        ...extra,
      },
    })

  test('REST, authenticated: the providers list of cognitoAuthenticationProvider', async () => {
    const api = protect()
    await api.invoke(restCaller(authArn, { cognitoAuthenticationType: 'authenticated', cognitoAuthenticationProvider: `${provider},${login}` }))
    expect(api.seen[0]!.iam).toMatchObject({
      principalType: 'assumed-role',
      roleName: 'Cognito_OrdersAuth_Role',
      cognitoIdentity: { identityId: identity, identityPoolId: pool, authenticationType: 'authenticated', providers: [provider, login] },
    })
  })

  test('REST, unauthenticated (guest): no providers', async () => {
    const api = protect()
    await api.invoke(restCaller(unauthArn, { cognitoAuthenticationType: 'unauthenticated', cognitoAuthenticationProvider: null }))
    expect(api.seen[0]!.iam.cognitoIdentity).toEqual({ identityId: identity, identityPoolId: pool, authenticationType: 'unauthenticated', providers: [] })
  })

  test('REST, a provider list with blanks and spaces', async () => {
    const api = protect()
    await api.invoke(restCaller(authArn, { cognitoAuthenticationProvider: ` ${provider} ,, ${login} ` }))
    expect(api.seen[0]!.iam.cognitoIdentity).toEqual({ identityId: identity, identityPoolId: pool, providers: [provider, login] })
  })

  test('REST, a pool id without an identity id (or the other way round) is no Cognito identity', async () => {
    const api = protect()
    await api.invoke(restCaller(authArn, { cognitoIdentityId: null }))
    await api.invoke(restCaller(authArn, { cognitoIdentityPoolId: '' }))
    expect(api.seen.map((auth) => auth.iam.cognitoIdentity)).toEqual([undefined, undefined])
  })

  test('HTTP API and function URLs: authenticationType and providers from amr', async () => {
    const api = protect()
    const cognitoIdentity = { amr: ['authenticated', provider, login], identityId: identity, identityPoolId: pool }
    await api.invoke(httpApiEvent({ authorizer: { iam: { userArn: authArn, cognitoIdentity } } }))
    await api.invoke(functionUrlEvent({ authorizer: { iam: { userArn: authArn, cognitoIdentity } } }))
    await api.invoke(
      httpApiEvent({ authorizer: { iam: { userArn: unauthArn, cognitoIdentity: { amr: ['unauthenticated'], identityId: identity, identityPoolId: pool } } } }),
    )
    expect(api.seen.map((auth) => auth.iam.cognitoIdentity)).toEqual([
      { identityId: identity, identityPoolId: pool, authenticationType: 'authenticated', providers: [provider, login] },
      { identityId: identity, identityPoolId: pool, authenticationType: 'authenticated', providers: [provider, login] },
      { identityId: identity, identityPoolId: pool, authenticationType: 'unauthenticated', providers: [] },
    ])
    expect(api.seen.map((auth) => auth.iam.principalType)).toEqual(['assumed-role', 'assumed-role', 'assumed-role'])
  })

  test('HTTP API, amr missing or not a list: no authentication type, no providers', async () => {
    const api = protect()
    await api.invoke(httpApiEvent({ authorizer: { iam: { userArn: authArn, cognitoIdentity: { identityId: identity, identityPoolId: pool } as never } } }))
    await api.invoke(
      httpApiEvent({
        authorizer: { iam: { userArn: authArn, cognitoIdentity: { amr: 'authenticated', identityId: identity, identityPoolId: pool } as never } },
      }),
    )
    expect(api.seen.map((auth) => auth.iam.cognitoIdentity)).toEqual([
      { identityId: identity, identityPoolId: pool, providers: [] },
      { identityId: identity, identityPoolId: pool, providers: [] },
    ])
  })
})

describe('API Gateway console test invocations', () => {
  test('are not taken for a caller: 401, though they carry the console user identity', async () => {
    const api = protect()
    const response = await api.invoke(loadFixture('rest-v1-console-test-invoke.json'))
    expect(outcome(response)).toEqual([401, 'missing_credentials'])
    expect(api.errors[0]!.cause.data).toEqual({ reason: 'console_test_invoke' })
    expect(api.seen).toEqual([])
  })

  test('are also recognised by their placeholder source IP alone', async () => {
    const api = protect()
    const event = loadFixture('rest-v1-console-test-invoke.json')
    event.requestContext.stage = 'prod'
    expect(outcome(await api.invoke(event))).toEqual([401, 'missing_credentials'])
    expect(api.errors[0]!.cause.data).toEqual({ reason: 'console_test_invoke' })
  })

  test('with allowConsoleTestInvoke: true, the console user is the caller', async () => {
    const api = protect({ allowConsoleTestInvoke: true })
    expect(outcome(await api.invoke(loadFixture('rest-v1-console-test-invoke.json')))).toEqual([200, 'ok'])
    expect(api.seen[0]!.iam).toMatchObject({
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/aamorosi',
      principalType: 'assumed-role',
      roleName: 'Admin',
      sourceIp: 'test-invoke-source-ip',
    })
  })

  test('allowConsoleTestInvoke does not exempt them from allowSourceIps: their source IP is no address', async () => {
    const api = protect({ allowConsoleTestInvoke: true, allowSourceIps: ['0.0.0.0/0', '::/0'] })
    expect(outcome(await api.invoke(loadFixture('rest-v1-console-test-invoke.json')))).toEqual([403, 'access_denied'])
  })
})

describe('what the handler receives', () => {
  test('the caller and the empty claims are frozen; scopes and roles are fresh per request', async () => {
    const api = protect()
    await api.invoke(loadFixture('rest-v1-iam-cognito-identity-pool.json'))
    await api.invoke(loadFixture('rest-v1-iam-cognito-identity-pool.json'))
    const [first, second] = api.seen as [any, any]
    expect(Object.isFrozen(first.iam)).toBe(true)
    expect(Object.isFrozen(first.iam.cognitoIdentity)).toBe(true)
    expect(Object.isFrozen(first.iam.cognitoIdentity.providers)).toBe(true)
    expect(Object.isFrozen(first.claims)).toBe(true)
    expect(first.roles).not.toBe(second.roles)
    expect(first.scopes).not.toBe(second.scopes)
    first.roles.push('admin')
    expect(second.roles).toEqual([])
  })

  test('no credential reaches context.auth: no security token, no API key, no signature', async () => {
    const api = protect({ allowConsoleTestInvoke: true })
    await api.invoke(loadFixture('rest-v1-iam.json'))
    await api.invoke(loadFixture('http-v2-iam.json'))
    await api.invoke(loadFixture('rest-v1-console-test-invoke.json'))
    const everything = JSON.stringify(api.seen)
    expect(everything).not.toContain('IQoJb3JpZ')
    expect(everything).not.toContain('test-invoke-api-key')
    expect(everything).not.toContain('Signature=')
  })

  test('the same object is on request.internal.auth', async () => {
    const { default: middy } = await import('@middy/core')
    const { default: iamContext } = await import('../src/index.js')
    let internal: unknown
    let auth: unknown
    const handler = middy()
      .use(iamContext())
      .use({ before: (request) => void (internal = request.internal.auth) })
      .handler(async (_event, context) => {
        auth = context.auth
        return 'ok'
      })
    await handler(loadFixture('http-v2-iam.json') as never, {} as never)
    expect(internal).toBe(auth)
  })
})
