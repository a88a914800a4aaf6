import { createHash } from 'node:crypto'
import type { InvalidationEvent } from './invalidation-bus.js'
import type { MemoryCacheStore } from './memory-store.js'
import type { RedisCacheStore } from './redis-store.js'
import type { CacheStore, JsonValue } from './store.js'
import type { TieredCacheStore } from './tiered-store.js'
import { reportsTiers, type CacheTierListener } from './tier-report.js'

/**
 * What a `revoke()` or `invalidate()` call reached. The entries of this process are always dropped
 * before the call resolves; the other fields say whether the rest of the deployment was reached.
 */
export interface InvalidationResult {
  /**
   * The shared tier (Redis): `'done'`, `'failed'` (unreachable or timed out: its entries then expire
   * by their TTL, at most `cache.ttlMs`) or `'none'` (no shared tier).
   */
  shared: 'done' | 'failed' | 'none'
  /**
   * The other instances' per-process tiers, through the invalidation channel: `'done'` (published),
   * `'failed'` (not published: their entries then live at most the L1 TTL) or `'none'` (no channel).
   */
  broadcast: 'done' | 'failed' | 'none'
}

/** What the verifier gives the invalidator. */
export interface CacheInvalidatorOptions<V extends JsonValue> {
  store: CacheStore<V>
  keyPrefix: string
  /** The value that marks an entry inactive. */
  inactive: V
  /** How long a revoked token's inactive marker lives, in ms. `0`: only delete. */
  revokedTtlMs: number
  /** The subject of a cached value, if any. */
  subjectOf: (value: V) => string | undefined
  /** Called whenever entries under `keyPrefix` were invalidated, here or by another instance. */
  onInvalidate: () => void
  /** Receives store failures (for `onCache` events). */
  listener: CacheTierListener
}

/** Cache-side revocation and invalidation for one verifier. */
export interface CacheInvalidator {
  revokeKey(key: string): Promise<InvalidationResult>
  invalidate(subject: string | undefined): Promise<InvalidationResult>
  /** Stops listening to the invalidation channel. */
  close(): void
}

type Kind = 'memory' | 'tiered' | 'redis' | 'other'

const NOTHING: InvalidationResult = Object.freeze({ shared: 'none', broadcast: 'none' })

/** The base64url SHA-256 of a subject, as sent on the invalidation channel. */
export function subjectDigest(subject: string): string {
  return createHash('sha256').update(subject, 'utf8').digest('base64url')
}

/**
 * Builds the invalidator of a verifier's cache. With a tiered store that has an invalidation
 * channel, it also applies other instances' messages to this process's L1.
 */
