import { createHmac } from 'node:crypto'
import {
  checkRedisClient,
  integerOption,
  integritySecret,
  RedisCallError,
  sameText,
  withDeadline,
  type RedisIntegrityOptions,
} from './redis-support.js'
import type { JsonValue } from './store.js'
import type { CacheTierListener, TierReportingCacheStore } from './tier-report.js'

/**
 * The part of an [ioredis](https://github.com/redis/ioredis) client (`Redis`, or a `Cluster` for
 * `get`/`set`/`delete`) that the Redis store uses. hydrakit never imports ioredis: you create the
 * client, configure it (URL, TLS, Sentinel, retry strategy) and pass it in; it stays yours to
 * close. Typed structurally, so any client with these methods works.
 */
export interface RedisClientLike {
  /**
   * `GETRANGE`: every read is bounded this way, so an oversized value never crosses the wire whole.
   * Resolves to `''` for a missing key.
   */
  getrange(key: string, start: number, end: number): Promise<string>
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>
  del(...keys: string[]): Promise<number>
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

/**
 * Options of {@link createRedisCacheStore}. One of `integrityKey` (recommended) or
 * `integrity: 'none-trusted-redis'` is required.
 */
export interface RedisCacheStoreOptions extends RedisIntegrityOptions {
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
   * Largest value read back, in bytes. Reads use `GETRANGE 0 maxValueBytes`, so at most one byte
   * more than this crosses the wire; a larger value is ignored (a miss, reported as `'error'`). An
   * integer >= 1. Default `262144` (256 KiB).
   */
  maxValueBytes?: number | undefined
  /**
   * Key prefix of revocation records (written by {@link RedisCacheStore.revoke}): the record of
   * `key` is stored under `revocationPrefix + key`, checked on every read, and wins over any value
   * stored under `key`. `deleteMatching` never deletes records. Default `'hydrakit:revoked:'`.
   */
  revocationPrefix?: string | undefined
}

/** A cache entry read back with the time it has left. */
export interface RedisCacheEntry<V extends JsonValue = JsonValue> {
  value: V
  /** Milliseconds until the entry expires, by this process's clock. */
  ttlMs: number
}

/**
 * A {@link TierReportingCacheStore} on Redis (tier `'l2'`). Every value is stored as a JSON envelope
 * holding its own key, its expiry time and (unless `integrity: 'none-trusted-redis'`) a signature;
 * the TTL is set with `PX`. A value that is not such an envelope, belongs to another key, expired,
 * is too large or is badly signed is ignored (a miss, reported as `'error'`). A valid revocation
 * record of the key wins over its value. Failed and timed-out commands reject and are reported as
 * `'error'`.
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
  /**
   * Writes a revocation record for `key` holding `value` (the "inactive" marker) for `ttlMs`
   * milliseconds, and stores `value` under `key` too. As long as the record lives, every read of
   * `key` returns the record's value, whatever is (written back) under `key`. Rejects when Redis
   * fails or times out.
   */
  revoke(key: string, value: V, ttlMs: number, listener?: CacheTierListener): Promise<void>
  /** The prefix of revocation records (`revocationPrefix`). */
  readonly revocationPrefix: string
}

