import { describe, expect, it } from 'vitest'
import { buildBearerChallenge, quoteHeaderValue } from '../../src/errors/www-authenticate.js'

describe('buildBearerChallenge', () => {
  it('builds a bare challenge with only a realm', () => {
    expect(buildBearerChallenge({ realm: 'api' })).toBe('Bearer realm="api"')
    expect(buildBearerChallenge({})).toBe('Bearer')
  })

  it('orders and quotes every parameter', () => {
    expect(
      buildBearerChallenge({
        realm: 'api',
        error: 'insufficient_scope',
        errorDescription: 'needs more',
        scope: 'read write',
        resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource',
      }),
    ).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="needs more", scope="read write", resource_metadata="https://api.example/.well-known/oauth-protected-resource"',
    )
  })

  it('escapes backslash and quote instead of replacing them', () => {
    expect(quoteHeaderValue('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(buildBearerChallenge({ realm: 'say "hi"' })).toBe('Bearer realm="say \\"hi\\""')
  })

  it('cannot be used for header injection: CR, LF and non-ASCII are dropped', () => {
    const v = buildBearerChallenge({ realm: 'x\r\nSet-Cookie: a=b', errorDescription: 'é\u0000\n' })
    expect(v.includes('\r') || v.includes('\n') || v.includes('\u0000')).toBe(false)
    expect(v).toBe('Bearer realm="xSet-Cookie: a=b", error_description=""')
  })
})

describe('quoteHeaderValue: the shortcut for values that need no escaping', () => {
  // The reference: drop everything outside printable ASCII, then escape `"` and `\`.
  const slow = (v: string): string => '"' + v.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&') + '"'

  it('answers every character exactly as the full escaping does', () => {
    for (let c = 0; c < 0x10000; c++) {
      const value = `a${String.fromCharCode(c)}b`
      expect(quoteHeaderValue(value)).toBe(slow(value))
    }
  })

  it('a quote, a backslash or a line break anywhere still takes the full path', () => {
    for (const v of ['the "token"', 'back\\slash', 'line\r\nX-Injected: 1', 'tab\there', 'é', 'plain text']) {
      expect(quoteHeaderValue(v)).toBe(slow(v))
      expect(quoteHeaderValue(v)).not.toMatch(/[\r\n]/)
    }
  })
})
