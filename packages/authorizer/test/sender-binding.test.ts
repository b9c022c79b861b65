import { beforeAll, describe, expect, test } from '@jest/globals'
import { certificateThumbprint } from '@middy-auth/jwt-verify/keys'
import { authorizerRequestEvent, httpAuthorizerEventV2 } from '@middy-auth/testing'
import { selfSignedCertificate } from '../../../test/support/certificates.js'
import { authorizer, policyOf, useIssuer } from './support.js'

/**
 * A Lambda authorizer sees the client certificate of a mutual-TLS request too, so
 * `jwtVerify({ mtls })` in front of `authorizerResponse()` checks certificate-bound tokens at
 * the gateway as it does in a function — with the authorizer's result cache off
 * (`gatewayCache: false`): a cached answer would be reused for a stolen token from another
 * connection, whatever its certificate, so with the cache on a bound token is refused.
 */
const { verify, sign } = useIssuer()
const pems: string[] = []

beforeAll(() => {
  pems.push(...['device-1', 'device-2'].map((name) => selfSignedCertificate(name).pem))
})

describe('certificate-bound tokens at a Lambda authorizer', () => {
  test('REST REQUEST authorizer: Allow with the bound certificate, Unauthorized with another or none', async () => {
    const [mine, other] = pems as [string, string]
    const token = await sign({ cnf: { 'x5t#S256': certificateThumbprint(mine) } })
    const fn = authorizer({ format: 'iam-policy', gatewayCache: false }, [verify({ mtls: { boundTokens: 'required' } })])
    const event = (pem?: string) => {
      const e = authorizerRequestEvent({ bearer: token }) as Record<string, any>
      if (pem) e.requestContext.identity = { ...(e.requestContext.identity ?? {}), clientCert: { clientCertPem: pem } }
      return e
    }
    expect(policyOf(await fn.invoke(event(mine))).policyDocument.Statement[0]?.Effect).toBe('Allow')
    expect(await fn.invoke(event(other))).toEqual({ kind: 'error', message: 'Unauthorized' })
    expect(await fn.invoke(event())).toEqual({ kind: 'error', message: 'Unauthorized' })
  })

  test('HTTP API 2.0 authorizer (simple response): authorized only with the bound certificate', async () => {
    const [mine, other] = pems as [string, string]
    const token = await sign({ cnf: { 'x5t#S256': certificateThumbprint(mine) } })
    const fn = authorizer({ gatewayCache: false }, [verify({ mtls: { boundTokens: 'allowed' } })])
    const event = (pem: string) => {
      const e = httpAuthorizerEventV2({ bearer: token }) as Record<string, any>
      e.requestContext.authentication = { clientCert: { clientCertPem: pem } }
      return e
    }
    expect(await fn.invoke(event(mine))).toMatchObject({ kind: 'response', response: { isAuthorized: true } })
    expect(await fn.invoke(event(other))).toMatchObject({ kind: 'response', response: { isAuthorized: false } })
  })

  test('with the cache on (the default), a bound token is refused and logged: a cached answer would serve a stolen token on another connection', async () => {
    const [mine] = pems as [string, string]
    const token = await sign({ cnf: { 'x5t#S256': certificateThumbprint(mine) } })
    const fn = authorizer({ format: 'iam-policy' }, [verify({ mtls: { boundTokens: 'required' } })])
    const e = authorizerRequestEvent({ bearer: token }) as Record<string, any>
    e.requestContext.identity = { ...(e.requestContext.identity ?? {}), clientCert: { clientCertPem: mine } }
    const policy = policyOf(await fn.invoke(e))
    expect(policy.policyDocument.Statement.every((statement) => statement.Effect === 'Deny')).toBe(true)
    expect(fn.logs).toEqual([
      expect.objectContaining({ reason: 'request_specific_check', checks: [{ package: '@middy-auth/jwt-verify', reason: 'bound token' }] }),
    ])
  })
})
