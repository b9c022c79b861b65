import { configErrors, isRecord, readRenamed } from '@middy-auth/core/internal'
import type { ClaimsCheck, PublicKeyIssuerConfig } from './issuer-config.js'
import { TokenRejection, type RejectionReason } from './rejection.js'
import { packageName } from './package-name.js'

/**
 * What every preset also accepts, passed through to the entry it returns.
 *
 * @example
 * ```ts
 * cognitoIssuer({ userPoolId, clientId, tokenUse: 'access', clockTolerance: 10 })
 * ```
 */
export type PresetOverrides = Partial<
  Pick<
    PublicKeyIssuerConfig,
    | 'algorithms'
    | 'clockTolerance'
    | 'maxTokenAge'
    | 'requiredClaims'
    | 'claimsCheck'
    | 'claims'
    | 'claimsCacheTtl'
    | 'tokenType'
    | 'jwksUri'
    | 'keyResolver'
    | 'dpop'
    | 'mtls'
  >
>

const presetError = (preset: string, option: string, problem: string): TypeError => configErrors(packageName, preset)(option, problem)

/**
 * A preset's options object, read before any of its fields: `cognitoIssuer()` or
 * `cognitoIssuer(null)` is the preset's `TypeError`, not the engine's destructuring error.
 */
function presetOptions<Options>(preset: string, options: Options): Options {
  if (!isRecord(options)) throw presetError(preset, 'options', 'must be an object')
  return options
}

/** The user's own check: `claimsCheck`, or the deprecated `claims` (with its warning). */
function ownCheck(preset: string, overrides: PresetOverrides): ClaimsCheck | undefined {
  const check = readRenamed(overrides, 'claimsCheck', 'claims', configErrors(packageName, preset))
  // The deprecated name is read above (with its warning), then removed from what the entry keeps.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  delete overrides.claims
  delete overrides.claimsCheck
  return check as ClaimsCheck | undefined
}

/** A preset's claim check: refuses with the claim that failed (`cause.data.reason`), never its value. */
function checkClaim(accepted: boolean, reason: RejectionReason): void {
  if (!accepted) throw new TokenRejection(reason)
}

/**
 * A preset's entry with the user's overrides. A `keyResolver` replaces the preset's `jwksUri`
 * (e.g. the jwks-rsa adapter on a Cognito pool) instead of clashing with it.
 */
function withOverrides(entry: PublicKeyIssuerConfig, overrides: PresetOverrides): PublicKeyIssuerConfig {
  const merged: PublicKeyIssuerConfig = { ...entry, ...overrides }
  if (overrides.keyResolver) delete merged.jwksUri
  return merged
}

const list = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value)

/** Both checks must pass; the user's own check comes second. */
function allOf(first: ClaimsCheck, second: ClaimsCheck | undefined): ClaimsCheck {
  if (!second) return first
  return (payload) => {
    const outcome = first(payload)
    // The preset's own checks are synchronous; an async one still gates the user's.
    if (outcome instanceof Promise) return outcome.then((accepted) => accepted !== false && second(payload))
    return outcome !== false && second(payload)
  }
}

function requireNonEmpty(preset: string, name: string, value: unknown): void {
  const values = typeof value === 'string' ? [value] : value
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw presetError(preset, name, `must be a non-empty string or list of strings`)
  }
}

const userPoolIdPattern = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]+$/

/**
 * Options of {@link cognitoIssuer}.
 *
 * @example
 * ```ts
 * const options: CognitoIssuerOptions = { userPoolId: 'eu-west-1_AbCdEf123', clientId: 'client', tokenUse: 'access' }
 * ```
 */
export interface CognitoIssuerOptions extends PresetOverrides {
  /** The user pool id, e.g. `eu-west-1_AbCdEf123`; the region is taken from it. */
  userPoolId: string
  /** The app client id(s) whose tokens are accepted. */
  clientId: string | readonly string[]
  /** `'access'` (APIs) or `'id'`: the other kind is refused. */
  tokenUse: 'access' | 'id'
}

/**
 * An Amazon Cognito user pool. Access tokens have no `aud`: their `client_id` must be one of
 * `clientId`; id tokens must have `aud` in `clientId`. `token_use` must be `tokenUse`, so an id
 * token is refused where an access token is required. These checks are the entry's
 * `claimsCheck`: with the lean entry, give it the `claimsChecks` extension.
 *
 * @example
 * ```ts
 * jwtVerify({ issuers: [cognitoIssuer({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789', tokenUse: 'access' })] })
 * ```
 */
