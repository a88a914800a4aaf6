import type { InvalidationBus } from './invalidation-bus.js'
import { createMemoryCacheStore, type MemoryCacheStore } from './memory-store.js'
import { integerOption } from './redis-support.js'
import type { RedisCacheEntry } from './redis-store.js'
import type { CacheStore, JsonValue } from './store.js'
import { reportsTiers, type CacheTierListener, type TierReportingCacheStore } from './tier-report.js'

/** The per-process tier of a {@link TieredCacheStore}. */
export interface TieredL1Options {
  /** Most entries kept in this process (LRU). An integer >= 1. Default `10000`. */
  maxEntries?: number | undefined
  /**
   * Longest time an entry stays in this process, in milliseconds, whatever its TTL in the shared
   * tier. It bounds how long an instance can miss an invalidation when pub/sub is down. An integer
   * >= 1. Default `5000`.
   */
  ttlMs?: number | undefined
}

/** Options of {@link createTieredCacheStore}. */
export interface TieredCacheStoreOptions<V extends JsonValue = JsonValue> {
  /** The shared tier, e.g. `createRedisCacheStore(redis, { integrityKey })`. Required. */
  l2: CacheStore<V>
  /** The per-process tier (an lru-cache memory store made here). Default: the defaults above. */
  l1?: TieredL1Options | undefined
  /**
   * Channel that tells every instance to drop per-process entries, e.g.
   * `createRedisInvalidationBus(redis, { integrityKey })`. The verifier's `revoke()` and `invalidate()` publish on it
   * and every verifier using this store listens. Default: none (per-process entries then live until
   * `l1.ttlMs`).
   */
  invalidation?: InvalidationBus | undefined
}

/**
 * A two-tier {@link CacheStore}: L1 per process (memory), L2 shared (Redis). `get` asks L1, then L2,
 * and copies an L2 hit into L1 for `min(l1.ttlMs, remaining TTL)`. `set` writes both tiers (L1 for at
 * most `l1.ttlMs`), `delete` removes from both. The shared tier failing never fails a call: it is
 * reported to the listener as tier `'l2'` outcome `'error'`, and the call goes on with L1 alone.
 */
export interface TieredCacheStore<V extends JsonValue = JsonValue> extends TierReportingCacheStore<V> {
  /** The per-process tier (for diagnostics: `l1.entries()`, `l1.size`). */
  readonly l1: MemoryCacheStore<V>
  /** The shared tier passed in. */
  readonly l2: CacheStore<V>
  /** Longest life of an L1 entry, in milliseconds (`l1.ttlMs`). */
  readonly l1TtlMs: number
  /** The invalidation channel passed in, if any. */
  readonly invalidation: InvalidationBus | undefined
  /**
   * Removes the L1 entries `match` accepts, in this process only, and makes L2 reads that were in
   * flight not fill L1 (so they cannot bring back what was just removed). Returns how many were removed.
   */
  evictLocal(match: (key: string, value: V) => boolean): number
  /**
   * Stores `value` in L1 only, for `ttlMs` milliseconds (not capped by `l1.ttlMs`), with the same
   * effect on in-flight reads as {@link TieredCacheStore.evictLocal}. Used for revocation markers.
   */
  setLocal(key: string, value: V, ttlMs: number): void
  /**
   * Adds an index over L1: `tagOf` names the tag of each entry written to L1 (or `undefined`), and
   * {@link TieredCacheStore.evictLocalTagged} then removes the entries of one tag without looking
   * at the others. Used for `invalidate(subject)` (tag: key prefix and subject digest), so that a
   * subject message costs the size of its subject's entries, not a scan of L1. Returns a function
   * that removes the index.
   */
  addLocalIndex(tagOf: (key: string, value: V) => string | undefined): () => void
  /** Removes the L1 entries with `tag` (see `addLocalIndex`), like `evictLocal`. Returns how many. */
  evictLocalTagged(tag: string): number
  /** Closes the invalidation channel, if any. The L2 client stays open (it is yours). */
  close(): Promise<void>
}

/**
 * Creates a {@link TieredCacheStore}. Validates options now; a bad one throws a TypeError naming it.
 *
 * @example
 * ```ts
 * const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 })
 * const store = createTieredCacheStore({
 *   l2: createRedisCacheStore(redis, { integrityKey: process.env.CACHE_SECRET! }),
 *   invalidation: createRedisInvalidationBus(redis, { integrityKey: process.env.CACHE_SECRET! }),
 * })
 * ```
 */
