import {
  apiGatewayClaims,
  claimsChecks,
  oidcDiscovery,
  opaqueTokenHandoff,
  resourceMetadataChallenge,
  senderConstraints,
  staticKeys,
  tokenSources,
  tuning,
} from './extensions.js'
import type { JwtVerifyExtension, JwtVerifyExtensions } from './extension-types.js'

/**
 * The root entry's extensions: all of them, so that every option works as it always did. Its
 * `extensions` option is still checked (a mistake there is a `TypeError` in both entries), and
 * then not needed.
 */
export const everyExtension: JwtVerifyExtensions = new Map<string, JwtVerifyExtension>(
  [senderConstraints, apiGatewayClaims, opaqueTokenHandoff, staticKeys, oidcDiscovery, tokenSources, claimsChecks, resourceMetadataChallenge, tuning].map(
    (extension) => [extension.name, extension],
  ),
)
