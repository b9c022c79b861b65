import type { ALBEvent } from 'aws-lambda'
import { addCookieHeader, allValues, encodedValues, headerList, lastValues, toValueList, traceId } from '../lib/event-parts.js'
import { basics } from './common.js'
import type { EventOptions } from './options.js'

/**
 * Options of {@link albEvent}.
 *
 * @example
 * ```ts
 * const options: AlbEventOptions = { multiValue: true, query: { tag: ['a', 'b'] } }
 * ```
 */
export interface AlbEventOptions extends Omit<EventOptions, 'stage' | 'apiId'> {
  /** A target group with multi-value headers: only `multiValueHeaders` and `multiValueQueryStringParameters`. Default is `false`. */
  multiValue?: boolean
  /** Default: `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/test-target/0123456789abcdef`. */
  targetGroupArn?: string
}

/**
 * An Application Load Balancer event, shaped like a real capture.
 *
 * Header names are lower-cased; cookies join the `cookie` header. By default (a target group
 * without multi-value headers) the event has `headers` and `queryStringParameters` with the last
 * value of each; with `multiValue: true`, only `multiValueHeaders` and
 * `multiValueQueryStringParameters`. The query is percent-encoded, since ALB does not decode it.
 * `body` is `''` when there is none.
 *
 * @param options - see {@link AlbEventOptions} and {@link EventOptions}.
 *
 * @example
 * ```ts
 * import { albEvent } from '@middy-auth/testing'
 *
 * const single = albEvent({ bearer: token, query: { q: 'a b' } })
 * single.queryStringParameters // { q: 'a%20b' }
 * const multi = albEvent({ multiValue: true, headers: { 'x-forwarded-for': ['1.2.3.4', '5.6.7.8'] } })
 * multi.multiValueHeaders?.['x-forwarded-for'] // ['1.2.3.4', '5.6.7.8']
 * ```
 */
export function albEvent(options: AlbEventOptions = {}): ALBEvent {
  const b = basics(options)
  const list = headerList({
    defaults: {
      accept: '*/*',
      host: `test-alb-1234567890.${b.region}.elb.amazonaws.com`,
      'user-agent': b.userAgent,
      'x-amzn-trace-id': traceId(b.epochMs),
      'x-forwarded-for': b.sourceIp,
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    headers: options.headers,
    bearer: options.bearer,
    lowerCase: true,
  })
  addCookieHeader(list, options.cookies, 'cookie')
  const query = encodedValues(toValueList(options.query))
  const event: Record<string, unknown> = {
    requestContext: {
      elb: { targetGroupArn: options.targetGroupArn ?? `arn:aws:elasticloadbalancing:${b.region}:${b.accountId}:targetgroup/test-target/0123456789abcdef` },
    },
    httpMethod: b.method,
    path: b.path,
  }
  if (options.multiValue === true) {
    event.multiValueQueryStringParameters = allValues(query)
    event.multiValueHeaders = allValues(list)
  } else {
    event.queryStringParameters = lastValues(query)
    event.headers = lastValues(list)
  }
  event.body = options.body ?? ''
  event.isBase64Encoded = options.isBase64Encoded ?? false
  return event as unknown as ALBEvent
}
