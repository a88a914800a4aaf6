import type { HydrakitHooks } from '../hooks.js'

/** Label values of one sample. */
export type PromLabels = Record<string, string>

/** The part of a prom-client `Counter` hydrakit uses. */
export interface PromCounterLike {
  inc(labels: PromLabels, value?: number): void
}

/** The part of a prom-client `Histogram` hydrakit uses. */
export interface PromHistogramLike {
  observe(labels: PromLabels, value: number): void
}

/** The part of a prom-client `Registry` hydrakit uses. */
export interface PromRegistryLike {
  getSingleMetric(name: string): unknown
}

/** What hydrakit passes to the metric constructors. `R` is the registry type. */
export interface PromMetricConfig<R extends PromRegistryLike = PromRegistryLike> {
  name: string
  help: string
  labelNames: readonly string[]
  registers: R[]
}

/**
 * The part of the prom-client module hydrakit uses: pass the module itself
 * (`import * as prom from 'prom-client'`). hydrakit never imports prom-client; it is an optional peer.
 */
export interface PromClientLike<R extends PromRegistryLike = PromRegistryLike> {
  Counter: new (config: PromMetricConfig<R>) => PromCounterLike
  Histogram: new (config: PromMetricConfig<R> & { buckets: number[] }) => PromHistogramLike
  /** prom-client's default registry, used unless `registry` is given. */
  register: R
}

/** Options of {@link createPrometheusHooks}. */
export interface PrometheusHooksOptions<R extends PromRegistryLike = PromRegistryLike> {
  /** Registry the metrics are registered in. Default: prom-client's default `register`. */
  registry?: R | undefined
  /**
   * Prepended to every metric name; must match `[a-zA-Z_:][a-zA-Z0-9_:]*`. Default `'hydrakit_'`.
   */
  prefix?: string | undefined
  /**
   * Histogram buckets, in seconds, for both duration histograms: ascending, finite, > 0. Default
   * `[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]`.
   */
  buckets?: readonly number[] | undefined
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/

// Every label value comes from one of these sets (anything else becomes 'other'), so the number of
// series is bounded whatever the events contain. No token, URL or subject is ever a label.
const REASONS = new Set([
  'missing',
  'malformed_header',
  'multiple_methods',
  'too_large',
  'malformed',
  'algorithm',
  'unknown_kid',
  'key_not_allowed',
  'signature',
  'critical_header',
  'typ',
  'expired',
  'not_yet_valid',
  'too_old',
  'issuer',
  'audience',
  'required_claim',
  'inactive',
  'token_use',
  'scope',
  'claim',
  'jwks_unavailable',
  'introspection_unavailable',
])
const SOURCES = new Set(['jwt', 'introspection'])
const CACHES = new Set(['jwt', 'introspection', 'jwks'])
const TIERS = new Set(['l1', 'l2'])
const CACHE_OUTCOMES = new Set(['hit', 'miss', 'negative_hit', 'error'])
const KINDS = new Set(['introspection', 'jwks', 'discovery', 'token', 'admin'])
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])
const CAUSES = new Set(['initial', 'expired', 'unknown_kid'])
const REFRESH_OUTCOMES = new Set(['success', 'failure', 'cooldown'])
const STATUSES = new Set(['400', '401', '403', '503'])
const BULKHEAD_KINDS = new Set(['introspection'])
const BULKHEAD_OUTCOMES = new Set(['admitted', 'queued', 'queue_full', 'queue_timeout', 'aborted'])

const pick = (set: ReadonlySet<string>, value: unknown): string =>
  typeof value === 'string' && set.has(value) ? value : 'other'

/** `2xx`…`5xx` for an HTTP status, `error` when no response arrived. */
function statusClass(status: unknown): string {
  if (typeof status !== 'number' || !Number.isInteger(status)) return 'error'
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other'
}

