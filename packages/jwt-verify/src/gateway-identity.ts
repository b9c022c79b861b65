import { gatewayAuth, type AuthContext } from '@middy-auth/core'
import type { GatewayCheck } from './extension-types.js'
import type { CheckGatewayClaims } from './verifier.js'

/**
 * `trustApiGateway: true`: the identity API Gateway already verified (JWT or Cognito
 * authorizer, a Lambda authorizer's context), or `undefined` when the event carries none.
 * Trusting the gateway must not widen what is accepted: a bound token is refused, and with
 * issuers configured the claims must pass that entry's rules.
 */
export function fromGateway(event: unknown, { checkClaims, deny, toAuthError }: GatewayCheck): AuthContext | Promise<AuthContext> | undefined {
  const auth = gatewayAuth(event)
  if (!auth) return undefined
  // A bound token a JWT or Cognito authorizer accepted was never checked against its key or
  // certificate (a Lambda authorizer running jwtVerify with dpop or mtls did check it): it
  // is not taken as a bearer token here either (the binding is checked when the function
  // verifies the token itself, without trustApiGateway).
  if (auth.source === 'apigateway' && Object.hasOwn(auth.claims, 'cnf')) throw deny('invalid_token', 'bound_token_from_gateway')
  // The gateway checked the signature and its own issuer. When issuers are configured, the
  // claims must also pass that entry's rules (audience, presets' token_use and client_id,
  // required claims, custom checks).
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
