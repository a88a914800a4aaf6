import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TransportError } from '../../src/upstream/request.js'
import { createOpenTelemetryHooks } from '../../src/observability/opentelemetry.js'
import { createIntrospectionVerifier, type IntrospectionVerifier } from '../../src/verify/introspection.js'
import { startIntrospectionServer, type IntrospectionServer } from './support/introspection-server.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const tracer = provider.getTracer('hydrakit-test')

const hrToMs = ([s, ns]: [number, number]): number => s * 1000 + ns / 1e6

describe('createOpenTelemetryHooks', () => {
  let hydra: IntrospectionServer
  let verifier: IntrospectionVerifier | undefined

  beforeAll(async () => {
    hydra = await startIntrospectionServer()
  })
  afterEach(async () => {
    exporter.reset()
    await verifier?.close()
    verifier = undefined
    hydra.mode = 'ok'
  })
  afterAll(async () => {
    await hydra?.close()
    await provider.shutdown()
  })

  it('accepts an @opentelemetry/api Tracer', () => {
    expect(() => createOpenTelemetryHooks(trace.getTracer('noop'))).not.toThrow()
    expect(() => createOpenTelemetryHooks({} as never)).toThrow('tracer must be an OpenTelemetry Tracer')
  })

  it('records one CLIENT span per introspection call with HTTP semantic attributes', async () => {
    verifier = createIntrospectionVerifier({
      adminUrl: hydra.adminUrl,
      audience: false,
      hooks: createOpenTelemetryHooks(tracer),
    })
    const token = hydra.issue('alice')
    await verifier.verify(token)
    await verifier.verify(token) // cached: no second span
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(1)
    const span = spans[0]!
    const port = Number(new URL(hydra.adminUrl).port)
    expect(span.name).toBe('POST')
    expect(span.kind).toBe(SpanKind.CLIENT)
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': `${hydra.adminUrl}/admin/oauth2/introspect`,
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 200,
      'hydrakit.upstream.kind': 'introspection',
    })
    expect(span.status.code).toBe(SpanStatusCode.UNSET)
    expect(hrToMs(span.endTime)).toBeGreaterThanOrEqual(hrToMs(span.startTime))
    expect(JSON.stringify(span.attributes)).not.toContain(token)
  })

  it('marks a 5xx answer as an error with error.type = the status code', async () => {
    hydra.mode = '500'
    verifier = createIntrospectionVerifier({
      adminUrl: hydra.adminUrl,
      audience: false,
      hooks: createOpenTelemetryHooks(tracer),
    })
    await expect(verifier.verify(hydra.issue('alice'))).rejects.toMatchObject({ status: 503 })
    const [span] = exporter.getFinishedSpans()
    expect(span!.attributes['http.response.status_code']).toBe(500)
    expect(span!.attributes['error.type']).toBe('500')
    expect(span!.status.code).toBe(SpanStatusCode.ERROR)
  })

  it('a refused connection: no status code, error.type connection', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    verifier = createIntrospectionVerifier({
      adminUrl: `http://127.0.0.1:${port}`,
      audience: false,
      hooks: createOpenTelemetryHooks(tracer),
    })
    await expect(verifier.verify('ory_at_x')).rejects.toMatchObject({ status: 503 })
    const [span] = exporter.getFinishedSpans()
    expect(span!.attributes['http.response.status_code']).toBeUndefined()
    expect(span!.attributes['error.type']).toBe('connection')
    expect(span!.status.code).toBe(SpanStatusCode.ERROR)
  })

  it('times the span from the event: it ends now and lasts durationMs', () => {
    const hooks = createOpenTelemetryHooks(tracer)
    const before = Date.now()
    hooks.onUpstream!({
      kind: 'jwks',
      method: 'GET',
      url: 'https://h.example/jwks',
      status: 200,
      durationMs: 250,
    })
    const [span] = exporter.getFinishedSpans()
    expect(hrToMs(span!.duration)).toBeCloseTo(250, 0)
    expect(hrToMs(span!.endTime)).toBeGreaterThanOrEqual(before)
    expect(span!.attributes['server.port']).toBe(443)
  })

  it('url.full never carries the query, fragment or credentials; odd methods and errors are bounded', () => {
    const hooks = createOpenTelemetryHooks(tracer)
    hooks.onUpstream!({
      kind: 'admin',
      method: 'brew',
      url: 'https://user:pw@hydra.example:8443/admin/clients?page_token=secret#frag',
      error: new TransportError('timeout', 'timed out'),
      durationMs: 10,
    })
    hooks.onUpstream!({ kind: 'admin', method: 'GET', url: 'not a url', error: 'weird', durationMs: -5 })
    const [a, b] = exporter.getFinishedSpans()
    expect(a!.name).toBe('HTTP')
    expect(a!.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'brew',
      'url.full': 'https://hydra.example:8443/admin/clients',
      'server.address': 'hydra.example',
      'server.port': 8443,
      'error.type': 'timeout',
    })
    expect(JSON.stringify(a!.attributes)).not.toMatch(/secret|pw|frag/)
    expect(b!.attributes['url.full']).toBeUndefined()
    expect(b!.attributes['error.type']).toBe('_OTHER')
    expect(hrToMs(b!.duration)).toBeCloseTo(0, 0)
  })
})
