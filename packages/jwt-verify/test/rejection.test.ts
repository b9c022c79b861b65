import { describe, expect, test } from '@jest/globals'
import { DpopNonceRequired, DpopRejection, ReplayStoreUnavailable, TokenRejection } from '../src/rejection.js'

// The middleware turns each of these into an AuthError; what remains of them is what a log or a
// debugger shows when one escapes: its name (a getter, not a class field), its message, its fields.
describe('the rejection errors', () => {
  test('name themselves, in their stack too, and carry what the middleware reads', () => {
    const token = new TokenRejection('missing_claim', 'aud')
    expect(token).toBeInstanceOf(Error)
    expect([token.name, token.message, token.reason, token.detail]).toEqual(['TokenRejection', 'missing_claim', 'missing_claim', 'aud'])
    expect(token.stack).toMatch(/^TokenRejection: missing_claim\n/)
    expect(new TokenRejection('expired').detail).toBeUndefined()

    const proof = new DpopRejection('htu')
    expect([proof.name, proof.message, proof.reason]).toEqual(['DpopRejection', 'htu', 'htu'])

    const nonce = new DpopNonceRequired('nonce_stale', 'n-1')
    expect([nonce.name, nonce.message, nonce.reason, nonce.nonce]).toEqual(['DpopNonceRequired', 'nonce_stale', 'nonce_stale', 'n-1'])

    const cause = new Error('timeout')
    const store = new ReplayStoreUnavailable(cause)
    expect([store.name, store.message, store.cause]).toEqual(['ReplayStoreUnavailable', 'replay_store_unavailable', cause])
    expect(String(store)).toBe('ReplayStoreUnavailable: replay_store_unavailable')
  })
})
