import { describe, expect, it } from '@jest/globals'
import { gatewayAuth } from '@middy-auth/core'
import {
  configErrors,
  gatewayReaderOf,
  needExtension,
  readExtensions,
  resolveAuthWith,
  type ApiGatewayClaimsExtension,
  type Extension,
} from '@middy-auth/core/internal'
import { loadFixture } from '../../../test/support/fixtures.js'

const packageName = '@middy-auth/oauth-scope'
const fail = configErrors(packageName, 'oauthScope')
const mark = '@middy-auth/oauth-scope extensions v1'
const routeMaps: Extension & { compile: () => string } = { package: packageName, name: 'routeMaps', mark, compile: () => 'compiled' }

describe('extensions of a lean entry', () => {
  it('reads the listed extensions by name, and none when the option is left out', () => {
    const extensions = readExtensions<typeof routeMaps>([routeMaps], fail, mark)
    expect(needExtension(extensions, 'routeMaps', 'routes', fail).compile()).toBe('compiled')
  })

  it('refuses what is not a list of this package’s extensions, at cold start', () => {
    expect(() => readExtensions(routeMaps, fail, mark)).toThrow(`oauthScope: extensions must be a list of extensions from '@middy-auth/oauth-scope/extensions'`)
    const ofRbac = { package: '@middy-auth/rbac', name: 'routeMaps', mark: '@middy-auth/rbac extensions v1', compile: () => '' }
    expect(() => readExtensions([routeMaps, ofRbac], fail, mark)).toThrow(
      `oauthScope: extensions[1] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`,
    )
    expect(() => readExtensions([null], fail, mark)).toThrow(/extensions\[0\] must be an extension/)
  })

  it('refuses an object without the mark of this package and version: written by hand, or of a version whose code differs', () => {
    // Refused at cold start, never at a request, even with every function its name needs.
    const refused = `oauthScope: extensions[0] must be an extension from '@middy-auth/oauth-scope/extensions', of the same version`
    expect(() => readExtensions([{ package: packageName, name: 'routeMaps', compile: () => '' }], fail, mark)).toThrow(refused)
    expect(() => readExtensions([{ ...routeMaps, mark: '@middy-auth/oauth-scope extensions v2' }], fail, mark)).toThrow(refused)
    expect(() => readExtensions([{ ...routeMaps, mark: Symbol(mark) }], fail, mark)).toThrow(refused)
    for (const value of [undefined, 0, 'routeMaps', mark, () => mark]) expect(() => readExtensions([value], fail, mark)).toThrow(refused)
    // Extensions are objects: an array or a function carrying one's fields is none (as before the marks).
    expect(() => readExtensions([Object.assign([], routeMaps)], fail, mark)).toThrow(refused)
    expect(() => readExtensions([Object.assign(() => 'compiled', { package: packageName, mark, compile: routeMaps.compile })], fail, mark)).toThrow(refused)
    // A copy that lost its code (a JSON round trip, a member set to undefined, data beside the
    // code): refused at cold start, never read as an extension without code.
    expect(() => readExtensions([JSON.parse(JSON.stringify(routeMaps))], fail, mark)).toThrow(refused)
    expect(() => readExtensions([{ ...routeMaps, compile: undefined }], fail, mark)).toThrow(refused)
    expect(() => readExtensions([{ ...routeMaps, settings: {} }], fail, mark)).toThrow(refused)
    // A prototype child of an extension carries its code.
    expect(needExtension(readExtensions<typeof routeMaps>([Object.create(routeMaps)], fail, mark), 'routeMaps', 'routes', fail).compile()).toBe('compiled')
    // A copy of an extension (another installed copy of the package, or a spread) carries its code and its mark.
    expect(needExtension(readExtensions<typeof routeMaps>([{ ...routeMaps }], fail, mark), 'routeMaps', 'routes', fail).compile()).toBe('compiled')
    // The same extension twice is the same code.
    expect([...readExtensions([routeMaps, routeMaps], fail, mark).keys()]).toEqual(['routeMaps'])
  })

  it('names the import that adds a missing extension, with the option that needs it', () => {
    let error: unknown
    try {
      needExtension(new Map(), 'routeMaps', 'routes', fail)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).message).toBe(
      `oauthScope: routes needs the routeMaps extension: import { routeMaps } from '@middy-auth/oauth-scope/extensions' and pass extensions: [routeMaps] (or import oauthScope from '@middy-auth/oauth-scope')`,
    )
    expect((error as TypeError).cause).toEqual({ package: packageName, option: 'routes' })
  })
})

describe('the identity a consumer works on, with the gateway reader as a value', () => {
  const request = (event: unknown) => ({ event, context: {} as Record<string, unknown>, internal: {} })
  const apiGatewayClaims: ApiGatewayClaimsExtension = { package: packageName, name: 'apiGatewayClaims', mark, gatewayAuth }

  it('with apiGatewayClaims, reads the identity the gateway verified and writes it on context.auth', () => {
    const readGateway = gatewayReaderOf(readExtensions([routeMaps, apiGatewayClaims], fail, mark))
    expect(readGateway).toBe(gatewayAuth)
    const withGateway = request(loadFixture('http-v2-jwt.json'))
    const auth = resolveAuthWith(withGateway, readGateway)
    expect(auth).toMatchObject({ source: 'apigateway' })
    expect(withGateway.context.auth).toBe(auth)
  })

  it('without it, reads only context.auth: the same event has no identity', () => {
    const readGateway = gatewayReaderOf(readExtensions([routeMaps], fail, mark))
    expect(readGateway).toBeUndefined()
    const withGateway = request(loadFixture('http-v2-jwt.json'))
    expect(resolveAuthWith(withGateway, readGateway)).toBeUndefined()
    expect(withGateway.context.auth).toBeUndefined()
    const identified = request(loadFixture('http-v2-jwt.json'))
    const earlier = { source: 'jwt', subject: 'alice', scopes: [], roles: [], claims: {} }
    identified.context.auth = earlier
    expect(resolveAuthWith(identified, readGateway)).toBe(earlier)
  })
})
