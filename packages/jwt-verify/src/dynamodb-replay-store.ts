// Only this subpath loads the AWS SDK: `@aws-sdk/client-dynamodb` is an optional peer dependency
// (present in the Lambda Node.js runtimes), and the main entry never imports this file.
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { checkOptionNames, configErrors, readDuration } from '@middy-auth/core/internal'
import type { ReplayStore } from './replay-store.js'
import { packageName } from './package-name.js'

/**
 * Options of {@link createDynamoDbReplayStore}.
 *
 * @example
 * ```ts
 * import type { DynamoDbReplayStoreOptions } from '@middy-auth/jwt-verify/dynamodb-replay-store'
 *
 * const options: DynamoDbReplayStoreOptions = { tableName: 'dpop-proofs', timeoutMs: 500 }
 * ```
 */
export interface DynamoDbReplayStoreOptions {
  /** The table: a string partition key (`partitionKey`) and Time to Live on `ttlAttribute`. */
  tableName: string
  /** The client. Default: `new DynamoDBClient({})` (region and credentials from the Lambda environment). */
  client?: DynamoDBClient
  /** The partition key's name. Default `'pk'`. */
  partitionKey?: string
  /** The number attribute DynamoDB's Time to Live deletes items by (seconds since the epoch). Default `'expiresAt'`. */
  ttlAttribute?: string
  /** Milliseconds for one claim, retries included; then it fails (the request gets 503), never "new". Default 1000. */
  timeoutMs?: number
  /** Put before every key, to share a table with other data. Default `'dpop#'`. */
  keyPrefix?: string
  /** The clock, in milliseconds since the epoch (tests). Default `Date.now`. */
  clock?: () => number
}

/** The `TypeError` of configuration that can never work, thrown at cold start. */
const fail = configErrors(packageName, 'createDynamoDbReplayStore')

function nonEmpty(value: unknown, name: string, fallback?: string): string {
  const given = value ?? fallback
  if (typeof given !== 'string' || given === '') throw fail(name, `must be a non-empty string`)
  return given
}

/**
 * A {@link ReplayStore} shared by every Lambda instance: one conditional `PutItem` per proof,
 * which succeeds only when no unexpired item has that key, so that of two instances racing the
 * same proof exactly one wins. Items carry their expiry in `ttlAttribute` for DynamoDB's Time
 * to Live; since TTL deletes late, an expired item still present is overwritten.
 *
 * A claim that fails or takes longer than `timeoutMs` rejects: the request is refused with 503
 * `temporarily_unavailable`, never accepted. It needs `dynamodb:PutItem` on the table.
 *
 * @example
 * ```ts
 * import jwtVerify from '@middy-auth/jwt-verify'
 * import { createDynamoDbReplayStore } from '@middy-auth/jwt-verify/dynamodb-replay-store'
 *
 * const replayStore = createDynamoDbReplayStore({ tableName: process.env.DPOP_TABLE ?? 'dpop-proofs' })
 * export const middleware = jwtVerify({
 *   issuers: [{ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }],
 *   dpop: { boundTokens: 'required', replayStore },
 * })
 * ```
 */
export function createDynamoDbReplayStore(options: DynamoDbReplayStoreOptions): ReplayStore {
  checkOptionNames(options, ['tableName', 'client', 'partitionKey', 'ttlAttribute', 'timeoutMs', 'keyPrefix', 'clock'], fail)
  const tableName = nonEmpty(options.tableName, 'tableName')
  const partitionKey = nonEmpty(options.partitionKey, 'partitionKey', 'pk')
  const ttlAttribute = nonEmpty(options.ttlAttribute, 'ttlAttribute', 'expiresAt')
  const keyPrefix = options.keyPrefix ?? 'dpop#'
  if (typeof keyPrefix !== 'string') throw fail('keyPrefix', `must be a string`)
  const timeoutMs = readDuration(options.timeoutMs, 'timeoutMs', fail, { unit: 'milliseconds', fallback: 1000 })
  const clock = options.clock ?? Date.now
  const client = options.client ?? new DynamoDBClient({})
  if (typeof client?.send !== 'function') throw fail('client', `must be a DynamoDBClient`)

  return {
    async claim(jti, expiresAt) {
      const abort = new AbortController()
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort()
          reject(new Error(`DynamoDB replay store: no answer within ${timeoutMs} ms`))
        }, timeoutMs)
      })
      const put = client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { [partitionKey]: { S: `${keyPrefix}${jti}` }, [ttlAttribute]: { N: String(Math.ceil(expiresAt)) } },
          // Absent, or present but already expired (Time to Live deletes items up to days late).
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#pk': partitionKey, '#ttl': ttlAttribute },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(clock() / 1000)) } },
        }),
        { abortSignal: abort.signal },
      )
      try {
        await Promise.race([put, timeout])
        return true
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as { name?: unknown })?.name === 'ConditionalCheckFailedException') return false
        throw error
      } finally {
        clearTimeout(timer)
        // The losing promise of the race must not surface as an unhandled rejection.
        put.catch(() => {})
      }
    },
  }
}
