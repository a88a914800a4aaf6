import type { HttpResponse } from '../upstream/request.js'

/** The Hydra admin API generation: `v2` (v2.x, v25+, v26, Ory Network) or `v1` (v1.x). */
export type HydraApiVersion = 'v2' | 'v1'

/**
 * Where a list starts. The same shape works for both API versions: on v2 it is Hydra's keyset
 * pagination (`page_size`, `page_token`); on v1 `pageSize` is sent as `limit` and `pageToken` is
 * the decimal `offset`.
 */
export interface HydraPageCursor {
  /** Opaque token of the page (v2), or a decimal offset (v1). Absent: the first page. */
  pageToken?: string | undefined
  /**
   * Items per page, from 1 to the operation's maximum in Hydra's spec (1000 for clients and
   * trusted issuers, 500 for consent sessions). Default: Hydra's (250 on v2, 100 on v1).
   */
  pageSize?: number | undefined
}

/** One page of a list and the cursors Hydra announced in its `Link` header. */
export interface HydraPage<T> {
  items: T[]
  /**
   * Cursor of the next page, `undefined` on the last page. Fetch it with
   * `list({ ...sameFilters, ...page.next })`.
   */
  next: HydraPageCursor | undefined
  /** Cursor of the first page, when Hydra sent one. */
  first: HydraPageCursor | undefined
}

/**
 * Parses an RFC 8288 `Link` header (`<url>; rel="next", <url>; rel="first"`) into rel → URL,
 * resolving relative references against `base`. Malformed parts are skipped; never throws.
 */
export function parseLinkHeader(value: string | string[] | undefined, base: string): Map<string, URL> {
  const out = new Map<string, URL>()
  if (value === undefined) return out
  const text = Array.isArray(value) ? value.join(',') : value
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g
  for (const m of text.matchAll(re)) {
    const ref = m[1] ?? ''
    const params = m[2] ?? ''
    let url: URL
    try {
      url = new URL(ref, base)
    } catch {
      continue
    }
    for (const p of params.split(';')) {
      const eq = p.indexOf('=')
      if (eq < 0) continue
      if (p.slice(0, eq).trim().toLowerCase() !== 'rel') continue
      const rels = p
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '')
        .split(/\s+/)
      for (const rel of rels) if (rel !== '' && !out.has(rel.toLowerCase())) out.set(rel.toLowerCase(), url)
    }
  }
  return out
}

function cursorFromUrl(url: URL, version: HydraApiVersion): HydraPageCursor {
  const q = url.searchParams
  const sizeText = version === 'v2' ? q.get('page_size') : q.get('limit')
  const token = version === 'v2' ? q.get('page_token') : q.get('offset')
  const size = sizeText !== null && /^[0-9]{1,9}$/.test(sizeText) ? Number(sizeText) : undefined
  const cursor: HydraPageCursor = {}
  if (token !== null && token !== '' && (version === 'v2' || /^[0-9]{1,15}$/.test(token)))
    cursor.pageToken = token
  if (size !== undefined && size > 0) cursor.pageSize = size
  return cursor
}

/** Builds the page of `items` with the cursors of the response's `Link` header. */
export function toPage<T>(
  items: T[],
  res: HttpResponse,
  requestUrl: string,
  version: HydraApiVersion,
): HydraPage<T> {
  const links = parseLinkHeader(res.headers.link, requestUrl)
  const nextUrl = links.get('next')
  const firstUrl = links.get('first')
  let next = nextUrl === undefined ? undefined : cursorFromUrl(nextUrl, version)
  // A "next" without a token would restart at page one: treat it as the end.
  if (next?.pageToken === undefined) next = undefined
  // v1 announces "next" past the end on an empty page; stop there.
  if (items.length === 0) next = undefined
  return { items, next, first: firstUrl === undefined ? undefined : cursorFromUrl(firstUrl, version) }
}

/**
 * Turns a {@link HydraPageCursor} into the query parameters of `version`; TypeErrors name `path`.
 * `maxPageSize` is the operation's `page_size` maximum in Hydra's spec (1000 for clients and
 * trusted issuers, 500 for consent sessions); a larger `pageSize` is refused before any request.
 */
export function pageQuery(
  cursor: HydraPageCursor,
  version: HydraApiVersion,
  path: string,
  maxPageSize = 1000,
): Record<string, string | undefined> {
  const { pageSize, pageToken } = cursor
  if (
    pageSize !== undefined &&
    (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1)
  ) {
    throw new TypeError(`${path}.pageSize must be a positive integer`)
  }
  if (pageSize !== undefined && pageSize > maxPageSize) {
    throw new TypeError(`${path}.pageSize must be at most ${maxPageSize} (Hydra's maximum for this list)`)
  }
  if (pageToken !== undefined && (typeof pageToken !== 'string' || pageToken === '')) {
    throw new TypeError(`${path}.pageToken must be a non-empty string`)
  }
  if (version === 'v2') {
    return { page_size: pageSize?.toString(), page_token: pageToken }
  }
  if (pageToken !== undefined && !/^[0-9]{1,15}$/.test(pageToken)) {
    throw new TypeError(`${path}.pageToken must be a decimal offset on Hydra v1`)
  }
  return { limit: pageSize?.toString(), offset: pageToken }
}
