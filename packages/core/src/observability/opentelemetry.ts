import type { HydrakitHooks, UpstreamEvent } from '../hooks.js'

/** An attribute value as OpenTelemetry accepts it. */
export type OtelAttributeValue = string | number | boolean

/** The part of an OpenTelemetry `Span` hydrakit uses. */
export interface OtelSpanLike {
  setAttribute(key: string, value: OtelAttributeValue): unknown
  setStatus(status: { code: 0 | 1 | 2; message?: string }): unknown
  end(endTime?: number): void
}

/** The span options hydrakit passes (`kind: 2` is `SpanKind.CLIENT`; times in epoch milliseconds). */
export interface OtelSpanOptionsLike {
  kind?: 2
  startTime?: number
  attributes?: Record<string, OtelAttributeValue>
}

/**
 * The part of an OpenTelemetry `Tracer` (`@opentelemetry/api`) hydrakit uses. hydrakit never imports
 * `@opentelemetry/api`; pass your tracer, e.g. `trace.getTracer('orders-api')`.
 */
export interface OtelTracerLike {
  startSpan(name: string, options?: OtelSpanOptionsLike): OtelSpanLike
}

const SPAN_KIND_CLIENT = 2
const STATUS_ERROR = 2
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
])
const FAILURES = new Set(['timeout', 'aborted', 'connection', 'too_large'])

/**
 * Creates {@link HydrakitHooks} that record one OpenTelemetry CLIENT span per outbound HTTP call
 * (introspection, JWKS, token endpoint, admin API), with the HTTP semantic-convention attributes:
 * `http.request.method`, `url.full` (without query, fragment or credentials), `server.address`,
 * `server.port`, `http.response.status_code`, `error.type` (the status code for >= 400, or
 * `timeout`/`connection`/`aborted`/`too_large`/the error's name when no response came), plus
 * `hydrakit.upstream.kind`. The span is named after the method and timed from the event
 * (`startTime = now − durationMs`); it is a child of the span active when the call finished (the
 * request's span with context propagation). Failed calls get status ERROR.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api'
 * const hooks = createOpenTelemetryHooks(trace.getTracer('orders-api'))
 * ```
 */
export function createOpenTelemetryHooks(tracer: OtelTracerLike): HydrakitHooks {
  if (tracer === null || typeof tracer !== 'object' || typeof tracer.startSpan !== 'function') {
    throw new TypeError('tracer must be an OpenTelemetry Tracer (trace.getTracer(name))')
  }
  return {
    onUpstream(event) {
      const end = Date.now()
      const duration = Number.isFinite(event.durationMs) && event.durationMs > 0 ? event.durationMs : 0
      const raw = typeof event.method === 'string' ? event.method.toUpperCase() : ''
      const known = KNOWN_METHODS.has(raw)
      const attributes: Record<string, OtelAttributeValue> = {
        'http.request.method': known ? raw : '_OTHER',
        'hydrakit.upstream.kind': event.kind,
      }
      if (!known && typeof event.method === 'string') {
        attributes['http.request.method_original'] = event.method
      }
      Object.assign(attributes, urlAttributes(event.url))
      if (typeof event.status === 'number') attributes['http.response.status_code'] = event.status
      const errorType = errorTypeOf(event)
      if (errorType !== undefined) attributes['error.type'] = errorType
      const span = tracer.startSpan(known ? raw : 'HTTP', {
        kind: SPAN_KIND_CLIENT,
        startTime: end - duration,
        attributes,
      })
      if (errorType !== undefined) span.setStatus({ code: STATUS_ERROR, message: errorType })
      span.end(end)
    },
  }
}

/** `url.full` without query, fragment or userinfo, `server.address`, `server.port`. */
function urlAttributes(url: unknown): Record<string, OtelAttributeValue> {
  if (typeof url !== 'string') return {}
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return {}
  }
  const port =
    u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : undefined
  const out: Record<string, OtelAttributeValue> = {
    'url.full': `${u.protocol}//${u.host}${u.pathname}`,
    'server.address': u.hostname,
  }
  if (port !== undefined) out['server.port'] = port
  return out
}

function errorTypeOf(event: UpstreamEvent): string | undefined {
  if (typeof event.status === 'number' && event.status >= 400) return String(event.status)
  const err: unknown = event.error
  if (err === undefined) return undefined
  if (err === null || typeof err !== 'object') return '_OTHER'
  const { failure, name } = err as { failure?: unknown; name?: unknown }
  if (typeof failure === 'string' && FAILURES.has(failure)) return failure
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : '_OTHER'
}
