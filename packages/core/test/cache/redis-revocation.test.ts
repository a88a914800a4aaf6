// revoke() / invalidate() of the introspection verifier, with the default memory store and with
// two "instances" (two verifiers, each with its own L1) sharing one real redis-server.
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRedisInvalidationBus } from '../../src/cache/invalidation-bus.js'
import { createMemoryCacheStore } from '../../src/cache/memory-store.js'
import { createRedisCacheStore } from '../../src/cache/redis-store.js'
import type { CacheStore } from '../../src/cache/store.js'
import { createTieredCacheStore, type TieredCacheStore } from '../../src/cache/tiered-store.js'
import { tokenCacheKey } from '../../src/cache/token-key.js'
import { InvalidTokenError } from '../../src/errors/errors.js'
import type { CacheEvent } from '../../src/hooks.js'
import {
  createIntrospectionVerifier,
  type IntrospectionVerifier,
  type IntrospectionVerifierOptions,
} from '../../src/verify/introspection.js'
import {
  startIntrospectionServer,
  type IntrospectionServer,
} from '../observability/support/introspection-server.js'
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../support/redis-server.js'

const enabled = redisTestsEnabled('redis-revocation')
const PREFIX = 'hydrakit:introspection:'
const SECRET = 'revocation-test-secret-of-32-bytes-or-more'

let hydra: IntrospectionServer
const verifiers: IntrospectionVerifier[] = []
const make = (options: Partial<IntrospectionVerifierOptions> = {}): IntrospectionVerifier => {
  const v = createIntrospectionVerifier({ adminUrl: hydra.adminUrl, audience: false, ...options })
  verifiers.push(v)
  return v
}

beforeAll(async () => {
  hydra = await startIntrospectionServer()
})
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
  hydra.calls = 0
  hydra.delayMs = 0
  hydra.mode = 'ok'
})
afterAll(async () => {
  await hydra?.close()
})

