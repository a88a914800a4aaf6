// Go's time.Duration text format, as Hydra reads and writes client token lifespans.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }
const PART = /([0-9]+)(ns|us|ms|s|m|h)/g

/**
 * Parses a duration in the form Hydra's spec allows (`^([0-9]+(ns|us|ms|s|m|h))*$`, e.g. `"1h"`,
 * `"90m"`, `"1h30m0s"`) into nanoseconds. `undefined` when the text does not match.
 */
export function parseDuration(text: string): number | undefined {
  if (!/^([0-9]+(ns|us|ms|s|m|h))+$/.test(text)) return undefined
  let ns = 0
  for (const m of text.matchAll(PART)) ns += Number(m[1]) * UNIT_NS[m[2]!]!
  return Number.isSafeInteger(ns) ? ns : undefined
}

/**
 * Formats nanoseconds the way Go's `Duration.String` does for whole seconds (`"1h0m0s"`,
 * `"30m0s"`, `"45s"`); a sub-second remainder is written as extra `ms`/`us`/`ns` parts so the text
 * still matches Hydra's pattern.
 */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s'
  let rest = ns
  const h = Math.floor(rest / UNIT_NS.h!)
  rest -= h * UNIT_NS.h!
  const m = Math.floor(rest / UNIT_NS.m!)
  rest -= m * UNIT_NS.m!
  const s = Math.floor(rest / UNIT_NS.s!)
  rest -= s * UNIT_NS.s!
  let out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : s > 0 || rest === 0 ? `${s}s` : ''
  for (const unit of ['ms', 'us', 'ns'] as const) {
    const n = Math.floor(rest / UNIT_NS[unit]!)
    rest -= n * UNIT_NS[unit]!
    if (n > 0) out += `${n}${unit}`
  }
  return out
}
