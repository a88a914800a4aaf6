import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRedisCacheStore, type RedisClientLike } from '../../src/cache/redis-store.js'
import type { JsonValue } from '../../src/cache/store.js'
import type { CacheTier, CacheTierOutcome } from '../../src/cache/tier-report.js'
import { tokenCacheKey } from '../../src/cache/token-key.js'
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../support/redis-server.js'

const enabled = redisTestsEnabled('redis-store')
const SECRET = 'a-shared-secret-of-at-least-32-bytes!!'
const signed = { integrityKey: SECRET }
const unsigned = { integrity: 'none-trusted-redis' } as const

type Report = [CacheTier, CacheTierOutcome]
const recorder = (): { reports: Report[]; listener: (t: CacheTier, o: CacheTierOutcome) => void } => {
  const reports: Report[] = []
  return { reports, listener: (t, o) => reports.push([t, o]) }
}

/** Number of times Redis ran `command`, from INFO commandstats. */
async function commandCalls(admin: Redis, command: string): Promise<number> {
  const info = await admin.info('commandstats')
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)
  return m === null ? 0 : Number(m[1])
}

describe('createRedisCacheStore: options', () => {
  const client = { getrange() {}, set() {}, del() {}, scan() {} } as unknown as RedisClientLike

  it.each([
    [{ timeoutMs: 0 }, 'options.timeoutMs must be an integer >= 1, got 0'],
    [{ timeoutMs: 1.5 }, 'options.timeoutMs must be an integer >= 1'],
    [{ cooldownMs: -1 }, 'options.cooldownMs must be an integer >= 0, got -1'],
    [{ maxValueBytes: 'big' }, 'options.maxValueBytes must be an integer >= 1, got string'],
    [{ integrityKey: 'short' }, 'options.integrityKey must be at least 32 bytes, got 5'],
    [{ integrityKey: 42 }, 'options.integrityKey must be a string or a Uint8Array'],
    [{ integrity: 'none' }, "options.integrity must be 'none-trusted-redis' or undefined"],
    [{ integrityKey: SECRET, integrity: 'none-trusted-redis' }, 'mutually exclusive'],
    [{ integrityKey: SECRET, revocationPrefix: '' }, 'options.revocationPrefix must be a non-empty string'],
  ])('%j → TypeError', (options: Record<string, unknown>, message) => {
    const full = {
      ...('integrityKey' in options || 'integrity' in options ? {} : signed),
      ...options,
    }
    expect(() => createRedisCacheStore(client, full as never)).toThrow(TypeError)
    expect(() => createRedisCacheStore(client, full as never)).toThrow(message)
  })

  it('without integrityKey or integrity it throws a TypeError that explains the choice', () => {
    for (const options of [{}, { timeoutMs: 100 }, undefined]) {
      expect(() => createRedisCacheStore(client, options as never)).toThrow(TypeError)
    }
    expect(() => createRedisCacheStore(client, {})).toThrow(
      /options\.integrityKey is required: .*whoever can write to Redis cannot make a token accepted.*integrity: 'none-trusted-redis'/,
    )
    expect(() => createRedisCacheStore(client, unsigned)).not.toThrow()
  })

  it('rejects something that is not a Redis client, naming the missing method', () => {
    expect(() => createRedisCacheStore(null as never, signed)).toThrow(
      'client must be a Redis client (ioredis), got null',
    )
    expect(() => createRedisCacheStore({ getrange() {} } as never, signed)).toThrow(
      'client must be a Redis client (ioredis): it has no set() method',
    )
  })

  it('accepts a real ioredis client at the type level without connecting', () => {
    const redis = new Redis({ lazyConnect: true })
    const store = createRedisCacheStore(redis, signed)
    expect(store.client).toBe(redis)
    expect(store.timeoutMs).toBe(100)
    expect(store.reportsTiers).toBe(true)
    redis.disconnect()
  })
})

