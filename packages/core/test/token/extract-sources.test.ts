// Size and syntax limits apply to a token whichever method carried it (the header path validates
// while parsing; body, query, cookie and custom getters are validated at the end).
import { describe, expect, it } from 'vitest'
import { InvalidRequestError } from '../../src/errors/errors.js'
import { createTokenExtractor, type RequestLike } from '../../src/token/extract.js'

function refusal(fn: () => unknown): { reason: string; description: string } {
  try {
    fn()
  } catch (e) {
    if (e instanceof InvalidRequestError) return { reason: e.reason, description: e.description }
    throw e
  }
  throw new Error('expected a refusal')
}

const form = { 'content-type': 'application/x-www-form-urlencoded' }

describe('createTokenExtractor — limits for every method', () => {
  it('refuses an oversized token from the cookie, the query, the body or a getter', () => {
    const big = 'a'.repeat(33)
    const cases: [Parameters<typeof createTokenExtractor>[0], RequestLike][] = [
      [
        { cookie: 'at', maxTokenLength: 32 },
        { method: 'GET', headers: { cookie: `at=${big}` } },
      ],
      [
        { query: true, maxTokenLength: 32 },
        { method: 'GET', headers: {}, url: `/x?access_token=${big}` },
      ],
      [
        { body: true, maxTokenLength: 32 },
        { method: 'POST', headers: form, body: { access_token: big } },
      ],
      [
        { getToken: () => big, maxTokenLength: 32 },
        { method: 'GET', headers: {} },
      ],
    ]
    for (const [options, req] of cases) {
      expect(refusal(() => createTokenExtractor(options)(req, 'api')).reason).toBe('too_large')
      expect(createTokenExtractor({ ...options, maxTokenLength: 33 })(req, 'api')).toBe(big)
    }
  })

  it('refuses a token that is not b64token syntax from any method but the header as malformed', () => {
    const cases: [Parameters<typeof createTokenExtractor>[0], RequestLike][] = [
      [{ cookie: 'at' }, { method: 'GET', headers: { cookie: 'at=a"b' } }],
      [{ body: true }, { method: 'POST', headers: form, body: { access_token: 'a b' } }],
      [{ getToken: () => 'x,y' }, { method: 'GET', headers: {} }],
    ]
    for (const [options, req] of cases) {
      expect(refusal(() => createTokenExtractor(options)(req, 'api'))).toEqual({
        reason: 'malformed_header',
        description: 'malformed token in request',
      })
    }
  })

  it('counts a custom getter as a method of its own; an empty result is no token', () => {
    const both = createTokenExtractor({ getToken: (r) => r.headers['x-token'] as string | undefined })
    const req: RequestLike = { method: 'GET', headers: { authorization: 'Bearer a', 'x-token': 'b' } }
    expect(refusal(() => both(req, 'api')).reason).toBe('multiple_methods')
    expect(both({ ...req, headers: { authorization: 'Bearer a', 'x-token': '' } }, 'api')).toBe('a')
    expect(() =>
      createTokenExtractor({ getToken: () => 42 as unknown as string })(
        { method: 'GET', headers: {} },
        'api',
      ),
    ).toThrow(/token\.getToken returned a number/)
  })

  it('a header token too long for maxTokenLength but within the header slack is refused as too_large', () => {
    const small = createTokenExtractor({ maxTokenLength: 16 })
    const req: RequestLike = { method: 'GET', headers: { authorization: `Bearer ${'a'.repeat(20)}` } }
    expect(refusal(() => small(req, 'api')).reason).toBe('too_large')
  })
})

describe('createTokenExtractor — b64token syntax is ASCII only', () => {
  it('accepts every b64token character and refuses letters outside ASCII', () => {
    const extract = createTokenExtractor()
    const all = 'AZaz09-._~+/_=='
    expect(extract({ method: 'GET', headers: { authorization: `Bearer ${all}` } }, 'api')).toBe(all)
    for (const bad of ['é', 'ß', 'Ａ', '٣', 'a\u200bb']) {
      expect(
        refusal(() => extract({ method: 'GET', headers: { authorization: `Bearer ${bad}` } }, 'api')).reason,
      ).toBe('malformed_header')
    }
  })
})
