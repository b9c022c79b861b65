/**
 * Type tests of albIssuer, compiled by `tsc -p tsconfig.test.json` (part of `npm test`).
 */
import middy from '@middy/core'
import type { ALBEvent } from 'aws-lambda'
import jwtVerify, { albIssuer, cognitoIssuer, type AlbIssuerOptions } from '@middy-auth/jwt-verify'

const loadBalancerArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188'

interface AlbClaims {
  email: string
}

export const handler = middy<ALBEvent>()
  .use(jwtVerify<AlbClaims>({ issuers: [albIssuer({ region: 'eu-west-1', loadBalancerArn, clientId: 'client' })] }))
  .handler(async (_event, context) => {
    const email: string = context.auth.claims.email
    return { statusCode: 200, body: email + context.auth.source }
  })

export const several: AlbIssuerOptions = { region: 'eu-west-1', loadBalancerArns: [loadBalancerArn], endpoint: 'https://keys.example.com' }

// @ts-expect-error a load balancer ARN is required
export const noArn: AlbIssuerOptions = { region: 'eu-west-1' }

// @ts-expect-error one of loadBalancerArn and loadBalancerArns, not both
export const both: AlbIssuerOptions = { region: 'eu-west-1', loadBalancerArn, loadBalancerArns: [loadBalancerArn] }

// @ts-expect-error the region is required
export const noRegion: AlbIssuerOptions = { loadBalancerArn }

// The access token: any issuer entry, e.g. Cognito's access tokens.
export const withAccessToken = albIssuer({
  region: 'eu-west-1',
  loadBalancerArn,
  accessToken: cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'client', tokenUse: 'access' }),
})

// @ts-expect-error accessToken is an issuer entry, not a string
export const accessTokenNotAnEntry: AlbIssuerOptions = { region: 'eu-west-1', loadBalancerArn, accessToken: 'cognito' }
