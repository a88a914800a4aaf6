// What someone with write access to Redis (a compromised neighbour, a shared instance, a leaked
// password) can do to verifiers sharing it: cause cache misses, nothing worse. Each attack runs
// against a real redis-server, with two or three "instances" (verifiers with their own L1).
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createRedisInvalidationBus,
  type InvalidationEvent,
  type RedisInvalidationBusOptions,
} from '../../src/cache/invalidation-bus.js'
import { createRedisCacheStore, type RedisCacheStoreOptions } from '../../src/cache/redis-store.js'
import { createTieredCacheStore, type TieredCacheStore } from '../../src/cache/tiered-store.js'
import { tokenCacheKey } from '../../src/cache/token-key.js'
import { createIntrospectionVerifier, type IntrospectionVerifier } from '../../src/verify/introspection.js'
import {
  startIntrospectionServer,
  type IntrospectionServer,
} from '../observability/support/introspection-server.js'
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../support/redis-server.js'

const enabled = redisTestsEnabled('redis-attacks')
const PREFIX = 'hydrakit:introspection:'
const REVOKED = 'hydrakit:revoked:'
const CHANNEL = 'hydrakit:invalidate'
const SECRET = 'attack-test-secret-of-at-least-32-bytes'

interface Instance {
  verifier: IntrospectionVerifier
  store: TieredCacheStore
  /** Everything this instance's channel delivered (messages and resyncs). */
  events: InvalidationEvent[]
}

