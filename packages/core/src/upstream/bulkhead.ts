import { UpstreamUnavailableError } from '../errors/errors.js'
import { emit, type BulkheadEvent, type HydrakitHooks } from '../hooks.js'

// A bulkhead for outbound calls: at most `maxConcurrent` tasks run at once, at most `maxQueued`
// wait for a slot, and none waits longer than `queueTimeoutMs`. Whatever does not fit is refused at
// once, so a flood of distinct tokens cannot turn the service into an amplifier against Hydra.

/** Limits of a {@link Bulkhead}. */
export interface BulkheadLimits {
  /** Tasks running at once; at least 1. */
  maxConcurrent: number
  /** Tasks waiting for a slot; 0 refuses every task that finds all slots busy. */
  maxQueued: number
  /** Longest wait for a slot, in milliseconds. */
  queueTimeoutMs: number
}

/** Why a task was not run. */
export type BulkheadRefusal = 'queue_full' | 'queue_timeout' | 'aborted'

/** The task was refused by a {@link Bulkhead}; it never started. */
export class BulkheadRejectedError extends Error {
  readonly refusal: BulkheadRefusal
  constructor(refusal: BulkheadRefusal, cause?: unknown) {
    super(
      refusal === 'queue_full'
        ? 'too many concurrent upstream calls: the wait queue is full'
        : refusal === 'queue_timeout'
          ? 'no upstream call slot became free in time'
          : 'aborted while waiting for an upstream call slot',
      cause === undefined ? undefined : { cause },
    )
    this.refusal = refusal
  }
  override get name(): string {
    return 'BulkheadRejectedError'
  }
}

/** What happened to one task: it ran at once, ran after waiting, or was refused. */
export type BulkheadOutcome = 'admitted' | 'queued' | BulkheadRefusal

/** A concurrency limit with a bounded, deadline-bound wait queue. */
export interface Bulkhead {
  /**
   * Runs `task` when a slot is free. Rejects with {@link BulkheadRejectedError} without running it
   * when the queue is full, the wait exceeds the deadline, or `signal` aborts while waiting.
   * `onOutcome` is told what happened (`admitted`, `queued` once it starts after waiting, or the
   * refusal).
   */
  run<T>(
    task: () => Promise<T>,
    signal?: AbortSignal,
    onOutcome?: (outcome: BulkheadOutcome) => void,
  ): Promise<T>
  /** Tasks running now. */
  readonly active: number
  /** Tasks waiting now. */
  readonly queued: number
}

interface Waiter {
  start: () => void
  refuse: (refusal: BulkheadRefusal, cause?: unknown) => void
}

/** Creates a {@link Bulkhead}; `limits` must already be validated. */
export function createBulkhead(limits: BulkheadLimits): Bulkhead {
  const { maxConcurrent, maxQueued, queueTimeoutMs } = limits
  let active = 0
  // FIFO; a waiter that gave up removes itself.
  const queue = new Set<Waiter>()

  const release = (): void => {
    active--
    const next = queue.values().next()
    if (!next.done) {
      queue.delete(next.value)
      next.value.start()
    }
  }

  const launch = <T>(task: () => Promise<T>): Promise<T> => {
    active++
    // A synchronous throw from task becomes a rejection, and the slot is released either way.
    return new Promise<T>((resolve) => resolve(task())).finally(release)
  }

  return {
    get active() {
      return active
    },
    get queued() {
      return queue.size
    },
    run(task, signal, onOutcome) {
      const tell = (outcome: BulkheadOutcome): void => {
        try {
          onOutcome?.(outcome)
        } catch {
          // A listener never changes the outcome.
        }
      }
      if (signal?.aborted) {
        tell('aborted')
        return Promise.reject(new BulkheadRejectedError('aborted', signal.reason))
      }
      if (active < maxConcurrent) {
        const running = launch(task)
        tell('admitted')
        return running
      }
      if (queue.size >= maxQueued) {
        tell('queue_full')
        return Promise.reject(new BulkheadRejectedError('queue_full'))
      }
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          queue.delete(waiter)
        }
        const waiter: Waiter = {
          start() {
            done()
            launch(task).then(resolve, reject)
            tell('queued')
          },
          refuse(refusal, cause) {
            done()
            tell(refusal)
            reject(new BulkheadRejectedError(refusal, cause))
          },
        }
        const onAbort = (): void => waiter.refuse('aborted', signal?.reason)
        const timer = setTimeout(() => waiter.refuse('queue_timeout'), queueTimeoutMs)
        timer.unref?.()
        signal?.addEventListener('abort', onAbort, { once: true })
        queue.add(waiter)
      })
    },
  }
}

/** What {@link createUpstreamBulkhead} needs besides the limits. */
export interface UpstreamBulkheadContext {
  /** The call kind reported in `onBulkhead` events. */
  kind: BulkheadEvent['kind']
  /** `realm` of the 503 a refusal becomes. */
  realm: string
  /** `onBulkhead` is called for every request for a slot. */
  hooks: HydrakitHooks | undefined
}

/** A {@link Bulkhead} whose refusals are already the 503 a client gets. */
export interface UpstreamBulkhead {
  /**
   * Runs `task` in a slot. A refusal rejects with {@link UpstreamUnavailableError} (503; with
   * `Retry-After: 1` when the queue was full or the wait too long) and `task` never runs.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>
  readonly active: number
  readonly queued: number
}

/** Retry-After of a refusal, in seconds: a slot is usually free again well within a second. */
const RETRY_AFTER_SECONDS = '1'

/**
 * Creates the bulkhead of one verifier toward its upstream: a {@link Bulkhead} that reports every
 * request for a slot to `onBulkhead` and turns a refusal into a 503 `temporarily_unavailable`
 * (reason `introspection_unavailable`, debug `failure`: the refusal).
 */
export function createUpstreamBulkhead(
  limits: BulkheadLimits,
  context: UpstreamBulkheadContext,
): UpstreamBulkhead {
  const inner = createBulkhead(limits)
  const { kind, realm, hooks } = context
  const onOutcome =
    hooks?.onBulkhead === undefined
      ? undefined
      : (outcome: BulkheadOutcome): void =>
          emit(hooks.onBulkhead, { kind, outcome, active: inner.active, queued: inner.queued })
  return {
    get active() {
      return inner.active
    },
    get queued() {
      return inner.queued
    },
    async run(task, signal) {
      try {
        return await inner.run(task, signal, onOutcome)
      } catch (err) {
        if (!(err instanceof BulkheadRejectedError)) throw err
        throw new UpstreamUnavailableError({
          description: 'token introspection is temporarily unavailable',
          reason: 'introspection_unavailable',
          realm,
          cause: err,
          debug: { failure: err.refusal },
          retryAfter: err.refusal === 'aborted' ? undefined : RETRY_AFTER_SECONDS,
        })
      }
    },
  }
}
