// @hydrakit/core/cache: Cache stores for introspection results: memory, Redis, tiered, and the invalidation bus.
// Explicit named re-exports only.

export type { JsonValue, CacheStore } from './store.js'
export type { MemoryCacheStore, MemoryCacheStoreOptions } from './memory-store.js'
export { createMemoryCacheStore } from './memory-store.js'
export type {
  CacheTier,
  CacheTierOutcome,
  CacheTierListener,
  TierReportingCacheStore,
} from './tier-report.js'
export type {
  RedisClientLike,
  RedisCacheStore,
  RedisCacheStoreOptions,
  RedisCacheEntry,
} from './redis-store.js'
export { createRedisCacheStore } from './redis-store.js'
export type { RedisIntegrityOptions, RedisIntegrityMode } from './redis-support.js'
export type { TieredCacheStore, TieredCacheStoreOptions, TieredL1Options } from './tiered-store.js'
export { createTieredCacheStore } from './tiered-store.js'
export type {
  InvalidationBus,
  InvalidationMessage,
  InvalidationEvent,
  RedisPubSubClientLike,
  RedisSubscriberLike,
  RedisInvalidationBusOptions,
} from './invalidation-bus.js'
export { createRedisInvalidationBus } from './invalidation-bus.js'
export type { InvalidationResult } from './invalidation.js'
export type { SingleFlight } from './single-flight.js'
export { createSingleFlight } from './single-flight.js'
export { tokenCacheKey } from './token-key.js'
