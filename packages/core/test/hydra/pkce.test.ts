import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  computeCodeChallenge,
  createPkcePair,
  generateCodeVerifier,
  generateNonce,
  generateState,
} from '../../src/hydra/pkce.js'

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/

describe('PKCE (RFC 7636)', () => {
  it('S256 known answer from RFC 7636 appendix B', () => {
    expect(computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it('verifiers have the requested length, the unreserved charset, and differ', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const v = generateCodeVerifier()
      expect(v).toHaveLength(64)
      expect(v).toMatch(UNRESERVED)
      seen.add(v)
    }
    expect(seen.size).toBe(200)
    expect(generateCodeVerifier(43)).toHaveLength(43)
    expect(generateCodeVerifier(128)).toHaveLength(128)
    expect(generateCodeVerifier(100)).toMatch(/^[A-Za-z0-9\-._~]{100}$/)
  })

  it.each([42, 129, 0, 50.5, Number.NaN])('refuses a verifier length of %s', (length) => {
    expect(() => generateCodeVerifier(length)).toThrow(
      new TypeError('length must be an integer from 43 to 128'),
    )
  })

  it.each([
    ['too short', 'a'.repeat(42)],
    ['too long', 'a'.repeat(129)],
    ['a character outside the unreserved set', `${'a'.repeat(43)}+`],
    ['padding', `${'a'.repeat(43)}=`],
    ['a space', `${'a'.repeat(43)} `],
    ['not a string', 42],
  ])('computeCodeChallenge refuses a verifier with %s', (_name, verifier) => {
    expect(() => computeCodeChallenge(verifier as string)).toThrow(TypeError)
  })

  it('createPkcePair returns a matching S256 pair', () => {
    const pair = createPkcePair()
    expect(pair.codeChallengeMethod).toBe('S256')
    expect(pair.codeChallenge).toBe(createHash('sha256').update(pair.codeVerifier).digest('base64url'))
    expect(pair.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('state and nonce', () => {
  it('are random base64url strings long enough for Hydra (>= 8) and unguessable (>= 128 bits)', () => {
    const s = generateState()
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(generateNonce()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(generateState(16)).toHaveLength(22)
    expect(new Set(Array.from({ length: 100 }, () => generateState())).size).toBe(100)
    expect(s).not.toBe(generateState())
  })

  it.each([8, 15, 513, 1.5])('refuses %s bytes', (bytes) => {
    expect(() => generateState(bytes)).toThrow(TypeError)
    expect(() => generateNonce(bytes)).toThrow(TypeError)
  })
})
