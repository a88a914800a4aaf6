// Small helpers shared by the Redis cache store and the Redis invalidation channel.

/** A Redis command did not answer in time, or Redis is known to be down. */
export class RedisCallError extends Error {
  override get name(): string {
    return 'RedisCallError'
  }
}

/**
 * Runs `command` and settles with it, or rejects after `ms` milliseconds (the command's own late
 * outcome is then ignored). Synchronous throws become rejections. The timer never keeps the process
 * alive.
 */
export function withDeadline<T>(command: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisCallError(`redis did not answer within ${ms} ms`)), ms)
    timer.unref()
    let p: Promise<T>
    try {
      p = Promise.resolve(command())
    } catch (err) {
      clearTimeout(timer)
      reject(toError(err))
      return
    }
    p.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(toError(err))
      },
    )
  })
}

/** Throws a TypeError unless `client` is an object with every method in `methods`. */
export function checkRedisClient(client: unknown, methods: readonly string[], path: string): void {
  if (client === null || typeof client !== 'object') {
    throw new TypeError(
      `${path} must be a Redis client (ioredis), got ${client === null ? 'null' : typeof client}`,
    )
  }
  for (const m of methods) {
    if (typeof (client as Record<string, unknown>)[m] !== 'function') {
      throw new TypeError(`${path} must be a Redis client (ioredis): it has no ${m}() method`)
    }
  }
}

/** An integer option >= `min`, or `fallback` when undefined. */
export function integerOption(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const shown = typeof value === 'number' ? String(value) : typeof value
    throw new TypeError(`${path} must be an integer >= ${min}, got ${shown}`)
  }
  return value
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new RedisCallError('redis call failed', { cause: err })
}
