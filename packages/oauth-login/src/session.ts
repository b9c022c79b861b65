/**
 * The session: what the sealed cookie holds, how it is read and written, and the identity it
 * gives `context.auth`. Its claims are the ID token's, validated by openid-client when the
 * tokens were obtained; the cookie is authenticated, so they are read back without a new check.
 */
import type { AuthContext } from '@middy-auth/core'
import { emptyRecord, readScopeList } from '@middy-auth/core/internal'
import { decodeJwt } from 'jose'
import type { TokenEndpointResponse, TokenEndpointResponseHelpers } from 'openid-client'
import { clearChunkedCookie, readChunkedCookie, serializeCookie, writeChunkedCookie } from './cookies.js'
import type { CompiledConfig } from './options.js'
import { createSealer, type Sealer } from './sealing.js'

/** What the session cookie holds. Times are seconds since the epoch. */
export interface SessionData {
  sub: string
  iss: string
  idToken: string
  accessToken: string
  refreshToken?: string
  /** When the access token expires, if the provider said. */
  accessTokenExpiresAt?: number
  /** The scopes granted (the token response's `scope`, else those asked for). */
  scope: string
  /** When the user signed in: the absolute lifetime counts from here. */
  signedInAt: number
}

/** The session as `sessionAuth` read it, with when it was last sealed. */
export interface ReadSession {
  data: SessionData
  sealedAt: number
}

/** The tokens of a sign-in or a refresh, as openid-client returns them. */
export type Tokens = TokenEndpointResponse & TokenEndpointResponseHelpers

const fields = ['sub', 'iss', 'idToken', 'accessToken', 'scope'] as const

/** Reads, writes and clears the session cookies of one configuration. */
export interface SessionStore {
  read(event: unknown, nowMs: number): Promise<ReadSession | undefined>
  /** `Set-Cookie` values that store `data` (and the access-token cookie when configured). */
  write(event: unknown, data: SessionData, nowMs: number): Promise<string[]>
  /** `Set-Cookie` values that delete every session cookie the client sent. */
  clear(event: unknown): string[]
  /** Whether the client sent any session cookie at all (to clear a stale one). */
  present(event: unknown): boolean
  /** When a session sealed at `sealedAtMs` ends (seconds since the epoch). */
  expiresAt(data: SessionData, sealedAtMs: number): number
}

export const createSessionStore = (config: CompiledConfig, secrets: readonly string[]): SessionStore => {
  const sealer: Sealer = createSealer(secrets, 'session', { issuer: config.issuer.href, clientId: config.clientId })
  const attributes = { sameSite: config.sameSite }

  /** The session ends at the sooner of its idle timeout and its absolute lifetime. */
  const expiresAt = (data: SessionData, nowMs: number): number => Math.min(Math.floor(nowMs / 1000) + config.rolling, data.signedInAt + config.absolute)

  return {
    async read(event, nowMs) {
      const sealed = readChunkedCookie(event, config.sessionCookie)
      if (sealed === undefined) return undefined
      const payload = await sealer.unseal(sealed, nowMs)
      if (!payload) return undefined
      for (const field of fields) if (typeof payload[field] !== 'string') return undefined
      if (typeof payload.signedInAt !== 'number' || payload.signedInAt + config.absolute <= nowMs / 1000) return undefined
      return { data: payload as unknown as SessionData, sealedAt: payload.iat as number }
    },

    async write(event, data, nowMs) {
      const exp = expiresAt(data, nowMs)
      const maxAge = exp - Math.floor(nowMs / 1000)
      const sealed = await sealer.seal({ ...data }, nowMs, exp)
      const cookies = writeChunkedCookie(event, config.sessionCookie, sealed, maxAge, attributes)
      if (config.accessTokenCookie) {
        const tokenMaxAge = data.accessTokenExpiresAt === undefined ? maxAge : Math.min(maxAge, data.accessTokenExpiresAt - Math.floor(nowMs / 1000))
        cookies.push(serializeCookie(config.accessTokenCookie, data.accessToken, tokenMaxAge, attributes))
      }
      return cookies
    },

    clear(event) {
      const cookies = clearChunkedCookie(event, config.sessionCookie, attributes)
      if (config.accessTokenCookie) cookies.push(serializeCookie(config.accessTokenCookie, '', 0, attributes))
      return cookies
    },

    present: (event) => readChunkedCookie(event, config.sessionCookie) !== undefined,
    expiresAt,
  }
}

/**
 * The session data of a token response: after the callback (`previous` absent) or a refresh
 * (`previous` keeps what the provider did not send again: ID token, refresh token, scope).
 */
export const sessionFromTokens = (tokens: Tokens, config: CompiledConfig, nowMs: number, previous?: SessionData): SessionData => {
  const claims = tokens.claims()
  const idToken = tokens.id_token ?? previous?.idToken
  const sub = claims?.sub ?? previous?.sub
  const iss = claims?.iss ?? previous?.iss
  if (!idToken || !sub || !iss) throw new Error('the token response has no ID token')
  const expiresIn = tokens.expiresIn()
  const refreshToken = tokens.refresh_token ?? previous?.refreshToken
  return {
    sub,
    iss,
    idToken,
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresIn === undefined ? {} : { accessTokenExpiresAt: Math.floor(nowMs / 1000) + expiresIn }),
    scope: tokens.scope ?? previous?.scope ?? config.scope,
    signedInAt: previous?.signedInAt ?? Math.floor(nowMs / 1000),
  }
}

/** ID token claims that describe the token, not the user: left out of `context.auth.claims`. */
const protocolClaims = new Set(['nonce', 'at_hash', 'c_hash', 's_hash', 'sid', 'azp'])

/** The identity `sessionAuth` puts on `context.auth`. */
export const sessionAuthContext = (data: SessionData): AuthContext => {
  const claims = emptyRecord()
  for (const [name, value] of Object.entries(decodeJwt(data.idToken))) if (!protocolClaims.has(name)) claims[name] = value
  return {
    source: 'session',
    subject: data.sub,
    issuer: data.iss,
    // The suite's one scope rule (docs/design.md#one-scope-rule): any whitespace separates.
    scopes: readScopeList(data.scope),
    roles: [],
    claims: Object.freeze(claims),
  }
}
