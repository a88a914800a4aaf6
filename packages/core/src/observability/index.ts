// @hydrakit/core/observability: Hooks for Prometheus, OpenTelemetry and debug logging.
// Explicit named re-exports only.

export { combineHooks } from '../combine-hooks.js'
export type {
  PromClientLike,
  PromCounterLike,
  PromHistogramLike,
  PromRegistryLike,
  PromMetricConfig,
  PromLabels,
  PrometheusHooksOptions,
} from './prometheus.js'
export { createPrometheusHooks } from './prometheus.js'
export type {
  OtelTracerLike,
  OtelSpanLike,
  OtelSpanOptionsLike,
  OtelAttributeValue,
} from './opentelemetry.js'
export { createOpenTelemetryHooks } from './opentelemetry.js'
export type { DebugLogFunction, DebugLoggerOptions } from './debug-log.js'
export { createDebugLogger } from './debug-log.js'
