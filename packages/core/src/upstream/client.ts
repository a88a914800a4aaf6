import { setTimeout as sleep } from 'node:timers/promises'
import type { Dispatcher } from 'undici'
import { emit, type HydrakitHooks, type UpstreamEvent } from '../hooks.js'
import { sanitizeText } from '../text/sanitize.js'
import { createOwnedDispatcher, type OwnedDispatcherOptions } from './dispatcher.js'
import {
  headerValue,
  httpRequest,
  TransportError,
  type HttpRequest,
  type HttpResponse,
  type TransportFailure,
} from './request.js'

// The one upstream client: every outbound call of core (JWKS, introspection, the admin token
// request, the Hydra clients) is described as an UpstreamCall and goes through `send`. It owns the
// dispatcher, the timeout and size cap of each attempt, admin credentials with one refresh after a
// 401, GET retries, the `onUpstream` event and the mapping of failures to one neutral
// UpstreamError, which each caller turns into its own error (HydraError, a 503, ...).

/** Supplies the credentials of a call (an admin auth provider); see `upstream/admin-auth.ts`. */
export interface UpstreamCredentials {
  headers(): Promise<Record<string, string>> | Record<string, string>
  /** Drops cached credentials (a client-credentials token) so the next call fetches new ones. */
  invalidate(): void
}

/** One outbound call, described for {@link UpstreamClient.send}. */
export interface UpstreamCall {
  /** `kind` of the `onUpstream` event reported for each attempt. */
  kind: UpstreamEvent['kind']
  method: HttpRequest['method']
  /** Absolute URL, query string included. Events and messages only show origin and path. */
  url: string
  headers?: Record<string, string> | undefined
  body?: string | undefined
  /** Hard deadline of one attempt (connect + headers + body), in milliseconds. */
  timeoutMs: number
  /** Largest response body accepted, in bytes. */
  maxResponseBytes: number
  /** Aborts the call, including a wait between retries. */
  signal?: AbortSignal | undefined
  /** Credentials whose headers are added to every attempt (they override `headers`). */
  credentials?: UpstreamCredentials | undefined
  /**
   * What a 401 does when `credentials` are set: `retry` drops them and tries once more with fresh
   * ones, `invalidate` drops them for the next call only. Default: nothing.
   */
  on401?: 'retry' | 'invalidate' | undefined
  /** GET only: retries after a connection failure or a 5xx answer. Default 0. */
  retries?: number | undefined
  /** First backoff delay of a retry, in milliseconds; doubles per retry, capped at 5000. Default 100. */
  retryBaseDelayMs?: number | undefined
  /**
   * Statuses returned as answers; any other status fails with an {@link UpstreamError} of kind
   * `status`. Default: 2xx only.
   */
  accept?: ((status: number) => boolean) | undefined
  /** Text for the message of an `UpstreamError`, e.g. `JWKS`. Default: method, origin and path. */
  label?: string | undefined
  /**
   * Looks at every answer before the attempt is reported; a throw fails the call with that error,
   * and the `onUpstream` event carries it as `error` next to the answer's `status`. For a body the
   * caller cannot use (a 200 that is not the expected document), so that hooks and warnings see a
   * failure. Default: none.
   */
  check?: ((res: HttpResponse) => void) | undefined
}

/** Why a call produced no usable answer. */
export type UpstreamErrorKind = 'transport' | 'status' | 'credentials'

/** Options of the {@link UpstreamError} constructor. */
export interface UpstreamErrorOptions {
  kind: UpstreamErrorKind
  message: string
  failure?: TransportFailure | undefined
  response?: HttpResponse | undefined
  cause?: unknown
}

/**
 * The neutral failure of an upstream call; callers turn it into their own error. Its message is
 * safe to log: upstream text in it is sanitised, and URLs lose their query string.
 *
 * - `transport`: no complete answer (`failure`: timeout, connection, too_large, aborted);
 * - `status`: an answer outside `accept` (`upstreamStatus`, `response`, `retryAfter`);
 * - `credentials`: the call's credentials could not be obtained (`cause` says why).
 *
 * The upstream's status is `upstreamStatus`, never `status`: a web framework would render that
 * status as the app's own answer.
 */
export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind
  /** Kind `transport`: why no answer arrived. */
  readonly failure: TransportFailure | undefined
  /** Kind `status`: the upstream's HTTP status. */
  readonly upstreamStatus: number | undefined
  /**
   * Kind `status`: the whole answer, for callers that read its body. Not enumerable, so that
   * `console.error(err)` or a logger walking the error never prints the raw upstream body.
   */
  declare readonly response: HttpResponse | undefined
  /** Kind `status`: the answer's `Retry-After` when it is 1 to 9 digits (seconds), else undefined. */
  readonly retryAfter: string | undefined
  constructor(options: UpstreamErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.kind = options.kind
    this.failure = options.failure
    Object.defineProperty(this, 'response', { value: options.response, enumerable: false })
    this.upstreamStatus = options.response?.status
    this.retryAfter = options.response === undefined ? undefined : safeRetryAfter(options.response)
  }
  override get name(): string {
    return 'UpstreamError'
  }
}

/** Settings of an {@link UpstreamClient}. */
export interface UpstreamClientOptions {
  /**
   * undici dispatcher of every call. Default: a keep-alive `Agent` created at the first call (undici
   * is loaded then, not at import) and closed by `close()`. A dispatcher passed here is never closed.
   */
  dispatcher?: Dispatcher | undefined
  /** Connection-pool settings of the client's own dispatcher. Default: undici's. */
  pool?: OwnedDispatcherOptions | undefined
  /** `onUpstream` is called after every attempt. Default: none. */
  hooks?: HydrakitHooks | undefined
}

