import { sanitizeText } from '../text/sanitize.js'
import type { TransportFailure } from '../upstream/request.js'

/**
 * What went wrong on a call to Hydra:
 * - `http`: Hydra answered with an error status (see `hydraStatus`, `error`, `errorDescription`);
 * - `transport`: no complete answer at all (timeout, refused, reset, oversized, aborted): `hydraStatus`
 *   is `undefined`; treat it as an outage (503), never as a rejection;
 * - `auth`: the admin credentials (a client-credentials token) could not be obtained;
 * - `response`: a success status with a body of the wrong shape (the message names the field);
 * - `unsupported`: the operation or a field does not exist in the configured Hydra API version
 *   (no request was sent).
 */
export type HydraErrorKind = 'http' | 'transport' | 'auth' | 'response' | 'unsupported'

/** Stable machine-readable code of a {@link HydraError}, one per {@link HydraErrorKind}. */
export type HydraErrorCode =
  | 'ERR_HYDRA_HTTP'
  | 'ERR_HYDRA_TRANSPORT'
  | 'ERR_HYDRA_AUTH'
  | 'ERR_HYDRA_INVALID_RESPONSE'
  | 'ERR_HYDRA_UNSUPPORTED'

const CODES: Record<HydraErrorKind, HydraErrorCode> = {
  http: 'ERR_HYDRA_HTTP',
  transport: 'ERR_HYDRA_TRANSPORT',
  auth: 'ERR_HYDRA_AUTH',
  response: 'ERR_HYDRA_INVALID_RESPONSE',
  unsupported: 'ERR_HYDRA_UNSUPPORTED',
}

/** The error fields Hydra put in an error body, whatever its shape (see `parseHydraErrorBody`). */
export interface HydraErrorBody {
  /** `error` (OAuth2 code such as `invalid_request`, or an HTTP status text such as `Not Found`). */
  error?: string | undefined
  /** `error_description`, or `message` of a generic error. */
  errorDescription?: string | undefined
  /** `error_hint`, or `reason` of a generic error. */
  errorHint?: string | undefined
  /** `error_debug`, or `debug` of a generic error (dev mode only). */
  errorDebug?: string | undefined
  /** `status_code` (v1, legacy format) or `code` of a generic error. */
  bodyStatusCode?: number | undefined
  /** `redirect_to` of a 410 body: the request was already handled, send the browser there. */
  redirectTo?: string | undefined
}

/** Options of the {@link HydraError} constructor. */
export interface HydraErrorOptions extends HydraErrorBody {
  kind: HydraErrorKind
  /** The Hydra operationId (v26 name) of the failed call, e.g. `getOAuth2LoginRequest`. */
  operation: string
  /** HTTP status of Hydra's answer (or of the admin token endpoint, kind `auth`); `undefined` when there was none. */
  hydraStatus?: number | undefined
  /** Why no answer arrived (kind `transport` only). */
  transportFailure?: TransportFailure | undefined
  /** `Retry-After` header of the answer (digits only), when Hydra sent one. */
  retryAfter?: string | undefined
  /** Safe, short text (never a token, secret, challenge or unsanitised upstream text). */
  message: string
  cause?: unknown
}

/**
 * Every failure of the Hydra admin and public clients. Its message is safe to log: it names the
 * operation and the status, never a secret, a token, a challenge or Hydra's body text (the parsed
 * fields are on the error for your own logs).
 *
 * Hydra's own status is `hydraStatus`. `status` / `statusCode` are what the app should answer
 * its own client when the error reaches Express's or Koa's default handler unhandled: 503 when
 * Hydra is unavailable ({@link HydraError.isUnavailable}), 500 for an operation the configured
 * API version lacks, 502 for anything else. Hydra's 404 or 401 is never the app's 404 or 401.
 * `expose` is false, so the client sees only a generic status text.
 *
 * @example
 * ```ts
 * try { await admin.getOAuth2Client(id) } catch (err) {
 *   if (err instanceof HydraError && err.hydraStatus === 404) return notFound()
 *   throw err // 503 when Hydra is down, 502 otherwise
 * }
 * ```
 */
