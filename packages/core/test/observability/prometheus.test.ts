import * as prom from 'prom-client'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGuardBuilder } from '../../src/guard/builder.js'
import { createPrometheusHooks } from '../../src/observability/prometheus.js'
import { createIntrospectionVerifier, type IntrospectionVerifier } from '../../src/verify/introspection.js'
import { startIntrospectionServer, type IntrospectionServer } from './support/introspection-server.js'

/** Value of one sample, by metric name and exact labels (0 when absent). */
async function sample(
  registry: prom.Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) throw new Error(`no metric ${name}`)
  const data = await metric.get()
  const found = data.values.find(
    (v) =>
      Object.keys(labels).every((k) => String(v.labels[k]) === labels[k]) &&
      Object.keys(v.labels).filter((k) => k !== 'le').length === Object.keys(labels).length,
  )
  return found?.value ?? 0
}

describe('createPrometheusHooks', () => {
  let hydra: IntrospectionServer
  let registry: prom.Registry
  let verifier: IntrospectionVerifier | undefined

  beforeAll(async () => {
    hydra = await startIntrospectionServer()
  })
  beforeEach(() => {
    registry = new prom.Registry()
  })
  afterEach(async () => {
    await verifier?.close()
    verifier = undefined
  })
  afterAll(async () => {
    await hydra?.close()
  })

  it('accepts the prom-client module and registers the documented metrics', async () => {
    createPrometheusHooks(prom, { registry })
    const names = (await registry.getMetricsAsJSON()).map((m) => `${m.name} ${m.type}`).sort()
    expect(names).toEqual([
      'hydrakit_bulkhead_calls_total counter',
      'hydrakit_cache_lookups_total counter',
      'hydrakit_jwks_refreshes_total counter',
      'hydrakit_refusals_total counter',
      'hydrakit_upstream_request_duration_seconds histogram',
      'hydrakit_verification_duration_seconds histogram',
      'hydrakit_verifications_total counter',
    ])
  })

  it('counts refused requests by status and reason: no token 401, missing scope 403, never a success', async () => {
    const hooks = createPrometheusHooks(prom, { registry })
    verifier = createIntrospectionVerifier({ adminUrl: hydra.adminUrl, audience: false, hooks })
    const guards = createGuardBuilder(verifier, { hooks })
    const needsRead = guards.requireScope('read')
    const withToken = (token: string) => ({
      method: 'GET',
      url: '/',
      headers: { authorization: `Bearer ${token}` },
    })
    const reader = hydra.issue('alice', { scope: 'read' })
    const viewer = hydra.issue('bob', { scope: 'profile' })

    await expect(needsRead.run({ method: 'GET', url: '/', headers: {} })).rejects.toMatchObject({
      status: 401,
    })
    await expect(needsRead.run(withToken(viewer))).rejects.toMatchObject({ status: 403, reason: 'scope' })
    await expect(needsRead.run(withToken('ory_at_unknown'))).rejects.toMatchObject({ status: 401 })
    await expect(needsRead.run(withToken(reader))).resolves.toMatchObject({ subject: 'alice' })
    // start() (what the adapters call) and a check on an already authenticated request count too.
    await expect(Promise.resolve().then(() => needsRead.start(withToken(viewer)))).rejects.toMatchObject({
      status: 403,
    })
    expect(() => needsRead.check(null)).toThrow(expect.objectContaining({ status: 401 }))

    const r = (labels: Record<string, string>): Promise<number> =>
      sample(registry, 'hydrakit_refusals_total', labels)
    expect(await r({ status: '401', reason: 'missing' })).toBe(2)
    expect(await r({ status: '403', reason: 'scope' })).toBe(2)
    expect(await r({ status: '401', reason: 'inactive' })).toBe(1)
    const all = (await registry.getSingleMetric('hydrakit_refusals_total')!.get()).values
    expect(all.reduce((n, s) => n + s.value, 0)).toBe(5)
  })

  it('counts verifications, cache lookups and upstream calls of a real verifier', async () => {
    verifier = createIntrospectionVerifier({
      adminUrl: hydra.adminUrl,
      audience: false,
      issuer: 'https://hydra.example/',
      hooks: createPrometheusHooks(prom, { registry }),
    })
    const token = hydra.issue('alice', { iss: 'https://hydra.example/' })
    const foreign = hydra.issue('bob', { iss: 'https://evil.example/' })
    await verifier.verify(token)
    await verifier.verify(token)
    await expect(verifier.verify(foreign)).rejects.toMatchObject({ reason: 'issuer' })
    await expect(verifier.verify('ory_at_unknown')).rejects.toMatchObject({ reason: 'inactive' })

    const v = (labels: Record<string, string>): Promise<number> =>
      sample(registry, 'hydrakit_verifications_total', labels)
    expect(await v({ outcome: 'success', source: 'introspection', reason: 'none', cached: 'false' })).toBe(1)
    expect(await v({ outcome: 'success', source: 'introspection', reason: 'none', cached: 'true' })).toBe(1)
    expect(await v({ outcome: 'failure', source: 'introspection', reason: 'issuer', cached: 'false' })).toBe(
      1,
    )
    expect(
      await v({ outcome: 'failure', source: 'introspection', reason: 'inactive', cached: 'false' }),
    ).toBe(1)

    const c = (outcome: string): Promise<number> =>
      sample(registry, 'hydrakit_cache_lookups_total', { cache: 'introspection', tier: 'l1', outcome })
    expect(await c('miss')).toBe(3)
    expect(await c('hit')).toBe(1)

    const text = await registry.metrics()
    expect(text).toMatch(
      /hydrakit_upstream_request_duration_seconds_count\{kind="introspection",method="POST",status_class="2xx"\} 3/,
    )
    expect(text).toMatch(
      /hydrakit_verification_duration_seconds_count\{outcome="success",source="introspection"\} 2/,
    )
    // Never a token, a subject or a URL in the exposition.
    for (const secret of [token, foreign, 'alice', 'bob', hydra.adminUrl, '127.0.0.1']) {
      expect(text).not.toContain(secret)
    }
  })

  it('bounds every label value: unknown values become "other", failures without response "error"', async () => {
    const hooks = createPrometheusHooks(prom, { registry, prefix: 'app_' })
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'
    hooks.onVerify!({
      outcome: 'failure',
      source: token as never,
      reason: `bad ${token}` as never,
      cached: false,
      durationMs: 3,
    })
    hooks.onCache!({ cache: 'x' as never, tier: 'l9' as never, outcome: 'weird' as never })
    hooks.onUpstream!({
      kind: 'webhook' as never,
      method: 'BREW',
      url: `http://h/?t=${token}`,
      durationMs: 5,
    })
    hooks.onUpstream!({
      kind: 'jwks',
      method: 'get',
      url: 'http://h',
      error: new Error('refused'),
      durationMs: 5,
    })
    hooks.onUpstream!({ kind: 'admin', method: 'GET', url: 'http://h', status: 503, durationMs: 5 })
    hooks.onUpstream!({ kind: 'admin', method: 'GET', url: 'http://h', status: 99, durationMs: 5 })
    hooks.onJwksRefresh!({ url: 'http://h', cause: 'zz' as never, outcome: 'failure', durationMs: 1 })
    const text = await registry.metrics()
    expect(text).toContain(
      'app_verifications_total{outcome="failure",source="other",reason="other",cached="false"} 1',
    )
    expect(text).toContain('app_cache_lookups_total{cache="other",tier="other",outcome="other"} 1')
    expect(text).toMatch(
      /app_upstream_request_duration_seconds_count\{kind="other",method="other",status_class="error"\} 1/,
    )
    expect(text).toMatch(
      /app_upstream_request_duration_seconds_count\{kind="jwks",method="GET",status_class="error"\} 1/,
    )
    expect(text).toMatch(
      /app_upstream_request_duration_seconds_count\{kind="admin",method="GET",status_class="5xx"\} 1/,
    )
    expect(text).toMatch(
      /app_upstream_request_duration_seconds_count\{kind="admin",method="GET",status_class="other"\} 1/,
    )
    expect(text).toContain('app_jwks_refreshes_total{cause="other",outcome="failure"} 1')
    expect(text).not.toContain(token)
    expect(text).not.toContain('hydrakit_')
  })

  it('reuses the metrics when called twice with the same registry (hot reload, two verifiers)', async () => {
    const a = createPrometheusHooks(prom, { registry })
    const b = createPrometheusHooks(prom, { registry })
    a.onCache!({ cache: 'jwt', tier: 'l1', outcome: 'hit' })
    b.onCache!({ cache: 'jwt', tier: 'l1', outcome: 'hit' })
    expect(
      await sample(registry, 'hydrakit_cache_lookups_total', { cache: 'jwt', tier: 'l1', outcome: 'hit' }),
    ).toBe(2)
  })

  it('uses custom buckets', async () => {
    const hooks = createPrometheusHooks(prom, { registry, buckets: [0.5, 2] })
    hooks.onUpstream!({ kind: 'jwks', method: 'GET', url: 'http://h', status: 200, durationMs: 1000 })
    const text = await registry.metrics()
    expect(text).toMatch(/le="0.5",kind="jwks",method="GET",status_class="2xx"\} 0/)
    expect(text).toMatch(/le="2",kind="jwks",method="GET",status_class="2xx"\} 1/)
  })

  it('validates its options with TypeErrors naming them', () => {
    expect(() => createPrometheusHooks({} as never)).toThrow('promClient must be the prom-client module')
    expect(() => createPrometheusHooks(prom, { registry, prefix: 'bad-prefix' })).toThrow('prefix must match')
    expect(() => createPrometheusHooks(prom, { registry: {} as never })).toThrow(
      'registry must be a prom-client Registry',
    )
    expect(() => createPrometheusHooks(prom, { registry, buckets: [] })).toThrow('buckets must be')
    expect(() => createPrometheusHooks(prom, { registry, buckets: [1, 0.5] })).toThrow('buckets must be')
    new prom.Histogram({ name: 'taken_verifications_total', help: 'x', registers: [registry] })
    expect(() => createPrometheusHooks(prom, { registry, prefix: 'taken_' })).toThrow(
      'registry already has a metric named taken_verifications_total of another type',
    )
  })
})
