import { describe, expect, it } from 'vitest'
import { InvalidRequestError, MissingTokenError } from '../../src/errors/errors.js'
import { createTokenExtractor, requireToken, type RequestLike } from '../../src/token/extract.js'

const req = (over: Partial<RequestLike> = {}): RequestLike => ({ method: 'GET', headers: {}, ...over })
const header = (authorization: string | string[]): RequestLike => req({ headers: { authorization } })

function reason(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof InvalidRequestError) return e.reason
    throw e
  }
  return undefined
}

describe('createTokenExtractor — Authorization header (RFC 6750 §2.1)', () => {
  const extract = createTokenExtractor()

  it('reads a bearer token, scheme case-insensitive', () => {
    expect(extract(header('Bearer abc.def-ghi_~+/=='), 'api')).toBe('abc.def-ghi_~+/==')
    expect(extract(header('bearer abc'), 'api')).toBe('abc')
    expect(extract(header('BEARER abc'), 'api')).toBe('abc')
  })

  it('reads the scheme exactly as /^bearer +/i does, for every spelling near it', () => {
    const reference = (value: string): string | undefined => {
      const m = /^bearer +/i.exec(value)
      if (m === null) return undefined
      const token = value.slice(m[0].length)
      return token !== '' && /^[\w\-.~+/]+=*$/.test(token) ? token : undefined
    }
    const spellings = [
      'Bearer',
      'bearer',
      'BEARER',
      'bEaReR',
      'Bearerx',
      'Bear',
      'Bearer\t',
      'Beare\u0072',
      'Be\u00e1rer',
    ]
    const spellingsNear = [
      'Dearer',
      'Bearor',
      'B\u0000arer',
      '\u0042EARER',
      'bearer\u0130',
      'B\u0065\u0041rer',
      'Bearer\u00a0',
    ]
    for (const scheme of [...spellings, ...spellingsNear]) {
      for (const gap of ['', ' ', '  ', '   ', '\t', ' \t']) {
        for (const token of ['abc', 'a.b-c_d~e+f/g==', '', 'a b']) {
          const value = `${scheme}${gap}${token}`
          let got: string | undefined
          try {
            got = extract(header(value), 'api')
          } catch (e) {
            if (!(e instanceof InvalidRequestError)) throw e
            got = undefined
          }
          expect([value, got]).toEqual([value, reference(value)])
        }
      }
    }
    // Setting bit 0x20 lower-cases a letter; a character that is no letter must not pass for one.
    expect(reason(() => extract(header('\u0002earer abc'), 'api'))).toBe('malformed_header')
  })

  it('returns undefined when no token is sent', () => {
    expect(extract(req(), 'api')).toBeUndefined()
    expect(() => requireToken(extract, req(), 'api')).toThrow(MissingTokenError)
  })

  it.each([
    ['Basic dXNlcjpwYXNz', 'malformed_header'],
    ['Bearer', 'malformed_header'],
    ['Bearer ', 'malformed_header'],
    ['', 'malformed_header'],
    ['Bearer a b', 'malformed_header'],
    ['Bearer a,Bearer b', 'malformed_header'],
    ['Bearer a"b', 'malformed_header'],
    ['Bearer =abc', 'malformed_header'],
    ['Bearer abc=def', 'malformed_header'],
    ['Bearerabc', 'malformed_header'],
    ['Bearer\tabc', 'malformed_header'],
  ])('refuses %j with 400 invalid_request', (value, why) => {
    expect(reason(() => extract(header(value), 'api'))).toBe(why)
  })

  it('refuses several Authorization headers', () => {
    expect(reason(() => extract(header(['Bearer a', 'Bearer b']), 'api'))).toBe('malformed_header')
    expect(extract(header(['Bearer a']), 'api')).toBe('a')
  })

  it('refuses a token over the size limit before any parsing', () => {
    const small = createTokenExtractor({ maxTokenLength: 16 })
    expect(small(header('Bearer ' + 'a'.repeat(16)), 'api')).toBe('a'.repeat(16))
    expect(reason(() => small(header('Bearer ' + 'a'.repeat(17)), 'api'))).toBe('too_large')
    // Default limit 8 KiB; a 1 MB header is refused without a regex over it.
    expect(reason(() => extract(header('Bearer ' + 'a'.repeat(1_000_000)), 'api'))).toBe('too_large')
  })

  it('uses the realm in the challenge', () => {
    try {
      extract(header('Basic x'), 'orders')
      expect.unreachable()
    } catch (e) {
      expect((e as InvalidRequestError).headers['www-authenticate']).toMatch(
        /^Bearer realm="orders", error="invalid_request"/,
      )
    }
  })
})