export class HydraError extends Error {
  /** What went wrong (see {@link HydraErrorKind}). */
  readonly kind: HydraErrorKind
  /** Stable code of the kind, e.g. `ERR_HYDRA_TRANSPORT`. */
  readonly code: HydraErrorCode
  /** Hydra's v26 operationId of the failed call (also on v1), e.g. `acceptOAuth2LoginRequest`. */
  readonly operation: string
  /**
   * HTTP status of Hydra's answer (kind `http`), or of the token endpoint (kind `auth`);
   * `undefined` when no answer arrived (kind `transport`).
   */
  readonly hydraStatus: number | undefined
  /**
   * What the app answers its own client for this error: 503 when Hydra is unavailable, 500 for
   * kind `unsupported`, else 502 (Bad Gateway). Never Hydra's status (that is `hydraStatus`).
   */
  readonly status: 500 | 502 | 503
  /** Same as {@link HydraError.status} (Express and Koa read either). */
  readonly statusCode: 500 | 502 | 503
  /** Response headers for the app's answer: `retry-after` on a 503 when Hydra sent one. */
  readonly headers: Record<string, string>
  /** Hydra's `error` (`invalid_request`, `request_unauthorized`, `Not Found`, ...). */
  readonly error: string | undefined
  /** Hydra's `error_description`. Upstream text: log it, do not show it to users. */
  readonly errorDescription: string | undefined
  /** Hydra's `error_hint`. */
  readonly errorHint: string | undefined
  /** Debug text from Hydra's dev mode. May contain internals: log it, never show it to users. */
  readonly errorDebug: string | undefined
  /** `status_code` from the body (v1 and legacy error format). */
  readonly bodyStatusCode: number | undefined
  /** For a 410 on a call that does not return it as data: where Hydra says to send the browser (absolute http(s) URL). */
  readonly redirectTo: string | undefined
  /** Kind `transport`: `timeout`, `connection`, `too_large` or `aborted`. */
  readonly transportFailure: TransportFailure | undefined
  /** `Retry-After` of a 429/503, in seconds, when Hydra sent one. */
  readonly retryAfter: string | undefined
  /** Always false: the message is for server logs, not for the app's clients. */
  readonly expose = false

  constructor(options: HydraErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.kind = options.kind
    this.code = CODES[options.kind]
    this.operation = options.operation
    this.hydraStatus = options.hydraStatus
    this.error = options.error
    this.errorDescription = options.errorDescription
    this.errorHint = options.errorHint
    this.errorDebug = options.errorDebug
    this.bodyStatusCode = options.bodyStatusCode
    this.redirectTo = options.redirectTo
    this.transportFailure = options.transportFailure
    this.retryAfter = options.retryAfter
    const status = this.isUnavailable ? 503 : this.kind === 'unsupported' ? 500 : 502
    this.status = status
    this.statusCode = status
    this.headers = status === 503 && this.retryAfter !== undefined ? { 'retry-after': this.retryAfter } : {}
  }

  override get name(): string {
    return 'HydraError'
  }

  /**
   * True when Hydra could not serve the call right now: no answer, a 5xx, a 429, or the token
   * endpoint for admin credentials unreachable. Map these to 503 (`UpstreamUnavailableError`).
   */
  get isUnavailable(): boolean {
    if (this.kind === 'transport') return true
    const s = this.hydraStatus
    if (this.kind === 'http') return s !== undefined && (s >= 500 || s === 429)
    if (this.kind === 'auth') return s === undefined || s >= 500 || s === 429
    return false
  }
}

/** Type guard for {@link HydraError}. */
export function isHydraError(value: unknown): value is HydraError {
  return value instanceof HydraError
}

const MAX_FIELD_CHARS = 2000

/** Upstream text for a log field: printable ASCII, escaped, at most 2000 characters. */
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? sanitizeText(value, MAX_FIELD_CHARS) : undefined
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined
}

/**
 * Reads the error fields out of any body Hydra (or a proxy in front of it) sends, without ever
 * throwing: `{error, error_description, error_hint, error_debug, status_code}` (v2 and v1),
 * `{"error":"Not Found", ...}`, a generic error `{message, code, status, reason, debug}` bare or
 * wrapped as `{"error": {...}}`, a 410 `{redirect_to}`, or anything else (HTML, text, empty, JSON
 * of another shape), which yields an empty object. Text fields are sanitised (`sanitizeText`:
 * printable ASCII with escapes, at most 2000 characters) so they can go to a log as they are;
 * `redirect_to` is kept verbatim (it is a URL to check, not text to read).
 */
export function parseHydraErrorBody(body: unknown): HydraErrorBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {}
  const o = body as Record<string, unknown>
  const out: HydraErrorBody = {}
  const nested = o.error
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const g = nested as Record<string, unknown>
    out.error = str(g.status) ?? str(g.error)
    out.errorDescription = str(g.message)
    out.errorHint = str(g.reason)
    out.errorDebug = str(g.debug)
    out.bodyStatusCode = int(g.code)
  } else if (typeof o.error === 'string') {
    out.error = str(o.error)
    out.errorDescription = str(o.error_description)
    out.errorHint = str(o.error_hint)
    out.errorDebug = str(o.error_debug)
    out.bodyStatusCode = int(o.status_code)
  } else if (typeof o.message === 'string') {
    out.error = str(o.status)
    out.errorDescription = str(o.message)
    out.errorHint = str(o.reason)
    out.errorDebug = str(o.debug)
    out.bodyStatusCode = int(o.code)
  }
  const redirect = o.redirect_to
  if (typeof redirect === 'string' && redirect.length <= MAX_FIELD_CHARS) out.redirectTo = redirect
  return out
}

/** An `error` value short and plain enough to appear in a log message. */
export function safeErrorCode(error: string | undefined): string | undefined {
  return error !== undefined && /^[A-Za-z0-9_ .:-]{1,64}$/.test(error) ? error : undefined
}