export function cognitoIssuer(options: CognitoIssuerOptions): PublicKeyIssuerConfig {
  const { userPoolId, clientId, tokenUse, ...overrides } = presetOptions('cognitoIssuer', options)
  const match = typeof userPoolId === 'string' ? userPoolIdPattern.exec(userPoolId) : null
  if (!match) throw presetError('cognitoIssuer', 'userPoolId', `must look like 'eu-west-1_AbCdEf123', got ${JSON.stringify(userPoolId)}`)
  requireNonEmpty('cognitoIssuer', 'clientId', clientId)
  if (tokenUse !== 'access' && tokenUse !== 'id') throw presetError('cognitoIssuer', 'tokenUse', `must be 'access' or 'id'`)
  const issuer = `https://cognito-idp.${match[1]}.amazonaws.com/${userPoolId}`
  const clients = new Set(list(clientId))
  const cognitoCheck: ClaimsCheck = function (payload) {
    checkClaim(payload.token_use === tokenUse, 'token_use')
    if (tokenUse === 'access') checkClaim(typeof payload.client_id === 'string' && clients.has(payload.client_id), 'client_id')
    return true
  }
  const claims = ownCheck('cognitoIssuer', overrides)
  return withOverrides(
    {
      issuer,
      audience: tokenUse === 'id' ? list(clientId) : null,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      algorithms: ['RS256'],
      claimsCheck: allOf(cognitoCheck, claims),
    },
    overrides,
  )
}

/**
 * Options of {@link auth0Issuer}.
 *
 * @example
 * ```ts
 * const options: Auth0IssuerOptions = { domain: 'example.eu.auth0.com', audience: 'https://api.example.com' }
 * ```
 */
export interface Auth0IssuerOptions extends PresetOverrides {
  /** The tenant or custom domain, e.g. `example.eu.auth0.com`. */
  domain: string
  /** The API identifier(s) (`aud`). */
  audience: string | readonly string[] | null
}

function bareDomain(preset: string, domain: unknown): string {
  if (typeof domain !== 'string' || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(domain)) {
    throw presetError(preset, 'domain', `must be a host name such as 'example.eu.auth0.com' (no scheme, no path), got ${JSON.stringify(domain)}`)
  }
  return domain
}

/**
 * An Auth0 tenant: issuer `https://<domain>/` (with its trailing slash), keys at
 * `/.well-known/jwks.json`, RS256 or PS256.
 *
 * @example
 * ```ts
 * jwtVerify({ issuers: [auth0Issuer({ domain: 'example.eu.auth0.com', audience: 'https://api.example.com' })] })
 * ```
 */
export function auth0Issuer(options: Auth0IssuerOptions): PublicKeyIssuerConfig {
  const { domain, audience, ...overrides } = presetOptions('auth0Issuer', options)
  const host = bareDomain('auth0Issuer', domain)
  return withOverrides(
    {
      issuer: `https://${host}/`,
      audience,
      jwksUri: `https://${host}/.well-known/jwks.json`,
      algorithms: ['RS256', 'PS256'],
    },
    overrides,
  )
}

/**
 * Options of {@link oktaIssuer}.
 *
 * @example
 * ```ts
 * const options: OktaIssuerOptions = { domain: 'example.okta.com', audience: 'api://default' }
 * ```
 */
export interface OktaIssuerOptions extends PresetOverrides {
  /** The Okta domain, e.g. `example.okta.com`. */
  domain: string
  /** The authorization server id. Default `'default'`; `null` for the org authorization server. */
  authorizationServerId?: string | null
  /** Accepted `aud` (`api://default` for the default server). */
  audience: string | readonly string[] | null
}

/**
 * An Okta authorization server: issuer `https://<domain>/oauth2/<id>`, keys at `<issuer>/v1/keys`
 * (the org server: `https://<domain>`, keys at `/oauth2/v1/keys`).
 *
 * @example
 * ```ts
 * jwtVerify({ issuers: [oktaIssuer({ domain: 'example.okta.com', audience: 'api://default' })] })
 * ```
 */
export function oktaIssuer(options: OktaIssuerOptions): PublicKeyIssuerConfig {
  const { domain, authorizationServerId = 'default', audience, ...overrides } = presetOptions('oktaIssuer', options)
  const host = bareDomain('oktaIssuer', domain)
  const issuer = authorizationServerId === null ? `https://${host}` : `https://${host}/oauth2/${authorizationServerId}`
  return withOverrides(
    {
      issuer,
      audience,
      jwksUri: authorizationServerId === null ? `${issuer}/oauth2/v1/keys` : `${issuer}/v1/keys`,
      algorithms: ['RS256'],
    },
    overrides,
  )
}

/**
 * Options of {@link entraIssuer}.
 *
 * @example
 * ```ts
 * const options: EntraIssuerOptions = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'api://orders' }
 * ```
 */
