import { beforeAll, describe, expect, test } from '@jest/globals'
import { functionUrlEvent, lambdaContext } from '@middy-auth/testing'

const account = '111122223333'
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>

beforeAll(async () => {
  process.env.ALLOWED_ACCOUNT = account
  process.env.ALLOWED_ROLE = 'ReportReader'
  handler = (await import('../src/report.js')).handler as never
})

/** A function URL event after Lambda verified a SigV4 signature of the given session. */
const signedBy = (userArn: string) => {
  const accountId = userArn.split(':')[4]!
  return functionUrlEvent({ authorizer: { iam: { userArn, accountId, callerId: `AROAEXAMPLE:${userArn.split('/').pop()}`, userId: 'AROAEXAMPLE' } } })
}
const invoke = async (event: unknown) => {
  const response = await handler(event, lambdaContext())
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> }
}

describe('a function URL with AWS_IAM auth', () => {
  test('a session of the allowed role: 200, with the caller', async () => {
    const arn = `arn:aws:sts::${account}:assumed-role/ReportReader/alice`
    expect(await invoke(signedBy(arn))).toEqual({ status: 200, body: { report: 'daily-orders', requestedBy: arn, session: 'alice' } })
  })

  test('another role of the account, or the same role name in another account: 403 access_denied', async () => {
    for (const arn of [`arn:aws:sts::${account}:assumed-role/Deployer/ci`, 'arn:aws:sts::444455556666:assumed-role/ReportReader/mallory']) {
      expect(await invoke(signedBy(arn))).toMatchObject({ status: 403, body: { error: 'access_denied' } })
    }
  })

  test('a function URL without IAM auth (auth type NONE) refuses everyone: 401 missing_credentials', async () => {
    expect(await invoke(functionUrlEvent())).toMatchObject({ status: 401, body: { error: 'missing_credentials' } })
  })
})
