import type { AuthContext } from '@middy-auth/core'
import { checkOptionNames, configErrors, emptyRecord, readDuration, readScopeList, type TokenSource } from '@middy-auth/core/internal'
import { compileAlbAccessToken, type AccessTokenCheck } from './alb-access-token.js'
import type { AlbRules } from './alb-rules.js'
import { createAlbKeyResolver, type FetchPem } from './alb-key-resolver.js'
import { isAlgorithm, keyFitsAlgorithm, verifySignature, type Algorithm } from './algorithms.js'
import { checkClaims } from './claims-check.js'
import { checkHeader } from './header-check.js'
import type { IssuerConfig } from './issuer-config.js'
import { decodeJws, MAX_TOKEN_LENGTH, type DecodedJws } from './jws.js'
import type { KeyResolver, ResolvedKey } from './key-resolver.js'
import { albEntries, albRulesOf } from './options.js'
import { packageName } from './package-name.js'
import { TokenRejection } from './rejection.js'
import { secondsOf, type CheckGatewayClaims, type CompiledIssuer, type Verify, type CreateVerifier } from './verifier.js'

/**
 * Options of {@link albIssuer}. Give `loadBalancerArn` or `loadBalancerArns`.
 *
 * @example
 * ```ts
 * const options: AlbIssuerOptions = {
 *   region: 'eu-west-1',
 *   loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
 *   clientId: '3nkoep4151b7umeggnottc30u9',
 * }
 * ```
 */
export type AlbIssuerOptions = {
  /** The load balancer's region: its keys are served per region. */
  region: string
  /** The `client` the load balancer's OIDC action uses: tokens for another client are refused. Default: not checked. */
  clientId?: string
  /** The identity provider's `iss`, which the payload must carry. Default: not checked (the `signer` is what is trusted). */
  issuer?: string
  /** The key endpoint, without `/<kid>`. Default `https://public-keys.auth.elb.<region>.amazonaws.com` (set it for GovCloud and for tests). */
  endpoint?: string
  /** Leeway for `exp`, in seconds. Default 5. */
  clockTolerance?: number
  /** Milliseconds for one key fetch. Default 3000. */
  timeoutMs?: number
  /** Replaces the HTTP client of the key fetches (proxies, tests). */
  fetchPem?: FetchPem
  /**
   * The identity provider's issuer entry (e.g. `cognitoIssuer({ ..., tokenUse: 'access' })`):
   * then the access token the load balancer forwards in `x-amzn-oidc-accesstoken` is required
   * too, verified as jwtVerify verifies that entry's tokens, with the same `sub` as the signed
   * claims; its scopes join `context.auth.scopes`. Default: not read.
   */
  accessToken?: IssuerConfig
} & (
  | {
      /** The load balancer whose signature is accepted: the token header's `signer`. */
      loadBalancerArn: string
      loadBalancerArns?: undefined
    }
  | {
      /** The load balancers whose signatures are accepted. */
      loadBalancerArns: readonly string[]
      loadBalancerArn?: undefined
    }
)

/** The `TypeError` of configuration that can never work, thrown at cold start. */
const fail = configErrors(packageName, 'albIssuer')

const albOptions = ['region', 'loadBalancerArn', 'loadBalancerArns', 'clientId', 'issuer', 'endpoint', 'clockTolerance', 'timeoutMs', 'fetchPem', 'accessToken']
const regionPattern = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$/
const arnPattern = /^arn:aws(?:-[a-z-]+)?:elasticloadbalancing:([a-z0-9-]+):\d{12}:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/

/**
 * A jwt-verify issuer entry for the user claims an Application Load Balancer signs after it
 * authenticated the user (OIDC or Cognito action) and forwards in `x-amzn-oidc-data`: ES256,
 * the key fetched by `kid` as a PEM from the region's key endpoint, and the header's `signer`
 * one of the listed load balancers (and `client` the `clientId`, when given). The load
 * balancer's padded base64url segments are verified as it emits them. The identity has
 * `source: 'alb'`. With only ALB entries, jwtVerify reads `x-amzn-oidc-data` by default.
 * With `accessToken`, the identity provider's access token in `x-amzn-oidc-accesstoken` must
 * verify too and name the same `sub`; its scopes join `context.auth.scopes` (the claims stay
 * the load balancer's).
 *
 * Every load balancer in the region signs with keys from the same endpoint: the `signer` check
 * is what tells yours from anyone else's, and it happens before any key is fetched.
 *
 * @example
 * ```ts
 * import jwtVerify, { albIssuer } from '@middy-auth/jwt-verify'
 *
 * const verify = jwtVerify({
 *   issuers: [albIssuer({
 *     region: 'eu-west-1',
 *     loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
 *     clientId: '3nkoep4151b7umeggnottc30u9',
 *   })],
 * })
 * ```
 */
