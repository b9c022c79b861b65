import type { MiddyRequestLike } from './middy-request.js'

/**
 * How an identity was established.
 *
 * @example
 * ```ts
 * const fromGateway: AuthSource = 'apigateway'
 * ```
 */
export type AuthSource = 'jwt' | 'apigateway' | 'iam' | 'lambda-authorizer' | 'session' | 'introspection' | 'alb'

/**
 * The IAM caller of a SigV4-signed request, as set by `@middy-auth/iam-context`.
 *
 * @example
 * ```ts
 * const isTemporary = (caller: IamCaller) => caller.temporaryCredentials
 * ```
 */
export interface IamCaller {
  accountId: string
  /** The ARN's partition: `aws`, `aws-cn`, `aws-us-gov`. */
  partition: string
  arn: string
  principalType: 'user' | 'assumed-role' | 'root' | 'federated-user'
  userName?: string
  /** The IAM path of a user (`/` when there is none); assumed-role ARNs do not carry the role's. */
  path?: string
  roleName?: string
  /** An assumed role's session name, or a federated user's name. */
  sessionName?: string
  principalId: string
  accessKeyId?: string
  /** `true` for `ASIA…` keys and every session (assumed role, federated user); `false` for long-term `AKIA…` keys. */
  temporaryCredentials: boolean
  principalOrgId?: string
  sourceIp: string
  cognitoIdentity?: {
    identityId: string
    identityPoolId: string
    authenticationType?: string
    providers: string[]
  }
}

/**
 * The one identity shape of the whole suite, on `request.context.auth`.
 *
 * @typeParam Claims - the claims type; `jwtVerify<MyClaims>()` narrows it.
 * @example
 * ```ts
 * import type { AuthContext } from '@middy-auth/core'
 * const greet = (auth: AuthContext<{ email: string }>) => `hello ${auth.claims.email}`
 * ```
 */
export interface AuthContext<Claims = Record<string, unknown>> {
  /** How it was established. */
  source: AuthSource
  /** `sub`, the IAM ARN, or the authorizer's `principalId`. */
  subject: string
  /** The token's `iss`, when there is one. */
  issuer?: string
  /** Normalized OAuth scopes: never null, never a space-joined string. */
  scopes: string[]
  /** Normalized roles; rbac may add to them. */
  roles: string[]
  /** The verified JWT payload, or the gateway's claims with their types restored. */
  claims: Readonly<Claims>
  /** Set by `@middy-auth/iam-context`. */
  iam?: IamCaller
  /** Set by `@middy-auth/rbac`: the effective permissions. */
  permissions?: string[]
  /**
   * `true` when the claims reached the function as the strings API Gateway makes of them (an HTTP
   * API JWT authorizer, a REST Cognito authorizer, a Lambda authorizer context not written by
   * `@middy-auth/authorizer`): a list claim may then be a string such as `"[admin editor]"` or
   * `"admin,editor"`, which the readers split. Absent: every string claim is one value
   * (`"Not Admins"` is one group). It is a plain field so that it survives copies (`{ ...auth }`);
   * a copy that drops it reads claims exactly, which can only grant less.
   */
  stringifiedClaims?: boolean
  /** The key (`jkt`, RFC 9449) or client certificate (`x5t#S256`, RFC 8705) the token is bound to. */
  confirmation?: { jkt?: string; 'x5t#S256'?: string }
}

/**
 * The Lambda context as the handler sees it after an identity middleware ran.
 *
 * @example
 * ```ts
 * import type { Context } from 'aws-lambda'
 * import type { WithAuth } from '@middy-auth/core'
 * type HandlerContext = WithAuth<Context, { email: string }>
 * ```
 */
export type WithAuth<TContext, Claims = Record<string, unknown>> = TContext & { auth: AuthContext<Claims> }

/**
 * The Lambda context when authentication is optional (`credentialsRequired: false`).
 *
 * @example
 * ```ts
 * import type { Context } from 'aws-lambda'
 * import type { WithOptionalAuth } from '@middy-auth/core'
 * type HandlerContext = WithOptionalAuth<Context>
 * ```
 */
export type WithOptionalAuth<TContext, Claims = Record<string, unknown>> = TContext & { auth?: AuthContext<Claims> }

/**
 * Writes the identity where the suite's contract says: `request.context.auth` and
 * `request.internal.auth`.
 *
 * @example
 * ```ts
 * setAuth(request, { source: 'jwt', subject: 'user-1', scopes: [], roles: [], claims: {} })
 * ```
 */
export function setAuth(request: Pick<MiddyRequestLike, 'context' | 'internal'>, auth: AuthContext<unknown>): void {
  ;(request.context as { auth?: AuthContext<unknown> }).auth = auth
  if (request.internal) request.internal.auth = auth
}

/**
 * Reads the identity an earlier middleware established, if any.
 *
 * @example
 * ```ts
 * const auth = getAuth(request)
 * if (!auth) throw new AuthError('missing_token', { package: '@middy-auth/oauth-scope' })
 * ```
 */
export const getAuth = (request: Pick<MiddyRequestLike, 'context'>): AuthContext | undefined => (request.context as { auth?: AuthContext }).auth
