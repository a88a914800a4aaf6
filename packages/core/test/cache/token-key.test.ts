import { describe, expect, it } from 'vitest'
import { tokenCacheKey } from '../../src/cache/token-key.js'

describe('tokenCacheKey', () => {
  it('is the base64url SHA-256 of the token (known vector)', () => {
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
    expect(tokenCacheKey('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  })

  it('prepends the prefix verbatim', () => {
    expect(tokenCacheKey('abc', 'hk:i:')).toBe('hk:i:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  })

  it('never contains the token and differs for tokens one character apart', () => {
    const token = 'ory_at_' + 'A'.repeat(43) + '.' + 'B'.repeat(43)
    const sibling = token.slice(0, -1) + 'C'
    const a = tokenCacheKey(token)
    const b = tokenCacheKey(sibling)
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a).not.toContain('ory_at_')
    expect(a).not.toBe(b)
  })

  it('hashes UTF-8 bytes, so visually similar strings differ', () => {
    expect(tokenCacheKey('caf\u00e9')).not.toBe(tokenCacheKey('cafe\u0301'))
  })
})