/** Sends {@link UpstreamCall}s; owns its dispatcher unless one was given. */
export interface UpstreamClient {
  /**
   * Sends a call, with its retries and credential refresh. Resolves with an accepted answer;
   * rejects with an {@link UpstreamError} (or with a TypeError from the credentials provider).
   */
  send(call: UpstreamCall): Promise<HttpResponse>
  /** Closes the client's own dispatcher. Later calls fail as `transport` (`aborted`). Idempotent. */
  close(): Promise<void>
}

const MAX_BACKOFF_MS = 5000

/** Creates an {@link UpstreamClient}. Nothing is loaded or opened before the first call. */
export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const given = options.dispatcher
  const hooks = options.hooks
  let owned: Promise<Dispatcher> | undefined
  let closed: Promise<void> | undefined

  const dispatcher = (): Promise<Dispatcher> | Dispatcher => {
    if (given !== undefined) return given
    owned ??= createOwnedDispatcher(options.pool)
    return owned
  }

  const attempt = async (call: UpstreamCall, headers: Record<string, string>): Promise<HttpResponse> => {
    const hook = hooks?.onUpstream
    const started = hook === undefined ? 0 : performance.now()
    let status: number | undefined
    let failure: unknown
    try {
      const res = await httpRequest({
        method: call.method,
        url: call.url,
        headers,
        body: call.body,
        timeoutMs: call.timeoutMs,
        maxResponseBytes: call.maxResponseBytes,
        dispatcher: await dispatcher(),
        signal: call.signal,
      })
      status = res.status
      call.check?.(res)
      return res
    } catch (err) {
      failure = err
      if (err instanceof TransportError) {
        throw new UpstreamError({
          kind: 'transport',
          failure: err.failure,
          message: `${labelOf(call)}: ${err.message}`,
          cause: err,
        })
      }
      throw err
    } finally {
      if (hook !== undefined) {
        emit(hook, {
          kind: call.kind,
          method: call.method,
          url: withoutQuery(call.url),
          status,
          durationMs: performance.now() - started,
          error: failure,
        })
      }
    }
  }

  const credentialHeaders = async (call: UpstreamCall): Promise<Record<string, string>> => {
    if (call.credentials === undefined) return {}
    try {
      return await call.credentials.headers()
    } catch (err) {
      if (err instanceof TypeError) throw err
      throw new UpstreamError({
        kind: 'credentials',
        message: `${labelOf(call)}: credentials could not be obtained`,
        cause: err,
      })
    }
  }

  const backoff = async (retry: number, call: UpstreamCall): Promise<void> => {
    const full = Math.min((call.retryBaseDelayMs ?? 100) * 2 ** retry, MAX_BACKOFF_MS)
    const delay = full / 2 + (Math.random() * full) / 2
    try {
      await sleep(delay, undefined, { signal: call.signal })
    } catch (err) {
      throw aborted(call, err)
    }
  }

  const send = async (call: UpstreamCall): Promise<HttpResponse> => {
    if (closed !== undefined) {
      throw new UpstreamError({
        kind: 'transport',
        failure: 'aborted',
        message: `${labelOf(call)}: the client is closed`,
      })
    }
    const maxRetries = call.method === 'GET' ? (call.retries ?? 0) : 0
    const accept = call.accept ?? isSuccess
    let retries = 0
    let refreshed = false
    for (;;) {
      if (call.signal?.aborted === true) throw aborted(call, call.signal.reason)
      const headers = { ...call.headers, ...(await credentialHeaders(call)) }
      let res: HttpResponse
      try {
        res = await attempt(call, headers)
      } catch (err) {
        if (err instanceof UpstreamError && err.failure === 'connection' && retries < maxRetries) {
          await backoff(retries++, call)
          continue
        }
        throw err
      }
      if (accept(res.status)) return res
      if (res.status === 401 && call.credentials !== undefined && call.on401 !== undefined && !refreshed) {
        refreshed = true
        call.credentials.invalidate()
        if (call.on401 === 'retry') continue
      }
      if (res.status >= 500 && retries < maxRetries) {
        await backoff(retries++, call)
        continue
      }
      throw new UpstreamError({
        kind: 'status',
        message: `${labelOf(call)} answered HTTP ${res.status}`,
        response: res,
      })
    }
  }

  return {
    send,
    close() {
      closed ??= (async () => {
        if (owned === undefined) return
        await (await owned).close()
      })()
      return closed
    },
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300
}

function aborted(call: UpstreamCall, cause: unknown): UpstreamError {
  return new UpstreamError({
    kind: 'transport',
    failure: 'aborted',
    message: `${labelOf(call)}: aborted`,
    cause,
  })
}

function labelOf(call: UpstreamCall): string {
  return call.label ?? `${call.method} ${sanitizeText(withoutQuery(call.url))}`
}

/** Origin and path only: a query string could carry a token or a challenge. */
export function withoutQuery(url: string): string {
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname}`
  } catch {
    return url.replace(/[?#].*$/s, '')
  }
}

/** A `Retry-After` of 1 to 9 digits (seconds), else undefined: never raw upstream text. */
function safeRetryAfter(res: HttpResponse): string | undefined {
  const value = headerValue(res.headers, 'retry-after')
  return value !== undefined && /^[0-9]{1,9}$/.test(value) ? value : undefined
}