/**
 * Creates {@link HydrakitHooks} that record Prometheus metrics with your prom-client. The metric
 * names (with the default prefix):
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `hydrakit_verifications_total` | counter | `outcome` (`success`/`failure`), `source` (`jwt`/`introspection`/`none`), `reason` (a `RejectionReason`, `none` on success), `cached` (`true`/`false`) |
 * | `hydrakit_verification_duration_seconds` | histogram | `outcome`, `source` |
 * | `hydrakit_cache_lookups_total` | counter | `cache` (`jwt`/`introspection`/`jwks`), `tier` (`l1`/`l2`), `outcome` (`hit`/`miss`/`negative_hit`/`error`) |
 * | `hydrakit_upstream_request_duration_seconds` | histogram | `kind` (`introspection`/`jwks`/`discovery`/`token`/`admin`), `method`, `status_class` (`2xx`…`5xx`, `error` when no response) |
 * | `hydrakit_jwks_refreshes_total` | counter | `cause` (`initial`/`expired`/`unknown_kid`), `outcome` (`success`/`failure`/`cooldown`) |
 * | `hydrakit_refusals_total` | counter | `status` (`400`/`401`/`403`/`503`), `reason` (a `RejectionReason`: `missing` for no token, `scope`/`claim` for a 403) |
 *
 * `verifications_total` counts token checks: a valid token that lacks a scope is a successful
 * verification, and a request without a token verifies nothing. `refusals_total` counts refused
 * requests by what the client was told, one per request: a missing token is `401`/`missing`, a missing
 * scope `403`/`scope`. It is fed by the guards, so pass these hooks to `hydra({ hooks })` (or to
 * `createGuardBuilder`), not only to a verifier you build yourself.
 * | `hydrakit_bulkhead_calls_total` | counter | `kind` (`introspection`), `outcome` (`admitted`/`queued`/`queue_full`/`queue_timeout`/`aborted`) |
 *
 * Label values are taken from fixed sets (anything else is `other`), so the series count is bounded.
 * Calling it again with the same registry and prefix reuses the registered metrics. Validates options
 * now; a bad one throws a TypeError naming it.
 *
 * @typeParam R - the registry type (inferred: prom-client's `Registry`).
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client'
 * const verifier = createJwtVerifier({ ..., hooks: createPrometheusHooks(prom) })
 * app.get('/metrics', async (_req, res) => res.type(prom.register.contentType).send(await prom.register.metrics()))
 * ```
 */
