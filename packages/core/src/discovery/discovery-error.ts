/**
 * Why issuer metadata could not be resolved. Closed: codes are never reused or removed.
 * - `issuer_mismatch`: the document names another issuer than the configured one (a
 *   misconfiguration or a mix-up attack; never accepted).
 * - `not_found`: every discovery URL answered 404 or 410.
 * - `http_status`: a discovery URL answered another non-200 status.
 * - `too_large`: the document is larger than the size cap.
 * - `invalid_json`: the body is not a JSON object.
 * - `invalid_metadata`: a field has the wrong type, or an endpoint is not an absolute http(s) URL.
 * - `timeout`: no complete answer within the deadline.
 * - `fetch_failed`: the request itself failed (connection refused, reset, DNS, ...).
 */
export type DiscoveryErrorCode =
  | 'issuer_mismatch'
  | 'not_found'
  | 'http_status'
  | 'too_large'
  | 'invalid_json'
  | 'invalid_metadata'
  | 'timeout'
  | 'fetch_failed'

/**
 * Resolving an issuer's metadata failed. The message names the URL and the problem; it is meant
 * for operators (logs, startup checks) and is never sent to clients.
 */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError'
  /** What went wrong; see {@link DiscoveryErrorCode}. */
  readonly code: DiscoveryErrorCode
  /** The discovery URL concerned (the last one tried for `not_found`). */
  readonly url: string
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined
  /** `issuer_mismatch`: the configured issuer. Undefined for other codes. */
  readonly expectedIssuer: string | undefined
  /** `issuer_mismatch`: the `issuer` the document names. Undefined for other codes. */
  readonly documentIssuer: string | undefined

  constructor(
    code: DiscoveryErrorCode,
    message: string,
    details: {
      url: string
      status?: number | undefined
      cause?: unknown
      expectedIssuer?: string | undefined
      documentIssuer?: string | undefined
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.url = details.url
    this.status = details.status
    this.expectedIssuer = details.expectedIssuer
    this.documentIssuer = details.documentIssuer
  }
}
