import { DiscoveryError } from '../discovery/discovery-error.js'
import { ignoresSuccesses, type HydrakitHooks, type UpstreamEvent, type VerifyEvent } from '../hooks.js'
import { finite, rejectUnknownOptions } from '../options/validate.js'
import { sanitizeText } from '../text/sanitize.js'
import { differByTrailingSlash, OPAQUE_IN_JWT_MODE_HINT, TRAILING_SLASH_HINT, upstreamHint } from './hints.js'

// Misconfiguration made loud: the first failure of each upstream (then at most one per interval),
// and token refusals that point at a configuration mistake, become process warnings. Built as
// hooks, so the verifiers report them through the events they already emit.

/** What a {@link HydrakitWarning} is about. */
export type HydrakitWarningCode =
  /** The JWKS could not be fetched (connection, status, body). */
  | 'HYDRAKIT_JWKS_UNAVAILABLE'
  /**
   * The issuer's metadata could not be read by discovery (connection, status other than 200, 404
   * and 410, a document that is not JSON or not usable).
   */
  | 'HYDRAKIT_DISCOVERY_UNAVAILABLE'
  /** The introspection endpoint could not be called or answered with an error status. */
  | 'HYDRAKIT_INTROSPECTION_UNAVAILABLE'
  /** The admin API (access-token key set) could not be read. */
  | 'HYDRAKIT_ADMIN_UNAVAILABLE'
  /** The client-credentials token for the admin API could not be obtained. */
  | 'HYDRAKIT_ADMIN_AUTH_FAILED'
  /** A call to Hydra's public API (discovery, userinfo) failed. */
  | 'HYDRAKIT_PUBLIC_UNAVAILABLE'
  /** Tokens or the discovery document carry an `iss` that differs from `issuer` only by a trailing slash. */
  | 'HYDRAKIT_ISSUER_TRAILING_SLASH'
  /** An opaque Hydra access token (`ory_at_…`) reached a JWT-only verifier. */
  | 'HYDRAKIT_OPAQUE_TOKEN_IN_JWT_MODE'

/** One warning: what happened, where, why, and what to check. */
export interface HydrakitWarning {
  /** A stable code; also the `code` of the process warning. */
  code: HydrakitWarningCode
  /** The whole message: what failed, the URL, the cause, and the hint when there is one. */
  message: string
  /** The upstream URL involved, when there is one. */
  url?: string | undefined
  /** The cause (HTTP status or error message), sanitised. */
  cause?: string | undefined
  /** The most likely fix, when one is known. */
  hint?: string | undefined
}

/** Options of the misconfiguration warnings (`warnings` of every verifier). */
export interface WarningOptions {
  /**
   * Receives each warning, e.g. `(w) => logger.warn({ code: w.code }, w.message)`. Default:
   * `process.emitWarning(message, { type: 'HydrakitWarning', code })`, which Node prints to stderr
   * once per warning (and `--no-warnings` silences).
   */
  onWarning?: ((warning: HydrakitWarning) => void) | undefined
  /**
   * Shortest time between two warnings with the same code and URL, in milliseconds. The first one
   * is always reported. Default `300000` (5 minutes).
   */
  intervalMs?: number | undefined
}

const DEFAULT_INTERVAL_MS = 300_000

const UPSTREAM_CODES: Readonly<Record<UpstreamEvent['kind'], HydrakitWarningCode>> = {
  jwks: 'HYDRAKIT_JWKS_UNAVAILABLE',
  discovery: 'HYDRAKIT_DISCOVERY_UNAVAILABLE',
  introspection: 'HYDRAKIT_INTROSPECTION_UNAVAILABLE',
  admin: 'HYDRAKIT_ADMIN_UNAVAILABLE',
  token: 'HYDRAKIT_ADMIN_AUTH_FAILED',
  public: 'HYDRAKIT_PUBLIC_UNAVAILABLE',
}

const UPSTREAM_NAMES: Readonly<Record<UpstreamEvent['kind'], string>> = {
  jwks: 'JWKS fetch',
  discovery: 'issuer discovery',
  introspection: 'token introspection',
  admin: 'admin API request',
  token: 'admin API token request',
  public: 'public API request',
}

function defaultSink(warning: HydrakitWarning): void {
  process.emitWarning(warning.message, { type: 'HydrakitWarning', code: warning.code })
}

