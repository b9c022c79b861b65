/**
 * The `onDecision` option: the code of the `decisionRecords` extension, which builds the record
 * of every decision (allow and deny) and awaits the hook with it.
 */
import type { AuthContext } from '@middy-auth/core'
import { readFunction } from '@middy-auth/core/internal'
import type { DecisionRecorder } from './extension-types.js'
import type { RbacDecision } from './options.js'
import { fail } from './permission.js'

/** Checks `onDecision` (a function) and compiles what gives it the record of each decision. */
export function compileDecisionRecords(onDecision: unknown): DecisionRecorder {
  const hook = readFunction<(decision: RbacDecision) => unknown>(onDecision, 'onDecision', fail) as (decision: RbacDecision) => unknown
  return async function recordDecision(auth: AuthContext | undefined, checks, denied, reason) {
    const last = checks.at(-1)
    // The same record for every outcome (no identity: no roles, subject `''`).
    await hook({
      decision: denied ? 'deny' : 'allow',
      permission: last?.permission,
      roles: auth ? [...auth.roles] : [],
      reason,
      subject: auth ? auth.subject : '',
      ...(last?.rule ? { rule: last.rule } : {}),
      checks,
    })
  }
}
