// Two instances of the example API (each with its own per-process cache) sharing one real
// redis-server: one introspection serves both, a logout on one is honoured by the other through
// pub/sub, and killing Redis keeps both answering through Hydra.
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { Redis } from 'ioredis'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createObservabilityApp, type ObservabilityApp } from '../../examples/observability/src/app.js'
import {
  redisTestsEnabled,
  startRedisServer,
  type RedisServer,
} from '../../packages/core/test/support/redis-server.js'

const enabled = redisTestsEnabled('scale-out')
const SECRET = 'scale-out-test-secret-of-at-least-32-bytes'

function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

describe.skipIf(!enabled)('two API instances sharing one Redis', () => {
  let server: RedisServer
  let mock: MockHydra
  const redis: Redis[] = []
  let a: ObservabilityApp
  let b: ObservabilityApp

  const token = async (subject: string): Promise<string> =>
    (await mock.issueToken({ subject, scopes: ['orders:read'], audience: ['orders-api'] })).accessToken
  const introspections = (): number => mock.calls.introspectOAuth2Token

  beforeAll(async () => {
    server = await startRedisServer()
    mock = await createMockHydra()
    const connect = (): Redis => {
      const r = new Redis(server.url, { maxRetriesPerRequest: 1 })
      r.on('error', () => undefined)
      redis.push(r)
      return r
    }
    // A long L1 TTL: B can only drop its copy early through pub/sub.
    const shared = { adminUrl: mock.adminUrl, audience: 'orders-api', cacheSecret: SECRET, l1TtlMs: 60_000 }
    a = createObservabilityApp({ ...shared, redis: connect() })
    b = createObservabilityApp({ ...shared, redis: connect() })
    await Promise.all([a.store!.invalidation!.whenSubscribed(), b.store!.invalidation!.whenSubscribed()])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    for (const r of redis) r.disconnect()
    await mock?.close()
    await server?.stop()
  })

  it('one introspection serves both instances', async () => {
    const alice = await token('alice')
    const before = introspections()
    await request(a.app).get('/orders').set('authorization', `Bearer ${alice}`).expect(200)
    await request(b.app)
      .get('/orders')
      .set('authorization', `Bearer ${alice}`)
      .expect(200, {
        subject: 'alice',
        orders: [{ id: 1, item: 'coffee' }],
      })
    await request(b.app).get('/orders').set('authorization', `Bearer ${alice}`).expect(200)
    expect(introspections() - before).toBe(1)
    const metricsB = (await request(b.app).get('/metrics')).text
    expect(
      metric(metricsB, 'hydrakit_cache_lookups_total{cache="introspection",tier="l2",outcome="hit"}'),
    ).toBe(1)
    expect(
      metric(metricsB, 'hydrakit_cache_lookups_total{cache="introspection",tier="l1",outcome="hit"}'),
    ).toBe(1)
  })

  it('logout on A: B stops accepting the token (pub/sub), without asking Hydra', async () => {
    const bob = await token('bob')
    await request(a.app).get('/orders').set('authorization', `Bearer ${bob}`).expect(200)
    await request(b.app).get('/orders').set('authorization', `Bearer ${bob}`).expect(200)
    const before = introspections()

    mock.revoke(bob) // Hydra's revocation (the authority), then the caches everywhere:
    const out = await request(a.app).post('/logout').set('authorization', `Bearer ${bob}`).expect(200)
    expect(out.body).toEqual({ revoked: true, shared: 'done', broadcast: 'done' })

    await vi.waitFor(async () => {
      await request(b.app).get('/orders').set('authorization', `Bearer ${bob}`).expect(401)
    })
    await request(a.app).get('/orders').set('authorization', `Bearer ${bob}`).expect(401)
    // B's copy had 60 s left: only the pub/sub message can have replaced it, since Hydra was not asked.
    expect(introspections()).toBe(before)
  })

  it('Redis killed mid-test: both instances keep answering (200 for valid tokens), Hydra takes the load', async () => {
    const carol = await token('carol')
    await request(a.app).get('/orders').set('authorization', `Bearer ${carol}`).expect(200)
    await server.kill()

    const dave = await token('dave')
    const before = introspections()
    await request(a.app)
      .get('/orders')
      .set('authorization', `Bearer ${dave}`)
      .expect(200, {
        subject: 'dave',
        orders: [{ id: 1, item: 'coffee' }],
      })
    await request(b.app).get('/orders').set('authorization', `Bearer ${dave}`).expect(200)
    expect(introspections() - before).toBe(2)
    // Still cached in A's own memory.
    await request(a.app).get('/orders').set('authorization', `Bearer ${carol}`).expect(200)
    // Rejections stay rejections, not 500s.
    await request(b.app).get('/orders').set('authorization', 'Bearer ory_at_not-a-token').expect(401)
    await request(b.app).get('/orders').expect(401)

    const text = (await request(b.app).get('/metrics').expect(200)).text
    expect(
      metric(text, 'hydrakit_cache_lookups_total{cache="introspection",tier="l2",outcome="error"}'),
    ).toBeGreaterThan(0)
    // A logout while Redis is down says what it could not reach.
    const out = await request(a.app).post('/logout').set('authorization', `Bearer ${carol}`).expect(200)
    expect(out.body).toEqual({ revoked: true, shared: 'failed', broadcast: 'failed' })
    await request(a.app).get('/orders').set('authorization', `Bearer ${carol}`).expect(401)
  })
})
