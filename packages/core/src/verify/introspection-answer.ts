import { toAuthInfo, type AuthInfo } from '../auth-info.js'
import type { JsonValue } from '../cache/store.js'
import { issuerMatches } from '../discovery/metadata.js'
import { InvalidTokenError, type RejectionReason } from '../errors/errors.js'
import { classifyIntrospectedToken } from '../introspection/token-kind.js'
import { isObject } from '../options/validate.js'
import { deepFreeze } from './freeze.js'
import { checkJsonBounds, CLAIM_BOUNDS } from './json-bounds.js'

// What an introspection answer (RFC 7662 §2.2) means for a request, as plain functions: the
// answer's shape, the cached form of it, and the local checks that turn an active answer into
// an AuthInfo or a refusal. No I/O and no cache: introspection.ts does those.

/** Claims of an active answer. */
export type Claims = { [key: string]: JsonValue }

/** What is cached (and shared by coalesced callers). Never contains the token. */
export type Outcome = { active: false } | { active: true; claims: Claims }

/** The one inactive outcome. */
export const INACTIVE: Outcome = Object.freeze({ active: false as const })

const STRING_FIELDS = [
  'scope',
  'client_id',
  'sub',
  'iss',
  'token_type',
  'token_use',
  'username',
  'obfuscated_subject',
  'jti',
] as const
const NUMBER_FIELDS = ['exp', 'iat', 'nbf'] as const

/**
 * Largest time claim accepted, in seconds: 9999-12-31T23:59:59Z. A later `exp` (`1e300`, or what
 * `1e309` parses to, `Infinity`) would make a token that never expires.
 */
export const MAX_TIME_CLAIM = 253_402_300_799

/** What the local checks of an active answer depend on (validated options). */
export interface IntrospectionPolicy {
  /** `realm` of the challenges. */
  realm: string
  /** Seconds. */
  clockTolerance: number
  /**
   * Accept an answer without `token_use` (non-Hydra servers) when another member of the answer
   * marks it as an access token (`token_type`, `typ`, `aud`).
   */
  allowMissingTokenUse: boolean
  /** Expected `iss`; `undefined`: not checked. */
  issuer: string | undefined
  /** Also accept an `iss` that differs from {@link issuer} only by one trailing slash. */
  tolerateIssuerTrailingSlash: boolean
  /** Accepted audiences (any-of); `undefined`: not checked. */
  audiences: readonly string[] | undefined
}

/** A refusal with the policy's realm. */
export function refuse(
  policy: IntrospectionPolicy,
  reason: RejectionReason,
  description: string,
  debug?: Record<string, unknown>,
): InvalidTokenError {
  return new InvalidTokenError({ reason, description, realm: policy.realm, debug })
}

/** `exp` (seconds) has passed, allowing `toleranceSeconds` of clock skew (`Date.now()`). */
export function isExpired(exp: JsonValue | undefined, toleranceSeconds: number): boolean {
  return typeof exp === 'number' && exp <= Date.now() / 1000 - toleranceSeconds
}

/**
 * The clock checks of an active answer, as the JWT verifier applies them to a JWT's claims: `exp`
 * passed, `nbf` ahead, or `iat` ahead of `now` by more than `toleranceSeconds`. Absent claims are
 * not checked; types and ranges were checked by {@link parseOutcome}. Returns the refusal reason.
 *
 * Kept pure so that both verifiers can share one time-claim function.
 */
export function checkTimeClaims(
  claims: Claims,
  nowSeconds: number,
  toleranceSeconds: number,
): 'expired' | 'not_yet_valid' | undefined {
  const { exp, nbf, iat } = claims
  if (typeof exp === 'number' && exp <= nowSeconds - toleranceSeconds) return 'expired'
  if (typeof nbf === 'number' && nbf > nowSeconds + toleranceSeconds) return 'not_yet_valid'
  if (typeof iat === 'number' && iat > nowSeconds + toleranceSeconds) return 'not_yet_valid'
  return undefined
}

/**
 * The checks of an active answer that depend on the clock (`nbf`, `exp`, a future `iat`, with the
 * policy's tolerance); throws the refusal. Runs on every cache hit, also when the rest of the
 * answer's judgement is remembered.
 */
export function checkAnswerTime(policy: IntrospectionPolicy, claims: Claims): void {
  const time = checkTimeClaims(claims, Date.now() / 1000, policy.clockTolerance)
  if (time !== undefined) {
    throw refuse(
      policy,
      time,
      time === 'expired' ? 'the access token expired' : 'the access token is not valid yet',
      { exp: claims.exp, nbf: claims.nbf, iat: claims.iat },
    )
  }
}

