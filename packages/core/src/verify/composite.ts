// What the verifiers built from other verifiers (hybrid, several issuers) share: recognising an
// inner verifier, and passing revocation on to the inner verifier that holds the cache.

import type { InvalidationResult } from '../cache/invalidation.js'
import type { TokenVerifier } from '../verifier.js'

/**
 * The revocation methods an inner verifier may have (the introspection verifier has both); a
 * composite verifier passes its own `revoke` / `invalidate` on to them.
 */
export interface Revocable {
  /** Drops `token`'s cached answer and holds it inactive. */
  revoke?: (token: string) => Promise<InvalidationResult>
  /** Drops the cached answers of `subject` (or all of them). */
  invalidate?: (subject?: string) => Promise<InvalidationResult>
}

/** The result of a `revoke` / `invalidate` that reached no cache beyond this process. */
export const NOTHING: InvalidationResult = Object.freeze({ shared: 'none', broadcast: 'none' })

/** Whether `value` can serve as an inner verifier: an object with a `verify` method. */
export function isVerifier(value: unknown): value is TokenVerifier {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { verify?: unknown }).verify === 'function'
  )
}
