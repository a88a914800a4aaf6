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
