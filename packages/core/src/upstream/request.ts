import type { Dispatcher } from 'undici'
import { sanitizeText } from '../text/sanitize.js'
import { loadUndici } from './dispatcher.js'

/** A plain outbound HTTP request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers?: Record<string, string> | undefined
  body?: string | undefined
  /** Total time for connect + headers + body, in milliseconds. */
  timeoutMs: number
  /** Responses larger than this are refused (bytes). Default 1 MiB. */
  maxResponseBytes?: number | undefined
  dispatcher?: Dispatcher | undefined
  signal?: AbortSignal | undefined
}

/** A fully read response. */
export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Why an outbound call produced no response. */
export type TransportFailure = 'timeout' | 'aborted' | 'connection' | 'too_large'

/** The call never produced a complete HTTP response (timeout, refused, reset, oversized body). */
export class TransportError extends Error {
  readonly failure: TransportFailure
  constructor(failure: TransportFailure, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.failure = failure
  }
  override get name(): string {
    return 'TransportError'
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024

/**
 * Sends one request with undici and reads the whole body as UTF-8, under a hard deadline and a
 * size cap. Never retries. Throws {@link TransportError} when no complete response arrived; any
 * HTTP status (including 5xx) is returned, not thrown.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs)
  const signal = req.signal === undefined ? timeout : AbortSignal.any([timeout, req.signal])
  const max = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const { request } = await loadUndici()
  let res: Dispatcher.ResponseData
  try {
    res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: req.dispatcher,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    })
  } catch (err) {
    throw toTransportError(err, timeout, req)
  }
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy()
    throw new TransportError('too_large', `response from ${describe(req)} exceeds ${max} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer
      size += buf.length
      if (size > max) {
        res.body.destroy()
        throw new TransportError('too_large', `response from ${describe(req)} exceeds ${max} bytes`)
      }
      chunks.push(buf)
    }
  } catch (err) {
    if (err instanceof TransportError) throw err
    throw toTransportError(err, timeout, req)
  }
  return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }
}

function describe(req: HttpRequest): string {
  // Only origin and path: a query string could carry a token or a challenge.
  try {
    const u = new URL(req.url)
    return `${req.method} ${u.origin}${u.pathname}`
  } catch {
    return req.method
  }
}

function toTransportError(err: unknown, timeout: AbortSignal, req: HttpRequest): TransportError {
  const code = (err as { code?: unknown } | null)?.code
  if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TransportError('timeout', `${describe(req)} timed out after ${req.timeoutMs} ms`, err)
  }
  if (req.signal?.aborted) return new TransportError('aborted', `${describe(req)} was aborted`, err)
  return new TransportError(
    'connection',
    // undici's message may quote what the peer sent: never let it into a log unescaped.
    `${describe(req)} failed: ${sanitizeText((err as Error | null)?.message ?? err)}`,
    err,
  )
}

/** Parses JSON without ever throwing a SyntaxError: returns `undefined` for anything unparsable. */
export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** First value of a possibly repeated header. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}
