import { LRUCache } from 'lru-cache'
import type { CacheStore, JsonValue } from './store.js'

/** Options of {@link createMemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /**
   * Most entries kept; the least recently used entry is evicted to make room for a new one. An
   * integer >= 1. Default `10000`.
   */
  maxEntries?: number | undefined
}

/**
 * A per-process {@link CacheStore} on lru-cache: bounded by entry count, per-entry TTL measured on the
 * monotonic clock (`performance.now()`), expired entries are never returned. It holds no timers of
 * its own, so it never keeps the process alive.
 */
export interface MemoryCacheStore<V extends JsonValue = JsonValue> extends CacheStore<V> {
  /** Number of entries held, including expired ones not yet evicted. */
  readonly size: number
  /** Maximum number of entries (`maxEntries`). */
  readonly maxEntries: number
  /**
   * A snapshot of the live (unexpired) entries, most recently used first. For diagnostics and
   * tests; the values are the stored objects, do not mutate them.
   */
  entries(): Array<[key: string, value: V]>
  /** Whether a live (unexpired) entry is held under `key`, without touching its recency. */
  has(key: string): boolean
  /** Removes every entry. */
  clear(): Promise<void>
  /** What `get` would resolve to, at once. */
  getSync(key: string): V | undefined
}

const DEFAULT_MAX_ENTRIES = 10_000

/**
 * Creates an in-memory {@link CacheStore}. Validates options now: a bad one throws a TypeError
 * naming it under `optionPath`.
 */
export function createMemoryCacheStore<V extends JsonValue = JsonValue>(
  options: MemoryCacheStoreOptions = {},
  optionPath = 'store',
): MemoryCacheStore<V> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${optionPath} must be an object`)
  }
  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new TypeError(`${optionPath}.maxEntries must be an integer >= 1, got ${String(max)}`)
  }
  // lru-cache needs `{}`-typed values; JsonValue includes null, so wrap each value in a box.
  const lru = new LRUCache<string, { value: V }>({ max })

  return {
    get size() {
      return lru.size
    },
    maxEntries: max,
    get(key) {
      return Promise.resolve(lru.get(key)?.value)
    },
    getSync(key) {
      return lru.get(key)?.value
    },
    set(key, value, ttlMs) {
      if (!Number.isFinite(ttlMs) || ttlMs < 1) return Promise.resolve()
      lru.set(key, { value }, { ttl: Math.ceil(ttlMs) })
      return Promise.resolve()
    },
    delete(key) {
      lru.delete(key)
      return Promise.resolve()
    },
    has(key) {
      return lru.has(key)
    },
    entries() {
      const out: Array<[string, V]> = []
      for (const [key, box] of lru.entries()) out.push([key, box.value])
      return out
    },
    clear() {
      lru.clear()
      return Promise.resolve()
    },
  }
}
