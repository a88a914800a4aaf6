/**
 * Coalesces concurrent asynchronous work by key: while a call for a key is in flight, later callers
 * for the same key wait for that call instead of starting their own.
 *
 * Nothing is remembered once a call settles: a rejection is shared with every caller that was
 * waiting on it, but the next caller after it starts a fresh call (failures are never cached).
 */
export interface SingleFlight<T> {
  /**
   * Runs `fn` for `key`, or joins the call already in flight for `key`.
   *
   * @param signal - stops this caller waiting (its promise rejects with `signal.reason`) without
   *   cancelling the shared call, which other callers may still be waiting on.
   */
  run(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>
  /** Number of keys with a call in flight. */
  readonly size: number
}

/** Creates an empty {@link SingleFlight} group. */
export function createSingleFlight<T>(): SingleFlight<T> {
  const inflight = new Map<string, Promise<T>>()

  const start = (key: string, fn: () => Promise<T>): Promise<T> => {
    let shared = inflight.get(key)
    if (shared === undefined) {
      // A synchronous throw from fn becomes a rejection shared like any other.
      const p = new Promise<T>((resolve) => resolve(fn()))
      shared = p.finally(() => {
        if (inflight.get(key) === shared) inflight.delete(key)
      })
      inflight.set(key, shared)
    }
    return shared
  }

  return {
    get size() {
      return inflight.size
    },
    run(key, fn, signal) {
      if (signal === undefined) return start(key, fn)
      if (signal.aborted) return Promise.reject(signal.reason as Error)
      const shared = start(key, fn)
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason as Error)
        signal.addEventListener('abort', onAbort, { once: true })
        shared.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject)
      })
    },
  }
}
