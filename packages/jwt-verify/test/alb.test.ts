import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import { albEvent } from '@middy-auth/testing'
import jwtVerify, { albIssuer, type AlbIssuerOptions, type IssuerConfig } from '../src/index.js'
import { albEventWith, albToken, ARN, CLIENT, fixture, IDP, keyPair, NOW, OTHER_ARN, padded, REGION, startAlbKeyServer } from './alb-support.js'
import { thrown } from '../../../test/support/thrown.js'
import { outcome, protect } from './support.js'

describe('albIssuer: x-amzn-oidc-data', () => {
  const signing = keyPair()
  const kid = randomUUID()
  const pems = new Map<string, string>([[kid, signing.publicKey.export({ type: 'spki', format: 'pem' }) as string]])
  let keyServer: Awaited<ReturnType<typeof startAlbKeyServer>>
  let endpoint = ''
  const clock = () => NOW * 1000

  beforeAll(async () => {
    keyServer = await startAlbKeyServer(pems)
    endpoint = keyServer.endpoint
  })
  afterAll(() => keyServer.close())
  beforeEach(() => {
    keyServer.state.fetched = []
    keyServer.state.failWith = undefined
  })
  const fetchedKids = () => keyServer.state.fetched

  const issuer = (extra: Partial<AlbIssuerOptions> = {}) =>
    albIssuer({ region: REGION, loadBalancerArn: ARN, clientId: CLIENT, endpoint, ...extra } as AlbIssuerOptions)

  test('a token the load balancer signed: the identity with source alb, from the header jwtVerify reads by default', async () => {
    const { invoke, seen } = protect({ issuers: [issuer()], clock })
    const token = albToken({ key: signing.privateKey, kid })
    expect(token.split('.').some((segment) => segment.endsWith('='))).toBe(true)
    expect(outcome(await invoke(albEventWith(token)))).toEqual([200, 'ok'])
    expect(seen[0]).toMatchObject({ source: 'alb', subject: 'd2f50444-0041-7036-aea2-a955fca33d37', issuer: IDP, scopes: [], roles: [] })
    expect(seen[0]?.claims.email).toBe('alice@example.com')
    expect(Object.getPrototypeOf(seen[0]?.claims)).toBeNull()
    expect(fetchedKids()).toEqual([kid])
  })

  test('the key is fetched once per kid: later tokens and concurrent ones reuse it', async () => {
    const { invoke } = protect({ issuers: [issuer()], clock })
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => invoke(albEventWith(albToken({ key: signing.privateKey, kid, payload: { n: i } })))))
    expect(results.map(outcome)).toEqual(Array.from({ length: 10 }, () => [200, 'ok']))
    expect(outcome(await invoke(albEventWith(albToken({ key: signing.privateKey, kid }))))).toEqual([200, 'ok'])
    expect(fetchedKids()).toEqual([kid])
  })

  test('a target group with multi-value headers, and a header name in any case', async () => {
    const { invoke, seen } = protect({ issuers: [issuer()], clock })
    const token = albToken({ key: signing.privateKey, kid })
    expect(outcome(await invoke(albEvent({ multiValue: true, headers: { 'X-Amzn-Oidc-Data': token } })))).toEqual([200, 'ok'])
    expect(seen[0]?.source).toBe('alb')
  })

  test('the header sent twice is a malformed request, not two chances', async () => {
    const { invoke } = protect({ issuers: [issuer()], clock })
    const token = albToken({ key: signing.privateKey, kid })
    expect(outcome(await invoke(albEvent({ multiValue: true, headers: { 'x-amzn-oidc-data': [token, token] } })))).toEqual([400, 'invalid_request'])
  })

  test('unpadded segments verify too', async () => {
    const { invoke } = protect({ issuers: [issuer()], clock })
    expect(outcome(await invoke(albEventWith(albToken({ key: signing.privateKey, kid, pad: false }))))).toEqual([200, 'ok'])
  })

  test('loadBalancerArns: any listed load balancer; issuer: the payload must carry it', async () => {
    const { invoke } = protect({ issuers: [issuer({ loadBalancerArn: undefined, loadBalancerArns: [OTHER_ARN, ARN], issuer: IDP })], clock })
    expect(outcome(await invoke(albEventWith(albToken({ key: signing.privateKey, kid }))))).toEqual([200, 'ok'])
    const strict = protect({ issuers: [issuer({ issuer: 'https://other-idp.example.com' })], clock })
    expect(outcome(await strict.invoke(albEventWith(albToken({ key: signing.privateKey, kid }))))).toEqual([401, 'invalid_token'])
  })

  describe('refused: 401 invalid_token, the handler not called', () => {
    const refused: Array<[string, () => string]> = [
      ['another load balancer as signer (same region, same key endpoint)', () => albToken({ key: signing.privateKey, kid, header: { signer: OTHER_ARN } })],
      ['no signer', () => albToken({ key: signing.privateKey, kid, header: { signer: undefined } })],
      ['another client', () => albToken({ key: signing.privateKey, kid, header: { client: 'someone-else' } })],
      ['expired', () => albToken({ key: signing.privateKey, kid, payload: { exp: NOW - 10 } })],
      ['no exp', () => albToken({ key: signing.privateKey, kid, payload: { exp: undefined } })],
      ['signed by another key under our kid', () => albToken({ key: keyPair().privateKey, kid })],
      [
        'a payload changed after signing',
        () => {
          const [head, , signature] = albToken({ key: signing.privateKey, kid }).split('.')
          return `${head}.${padded(Buffer.from(JSON.stringify({ sub: 'admin', exp: NOW + 60 })))}.${signature}`
        },
      ],
      ['RS256 in the header', () => albToken({ key: signing.privateKey, kid, header: { alg: 'RS256' } })],
      ['alg none', () => albToken({ key: signing.privateKey, kid, header: { alg: 'none' } })],
      ['wrong padding', () => albToken({ key: signing.privateKey, kid }).replace('.', '=.')],
      ['standard base64 characters', () => albToken({ key: signing.privateKey, kid }).replace(/-/g, '+').replace(/_/g, '/') + '+/'],
      ['two segments', () => albToken({ key: signing.privateKey, kid }).split('.').slice(0, 2).join('.')],
      ['a kid that is not a UUID (never fetched)', () => albToken({ key: signing.privateKey, kid: '../../etc/passwd' })],
      ['an unknown kid', () => albToken({ key: signing.privateKey, kid: randomUUID() })],
    ]
    test.each(refused)('%s', async (_name, make) => {
      const { invoke, seen } = protect({ issuers: [issuer()], clock })
      const response = await invoke(albEventWith(make()))
      expect(outcome(response)).toEqual([401, 'invalid_token'])
      expect(seen).toHaveLength(0)
      expect(fetchedKids().every((id) => id === kid || /^[0-9a-f-]{36}$/.test(id))).toBe(true)
    })

    test('tokens with a signer not listed cost no key fetch', async () => {
      const { invoke } = protect({ issuers: [issuer()], clock })
      await invoke(albEventWith(albToken({ key: signing.privateKey, kid: randomUUID(), header: { signer: OTHER_ARN } })))
      expect(fetchedKids()).toEqual([])
    })

    test('a flood of unknown kids costs one fetch per cooldown', async () => {
      const { invoke } = protect({ issuers: [issuer()], clock })
      for (let i = 0; i < 20; i += 1) {
        expect(outcome(await invoke(albEventWith(albToken({ key: signing.privateKey, kid: randomUUID() }))))).toEqual([401, 'invalid_token'])
      }
      expect(fetchedKids()).toHaveLength(1)
    })
  })

  test('no x-amzn-oidc-data header: 401 missing_token', async () => {
    const { invoke } = protect({ issuers: [issuer()], clock })
    const { 'x-amzn-oidc-data': _dropped, ...headers } = fixture.headers
    expect(outcome(await invoke({ ...fixture, headers }))).toEqual([401, 'missing_token'])
  })

  test('the key endpoint fails and nothing is cached: 503 with Retry-After, never an accept', async () => {
    keyServer.state.failWith = 500
    const { invoke, seen } = protect({ issuers: [issuer()], clock })
    const response = await invoke(albEventWith(albToken({ key: signing.privateKey, kid })))
    expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
    expect(Number(response.headers['Retry-After'])).toBeGreaterThanOrEqual(1)
    expect(seen).toHaveLength(0)
  })

  test('the fixture token (its signature a placeholder) is refused', async () => {
    const { invoke } = protect({ issuers: [issuer()], clock: () => 1_718_722_000_000 })
    expect(outcome(await invoke(fixture))).toEqual([401, 'invalid_token'])
  })

  test.each([
    ['spread', (resolver: object) => ({ ...resolver })],
    ['Object.assign', (resolver: object) => Object.assign({}, resolver)],
    ['a prototype child', (resolver: object) => Object.create(resolver) as object],
  ])('a copy of its key resolver (%s) makes no ALB entry: no token read from x-amzn-oidc-data, the entry audience not skipped', async (_name, copy) => {
    const entry = issuer()
    // The entry as albIssuer() made it, but for a required audience and a copied key resolver.
    const { invoke, seen } = protect({ issuers: [{ ...entry, audience: 'api', keyResolver: copy(entry.keyResolver as object) } as IssuerConfig], clock })
    const response = await invoke(albEventWith(albToken({ key: signing.privateKey, kid })))
    expect(outcome(response)).toEqual([401, expect.anything()])
    // Read from Authorization (absent here): a challenge without an error.
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer realm="api"')
    expect(seen).toEqual([])
  })

  test("an entry's claimsCheck (spread onto the entry) runs on the load balancer's claims, on every request, fail closed", async () => {
    const seenEmails: unknown[] = []
    const withCheck = (claimsCheck: IssuerConfig['claimsCheck']) => protect({ issuers: [{ ...issuer(), claimsCheck } as IssuerConfig], clock })
    const token = (email: string) => albEventWith(albToken({ key: signing.privateKey, kid, payload: { email } }))
    const sync = withCheck((claims) => (seenEmails.push(claims.email), claims.email === 'alice@example.com'))
    expect(outcome(await sync.invoke(token('alice@example.com')))).toEqual([200, 'ok'])
    expect(outcome(await sync.invoke(token('alice@example.com')))).toEqual([200, 'ok'])
    expect(outcome(await sync.invoke(token('mallory@example.com')))).toEqual([401, 'invalid_token'])
    expect(seenEmails).toEqual(['alice@example.com', 'alice@example.com', 'mallory@example.com'])
    expect(sync.errors.map((error) => error.cause.data?.reason)).toEqual(['claims_check_failed'])
    const async = withCheck(async (claims) => claims.email === 'alice@example.com')
    expect(outcome(await async.invoke(token('alice@example.com')))).toEqual([200, 'ok'])
    expect(async.seen[0]?.source).toBe('alb')
    expect(outcome(await async.invoke(token('mallory@example.com')))).toEqual([401, 'invalid_token'])
    const throws = withCheck(() => {
      throw new Error('lookup failed')
    })
    expect(outcome(await throws.invoke(token('alice@example.com')))).toEqual([401, 'invalid_token'])
    const rejects = withCheck(() => Promise.reject(new Error('lookup failed')))
    expect(outcome(await rejects.invoke(token('alice@example.com')))).toEqual([401, 'invalid_token'])
    expect([...throws.errors, ...rejects.errors].map((error) => error.cause.data?.reason)).toEqual(['claims_check_failed', 'claims_check_failed'])
    expect([...throws.seen, ...rejects.seen]).toEqual([])
  })

  describe('configuration mistakes are TypeErrors at cold start', () => {
    test.each([
      ['no ARN', { region: REGION }, /^albIssuer: loadBalancerArn \(or a non-empty 'loadBalancerArns'\) is required$/],
      ['an ARN of another region', { region: 'eu-west-1', loadBalancerArn: ARN }, /^albIssuer: loadBalancerArns has .*, not in region eu-west-1/],
      [
        'not an ALB ARN',
        { region: REGION, loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1' },
        /^albIssuer: loadBalancerArns has .*, not an Application Load Balancer ARN/,
      ],
      ['both ARN options', { region: REGION, loadBalancerArn: ARN, loadBalancerArns: [ARN] }, /^albIssuer: loadBalancerArns goes without loadBalancerArn/],
      ['a bad region', { region: 'mars', loadBalancerArn: ARN }, /^albIssuer: region must be an AWS region/],
      [
        'an http: endpoint off loopback',
        { region: REGION, loadBalancerArn: ARN, endpoint: 'http://keys.example.com' },
        /^albIssuer: endpoint must be an https: URL/,
      ],
      ['a zero timeout', { region: REGION, loadBalancerArn: ARN, timeoutMs: 0 }, /^albIssuer: timeoutMs must be a number of milliseconds > 0, got 0$/],
      [
        'a misspelt option',
        { region: REGION, loadBalancerArn: ARN, clientID: 'x' },
        /^albIssuer: clientID is not an option \(known: region, loadBalancerArn, /,
      ],
      ['no options', undefined, /^albIssuer: options must be an object$/],
      ['a fetchPem that is not a function', { region: REGION, loadBalancerArn: ARN, fetchPem: 'https' }, /^albIssuer: fetchPem must be a function$/],
    ])('%s', (_name, options, message) => {
      let error: unknown
      try {
        albIssuer(options as AlbIssuerOptions)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).cause).toEqual({ package: '@middy-auth/jwt-verify', option: expect.any(String) })
    })

    // ALB rules were once a symbol-keyed property of the key resolver: reading it ran a Proxy's get
    // trap at cold start (and this one throws for any member it lacks). They are a WeakMap's now.
    test('a Proxy key resolver is never asked for ALB rules: no trap runs at cold start for them', () => {
      const plain = { getKeySet: async () => ({ keys: [], byKid: new Map() }), cached: () => undefined, prefetch: () => undefined }
      const asked: PropertyKey[] = []
      const strict = new Proxy(plain, {
        get(target, name) {
          asked.push(name)
          if (!(name in target)) throw new RangeError(`no member ${String(name)}`)
          return target[name as keyof typeof target]
        },
      })
      expect(() => jwtVerify({ issuers: [{ issuer: IDP, audience: 'x', keyResolver: strict }] })).not.toThrow()
      expect(asked.filter((name) => typeof name === 'symbol')).toEqual([])
    })

    test('ALB entries cannot be mixed with other issuers, first or last', () => {
      const other = { issuer: IDP, audience: 'x', jwksUri: 'https://issuer.example.com/jwks' }
      for (const issuers of [
        [issuer(), other],
        [other, issuer()],
      ]) {
        const error = thrown(() => jwtVerify({ issuers }))
        expect(error).toBeInstanceOf(TypeError)
        expect(error).toMatchObject({
          message: expect.stringMatching(/^jwtVerify: issuers cannot mix albIssuer\(\) entries with other issuers/),
          cause: { package: '@middy-auth/jwt-verify', option: 'issuers' },
        })
      }
    })
  })
})