export function albIssuer(options: AlbIssuerOptions): IssuerConfig {
  checkOptionNames(options, albOptions, fail)
  const { region, clientId, issuer, endpoint, clockTolerance, fetchPem, accessToken } = options
  const timeoutMs = options.timeoutMs === undefined ? undefined : readDuration(options.timeoutMs, 'timeoutMs', fail, { unit: 'milliseconds', fallback: 3000 })
  if (typeof region !== 'string' || !regionPattern.test(region)) throw fail('region', `must be an AWS region such as 'eu-west-1'`)
  const arns = options.loadBalancerArns ?? (options.loadBalancerArn === undefined ? undefined : [options.loadBalancerArn])
  if (options.loadBalancerArn !== undefined && options.loadBalancerArns !== undefined) {
    throw fail('loadBalancerArns', `goes without loadBalancerArn: give one or the other`)
  }
  if (!Array.isArray(arns) || arns.length === 0) throw fail('loadBalancerArn', `(or a non-empty 'loadBalancerArns') is required`)
  for (const arn of arns as unknown[]) {
    const match = typeof arn === 'string' ? arnPattern.exec(arn) : null
    if (!match)
      throw fail(
        'loadBalancerArns',
        `has ${JSON.stringify(arn)}, not an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)`,
      )
    if (match[1] !== region) throw fail('loadBalancerArns', `has ${String(arn)}, not in region ${region}: its keys are served from its own region`)
  }
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) throw fail('clientId', `must be a non-empty string`)
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer === '')) throw fail('issuer', `must be a non-empty string`)
  let albKeys: KeyResolver
  try {
    albKeys = createAlbKeyResolver({
      endpoint: endpoint ?? `https://public-keys.auth.elb.${region}.amazonaws.com`,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(fetchPem === undefined ? {} : { fetchPem }),
    })
  } catch (error) {
    // The resolver's own option, named as albIssuer's (the endpoint's URL check names none).
    const { message, cause } = error as TypeError & { cause?: { option?: string } }
    throw fail(cause?.option ?? 'endpoint', message.replace(/^(createAlbKeyResolver: )?\S+ /, ''))
  }
  const access = accessToken === undefined ? undefined : compileAlbAccessToken(accessToken, timeoutMs, fail)
  // The load balancer's keys cannot be prefetched (its kid is known from its first token), the
  // provider's can: jwtVerify prefetches every entry's resolver at cold start.
  const resolver: KeyResolver = access ? { cached: () => albKeys.cached(), getKeySet: (kid) => albKeys.getKeySet(kid), prefetch: access.prefetch } : albKeys
  // The resolver (a fresh object of this call) names the entry's rules: the entry itself stays a
  // plain issuer entry, and jwtVerify finds them without importing this module.
  albEntries.set(resolver, {
    signers: new Set(arns as string[]),
    clientId,
    issuer,
    accessToken: access,
    tokenSource: albTokenSource,
    createVerifier: createAlbVerifier,
  })
  return {
    // The load balancer is what signed the token: its ARNs name the entry.
    issuer: arns,
    // The load balancer's claims carry no `aud`: `client` (above) is its audience.
    audience: null,
    keyResolver: resolver,
    algorithms: ['ES256'],
    ...(clockTolerance === undefined ? {} : { clockTolerance }),
  }
}

const isAlbEntry = (entry: unknown): boolean => albRulesOf((entry as { keyResolver?: unknown } | null | undefined)?.keyResolver) !== undefined

/** The token source without one configured: `x-amzn-oidc-data` (the bare token) when every entry came from `albIssuer()`. */
const albTokenSource = (issuers: readonly unknown[]): TokenSource | undefined =>
  issuers.every(isAlbEntry) ? { header: 'x-amzn-oidc-data', scheme: null } : undefined

/** A segment as the load balancer emits it: base64url, padded to a multiple of 4 with `=`, or not padded. */
const albSegment = /^[A-Za-z0-9_-]+(?:={1,2})?$/

function checkAlbSegments(token: string): string[] {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejection('too_large')
  const segments = token.split('.')
  if (segments.length !== 3) throw new TokenRejection('malformed', 'segments')
  for (const segment of segments) {
    if (!albSegment.test(segment) || (segment.endsWith('=') && segment.length % 4 !== 0)) throw new TokenRejection('malformed', 'base64url')
  }
  return segments
}

/** An ALB entry, found by the `signer` of a token's header. */
interface Signer {
  readonly entry: CompiledIssuer
  readonly rules: AlbRules
  readonly accessTokenCheck: AccessTokenCheck | undefined
}