/** Validates the `warnings` option: `false` (off), `true`/`undefined` (defaults) or {@link WarningOptions}. */
export function resolveWarnings(value: unknown, path = 'warnings'): WarningOptions | false {
  if (value === false) return false
  if (value === undefined || value === true) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${path} must be false, true or an object ({ onWarning, intervalMs })`)
  }
  const o = value as Record<string, unknown>
  rejectUnknownOptions(o, ['onWarning', 'intervalMs'], path)
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function') {
    throw new TypeError(`${path}.onWarning must be a function`)
  }
  finite(o.intervalMs, DEFAULT_INTERVAL_MS, 0, `${path}.intervalMs`)
  return o
}

/** The cause of a failed call, sanitised: the HTTP status, or the error's message. */
function describeCause(event: UpstreamEvent): string {
  const parts: string[] = []
  if (event.status !== undefined) parts.push(`HTTP ${event.status}`)
  let err: unknown = event.error
  // The most specific message is on the innermost cause (a socket error under a transport error).
  for (let depth = 0; err instanceof Error && depth < 4; depth++) {
    const text = sanitizeText(err.message, 160)
    if (text !== '' && !parts.includes(text)) parts.push(text)
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) parts.push(code)
    err = err.cause
  }
  return parts.length === 0 ? 'unknown error' : parts.join(': ')
}

/**
 * Hooks that turn upstream failures and configuration-shaped refusals into warnings, rate-limited
 * per code and URL. Returns an empty object for `false`.
 */
export function createWarningHooks(options: WarningOptions | false): HydrakitHooks {
  if (options === false) return {}
  const sink = options.onWarning ?? defaultSink
  const interval = options.intervalMs ?? DEFAULT_INTERVAL_MS
  const lastAt = new Map<string, number>()

  const report = (warning: HydrakitWarning): void => {
    const key = `${warning.code} ${warning.url ?? ''}`
    const now = Date.now()
    const last = lastAt.get(key)
    if (last !== undefined && now - last < interval) return
    lastAt.set(key, now)
    try {
      sink(warning)
    } catch {
      // A broken logger must not fail a request.
    }
  }

  const onUpstream = (event: UpstreamEvent): void => {
    const ok =
      event.error === undefined && event.status !== undefined && event.status >= 200 && event.status < 300
    // A call this process aborted (client gone, verifier closed) says nothing about the upstream.
    if (ok || (event.error as { failure?: unknown } | undefined)?.failure === 'aborted') return
    // Discovery's 404 and 410 are the normal way to an issuer without metadata (Hydra's defaults).
    if (
      event.kind === 'discovery' &&
      event.error === undefined &&
      (event.status === 404 || event.status === 410)
    )
      return
    const url = sanitizeText(event.url, 300)
    const mismatch = event.error instanceof DiscoveryError ? event.error : undefined
    if (
      mismatch?.code === 'issuer_mismatch' &&
      differByTrailingSlash(mismatch.expectedIssuer, mismatch.documentIssuer)
    ) {
      report({
        code: 'HYDRAKIT_ISSUER_TRAILING_SLASH',
        message:
          `hydrakit: the discovery document at ${url} names issuer ${JSON.stringify(sanitizeText(mismatch.documentIssuer, 300))} ` +
          `but issuer is ${JSON.stringify(sanitizeText(mismatch.expectedIssuer, 300))}: ` +
          `they differ only by a trailing slash (${TRAILING_SLASH_HINT})`,
        url,
        cause: 'issuer mismatch',
        hint: TRAILING_SLASH_HINT,
      })
      return
    }
    const cause = describeCause(event)
    const hint = upstreamHint(event.kind, url, event.status)
    report({
      code: UPSTREAM_CODES[event.kind],
      message: `hydrakit: ${UPSTREAM_NAMES[event.kind]} failed: ${event.method} ${url}: ${cause}${hint === undefined ? '' : ` (${hint})`}`,
      url,
      cause,
      hint,
    })
  }

  const onVerify = ignoresSuccesses((event: VerifyEvent): void => {
    if (event.outcome !== 'failure') return
    const debug = event.debug
    if (debug === undefined) return
    if (event.reason === 'malformed' && debug.tokenFormat === 'hydra_opaque') {
      report({
        code: 'HYDRAKIT_OPAQUE_TOKEN_IN_JWT_MODE',
        message: `hydrakit: an opaque Hydra access token (ory_at_...) reached a JWT verifier (${OPAQUE_IN_JWT_MODE_HINT})`,
        hint: OPAQUE_IN_JWT_MODE_HINT,
      })
      return
    }
    if (event.reason === 'issuer') {
      const expected = debug.expectedIssuer ?? debug.expected
      const received = debug.tokenIssuer ?? debug.received
      if (!differByTrailingSlash(expected, received)) return
      const shown = sanitizeText(received, 300)
      report({
        code: 'HYDRAKIT_ISSUER_TRAILING_SLASH',
        message:
          `hydrakit: tokens carry iss ${JSON.stringify(shown)} but issuer is ${JSON.stringify(sanitizeText(expected, 300))}: ` +
          `they differ only by a trailing slash (${TRAILING_SLASH_HINT})`,
        cause: 'issuer mismatch',
        hint: TRAILING_SLASH_HINT,
      })
    }
  })

  return { onUpstream, onVerify }
}