describe('revoke() and invalidate() with the default memory store', () => {
  it('revoke: the next verify refuses the token without asking Hydra (which still says active)', async () => {
    const v = make()
    const token = hydra.issue('alice')
    await v.verify(token)
    expect(await v.revoke(token)).toEqual({ shared: 'none', broadcast: 'none' })
    await expect(v.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
    expect(hydra.calls).toBe(1)
  })

  it('revoke with revokedTtlMs 0 only drops the entry: Hydra is asked again', async () => {
    const v = make({ cache: { revokedTtlMs: 0 } })
    const token = hydra.issue('alice')
    await v.verify(token)
    await v.revoke(token)
    await v.verify(token)
    expect(hydra.calls).toBe(2)
  })

  it('the inactive mark lasts revokedTtlMs', async () => {
    const v = make({ cache: { revokedTtlMs: 40 } })
    const token = hydra.issue('alice')
    await v.revoke(token)
    await expect(v.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(hydra.calls).toBe(0)
    await new Promise((r) => setTimeout(r, 80))
    await v.verify(token)
    expect(hydra.calls).toBe(1)
  })

  it('invalidate(subject) drops only that subject; invalidate() drops everything', async () => {
    const v = make()
    const alice1 = hydra.issue('alice')
    const alice2 = hydra.issue('alice')
    const bob = hydra.issue('bob')
    for (const t of [alice1, alice2, bob]) await v.verify(t)
    expect(hydra.calls).toBe(3)
    await v.invalidate('alice')
    for (const t of [alice1, alice2, bob]) await v.verify(t)
    expect(hydra.calls).toBe(5)
    await v.invalidate()
    for (const t of [alice1, alice2, bob]) await v.verify(t)
    expect(hydra.calls).toBe(8)
  })

  it('an answer fetched while the token was being revoked is not cached', async () => {
    const v = make()
    const token = hydra.issue('alice')
    hydra.delayMs = 100
    const inflight = v.verify(token)
    await new Promise((r) => setTimeout(r, 30))
    await v.revoke(token)
    // The call that started before the revocation gets Hydra's (then still active) answer…
    await expect(inflight).resolves.toMatchObject({ subject: 'alice' })
    // …but it did not overwrite the inactive mark.
    await expect(v.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
    expect(hydra.calls).toBe(1)
  })

  it('validates arguments; without a cache both are no-ops', async () => {
    const v = make()
    await expect(v.revoke(42 as never)).rejects.toThrow('revoke(token): token must be a string')
    await expect(v.invalidate('')).rejects.toThrow('invalidate(subject): subject must be a non-empty string')
    const none = make({ cache: false })
    expect(await none.revoke('t')).toEqual({ shared: 'none', broadcast: 'none' })
    expect(await none.invalidate()).toEqual({ shared: 'none', broadcast: 'none' })
  })

  it('a custom store: revoke marks through set(); invalidate() is refused (it cannot list entries)', async () => {
    const inner = createMemoryCacheStore()
    const custom: CacheStore = {
      get: (k) => inner.get(k),
      set: (k, v, t) => inner.set(k, v, t),
      delete: (k) => inner.delete(k),
    }
    const v = make({ cache: { store: custom } })
    const token = hydra.issue('alice')
    expect(await v.revoke(token)).toEqual({ shared: 'done', broadcast: 'none' })
    expect(await inner.get(tokenCacheKey(token, PREFIX))).toEqual({ active: false })
    await expect(v.invalidate('alice')).rejects.toThrow(TypeError)
    await expect(v.invalidate()).rejects.toThrow('invalidate() needs a store that can list its entries')
  })
})

describe.skipIf(!enabled)('two instances sharing one Redis', () => {
  let server: RedisServer
  let admin: Redis
  const clients: Redis[] = []
  const stores: TieredCacheStore[] = []

  interface Instance {
    verifier: IntrospectionVerifier
    store: TieredCacheStore
    events: CacheEvent[]
  }

  const instance = async (
    options: Partial<IntrospectionVerifierOptions> = {},
    l1TtlMs = 60_000,
  ): Promise<Instance> => {
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    redis.on('error', () => undefined)
    clients.push(redis)
    const bus = createRedisInvalidationBus(redis, { integrityKey: SECRET })
    const store = createTieredCacheStore({
      l2: createRedisCacheStore(redis, { integrityKey: SECRET }),
      l1: { ttlMs: l1TtlMs },
      invalidation: bus,
    })
    stores.push(store)
    const events: CacheEvent[] = []
    const verifier = make({
      ...options,
      cache: { store, ...(options.cache === false ? {} : options.cache) },
      hooks: { onCache: (e) => events.push(e) },
    })
    await bus.whenSubscribed()
    return { verifier, store, events }
  }

  beforeAll(async () => {
    server = await startRedisServer()
    admin = new Redis(server.url)
    admin.on('error', () => undefined)
  })
  beforeEach(async () => {
    await admin.flushall()
  })
  afterEach(async () => {
    await Promise.all(verifiers.splice(0).map((v) => v.close()))
    await Promise.all(stores.splice(0).map((s) => s.close()))
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(async () => {
    admin?.disconnect()
    await server?.stop()
  })

  it('one introspection serves both instances; events name the tier that answered', async () => {
    const a = await instance()
    const b = await instance()
    const token = hydra.issue('alice')
    await a.verifier.verify(token)
    const info = await b.verifier.verify(token)
    expect(info.subject).toBe('alice')
    expect(hydra.calls).toBe(1)
    await b.verifier.verify(token)
    expect(hydra.calls).toBe(1)
    expect(a.events).toEqual([
      { cache: 'introspection', tier: 'l1', outcome: 'miss' },
      { cache: 'introspection', tier: 'l2', outcome: 'miss' },
    ])
    expect(b.events).toEqual([
      { cache: 'introspection', tier: 'l1', outcome: 'miss' },
      { cache: 'introspection', tier: 'l2', outcome: 'hit' },
      { cache: 'introspection', tier: 'l1', outcome: 'hit' },
    ])
  })

  it('values in Redis never contain the token', async () => {
    const a = await instance()
    const tokens = [hydra.issue('alice'), hydra.issue('bob')]
    for (const t of tokens) await a.verifier.verify(t)
    await expect(a.verifier.verify('ory_at_unknown-token-value')).rejects.toMatchObject({
      reason: 'inactive',
    })
    const keys = await admin.keys('*')
    expect(keys).toHaveLength(3)
    for (const key of keys) {
      const raw = (await admin.get(key))!
      for (const t of [...tokens, 'ory_at_unknown-token-value']) {
        expect(raw).not.toContain(t)
        expect(key).not.toContain(t)
      }
    }
  })

  it('revoke on A: B stops accepting the token through pub/sub, although its L1 held it', async () => {
    const a = await instance()
    const b = await instance()
    const token = hydra.issue('alice')
    await a.verifier.verify(token)
    await b.verifier.verify(token)
    const key = tokenCacheKey(token, PREFIX)
    expect(b.store.l1.entries().map(([k]) => k)).toContain(key)

    expect(await a.verifier.revoke(token)).toEqual({ shared: 'done', broadcast: 'done' })
    // B's L1 entry (60 s TTL) is replaced by the inactive mark when the message arrives.
    await vi.waitFor(() => expect(b.store.l1.entries()).toContainEqual([key, { active: false }]))
    await expect(b.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
    await expect(a.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
    // A third instance that never saw the token gets the mark from Redis.
    const c = await instance()
    await expect(c.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
    // Hydra (still answering active) was never asked again: the caches refused it.
    expect(hydra.calls).toBe(1)
  })

  it('invalidate(subject) on A drops that subject in Redis and in B; other subjects stay', async () => {
    const a = await instance()
    const b = await instance()
    const alice = hydra.issue('alice')
    const bob = hydra.issue('bob')
    for (const t of [alice, bob]) {
      await a.verifier.verify(t)
      await b.verifier.verify(t)
    }
    expect(hydra.calls).toBe(2)
    expect(await a.verifier.invalidate('alice')).toEqual({ shared: 'done', broadcast: 'done' })
    expect(await admin.exists(tokenCacheKey(alice, PREFIX))).toBe(0)
    expect(await admin.exists(tokenCacheKey(bob, PREFIX))).toBe(1)
    await vi.waitFor(() => expect(b.store.l1.entries()).toHaveLength(1))
    expect(b.store.l1.entries()[0]![0]).toBe(tokenCacheKey(bob, PREFIX))
    await b.verifier.verify(bob)
    expect(hydra.calls).toBe(2)
    await b.verifier.verify(alice)
    expect(hydra.calls).toBe(3)
  })

  it('invalidate() drops every entry of this prefix everywhere, and nothing of another prefix', async () => {
    const a = await instance()
    const b = await instance()
    const other = await instance({ cache: { keyPrefix: 'billing:' } })
    const token = hydra.issue('alice')
    await a.verifier.verify(token)
    await b.verifier.verify(token)
    await other.verifier.verify(token)
    expect(await a.verifier.invalidate()).toEqual({ shared: 'done', broadcast: 'done' })
    expect(await admin.keys('*')).toEqual([tokenCacheKey(token, 'billing:')])
    await vi.waitFor(() => expect(b.store.l1.entries()).toEqual([]))
    expect(other.store.l1.entries()).toHaveLength(1)
  })

  it('a corrupt or foreign value in Redis is not trusted: Hydra decides', async () => {
    const a = await instance()
    const good = hydra.issue('alice', { scope: 'admin' })
    const forged = 'ory_at_forged-token-that-hydra-does-not-know'
    await a.verifier.verify(good)
    // Copy the valid entry of `good` to the key of `forged`, and plant garbage for another token.
    await admin.set(tokenCacheKey(forged, PREFIX), (await admin.get(tokenCacheKey(good, PREFIX)))!)
    const garbage = hydra.issue('carol')
    await admin.set(tokenCacheKey(garbage, PREFIX), '{"active":true,"claims":{"sub":"mallory"}}')
    a.events.length = 0

    await expect(a.verifier.verify(forged)).rejects.toMatchObject({ reason: 'inactive' })
    expect((await a.verifier.verify(garbage)).subject).toBe('carol')
    expect(hydra.calls).toBe(3)
    expect(a.events.filter((e) => e.tier === 'l2')).toEqual([
      { cache: 'introspection', tier: 'l2', outcome: 'error' },
      { cache: 'introspection', tier: 'l2', outcome: 'error' },
    ])
  })

  it('Redis down: requests are still answered through Hydra, errors are reported, revoke says so', async () => {
    const a = await instance({}, 60_000)
    const known = hydra.issue('alice')
    await a.verifier.verify(known)
    await server.kill()
    const fresh = hydra.issue('bob')
    a.events.length = 0
    expect((await a.verifier.verify(fresh)).subject).toBe('bob')
    expect((await a.verifier.verify(known)).subject).toBe('alice')
    expect(hydra.calls).toBe(2)
    expect(a.events).toContainEqual({ cache: 'introspection', tier: 'l2', outcome: 'error' })
    expect(await a.verifier.revoke(known)).toEqual({ shared: 'failed', broadcast: 'failed' })
    await expect(a.verifier.verify(known)).rejects.toMatchObject({ reason: 'inactive' })
    expect(await a.verifier.invalidate('alice')).toEqual({ shared: 'failed', broadcast: 'failed' })
    // Bring a Redis back for the remaining hooks of this suite.
    server = await startRedisServer()
    admin.disconnect()
    admin = new Redis(server.url)
    admin.on('error', () => undefined)
  })
})