describe.skipIf(!enabled)('an attacker with write access to Redis', () => {
  let server: RedisServer
  let admin: Redis
  let hydra: IntrospectionServer
  const clients: Redis[] = []
  const instances: Instance[] = []

  const instance = async (
    store: Partial<RedisCacheStoreOptions> = { integrityKey: SECRET },
    bus: Partial<RedisInvalidationBusOptions> = { integrityKey: SECRET },
  ): Promise<Instance> => {
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    redis.on('error', () => undefined)
    clients.push(redis)
    const invalidation = createRedisInvalidationBus(redis, bus)
    const tiered = createTieredCacheStore({
      // A generous deadline: the machine running the tests may be busy.
      l2: createRedisCacheStore(redis, { timeoutMs: 2000, ...store }),
      l1: { ttlMs: 60_000 },
      invalidation,
    })
    const verifier = createIntrospectionVerifier({
      adminUrl: hydra.adminUrl,
      audience: false,
      cache: { store: tiered },
    })
    const events: InvalidationEvent[] = []
    invalidation.subscribe((e) => events.push(e))
    await invalidation.whenSubscribed()
    const made = { verifier, store: tiered, events }
    instances.push(made)
    return made
  }

  /** Bytes Redis has sent to all its clients so far (INFO stats). */
  const bytesSent = async (): Promise<number> => {
    const m = /total_net_output_bytes:(\d+)/.exec(await admin.info('stats'))
    return Number(m?.[1])
  }

  beforeAll(async () => {
    server = await startRedisServer()
    admin = new Redis(server.url)
    hydra = await startIntrospectionServer()
  })
  beforeEach(async () => {
    await admin.flushall()
  })
  afterEach(async () => {
    for (const i of instances.splice(0)) {
      await i.verifier.close()
      await i.store.close()
    }
    for (const c of clients.splice(0)) c.disconnect()
    hydra.calls = 0
  })
  afterAll(async () => {
    admin?.disconnect()
    await hydra?.close()
    await server?.stop()
  })

  describe('1. minting a token by writing a value', () => {
    const invented = 'ory_at_invented-by-the-attacker'
    const planted = (key: string, m?: string): string =>
      JSON.stringify({
        v: 1,
        k: key,
        e: Date.now() + 600_000,
        d: JSON.stringify({
          active: true,
          claims: { active: true, sub: 'mallory', scope: 'admin', token_use: 'access_token' },
        }),
        ...(m === undefined ? {} : { m }),
      })

    it('a well-formed envelope for an invented token is refused: Hydra decides (inactive)', async () => {
      const a = await instance()
      const key = tokenCacheKey(invented, PREFIX)
      for (const text of [planted(key), planted(key, 'A'.repeat(43))]) {
        await admin.set(key, text, 'PX', 600_000)
        await a.store.l1.clear()
        await expect(a.verifier.verify(invented)).rejects.toMatchObject({ reason: 'inactive' })
      }
      expect(hydra.calls).toBe(2)
      // Nor can a revocation record be turned into an accepted value.
      await admin.set(`${REVOKED}${key}`, planted(key), 'PX', 600_000)
      await a.store.l1.clear()
      await expect(a.verifier.verify(invented)).rejects.toMatchObject({ reason: 'inactive' })
    })

    it("with integrity: 'none-trusted-redis' the same write is accepted: what the opt-out costs", async () => {
      const a = await instance({ integrity: 'none-trusted-redis' }, { integrity: 'none-trusted-redis' })
      const key = tokenCacheKey(invented, PREFIX)
      await admin.set(key, planted(key), 'PX', 600_000)
      expect((await a.verifier.verify(invented)).subject).toBe('mallory')
      expect(hydra.calls).toBe(0)
    })
  })

  describe('2. undoing a revoke', () => {
    it('writing the old signed value back: every instance, even a new one, keeps refusing', async () => {
      const a = await instance()
      const b = await instance()
      const token = hydra.issue('alice')
      await a.verifier.verify(token)
      const key = tokenCacheKey(token, PREFIX)
      const before = (await admin.get(key))!
      expect(await a.verifier.revoke(token)).toEqual({ shared: 'done', broadcast: 'done' })
      await admin.set(key, before, 'PX', 600_000)
      await expect(a.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
      await expect(b.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
      const c = await instance()
      await expect(c.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
      // The revocation record answered; Hydra (which still says active) was asked once, before.
      expect(hydra.calls).toBe(1)
    })

    it("a forged 'all' message, a real invalidate() or a forced resync never drop the revocation marks", async () => {
      const a = await instance()
      const b = await instance()
      const token = hydra.issue('alice')
      await b.verifier.verify(token)
      const key = tokenCacheKey(token, PREFIX)
      const before = (await admin.get(key))!
      await a.verifier.revoke(token)
      await vi.waitFor(() => expect(b.store.l1.entries()).toContainEqual([key, { active: false }]))
      // The attacker also removes the revocation record and writes the old value back.
      await admin.del(`${REVOKED}${key}`)
      await admin.set(key, before, 'PX', 600_000)

      const forged = JSON.stringify({ v: 2, o: 'x', n: 'n1', ts: Date.now(), t: 'all', p: PREFIX })
      await admin.publish(CHANNEL, forged)
      await admin.publish(CHANNEL, `-.${forged}`)
      expect(await a.verifier.invalidate()).toEqual({ shared: 'done', broadcast: 'done' })
      await vi.waitFor(() => expect(b.events).toContainEqual({ type: 'all', prefix: PREFIX }))
      await admin.set(key, before, 'PX', 600_000)
      await admin.client('KILL', 'TYPE', 'pubsub')
      await vi.waitFor(() => expect(b.events).toContainEqual({ type: 'resync' }), { timeout: 10_000 })

      expect(b.events.filter((e) => e.type === 'all')).toHaveLength(1)
      expect(b.store.l1.entries()).toContainEqual([key, { active: false }])
      await expect(b.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
      await expect(a.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
      expect(hydra.calls).toBe(1)
    })

    it('the limit: deleting the record and writing the old value back fools an instance that never saw the revocation', async () => {
      const a = await instance()
      const token = hydra.issue('alice')
      await a.verifier.verify(token)
      const key = tokenCacheKey(token, PREFIX)
      const before = (await admin.get(key))!
      await a.verifier.revoke(token)
      await admin.del(`${REVOKED}${key}`)
      await admin.set(key, before, 'PX', 600_000)
      // Started after the revocation: it has no mark, and the value is genuinely signed. It is
      // accepted until the value's signed expiry (at most cache.ttlMs after Hydra vouched for it).
      const late = await instance()
      expect((await late.verifier.verify(token)).subject).toBe('alice')
      await expect(a.verifier.verify(token)).rejects.toMatchObject({ reason: 'inactive' })
    })
  })

  describe('3. flooding the invalidation channel', () => {
    const fill = (store: TieredCacheStore, n: number): void => {
      for (let i = 0; i < n; i++) {
        store.setLocal(
          `${PREFIX}k${i}`,
          { active: true, claims: { sub: `user${i % 1000}`, token_use: 'access_token' } },
          60_000,
        )
      }
    }

    it('forged (unsigned or badly signed) messages do nothing', async () => {
      const b = await instance()
      fill(b.store, 10_000)
      const pipeline = admin.pipeline()
      for (let i = 0; i < 200; i++) {
        const body = JSON.stringify({
          v: 2,
          o: 'x',
          n: `n${i}`,
          ts: Date.now(),
          t: 'subject',
          p: PREFIX,
          s: 'A'.repeat(43),
        })
        pipeline.publish(CHANNEL, i % 2 === 0 ? `-.${body}` : `${'B'.repeat(43)}.${body}`)
      }
      await pipeline.exec()
      // A marker message, signed, sent after the flood: once it arrived, the flood was handled.
      const a = await instance()
      await a.verifier.invalidate('nobody')
      await vi.waitFor(() => expect(b.events.some((e) => e.type === 'subject')).toBe(true))
      expect(b.events.filter((e) => e.type === 'subject')).toHaveLength(1)
      expect(b.store.l1.size).toBe(10_000)
    })

    it('a subject message finds its entries through the index, without walking L1', async () => {
      const a = await instance()
      const b = await instance()
      fill(b.store, 10_000)
      const walk = vi.spyOn(b.store.l1, 'entries')
      await a.verifier.invalidate('user7')
      await vi.waitFor(() => expect(b.store.l1.size).toBe(9_990))
      expect(walk).not.toHaveBeenCalled()
      expect(b.store.l1.entries().some(([, v]) => JSON.stringify(v).includes('"user7"'))).toBe(false)
    })

    it('past maxMessagesPerSecond messages are dropped unread and one resync follows (marks kept)', async () => {
      const b = await instance(undefined, { integrityKey: SECRET, maxMessagesPerSecond: 20 })
      fill(b.store, 100)
      const revoked = `${PREFIX}revoked-one`
      b.store.setLocal(revoked, { active: false }, 60_000)
      const pipeline = admin.pipeline()
      for (let i = 0; i < 500; i++) pipeline.publish(CHANNEL, `-.{"n":${i}}`)
      await pipeline.exec()
      await vi.waitFor(() => expect(b.events).toContainEqual({ type: 'resync' }), { timeout: 5_000 })
      expect(b.store.l1.entries()).toEqual([[revoked, { active: false }]])
    })
  })

  describe('4. oversized values and messages', () => {
    it('a 48 MiB value under a token key never crosses the wire: Hydra answers instead', async () => {
      const a = await instance()
      const token = hydra.issue('alice')
      const key = tokenCacheKey(token, PREFIX)
      await admin.set(key, 'x'.repeat(48 * 1024 * 1024), 'PX', 600_000)
      await admin.set(`${REVOKED}${key}`, 'y'.repeat(48 * 1024 * 1024), 'PX', 600_000)
      const sent = await bytesSent()
      expect((await a.verifier.verify(token)).subject).toBe('alice')
      expect(hydra.calls).toBe(1)
      // Two reads of at most 256 KiB + 1 byte each, plus small replies.
      expect((await bytesSent()) - sent).toBeLessThan(600 * 1024)
    })

    it('a huge PUBLISH on the channel is dropped, and the channel keeps working', async () => {
      const a = await instance()
      const b = await instance()
      await admin.publish(CHANNEL, `-.${'z'.repeat(8 * 1024 * 1024)}`)
      await a.verifier.invalidate('after-the-big-one')
      await vi.waitFor(() => expect(b.events).toHaveLength(1), { timeout: 10_000 })
      expect(b.events[0]).toMatchObject({ type: 'subject', prefix: PREFIX })
    })
  })
})
