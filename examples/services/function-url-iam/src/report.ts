// A function URL with AWS_IAM auth: Lambda has verified the caller's SigV4 signature before the
// function runs. iamContext turns the caller into context.auth and admits only the listed
// accounts and principals, so a signed request from any other AWS account is refused too.
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import iamContext from '@middy-auth/iam-context'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'

const setting = (name: 'ALLOWED_ACCOUNT' | 'ALLOWED_ROLE'): string => {
  const value = process.env[name]
  if (!value) throw new TypeError(`${name} is not set: the template passes it as an environment variable`)
  return value
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(httpErrorHandler({ logger: false }))
  .use(
    iamContext({
      allowAccounts: [setting('ALLOWED_ACCOUNT')],
      // Sessions of one role, whoever assumed it: the session name is the `*`.
      allowPrincipals: [`arn:aws:sts::${setting('ALLOWED_ACCOUNT')}:assumed-role/${setting('ALLOWED_ROLE')}/*`],
    }),
  )
  .handler(async (_event, context) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ report: 'daily-orders', requestedBy: context.auth.subject, session: context.auth.iam.sessionName }),
  }))
