import { hash } from 'node:crypto'
import { isRecord } from '@middy-auth/core/internal'
import { type Algorithm, keyFitsAlgorithm, verifySignature } from './algorithms.js'
import { hasPrivateMembers, importJwk } from './import-jwk.js'
import { decodeSegment, parseObject } from './jws.js'
import { jwkThumbprint, requiredJwkMembers } from './jwk-thumbprint.js'
import type { ResolvedKey } from './key-resolver.js'
import type { NonceIssuer } from './dpop-nonce.js'
import { DpopRejection, DpopNonceRequired, type DpopRejectionReason } from './rejection.js'
import { normalizeHtu } from './request-target.js'

/** What a proof is checked against, compiled at cold start. */
export interface DpopProofRules {
  readonly algorithms: ReadonlySet<Algorithm>
  /** Seconds a proof is accepted after its `iat`. */
  readonly maxAge: number
  /** Seconds of leeway for a client clock ahead or behind. */
  readonly clockTolerance: number
  readonly nonces: NonceIssuer | undefined
}

/** What the request says the proof must match. */
export interface ProofContext {
  readonly method: string
  /** Normalized (see `normalizeHtu`). */
  readonly url: string
  readonly accessToken: string
  /** Seconds since the epoch. */
  readonly now: number
}

/** A proof that passed every check but the replay check, which needs I/O. */
export interface CheckedProof {
  /** RFC 7638 thumbprint of the proof's key: must equal the token's `cnf.jkt`. */
  readonly jkt: string
  /** The proof's `jti`, scoped to its key. */
  readonly replayKey: string
  /** Seconds since the epoch after which this proof is refused anyway. */
  readonly expiresAt: number
}

/** Proofs are small (a header with a public key, five claims): anything larger is refused before decoding. */
const MAX_PROOF_LENGTH = 8 * 1024
const MAX_JTI_LENGTH = 256
const MAX_PROOF_RSA_BITS = 8192

/** A proof header that passed its checks: what the rest of the check needs from it. */
interface CheckedHeader {
  readonly alg: Algorithm
  readonly jkt: string
  readonly key: ResolvedKey
}

/**
 * Checked headers by their base64url text. A client signs every proof with the same header
 * (`typ`, `alg`, its public `jwk`), so the JWK checks, thumbprint and import run once per client
 * key and instance; the same text is the same header, so nothing is trusted that was not checked.
 */
const checkedHeaders = new Map<string, CheckedHeader>()
const MAX_CHECKED_HEADERS = 1000

function checkProofHeader(header: Readonly<Record<string, unknown>>, rules: DpopProofRules): CheckedHeader {
  if (header.typ !== 'dpop+jwt') refuse('typ')
  const alg = header.alg
  if (typeof alg !== 'string' || !rules.algorithms.has(alg as Algorithm)) refuse('alg')
  // No extension is understood, so none may be critical (RFC 7515 §4.1.11).
  if (header.crit !== undefined) refuse('crit')
  const jwk = header.jwk
  if (!isRecord(jwk) || hasPrivateMembers(jwk)) refuse('jwk')
  const jkt = jwkThumbprint(jwk) ?? refuse('jwk')
  // Only the thumbprint's members are imported: the key verifies exactly what its thumbprint names.
  const members = requiredJwkMembers(jwk)
  const key = (members && importJwk(members)) ?? refuse('jwk')
  if (!keyFitsAlgorithm(key, alg as Algorithm)) refuse('jwk')
  // The client chooses this key: an RSA modulus of tens of thousands of bits would make every
  // verification cost milliseconds.
  if (key.kty === 'RSA' && (key.key.asymmetricKeyDetails?.modulusLength ?? 0) > MAX_PROOF_RSA_BITS) refuse('jwk')
  return { alg: alg as Algorithm, jkt, key }
}

