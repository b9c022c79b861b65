/**
 * The login transaction: what the callback needs to finish the sign-in the login route
 * started (PKCE verifier, `state`, `nonce`, where to return, the redirect URI used), sealed in
 * its own cookie for 10 minutes. One per browser: a second login replaces the first.
 */
import { getCookieValues } from '@middy-auth/core'
import { serializeCookie } from './cookies.js'
import type { CompiledConfig } from './options.js'
import { createSealer } from './sealing.js'

/** How long a sign-in may take, in seconds. */
export const TRANSACTION_TTL = 600

export interface Transaction {
  state: string
  nonce: string
  verifier: string
  returnTo: string
  redirectUri: string
}

export interface TransactionStore {
  /** The `Set-Cookie` value that stores the transaction. */
  write(transaction: Transaction, nowMs: number): Promise<string>
  /** The transaction the client sent, or `undefined` (absent, sent twice, tampered with, expired). */
  read(event: unknown, nowMs: number): Promise<Transaction | undefined>
}

/** The `Set-Cookie` value that deletes the transaction (no secret needed). */
/**
 * The sign-in cookie is always `SameSite=Lax`: it must come back with the provider's top-level
 * redirect to the callback, which a `Strict` cookie does not (the session cookie may be Strict).
 */
const transactionAttributes = { sameSite: 'Lax' } as const

export const clearTransaction = (config: CompiledConfig): string => serializeCookie(config.transactionCookie, '', 0, transactionAttributes)

const fields = ['state', 'nonce', 'verifier', 'returnTo', 'redirectUri'] as const

export const createTransactionStore = (config: CompiledConfig, secrets: readonly string[]): TransactionStore => {
  const sealer = createSealer(secrets, 'transaction', { issuer: config.issuer.href, clientId: config.clientId })
  const attributes = transactionAttributes
  return {
    async write(transaction, nowMs) {
      const sealed = await sealer.seal({ ...transaction }, nowMs, Math.floor(nowMs / 1000) + TRANSACTION_TTL)
      return serializeCookie(config.transactionCookie, sealed, TRANSACTION_TTL, attributes)
    },
    async read(event, nowMs) {
      const values = getCookieValues(event, config.transactionCookie)
      if (values.length !== 1) return undefined
      const payload = await sealer.unseal(values[0] as string, nowMs)
      if (!payload || fields.some((field) => typeof payload[field] !== 'string')) return undefined
      return payload as unknown as Transaction
    },
  }
}