export function createPrometheusHooks<R extends PromRegistryLike>(
  promClient: PromClientLike<R>,
  options: PrometheusHooksOptions<R> = {},
): HydrakitHooks {
  if (
    promClient === null ||
    typeof promClient !== 'object' ||
    typeof promClient.Counter !== 'function' ||
    typeof promClient.Histogram !== 'function'
  ) {
    throw new TypeError("promClient must be the prom-client module (import * as prom from 'prom-client')")
  }
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const prefix = options.prefix ?? 'hydrakit_'
  if (typeof prefix !== 'string' || (prefix !== '' && !NAME.test(prefix))) {
    throw new TypeError('prefix must match [a-zA-Z_:][a-zA-Z0-9_:]*')
  }
  const registry = options.registry ?? promClient.register
  if (registry === null || typeof registry !== 'object' || typeof registry.getSingleMetric !== 'function') {
    throw new TypeError('registry must be a prom-client Registry')
  }
  const buckets = checkBuckets(options.buckets)

  const metric = <M>(
    name: string,
    help: string,
    labelNames: readonly string[],
    method: 'inc' | 'observe',
    create: (config: PromMetricConfig<R>) => M,
  ): M => {
    const full = prefix + name
    const existing = registry.getSingleMetric(full)
    if (existing !== undefined) {
      if (existing === null || typeof (existing as Record<string, unknown>)[method] !== 'function') {
        throw new TypeError(`registry already has a metric named ${full} of another type`)
      }
      return existing as M
    }
    return create({ name: full, help, labelNames, registers: [registry] })
  }
  const counter = (name: string, help: string, labels: readonly string[]): PromCounterLike =>
    metric(name, help, labels, 'inc', (c) => new promClient.Counter(c))
  const histogram = (name: string, help: string, labels: readonly string[]): PromHistogramLike =>
    metric(name, help, labels, 'observe', (c) => new promClient.Histogram({ ...c, buckets: [...buckets] }))

  const verifications = counter(
    'verifications_total',
    'Token verifications by outcome, token source, rejection reason and whether a cache answered.',
    ['outcome', 'source', 'reason', 'cached'],
  )
  const verifyDuration = histogram('verification_duration_seconds', 'Time to verify a token, in seconds.', [
    'outcome',
    'source',
  ])
  const cacheLookups = counter(
    'cache_lookups_total',
    'Cache lookups by cache, tier (l1 per process, l2 shared) and outcome.',
    ['cache', 'tier', 'outcome'],
  )
  const upstreamDuration = histogram(
    'upstream_request_duration_seconds',
    'Outbound HTTP calls (introspection, JWKS, discovery, token endpoint, admin API) by kind, method and status class, in seconds.',
    ['kind', 'method', 'status_class'],
  )
  const jwksRefreshes = counter('jwks_refreshes_total', 'JWKS fetches by cause and outcome.', [
    'cause',
    'outcome',
  ])

  const refusals = counter(
    'refusals_total',
    'Refused requests by the HTTP status sent (400, 401, 403, 503) and the reason.',
    ['status', 'reason'],
  )
  const bulkheadCalls = counter(
    'bulkhead_calls_total',
    'Requests for a slot of the concurrency limit toward Hydra, by kind and outcome (queue_full and queue_timeout were answered 503).',
    ['kind', 'outcome'],
  )

  return {
    onRefuse(event) {
      refusals.inc({ status: pick(STATUSES, String(event.status)), reason: pick(REASONS, event.reason) })
    },
    onVerify(event) {
      const outcome = event.outcome === 'success' ? 'success' : 'failure'
      const source = event.source === undefined ? 'none' : pick(SOURCES, event.source)
      verifications.inc({
        outcome,
        source,
        reason: outcome === 'success' ? 'none' : pick(REASONS, event.reason),
        cached: event.cached ? 'true' : 'false',
      })
      if (Number.isFinite(event.durationMs) && event.durationMs >= 0) {
        verifyDuration.observe({ outcome, source }, event.durationMs / 1000)
      }
    },
    onCache(event) {
      cacheLookups.inc({
        cache: pick(CACHES, event.cache),
        tier: pick(TIERS, event.tier),
        outcome: pick(CACHE_OUTCOMES, event.outcome),
      })
    },
    onUpstream(event) {
      if (!Number.isFinite(event.durationMs) || event.durationMs < 0) return
      upstreamDuration.observe(
        {
          kind: pick(KINDS, event.kind),
          method: pick(METHODS, typeof event.method === 'string' ? event.method.toUpperCase() : ''),
          status_class:
            event.error !== undefined && event.status === undefined ? 'error' : statusClass(event.status),
        },
        event.durationMs / 1000,
      )
    },
    onJwksRefresh(event) {
      jwksRefreshes.inc({ cause: pick(CAUSES, event.cause), outcome: pick(REFRESH_OUTCOMES, event.outcome) })
    },
    onBulkhead(event) {
      bulkheadCalls.inc({
        kind: pick(BULKHEAD_KINDS, event.kind),
        outcome: pick(BULKHEAD_OUTCOMES, event.outcome),
      })
    },
  }
}

function checkBuckets(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_BUCKETS
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every(
      (b, i) =>
        typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (value[i - 1] as number)),
    )
  ) {
    throw new TypeError('buckets must be a non-empty ascending array of finite numbers > 0 (seconds)')
  }
  return value as number[]
}
