/**
 * The session secret from SSM Parameter Store through `@middy/ssm` (`secret: { internal }`):
 * the real middleware, with an SSM client that answers from memory instead of AWS.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import ssm from '@middy/ssm'
import { lambdaContext } from '@middy-auth/testing'
import { oauthLogin, sessionAuth, type OAuthLoginConfig, type OAuthLoginHandlers } from '../src/index.js'
import { CookieJar, OTHER_SECRET, SECRET, configFor, eventFor, invoke, signIn, type Response } from './support/flow.js'
import { startProvider, type LoopbackProvider } from './support/provider.js'

let provider: LoopbackProvider
beforeAll(async () => {
  provider = await startProvider()
})
afterAll(() => provider.close())

const PARAMETER = '/orders/session-secrets'

/** Parameter Store as `@middy/ssm` calls it (`GetParameters`), from memory; counts the calls. */
const fakeParameterStore = (initial: string) => {
  const store = { value: initial, calls: 0 }
  class FakeSSMClient {
    async send(command: { input: { Names?: string[] } }) {
      store.calls++
      const names = command.input.Names ?? []
      return {
        Parameters: names.filter((n) => n === PARAMETER).map((Name) => ({ Name, Type: 'StringList', Value: store.value })),
        InvalidParameters: names.filter((n) => n !== PARAMETER),
      }
    }
  }
  return { store, AwsClient: FakeSSMClient as never }
}

let cacheKeys = 0
const ssmFor = (AwsClient: never) =>
  ssm({ AwsClient, fetchData: { sessionSecret: PARAMETER }, cacheKey: `ssm-test-${++cacheKeys}`, cacheExpiry: 0, disablePrefetch: true })

const withSsm = (handlers: OAuthLoginHandlers, AwsClient: never): OAuthLoginHandlers => {
  for (const route of Object.values(handlers)) route.use(ssmFor(AwsClient))
  return handlers
}

describe('secret: { internal } fed by @middy/ssm', () => {
  test('sign-in, session and a protected function read the secret @middy/ssm loaded; a new secret first in the list rotates', async () => {
    const { store, AwsClient } = fakeParameterStore(SECRET)
    const config: OAuthLoginConfig = configFor(provider, { secret: { internal: 'sessionSecret' } })
    const handlers = withSsm(oauthLogin(config), AwsClient)
    const jar = new CookieJar()
    const { callback } = await signIn(handlers, provider, jar)
    expect(callback.statusCode).toBe(302)
    expect(store.calls).toBeGreaterThanOrEqual(2)

    const api = middy()
      .use(httpErrorHandler({ logger: false }))
      .use(ssmFor(AwsClient))
      .use(sessionAuth(config))
      .handler(async (_event: unknown, context) => ({ statusCode: 200, body: context.auth.subject }))
    const call = async () => (await api(eventFor('http-api', { cookies: jar.cookies }) as never, lambdaContext() as never)) as Response
    expect(await call()).toMatchObject({ statusCode: 200, body: 'alice' })

    // The sealed cookie is really tied to the secret: a function with another one refuses it.
    const other = oauthLogin(configFor(provider, { secret: OTHER_SECRET }))
    expect((await invoke(other.session, eventFor('http-api', { cookies: jar.cookies }))).statusCode).toBe(401)

    // Rotation in Parameter Store: the new secret first, the old one still there.
    store.value = `${OTHER_SECRET},${SECRET}`
    expect((await call()).statusCode).toBe(200)
    expect((await invoke(handlers.session, eventFor('http-api', { cookies: jar.cookies }))).statusCode).toBe(200)
    // The old one removed: sessions sealed with it end.
    store.value = OTHER_SECRET
    expect((await call()).statusCode).toBe(401)
  })

  test('a secret under 32 bytes in Parameter Store is a TypeError at the first request', async () => {
    const { AwsClient } = fakeParameterStore('too-short')
    const handlers = withSsm(oauthLogin(configFor(provider, { secret: { internal: 'sessionSecret' } })), AwsClient)
    await expect(invoke(handlers.login, eventFor('http-api'))).rejects.toThrow(/^oauthLogin: secret must be at least 32 bytes/)
  })

  test('no secret where it should be (@middy/ssm not used): a TypeError saying so', async () => {
    const handlers = oauthLogin(configFor(provider, { secret: { internal: 'sessionSecret' } }))
    await expect(invoke(handlers.login, eventFor('http-api'))).rejects.toThrow(/^oauthLogin: secret is required/)
  })

  test('a malformed { internal } is a TypeError at cold start', () => {
    expect(() => oauthLogin(configFor(provider, { secret: { internal: '' } }))).toThrow(
      /^oauthLogin: secret must be a string, a list of strings, or \{ internal/,
    )
  })
})
