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
  return {
    status: err.status,
    headers: {
      ...err.headers,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    },
    body: JSON.stringify(err.toJSON()),
  }
}
