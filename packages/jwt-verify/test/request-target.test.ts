import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { albEvent, createTestIssuer, httpApiEvent, restEvent, type TestIssuer } from '@middy-auth/testing'
import { albEventsWithUrls, eventKindsWithUrls as cases, methodOf } from './event-urls.js'
import { requestTarget } from '../src/request-target.js'
import { proofKey, signProof, withHeaders, type ProofKey } from './dpop-support.js'
import { outcome, protect } from './support.js'

describe('the request URL, rebuilt as the client saw it', () => {
  test.each(cases)('%s', (_name, event, url) => {
    expect(requestTarget(event(), undefined)?.url).toBe(url)
  })

  test('publicBaseUrl: the base followed by the path the function routes on (stage stripped)', () => {
    expect(requestTarget(httpApiEvent({ stage: 'prod', path: '/orders/7' }), 'https://api.example.com/v1')?.url).toBe('https://api.example.com/v1/orders/7')
    expect(requestTarget(restEvent({ path: '/orders/7' }), 'https://api.example.com/')?.url).toBe('https://api.example.com/orders/7')
    expect(requestTarget(albEvent({ path: '/orders/7' }), 'https://shop.example.com')?.url).toBe('https://shop.example.com/orders/7')
  })

  test('an event that does not say is undefined (then the proof is refused)', () => {
    expect(requestTarget({ type: 'TOKEN', authorizationToken: 'x', methodArn: 'arn' }, undefined)).toBeUndefined()
    // ALB without publicBaseUrl: the client's Host header is no proof of which server it called.
    expect(requestTarget(albEvent({ path: '/orders/7' }), undefined)).toBeUndefined()
    expect(requestTarget(withHeaders(albEvent({}), { host: 'a.example.com, b.example.com' }), undefined)).toBeUndefined()
    expect(requestTarget(null, undefined)).toBeUndefined()
  })
})

describe('a DPoP proof for that URL is accepted on every event kind', () => {
  let iss: TestIssuer
  let key: ProofKey
  beforeAll(async () => {
    iss = await createTestIssuer()
    key = proofKey()
  })
  afterAll(() => iss.close())

  test.each(cases)('%s', async (_name, makeEvent, url) => {
    const api = protect({ issuers: [{ issuer: iss.issuer, audience: 'orders', jwksUri: iss.jwksUri }], dpop: { boundTokens: 'required' } })
    const token = await iss.sign({ sub: 'alice', cnf: { jkt: key.jkt } }, { audience: 'orders' })
    const method = methodOf(makeEvent())
    const send = async (proofUrl: string) =>
      api.invoke(withHeaders(makeEvent(), { Authorization: `DPoP ${token}`, DPoP: await signProof(key, { url: proofUrl, method, token }) }))
    expect((await send(url)).statusCode).toBe(200)
    expect(api.seen[0]?.confirmation?.jkt).toBe(key.jkt)
    expect(outcome(await send(`${url}/other`))).toEqual([401, 'invalid_dpop_proof'])
  })

  test.each(albEventsWithUrls)('%s, with publicBaseUrl (required on ALB)', async (_name, makeEvent, url) => {
    const issuers = [{ issuer: iss.issuer, audience: 'orders', jwksUri: iss.jwksUri }]
    const api = protect({ issuers, dpop: { boundTokens: 'required', publicBaseUrl: 'https://shop.example.com' } })
    const token = await iss.sign({ sub: 'alice', cnf: { jkt: key.jkt } }, { audience: 'orders' })
    const method = methodOf(makeEvent())
    const send = async (proofUrl: string, api2 = api) =>
      api2.invoke(withHeaders(makeEvent(), { Authorization: `DPoP ${token}`, DPoP: await signProof(key, { url: proofUrl, method, token }) }))
    expect((await send(url)).statusCode).toBe(200)
    // The host the client claims is not taken for the server's.
    expect(outcome(await send('https://test-alb-1234567890.eu-west-1.elb.amazonaws.com/orders/7'))).toEqual([401, 'invalid_dpop_proof'])
    // Without publicBaseUrl an ALB request's proof cannot be checked against a URL: refused.
    const withoutBase = protect({ issuers, dpop: { boundTokens: 'required' } })
    expect(outcome(await send(url, withoutBase))).toEqual([401, 'invalid_dpop_proof'])
  })
})
