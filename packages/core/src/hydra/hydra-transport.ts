import type { Dispatcher } from 'undici'
import type { HydrakitHooks, UpstreamEvent } from '../hooks.js'
import { finite, show } from '../options/validate.js'
import { AdminAuthError } from '../upstream/admin-auth.js'
import { UpstreamError, type UpstreamClient, type UpstreamCredentials } from '../upstream/client.js'
import { KEEP_ALIVE } from '../upstream/dispatcher.js'
import { headerValue, parseJsonSafe, type HttpResponse, type TransportFailure } from '../upstream/request.js'
import { HydraError, parseHydraErrorBody, safeErrorCode } from './hydra-error.js'

/** Per-call options accepted as the last argument of every client method. */
export interface HydraCallOptions {
  /** Aborts the call, including any wait between retries. The error is a `transport` HydraError (`aborted`). */
  signal?: AbortSignal | undefined
  /** Overrides the client's `timeoutMs` for this call (per attempt), in milliseconds. */
  timeoutMs?: number | undefined
}

/** HTTP options shared by the admin and public clients. */
export interface HydraHttpOptions {
  /**
   * Extra headers sent on every call (e.g. a gateway key). Names must be HTTP tokens, values must
   * not contain CR, LF or NUL. The client's own `authorization`, `accept` and `content-type`
   * take precedence. Default: none.
   */
  headers?: Record<string, string> | undefined
  /**
   * undici dispatcher for every call (a proxy agent, a mock pool, a shared Agent). Default: a
   * keep-alive `Agent` owned by the client and closed by `close()`. A dispatcher you pass is never
   * closed by the client.
   */
  dispatcher?: Dispatcher | undefined
  /**
   * Hard deadline of one attempt (connect + headers + body), in milliseconds. Default 10000
   * (10 s). A call that exceeds it fails with a `transport` HydraError (`timeout`).
   */
  timeoutMs?: number | undefined
  /**
   * How many times an idempotent GET is retried after a connection error or a 5xx answer, with
   * exponential backoff. Integer 0-10. Default 2. Calls other than GET are never retried
   * (timeouts are not retried either: that would multiply the wait).
   */
  retries?: number | undefined
  /**
   * First backoff delay before a retry, in milliseconds; it doubles on each retry (with jitter
   * between half and the full value) and is capped at 5000. Default 100.
   */
  retryBaseDelayMs?: number | undefined
  /** Largest response body accepted, in bytes. Bigger answers fail as `transport` (`too_large`). Default 8388608 (8 MiB). */
  maxResponseBytes?: number | undefined
  /** Observability: `onUpstream` is called after every attempt (URL without query string). Default: none. */
  hooks?: HydrakitHooks | undefined
}

/** One call described for the transport. */
export interface HydraCall {
  /** The v26 operationId, for errors and hooks. */
  operation: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below the base URL, already percent-encoded, starting with `/`. */
  path: string
  query?: Record<string, string | undefined> | undefined
  /** JSON body (sent as `application/json`). */
  json?: unknown
  /** Form body (sent as `application/x-www-form-urlencoded`). */
  form?: URLSearchParams | undefined
  /** Headers of this call (e.g. a client's Basic credentials, a bearer token). */
  headers?: Record<string, string> | undefined
  /** `accept` header. Default `application/json`. */
  accept?: string | undefined
  /** Non-2xx statuses that are answers rather than errors (410 of a flow GET, 503 of `isReady`). */
  answers?: readonly number[] | undefined
  eventKind: UpstreamEvent['kind']
  /** Leave out the admin auth headers (public endpoints). */
  noAuth?: boolean | undefined
  options?: HydraCallOptions | undefined
}

/** Admin credentials of a transport (the admin client's {@link AdminAuthProvider}). */
export interface TransportAuth {
  credentials: UpstreamCredentials
  /** True when a 401 is worth one more attempt with fresh credentials (client-credentials tokens). */
  refreshable: boolean
}

/** Validated transport settings. */
export interface TransportConfig {
  baseUrl: string
  timeoutMs: number
  retries: number
  retryBaseDelayMs: number
  maxResponseBytes: number
  headers: Record<string, string>
  /** The upstream client every call goes through; the transport closes it in `close()`. */
  upstream: UpstreamClient
}

