import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryCacheStore } from '../../src/cache/memory-store.js'
import { createRedisCacheStore } from '../../src/cache/redis-store.js'
import type { CacheStore, JsonValue } from '../../src/cache/store.js'
import { createTieredCacheStore } from '../../src/cache/tiered-store.js'
import type { CacheTier, CacheTierOutcome } from '../../src/cache/tier-report.js'
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../support/redis-server.js'

const enabled = redisTestsEnabled('tiered-store')
const signed = { integrityKey: 'tiered-test-secret-of-at-least-32-bytes' }

type Report = [CacheTier, CacheTierOutcome]
const recorder = (): { reports: Report[]; listener: (t: CacheTier, o: CacheTierOutcome) => void } => {
  const reports: Report[] = []
  return { reports, listener: (t, o) => reports.push([t, o]) }
}

/** A shared tier that is down: every call rejects. */
const brokenStore: CacheStore = {
  get: () => Promise.reject(new Error('down')),
  set: () => Promise.reject(new Error('down')),
  delete: () => Promise.reject(new Error('down')),
}

describe('createTieredCacheStore: options', () => {
  it.each([
    [null, 'options must be an object'],
    [{}, 'l2 must be a CacheStore (get, set, delete)'],
    [{ l2: { get() {} } }, 'l2 must be a CacheStore'],
    [{ l2: createMemoryCacheStore(), l1: { ttlMs: 0 } }, 'l1.ttlMs must be an integer >= 1, got 0'],
    [{ l2: createMemoryCacheStore(), l1: { maxEntries: 0 } }, 'l1.maxEntries must be an integer >= 1'],
    [{ l2: createMemoryCacheStore(), l1: 5 }, 'l1 must be an object'],
    [{ l2: createMemoryCacheStore(), invalidation: {} }, 'invalidation must be an InvalidationBus'],
  ])('%j → TypeError', (options, message) => {
    expect(() => createTieredCacheStore(options as never)).toThrow(TypeError)
    expect(() => createTieredCacheStore(options as never)).toThrow(message)
  })
})

describe('createTieredCacheStore over a non-reporting shared tier', () => {
  it('reports both tiers itself: l1 miss + l2 hit, then l1 hit after promotion', async () => {
    const l2 = createMemoryCacheStore()
    await l2.set('k', { v: 1 }, 60_000)
    const store = createTieredCacheStore({ l2 })
    const { reports, listener } = recorder()
    expect(await store.get('k', listener)).toEqual({ v: 1 })
    expect(await store.get('k', listener)).toEqual({ v: 1 })
    expect(await store.get('absent', listener)).toBeUndefined()
    expect(reports).toEqual([
      ['l1', 'miss'],
      ['l2', 'hit'],
      ['l1', 'hit'],
      ['l1', 'miss'],
      ['l2', 'miss'],
    ])
    expect(store.l1.entries().map(([k]) => k)).toEqual(['k'])
  })

  it('a failing shared tier never fails a call: l1 keeps working, errors are reported as l2', async () => {
    const store = createTieredCacheStore({ l2: brokenStore })
    const { reports, listener } = recorder()
    await expect(store.set('k', 'v', 60_000, listener)).resolves.toBeUndefined()
    expect(await store.get('k', listener)).toBe('v')
    expect(await store.get('other', listener)).toBeUndefined()
    await expect(store.delete('k', listener)).resolves.toBeUndefined()
    expect(await store.get('k')).toBeUndefined()
    expect(reports).toEqual([
      ['l2', 'error'],
      ['l1', 'hit'],
      ['l1', 'miss'],
      ['l2', 'error'],
      ['l2', 'error'],
    ])
  })

  it('a shared tier that throws synchronously is handled the same way', async () => {
    const throwing: CacheStore = {
      get: () => {
        throw new Error('sync')
      },
      set: () => {
        throw new Error('sync')
      },
      delete: () => {
        throw new Error('sync')
      },
    }
    const store = createTieredCacheStore({ l2: throwing })
    await expect(store.set('k', 1, 1000)).resolves.toBeUndefined()
    await expect(store.get('x')).resolves.toBeUndefined()
    await expect(store.delete('k')).resolves.toBeUndefined()
  })

  it('caps L1 entries at l1.ttlMs', async () => {
    const l2 = createMemoryCacheStore()
    const store = createTieredCacheStore({ l2, l1: { ttlMs: 30 } })
    await store.set('k', 'v', 60_000)
    await new Promise((r) => setTimeout(r, 80))
    expect(store.l1.entries()).toEqual([])
    const { reports, listener } = recorder()
    expect(await store.get('k', listener)).toBe('v')
    expect(reports).toEqual([
      ['l1', 'miss'],
      ['l2', 'hit'],
    ])
  })

  it('evictLocal removes matching L1 entries only, leaving L2 alone', async () => {
    const l2 = createMemoryCacheStore()
    const store = createTieredCacheStore({ l2 })
    await store.set('a:1', 1, 60_000)
    await store.set('a:2', 2, 60_000)
    await store.set('b:1', 3, 60_000)
    expect(store.evictLocal((k) => k.startsWith('a:'))).toBe(2)
    expect(store.l1.entries().map(([k]) => k)).toEqual(['b:1'])
    expect(await l2.get('a:1')).toBe(1)
  })

  it('setLocal writes L1 only, for its own TTL', async () => {
    const l2 = createMemoryCacheStore()
    const store = createTieredCacheStore({ l2, l1: { ttlMs: 10 } })
    store.setLocal('m', { active: false }, 60_000)
    await new Promise((r) => setTimeout(r, 40))
    expect(await store.get('m')).toEqual({ active: false })
    expect(await l2.get('m')).toBeUndefined()
  })

  it('an eviction during an L2 read keeps that read from refilling L1', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const slow: CacheStore = {
      get: async () => {
        await gate
        return { active: true }
      },
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    }
    const store = createTieredCacheStore({ l2: slow })
    const pending = store.get('k')
    await Promise.resolve()
    store.evictLocal(() => true)
    release()
    expect(await pending).toEqual({ active: true })
    expect(store.l1.entries()).toEqual([])
    // Without an eviction the read fills L1.
    await store.get('k2')
    expect(store.l1.entries().map(([k]) => k)).toEqual(['k2'])
  })
})

