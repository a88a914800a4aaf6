import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import { parseCompactJws } from '../../src/verify/compact-jws.js'
import { checkClaims, checkHeader, type JwtPolicy } from '../../src/verify/jwt-checks.js'

// The checks of jwt-checks.ts are plain functions of a policy: each row is a header or a payload
// and the reason it is refused for (or `undefined` when it passes).

const NOW = 1_800_000_000
const ISSUER = 'https://issuer.example'

const policy: JwtPolicy = {
  realm: 'api',
  issuer: ISSUER,
  issuers: [ISSUER],
  audience: ['api'],
  algorithms: new Set(['RS256', 'ES256']),
  typ: new Set(['jwt', 'at+jwt']),
  allowedKids: undefined,
  maxKeysWithoutKid: 3,
  clockTolerance: 5,
  maxTokenAge: 3600,
  presentClaims: ['iss', 'aud', 'iat', 'exp'],
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const token = (header: unknown, payload: unknown = {}): string => `${b64(header)}.${b64(payload)}.c2ln`

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    if (err instanceof InvalidTokenError) return err.reason
    throw err
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('checkHeader', () => {
  const rows: [string, string, string | undefined][] = [
    ['RS256 with typ JWT and a kid', token({ alg: 'RS256', typ: 'JWT', kid: 'k' }), undefined],
    ['typ application/at+jwt', token({ alg: 'ES256', typ: 'application/at+jwt' }), undefined],
    ['alg none', token({ alg: 'none', typ: 'JWT' }), 'algorithm'],
    ['HS256', token({ alg: 'HS256', typ: 'JWT' }), 'algorithm'],
    ['alg missing', token({ typ: 'JWT' }), 'algorithm'],
    ['crit present', token({ alg: 'RS256', typ: 'JWT', crit: ['exp'] }), 'critical_header'],
    ['typ of an ID token profile', token({ alg: 'RS256', typ: 'id+jwt' }), 'typ'],
    ['typ missing', token({ alg: 'RS256' }), 'typ'],
    ['empty kid', token({ alg: 'RS256', typ: 'JWT', kid: '' }), 'malformed'],
    ['numeric kid', token({ alg: 'RS256', typ: 'JWT', kid: 7 }), 'malformed'],
    ['two segments', 'a.b', 'malformed'],
    ['header not JSON', 'bm90IGpzb24.e30.c2ln', 'malformed'],
    ['header segment of length 4n+1', `${b64({ alg: 'RS256', typ: 'JWT' })}A.e30.c2ln`, 'malformed'],
    ['empty string', '', 'malformed'],
    ['over 16 KiB', token({ alg: 'RS256', typ: 'JWT' }, { x: 'a'.repeat(17_000) }), 'malformed'],
  ]
  it.each(rows)('%s', (_name, input, reason) => {
    expect(reasonOf(() => checkHeader(policy, input))).toBe(reason)
  })

  it('refuses a kid outside allowedKids before any key lookup', () => {
    const pinned = { ...policy, allowedKids: new Set(['good']) }
    expect(reasonOf(() => checkHeader(pinned, token({ alg: 'RS256', typ: 'JWT', kid: 'other' })))).toBe(
      'key_not_allowed',
    )
  })
})

describe('checkClaims', () => {
  const valid = { iss: ISSUER, aud: 'api', iat: NOW - 10, exp: NOW + 60 }
  const rows: [string, Record<string, unknown>, string | undefined][] = [
    ['a valid payload', valid, undefined],
    ['aud as an array naming api', { ...valid, aud: ['other', 'api'] }, undefined],
    ['iss missing', { ...valid, iss: undefined }, 'issuer'],
    ['another issuer', { ...valid, iss: `${ISSUER}/` }, 'issuer'],
    ['aud missing', { ...valid, aud: undefined }, 'audience'],
    ['another audience', { ...valid, aud: 'other' }, 'audience'],
    ['iat missing (maxTokenAge set)', { ...valid, iat: undefined }, 'too_old'],
    ['exp missing', { ...valid, exp: undefined }, 'required_claim'],
    ['exp as a string', { ...valid, exp: String(NOW + 60) }, 'malformed'],
    ['expired beyond the tolerance', { ...valid, exp: NOW - 5 }, 'expired'],
    ['expired within the tolerance', { ...valid, exp: NOW - 4 }, undefined],
    ['nbf in the future', { ...valid, nbf: NOW + 6 }, 'not_yet_valid'],
    ['older than maxTokenAge', { ...valid, iat: NOW - 3606 }, 'too_old'],
    ['issued in the future', { ...valid, iat: NOW + 6 }, 'not_yet_valid'],
  ]
  it.each(rows)('%s', (_name, payload, reason) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW * 1000)
    const t = token({ alg: 'RS256', typ: 'JWT' }, JSON.parse(JSON.stringify(payload)))
    const jws = parseCompactJws(t)!
    expect(reasonOf(() => checkClaims(policy, t, jws, 'RS256', undefined))).toBe(reason)
  })
})
