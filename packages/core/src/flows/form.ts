// Reads an application/x-www-form-urlencoded POST body straight from the Node request stream, with
// a size limit, so the flows work whether or not the host app installed a body parser. When a body
// parser already consumed the stream, its result is used instead.

import type { Readable } from 'node:stream'

/** Default largest form body, in bytes (16 KiB). */
export const DEFAULT_MAX_FORM_BYTES = 16 * 1024

/** Why a form body could not be read. */
export type FormBodyErrorReason = 'body_too_large' | 'unsupported_media_type' | 'invalid_request'

/** A POST body that cannot be used: too large (413), not a urlencoded form (415), or broken off (400). */
export class FormBodyError extends Error {
  /** 413, 415 or 400. */
  readonly status: 413 | 415 | 400
  /** Stable reason, also the error page's code. */
  readonly reason: FormBodyErrorReason

  constructor(reason: FormBodyErrorReason, message: string) {
    super(message)
    this.reason = reason
    this.status = reason === 'body_too_large' ? 413 : reason === 'unsupported_media_type' ? 415 : 400
  }

  override get name(): string {
    return 'FormBodyError'
  }
}

/** Where a form body comes from. */
export interface FormBodySource {
  /** The request stream (Node's `IncomingMessage`: Express `req`, Koa `ctx.req`). */
  stream: Readable
  /** Request headers (lower-case names); `content-type` and `content-length` are read. */
  headers: Record<string, string | string[] | undefined>
  /**
   * What the host app's body parser produced (Express `req.body`, Koa `ctx.request.body`). Used only
   * when the stream was already read to the end by that parser.
   */
  parsed?: unknown
}

/**
 * Reads a urlencoded form body. `maxBytes` caps the raw body (a larger `Content-Length` is refused
 * before reading anything). Rejects with a {@link FormBodyError}; never hangs on a client that
 * goes away (the stream's `close`/`error` settle it).
 *
 * @example
 * ```ts
 * const form = await readFormBody({ stream: req, headers: req.headers, parsed: req.body }, 16 * 1024)
 * form.get('challenge')
 * ```
 */
export async function readFormBody(source: FormBodySource, maxBytes: number): Promise<URLSearchParams> {
  const { stream, headers } = source
  if (stream.readableEnded) return formFromParsed(source.parsed, maxBytes)
  const type = single(headers['content-type'])
  const length = single(headers['content-length'])
  const declared = length === undefined ? undefined : Number(length)
  if (type === undefined) {
    if (declared === 0 || (declared === undefined && single(headers['transfer-encoding']) === undefined)) {
      return new URLSearchParams()
    }
    throw new FormBodyError('unsupported_media_type', 'the body must be application/x-www-form-urlencoded')
  }
  checkContentType(type)
  if (declared !== undefined && Number.isFinite(declared) && declared > maxBytes) {
    stream.resume()
    throw new FormBodyError('body_too_large', `the body is larger than ${maxBytes} bytes`)
  }
  const raw = await readLimited(stream, maxBytes)
  return new URLSearchParams(raw.toString('utf8'))
}

/**
 * Converts what a body parser produced into form fields: a `URLSearchParams`, a raw string or
 * Buffer (parsed as urlencoded, at most `maxBytes`), or an object whose values are strings or
 * arrays of strings (other values are dropped). Anything else gives an empty form.
 */
export function formFromParsed(parsed: unknown, maxBytes: number): URLSearchParams {
  if (parsed instanceof URLSearchParams) return parsed
  if (typeof parsed === 'string' || parsed instanceof Uint8Array) {
    const text = typeof parsed === 'string' ? parsed : Buffer.from(parsed).toString('utf8')
    if (Buffer.byteLength(text) > maxBytes) {
      throw new FormBodyError('body_too_large', `the body is larger than ${maxBytes} bytes`)
    }
    return new URLSearchParams(text)
  }
  const out = new URLSearchParams()
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'string') out.append(key, value)
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') out.append(key, v)
  }
  return out
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function checkContentType(header: string): void {
  const [mediaType = '', ...params] = header.split(';')
  if (mediaType.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    throw new FormBodyError('unsupported_media_type', 'the body must be application/x-www-form-urlencoded')
  }
  for (const p of params) {
    const [k = '', v = ''] = p.split('=')
    if (k.trim().toLowerCase() !== 'charset') continue
    const cs = v.trim().replace(/^"|"$/g, '').toLowerCase()
    if (cs !== 'utf-8' && cs !== 'utf8' && cs !== 'us-ascii') {
      throw new FormBodyError('unsupported_media_type', 'the form must be UTF-8')
    }
  }
}

function readLimited(stream: Readable, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (stream.destroyed) {
      reject(new FormBodyError('invalid_request', 'the client closed the connection before the body ended'))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      stream.removeListener('data', onData)
      stream.removeListener('end', onEnd)
      stream.removeListener('error', onError)
      stream.removeListener('close', onClose)
    }
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += buf.length
      if (size > maxBytes) {
        cleanup()
        // Discard the rest instead of destroying the socket, so the 413 page can still be sent.
        stream.resume()
        reject(new FormBodyError('body_too_large', `the body is larger than ${maxBytes} bytes`))
        return
      }
      chunks.push(buf)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(Buffer.concat(chunks))
    }
    const onError = (): void => {
      cleanup()
      reject(new FormBodyError('invalid_request', 'the body could not be read'))
    }
    const onClose = (): void => {
      cleanup()
      reject(new FormBodyError('invalid_request', 'the client closed the connection before the body ended'))
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
    stream.resume()
  })
}