/**
 * Applies the local checks to an active answer (the kind of token, `exp`/`nbf`/`iat`, `iss`, `aud`, in
 * this order) and builds the AuthInfo, frozen; throws a refusal. The kind of token is decided by
 * `token_use` (Hydra); without it, and only with `allowMissingTokenUse`, by `token_type`, `typ` or
 * the presence of `aud` (see `classifyIntrospectedToken`): an answer that marks nothing is refused.
 */
export function judgeActiveAnswer(policy: IntrospectionPolicy, token: string, claims: Claims): AuthInfo {
  // A null member stands for an absent one (parseOutcome).
  const kind = classifyIntrospectedToken(
    claims.token_use === null ? { ...claims, token_use: undefined } : claims,
  )
  if (kind.evidence === 'token_use' || !policy.allowMissingTokenUse) {
    // Hydra marks every answer with token_use; without it, only allowMissingTokenUse lets the
    // other markers decide.
    if (kind.evidence !== 'token_use' || kind.kind !== 'access_token') {
      throw refuse(policy, 'token_use', 'the token is not an access token', {
        tokenUse: claims.token_use ?? null,
      })
    }
  } else if (kind.kind !== 'access_token') {
    // No token_use: token_type, typ or aud must mark an access token. A refresh token carries none
    // of them (or says what it is), so it never passes as an access token.
    throw refuse(policy, 'token_use', 'the token is not an access token', {
      tokenUse: null,
      kind: kind.kind,
      evidence: kind.evidence,
      value: kind.value ?? null,
    })
  }
  checkAnswerTime(policy, claims)
  const issuer = policy.issuer
  if (
    issuer !== undefined &&
    (typeof claims.iss !== 'string' || !issuerMatches(issuer, claims.iss, policy.tolerateIssuerTrailingSlash))
  ) {
    throw refuse(policy, 'issuer', 'the access token was issued by an unexpected issuer', {
      expected: issuer,
      received: typeof claims.iss === 'string' ? claims.iss : null,
    })
  }
  // Frozen whole, claims included: the result (and the answer it was built from) is shared by
  // every cache hit and every caller of the same upstream answer, so nobody may change it.
  const info = deepFreeze(toAuthInfo(token, deepFreeze(claims), 'introspection'))
  const audiences = policy.audiences
  if (audiences !== undefined && !info.audience.some((a) => audiences.includes(a))) {
    throw refuse(policy, 'audience', 'the access token is not meant for this audience', {
      expected: audiences,
    })
  }
  return info
}

/** The `sub` of a cached active answer, for `invalidate(subject)`. */
export function subjectOfCached(value: JsonValue): string | undefined {
  if (!isObject(value) || value.active !== true || !isObject(value.claims)) return undefined
  const sub = value.claims.sub
  return typeof sub === 'string' ? sub : undefined
}

/**
 * Validates an introspection response (RFC 7662 §2.2 plus Hydra's fields). `undefined` when it is
 * not usable: not an object, `active` not a boolean, a known field of the wrong type, a time claim
 * outside 0…{@link MAX_TIME_CLAIM} (`Infinity` included), or an active answer nested deeper or
 * larger than `CLAIM_BOUNDS` (32 levels, 20,000 values). `null`
 * stands for an absent optional field.
 */
export function parseOutcome(data: unknown): Outcome | undefined {
  if (!isObject(data) || typeof data.active !== 'boolean') return undefined
  if (!data.active) return INACTIVE
  for (const f of STRING_FIELDS) {
    const v = data[f]
    if (v !== undefined && v !== null && typeof v !== 'string') return undefined
  }
  for (const f of NUMBER_FIELDS) {
    const v = data[f]
    if (v !== undefined && v !== null && (typeof v !== 'number' || !(v >= 0 && v <= MAX_TIME_CLAIM))) {
      return undefined
    }
  }
  const aud = data.aud
  if (
    aud !== undefined &&
    aud !== null &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  ) {
    return undefined
  }
  if (data.ext !== undefined && data.ext !== null && !isObject(data.ext)) return undefined
  // Too deep or too large to copy or serialize safely (structuredClone, JSON.stringify): an
  // upstream that sends this is broken, and a client must never see it as a crash.
  if (checkJsonBounds(data, CLAIM_BOUNDS) !== undefined) return undefined
  return { active: true, claims: data as Claims }
}

/** A cache entry read back from a store (possibly shared, possibly tampered with). */
export function parseCached(value: JsonValue): Outcome | undefined {
  if (!isObject(value)) return undefined
  if (value.active === false) return INACTIVE
  if (value.active !== true || !isObject(value.claims)) return undefined
  const inner = parseOutcome(value.claims)
  return inner?.active === true ? inner : undefined
}
