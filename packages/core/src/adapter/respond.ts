// Framework-free answers an adapter writes as it likes: a refusal as `{ status, headers, body }`,
// the RFC 9728 metadata document, and the error-mode and route-prefix options adapters share.

import { isHydrakitError } from '../errors/errors.js'
import { toErrorResponse } from '../http/error-response.js'
import type { ProtectedResourceMetadata } from '../resource/metadata.js'

/** A response as plain data: status, lower-case header names, body (empty for HEAD). */
export interface AdapterResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * The response for a refusal: status, `WWW-Authenticate` (and `Retry-After`), `Cache-Control:
 * no-store` and a JSON body `{ error, error_description }`. `undefined` for anything that is not a
 * hydrakit error (a bug, a throwing hook): the adapter passes those on to the framework.
 */
export function refusalResponse(err: unknown): AdapterResponse | undefined {
  return isHydrakitError(err) ? toErrorResponse(err) : undefined
}

/**
 * The answer to a request for the RFC 9728 protected-resource metadata document, or `undefined`
 * when the request is not one (another path, or a method other than GET/HEAD): then the adapter
 * passes it on. `path` is the request's path without the query.
 */
export function metadataResponse(
  meta: ProtectedResourceMetadata,
  method: string,
  path: string,
): AdapterResponse | undefined {
  if ((method !== 'GET' && method !== 'HEAD') || path !== meta.path) return undefined
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
    },
    body: method === 'HEAD' ? '' : meta.body,
  }
}

/** The path of a request target (`/a/b?x=1` → `/a/b`). */
export function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/**
 * What an adapter does with a refusal (400/401/403/503):
 * - `'respond'` (default): writes the status, `WWW-Authenticate` and a JSON body
 *   `{ error, error_description }` itself, so no error handler is needed;
 * - `'forward'`: hands the typed error to the framework's error handling (`next(err)`, Fastify's
 *   error handler), for apps with their own.
 * Unexpected errors (a bug, a throwing hook) are always handed on.
 */
export type ErrorMode = 'respond' | 'forward'

/** Validates the `errors` option; a TypeError names it. */
export function checkErrorMode(value: unknown): ErrorMode {
  if (value === undefined) return 'respond'
  if (value !== 'respond' && value !== 'forward') throw new TypeError(`errors must be 'respond' or 'forward'`)
  return value
}

/** Validates a route prefix (`'/auth'`, or `''` for none); a TypeError names `option`. */
export function checkPrefix(value: unknown, option = 'prefix'): string {
  if (value === undefined || value === '') return ''
  if (typeof value !== 'string' || !value.startsWith('/') || value.endsWith('/') || /[?#\s]/.test(value)) {
    throw new TypeError(
      `${option} must be a path starting with / and not ending with / (e.g. '/auth'), or ''`,
    )
  }
  return value
}

/** The part of `path` below `prefix` (`/auth/login` below `/auth` is `/login`), or `undefined`. */
export function pathBelow(prefix: string, path: string): string | undefined {
  if (prefix === '') return path
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined
}