describe('createTokenExtractor — other methods', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }

  it('reads the form body only when enabled, for a form content type, not on GET', () => {
    const on = createTokenExtractor({ body: true })
    const off = createTokenExtractor()
    const post = req({ method: 'POST', headers: form, body: { access_token: 'tok' } })
    expect(on(post, 'api')).toBe('tok')
    expect(off(post, 'api')).toBeUndefined()
    expect(on({ ...post, method: 'GET' }, 'api')).toBeUndefined()
    expect(on({ ...post, headers: { 'content-type': 'application/json' } }, 'api')).toBeUndefined()
    expect(reason(() => on({ ...post, body: { access_token: ['a', 'b'] } }, 'api'))).toBe('malformed_header')
  })

  it('does not read access_token through the prototype chain', () => {
    const on = createTokenExtractor({ body: true })
    const body = Object.create({ access_token: 'inherited' }) as object
    expect(on(req({ method: 'POST', headers: form, body }), 'api')).toBeUndefined()
  })

  it('reads the query only when enabled, once', () => {
    const on = createTokenExtractor({ query: true })
    expect(on(req({ url: '/x?access_token=q1&y=2' }), 'api')).toBe('q1')
    expect(createTokenExtractor()(req({ url: '/x?access_token=q1' }), 'api')).toBeUndefined()
    expect(reason(() => on(req({ url: '/x?access_token=a&access_token=b' }), 'api'))).toBe('malformed_header')
    expect(reason(() => on(req({ url: '/x?access_token=a%20b' }), 'api'))).toBe('malformed_header')
  })

  it('reads a named cookie', () => {
    const on = createTokenExtractor({ cookie: 'at' })
    expect(on(req({ headers: { cookie: 'x=1; at=tok123; y=2' } }), 'api')).toBe('tok123')
    expect(on(req({ headers: { cookie: 'x=1' } }), 'api')).toBeUndefined()
    expect(reason(() => on(req({ headers: { cookie: 'at=a; at=b' } }), 'api'))).toBe('malformed_header')
  })

  it('uses a custom getter', () => {
    const on = createTokenExtractor({ getToken: (r) => r.headers['x-token'] as string | undefined })
    expect(on(req({ headers: { 'x-token': 'custom' } }), 'api')).toBe('custom')
  })

  it('refuses a token sent by more than one method with 400', () => {
    const all = createTokenExtractor({ query: true, cookie: 'at', body: true })
    const r = req({ url: '/x?access_token=b', headers: { authorization: 'Bearer a' } })
    expect(reason(() => all(r, 'api'))).toBe('multiple_methods')
    const same = req({ headers: { authorization: 'Bearer a', cookie: 'at=a' } })
    expect(reason(() => all(same, 'api'))).toBe('multiple_methods')
  })

  it('validates options at construction, naming them', () => {
    expect(() => createTokenExtractor({ maxTokenLength: 0 })).toThrow(/token\.maxTokenLength/)
    expect(() => createTokenExtractor({ cookie: 'bad name' })).toThrow(/token\.cookie/)
    expect(() => createTokenExtractor({ query: 'yes' as never })).toThrow(/token\.query/)
    expect(() => createTokenExtractor({ getToken: 'x' as never })).toThrow(/token\.getToken/)
  })
})

describe('createTokenExtractor — duplicate headers Node would hide', () => {
  it('refuses a second Authorization header seen in rawHeaders', () => {
    const extract = createTokenExtractor()
    const r: RequestLike = {
      method: 'GET',
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Host', 'x', 'Authorization', 'Bearer a', 'authorization', 'Bearer b'],
    }
    expect(() => extract(r, 'api')).toThrow(/more than one Authorization/)
    expect(extract({ ...r, rawHeaders: ['Authorization', 'Bearer a'] }, 'api')).toBe('a')
  })
})
