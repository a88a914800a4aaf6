import { createHmac } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createRedisInvalidationBus,
  type InvalidationBus,
  type InvalidationEvent,
  type RedisPubSubClientLike,
} from '../../src/cache/invalidation-bus.js'
import { subjectDigest } from '../../src/cache/invalidation.js'
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../support/redis-server.js'

const enabled = redisTestsEnabled('redis-invalidation-bus')
const HASH = subjectDigest('alice')
const SECRET = 'bus-test-secret-of-at-least-32-bytes'
const signed = { integrityKey: SECRET }

/** A message as an instance holding `secret` would send it (the wire format, written out here). */
function signMessage(secret: string, channel: string, body: Record<string, unknown>): string {
  const json = JSON.stringify(body)
  const mac = createHmac('sha256', secret).update(`v2\nbus\n${channel}\n${json}`).digest('base64url')
  return `${mac}.${json}`
}

describe('createRedisInvalidationBus: options and messages', () => {
  const client = { publish() {}, duplicate() {} } as unknown as RedisPubSubClientLike

  it.each([
    [{ channel: '' }, 'options.channel must be a non-empty string'],
    [{ channel: 5 }, 'options.channel must be a non-empty string'],
    [{ timeoutMs: 0 }, 'options.timeoutMs must be an integer >= 1, got 0'],
    [{ maxMessageAgeMs: 0 }, 'options.maxMessageAgeMs must be an integer >= 1, got 0'],
    [{ maxMessagesPerSecond: 1.5 }, 'options.maxMessagesPerSecond must be an integer >= 1'],
  ])('%j → TypeError', (options, message) => {
    expect(() => createRedisInvalidationBus(client, { ...signed, ...options } as never)).toThrow(TypeError)
    expect(() => createRedisInvalidationBus(client, { ...signed, ...options } as never)).toThrow(message)
  })

  it('without integrityKey or integrity it throws a TypeError that explains the choice', () => {
    expect(() => createRedisInvalidationBus(client, {})).toThrow(
      /options\.integrityKey is required: .*integrity: 'none-trusted-redis'/,
    )
    expect(() => createRedisInvalidationBus(client, undefined as never)).toThrow(TypeError)
    expect(() => createRedisInvalidationBus(client, { integrity: 'none-trusted-redis' })).not.toThrow()
  })

  it('needs publish and duplicate', () => {
    expect(() => createRedisInvalidationBus({ publish() {} } as never, signed)).toThrow(
      'client must be a Redis client (ioredis): it has no duplicate() method',
    )
  })

  it('refuses to publish malformed messages', async () => {
    const bus = createRedisInvalidationBus(client, signed)
    await expect(bus.publish({ type: 'revoke', key: '' })).rejects.toThrow('message.key must be a string')
    await expect(bus.publish({ type: 'revoke', key: 'x'.repeat(2000) })).rejects.toThrow(TypeError)
    await expect(bus.publish({ type: 'subject', prefix: 'p:', subjectHash: 'alice' })).rejects.toThrow(
      'message.subjectHash must be a base64url SHA-256 digest',
    )
    await expect(bus.publish({ type: 'nope' } as never)).rejects.toThrow("message.type must be 'revoke'")
  })
})

