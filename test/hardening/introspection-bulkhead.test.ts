// The bulkhead toward Hydra's admin API: a flood of distinct random tokens against a real, slow
// introspection endpoint. Counted at the endpoint (most calls open at once, calls received) and at
// the clients (what each one was answered), through the verifier and through real Express and Koa
// servers.
import { randomBytes } from 'node:crypto'
import {
  createIntrospectionVerifier,
  InvalidTokenError,
  UpstreamUnavailableError,
  type BulkheadEvent,
} from '@hydrakit/core'
import { createPrometheusHooks } from '@hydrakit/core/observability'
import * as prom from 'prom-client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FRAMEWORKS, startApp } from '../support/apps.js'
import { startIntrospectionServer, type IntrospectionServer } from '../support/introspection-server.js'

const INACTIVE = { text: '{"active":false}' }
const randomToken = (): string => `ory_at_${randomBytes(24).toString('base64url')}`

let srv: IntrospectionServer
beforeAll(async () => {
  srv = await startIntrospectionServer()
})
afterAll(() => srv.close())
beforeEach(() => {
  srv.release()
  srv.reset()
  srv.reply = () => INACTIVE
})

function verifier(limits: {
  maxConcurrentCalls?: number
  maxQueuedCalls?: number
  queueTimeoutMs?: number
  hooks?: Parameters<typeof createIntrospectionVerifier>[0]['hooks']
}) {
  return createIntrospectionVerifier({
    introspectionUrl: `${srv.url}/admin/oauth2/introspect`,
    audience: 'api',
    cache: false,
    ...limits,
  })
}

describe('introspection bulkhead (verifier)', () => {
  it('a flood of 300 distinct tokens keeps at most maxConcurrentCalls open toward Hydra', async () => {
    const events: BulkheadEvent[] = []
    const v = verifier({
      maxConcurrentCalls: 4,
      maxQueuedCalls: 8,
      // Long enough never to expire here: this test is about the slots and the queue's length.
      queueTimeoutMs: 600_000,
      hooks: { onBulkhead: (e) => events.push(e) },
    })
    srv.reply = () => 'hold'
    const results = Promise.allSettled(Array.from({ length: 300 }, () => v.verify(randomToken())))
    await srv.waitForHeld(4)
    // Every later call is answered from now on; the 8 queued ones start as slots free up.
    srv.reply = () => INACTIVE
    srv.release()
    const settled = await results
    const refused = settled.filter(
      (r) => r.status === 'rejected' && r.reason instanceof UpstreamUnavailableError,
    ) as PromiseRejectedResult[]
    const inactive = settled.filter((r) => r.status === 'rejected' && r.reason instanceof InvalidTokenError)
    expect(srv.maxInFlight).toBe(4)
    expect(srv.calls).toBe(12)
    expect(inactive).toHaveLength(12)
    expect(refused).toHaveLength(288)
    for (const r of refused) {
      const err = r.reason as UpstreamUnavailableError
      expect(err.status).toBe(503)
      expect(err.headers['retry-after']).toBe('1')
      expect(err.debug).toMatchObject({ failure: 'queue_full' })
    }
    const count = (o: BulkheadEvent['outcome']): number => events.filter((e) => e.outcome === o).length
    expect([count('admitted'), count('queued'), count('queue_full')]).toEqual([4, 8, 288])
    expect(Math.max(...events.map((e) => e.active))).toBe(4)
    expect(Math.max(...events.map((e) => e.queued))).toBe(8)
    await v.close()
  })

  it('a call that waits longer than queueTimeoutMs gets 503 and never reaches Hydra; then it recovers', async () => {
    const v = verifier({ maxConcurrentCalls: 2, maxQueuedCalls: 3, queueTimeoutMs: 30 })
    srv.reply = () => 'hold'
    const running = [v.verify(randomToken()), v.verify(randomToken())]
    const waiting = [v.verify(randomToken()), v.verify(randomToken()), v.verify(randomToken())]
    const timedOut = await Promise.allSettled(waiting)
    for (const r of timedOut) {
      expect(r.status).toBe('rejected')
      const err = (r as PromiseRejectedResult).reason as UpstreamUnavailableError
      expect(err).toBeInstanceOf(UpstreamUnavailableError)
      expect(err.headers['retry-after']).toBe('1')
      expect(err.debug).toMatchObject({ failure: 'queue_timeout' })
    }
    await srv.waitForHeld(2)
    expect(srv.calls).toBe(2)
    srv.reply = () => INACTIVE
    srv.release()
    for (const r of await Promise.allSettled(running)) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InvalidTokenError)
    }
    // Slots are free again: the next call reaches Hydra at once.
    await expect(v.verify(randomToken())).rejects.toBeInstanceOf(InvalidTokenError)
    expect(srv.calls).toBe(3)
    await v.close()
  })

  it('maxQueuedCalls: 0 refuses whenever every slot is busy; close() refuses the waiting calls', async () => {
    const v0 = verifier({ maxConcurrentCalls: 1, maxQueuedCalls: 0 })
    srv.reply = () => 'hold'
    const first = v0.verify(randomToken())
    await expect(v0.verify(randomToken())).rejects.toMatchObject({
      status: 503,
      debug: { failure: 'queue_full' },
    })
    const v1 = verifier({ maxConcurrentCalls: 1, maxQueuedCalls: 5, queueTimeoutMs: 60_000 })
    const busy = v1.verify(randomToken())
    await srv.waitForHeld(2)
    const queued = v1.verify(randomToken())
    const both = Promise.allSettled([busy, queued])
    await v1.close()
    for (const r of await both) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UpstreamUnavailableError)
    }
    expect(srv.calls).toBe(2)
    srv.release()
    await expect(first).rejects.toBeInstanceOf(InvalidTokenError)
    await v0.close()
  })

  it('coalesced lookups of one token take one slot', async () => {
    const v = verifier({ maxConcurrentCalls: 1, maxQueuedCalls: 0 })
    srv.reply = () => 'hold'
    const token = randomToken()
    const same = Array.from({ length: 20 }, () => v.verify(token))
    await srv.waitForHeld(1)
    srv.release()
    for (const r of await Promise.allSettled(same)) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InvalidTokenError)
    }
    expect(srv.calls).toBe(1)
    await v.close()
  })

  it('counts slot requests in Prometheus', async () => {
    const registry = new prom.Registry()
    const v = verifier({
      maxConcurrentCalls: 1,
      maxQueuedCalls: 1,
      queueTimeoutMs: 600_000,
      hooks: createPrometheusHooks(prom, { registry }),
    })
    srv.reply = () => 'hold'
    const all = Promise.allSettled([1, 2, 3, 4].map(() => v.verify(randomToken())))
    await srv.waitForHeld(1)
    srv.reply = () => INACTIVE
    srv.release()
    await all
    const text = await registry.metrics()
    expect(text).toContain('hydrakit_bulkhead_calls_total{kind="introspection",outcome="admitted"} 1')
    expect(text).toContain('hydrakit_bulkhead_calls_total{kind="introspection",outcome="queued"} 1')
    expect(text).toContain('hydrakit_bulkhead_calls_total{kind="introspection",outcome="queue_full"} 2')
    await v.close()
  })

  it.each([
    ['maxConcurrentCalls', 0],
    ['maxConcurrentCalls', 1.5],
    ['maxConcurrentCalls', '4'],
    ['maxQueuedCalls', -1],
    ['maxQueuedCalls', Infinity],
    ['queueTimeoutMs', 0],
    ['queueTimeoutMs', null],
  ])('%s = %s is a TypeError naming the option', (name, value) => {
    expect(() => verifier({ [name]: value })).toThrow(TypeError)
    expect(() => verifier({ [name]: value })).toThrow(new RegExp(`^${name} must be`))
  })
})