/** Sends calls to one Hydra base URL. */
export interface HydraTransport {
  readonly baseUrl: string
  /** Resolves with a 2xx answer or one of `call.answers`; rejects with a {@link HydraError}. */
  send(call: HydraCall): Promise<HttpResponse>
  close(): Promise<void>
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade'])

/** Validates a base URL option and returns it without trailing slashes. */
export function normalizeBaseUrl(value: unknown, optionPath: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${optionPath} must be a non-empty string`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`${optionPath} must be an absolute URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${optionPath} must be an http: or https: URL`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${optionPath} must not contain credentials (use the auth option)`)
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new TypeError(`${optionPath} must not have a query string or a fragment`)
  }
  return url.origin + url.pathname.replace(/\/+$/, '')
}

/** A number > 0 and <= `max`; `fallback` when undefined. */
function positiveNumber(value: unknown, fallback: number, path: string, max: number): number {
  const bad = (): TypeError => new TypeError(`${path} must be a number > 0 and <= ${max}, got ${show(value)}`)
  let n: number
  try {
    n = finite(value, fallback, 0, path)
  } catch {
    throw bad()
  }
  if (n === 0 || n > max) throw bad()
  return n
}

/** Validates the {@link HydraHttpOptions} part of a client's options (TypeErrors name `prefix.field`). */
export function resolveHttpOptions(
  options: HydraHttpOptions,
  baseUrl: string,
  prefix: string,
): Omit<TransportConfig, 'upstream'> & {
  dispatcher: Dispatcher | undefined
  hooks: HydrakitHooks | undefined
} {
  const p = prefix === '' ? '' : `${prefix}.`
  const timeoutMs = positiveNumber(options.timeoutMs, 10_000, `${p}timeoutMs`, 2_147_483_647)
  const retries = options.retries ?? 2
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new TypeError(`${p}retries must be an integer from 0 to 10`)
  }
  const base = options.retryBaseDelayMs ?? 100
  if (typeof base !== 'number' || !Number.isFinite(base) || base < 0 || base > 60_000) {
    throw new TypeError(`${p}retryBaseDelayMs must be a number from 0 to 60000`)
  }
  const maxResponseBytes = positiveNumber(
    options.maxResponseBytes,
    8 * 1024 * 1024,
    `${p}maxResponseBytes`,
    1024 * 1024 * 1024,
  )
  const headers: Record<string, string> = {}
  if (options.headers !== undefined) {
    if (options.headers === null || typeof options.headers !== 'object') {
      throw new TypeError(`${p}headers must be an object of header names to string values`)
    }
    for (const [name, value] of Object.entries(options.headers)) {
      if (!TOKEN.test(name)) throw new TypeError(`${p}headers has an invalid header name`)
      const lower = name.toLowerCase()
      if (FORBIDDEN_HEADERS.has(lower)) throw new TypeError(`${p}headers.${lower} cannot be set`)
      if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
        throw new TypeError(`${p}headers.${lower} must be a string without CR, LF or NUL`)
      }
      headers[lower] = value
    }
  }
  const dispatcher = options.dispatcher
  if (
    dispatcher !== undefined &&
    (dispatcher === null || typeof (dispatcher as { dispatch?: unknown }).dispatch !== 'function')
  ) {
    throw new TypeError(`${p}dispatcher must be an undici Dispatcher`)
  }
  const hooks = options.hooks
  if (hooks !== undefined && (hooks === null || typeof hooks !== 'object')) {
    throw new TypeError(`${p}hooks must be an object`)
  }
  return { baseUrl, timeoutMs, retries, retryBaseDelayMs: base, maxResponseBytes, headers, dispatcher, hooks }
}

/** Connection pool of a Hydra client's own dispatcher (see upstream/dispatcher.ts). */
export const CLIENT_POOL = { ...KEEP_ALIVE, connections: 64 }

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const u = new URL(value)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Builds the {@link HydraError} for a non-answer status. */
export function httpStatusError(operation: string, res: HttpResponse): HydraError {
  const body = parseHydraErrorBody(parseJsonSafe(res.body))
  const code = safeErrorCode(body.error)
  const retry = headerValue(res.headers, 'retry-after')
  return new HydraError({
    kind: 'http',
    operation,
    hydraStatus: res.status,
    ...body,
    redirectTo:
      body.redirectTo !== undefined && isAbsoluteHttpUrl(body.redirectTo) ? body.redirectTo : undefined,
    retryAfter: retry !== undefined && /^[0-9]{1,9}$/.test(retry) ? retry : undefined,
    message: `Hydra ${operation} failed with HTTP ${res.status}${code === undefined ? '' : ` (${code})`}`,
  })
}

