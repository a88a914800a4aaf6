// Small helpers shared by the Redis cache store and the Redis invalidation channel.
import { timingSafeEqual } from 'node:crypto'

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

/**
 * How values and messages in Redis are protected: with a secret (`integrityKey`), or explicitly not
 * (`integrity: 'none-trusted-redis'`).
 */
export type RedisIntegrityMode = 'none-trusted-redis'

/** The integrity options shared by the Redis cache store and the Redis invalidation channel. */
export interface RedisIntegrityOptions {
  /**
   * Secret used to sign (HMAC-SHA-256) everything hydrakit writes to Redis, at least 32 bytes; a
   * string is taken as UTF-8. Values and messages without a valid signature are ignored, so whoever
   * can write to Redis cannot plant an accepted answer. Every instance sharing the keys or the
   * channel needs the same secret; changing it turns existing entries into misses. Required unless
   * `integrity` is `'none-trusted-redis'`.
   */
  integrityKey?: string | Uint8Array | undefined
  /**
   * `'none-trusted-redis'` stores values and sends messages unsigned: then anyone who can write to
   * this Redis (or publish on the channel) can make any string an accepted token, with the subject
   * and scopes they choose. Only for a Redis that nothing but these instances can reach. Mutually
   * exclusive with `integrityKey`. Default: unset (an `integrityKey` is required).
   */
  integrity?: RedisIntegrityMode | undefined
}

/**
 * Resolves `integrityKey` / `integrity` to the secret, or `undefined` for the explicit opt-out.
 * Throws a TypeError that explains the choice when neither is given.
 */
export function integritySecret(options: RedisIntegrityOptions, path: string): Buffer | undefined {
  const { integrityKey, integrity } = options
  if (integrity !== undefined && integrity !== 'none-trusted-redis') {
    throw new TypeError(`${path}.integrity must be 'none-trusted-redis' or undefined`)
  }
  if (integrityKey === undefined) {
    if (integrity === 'none-trusted-redis') return undefined
    throw new TypeError(
      `${path}.integrityKey is required: a secret of at least 32 bytes that signs what is stored in Redis, so that whoever can write to Redis cannot make a token accepted. To store unsigned values on a Redis that only these instances can reach, set ${path}.integrity: 'none-trusted-redis' instead`,
    )
  }
  if (integrity !== undefined) {
    throw new TypeError(`${path}.integrityKey and ${path}.integrity are mutually exclusive`)
  }
  let bytes: Buffer
  if (typeof integrityKey === 'string') bytes = Buffer.from(integrityKey, 'utf8')
  else if (integrityKey instanceof Uint8Array) bytes = Buffer.from(integrityKey)
  else throw new TypeError(`${path}.integrityKey must be a string or a Uint8Array`)
  if (bytes.length < 32) {
    throw new TypeError(`${path}.integrityKey must be at least 32 bytes, got ${bytes.length}`)
  }
  return bytes
}

/** Compares two strings in constant time (for their length). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