/**
 * The verification of ALB entries, used by jwtVerify instead of the JWT verifier when its
 * entries are ALB entries (see `compileOptions`). The issuer entry is picked by the
 * header's `signer` before any key is fetched; padding is taken off for decoding, while the
 * signature is checked over the segments as received.
 */
function createAlbVerifier(issuers: readonly CompiledIssuer[], cacheMaxEntries: number, now: () => number): ReturnType<CreateVerifier> {
  const bySigner = new Map<string, Signer>()
  for (const entry of issuers) {
    const rules = albRulesOf(entry.resolver)
    // Their tokens come from another header: jwtVerify's TypeError at cold start.
    if (!rules) throw configErrors(packageName, 'jwtVerify')('issuers', 'cannot mix albIssuer() entries with other issuers in one jwtVerify()')
    const accessTokenCheck = rules.accessToken?.createCheck(cacheMaxEntries, now)
    for (const signer of rules.signers) bySigner.set(signer, { entry, rules, accessTokenCheck })
  }

  /** The signed claims, then the access token when the entry asks for it. */
  function finish(
    found: Signer,
    decoded: DecodedJws,
    signingInput: Buffer,
    alg: Algorithm,
    key: ResolvedKey | undefined,
    event: unknown,
  ): AuthContext | Promise<AuthContext> {
    const auth = verifySignedClaims(found, decoded, signingInput, alg, key)
    const check = found.accessTokenCheck
    if (!check) return auth
    return auth instanceof Promise ? auth.then((verified) => check(verified, event)) : check(auth, event)
  }

  function verifySignedClaims(
    { entry, rules }: Signer,
    decoded: DecodedJws,
    signingInput: Buffer,
    alg: Algorithm,
    key: ResolvedKey | undefined,
  ): AuthContext | Promise<AuthContext> {
    if (!key) throw new TokenRejection('unknown_kid')
    if (!keyFitsAlgorithm(key, alg)) throw new TokenRejection('key_mismatch')
    const [header, payload, , signature] = decoded
    if (!verifySignature(alg, signingInput, signature, key)) throw new TokenRejection('bad_signature')
    checkClaims(header, payload, entry.rules, secondsOf(now))
    if (rules.issuer !== undefined && payload.iss !== rules.issuer) throw new TokenRejection('unknown_issuer', 'iss')
    const claims = emptyRecord()
    for (const [name, value] of Object.entries(payload)) claims[name] = value
    Object.freeze(claims)
    const auth: AuthContext = {
      source: 'alb',
      subject: typeof payload.sub === 'string' ? payload.sub : '',
      ...(typeof payload.iss === 'string' ? { issuer: payload.iss } : {}),
      scopes: readScopeList(payload.scope),
      roles: [],
      claims,
    }
    // The user's check, compiled as for any entry (./claims-check-runner.ts). An async one is
    // awaited on every request: ALB claims are not kept in the verified-token cache, so the
    // times it is given are not used.
    const checked = entry.claimsCheck?.(claims, 0, 0)
    return checked ? checked.then(() => auth) : auth
  }

  const verify: Verify = function (token, event) {
    const segments = checkAlbSegments(token)
    const decoded = decodeJws(segments.map((segment) => segment.replace(/=+$/, '')).join('.'))
    const [header] = decoded
    const { alg, kid } = checkHeader(header)
    // A load balancer signs with ES256: never a secret (HMAC), whatever the entry lists.
    if (!isAlgorithm(alg)) throw new TokenRejection('alg_not_allowed')
    const signer = header.signer
    const found = typeof signer === 'string' ? bySigner.get(signer) : undefined
    if (!found) throw new TokenRejection('unknown_issuer', 'signer')
    if (!found.entry.algorithms.has(alg)) throw new TokenRejection('alg_not_allowed')
    if (found.rules.clientId !== undefined && header.client !== found.rules.clientId) {
      throw new TokenRejection('audience_mismatch', 'client')
    }
    const signingInput = Buffer.from(`${segments[0]}.${segments[1]}`, 'ascii')
    const cached = kid === undefined ? undefined : found.entry.resolver.cached()?.byKid.get(kid)
    if (cached) return finish(found, decoded, signingInput, alg, cached, event)
    return found.entry.resolver
      .getKeySet(kid)
      .then((keySet) => finish(found, decoded, signingInput, alg, kid === undefined ? undefined : keySet.byKid.get(kid), event))
  }

  // Claims API Gateway verified never come from a load balancer.
  const checkGatewayClaims: CheckGatewayClaims = function () {
    throw new TokenRejection('unknown_issuer')
  }
  // ALB claims carry no binding (`cnf`): every entry of one jwtVerify is an ALB entry, and the
  // binding rules are those of the first (albIssuer() sets none).
  const issuerFor = (): CompiledIssuer | undefined => issuers[0]
  return { verify, checkGatewayClaims, issuerFor }
}