function transportError(
  operation: string,
  failure: TransportFailure,
  timeoutMs: number,
  cause: unknown,
): HydraError {
  const what =
    failure === 'timeout'
      ? `timed out after ${timeoutMs} ms`
      : failure === 'too_large'
        ? 'response too large'
        : failure === 'aborted'
          ? 'aborted'
          : 'connection failed'
  return new HydraError({
    kind: 'transport',
    operation,
    transportFailure: failure,
    message: `Hydra ${operation}: no response (${what})`,
    cause,
  })
}

function authError(operation: string, err: UpstreamError): HydraError {
  const auth = err.cause instanceof AdminAuthError ? err.cause : undefined
  const transport = auth?.cause instanceof UpstreamError ? auth.cause : undefined
  if (transport?.failure !== undefined) {
    return new HydraError({
      kind: 'transport',
      operation,
      transportFailure: transport.failure,
      message: `Hydra ${operation}: no response from the admin token endpoint (${transport.failure})`,
      cause: auth,
    })
  }
  const status = auth?.upstreamStatus
  return new HydraError({
    kind: 'auth',
    operation,
    hydraStatus: status,
    message: `Hydra ${operation}: admin credentials could not be obtained${status === undefined ? '' : ` (token endpoint HTTP ${status})`}`,
    cause: auth ?? err.cause,
  })
}

/** Turns the upstream client's neutral failure into the {@link HydraError} of `call`. */
function toHydraError(call: HydraCall, err: UpstreamError, timeoutMs: number): HydraError {
  if (err.kind === 'status' && err.response !== undefined)
    return httpStatusError(call.operation, err.response)
  if (err.kind === 'credentials') return authError(call.operation, err)
  return transportError(call.operation, err.failure ?? 'connection', timeoutMs, err.cause ?? err)
}

/** Creates the transport every Hydra client method goes through (one {@link UpstreamClient}). */
export function createHydraTransport(config: TransportConfig, auth?: TransportAuth): HydraTransport {
  let closed = false

  const send = async (call: HydraCall): Promise<HttpResponse> => {
    if (closed) {
      throw new HydraError({
        kind: 'transport',
        operation: call.operation,
        transportFailure: 'aborted',
        message: `Hydra ${call.operation}: the client is closed`,
      })
    }
    if (call.options?.timeoutMs !== undefined) {
      const t = call.options.timeoutMs
      if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) {
        throw new TypeError('options.timeoutMs must be a number > 0')
      }
    }
    const headers: Record<string, string> = {
      ...config.headers,
      ...call.headers,
      accept: call.accept ?? 'application/json',
    }
    let body: string | undefined
    if (call.json !== undefined) {
      body = JSON.stringify(call.json)
      headers['content-type'] = 'application/json'
    } else if (call.form !== undefined) {
      body = call.form.toString()
      headers['content-type'] = 'application/x-www-form-urlencoded'
    }
    let url = config.baseUrl + call.path
    if (call.query !== undefined) {
      const qs = new URLSearchParams()
      for (const [k, v] of Object.entries(call.query)) if (v !== undefined) qs.append(k, v)
      const s = qs.toString()
      if (s !== '') url += `?${s}`
    }
    const timeoutMs = call.options?.timeoutMs ?? config.timeoutMs
    const withAuth = auth !== undefined && call.noAuth !== true
    const answers = call.answers
    try {
      return await config.upstream.send({
        kind: call.eventKind,
        method: call.method,
        url,
        headers,
        body,
        timeoutMs,
        maxResponseBytes: config.maxResponseBytes,
        signal: call.options?.signal,
        credentials: withAuth ? auth.credentials : undefined,
        on401: withAuth ? (auth.refreshable ? 'retry' : 'invalidate') : undefined,
        retries: config.retries,
        retryBaseDelayMs: config.retryBaseDelayMs,
        accept: (status) => (status >= 200 && status < 300) || answers?.includes(status) === true,
        label: `Hydra ${call.operation}`,
      })
    } catch (err) {
      if (err instanceof UpstreamError) throw toHydraError(call, err, timeoutMs)
      throw err
    }
  }

  return {
    baseUrl: config.baseUrl,
    send,
    close: async () => {
      if (closed) return
      closed = true
      await config.upstream.close()
    },
  }
}
