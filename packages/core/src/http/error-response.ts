import type { HydrakitError } from '../errors/errors.js'

/** What an adapter writes for a {@link HydrakitError}. */
export interface ErrorResponse {
  status: number
  /** Lower-case names. Includes `content-type` and `cache-control`. */
  headers: Record<string, string>
  /** `{"error":"…","error_description":"…"}` */
  body: string
}

/**
 * The response for a hydrakit error: its status, its headers (`WWW-Authenticate`, `Retry-After`),
 * `Cache-Control: no-store`, and a small JSON body. Both adapters render errors through this.
 */
export function toErrorResponse(err: HydrakitError): ErrorResponse {
  // Copied by hand: `{ ...err.headers, name: value }` (a spread, then more properties) takes V8's slow
  // path, ~1.5 µs per refusal; this loop costs a few dozen nanoseconds.
  const headers: Record<string, string> = {}
  const own = err.headers
  for (const name in own) headers[name] = own[name]!
  headers['content-type'] = 'application/json; charset=utf-8'
  headers['cache-control'] = 'no-store'
  return { status: err.status, headers, body: JSON.stringify(err.toJSON()) }
}
