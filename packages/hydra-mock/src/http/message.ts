import type { IncomingHttpHeaders } from 'node:http'

/** What a handler sees of a request: already routed, body read on demand with a size cap. */
export interface MockRequest {
  readonly method: string
  /** The request URL resolved against the listener's base URL. */
  readonly url: URL
  readonly headers: IncomingHttpHeaders
  /** Cookies sent by the browser (first value wins). */
  readonly cookies: ReadonlyMap<string, string>
  /** Reads the whole body. Rejects with a 413 `OAuth2Error` above the configured limit. */
  readBody(): Promise<Buffer>
}

/** What a handler returns; the server writes it. */
export interface MockResponse {
  status: number
  headers: Record<string, string | string[]>
  body?: string | undefined
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** A JSON response. */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): MockResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) }
}

/** A response without a body (204, or 200 for revocation). */
export function emptyResponse(status: number, headers: Record<string, string | string[]> = {}): MockResponse {
  return { status, headers }
}

/** A 302 redirect, optionally setting cookies. */
export function redirectResponse(location: string, setCookies: string[] = []): MockResponse {
  const headers: Record<string, string | string[]> = { location, 'cache-control': 'no-store' }
  if (setCookies.length > 0) headers['set-cookie'] = setCookies
  return { status: 302, headers }
}

/** An HTML page. */
export function htmlResponse(status: number, html: string): MockResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
    },
    body: html,
  }
}
