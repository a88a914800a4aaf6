import type { HydrakitHooks } from '../hooks.js'
import { sanitizeText } from '../text/sanitize.js'

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
  malformed_header:
    'the token is not sent well-formed ("Bearer <token>", one Authorization header, a checkable header list)',
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
const MAX_NAME = 64

/** Outside text made safe for a log line: printable ASCII, bounded (see sanitizeText). */
const safe = (value: unknown): string => sanitizeText(value, MAX_NAME)

/**
 * Creates {@link HydrakitHooks} that explain problems in the server log while the HTTP answer stays
 * terse: every refused token (which check failed, with the error's `debug` details such as the
 * expected issuer, the `kid` or the HTTP status), failed upstream calls (URL without query), failed
 * JWKS refreshes and failing cache tiers. The token is never logged, nor anything shaped like one.
 * Every string in a message or a detail is printable ASCII (control characters, U+2028/U+2029, bidi
 * overrides and other non-ASCII are escaped as `\n`, `\u202e`, …) and bounded in length, so text
 * from a client or an upstream cannot forge log lines or hide what it says.
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
      const reason = typeof event.reason === 'string' ? safe(event.reason) : 'unknown'
      const explanation = Object.hasOwn(EXPLANATIONS, reason) ? EXPLANATIONS[reason] : 'the token was refused'
      const source = event.source === undefined ? undefined : safe(event.source)
      const details: Record<string, unknown> = {
        reason,
        source: source ?? null,
        cached: event.cached === true,
      }
      if (event.debug !== null && typeof event.debug === 'object') {
        for (const [k, v] of Object.entries(event.debug).slice(0, 20)) {
          const key = safe(k)
          if (Object.hasOwn(details, key)) continue
          put(details, key, SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : sanitize(v, 0))
        }
      }
      log(`hydrakit: token rejected (${source ?? 'before verification'}): ${explanation}`, details)
    },
    onUpstream(event) {
      const failed = event.error !== undefined || (typeof event.status === 'number' && event.status >= 400)
      if (!failed) return
      // No discovery document (404/410) is the normal way to Hydra's default JWKS location.
      if (
        event.kind === 'discovery' &&
        event.error === undefined &&
        (event.status === 404 || event.status === 410)
      ) {
        return
      }
      const failure = failureOf(event.error)
      const status = typeof event.status === 'number' ? event.status : undefined
      const what = status !== undefined ? `HTTP ${status}` : (failure ?? 'no response')
      const url = safeUrl(event.url)
      const kind = safe(event.kind)
      const method = safe(event.method)
      log(`hydrakit: ${kind} call ${method} ${url} failed: ${what}`, {
        kind,
        method,
        url,
        status: status ?? null,
        failure: failure ?? null,
        durationMs: Math.round(event.durationMs),
      })
    },
    onJwksRefresh(event) {
      if (event.outcome === 'success') return
      const url = safeUrl(event.url)
      const cause = safe(event.cause)
      log(
        `hydrakit: JWKS refresh (${cause}) ${event.outcome === 'cooldown' ? 'skipped, in cooldown' : 'failed'}: ${url}`,
        {
          url,
          cause,
          outcome: safe(event.outcome),
          failure: failureOf(event.error) ?? null,
        },
      )
    },
    onCache(event) {
      if (event.outcome !== 'error') return
      const cache = safe(event.cache)
      const tier = safe(event.tier)
      const id = `${cache}/${tier}`
      const now = performance.now()
      const last = lastCacheLog.get(id)
      if (last !== undefined && interval > 0 && now - last.at < interval) {
        last.suppressed++
        return
      }
      const suppressed = last?.suppressed ?? 0
      lastCacheLog.set(id, { at: now, suppressed: 0 })
      log(
        `hydrakit: ${cache} cache tier ${tier} failed; going on without it${suppressed > 0 ? ` (${suppressed} more since the last message)` : ''}`,
        { cache, tier, suppressed },
      )
    },
  }
}

/** A URL without query, fragment or credentials. */
function safeUrl(url: unknown): string {
  if (typeof url !== 'string') return '(unknown)'
  try {
    const u = new URL(url)
    return sanitizeText(`${u.protocol}//${u.host}${u.pathname}`, MAX_STRING)
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

/** Sets an own property, even one named `__proto__` (plain assignment would set the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A JSON-safe, bounded copy of a debug value with anything token-like redacted. */
function sanitize(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    if (JWT_LIKE.test(value) || SECRET_LIKE.test(value)) return '[redacted]'
    return sanitizeText(value, MAX_STRING)
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value
  if (typeof value === 'bigint') return value.toString()
  if (value === undefined) return null
  if (depth >= 3) return `[${Array.isArray(value) ? 'array' : typeof value}]`
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => sanitize(v, depth + 1))
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value).slice(0, 20)) {
      put(out, safe(k), SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : sanitize(v, depth + 1))
    }
    return out
  }
  return `[${typeof value}]`
}
