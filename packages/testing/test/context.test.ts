import { describe, expect, test } from '@jest/globals'
import middy from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { httpApiEvent, lambdaContext } from '../src/index.js'

describe('lambdaContext', () => {
  test('a complete Context with a random request id', () => {
    const context = lambdaContext()
    expect(context).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'test-function',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:test-function',
      memoryLimitInMB: '1024',
      logGroupName: '/aws/lambda/test-function',
    })
    expect(context.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(lambdaContext().awsRequestId).not.toBe(context.awsRequestId)
    expect(context.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/)
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(29_000)
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000)
    expect(() => context.done()).not.toThrow()
  })

  test('overrides win, and derived names follow functionName', () => {
    const context = lambdaContext({ functionName: 'orders', getRemainingTimeInMillis: () => 42, awsRequestId: 'req-1' })
    expect(context.functionName).toBe('orders')
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:orders')
    expect(context.logGroupName).toBe('/aws/lambda/orders')
    expect(context.getRemainingTimeInMillis()).toBe(42)
    expect(context.awsRequestId).toBe('req-1')
  })

  test('a Middy handler runs with it', async () => {
    const handler = middy<APIGatewayProxyEventV2>().handler(async (event, context) => ({ path: event.rawPath, id: context.awsRequestId }))
    const context = lambdaContext()
    await expect(handler(httpApiEvent(), context)).resolves.toEqual({ path: '/orders', id: context.awsRequestId })
  })
})
