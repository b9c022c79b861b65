import { isRecord } from '@middy-auth/core/internal'
import type { Algorithm } from '@middy-auth/jwt-verify'
import { createRemoteKeyResolver, KeysUnavailableError, type KeySet } from '@middy-auth/jwt-verify/keys'
import type { JWTHeaderParameters } from 'jose'
import { ProviderUnavailableError } from './post-form.js'

/** The media type of a signed introspection answer (RFC 9701 §4). */
export const jwtAnswerType = 'application/token-introspection+jwt'

/** What {@link createJwtAnswerReader} needs. */
export interface JwtAnswerSettings {
  /** The provider: the answer's `iss`, and where its keys are discovered when `jwksUri` is absent. */
  issuer: string
  /** Our client id: the answer's `aud` (RFC 9701 §5). */
  clientId: string
  jwksUri: string | undefined
  algorithms: readonly Algorithm[]
  timeoutMs: number
  clock: () => number
}

/** The one key of a set that can verify a header: by `kid`, or the only key when there is no `kid`. */
const pickKey = (keySet: KeySet, kid: string | undefined) =>
  kid === undefined ? (keySet.keys.length === 1 ? keySet.keys[0] : undefined) : keySet.byKid.get(kid)

/**
 * Reads signed introspection answers (RFC 9701): a JWT of type `token-introspection+jwt`, signed
 * by the provider with a key of its JWKS (jwt-verify's remote key resolver: discovery, cache,
 * one fetch for concurrent misses, cooldown), issued by `issuer` for our client id, whose
 * `token_introspection` claim is the answer. `jose` checks the signature and those claims.
 * An answer that fails any of this did not come from the provider: 503, never an accept.
 *
 * @example
 * ```ts
 * const read = createJwtAnswerReader({ issuer, clientId, jwksUri: undefined, algorithms: ['RS256'], timeoutMs: 3000, clock: Date.now })
 * const answer = await read(jwtBody)
 * ```
 */
export const createJwtAnswerReader = (settings: JwtAnswerSettings): ((jwt: string) => Promise<Record<string, unknown>>) => {
  const { issuer, clientId, jwksUri, algorithms, timeoutMs, clock } = settings
  const resolver = createRemoteKeyResolver({ ...(jwksUri ? { jwksUri } : { issuer }), timeoutMs, clock })
  resolver.prefetch()
  // jose costs tens of milliseconds to import: only functions that ask for signed answers load
  // it, starting now (at cold start, never awaited here).
  const jose = import('jose')
  jose.catch(() => undefined)

  const keyFor = async (header: JWTHeaderParameters) => {
    const kid = header.kid
    const cached = resolver.cached()
    const key = (cached && pickKey(cached, kid)) ?? pickKey(await resolver.getKeySet(kid), kid)
    if (!key) throw new ProviderUnavailableError('signed introspection answer: no key for its kid')
    return key.key
  }

  return async (jwt) => {
    const { errors, jwtVerify } = await jose
    let payload: Record<string, unknown>
    try {
      ;({ payload } = await jwtVerify(jwt.trim(), keyFor, {
        issuer,
        audience: clientId,
        typ: 'token-introspection+jwt',
        algorithms: [...algorithms],
        currentDate: new Date(clock()),
      }))
    } catch (error) {
      if (error instanceof ProviderUnavailableError) throw error
      const reason = error instanceof KeysUnavailableError ? 'keys unavailable' : error instanceof errors.JOSEError ? error.code : 'not a JWT'
      throw new ProviderUnavailableError(`signed introspection answer refused: ${reason}`)
    }
    const answer = payload.token_introspection
    if (!isRecord(answer)) throw new ProviderUnavailableError('signed introspection answer has no token_introspection object')
    return answer
  }
}
