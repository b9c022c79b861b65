// An outsider's copies of the lean entries' extensions: a copy that lost its code (a JSON round
// trip, a member set to undefined) still carries the extension's mark. Read as an extension, an
// option served by a function read only at cold start (apiGatewayClaims) would be silently
// ignored; it must be a TypeError at cold start, in every package, and never a request's answer.
import { describe, expect, test } from '@jest/globals'
import * as jwtExtensions from '@middy-auth/jwt-verify/extensions'
import leanJwtVerify from '@middy-auth/jwt-verify/lean'
import * as scopeExtensions from '@middy-auth/oauth-scope/extensions'
import leanOAuthScope from '@middy-auth/oauth-scope/lean'
import * as rbacExtensions from '@middy-auth/rbac/extensions'
import leanRbac from '@middy-auth/rbac/lean'

/** The copies an outsider makes: through JSON, and a spread with the code's members undefined. */
const lossyCopies = (extension: object): Array<[string, unknown]> => [
  ['a JSON round trip', JSON.parse(JSON.stringify(extension))],
  [
    'its functions set to undefined',
    Object.fromEntries(Object.entries(extension).map(([member, value]) => [member, typeof value === 'function' ? undefined : value])),
  ],
]

const refusal = (factory: string, from: string) => `${factory}: extensions[0] must be an extension from '${from}/extensions', of the same version`

describe('an extension copy that lost its code is refused at cold start, not read as no code', () => {
  test.each(lossyCopies(jwtExtensions.apiGatewayClaims))('jwtVerify with trustApiGateway and apiGatewayClaims through %s', (_how, copy) => {
    expect(() => leanJwtVerify({ trustApiGateway: true, extensions: [copy as never] })).toThrow(refusal('jwtVerify', '@middy-auth/jwt-verify'))
  })

  test.each(lossyCopies(scopeExtensions.apiGatewayClaims))('oauthScope with apiGatewayClaims through %s', (_how, copy) => {
    expect(() => leanOAuthScope({ required: ['orders:read'], extensions: [copy as never] })).toThrow(refusal('oauthScope', '@middy-auth/oauth-scope'))
  })

  test.each(lossyCopies(rbacExtensions.apiGatewayClaims))('rbac with apiGatewayClaims through %s', (_how, copy) => {
    expect(() =>
      leanRbac({
        policy: { roles: { reader: { allow: ['orders:read'] } } },
        rolesFrom: 'cognito:groups',
        required: 'orders:read',
        extensions: [copy as never],
      }),
    ).toThrow(refusal('rbac', '@middy-auth/rbac'))
  })

  test('every extension of every package, copied through JSON, is refused; the extension itself and a spread copy are taken', () => {
    for (const [extensions, make] of [
      [jwtExtensions, (list: unknown[]) => leanJwtVerify({ trustApiGateway: true, extensions: list as never })],
      [scopeExtensions, (list: unknown[]) => leanOAuthScope({ required: ['orders:read'], extensions: list as never })],
      [
        rbacExtensions,
        (list: unknown[]) =>
          leanRbac({
            policy: { roles: { reader: { allow: ['orders:read'] } } },
            rolesFrom: 'cognito:groups',
            required: 'orders:read',
            extensions: list as never,
          }),
      ],
    ] as const) {
      for (const extension of Object.values(extensions)) {
        expect(() => make([JSON.parse(JSON.stringify(extension))])).toThrow(/extensions\[0\] must be an extension from/)
        expect(() => make([extension, { ...extension }, extensions.apiGatewayClaims])).not.toThrow()
      }
    }
  })
})
