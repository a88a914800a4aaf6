// The shared time-claim check, as a pure function: every boundary with a fixed clock.
import { describe, expect, it } from 'vitest'
import { checkTimeClaims, MAX_NUMERIC_DATE, type TimeClaims } from '../../src/verify/time-claims.js'

const NOW = 1_700_000_000
const policy = { clockTolerance: 5 }

describe('checkTimeClaims', () => {
  it.each<[string, TimeClaims, string | undefined]>([
    ['no time claims', {}, undefined],
    ['valid', { iat: NOW - 10, nbf: NOW - 10, exp: NOW + 600 }, undefined],
    ['fractions are NumericDates', { iat: NOW - 0.5, exp: NOW + 0.5 }, undefined],
    ['exp in year 9999', { exp: MAX_NUMERIC_DATE }, undefined],
    ['exp after year 9999', { exp: MAX_NUMERIC_DATE + 1 }, 'malformed exp after year 9999'],
    ['exp Infinity (1e309)', { exp: JSON.parse('1e309') as number }, 'malformed exp not finite'],
    ['exp NaN', { exp: Number.NaN }, 'malformed exp not finite'],
    ['exp a string', { exp: String(NOW + 600) }, 'malformed exp not a number'],
    ['exp null', { exp: null }, 'malformed exp not a number'],
    ['nbf negative', { nbf: -1 }, 'malformed nbf negative'],
    ['iat -Infinity', { iat: -Infinity }, 'malformed iat not finite'],
    ['nbf within the tolerance', { nbf: NOW + 5 }, undefined],
    ['nbf beyond the tolerance', { nbf: NOW + 6 }, 'not_yet_valid nbf'],
    ['exp within the tolerance', { exp: NOW - 4 }, undefined],
    ['exp at the tolerance', { exp: NOW - 5 }, 'expired exp'],
    ['iat within the tolerance', { iat: NOW + 5 }, undefined],
    ['iat beyond the tolerance, without maxTokenAge', { iat: NOW + 6 }, 'not_yet_valid iat'],
  ])('%s', (_name, claims, expected) => {
    const failure = checkTimeClaims(claims, NOW, policy)
    const got =
      failure === undefined
        ? undefined
        : [failure.reason, failure.claim, failure.problem].filter((x) => x !== undefined).join(' ')
    expect(got).toBe(expected)
  })

  it('maxTokenAge: too_old beyond age + tolerance; the future iat check applies as well', () => {
    const p = { clockTolerance: 5, maxTokenAge: 60 }
    expect(checkTimeClaims({ iat: NOW - 65 }, NOW, p)).toBeUndefined()
    expect(checkTimeClaims({ iat: NOW - 66 }, NOW, p)).toMatchObject({ reason: 'too_old', claim: 'iat' })
    expect(checkTimeClaims({ iat: NOW + 6 }, NOW, p)).toMatchObject({
      reason: 'not_yet_valid',
      description: 'token issued in the future',
    })
  })

  it('reports the first problem in a fixed order: values, then nbf, exp, iat', () => {
    expect(checkTimeClaims({ iat: 'x', exp: NOW - 100 }, NOW, policy)).toMatchObject({ claim: 'iat' })
    expect(checkTimeClaims({ nbf: NOW + 100, exp: NOW - 100 }, NOW, policy)).toMatchObject({ claim: 'nbf' })
    expect(checkTimeClaims({ exp: NOW - 100, iat: NOW + 100 }, NOW, policy)).toMatchObject({ claim: 'exp' })
  })
})