export interface EntraIssuerOptions extends PresetOverrides {
  /** The directory (tenant) id, a GUID. Multi-tenant apps list one entry per accepted tenant. */
  tenantId: string
  /** The application ID URI and/or client id the tokens are issued for. */
  audience: string | readonly string[] | null
  /** Which token versions to accept. Default `'both'`. */
  version?: 'v1' | 'v2' | 'both'
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Microsoft Entra ID (Azure AD). v2 tokens are issued by
 * `https://login.microsoftonline.com/<tenant>/v2.0`, v1 tokens by `https://sts.windows.net/<tenant>/`;
 * both are signed by the same keys. The `tid` claim must be the tenant (the entry's
 * `claimsCheck`: with the lean entry, give it the `claimsChecks` extension).
 *
 * @example
 * ```ts
 * jwtVerify({ issuers: [entraIssuer({ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'api://orders' })] })
 * ```
 */
export function entraIssuer(options: EntraIssuerOptions): PublicKeyIssuerConfig {
  const { tenantId, audience, version = 'both', ...overrides } = presetOptions('entraIssuer', options)
  if (typeof tenantId !== 'string' || !guid.test(tenantId)) {
    throw presetError(
      'entraIssuer',
      'tenantId',
      `must be the tenant's GUID ('common' and 'organizations' cannot be verified: list each accepted tenant), got ${JSON.stringify(tenantId)}`,
    )
  }
  if (version !== 'v1' && version !== 'v2' && version !== 'both') throw presetError('entraIssuer', 'version', `must be 'v1', 'v2' or 'both'`)
  const v2 = `https://login.microsoftonline.com/${tenantId}/v2.0`
  const v1 = `https://sts.windows.net/${tenantId}/`
  const tenant = tenantId.toLowerCase()
  const claims = ownCheck('entraIssuer', overrides)
  return withOverrides(
    {
      issuer: version === 'v1' ? [v1] : version === 'v2' ? [v2] : [v2, v1],
      audience,
      jwksUri: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
      algorithms: ['RS256'],
      claimsCheck: allOf((payload) => checkClaim(typeof payload.tid === 'string' && payload.tid.toLowerCase() === tenant, 'tid'), claims),
    },
    overrides,
  )
}

/**
 * Options of {@link keycloakIssuer}.
 *
 * @example
 * ```ts
 * const options: KeycloakIssuerOptions = { url: 'https://sso.example.com', realm: 'shop', audience: null }
 * ```
 */
export interface KeycloakIssuerOptions extends PresetOverrides {
  /** The server's base URL, e.g. `https://sso.example.com` (add `/auth` for Keycloak before 17). */
  url: string
  realm: string
  /** Accepted `aud`; Keycloak puts the client in `aud` only with an audience mapper. */
  audience: string | readonly string[] | null
  /** When given, `azp` (the client the token was issued to) must be one of these. */
  clientId?: string | readonly string[]
}

/**
 * A Keycloak realm: issuer `<url>/realms/<realm>`, keys at `<issuer>/protocol/openid-connect/certs`.
 * With `clientId`, `azp` must be one of them (the entry's `claimsCheck`: with the lean entry,
 * give it the `claimsChecks` extension).
 *
 * @example
 * ```ts
 * jwtVerify({ issuers: [keycloakIssuer({ url: 'https://sso.example.com', realm: 'shop', audience: null, clientId: 'orders-api' })] })
 * ```
 */
export function keycloakIssuer(options: KeycloakIssuerOptions): PublicKeyIssuerConfig {
  const { url, realm, audience, clientId, ...overrides } = presetOptions('keycloakIssuer', options)
  if (typeof url !== 'string' || !/^https?:\/\/[^/]+(\/.*)?$/.test(url))
    throw presetError('keycloakIssuer', 'url', `must be the server's base URL, got ${JSON.stringify(url)}`)
  if (typeof realm !== 'string' || realm === '' || realm.includes('/')) throw presetError('keycloakIssuer', 'realm', `must be a realm name`)
  const issuer = `${url.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`
  const claims = ownCheck('keycloakIssuer', overrides)
  let check = claims
  if (clientId !== undefined) {
    requireNonEmpty('keycloakIssuer', 'clientId', clientId)
    const clients = new Set(list(clientId))
    check = allOf((payload) => checkClaim(typeof payload.azp === 'string' && clients.has(payload.azp), 'azp'), claims)
  }
  return withOverrides(
    {
      issuer,
      audience,
      jwksUri: `${issuer}/protocol/openid-connect/certs`,
      algorithms: ['RS256', 'PS256', 'ES256'],
      ...(check ? { claimsCheck: check } : {}),
    },
    overrides,
  )
}