export function createTieredCacheStore<V extends JsonValue = JsonValue>(
  options: TieredCacheStoreOptions<V>,
): TieredCacheStore<V> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const l2 = options.l2 as (CacheStore<V> & { getEntry?: unknown }) | null | undefined
  if (
    l2 === null ||
    typeof l2 !== 'object' ||
    typeof l2.get !== 'function' ||
    typeof l2.set !== 'function' ||
    typeof l2.delete !== 'function'
  ) {
    throw new TypeError(
      'l2 must be a CacheStore (get, set, delete), e.g. createRedisCacheStore(redis, { integrityKey })',
    )
  }
  const l1Options = options.l1 ?? {}
  if (l1Options === null || typeof l1Options !== 'object') throw new TypeError('l1 must be an object')
  const l1TtlMs = integerOption(l1Options.ttlMs, 5000, 1, 'l1.ttlMs')
  const l1 = createMemoryCacheStore<V>({ maxEntries: l1Options.maxEntries }, 'l1')
  const bus = options.invalidation
  if (
    bus !== undefined &&
    (bus === null ||
      typeof bus !== 'object' ||
      typeof bus.publish !== 'function' ||
      typeof bus.subscribe !== 'function')
  ) {
    throw new TypeError(
      'invalidation must be an InvalidationBus, e.g. createRedisInvalidationBus(redis, { integrityKey })',
    )
  }
  const l2Reports = reportsTiers(l2)
  const readEntry: (
    key: string,
    listener: CacheTierListener | undefined,
  ) => Promise<RedisCacheEntry<V> | undefined> =
    typeof l2.getEntry === 'function'
      ? (key, listener) =>
          (
            l2 as { getEntry: (k: string, l?: CacheTierListener) => Promise<RedisCacheEntry<V> | undefined> }
          ).getEntry(key, listener)
      : async (key, listener) => {
          const value = l2Reports ? await l2.get(key, listener) : await l2.get(key)
          return value === undefined ? undefined : { value, ttlMs: l1TtlMs }
        }
  // Bumped by every local eviction: an L2 read that started before must not refill L1.
  let generation = 0
  // L1 index: tag -> keys. Entries may be stale (the L1 entry expired or was replaced); they are
  // only used to delete, and the index is rebuilt from L1 when it grows past twice L1's bound.
  const taggers = new Set<(key: string, value: V) => string | undefined>()
  const byTag = new Map<string, Set<string>>()
  let indexed = 0
  const index = (key: string, value: V): void => {
    for (const tagOf of taggers) {
      const tag = tagOf(key, value)
      if (tag === undefined) continue
      let keys = byTag.get(tag)
      if (keys === undefined) byTag.set(tag, (keys = new Set()))
      if (!keys.has(key)) {
        keys.add(key)
        indexed++
      }
    }
    if (indexed > 2 * l1.maxEntries) rebuildIndex()
  }
  const rebuildIndex = (): void => {
    byTag.clear()
    indexed = 0
    const entries = l1.entries()
    if (taggers.size > 0) for (const [key, value] of entries) index(key, value)
  }
  const localSet = async (key: string, value: V, ttlMs: number): Promise<void> => {
    await l1.set(key, value, ttlMs)
    if (taggers.size > 0) index(key, value)
  }

  /** Runs an L2 write, reporting (rather than throwing) its failure. */
  const guarded = async (
    work: () => Promise<void>,
    listener: CacheTierListener | undefined,
  ): Promise<void> => {
    try {
      await work()
    } catch {
      if (!l2Reports) listener?.('l2', 'error')
    }
  }

  return {
    reportsTiers: true,
    l1,
    l2,
    l1TtlMs,
    invalidation: bus,
    async get(key, listener) {
      const local = await l1.get(key)
      if (local !== undefined) {
        listener?.('l1', 'hit')
        return local
      }
      listener?.('l1', 'miss')
      const started = generation
      let entry: RedisCacheEntry<V> | undefined
      try {
        entry = await readEntry(key, l2Reports ? listener : undefined)
      } catch {
        if (!l2Reports) listener?.('l2', 'error')
        return undefined
      }
      if (!l2Reports) listener?.('l2', entry === undefined ? 'miss' : 'hit')
      if (entry === undefined) return undefined
      if (started === generation) {
        await localSet(key, entry.value, Math.min(l1TtlMs, entry.ttlMs))
      }
      return entry.value
    },
    async set(key, value, ttlMs, listener) {
      if (!Number.isFinite(ttlMs) || ttlMs < 1) return
      await localSet(key, value, Math.min(ttlMs, l1TtlMs))
      await guarded(
        () => (l2Reports ? l2.set(key, value, ttlMs, listener) : l2.set(key, value, ttlMs)),
        listener,
      )
    },
    async delete(key, listener) {
      await l1.delete(key)
      await guarded(() => (l2Reports ? l2.delete(key, listener) : l2.delete(key)), listener)
    },
    evictLocal(match) {
      generation++
      let removed = 0
      for (const [key, value] of l1.entries()) {
        if (match(key, value)) {
          void l1.delete(key)
          removed++
        }
      }
      return removed
    },
    setLocal(key, value, ttlMs) {
      generation++
      void localSet(key, value, ttlMs)
    },
    addLocalIndex(tagOf) {
      taggers.add(tagOf)
      rebuildIndex()
      return () => {
        taggers.delete(tagOf)
        rebuildIndex()
      }
    },
    evictLocalTagged(tag) {
      generation++
      const keys = byTag.get(tag)
      if (keys === undefined) return 0
      byTag.delete(tag)
      indexed -= keys.size
      let removed = 0
      for (const key of keys) {
        // Stale index entries are harmless: deleting what is no longer there, or what now has
        // another tag, is at worst a cache miss.
        if (l1.has(key)) removed++
        void l1.delete(key)
      }
      return removed
    },
    async close() {
      await bus?.close()
    },
  }
}
