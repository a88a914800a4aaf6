import type { IncomingMessage } from 'node:http'
import { oauthError, undecodableBody } from '../errors.js'
import type { MockRequest } from './message.js'

/**
 * Reads a request body up to `limit` bytes. Above the limit it stops reading and rejects with a
 * 413; a broken connection rejects with a 400. Never buffers more than `limit` bytes.
 */
export function readBodyLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      reject(oauthError('Payload Too Large', `The limit is ${limit} bytes.`))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (fn: () => void): void => {
      if (done) return
      done = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      fn()
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        finish(() => {
          req.pause()
          reject(oauthError('Payload Too Large', `The limit is ${limit} bytes.`))
        })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => finish(() => resolve(Buffer.concat(chunks)))
    const onError = (): void =>
      finish(() => reject(oauthError('invalid_request', 'The request body could not be read.')))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

function mediaType(req: MockRequest): string {
  const raw = req.headers['content-type'] ?? ''
  return raw.split(';')[0]!.trim().toLowerCase()
}

/**
 * Reads an `application/x-www-form-urlencoded` body. Any other media type (or none, with a body)
 * is a 400 `invalid_request`, as fosite answers it.
 */
export async function readForm(req: MockRequest): Promise<URLSearchParams> {
  const body = await req.readBody()
  if (body.length === 0) return new URLSearchParams()
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw oauthError(
      'invalid_request',
      'Unable to parse HTTP body, make sure to send a properly formatted form request body.',
    )
  }
  return new URLSearchParams(body.toString('utf8'))
}

/**
 * Reads a JSON body. An empty or malformed body is a 400 `invalid_request`
 * ("Unable to decode body because: …"), as Hydra's admin handlers answer it.
 */
export async function readJson(req: MockRequest): Promise<unknown> {
  const body = await req.readBody()
  const text = body.toString('utf8')
  if (text.trim() === '') throw undecodableBody('EOF')
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw undecodableBody('the body is not valid JSON')
  }
}
