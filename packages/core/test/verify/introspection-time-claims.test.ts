import { describe, expect, it } from 'vitest'
import { checkTimeClaims, MAX_TIME_CLAIM, parseOutcome } from '../../src/verify/introspection-answer.js'

const NOW = 1_800_000_000

describe('checkTimeClaims (introspection)', () => {
  it.each([
    [{ exp: NOW - 6 }, 'expired'],
    [{ exp: NOW - 5 }, 'expired'],
    [{ exp: NOW - 4 }, undefined],
    [{ nbf: NOW + 6 }, 'not_yet_valid'],
    [{ nbf: NOW + 5 }, undefined],
    [{ iat: NOW + 6 }, 'not_yet_valid'],
    [{ iat: NOW + 5 }, undefined],
    [{}, undefined],
  ])('%j with 5 s tolerance → %s', (claims, expected) => {
    expect(checkTimeClaims(claims, NOW, 5)).toBe(expected)
  })
})

describe('parseOutcome time claim ranges', () => {
  it.each(['exp', 'nbf', 'iat'])('%s must be within 0…year 9999', (claim) => {
    const ok = { active: true, [claim]: MAX_TIME_CLAIM }
    expect(parseOutcome(ok)).toEqual({ active: true, claims: ok })
    for (const bad of [MAX_TIME_CLAIM + 1, 1e300, Infinity, -Infinity, NaN, -1]) {
      expect(parseOutcome({ active: true, [claim]: bad })).toBeUndefined()
    }
  })
})
