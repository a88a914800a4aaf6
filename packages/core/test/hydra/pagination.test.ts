import { describe, expect, it } from 'vitest'
import { pageQuery, parseLinkHeader, toPage } from '../../src/hydra/pagination.js'

const base = 'http://hydra.example:4445/admin/clients?page_size=2'

describe('parseLinkHeader', () => {
  it('reads quoted and unquoted rels, relative and absolute references', () => {
    const links = parseLinkHeader(
      '</admin/clients?page_token=a>; rel="next", <https://other.example/x?page_token=b>; rel=first, <c>; rel="prev last"',
      base,
    )
    expect(links.get('next')?.href).toBe('http://hydra.example:4445/admin/clients?page_token=a')
    expect(links.get('first')?.href).toBe('https://other.example/x?page_token=b')
    expect(links.get('prev')?.href).toBe('http://hydra.example:4445/admin/c')
    expect(links.get('last')?.href).toBe('http://hydra.example:4445/admin/c')
  })

  it('accepts a repeated header (array) and keeps the first link of a rel', () => {
    const links = parseLinkHeader(['</a?page_token=1>; rel="next"', '</b?page_token=2>; rel="next"'], base)
    expect(links.get('next')?.searchParams.get('page_token')).toBe('1')
  })

  it('is case-insensitive for rel and tolerates extra parameters', () => {
    const links = parseLinkHeader('</a>; title="x"; REL="Next"', base)
    expect(links.has('next')).toBe(true)
  })

  it.each([undefined, '', 'garbage', '<>', 'rel="next"', '<http://[bad>; rel="next"', '<a>; rel'])(
    'never throws on %j',
    (value) => {
      expect(() => parseLinkHeader(value, base)).not.toThrow()
    },
  )

  it('skips an unparsable reference but keeps the others', () => {
    const links = parseLinkHeader('<http://[bad>; rel="first", </ok?page_token=t>; rel="next"', base)
    expect(links.has('first')).toBe(false)
    expect(links.get('next')?.searchParams.get('page_token')).toBe('t')
  })
})

describe('toPage', () => {
  const res = (link?: string) => ({ status: 200, headers: link === undefined ? {} : { link }, body: '' })

  it('v2 cursors carry page_token and page_size', () => {
    const page = toPage([1], res('</admin/clients?page_size=5&page_token=xyz>; rel="next"'), base, 'v2')
    expect(page).toEqual({ items: [1], next: { pageToken: 'xyz', pageSize: 5 }, first: undefined })
  })

  it('v1 cursors carry offset and limit', () => {
    const page = toPage([1], res('</clients?limit=5&offset=10>; rel="next"'), base, 'v1')
    expect(page.next).toEqual({ pageToken: '10', pageSize: 5 })
  })

  it('a v1 offset that is not a number is dropped, and then there is no next', () => {
    expect(toPage([1], res('</clients?limit=5&offset=abc>; rel="next"'), base, 'v1').next).toBeUndefined()
  })

  it('a next link without a token would restart the list: no next', () => {
    expect(
      toPage([1], res('</admin/clients?page_size=5&page_token=>; rel="next"'), base, 'v2').next,
    ).toBeUndefined()
  })

  it('an empty page has no next even if one is announced', () => {
    expect(toPage([], res('</admin/clients?page_token=t>; rel="next"'), base, 'v2').next).toBeUndefined()
  })
})

describe('pageQuery', () => {
  it('v2 uses page_size and page_token', () => {
    expect(pageQuery({ pageSize: 10, pageToken: 't' }, 'v2', 'p')).toEqual({
      page_size: '10',
      page_token: 't',
    })
  })
  it('v1 uses limit and offset', () => {
    expect(pageQuery({ pageSize: 10, pageToken: '30' }, 'v1', 'p')).toEqual({ limit: '10', offset: '30' })
  })
  it.each([
    [{ pageSize: -1 }, 'v2', 'p.pageSize must be a positive integer'],
    [{ pageSize: 2.5 }, 'v2', 'p.pageSize must be a positive integer'],
    [{ pageToken: 7 }, 'v2', 'p.pageToken must be a non-empty string'],
    [{ pageToken: '-1' }, 'v1', 'p.pageToken must be a decimal offset on Hydra v1'],
  ] as const)('refuses %j on %s', (cursor, version, message) => {
    expect(() => pageQuery(cursor as never, version, 'p')).toThrow(new TypeError(message))
  })
})
