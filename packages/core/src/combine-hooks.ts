import { ignoresSuccesses, wantsSuccesses, type HydrakitHooks } from './hooks.js'

const NAMES = ['onVerify', 'onCache', 'onJwksRefresh', 'onUpstream', 'onRefuse', 'onBulkhead'] as const

/**
 * Merges several {@link HydrakitHooks} objects into one, so that metrics, tracing and debug logging
 * can listen at the same time. Each event goes to every set hook in argument order; a hook that
 * throws does not keep the others from running. `undefined` arguments are skipped, so optional
 * parts can be written inline. A hook name no argument sets stays unset, and a hook only one
 * argument sets is used as is, so combining costs nothing when few hooks listen.
 *
 * @example
 * ```ts
 * hooks: combineHooks(createPrometheusHooks(prom), process.env.DEBUG ? createDebugLogger() : undefined)
 * ```
 */
export function combineHooks(...hooks: ReadonlyArray<HydrakitHooks | undefined>): HydrakitHooks {
  const out: HydrakitHooks = {}
  hooks.forEach((h, i) => {
    if (h === undefined) return
    if (h === null || typeof h !== 'object') throw new TypeError(`hooks[${i}] must be an object or undefined`)
    for (const name of NAMES) {
      const fn: unknown = h[name]
      if (fn !== undefined && typeof fn !== 'function') {
        throw new TypeError(`hooks[${i}].${name} must be a function`)
      }
    }
  })
  const set = hooks.filter((h): h is HydrakitHooks => h !== undefined)
  for (const name of NAMES) {
    const fns = set.map((h) => h[name]).filter((fn) => fn !== undefined) as Array<(event: never) => void>
    if (fns.length === 0) continue
    if (fns.length === 1) {
      out[name] = fns[0] as never
      continue
    }
    const combined = (event: never): void => {
      for (const fn of fns) {
        try {
          fn(event)
        } catch {
          // One broken listener must not silence the others, nor fail the request.
        }
      }
    }
    // Listeners that all ignore successes make one that does too.
    if (name === 'onVerify' && !fns.some((fn) => wantsSuccesses(fn))) ignoresSuccesses(combined)
    out[name] = combined as never
  }
  return out
}
