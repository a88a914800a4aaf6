import type { HydrakitHooks } from '../hooks.js'

/**
 * Where debug lines go: a one-line message and structured details (JSON-safe, no token). Default
 * `console.warn`; for pino: `(msg, details) => logger.debug(details, msg)`.
 */
export type DebugLogFunction = (message: string, details: Record<string, unknown>) => void

/** Options of {@link createDebugLogger}. */
export interface DebugLoggerOptions {
  /**
   * Shortest time between two log lines about the same failing cache tier, in milliseconds; lines in
   * between are counted and the count is shown on the next one. Keeps a Redis outage from flooding
   * the log. An integer >= 0; `0` logs every failure. Default `10000`.
   */
  cacheErrorIntervalMs?: number | undefined
}

const EXPLANATIONS: Record<string, string> = {
  missing: 'no token in the request',
  malformed_header: 'the Authorization header is not "Bearer <token>"',
  multiple_methods: 'the token was sent in more than one place',
  too_large: 'the token is too long',
  malformed: 'the token is malformed',
  algorithm: 'the JWT algorithm is not allowed',
  unknown_kid: 'no key in the JWKS has the JWT kid',
  key_not_allowed: 'the signing key is not allowed for access tokens',
  signature: 'the JWT signature does not verify',
  critical_header: 'the JWT has an unsupported critical header',
  typ: 'the JWT typ is not accepted',
  expired: 'the token expired',
  not_yet_valid: 'the token is not valid yet (nbf)',
  too_old: 'the token is older than allowed (iat)',
  issuer: 'the issuer is not the expected one',
  audience: 'the audience does not match',
  required_claim: 'a required claim is missing',
  inactive: 'the token is not active (unknown, expired or revoked)',
  token_use: 'the token is not an access token',
  scope: 'a required scope is missing',
  claim: 'a claim check failed',
  jwks_unavailable: 'the JWKS could not be fetched',
  introspection_unavailable: 'introspection did not answer',
}

// Values that look like credentials are never logged, even if some error put one in `debug`.
const JWT_LIKE = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/
const SECRET_LIKE = /^(ory_(at|rt|ac|pt)_|bearer\s)/i
const SECRET_KEYS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'password',
  'secret',
  'client_secret',
  'cookie',
])
const MAX_STRING = 200

/**
 * Creates {@link HydrakitHooks} that explain problems in the server log while the HTTP answer stays
 * terse: every refused token (which check failed, with the error's `debug` details such as the
 * expected issuer, the `kid` or the HTTP status), failed upstream calls (URL without query), failed
 * JWKS refreshes and failing cache tiers. The token is never logged, nor anything shaped like one;
 * long values are truncated.
 *
 * @example
 * ```ts
 * hooks: process.env.HYDRAKIT_DEBUG === '1' ? createDebugLogger() : undefined
 * // hydrakit: token rejected (jwt): the issuer is not the expected one {"reason":"issuer","expected":"https://a/","received":"https://b/"}
 * ```
 */
export function createDebugLogger(
  log: DebugLogFunction = console.warn,
  options: DebugLoggerOptions = {},
): HydrakitHooks {
  if (typeof log !== 'function') throw new TypeError('log must be a function')
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const interval = options.cacheErrorIntervalMs ?? 10_000
  if (typeof interval !== 'number' || !Number.isSafeInteger(interval) || interval < 0) {
    throw new TypeError(`options.cacheErrorIntervalMs must be an integer >= 0, got ${String(interval)}`)
  }
  const lastCacheLog = new Map<string, { at: number; suppressed: number }>()

  return {
    onVerify(event) {
      if (event.outcome !== 'failure') return
      const reason = typeof event.reason === 'string' ? event.reason : 'unknown'
      const explanation = EXPLANATIONS[reason] ?? 'the token was refused'
      const details: Record<string, unknown> = { reason, source: event.source ?? null, cached: event.cached }
      if (event.debug !== null && typeof event.debug === 'object') {
        for (const [k, v] of Object.entries(event.debug).slice(0, 20)) {
          if (k in details) continue
          details[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : sanitize(v, 0)
        }
      }
      log(`hydrakit: token rejected (${event.source ?? 'before verification'}): ${explanation}`, details)
    },
    onUpstream(event) {
      const failed = event.error !== undefined || (typeof event.status === 'number' && event.status >= 400)
      if (!failed) return
      const failure = failureOf(event.error)
      const what = typeof event.status === 'number' ? `HTTP ${event.status}` : (failure ?? 'no response')
      const url = safeUrl(event.url)
      log(`hydrakit: ${event.kind} call ${event.method} ${url} failed: ${what}`, {
        kind: event.kind,
        method: event.method,
        url,
        status: event.status ?? null,
        failure: failure ?? null,
        durationMs: Math.round(event.durationMs),
      })
    },
    onJwksRefresh(event) {
      if (event.outcome === 'success') return
      const url = safeUrl(event.url)
      log(
        `hydrakit: JWKS refresh (${event.cause}) ${event.outcome === 'cooldown' ? 'skipped, in cooldown' : 'failed'}: ${url}`,
        {
          url,
          cause: event.cause,
          outcome: event.outcome,
          failure: failureOf(event.error) ?? null,
        },
      )
    },
    onCache(event) {
      if (event.outcome !== 'error') return
      const id = `${event.cache}/${event.tier}`
      const now = performance.now()
      const last = lastCacheLog.get(id)
      if (last !== undefined && interval > 0 && now - last.at < interval) {
        last.suppressed++
        return
      }
      const suppressed = last?.suppressed ?? 0
      lastCacheLog.set(id, { at: now, suppressed: 0 })
      log(
        `hydrakit: ${event.cache} cache tier ${event.tier} failed; going on without it${suppressed > 0 ? ` (${suppressed} more since the last message)` : ''}`,
        { cache: event.cache, tier: event.tier, suppressed },
      )
    },
  }
}

/** A URL without query, fragment or credentials. */
function safeUrl(url: unknown): string {
  if (typeof url !== 'string') return '(unknown)'
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid url)'
  }
}

function failureOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined
  const failure = (error as { failure?: unknown }).failure
  if (typeof failure === 'string' && /^[a-z_]{1,32}$/.test(failure)) return failure
  const name = (error as { name?: unknown }).name
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : undefined
}

/** A JSON-safe, bounded copy of a debug value with anything token-like redacted. */
function sanitize(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    if (JWT_LIKE.test(value) || SECRET_LIKE.test(value)) return '[redacted]'
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value
  if (value === undefined) return null
  if (depth >= 3) return `[${Array.isArray(value) ? 'array' : typeof value}]`
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => sanitize(v, depth + 1))
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value).slice(0, 20)) {
      out[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : sanitize(v, depth + 1)
    }
    return out
  }
  return `[${typeof value}]`
}
