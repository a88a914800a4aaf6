// The per-request state machine behind every adapter's guard: a CORS preflight passes untouched; a
// request some earlier guard authenticated is only checked (no second verification); any other is
// authenticated, and the result is remembered on the request. Synchronous whenever the guard is.

import type { AuthInfo } from '../auth-info.js'
import { isCorsPreflight } from '../guard/authenticate.js'
import type { Guard } from '../guard/guard.js'
import type { RequestLike } from '../token/extract.js'

/** How an adapter reads a request and remembers its authentication. `R` is its request object. */
export interface RequestBinding<R> {
  /** The request as core reads it: method, path and query, headers, raw headers, parsed body. */
  describe: (req: R) => RequestLike
  /**
   * The remembered result of an earlier guard on this request: the {@link AuthInfo}, `null` for an
   * anonymous request an optional guard let through, or `undefined` when none ran yet.
   */
  read: (req: R) => AuthInfo | null | undefined
  /** Remembers the result for this request (and exposes it, e.g. as `req.auth`). */
  write: (req: R, auth: AuthInfo | null) => void
}

/**
 * Runs a guard for one request: `undefined` when it passed at once, a promise that resolves
 * when it passed after waiting (for keys, a cache or the network). A refusal is thrown, or the
 * promise rejects with it, as a HydrakitError; either way nothing is remembered.
 */
export type GuardRunner<R> = (guard: Guard, req: R) => undefined | Promise<void>

/** Builds the {@link GuardRunner} of an adapter from its {@link RequestBinding}. */
export function createGuardRunner<R>(binding: RequestBinding<R>): GuardRunner<R> {
  const { describe, read, write } = binding
  return (guard, req) => {
    const like = describe(req)
    if (isCorsPreflight(like)) return undefined
    const earlier = read(req)
    if (earlier !== undefined) {
      // Authenticated by an earlier guard on this request: only this guard's checks run.
      guard.check(earlier)
      return undefined
    }
    const auth = guard.start(like)
    if (auth instanceof Promise) {
      return auth.then((settled) => {
        write(req, settled)
      })
    }
    // Answered from the verifier's cache: no promise, no extra tick.
    write(req, auth)
    return undefined
  }
}
