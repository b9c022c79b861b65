/**
 * A lean entry takes only extensions with its package's mark (core's `Extension.mark`), which
 * stands for the shapes of that package's extensions: two copies of a package with the same mark
 * must carry extensions a lean entry of either can call. This records the shapes each mark stands
 * for. An extension's code changed shape (a function added, removed, renamed, or taking another
 * number of arguments)? Raise the number of the package's mark (`extensionMark`) and record the
 * new shapes under the new mark: a lean entry of the earlier version then refuses the new
 * extensions at cold start (and the reverse), instead of calling them wrongly at a request.
 */
import { describe, expect, test } from '@jest/globals'
import * as jwtVerifyExtensions from '@middy-auth/jwt-verify/extensions'
import * as oauthScopeExtensions from '@middy-auth/oauth-scope/extensions'
import * as rbacExtensions from '@middy-auth/rbac/extensions'

/** Each extension's functions, as `name/arguments`, by extension, under the mark of its package. */
const recorded: Record<string, Record<string, string>> = {
  '@middy-auth/jwt-verify extensions v1': {
    apiGatewayClaims: 'wrap/5',
    claimsChecks: 'compile/2 read/3',
    oidcDiscovery: 'keyResolver/2',
    opaqueTokenHandoff: 'compile/2 notes/1',
    resourceMetadataChallenge: 'read/2',
    senderConstraints: 'bind/2 compile/2 notes/1 toAuthError/2',
    staticKeys: 'jwks/3 keyResolver/3 keys/3 secret/4',
    tokenSources: 'compile/2 notes/1 problem/1',
    tuning: 'cache/2 jwks/2',
  },
  '@middy-auth/oauth-scope extensions v1': {
    apiGatewayClaims: 'gatewayAuth/1',
    resourceMetadataChallenge: 'read/1',
    routeMaps: 'compileRoutes/1',
    scopeClaims: 'compileScopeClaims/1',
  },
  '@middy-auth/rbac extensions v1': {
    apiGatewayClaims: 'gatewayAuth/1',
    conditions: 'compile/3 readAllow/3',
    decisionRecords: 'compile/1',
    requirementFunctions: 'compile/1',
    roleMaps: 'compile/2',
    routeMaps: 'compile/2',
  },
}

describe.each([
  ['@middy-auth/jwt-verify', jwtVerifyExtensions],
  ['@middy-auth/oauth-scope', oauthScopeExtensions],
  ['@middy-auth/rbac', rbacExtensions],
])('the extensions of %s', (packageName, module) => {
  const extensions = Object.entries(module as unknown as Record<string, Record<string, unknown>>)
  const marks = new Set(extensions.map(([, extension]) => extension.mark))

  test('carry one mark, of their package, and their own name', () => {
    expect([...marks]).toHaveLength(1)
    expect([...marks][0]).toMatch(new RegExp(`^${packageName} extensions v\\d+$`))
    for (const [exportName, extension] of extensions) expect(extension).toMatchObject({ package: packageName, name: exportName })
  })

  test('have the shapes their mark stands for (a new shape needs a new mark)', () => {
    const shapes = Object.fromEntries(
      extensions.map(([name, extension]) => [
        name,
        Object.entries(extension)
          .filter(([, value]) => typeof value === 'function')
          .map(([member, value]) => `${member}/${(value as (...args: unknown[]) => unknown).length}`)
          .sort()
          .join(' '),
      ]),
    )
    expect(shapes).toEqual(recorded[[...marks][0] as string])
  })
})
