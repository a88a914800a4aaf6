import type { CacheStore, JsonValue } from './store.js'

/** A cache layer: `'l1'` is per process (memory), `'l2'` is shared between processes (Redis). */
export type CacheTier = 'l1' | 'l2'

/** What one tier did for one call: found the entry, had none, or could not answer. */
export type CacheTierOutcome = 'hit' | 'miss' | 'error'

/**
 * Receives, per store call, what each tier did, in the order the tiers were asked. A `get` reports
 * one outcome per tier it consulted; `set` and `delete` report only errors.
 */
export type CacheTierListener = (tier: CacheTier, outcome: CacheTierOutcome) => void

/**
 * A {@link CacheStore} that says which tier answered each call, so that verifiers can report
 * `onCache` events with the right `tier`. The listener argument is optional: called without it the
 * store is an ordinary `CacheStore`.
 *
 * hydrakit's Redis store ({@link createRedisCacheStore}) and tiered store
 * ({@link createTieredCacheStore}) implement it.
 */
export interface TierReportingCacheStore<V extends JsonValue = JsonValue> extends CacheStore<V> {
  /** Marks the store as reporting tiers. */
  readonly reportsTiers: true
  get(key: string, listener?: CacheTierListener): Promise<V | undefined>
  set(key: string, value: V, ttlMs: number, listener?: CacheTierListener): Promise<void>
  delete(key: string, listener?: CacheTierListener): Promise<void>
}

/** Whether `store` reports tiers ({@link TierReportingCacheStore}). */
export function reportsTiers<V extends JsonValue>(store: CacheStore<V>): store is TierReportingCacheStore<V> {
  return (store as Partial<TierReportingCacheStore<V>>).reportsTiers === true
}
