// The time claims of a token (`exp`, `nbf`, `iat`, RFC 7519 §4.1.4–6) checked against a clock, as
// one pure function that every verifier shares: the JWT verifier for signed claims, the
// introspection verifier for an RFC 7662 answer.

/** Latest NumericDate accepted: 9999-12-31T23:59:59Z. Anything later is an absurd value, not a date. */
export const MAX_NUMERIC_DATE = 253_402_300_799

/** The time claims read by {@link checkTimeClaims}; other members are ignored. */
export interface TimeClaims {
  exp?: unknown
  nbf?: unknown
  iat?: unknown
}

/** What {@link checkTimeClaims} compares against. */
export interface TimeClaimPolicy {
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in seconds (>= 0). */
  clockTolerance: number
  /** Maximum age from `iat`, in seconds; `undefined`: no limit. Presence of `iat` is not checked here. */
  maxTokenAge?: number | undefined
}

/** Why {@link checkTimeClaims} refused the claims. */
export interface TimeClaimFailure {
  /**
   * `malformed`: a value that is not a NumericDate; `not_yet_valid`: `nbf` or `iat` in the future;
   * `expired`: `exp` passed; `too_old`: `iat` older than `maxTokenAge`.
   */
  reason: 'malformed' | 'not_yet_valid' | 'expired' | 'too_old'
  /** The claim that decided. */
  claim: 'exp' | 'nbf' | 'iat'
  /** For clients: short and fixed (`malformed claim`, `token expired`, …). */
  description: string
  /** For logs: what exactly is wrong with the value, when `reason` is `malformed`. */
  problem?: 'not a number' | 'not finite' | 'negative' | 'after year 9999' | undefined
}

const NAMES = ['iat', 'nbf', 'exp'] as const

/**
 * Checks `exp`, `nbf` and `iat` of `claims` at `now` (seconds since the epoch), each only when
 * present (requiring a claim is the caller's business). In this order:
 *
 * 1. each present value must be a NumericDate: a finite number from 0 to {@link MAX_NUMERIC_DATE}
 *    (year 9999). `1e309` parses as `Infinity` and would never expire; negative or later values
 *    are no real dates. Fractions are accepted (RFC 7519 §2 allows them). Else `malformed`;
 * 2. `nbf` later than `now + clockTolerance`: `not_yet_valid`;
 * 3. `exp` at or before `now - clockTolerance`: `expired`;
 * 4. `iat` later than `now + clockTolerance`: `not_yet_valid`, whether or not `maxTokenAge` is set;
 * 5. with `maxTokenAge`: `iat` older than `now - maxTokenAge - clockTolerance`: `too_old`.
 *
 * Returns `undefined` when the claims pass. Pure: no clock, no I/O, never throws.
 */
export function checkTimeClaims(
  claims: TimeClaims,
  now: number,
  policy: TimeClaimPolicy,
): TimeClaimFailure | undefined {
  for (const claim of NAMES) {
    const value = claims[claim]
    if (value === undefined) continue
    const problem = numericDateProblem(value)
    if (problem !== undefined) return { reason: 'malformed', claim, description: 'malformed claim', problem }
  }
  const { iat, nbf, exp } = claims as { iat?: number; nbf?: number; exp?: number }
  const tolerance = policy.clockTolerance
  if (nbf !== undefined && nbf > now + tolerance) {
    return { reason: 'not_yet_valid', claim: 'nbf', description: 'token not yet valid' }
  }
  if (exp !== undefined && exp <= now - tolerance) {
    return { reason: 'expired', claim: 'exp', description: 'token expired' }
  }
  if (iat !== undefined && iat > now + tolerance) {
    return { reason: 'not_yet_valid', claim: 'iat', description: 'token issued in the future' }
  }
  if (policy.maxTokenAge !== undefined && iat !== undefined && now - iat - tolerance > policy.maxTokenAge) {
    return { reason: 'too_old', claim: 'iat', description: 'token too old' }
  }
  return undefined
}

function numericDateProblem(value: unknown): TimeClaimFailure['problem'] {
  if (typeof value !== 'number') return 'not a number'
  if (!Number.isFinite(value)) return 'not finite'
  if (value < 0) return 'negative'
  if (value > MAX_NUMERIC_DATE) return 'after year 9999'
  return undefined
}
