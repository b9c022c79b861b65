// Red team, round 3: optional features registered through core's featureSlot only when their
// subpath is imported (feat/bundle). This file imports none of the subpaths ('/sender-constrained',
// '/api-gateway', '/opaque-tokens', '/routes'), as an application that forgot them: a bound token
// must still be refused (never taken as a bearer token), and an option whose code is absent must
// be a TypeError at cold start naming the import (never a silent fallback). On a tree without
// feature slots the options simply work: then the same attacks assert the refusals.
import { describe, expect, test } from '@jest/globals'
import jwtVerify, { type JwtVerifyOptions } from '@middy-auth/jwt-verify'
import oauthScope from '@middy-auth/oauth-scope'
import { httpApiEvent, restEvent } from '@middy-auth/testing'
import { createHmac } from 'node:crypto'
import { errorCode, protect, withIdentity, type Middleware } from '../support/protect.js'
import { boundConfirmations, thumbprint } from '../support/bound-tokens.js'

const NOW = 1_760_000_000
const issuer = 'https://issuer.red-team.example/'
const audience = 'orders-api'
const secret = 'a shared secret of at least thirty-two bytes'
const b64u = (value: string) => Buffer.from(value).toString('base64url')
const hs256 = (claims: Record<string, unknown>): string => {
  const input = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify({ iss: issuer, aud: audience, sub: 'alice', iat: NOW, exp: NOW + 600, ...claims }))}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}
const entry = { issuer, audience, secret, algorithms: ['HS256' as const] }
const options = (extra: Partial<JwtVerifyOptions> = {}) => ({ issuers: [entry], clock: () => NOW * 1000, ...extra }) as JwtVerifyOptions

/** The middleware, or the cold-start TypeError that names the missing import. */
const buildOrImportError = (build: () => Middleware, importPath: string): Middleware | undefined => {
  try {
    return build()
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toContain(importPath)
    return undefined
  }
}

describe('bound tokens, without the sender-constrained import', () => {
  test.each(boundConfirmations)('%s, sent as Bearer: 401 invalid_token, on the first request and on a cache hit of the plain token', async (_name, cnf) => {
    const { invoke, seen } = protect([jwtVerify(options())])
    const plain = hs256({})
    expect((await invoke(httpApiEvent({ headers: { authorization: `Bearer ${plain}` } }))).statusCode).toBe(200)
    const token = hs256({ cnf })
    for (let i = 0; i < 2; i++) {
      const response = await invoke(httpApiEvent({ headers: { authorization: `Bearer ${token}` } }))
      expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_token'])
      expect(response.body).not.toContain(thumbprint)
    }
    expect(seen).toHaveLength(1)
  })

  test('a DPoP-bound token under the DPoP scheme, with a proof header: refused (4xx), never 200', async () => {
    const { invoke, seen } = protect([jwtVerify(options())])
    const token = hs256({ cnf: { jkt: thumbprint } })
    const response = await invoke(httpApiEvent({ headers: { authorization: `DPoP ${token}`, dpop: 'a.b.c' } }))
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
    expect(seen).toHaveLength(0)
  })

  test('a plain token under the DPoP scheme: refused (4xx), not taken as Bearer', async () => {
    const { invoke, seen } = protect([jwtVerify(options())])
    const response = await invoke(httpApiEvent({ headers: { authorization: `DPoP ${hs256({})}`, dpop: 'a.b.c' } }))
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
    expect(seen).toHaveLength(0)
  })

  test('dpop or mtls configured without the import: a TypeError at cold start naming it (or, where the code is bundled, a working check)', () => {
    for (const extra of [{ dpop: { boundTokens: 'allowed' } }, { mtls: { boundTokens: 'allowed' } }] as Array<
      Partial<typeof entry> & Record<string, unknown>
    >) {
      const middleware = buildOrImportError(
        () => jwtVerify({ issuers: [{ ...entry, ...extra }], clock: () => NOW * 1000 } as JwtVerifyOptions),
        '@middy-auth/jwt-verify/sender-constrained',
      )
      if (middleware) expect(typeof middleware.before).toBe('function')
    }
  })
})

describe('trustApiGateway, without the api-gateway import', () => {
  test('a TypeError at cold start naming the import; where it builds, a gateway identity bound to a key is refused and an unbound one accepted', async () => {
    const middleware = buildOrImportError(() => jwtVerify(options({ trustApiGateway: true })), '@middy-auth/jwt-verify/api-gateway')
    if (!middleware) return
    const { invoke, seen } = protect([middleware])
    const boundClaims = { iss: issuer, aud: audience, sub: 'alice', cnf: { jkt: 'x' } }
    const refused = await invoke(httpApiEvent({ authorizer: { jwt: { claims: boundClaims, scopes: null } } }))
    expect([refused.statusCode, errorCode(refused)]).toEqual([401, 'invalid_token'])
    const accepted = await invoke(httpApiEvent({ authorizer: { jwt: { claims: { iss: issuer, aud: audience, sub: 'alice' }, scopes: null } } }))
    expect(accepted.statusCode).toBe(200)
    expect(seen.map((auth) => [auth.source, auth.subject])).toEqual([['apigateway', 'alice']])
  })

  test('without trustApiGateway, a gateway identity is not taken for a token: no Authorization header is 401', async () => {
    const { invoke, seen } = protect([jwtVerify(options())])
    const response = await invoke(httpApiEvent({ authorizer: { jwt: { claims: { iss: issuer, aud: audience, sub: 'alice' }, scopes: null } } }))
    expect([response.statusCode, errorCode(response)]).toEqual([401, 'missing_token'])
    const rest = await invoke(restEvent({ authorizer: { principalId: 'alice', roles: 'admin' } } as never))
    expect([rest.statusCode, errorCode(rest)]).toEqual([401, 'missing_token'])
    expect(seen).toHaveLength(0)
  })
})

describe('opaque tokens and route maps, without their imports', () => {
  test('opaqueTokens: a TypeError at cold start naming the import, or (bundled) an opaque token only ever reaches that verifier', async () => {
    const asked: string[] = []
    const verifier = {
      verifyToken: (token: string) => (asked.push(token), { source: 'introspection' as const, subject: 'opaque-user', scopes: [], roles: [], claims: {} }),
    }
    const middleware = buildOrImportError(() => jwtVerify(options({ opaqueTokens: verifier } as never)), '@middy-auth/jwt-verify/opaque-tokens')
    if (!middleware) return
    const { invoke } = protect([middleware])
    // A JWT-shaped forgery never goes to the opaque verifier (which would accept anything here).
    const forged = `${b64u('{"alg":"none"}')}.${b64u('{"sub":"root"}')}.`
    expect((await invoke(httpApiEvent({ headers: { authorization: `Bearer ${forged}` } }))).statusCode).toBe(401)
    expect(asked).toEqual([])
  })

  test('oauthScope routes: a TypeError at cold start naming the import, or (bundled) an unlisted route is 403', async () => {
    const middleware = buildOrImportError(() => oauthScope({ routes: { 'GET /orders': ['orders:read'] } } as never), '@middy-auth/oauth-scope/routes')
    if (!middleware) return
    const { invoke, seen } = protect([withIdentity({ subject: 'alice', scopes: ['orders:read'] }), middleware])
    const response = await invoke(httpApiEvent({ routeKey: 'DELETE /orders', method: 'DELETE', path: '/orders' }))
    expect([response.statusCode, errorCode(response)]).toEqual([403, 'access_denied'])
    expect(seen).toHaveLength(0)
  })
})