describe.skipIf(!enabled)('createRedisCacheStore against a real redis-server', () => {
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

  it('round-trips JSON values, stores an envelope bound to the key, and sets the TTL with PX', async () => {
    const store = createRedisCacheStore(redis, signed)
    const key = tokenCacheKey('some-token', 'hk:')
    const value: JsonValue = { active: true, claims: { sub: 'alice', scope: 'a b', n: 1.5, ok: null } }
    await store.set(key, value, 30_000)
    expect(await store.get(key)).toEqual(value)
    const raw = JSON.parse((await admin.get(key))!)
    expect(raw).toMatchObject({ v: 1, k: key, d: JSON.stringify(value) })
    expect(raw.m).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const pttl = await admin.pttl(key)
    expect(pttl).toBeGreaterThan(25_000)
    expect(pttl).toBeLessThanOrEqual(30_000)
    expect(JSON.stringify(raw)).not.toContain('some-token')
  })

  it('rounds a fractional TTL up and skips non-positive or non-finite TTLs', async () => {
    const store = createRedisCacheStore(redis, signed)
    await store.set('k:frac', 1, 1000.2)
    expect(await admin.pttl('k:frac')).toBeGreaterThan(0)
    await store.set('k:zero', 1, 0)
    await store.set('k:neg', 1, -5)
    await store.set('k:nan', 1, Number.NaN)
    await store.set('k:inf', 1, Number.POSITIVE_INFINITY)
    expect(await admin.exists('k:zero', 'k:neg', 'k:nan', 'k:inf')).toBe(0)
  })

  it('expired entries are gone (Redis PX)', async () => {
    const store = createRedisCacheStore(redis, signed)
    await store.set('k:short', 'v', 30)
    await new Promise((r) => setTimeout(r, 80))
    expect(await store.get('k:short')).toBeUndefined()
  })

  it('getEntry returns the remaining TTL; delete removes', async () => {
    const store = createRedisCacheStore(redis, signed)
    await store.set('k:e', { a: 1 }, 10_000)
    const entry = await store.getEntry('k:e')
    expect(entry?.value).toEqual({ a: 1 })
    expect(entry!.ttlMs).toBeGreaterThan(5_000)
    expect(entry!.ttlMs).toBeLessThanOrEqual(10_000)
    await store.delete('k:e')
    expect(await admin.exists('k:e')).toBe(0)
    expect(await store.getEntry('k:e')).toBeUndefined()
  })

  it('reports tier l2 hit and miss to the listener', async () => {
    const store = createRedisCacheStore(redis, signed)
    const { reports, listener } = recorder()
    await store.get('k:none', listener)
    await store.set('k:yes', true, 10_000, listener)
    await store.get('k:yes', listener)
    expect(reports).toEqual([
      ['l2', 'miss'],
      ['l2', 'hit'],
    ])
  })

  describe('values that cannot be trusted are ignored (and reported as errors)', () => {
    const key = 'hk:target'
    const valid = (k: string, d: string, e = Date.now() + 60_000): string => JSON.stringify({ v: 1, k, e, d })

    it.each([
      ['not JSON', 'this is not json {'],
      ['a bare JSON value (no envelope)', JSON.stringify({ active: true, claims: { sub: 'mallory' } })],
      [
        'an envelope with the wrong version',
        JSON.stringify({ v: 2, k: key, e: Date.now() + 60_000, d: 'true' }),
      ],
      ['an envelope whose data is not JSON', valid(key, '{oops')],
      [
        'an envelope with non-string data',
        JSON.stringify({ v: 1, k: key, e: Date.now() + 60_000, d: { active: true } }),
      ],
      [
        'an envelope for another key',
        valid('hk:other', JSON.stringify({ active: true, claims: { sub: 'x' } })),
      ],
      ['an envelope with a non-numeric expiry', JSON.stringify({ v: 1, k: key, e: 'later', d: 'true' })],
      ['an array', '[1,2,3]'],
    ])('%s', async (_name, raw) => {
      await admin.set(key, raw, 'PX', 60_000)
      const store = createRedisCacheStore(redis, unsigned)
      const { reports, listener } = recorder()
      expect(await store.get(key, listener)).toBeUndefined()
      expect(reports).toEqual([['l2', 'error']])
    })

    it('a value copied from another key is refused', async () => {
      const store = createRedisCacheStore(redis, unsigned)
      await store.set('hk:victim', { active: true, claims: { sub: 'admin' } }, 60_000)
      await admin.set(key, (await admin.get('hk:victim'))!, 'PX', 60_000)
      expect(await store.get('hk:victim')).toEqual({ active: true, claims: { sub: 'admin' } })
      expect(await store.get(key)).toBeUndefined()
    })

    it('a value larger than maxValueBytes is refused', async () => {
      const big = { blob: 'x'.repeat(5000) }
      const small = createRedisCacheStore(redis, { ...unsigned, maxValueBytes: 1000 })
      await small.set(key, big, 60_000)
      expect(await small.get(key)).toBeUndefined()
      expect(await createRedisCacheStore(redis, unsigned).get(key)).toEqual(big)
    })

    it('an envelope whose own expiry passed is a miss (another instance wrote it with a longer PX)', async () => {
      await admin.set(key, valid(key, 'true', Date.now() - 1), 'PX', 60_000)
      const { reports, listener } = recorder()
      expect(await createRedisCacheStore(redis, unsigned).get(key, listener)).toBeUndefined()
      expect(reports).toEqual([['l2', 'miss']])
    })
  })

  describe('integrityKey', () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!!'

    it('signs values; signed values round-trip', async () => {
      const store = createRedisCacheStore(redis, { integrityKey: secret })
      await store.set('hk:s', { active: true }, 60_000)
      expect(JSON.parse((await admin.get('hk:s'))!).m).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(await store.get('hk:s')).toEqual({ active: true })
    })

    it('a planted value with a valid shape but no or a wrong signature is ignored', async () => {
      const store = createRedisCacheStore(redis, { integrityKey: secret })
      const d = JSON.stringify({ active: true, claims: { sub: 'mallory', scope: 'admin' } })
      const e = Date.now() + 60_000
      await admin.set('hk:p1', JSON.stringify({ v: 1, k: 'hk:p1', e, d }), 'PX', 60_000)
      await admin.set('hk:p2', JSON.stringify({ v: 1, k: 'hk:p2', e, d, m: 'A'.repeat(43) }), 'PX', 60_000)
      // Signed with another secret (e.g. by an unsigned or differently configured writer).
      await createRedisCacheStore(redis, { integrityKey: Buffer.alloc(32, 7) }).set(
        'hk:p3',
        { active: true },
        60_000,
      )
      for (const k of ['hk:p1', 'hk:p2', 'hk:p3']) expect(await store.get(k)).toBeUndefined()
    })

    it('tampering with the expiry or the data breaks the signature', async () => {
      const store = createRedisCacheStore(redis, { integrityKey: secret })
      await store.set('hk:t', { active: false }, 60_000)
      const env = JSON.parse((await admin.get('hk:t'))!)
      await admin.set('hk:t', JSON.stringify({ ...env, d: JSON.stringify({ active: true, claims: {} }) }))
      expect(await store.get('hk:t')).toBeUndefined()
      await admin.set('hk:t', JSON.stringify({ ...env, e: env.e + 3_600_000 }))
      expect(await store.get('hk:t')).toBeUndefined()
      await admin.set('hk:t', JSON.stringify(env))
      expect(await store.get('hk:t')).toEqual({ active: false })
    })
  })

  describe('deleteMatching', () => {
    it('deletes keys under the prefix only, optionally filtered by value', async () => {
      const store = createRedisCacheStore(redis, signed)
      for (let i = 0; i < 600; i++) {
        await store.set(`app:${i}`, { sub: i % 2 === 0 ? 'even' : 'odd' }, 60_000)
      }
      await store.set('other:1', { sub: 'even' }, 60_000)
      await admin.set('app:garbage', 'not json')
      const removed = await store.deleteMatching('app:', (v) => (v as { sub: string }).sub === 'even')
      expect(removed).toBe(300)
      expect(await admin.exists('app:0')).toBe(0)
      expect(await admin.exists('app:1')).toBe(1)
      expect(await admin.exists('app:garbage')).toBe(1)
      expect(await admin.exists('other:1')).toBe(1)
      expect(await store.deleteMatching('app:')).toBe(301)
      expect(await admin.dbsize()).toBe(1)
    })

    it('treats glob characters in the prefix literally', async () => {
      const store = createRedisCacheStore(redis, signed)
      await store.set('a*b:1', 1, 60_000)
      await store.set('axb:1', 1, 60_000)
      await store.set('a[x]:1', 1, 60_000)
      await store.set('ax:1', 1, 60_000)
      expect(await store.deleteMatching('a*b:')).toBe(1)
      expect(await store.deleteMatching('a[x]:')).toBe(1)
      expect((await admin.keys('*')).sort()).toEqual(['ax:1', 'axb:1'])
    })
  })

  describe('a slow or unreachable Redis', () => {
    it('a command that does not answer in time rejects; then the cooldown skips Redis entirely', async () => {
      const store = createRedisCacheStore(redis, { ...signed, timeoutMs: 50, cooldownMs: 60_000 })
      await store.set('k:p', 1, 60_000)
      const before = await commandCalls(admin, 'getrange')
      await admin.client('PAUSE', 400, 'ALL')
      const { reports, listener } = recorder()
      await expect(store.get('k:p', listener)).rejects.toThrow(/did not answer within 50 ms/)
      await expect(store.get('k:p', listener)).rejects.toThrow(/unavailable/)
      await expect(store.set('k:p', 2, 1000, listener)).rejects.toThrow(/unavailable/)
      await expect(store.delete('k:p', listener)).rejects.toThrow(/unavailable/)
      expect(reports).toEqual([
        ['l2', 'error'],
        ['l2', 'error'],
        ['l2', 'error'],
        ['l2', 'error'],
      ])
      await admin.client('UNPAUSE')
      // Only the first read (two GETRANGEs: record and value) ever reached Redis (it ran after the
      // pause); the others were skipped.
      await new Promise((r) => setTimeout(r, 50))
      expect((await commandCalls(admin, 'getrange')) - before).toBe(2)
      expect(await admin.get('k:p')).not.toBeNull()
    })

    it('with cooldownMs 0 every call tries Redis again', async () => {
      const store = createRedisCacheStore(redis, { ...signed, timeoutMs: 2000, cooldownMs: 0 })
      await store.set('k:c', 'v', 60_000)
      expect(await store.get('k:c')).toBe('v')
    })

    it('a closed client fails at once without sending anything', async () => {
      const closedClient = new Redis(server.url)
      await closedClient.ping()
      const ended = new Promise((resolve) => closedClient.once('end', resolve))
      closedClient.disconnect()
      await ended
      expect(closedClient.status).toBe('end')
      const store = createRedisCacheStore(closedClient, signed)
      await expect(store.get('k')).rejects.toThrow('redis is unavailable')
      await expect(store.deleteMatching('k')).rejects.toThrow('redis is unavailable')
    })
  })
})

