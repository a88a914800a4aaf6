import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import {
  INACTIVE,
  judgeActiveAnswer,
  parseCached,
  parseOutcome,
  type Claims,
  type IntrospectionPolicy,
} from '../../src/verify/introspection-answer.js'

// What an introspection answer means, as plain functions: each row is an answer and what it
// becomes (an outcome, or the reason it is refused for).

const NOW = 1_800_000_000
const policy: IntrospectionPolicy = {
  realm: 'api',
  clockTolerance: 5,
  allowMissingTokenUse: false,
  issuer: 'https://issuer.example',
  tolerateIssuerTrailingSlash: false,
  audiences: ['api'],
}
const active: Claims = {
  active: true,
  sub: 'user-1',
  client_id: 'app',
  scope: 'read write',
  iss: 'https://issuer.example',
  aud: ['api'],
  exp: NOW + 60,
  token_use: 'access_token',
}

afterEach(() => {
  vi.useRealTimers()
})

describe('parseOutcome', () => {
  const rows: [string, unknown, 'active' | 'inactive' | 'unusable'][] = [
    ['an active answer', active, 'active'],
    ['an inactive answer', { active: false, sub: 'ignored' }, 'inactive'],
    ['null optional fields', { ...active, username: null, nbf: null }, 'active'],
    ['not an object', 'yes', 'unusable'],
    ['an array', [active], 'unusable'],
    ['active as a string', { ...active, active: 'true' }, 'unusable'],
    ['sub as a number', { ...active, sub: 7 }, 'unusable'],
    ['exp not finite', { ...active, exp: 'soon' }, 'unusable'],
    ['aud with a number', { ...active, aud: ['api', 1] }, 'unusable'],
    ['ext as a string', { ...active, ext: 'x' }, 'unusable'],
  ]
  it.each(rows)('%s', (_name, answer, expected) => {
    const outcome = parseOutcome(answer)
    expect(outcome === undefined ? 'unusable' : outcome.active ? 'active' : 'inactive').toBe(expected)
  })

  it('reads a cached entry back only in the shape it was written', () => {
    expect(parseCached({ active: false })).toBe(INACTIVE)
    expect(parseCached({ active: true, claims: active })).toEqual({ active: true, claims: active })
    expect(parseCached({ active: true, claims: { ...active, active: false } })).toBeUndefined()
    expect(parseCached({ active: true })).toBeUndefined()
    expect(parseCached('x')).toBeUndefined()
  })
})

describe('judgeActiveAnswer', () => {
  const rows: [string, Claims, IntrospectionPolicy, string | undefined][] = [
    ['a valid answer', active, policy, undefined],
    ['token_use missing', { ...active, token_use: undefined as never }, policy, 'token_use'],
    [
      'token_use missing, allowed',
      { ...active, token_use: undefined as never },
      { ...policy, allowMissingTokenUse: true },
      undefined,
    ],
    ['a refresh token', { ...active, token_use: 'refresh_token' }, policy, 'token_use'],
    [
      'no token_use, no marker, allowed',
      { ...active, token_use: undefined as never, aud: undefined as never },
      { ...policy, allowMissingTokenUse: true, audiences: undefined },
      'token_use',
    ],
    [
      'token_use null, token_type Bearer, allowed',
      { ...active, token_use: null, token_type: 'Bearer' },
      { ...policy, allowMissingTokenUse: true },
      undefined,
    ],
    [
      'token_use refresh_token, token_type Bearer, allowed',
      { ...active, token_use: 'refresh_token', token_type: 'Bearer' },
      { ...policy, allowMissingTokenUse: true },
      'token_use',
    ],
    [
      'issuer with a trailing slash, tolerated',
      { ...active, iss: 'https://issuer.example/' },
      { ...policy, tolerateIssuerTrailingSlash: true },
      undefined,
    ],
    ['issuer with a trailing slash', { ...active, iss: 'https://issuer.example/' }, policy, 'issuer'],
    ['expired beyond the tolerance', { ...active, exp: NOW - 5 }, policy, 'expired'],
    ['expired within the tolerance', { ...active, exp: NOW - 4 }, policy, undefined],
    ['another issuer', { ...active, iss: 'https://evil.example' }, policy, 'issuer'],
    [
      'issuer not checked',
      { ...active, iss: 'https://evil.example' },
      { ...policy, issuer: undefined },
      undefined,
    ],
    ['another audience', { ...active, aud: ['other'] }, policy, 'audience'],
    ['no audience', { ...active, aud: undefined as never }, policy, 'audience'],
  ]
  it.each(rows)('%s', (_name, claims, p, reason) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW * 1000)
    const clean = JSON.parse(JSON.stringify(claims)) as Claims
    let got: string | undefined
    try {
      const info = judgeActiveAnswer(p, 'ory_at_x', clean)
      expect(info.subject).toBe('user-1')
      // Shared by every cache hit: frozen whole.
      expect(Object.isFrozen(info) && Object.isFrozen(info.claims) && Object.isFrozen(info.ext)).toBe(true)
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err
      got = err.reason
    }
    expect(got).toBe(reason)
  })
})
