/**
 * The user's claims check of an issuer entry (`claimsCheck`, or its former name `claims`, and
 * `claimsCacheTtl`): read at cold start, then run on every verified token. The code of the
 * `claimsChecks` extension (./extensions.ts), which the root entry always has.
 */
import { readFunction, readRenamed, type ConfigError } from '@middy-auth/core/internal'
import type { ClaimsCheck, IssuerConfig } from './issuer-config.js'
import { isErrorNamed, refuse } from './rejection.js'
import type { VerifiedToken } from './verified-token-cache.js'

/**
 * An entry's claims check, compiled. Fail closed: only `true` or nothing accepts; a throw, a
 * rejection or any other answer refuses (`claims_check_failed`, or a preset's own reason).
 * Returns nothing when the check passed synchronously (it runs again on the next request), or,
 * for an `async` check, a Promise of until when its success may be reused for the same token:
 * `claimsCacheTtl` seconds from `nowSeconds`, never past `expiresAt`.
 */
export interface RunClaimsCheck {
  (claims: Readonly<Record<string, unknown>>, nowSeconds: number, expiresAt: number): void | Promise<number>
  /**
   * The check again, on a hit of the verified-token cache: skipped while an `async` success
   * still counts (the hit's `claimsCheckedUntil`, moved on by a new one); a failure drops the entry
   * from `cache` before it refuses. Nothing, or a Promise, when the check passed.
   */
  readonly again: (hit: VerifiedToken, nowSeconds: number, cache: { delete(token: string): void }) => void | Promise<void>
}

/**
 * An entry's check, `claimsCheck` or the deprecated `claims` (with its `DeprecationWarning`):
 * a function, or `undefined` when the entry has none. `at` is the entry's path (`issuers[0].`).
 *
 * @example
 * ```ts
 * const check = readClaimsCheck(entry, 'issuers[0].', fail)
 * ```
 */
export function readClaimsCheck(entry: IssuerConfig, at: string, fail: ConfigError): ClaimsCheck | undefined {
  // The path names the field the entry gave (the deprecated one when only it is there).
  return readFunction<ClaimsCheck>(
    readRenamed(entry, 'claimsCheck', 'claims', fail, at),
    `${at}${entry.claimsCheck === undefined ? 'claims' : 'claimsCheck'}`,
    fail,
  )
}

const claimsCheckFailed: () => never = () => refuse('claims_check_failed')

/** A claims check accepts by returning `true` or nothing; any other answer refuses the token. */
function refuseUnlessAccepted(answer: unknown): void {
  if (answer !== true && answer !== undefined) claimsCheckFailed()
}

/**
 * The runner of an entry's check (see {@link RunClaimsCheck}); `undefined` without a check.
 *
 * @example
 * ```ts
 * const run = compileClaimsCheck((payload) => payload.tenant === 'acme', 60)
 * run?.(claims, nowSeconds, expiresAt)
 * ```
 */
export function compileClaimsCheck(check: ClaimsCheck | undefined, claimsCacheTtl: number): RunClaimsCheck | undefined {
  return check ? runnerOf(check, claimsCacheTtl) : undefined
}

/** {@link compileClaimsCheck}'s runner of a check the entry has. */
function runnerOf(check: ClaimsCheck, claimsCacheTtl: number): RunClaimsCheck {
  function run(claims: Readonly<Record<string, unknown>>, nowSeconds: number, expiresAt: number): void | Promise<number> {
    let accepted: ReturnType<ClaimsCheck>
    try {
      accepted = check(claims)
    } catch (error) {
      // A preset's check says which claim failed (token_use, client_id, …); any other throw is the user's.
      if (isErrorNamed(error, 'TokenRejection')) throw error
      claimsCheckFailed()
    }
    if (accepted instanceof Promise) {
      return accepted.then((answer) => {
        refuseUnlessAccepted(answer)
        return Math.min(expiresAt, nowSeconds + claimsCacheTtl)
      }, claimsCheckFailed)
    }
    refuseUnlessAccepted(accepted)
  }
  function again(hit: VerifiedToken, nowSeconds: number, cache: { delete(token: string): void }): void | Promise<void> {
    // hit[5]: the hit's claimsCheckedUntil.
    if (nowSeconds < hit[5]) return undefined
    const [token, auth, expiresAt] = hit
    function forget(error: unknown): never {
      cache.delete(token)
      throw error
    }
    let checked: void | Promise<number>
    try {
      checked = run(auth.claims, nowSeconds, expiresAt)
    } catch (error) {
      forget(error)
    }
    return checked?.then((until) => {
      // The entry's claimsCheckedUntil, moved on.
      hit[5] = until
    }, forget)
  }
  return Object.assign(run, { again })
}
