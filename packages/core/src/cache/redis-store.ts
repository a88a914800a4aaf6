import { createHmac, timingSafeEqual } from 'node:crypto'
import { checkRedisClient, integerOption, RedisCallError, withDeadline } from './redis-support.js'
import type { JsonValue } from './store.js'
import type { CacheTierListener, TierReportingCacheStore } from './tier-report.js'

/**
 * The part of an [ioredis](https://github.com/redis/ioredis) client (`Redis`, or a `Cluster` for
 * `get`/`set`/`delete`) that the Redis store uses. hydrakit never imports ioredis: you create the
 * client, configure it (URL, TLS, Sentinel, retry strategy) and pass it in; it stays yours to
 * close. Typed structurally, so any client with these methods works.
 */
export interface RedisClientLike {
  get(key: string): Promise<string | null>
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>
  del(...keys: string[]): Promise<number>
  mget(...keys: string[]): Promise<Array<string | null>>
  scan(
    cursor: string | number,
    patternToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, elements: string[]]>
  /**
   * ioredis's connection state. When it says the connection is down (`'reconnecting'`, `'close'`,
   * `'end'`), calls are not attempted and fail at once.
   */
  readonly status?: string
}

/** Options of {@link createRedisCacheStore}. */
export interface RedisCacheStoreOptions {
  /**
   * Deadline of each Redis command, in milliseconds. A command that takes longer counts as a failed
   * call: `get` is then a miss and the caller goes on without Redis (the command itself is not
   * cancelled). An integer >= 1. Default `100`.
   */
  timeoutMs?: number | undefined
  /**
   * After a failed or timed-out command, how long Redis is not asked at all, in milliseconds: calls
   * fail at once (reported as `'error'`), so a Redis outage costs no latency per request. An
   * integer >= 0; `0` asks Redis on every call. Default `1000`.
   */
  cooldownMs?: number | undefined
  /**
   * Secret used to sign every value (HMAC-SHA-256), at least 32 bytes; a string is taken as UTF-8.
   * When set, a value in Redis without a valid signature is ignored, so that whoever can write to
   * Redis cannot plant an accepted answer. Every instance sharing the keys needs the same secret;
   * changing it turns existing entries into misses. Default: unsigned (the value is still checked for
   * shape and for belonging to its key).
   */
  integrityKey?: string | Uint8Array | undefined
  /**
   * Largest value read back, in bytes (UTF-16 code units of the stored text); a larger one is
   * ignored. An integer >= 1. Default `262144` (256 KiB).
   */
  maxValueBytes?: number | undefined
}

/** A cache entry read back with the time it has left. */
export interface RedisCacheEntry<V extends JsonValue = JsonValue> {
  value: V
  /** Milliseconds until the entry expires, by this process's clock. */
  ttlMs: number
}

/**
 * A {@link TierReportingCacheStore} on Redis (tier `'l2'`). Every value is stored as a JSON envelope
 * holding its own key, its expiry time and (with `integrityKey`) a signature; the TTL is set with
 * `PX`. A value that is not such an envelope, belongs to another key, expired, is too large or is
 * badly signed is ignored (a miss, reported as `'error'`). Failed and timed-out commands reject and
 * are reported as `'error'`.
 */
export interface RedisCacheStore<V extends JsonValue = JsonValue> extends TierReportingCacheStore<V> {
  /** The client passed in. */
  readonly client: RedisClientLike
  /** Deadline of each command, in milliseconds (`timeoutMs`). */
  readonly timeoutMs: number
  /** Like `get`, with the entry's remaining time to live (used to fill a per-process tier). */
  getEntry(key: string, listener?: CacheTierListener): Promise<RedisCacheEntry<V> | undefined>
  /**
   * Deletes every key that starts with `prefix` (found with `SCAN`, so Redis is never blocked) and,
   * when `match` is given, whose valid value it accepts. Resolves to the number of keys deleted.
   * Rejects when Redis fails or a command times out; keys deleted until then stay deleted. On a Redis
   * Cluster only the node the client talks to is scanned.
   */
  deleteMatching(prefix: string, match?: (value: V) => boolean): Promise<number>
}

const DEFAULT_TIMEOUT_MS = 100
const DEFAULT_COOLDOWN_MS = 1000
const DEFAULT_MAX_VALUE_BYTES = 256 * 1024
const ENVELOPE_VERSION = 1
const SCAN_COUNT = 250
const DOWN_STATES = new Set(['reconnecting', 'close', 'end'])

/** Stored form of a value. `d` is the value's JSON text, `m` the signature when signing. */
interface Envelope {
  v: number
  k: string
  e: number
  d: string
  m?: string
}

/**
 * Creates a Redis-backed {@link CacheStore} on a client you own (ioredis). Validates options now: a
 * bad one throws a TypeError naming it under `optionPath`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 })
 * const shared = createRedisCacheStore(redis, { timeoutMs: 100 })
 * ```
 */