describe.each(FRAMEWORKS)('introspection bulkhead through %s', (framework) => {
  it('40 distinct tokens at once: 2 calls open at Hydra, 35 clients get 503 with Retry-After', async () => {
    const app = await startApp(framework, {
      mode: 'introspection',
      adminUrl: srv.url,
      audience: 'api',
      introspection: { maxConcurrentCalls: 2, maxQueuedCalls: 3, queueTimeoutMs: 600_000, cache: false },
    })
    try {
      srv.reply = () => 'hold'
      let answered = 0
      let onAnswer = (): void => {}
      const refusedAll = new Promise<void>((resolve) => {
        onAnswer = () => {
          if (++answered === 35) resolve()
        }
      })
      const requests = Array.from({ length: 40 }, async () => {
        const res = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${randomToken()}` } })
        const body = (await res.json()) as { error?: string }
        onAnswer()
        return { status: res.status, retryAfter: res.headers.get('retry-after'), error: body.error }
      })
      await refusedAll
      await srv.waitForHeld(2)
      srv.reply = () => INACTIVE
      srv.release()
      const results = await Promise.all(requests)
      const unavailable = results.filter((r) => r.status === 503)
      expect(unavailable).toHaveLength(35)
      for (const r of unavailable) {
        expect(r.retryAfter).toBe('1')
        expect(r.error).toBe('temporarily_unavailable')
      }
      expect(results.filter((r) => r.status === 401)).toHaveLength(5)
      expect(srv.maxInFlight).toBe(2)
      expect(srv.calls).toBe(5)
    } finally {
      await app.close()
    }
  })
})