const DEFAULT_TIMEOUT_MS = 100
const DEFAULT_COOLDOWN_MS = 1000
const DEFAULT_MAX_VALUE_BYTES = 256 * 1024
const DEFAULT_REVOCATION_PREFIX = 'hydrakit:revoked:'
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
 * const shared = createRedisCacheStore(redis, { integrityKey: process.env.CACHE_SECRET!, timeoutMs: 100 })
 * ```
 */
export function createRedisCacheStore<V extends JsonValue = JsonValue>(
  client: RedisClientLike,
  options: RedisCacheStoreOptions,
  optionPath = 'options',
): RedisCacheStore<V> {
  checkRedisClient(client, ['getrange', 'set', 'del', 'scan'], 'client')
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${optionPath} must be an object with integrityKey (or integrity: 'none-trusted-redis')`,
    )
  }
  const timeoutMs = integerOption(options.timeoutMs, DEFAULT_TIMEOUT_MS, 1, `${optionPath}.timeoutMs`)
  const cooldownMs = integerOption(options.cooldownMs, DEFAULT_COOLDOWN_MS, 0, `${optionPath}.cooldownMs`)
  const maxValueBytes = integerOption(
    options.maxValueBytes,
    DEFAULT_MAX_VALUE_BYTES,
    1,
    `${optionPath}.maxValueBytes`,
  )
  const secret = integritySecret(options, optionPath)
  const revocationPrefix = options.revocationPrefix ?? DEFAULT_REVOCATION_PREFIX
  if (typeof revocationPrefix !== 'string' || revocationPrefix === '') {
    throw new TypeError(`${optionPath}.revocationPrefix must be a non-empty string`)
  }
  let downUntil = 0

  /** Signature of a value (`kind` 'v') or a revocation record ('r'): one cannot pass for the other. */
  const sign = (kind: 'v' | 'r', key: string, expires: number, data: string): string | undefined =>
    secret === undefined
      ? undefined
      : createHmac('sha256', secret).update(`v1\n${kind}\n${key}\n${expires}\n${data}`).digest('base64url')

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
  const decode = (kind: 'v' | 'r', key: string, text: string): RedisCacheEntry<V> | 'expired' | undefined => {
    // GETRANGE returned at most maxValueBytes + 1 bytes; more than maxValueBytes means it was cut.
    if (Buffer.byteLength(text) > maxValueBytes) return undefined
    let env: unknown
    try {
      env = JSON.parse(text)
    } catch {
      return undefined
    }
    if (!isEnvelope(env) || env.v !== ENVELOPE_VERSION || env.k !== key) return undefined
    if (secret !== undefined) {
      const expected = sign(kind, key, env.e, env.d)
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
    let texts: [string, string]
    try {
      // Both reads bounded before the bytes cross the wire; one round trip (ioredis pipelines them).
      texts = await call(() =>
        Promise.all([
          client.getrange(revocationPrefix + key, 0, maxValueBytes),
          client.getrange(key, 0, maxValueBytes),
        ]),
      )
    } catch (err) {
      listener?.('l2', 'error')
      throw err
    }
    const [recordText, text] = texts
    if (typeof recordText === 'string' && recordText !== '') {
      const record = decode('r', key, recordText)
      // A valid revocation record wins over whatever is stored under the key.
      if (record !== undefined && record !== 'expired') {
        listener?.('l2', 'hit')
        return record
      }
    }
    if (typeof text !== 'string' || text === '') {
      listener?.('l2', 'miss')
      return undefined
    }
    const entry = decode('v', key, text)
    if (entry === 'expired') {
      listener?.('l2', 'miss')
      return undefined
    }
    listener?.('l2', entry === undefined ? 'error' : 'hit')
    return entry
  }

  const envelope = (kind: 'v' | 'r', key: string, value: V, px: number): string => {
    const expires = Date.now() + px
    const d = JSON.stringify(value)
    const env: Envelope = { v: ENVELOPE_VERSION, k: key, e: expires, d }
    const m = sign(kind, key, expires, d)
    if (m !== undefined) env.m = m
    return JSON.stringify(env)
  }

  return {
    reportsTiers: true,
    client,
    timeoutMs,
    revocationPrefix,
    getEntry,
    async get(key, listener) {
      return (await getEntry(key, listener))?.value
    },
    async set(key, value, ttlMs, listener) {
      if (!Number.isFinite(ttlMs) || ttlMs < 1) return
      const px = Math.ceil(ttlMs)
      const text = envelope('v', key, value, px)
      try {
        await call(() => client.set(key, text, 'PX', px))
      } catch (err) {
        listener?.('l2', 'error')
        throw err
      }
    },
    async revoke(key, value, ttlMs, listener) {
      if (!Number.isFinite(ttlMs) || ttlMs < 1) return
      const px = Math.ceil(ttlMs)
      const record = envelope('r', key, value, px)
      const text = envelope('v', key, value, px)
      try {
        await call(() =>
          Promise.all([
            client.set(revocationPrefix + key, record, 'PX', px),
            client.set(key, text, 'PX', px),
          ]),
        )
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
        // Revocation records are never swept: an `all` or `subject` invalidation must not undo a revoke.
        let doomed = [...new Set(keys)].filter(
          (k) => typeof k === 'string' && k.startsWith(prefix) && !k.startsWith(revocationPrefix),
        )
        if (match !== undefined && doomed.length > 0) {
          const texts = await call(() => Promise.all(doomed.map((k) => client.getrange(k, 0, maxValueBytes))))
          doomed = doomed.filter((k, i) => {
            const text = texts[i]
            if (typeof text !== 'string') return false
            const entry = decode('v', k, text)
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

/** Escapes Redis glob metacharacters so `prefix` matches literally in `SCAN MATCH`. */
function escapeGlob(prefix: string): string {
  return prefix.replace(/[\\*?[\]^-]/g, (c) => `\\${c}`)
}