export function createRedisCacheStore<V extends JsonValue = JsonValue>(
  client: RedisClientLike,
  options: RedisCacheStoreOptions = {},
  optionPath = 'options',
): RedisCacheStore<V> {
  checkRedisClient(client, ['get', 'set', 'del', 'mget', 'scan'], 'client')
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${optionPath} must be an object`)
  }
  const timeoutMs = integerOption(options.timeoutMs, DEFAULT_TIMEOUT_MS, 1, `${optionPath}.timeoutMs`)
  const cooldownMs = integerOption(options.cooldownMs, DEFAULT_COOLDOWN_MS, 0, `${optionPath}.cooldownMs`)
  const maxValueBytes = integerOption(
    options.maxValueBytes,
    DEFAULT_MAX_VALUE_BYTES,
    1,
    `${optionPath}.maxValueBytes`,
  )
  const secret = integrityKeyOption(options.integrityKey, `${optionPath}.integrityKey`)
  let downUntil = 0

  const sign = (key: string, expires: number, data: string): string | undefined =>
    secret === undefined
      ? undefined
      : createHmac('sha256', secret).update(`v1\n${key}\n${expires}\n${data}`).digest('base64url')

  /** Runs one command under the deadline and the cooldown; failures trip the cooldown. */
  const call = async <T>(command: () => Promise<T>): Promise<T> => {
    const status = client.status
    if ((typeof status === 'string' && DOWN_STATES.has(status)) || performance.now() < downUntil) {
      throw new RedisCallError('redis is unavailable')
    }
    try {
      return await withDeadline(command, timeoutMs)
    } catch (err) {
      if (cooldownMs > 0) downUntil = performance.now() + cooldownMs
      throw err
    }
  }

  /** Decodes a stored text for `key`; undefined when it cannot be trusted. `'expired'` by our clock. */
  const decode = (key: string, text: string): RedisCacheEntry<V> | 'expired' | undefined => {
    if (text.length > maxValueBytes) return undefined
    let env: unknown
    try {
      env = JSON.parse(text)
    } catch {
      return undefined
    }
    if (!isEnvelope(env) || env.v !== ENVELOPE_VERSION || env.k !== key) return undefined
    if (secret !== undefined) {
      const expected = sign(key, env.e, env.d)
      if (expected === undefined || typeof env.m !== 'string' || !sameText(env.m, expected)) return undefined
    }
    let value: unknown
    try {
      value = JSON.parse(env.d)
    } catch {
      return undefined
    }
    if (value === undefined) return undefined
    const ttlMs = env.e - Date.now()
    if (ttlMs <= 0) return 'expired'
    return { value: value as V, ttlMs }
  }

  const getEntry = async (
    key: string,
    listener?: CacheTierListener,
  ): Promise<RedisCacheEntry<V> | undefined> => {
    let text: string | null
    try {
      text = await call(() => client.get(key))
    } catch (err) {
      listener?.('l2', 'error')
      throw err
    }
    if (text === null) {
      listener?.('l2', 'miss')
      return undefined
    }
    const entry = typeof text === 'string' ? decode(key, text) : undefined
    if (entry === 'expired') {
      listener?.('l2', 'miss')
      return undefined
    }
    listener?.('l2', entry === undefined ? 'error' : 'hit')
    return entry
  }

  return {
    reportsTiers: true,
    client,
    timeoutMs,
    getEntry,
    async get(key, listener) {
      return (await getEntry(key, listener))?.value
    },
    async set(key, value, ttlMs, listener) {
      if (!Number.isFinite(ttlMs) || ttlMs < 1) return
      const px = Math.ceil(ttlMs)
      const expires = Date.now() + px
      const d = JSON.stringify(value)
      const env: Envelope = { v: ENVELOPE_VERSION, k: key, e: expires, d }
      const m = sign(key, expires, d)
      if (m !== undefined) env.m = m
      try {
        await call(() => client.set(key, JSON.stringify(env), 'PX', px))
      } catch (err) {
        listener?.('l2', 'error')
        throw err
      }
    },
    async delete(key, listener) {
      try {
        await call(() => client.del(key))
      } catch (err) {
        listener?.('l2', 'error')
        throw err
      }
    },
    async deleteMatching(prefix, match) {
      if (typeof prefix !== 'string') throw new TypeError('prefix must be a string')
      const pattern = `${escapeGlob(prefix)}*`
      let cursor = '0'
      let deleted = 0
      do {
        const [next, keys] = await call(() => client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT))
        cursor = String(next)
        // SCAN may return a key twice; MATCH already filtered by prefix, check again anyway.
        let doomed = [...new Set(keys)].filter((k) => typeof k === 'string' && k.startsWith(prefix))
        if (match !== undefined && doomed.length > 0) {
          const texts = await call(() => client.mget(...doomed))
          doomed = doomed.filter((k, i) => {
            const text = texts[i]
            if (typeof text !== 'string') return false
            const entry = decode(k, text)
            return entry !== undefined && entry !== 'expired' && match(entry.value)
          })
        }
        if (doomed.length > 0) deleted += await call(() => client.del(...doomed))
      } while (cursor !== '0')
      return deleted
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function integrityKeyOption(value: unknown, path: string): Buffer | undefined {
  if (value === undefined) return undefined
  let bytes: Buffer
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8')
  else if (value instanceof Uint8Array) bytes = Buffer.from(value)
  else throw new TypeError(`${path} must be a string or a Uint8Array`)
  if (bytes.length < 32) throw new TypeError(`${path} must be at least 32 bytes, got ${bytes.length}`)
  return bytes
}

function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const e = value as Record<string, unknown>
  return (
    typeof e.v === 'number' &&
    typeof e.k === 'string' &&
    typeof e.e === 'number' &&
    Number.isFinite(e.e) &&
    typeof e.d === 'string' &&
    (e.m === undefined || typeof e.m === 'string')
  )
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Escapes Redis glob metacharacters so `prefix` matches literally in `SCAN MATCH`. */
function escapeGlob(prefix: string): string {
  return prefix.replace(/[\\*?[\]^-]/g, (c) => `\\${c}`)
}