/**
 * `BASE64URL(SHA-256(access token))`, the proof's `ath` (RFC 9449 §4.2).
 *
 * @example
 * ```ts
 * accessTokenHash('eyJ…') // 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'
 * ```
 */
export const accessTokenHash = (token: string): string => hash('sha256', token, 'base64url')

function refuse(reason: DpopRejectionReason): never {
  throw new DpopRejection(reason)
}

/**
 * Checks a DPoP proof completely (RFC 9449 §4.3) except its replay: `typ` `dpop+jwt`, an allowed
 * asymmetric `alg`, an embedded public `jwk` (any private member refuses it), the signature with
 * that key, `jti`, `htm`, `htu`, `iat` within the window, `ath` of the access token and, when
 * nonces are on, a fresh server `nonce`.
 *
 * @throws DpopRejection for anything wrong with the proof; DpopNonceRequired when only the nonce is missing or stale.
 */
export function checkDpopProof(proof: string, request: ProofContext, rules: DpopProofRules): CheckedProof {
  if (proof.length > MAX_PROOF_LENGTH) refuse('too_large')
  const firstDot = proof.indexOf('.')
  const secondDot = proof.indexOf('.', firstDot + 1)
  if (firstDot <= 0 || secondDot === -1 || proof.indexOf('.', secondDot + 1) !== -1) refuse('malformed')
  const headerText = proof.slice(0, firstDot)
  const signatureText = proof.slice(secondDot + 1)
  let payload: Record<string, unknown>
  let signature: Buffer
  let checked = checkedHeaders.get(headerText)
  try {
    payload = parseObject(proof.slice(firstDot + 1, secondDot), 'payload')
    signature = decodeSegment(signatureText)
    // The header is decoded only the first time its text is seen (see checkedHeaders); the
    // allow-list is per issuer entry, so a header cached under another entry's rules is checked again.
    if (!checked || !rules.algorithms.has(checked.alg)) {
      const header = parseObject(headerText, 'header')
      checked = checkProofHeader(header, rules)
      if (checkedHeaders.size >= MAX_CHECKED_HEADERS) checkedHeaders.delete(checkedHeaders.keys().next().value as string)
      checkedHeaders.set(headerText, checked)
    }
  } catch (error) {
    if (error instanceof DpopRejection) throw error
    return refuse('malformed')
  }
  // One encoding per signature: base64url's unused low bits could otherwise give the same proof
  // another spelling, a second string for one signature.
  if (signature.toString('base64url') !== signatureText) refuse('malformed')
  const { alg, jkt, key } = checked
  if (!verifySignature(alg, Buffer.from(proof.slice(0, secondDot), 'ascii'), signature, key)) refuse('signature')

  const { jti, htm, htu, iat, ath } = payload
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) refuse('jti')
  if (htm !== request.method) refuse('htm')
  // Most clients send the URL exactly as it is rebuilt: compared as is first, normalized otherwise.
  if (typeof htu !== 'string' || (htu !== request.url && normalizeHtu(htu) !== request.url)) refuse('htu')
  if (typeof iat !== 'number' || !Number.isFinite(iat)) refuse('iat')
  if (iat > request.now + rules.clockTolerance) refuse('iat_future')
  if (iat < request.now - rules.maxAge - rules.clockTolerance) refuse('iat_too_old')
  if (ath !== accessTokenHash(request.accessToken)) refuse('ath')
  if (rules.nonces && !rules.nonces.check(payload.nonce))
    throw new DpopNonceRequired(payload.nonce === undefined ? 'nonce_missing' : 'nonce_stale', rules.nonces.issue())

  // The replay entry must outlive the last second the proof is accepted in: a store forgets an
  // entry once `now >= expiresAt`, and the window above still accepts `now` = iat + maxAge + tolerance.
  return { jkt, replayKey: `${jkt}:${jti}`, expiresAt: Math.floor(iat + rules.maxAge + rules.clockTolerance) + 1 }
}
