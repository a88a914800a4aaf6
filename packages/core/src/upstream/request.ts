import { EventEmitter } from 'node:events'
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
  const call = new CallAbort()
  const deadline = { passed: false }
  const timer = setTimeout(() => {
    deadline.passed = true
    call.abort()
  }, req.timeoutMs)
  timer.unref()
  const outer = req.signal
  let siblings: Set<CallAbort> | undefined
  if (outer !== undefined) {
    if (outer.aborted) call.abort()
    else siblings = follow(outer, call)
  }
  try {
    return await send(req, call, deadline)
  } finally {
    clearTimeout(timer)
    siblings?.delete(call)
  }
}

/**
 * The abort signal undici gets for one call. undici accepts an EventEmitter as `signal` (it reads
 * `aborted` and listens for `'abort'`); in Node 20 that costs well under a microsecond, where an
 * AbortController with AbortSignal.timeout and AbortSignal.any costs tens.
 */
class CallAbort extends EventEmitter {
  aborted = false
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.emit('abort')
  }
}

// The calls in flight under each caller's signal (a verifier's close(), a request's signal): one
// listener per signal, however many calls it covers; a call leaves its set when it ends.
const inFlight = new WeakMap<AbortSignal, Set<CallAbort>>()

function follow(outer: AbortSignal, call: CallAbort): Set<CallAbort> {
  let calls = inFlight.get(outer)
  if (calls === undefined) {
    const set = new Set<CallAbort>()
    calls = set
    inFlight.set(outer, set)
    outer.addEventListener(
      'abort',
      () => {
        for (const c of set) c.abort()
        set.clear()
      },
      { once: true },
    )
  }
  calls.add(call)
  return calls
}

async function send(
  req: HttpRequest,
  signal: CallAbort,
  deadline: { passed: boolean },
): Promise<HttpResponse> {
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
    throw toTransportError(err, deadline.passed, req)
  }
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy()
    throw new TransportError('too_large', `response from ${describe(req)} exceeds ${max} bytes`)
  }
  let body: string
  try {
    body = await readCapped(res.body, max, req)
  } catch (err) {
    if (err instanceof TransportError) throw err
    throw toTransportError(err, deadline.passed, req)
  }
  return { status: res.statusCode, headers: res.headers, body }
}

/** Reads a body as UTF-8 with events (cheaper than an async iterator), refusing more than `max` bytes. */
function readCapped(stream: Dispatcher.ResponseData['body'], max: number, req: HttpRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        stream.destroy()
        reject(new TransportError('too_large', `response from ${describe(req)} exceeds ${max} bytes`))
        return
      }
      chunks.push(chunk)
    })
    stream.on('end', () => {
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
      )
    })
    stream.on('error', reject)
  })
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

function toTransportError(err: unknown, timedOut: boolean, req: HttpRequest): TransportError {
  const code = (err as { code?: unknown } | null)?.code
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
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