describe.skipIf(!enabled)('createTieredCacheStore over Redis', () => {
  let server: RedisServer
  let admin: Redis
  let redis: Redis

  beforeAll(async () => {
    server = await startRedisServer()
    admin = new Redis(server.url)
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    await Promise.all([admin.ping(), redis.ping()])
  })
  afterAll(async () => {
    admin?.disconnect()
    redis?.disconnect()
    await server?.stop()
  })
  beforeEach(async () => {
    await admin.flushall()
  })

  it('two processes share L2; each fills its own L1 with the remaining TTL', async () => {
    const a = createTieredCacheStore({ l2: createRedisCacheStore(redis, signed) })
    const b = createTieredCacheStore({ l2: createRedisCacheStore(redis, signed), l1: { ttlMs: 60_000 } })
    const value: JsonValue = { active: true, claims: { sub: 'alice' } }
    await a.set('hk:1', value, 400)
    expect(a.l1.entries()).toEqual([['hk:1', value]])
    const { reports, listener } = recorder()
    expect(await b.get('hk:1', listener)).toEqual(value)
    expect(reports).toEqual([
      ['l1', 'miss'],
      ['l2', 'hit'],
    ])
    // B's L1 copy lives for the L2 entry's remaining time (~0.4 s), not for B's 60 s cap.
    await new Promise((r) => setTimeout(r, 500))
    expect(b.l1.entries()).toEqual([])
    expect(await b.get('hk:1')).toBeUndefined()
  })

  it('reports Redis timeouts as l2 errors and goes on with L1', async () => {
    const store = createTieredCacheStore({
      l2: createRedisCacheStore(redis, { ...signed, timeoutMs: 30, cooldownMs: 0 }),
    })
    await store.set('hk:x', 'v', 60_000)
    await admin.client('PAUSE', 300, 'ALL')
    const { reports, listener } = recorder()
    expect(await store.get('hk:x', listener)).toBe('v')
    expect(await store.get('hk:y', listener)).toBeUndefined()
    await store.set('hk:z', 'z', 60_000, listener)
    expect(await store.get('hk:z', listener)).toBe('z')
    await admin.client('UNPAUSE')
    expect(reports).toEqual([
      ['l1', 'hit'],
      ['l1', 'miss'],
      ['l2', 'error'],
      ['l2', 'error'],
      ['l1', 'hit'],
    ])
  })

  it('delete removes from both tiers', async () => {
    const store = createTieredCacheStore({ l2: createRedisCacheStore(redis, signed) })
    await store.set('hk:d', 1, 60_000)
    expect(await admin.exists('hk:d')).toBe(1)
    await store.delete('hk:d')
    expect(await admin.exists('hk:d')).toBe(0)
    expect(store.l1.entries()).toEqual([])
  })
})
