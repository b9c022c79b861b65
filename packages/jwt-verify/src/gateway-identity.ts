import { gatewayAuth, setAuth, type AuthContext, type AuthError } from '@middy-auth/core'
import { checkSubjectClaims } from './claims-check.js'
import type { Authenticate, Deny } from './extension-types.js'
import type { AuthRequest } from './jwt-verifier.js'
import { refuse } from './rejection.js'
import type { CheckGatewayClaims, CompiledIssuer, Verifier } from './verifier.js'

/**
 * `trustApiGateway: true`: the middleware's authentication, preceded by the identity API Gateway
 * already verified (JWT or Cognito authorizer, a Lambda authorizer's context) when the event
 * carries one. Trusting the gateway must not widen what is accepted: a bound token is refused,
 * and with issuers configured the claims must pass that entry's rules.
 */
export function trustGateway(
  authenticate: Authenticate,
  verifier: Verifier,
  issuers: readonly CompiledIssuer[],
  deny: Deny,
  toAuthError: (error: unknown) => AuthError,
): Authenticate {
  // The gateway checked the signature and its own issuer. When issuers are configured, the
  // claims must also pass that entry's rules (audience, presets' token_use and client_id,
  // required claims, custom checks); the ALB verifier has its own rule.
  const checkClaims: CheckGatewayClaims | undefined =
    issuers.length === 0
      ? undefined
      : (verifier.checkGatewayClaims ??
        function (claims) {
          const issuer = verifier.issuerFor(claims.iss as string | undefined) ?? refuse('unknown_issuer')
          checkSubjectClaims(claims, issuer.rules)
          // Nothing of the gateway's claims is cached: the times given to the check are not used.
          return issuer.claimsCheck?.(claims, 0, 0)
        })

  /** The gateway's identity, checked; `undefined` when the event carries none. */
  function fromGateway(event: unknown): AuthContext | Promise<AuthContext> | undefined {
    const auth = gatewayAuth(event)
    if (!auth) return undefined
    // A bound token a JWT or Cognito authorizer accepted was never checked against its key or
    // certificate (a Lambda authorizer running jwtVerify with dpop or mtls did check it): it
    // is not taken as a bearer token here either (the binding is checked when the function
    // verifies the token itself, without trustApiGateway).
    if (auth.source === 'apigateway' && Object.hasOwn(auth.claims, 'cnf')) throw deny('invalid_token', 'bound_token_from_gateway')
    if (auth.source === 'apigateway' && checkClaims) {
      let checked: ReturnType<CheckGatewayClaims>
      try {
        checked = checkClaims(auth.claims)
      } catch (error) {
        throw toAuthError(error)
      }
      if (checked) {
        return checked.then(
          () => auth,
          (error: unknown) => {
            throw toAuthError(error)
          },
        )
      }
    }
    return auth
  }

  return (event, request) => {
    const auth = fromGateway(event)
    return auth ? settle(request, auth) : authenticate(event, request)
  }
}

/**
 * The gateway's identity set on the request (the middleware), or returned (`verifyEvent`); not
 * noted as holding for this request only, as a token's may be: no token of this request was verified.
 */
function settle(request: AuthRequest | undefined, result: AuthContext | Promise<AuthContext>): AuthContext | undefined | Promise<AuthContext | undefined> {
  if (result instanceof Promise) return result.then((auth) => settle(request, auth))
  if (!request) return result
  setAuth(request, result)
  return undefined
}
