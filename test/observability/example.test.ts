// The observability example, started in-process against the mock Hydra: authorized and rejected
// requests move the Prometheus counters served on /metrics, and the debug log explains rejections.
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createObservabilityApp, type ObservabilityApp } from '../../examples/observability/src/app.js'

/** The value of one sample line of the exposition, e.g. `name{a="b"}` (0 when absent). */
function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

describe('examples/observability', () => {
  let mock: MockHydra
  let example: ObservabilityApp
  const log: Array<[string, Record<string, unknown>]> = []
  let alice: string
  let bob: string

  beforeAll(async () => {
    mock = await createMockHydra()
    alice = (await mock.issueToken({ subject: 'alice', scopes: ['orders:read'], audience: ['orders-api'] }))
      .accessToken
    bob = (await mock.issueToken({ subject: 'bob', scopes: ['profile'], audience: ['orders-api'] }))
      .accessToken
    example = createObservabilityApp({
      adminUrl: mock.adminUrl,
      audience: 'orders-api',
      debug: (m, d) => log.push([m, d]),
    })
  })
  afterAll(async () => {
    await example?.close()
    await mock?.close()
  })

  it('serves metrics that move with authorized and rejected requests', async () => {
    const { app } = example
    const before = (await request(app).get('/metrics')).text
    expect(
      metric(
        before,
        'hydrakit_verifications_total{outcome="success",source="introspection",reason="none",cached="false"}',
      ),
    ).toBe(0)

    await request(app)
      .get('/orders')
      .set('authorization', `Bearer ${alice}`)
      .expect(200, {
        subject: 'alice',
        orders: [{ id: 1, item: 'coffee' }],
      })
    await request(app).get('/orders').set('authorization', `Bearer ${alice}`).expect(200)
    const missing = await request(app).get('/orders').expect(401)
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="api"$/)
    const forged = await request(app)
      .get('/orders')
      .set('authorization', 'Bearer ory_at_forged.token')
      .expect(401)
    expect(forged.headers['www-authenticate']).toContain('error="invalid_token"')
    expect(forged.body).toEqual({
      error: 'invalid_token',
      error_description: 'the access token is not active',
    })
    const noScope = await request(app).get('/orders').set('authorization', `Bearer ${bob}`).expect(403)
    expect(noScope.headers['www-authenticate']).toContain('error="insufficient_scope"')

    const res = await request(app).get('/metrics').expect(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    const text = res.text
    const v = (labels: string): number => metric(text, `hydrakit_verifications_total{${labels}}`)
    expect(v('outcome="success",source="introspection",reason="none",cached="false"')).toBe(2)
    expect(v('outcome="success",source="introspection",reason="none",cached="true"')).toBe(1)
    expect(v('outcome="failure",source="introspection",reason="inactive",cached="false"')).toBe(1)
    expect(metric(text, 'hydrakit_cache_lookups_total{cache="introspection",tier="l1",outcome="hit"}')).toBe(
      1,
    )
    expect(metric(text, 'hydrakit_cache_lookups_total{cache="introspection",tier="l1",outcome="miss"}')).toBe(
      3,
    )
    expect(
      metric(
        text,
        'hydrakit_upstream_request_duration_seconds_count{kind="introspection",method="POST",status_class="2xx"}',
      ),
    ).toBe(3)
    expect(mock.calls.introspectOAuth2Token).toBe(3)
    // Refused requests are counted by what the client was told, once each.
    const r = (labels: string): number => metric(text, `hydrakit_refusals_total{${labels}}`)
    expect(r('status="401",reason="missing"')).toBe(1)
    expect(r('status="401",reason="inactive"')).toBe(1)
    expect(r('status="403",reason="scope"')).toBe(1)
    expect(text.match(/^hydrakit_refusals_total\{/gm)).toHaveLength(3)
    for (const secret of [alice, bob, 'ory_at_forged.token', mock.adminUrl])
      expect(text).not.toContain(secret)
  })

  it('explains the rejection in the log, never with the token', () => {
    const rejected = log.filter(([m]) => m.startsWith('hydrakit: token rejected'))
    expect(rejected).toEqual([
      [
        'hydrakit: token rejected (introspection): the token is not active (unknown, expired or revoked)',
        { reason: 'inactive', source: 'introspection', cached: false },
      ],
    ])
    expect(JSON.stringify(log)).not.toContain('ory_at_forged.token')
  })

  it('POST /logout drops the token from the cache: it is refused without asking Hydra again', async () => {
    const { app } = example
    const token = (
      await mock.issueToken({ subject: 'carol', scopes: ['orders:read'], audience: ['orders-api'] })
    ).accessToken
    await request(app).get('/orders').set('authorization', `Bearer ${token}`).expect(200)
    const calls = mock.calls.introspectOAuth2Token
    const out = await request(app).post('/logout').set('authorization', `Bearer ${token}`).expect(200)
    expect(out.body).toEqual({ revoked: true, shared: 'none', broadcast: 'none' })
    await request(app).get('/orders').set('authorization', `Bearer ${token}`).expect(401)
    expect(mock.calls.introspectOAuth2Token).toBe(calls)
  })
})
