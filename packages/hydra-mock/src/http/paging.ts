import { oauthError } from '../errors.js'
import type { MockRequest } from './message.js'

/** Hydra's `page_size` default on every paginated v2 admin list. */
export const DEFAULT_PAGE_SIZE = 250

/** A page to return: where it starts and how long it is. */
export interface PageRequest {
  /** Index of the first item. */
  readonly offset: number
  /** Items per page. */
  readonly size: number
}

function encodeToken(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url')
}

/**
 * Reads `page_size` (an integer from 1 to `max`, default {@link DEFAULT_PAGE_SIZE}) and the opaque
 * `page_token` of a list request. Out-of-range or malformed values are 400 `invalid_request`
 * naming the parameter.
 */
export function readPaging(req: MockRequest, max: number): PageRequest {
  const q = req.url.searchParams
  const sizeRaw = q.get('page_size')
  const size = sizeRaw === null || sizeRaw === '' ? DEFAULT_PAGE_SIZE : Number(sizeRaw)
  if (!/^[0-9]*$/.test(sizeRaw ?? '') || !Number.isInteger(size) || size < 1 || size > max) {
    throw oauthError('invalid_request', `Query parameter 'page_size' must be an integer from 1 to ${max}.`)
  }
  const token = q.get('page_token')
  let offset = 0
  if (token) {
    const text = Buffer.from(token, 'base64url').toString('utf8')
    if (!/^[0-9]{1,15}$/.test(text) || encodeToken(Number(text)) !== token) {
      throw oauthError('invalid_request', "Query parameter 'page_token' is not a token this server issued.")
    }
    offset = Number(text)
  }
  return { offset, size }
}

/**
 * Cuts one page out of `all` and builds Hydra's token-pagination `Link` header: relative links
 * (path and query of the request, with `page_size` and `page_token` replaced) for `first`, `next`,
 * `prev` and `last`; `next` and `prev` only when such a page exists.
 */
export function paginate<T>(
  all: readonly T[],
  req: MockRequest,
  page: PageRequest,
): { items: T[]; headers: Record<string, string> } {
  const { offset, size } = page
  const link = (at: number, rel: string): string => {
    const q = new URLSearchParams(req.url.searchParams)
    q.set('page_size', String(size))
    q.set('page_token', encodeToken(at))
    return `<${req.url.pathname}?${q.toString()}>; rel="${rel}"`
  }
  const links = [link(0, 'first')]
  if (offset + size < all.length) links.push(link(offset + size, 'next'))
  if (offset > 0) links.push(link(Math.max(0, offset - size), 'prev'))
  const last = all.length === 0 ? 0 : Math.floor((all.length - 1) / size) * size
  links.push(link(last, 'last'))
  return { items: all.slice(offset, offset + size), headers: { link: links.join(',') } }
}