export function createCacheInvalidator<V extends JsonValue>(
  options: CacheInvalidatorOptions<V>,
): CacheInvalidator {
  const { store, keyPrefix, inactive, revokedTtlMs, subjectOf, onInvalidate, listener } = options
  const kind = kindOf(store)
  const tiered = kind === 'tiered' ? (store as TieredCacheStore<V>) : undefined
  const bus = tiered?.invalidation
  const ours = (key: string): boolean => key.startsWith(keyPrefix)
  const inactiveText = JSON.stringify(inactive)
  const inactiveKeys = keyCount(inactive)
  /**
   * Revocation marks (and negative answers, which look the same) survive `all` and `resync`. The
   * key count rules out most entries before any serialization (a resync walks all of L1).
   */
  const isMark = (value: V): boolean =>
    keyCount(value) === inactiveKeys && JSON.stringify(value) === inactiveText
  const oursButMarks = (key: string, value: V): boolean => ours(key) && !isMark(value)
  const subjectTag = (digest: string): string => `${keyPrefix}\n${digest}`
  // Subject messages find their entries through this index instead of hashing every L1 subject.
  const removeIndex = tiered?.addLocalIndex((key, value) => {
    if (!ours(key)) return undefined
    const sub = subjectOf(value)
    return sub === undefined ? undefined : subjectTag(subjectDigest(sub))
  })

  const matchSubjectDigest =
    (digest: string) =>
    (key: string, value: V): boolean => {
      if (!ours(key)) return false
      const sub = subjectOf(value)
      return sub !== undefined && subjectDigest(sub) === digest
    }

  const apply = (event: InvalidationEvent): void => {
    if (tiered === undefined) return
    switch (event.type) {
      case 'revoke':
        if (!ours(event.key)) return
        onInvalidate()
        if (revokedTtlMs > 0) tiered.setLocal(event.key, inactive, revokedTtlMs)
        else tiered.evictLocal((key) => key === event.key)
        return
      case 'subject':
        if (event.prefix !== keyPrefix) return
        onInvalidate()
        tiered.evictLocalTagged(subjectTag(event.subjectHash))
        return
      case 'all':
        if (event.prefix !== keyPrefix) return
        onInvalidate()
        tiered.evictLocal(oursButMarks)
        return
      case 'resync':
        onInvalidate()
        tiered.evictLocal(oursButMarks)
        return
    }
  }
  const unsubscribe = bus?.subscribe(apply)

  const publish = async (
    message: Parameters<NonNullable<typeof bus>['publish']>[0],
  ): Promise<InvalidationResult['broadcast']> => {
    if (bus === undefined) return 'none'
    try {
      await bus.publish(message)
      return 'done'
    } catch {
      return 'failed'
    }
  }

  /** Runs a shared-tier operation; `'failed'` (reported as an error unless the store did) when it throws. */
  const shared = async (
    target: CacheStore<V>,
    work: () => Promise<unknown>,
    reported: boolean,
  ): Promise<'done' | 'failed'> => {
    try {
      await work()
      return 'done'
    } catch {
      if (!reported) listener(kindOf(target) === 'other' ? 'l1' : 'l2', 'error')
      return 'failed'
    }
  }

  /**
   * Marks `key` inactive in `target` (or deletes it when markers are disabled). A Redis store also
   * gets a revocation record, which wins over any older value written back under `key`.
   */
  const mark = (target: CacheStore<V>, key: string): Promise<'done' | 'failed'> => {
    if (revokedTtlMs > 0 && canRevoke(target)) {
      return shared(target, () => target.revoke(key, inactive, revokedTtlMs, listener), true)
    }
    if (reportsTiers(target)) {
      return shared(
        target,
        () =>
          revokedTtlMs > 0 ? target.set(key, inactive, revokedTtlMs, listener) : target.delete(key, listener),
        true,
      )
    }
    return shared(
      target,
      () => (revokedTtlMs > 0 ? target.set(key, inactive, revokedTtlMs) : target.delete(key)),
      false,
    )
  }

  return {
    async revokeKey(key) {
      onInvalidate()
      switch (kind) {
        case 'tiered': {
          const t = tiered as TieredCacheStore<V>
          if (revokedTtlMs > 0) t.setLocal(key, inactive, revokedTtlMs)
          else t.evictLocal((k) => k === key)
          const [sharedResult, broadcast] = await Promise.all([
            mark(t.l2, key),
            publish({ type: 'revoke', key }),
          ])
          return { shared: sharedResult, broadcast }
        }
        case 'memory':
          await mark(store, key)
          return NOTHING
        default:
          return { shared: await mark(store, key), broadcast: 'none' }
      }
    },
    async invalidate(subject) {
      if (subject !== undefined && (typeof subject !== 'string' || subject === '')) {
        throw new TypeError('invalidate(subject): subject must be a non-empty string or undefined')
      }
      const digest = subject === undefined ? undefined : subjectDigest(subject)
      const matchKey = digest === undefined ? oursButMarks : matchSubjectDigest(digest)
      const matchValue =
        subject === undefined ? undefined : (value: V): boolean => subjectOf(value) === subject
      const sharedTier = kind === 'tiered' ? (tiered as TieredCacheStore<V>).l2 : store
      if ((kind === 'tiered' || kind === 'redis' || kind === 'other') && !canDeleteMatching(sharedTier)) {
        throw new TypeError(
          'invalidate() needs a store that can list its entries: createMemoryCacheStore, createRedisCacheStore or createTieredCacheStore over a Redis store',
        )
      }
      onInvalidate()
      if (kind === 'memory') {
        const memory = store as MemoryCacheStore<V>
        for (const [key, value] of memory.entries()) {
          if (matchKey(key, value)) await memory.delete(key)
        }
        return NOTHING
      }
      if (digest === undefined) tiered?.evictLocal(oursButMarks)
      else tiered?.evictLocalTagged(subjectTag(digest))
      const redis = sharedTier as RedisCacheStore<V>
      const [sharedResult, broadcast] = await Promise.all([
        shared(redis, () => redis.deleteMatching(keyPrefix, matchValue), false),
        publish(
          digest === undefined
            ? { type: 'all', prefix: keyPrefix }
            : { type: 'subject', prefix: keyPrefix, subjectHash: digest },
        ),
      ])
      return { shared: sharedResult, broadcast }
    },
    close() {
      unsubscribe?.()
      removeIndex?.()
    },
  }
}

function kindOf(store: CacheStore<JsonValue>): Kind {
  const s = store as Partial<TieredCacheStore & MemoryCacheStore & RedisCacheStore>
  if (typeof s.evictLocal === 'function' && typeof s.setLocal === 'function' && s.l2 !== undefined)
    return 'tiered'
  if (typeof s.deleteMatching === 'function' && s.reportsTiers === true) return 'redis'
  if (typeof s.entries === 'function' && typeof s.clear === 'function') return 'memory'
  return 'other'
}

/** Number of own keys of an object value, -1 for anything else. */
function keyCount(value: JsonValue): number {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).length : -1
}

function canRevoke<V extends JsonValue>(store: CacheStore<V>): store is RedisCacheStore<V> {
  return typeof (store as Partial<RedisCacheStore<V>>).revoke === 'function'
}

function canDeleteMatching(store: CacheStore<JsonValue>): boolean {
  return typeof (store as Partial<RedisCacheStore>).deleteMatching === 'function'
}