describe.skipIf(!enabled)('createRedisInvalidationBus against a real redis-server', () => {
  let server: RedisServer
  let admin: Redis
  const clients: Redis[] = []
  const buses: InvalidationBus[] = []

  const client = (): Redis => {
    const c = new Redis(server.url, { maxRetriesPerRequest: 1 })
    c.on('error', () => undefined)
    clients.push(c)
    return c
  }
  const bus = (channel?: string): InvalidationBus => {
    const b = createRedisInvalidationBus(client(), { ...signed, channel })
    buses.push(b)
    return b
  }
  const listen = async (b: InvalidationBus): Promise<InvalidationEvent[]> => {
    const seen: InvalidationEvent[] = []
    b.subscribe((e) => seen.push(e))
    await b.whenSubscribed()
    return seen
  }

  beforeAll(async () => {
    server = await startRedisServer()
    admin = new Redis(server.url)
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()))
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(async () => {
    admin?.disconnect()
    await server?.stop()
  })

  it('delivers each message to the other instances, not back to the sender', async () => {
    const a = bus()
    const b = bus()
    const seenA = await listen(a)
    const seenB = await listen(b)
    await a.publish({ type: 'revoke', key: 'hk:abc' })
    await a.publish({ type: 'subject', prefix: 'hk:', subjectHash: HASH })
    await a.publish({ type: 'all', prefix: 'hk:' })
    await vi.waitFor(() => expect(seenB).toHaveLength(3))
    expect(seenB).toEqual([
      { type: 'revoke', key: 'hk:abc' },
      { type: 'subject', prefix: 'hk:', subjectHash: HASH },
      { type: 'all', prefix: 'hk:' },
    ])
    expect(seenA).toEqual([])
  })

  it('ignores malformed, unsigned, badly signed, stale and replayed messages', async () => {
    const b = bus()
    const seen = await listen(b)
    const now = Date.now()
    const body = (extra: Record<string, unknown>): Record<string, unknown> => ({
      v: 2,
      o: 'someone',
      n: `n${Math.random()}`,
      ts: now,
      ...extra,
    })
    const junk = [
      'not json',
      '[]',
      `${'A'.repeat(43)}.${JSON.stringify(body({ t: 'all', p: 'hk:' }))}`,
      `-.${JSON.stringify(body({ t: 'all', p: 'hk:' }))}`,
      JSON.stringify(body({ t: 'all', p: 'hk:' })),
      signMessage(SECRET, 'other:channel', body({ t: 'all', p: 'hk:' })),
      signMessage(
        'another-secret-that-is-32-bytes-long!',
        'hydrakit:invalidate',
        body({ t: 'all', p: 'hk:' }),
      ),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'all', p: 'hk:', ts: now - 60_000 })),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'all', p: 'hk:', ts: now + 60_000 })),
      signMessage(SECRET, 'hydrakit:invalidate', { ...body({ t: 'all', p: 'hk:' }), v: 1 }),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'revoke', k: 42 })),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'revoke', k: '' })),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'subject', p: 'hk:', s: 'alice' })),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'add', k: 'hk:1', value: { active: true } })),
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'all', p: 'x'.repeat(5000) })),
    ]
    for (const text of junk) await admin.publish('hydrakit:invalidate', text)
    const good = signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'all', p: 'hk:', n: 'once' }))
    await admin.publish('hydrakit:invalidate', good)
    // The same signed message again (a replay within the age window) is applied once.
    await admin.publish('hydrakit:invalidate', good)
    await admin.publish(
      'hydrakit:invalidate',
      signMessage(SECRET, 'hydrakit:invalidate', body({ t: 'all', p: 'end:' })),
    )
    await vi.waitFor(() => expect(seen).toHaveLength(2))
    expect(seen).toEqual([
      { type: 'all', prefix: 'hk:' },
      { type: 'all', prefix: 'end:' },
    ])
  })

  it('keeps channels apart', async () => {
    const a = bus('orders:invalidate')
    const b = bus('billing:invalidate')
    const c = bus('orders:invalidate')
    const seenB = await listen(b)
    const seenC = await listen(c)
    await a.publish({ type: 'all', prefix: 'p:' })
    await vi.waitFor(() => expect(seenC).toHaveLength(1))
    expect(seenB).toEqual([])
  })

  it('a throwing listener does not stop the others; unsubscribe stops delivery', async () => {
    const a = bus()
    const b = bus()
    const seen: InvalidationEvent[] = []
    b.subscribe(() => {
      throw new Error('listener bug')
    })
    const off = b.subscribe((e) => seen.push(e))
    await b.whenSubscribed()
    await a.publish({ type: 'all', prefix: 'p:' })
    await vi.waitFor(() => expect(seen).toHaveLength(1))
    off()
    await a.publish({ type: 'all', prefix: 'q:' })
    await a.publish({ type: 'all', prefix: 'r:' })
    const probe = await listen(bus())
    await a.publish({ type: 'all', prefix: 's:' })
    await vi.waitFor(() => expect(probe).toHaveLength(1))
    expect(seen).toHaveLength(1)
  })

  it('sends resync when the subscriber connection was lost and came back', async () => {
    const a = bus()
    const b = bus()
    const seen = await listen(b)
    // Drop every pub/sub connection on the server side, as a network blip or a Redis restart would.
    await admin.client('KILL', 'TYPE', 'pubsub')
    await vi.waitFor(() => expect(seen).toContainEqual({ type: 'resync' }), { timeout: 10_000 })
    // And it is subscribed again.
    await vi.waitFor(
      async () => {
        await a.publish({ type: 'all', prefix: 'after:' })
        expect(seen).toContainEqual({ type: 'all', prefix: 'after:' })
      },
      { timeout: 10_000, interval: 100 },
    )
  })

  it('publish rejects when Redis is unreachable; close() disconnects only its own connection', async () => {
    const c = client()
    await c.ping()
    const b = createRedisInvalidationBus(c, signed)
    buses.push(b)
    b.subscribe(() => undefined)
    await b.whenSubscribed()
    const subscribers = async (): Promise<number> =>
      Number((await admin.pubsub('NUMSUB', 'hydrakit:invalidate'))[1])
    expect(await subscribers()).toBe(1)
    await b.close()
    await vi.waitFor(async () => expect(await subscribers()).toBe(0))
    expect(c.status).toBe('ready')
    await expect(b.publish({ type: 'all', prefix: 'p:' })).rejects.toThrow('closed')
    await expect(b.whenSubscribed()).resolves.toBeUndefined()

    const ended = new Promise((resolve) => c.once('end', resolve))
    c.disconnect()
    await ended
    const other = createRedisInvalidationBus(c, signed)
    await expect(other.publish({ type: 'all', prefix: 'p:' })).rejects.toThrow('redis is unavailable')
  })
})