describe('createRedisCacheStore: a server that accepts connections but never answers', () => {
  let blackHole: Server
  const sockets = new Set<Socket>()
  let client: Redis

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
    client = new Redis({
      host: '127.0.0.1',
      port: (blackHole.address() as AddressInfo).port,
      maxRetriesPerRequest: 1,
      connectTimeout: 60_000,
    })
    client.on('error', () => undefined)
  })
  afterEach(() => undefined)
  afterAll(async () => {
    client.disconnect()
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => blackHole.close(() => resolve()))
  })

  it('get, set, delete and deleteMatching all reject after timeoutMs instead of hanging', async () => {
    const store = createRedisCacheStore(client, { ...signed, timeoutMs: 30, cooldownMs: 0 })
    const { reports, listener } = recorder()
    await expect(store.get('k', listener)).rejects.toThrow(/did not answer within 30 ms/)
    await expect(store.set('k', 1, 1000, listener)).rejects.toThrow(/did not answer/)
    await expect(store.delete('k', listener)).rejects.toThrow(/did not answer/)
    await expect(store.deleteMatching('k')).rejects.toThrow(/did not answer/)
    expect(reports).toEqual([
      ['l2', 'error'],
      ['l2', 'error'],
      ['l2', 'error'],
    ])
  })
})
