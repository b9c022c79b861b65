import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import { spawnSync } from 'node:child_process'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createTestIssuer, httpApiEvent, type TestIssuer } from '@middy-auth/testing'
import dynalite from 'dynalite'
import { createDynamoDbReplayStore } from '../src/dynamodb-replay-store.js'
import { proofKey, signProof, withHeaders } from './dpop-support.js'
import { outcome, protect } from './support.js'

const tableName = 'dpop-proofs'
let server: ReturnType<typeof dynalite>
let endpoint: string
const clients: DynamoDBClient[] = []

/** A client of the local DynamoDB, as each Lambda instance would have its own. */
const clientFor = (url: string) => {
  const client = new DynamoDBClient({ endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  clients.push(client)
  return client
}

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await clientFor(endpoint).send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
})

afterAll(async () => {
  for (const client of clients) client.destroy()
  await new Promise((resolve) => server.close(resolve))
})

describe('the DynamoDB replay store (against dynalite on loopback)', () => {
  test('a jti is new once, then refused; the item carries its expiry for Time to Live', async () => {
    const store = createDynamoDbReplayStore({ tableName, client: clientFor(endpoint) })
    const expiresAt = Math.floor(Date.now() / 1000) + 300
    expect(await store.claim('key:jti-1', expiresAt)).toBe(true)
    expect(await store.claim('key:jti-1', expiresAt)).toBe(false)
    expect(await store.claim('key:jti-2', expiresAt)).toBe(true)
    const item = await clientFor(endpoint).send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'dpop#key:jti-1' } } }))
    expect(item.Item?.expiresAt).toEqual({ N: String(expiresAt) })
  })

  test('an expired item that Time to Live has not deleted yet does not block a claim', async () => {
    let now = Date.now()
    const store = createDynamoDbReplayStore({ tableName, client: clientFor(endpoint), clock: () => now })
    const expiresAt = Math.floor(now / 1000) + 10
    expect(await store.claim('key:jti-old', expiresAt)).toBe(true)
    now += 11_000
    expect(await store.claim('key:jti-old', expiresAt + 20)).toBe(true)
  })

  test('two instances racing the same proofs: exactly one wins each', async () => {
    const a = createDynamoDbReplayStore({ tableName, client: clientFor(endpoint) })
    const b = createDynamoDbReplayStore({ tableName, client: clientFor(endpoint) })
    const expiresAt = Math.floor(Date.now() / 1000) + 300
    for (let i = 0; i < 20; i++) {
      const results = await Promise.all([a.claim(`race:${i}`, expiresAt), b.claim(`race:${i}`, expiresAt)])
      expect(results.filter(Boolean)).toHaveLength(1)
    }
  })

  describe('a table that accepts connections and never answers', () => {
    let silent: Server
    const sockets: Socket[] = []
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    })
    afterAll(async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    })

    test('is refused within the timeout, never "new"', async () => {
      const client = clientFor(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`)
      const store = createDynamoDbReplayStore({ tableName, client, timeoutMs: 300 })
      const started = Date.now()
      await expect(store.claim('key:hang', Math.floor(Date.now() / 1000) + 300)).rejects.toThrow(/300 ms/)
      expect(Date.now() - started).toBeLessThan(1500)
    })

    test('through the middleware: 503 temporarily_unavailable, the handler not called', async () => {
      const iss: TestIssuer = await createTestIssuer()
      try {
        const key = proofKey()
        const client = clientFor(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`)
        const api = protect({
          issuers: [{ issuer: iss.issuer, audience: 'a', jwksUri: iss.jwksUri }],
          dpop: { boundTokens: 'required', replayStore: createDynamoDbReplayStore({ tableName, client, timeoutMs: 200 }) },
        })
        const token = await iss.sign({ sub: 'alice', cnf: { jkt: key.jkt } }, { audience: 'a' })
        const url = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
        const response = await api.invoke(
          withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${token}`, dpop: await signProof(key, { url, token }) }),
        )
        expect(outcome(response)).toEqual([503, 'temporarily_unavailable'])
        expect(api.seen).toEqual([])
      } finally {
        await iss.close()
      }
    })
  })

  test('through the middleware: a proof replayed to another instance is refused', async () => {
    const iss = await createTestIssuer()
    try {
      const key = proofKey()
      const instance = () =>
        protect({
          issuers: [{ issuer: iss.issuer, audience: 'a', jwksUri: iss.jwksUri }],
          dpop: { boundTokens: 'required', replayStore: createDynamoDbReplayStore({ tableName, client: clientFor(endpoint) }) },
        })
      const token = await iss.sign({ sub: 'alice', cnf: { jkt: key.jkt } }, { audience: 'a' })
      const url = 'https://h1t2t3p4a5.execute-api.eu-west-1.amazonaws.com/orders'
      const proof = await signProof(key, { url, token })
      const event = () => withHeaders(httpApiEvent({ path: '/orders' }), { authorization: `DPoP ${token}`, dpop: proof })
      expect((await instance().invoke(event())).statusCode).toBe(200)
      expect(outcome(await instance().invoke(event()))).toEqual([401, 'invalid_dpop_proof'])
    } finally {
      await iss.close()
    }
  })

  test('configuration mistakes are TypeErrors', () => {
    expect(() => createDynamoDbReplayStore({ tableName: '' })).toThrow(/tableName/)
    expect(() => createDynamoDbReplayStore({ tableName, timeoutMs: 0, client: clientFor(endpoint) })).toThrow(
      /^createDynamoDbReplayStore: timeoutMs must be a number of milliseconds > 0, got 0$/,
    )
    expect(() => createDynamoDbReplayStore({ tableName, table: 'x' } as never)).toThrow(
      /^createDynamoDbReplayStore: table is not an option \(known: tableName, client, /,
    )
    expect(() => createDynamoDbReplayStore(undefined as never)).toThrow(/^createDynamoDbReplayStore: options must be an object$/)
  })
})

test('the main entry never loads the AWS SDK; the subpath does', () => {
  const script = `
    import { registerHooks } from 'node:module'
    const loaded = []
    registerHooks({ resolve(specifier, context, next) { loaded.push(specifier); return next(specifier, context) } })
    await import(process.argv[1])
    console.log(JSON.stringify(loaded.some((s) => s.startsWith('@aws-sdk/'))))
  `
  const load = (entry: string) => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, entry], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })
    expect(result.stderr).toBe('')
    return JSON.parse(result.stdout) as boolean
  }
  const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))
  expect(load(dist('index.js'))).toBe(false)
  expect(load(dist('dynamodb-replay-store.js'))).toBe(true)
})
