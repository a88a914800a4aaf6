import { InvalidTokenError, type RejectionReason } from '../errors/errors.js'
import type { JwtAlgorithm } from '../jwks/algorithms.js'
import type { JwksKey, KeySet } from '../jwks/key-set.js'
import { decodeCompactPayload, parseCompactJws, type CompactJws } from './compact-jws.js'
import { checkTimeClaims } from './time-claims.js'

// The checks of a JWT access token as plain functions of a policy (the validated options): the
// header, the candidate keys, the signature and the claims. No I/O and no cache: jwt.ts feeds
// them keys and remembers their results.

/** The verifier refuses absurdly long "tokens" before hashing or parsing them. */
export const MAX_TOKEN_LENGTH = 16 * 1024
// Header values copied into `debug` are cut to this length.
const DEBUG_VALUE_LENGTH = 128

/** Claims as read from the payload. */
export type Claims = Record<string, unknown>

/** What the checks of a JWT access token depend on (validated options, see jwt-options.ts). */
export interface JwtPolicy {
  /** `realm` of the challenges. */
  realm: string
  /** The configured issuer (reported in `debug`). */
  issuer: string
  /** Accepted `iss` values (one, or two with `tolerateIssuerTrailingSlash`). */
  issuers: readonly string[]
  /** Accepted audiences (any-of); `undefined`: `aud` is not checked. */
  audience: readonly string[] | undefined
  algorithms: ReadonlySet<string>
  /** Accepted `typ` values, normalized; `undefined`: not checked. */
  typ: ReadonlySet<string> | undefined
  allowedKids: ReadonlySet<string> | undefined
  maxKeysWithoutKid: number
  /** Seconds. */
  clockTolerance: number
  /** Seconds; `undefined`: no limit. */
  maxTokenAge: number | undefined
  /** Claims that must be present, in the order they are checked. */
  presentClaims: readonly string[]
}

/** A token whose header passed {@link checkHeader}. */
export interface CheckedHeader {
  jws: CompactJws
  alg: JwtAlgorithm
  kid: string | undefined
}

/**
 * A refusal. It carries no stack trace: a refused token is an outcome, not a bug, the frames
 * would only show verifier internals, and capturing them costs more than the rest of the
 * refusal (bench/: ~7–14 µs per rejected request). `reason`, `description` and `debug` say what
 * happened.
 */
export function refuse(
  policy: JwtPolicy,
  reason: RejectionReason,
  description: string,
  debug?: Record<string, unknown>,
  cause?: unknown,
): InvalidTokenError {
  const options = {
    description,
    reason,
    realm: policy.realm,
    debug: { expectedIssuer: policy.issuer, ...debug },
    cause,
  }
  const limit = Error.stackTraceLimit
  try {
    Error.stackTraceLimit = 0
  } catch {
    // Frozen intrinsics: keep the stack then.
    return new InvalidTokenError(options)
  }
  try {
    return new InvalidTokenError(options)
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** Parses the token and applies every check the header alone decides; throws a refusal. */
export function checkHeader(policy: JwtPolicy, token: string): CheckedHeader {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw refuse(policy, 'malformed', 'malformed token')
  }
  const jws = parseCompactJws(token)
  if (jws === undefined) {
    // Not the token itself, only its kind: Hydra's opaque tokens point at a configuration mistake.
    const format = token.startsWith('ory_at_') ? { tokenFormat: 'hydra_opaque' } : undefined
    throw refuse(policy, 'malformed', 'malformed token', format)
  }
  const header = jws.header
  const alg = header.alg
  if (typeof alg !== 'string' || !policy.algorithms.has(alg)) {
    throw refuse(policy, 'algorithm', 'algorithm not allowed', {
      alg: typeof alg === 'string' ? alg.slice(0, DEBUG_VALUE_LENGTH) : typeof alg,
      algorithms: [...policy.algorithms],
    })
  }
  if (header.crit !== undefined) {
    // No JWS extension is understood by this verifier (RFC 7515 §4.1.11).
    throw refuse(policy, 'critical_header', 'unsupported critical header', { alg })
  }
  if (policy.typ !== undefined) {
    const typ = header.typ
    if (typeof typ !== 'string' || !policy.typ.has(normalizeTyp(typ))) {
      throw refuse(policy, 'typ', 'unexpected token type', {
        typ: typeof typ === 'string' ? typ.slice(0, DEBUG_VALUE_LENGTH) : typeof typ,
        accepted: [...policy.typ],
      })
    }
  }
  const kid = header.kid
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) {
    throw refuse(policy, 'malformed', 'malformed token', { kid: typeof kid })
  }
  if (kid !== undefined && policy.allowedKids !== undefined && !policy.allowedKids.has(kid)) {
    throw refuse(policy, 'key_not_allowed', 'signing key not allowed', { kid: debugKid(kid) })
  }
  // `jku`, `x5u`, `jwk` and `x5c` are never read: keys only ever come from the configured JWKS.
  return { jws, alg: alg as JwtAlgorithm, kid }
}

/**
 * The keys of `keys` that may have signed a token with this `alg` and `kid`; throws when none
 * ever could; `undefined` when the `kid` is not (yet) in `keys`.
 */
export function selectCandidates(
  policy: JwtPolicy,
  keys: KeySet,
  alg: JwtAlgorithm,
  kid: string | undefined,
): readonly JwksKey[] | undefined {
  if (kid === undefined) {
    if (policy.maxKeysWithoutKid === 0) throw refuse(policy, 'unknown_kid', 'token has no key id')
    const candidates = keys.byAlgorithm.get(alg)
    if (candidates === undefined || candidates.length === 0) {
      throw refuse(policy, 'key_not_allowed', 'no signing key for this algorithm', { alg })
    }
    return candidates
  }
  const candidates = keys.byKid.get(kid)
  if (candidates === undefined && keys.refusedKids.has(kid)) {
    throw refuse(policy, 'key_not_allowed', 'signing key not allowed', { kid: debugKid(kid) })
  }
  return candidates
}

/** The refusal for a `kid` the key set lacks even after a refetch. */
export function unknownKid(policy: JwtPolicy, kid: string | undefined): InvalidTokenError {
  return refuse(policy, 'unknown_kid', 'unknown signing key', { kid: debugKid(kid) })
}

/**
 * Tries each candidate key fit for `alg`; the first whose signature matches decides the outcome:
 * the key and the checked claims ({@link checkClaims}). Throws a refusal otherwise.
 */
export function checkSignature(
  policy: JwtPolicy,
  token: string,
  { jws, alg, kid }: CheckedHeader,
  candidates: readonly JwksKey[],
): { key: JwksKey; claims: Claims } {
  const signingInput = Buffer.from(token.slice(0, jws.payloadEnd), 'latin1')
  const signature = Buffer.from(token.slice(jws.payloadEnd + 1), 'base64url')
  let tried = 0
  for (const key of candidates) {
    const check = key.signatureCheck(alg)
    if (check === undefined) continue
    tried++
    if (!check(signingInput, signature)) continue
    return { key, claims: checkClaims(policy, token, jws, alg, kid) }
  }
  if (tried === 0) {
    throw refuse(policy, 'key_not_allowed', 'signing key not usable with this algorithm', {
      alg,
      kid: debugKid(kid),
    })
  }
  throw refuse(policy, 'signature', 'invalid signature', { alg, kid: debugKid(kid) })
}

/**
 * Decodes the payload of a token whose signature verified and applies the claim checks, in this
 * order: presence (`iss`, `aud`, `iat`, requiredClaims, `exp`), `iss`, `aud`, then the time claims
 * ({@link checkTimeClaims}: NumericDate values, `nbf`, `exp`, a future `iat`, `maxTokenAge`) against
 * the clock (`Date.now()`, whole seconds, with `clockTolerance`).
 */
export function checkClaims(
  policy: JwtPolicy,
  token: string,
  jws: CompactJws,
  alg: string,
  kid: string | undefined,
): Claims {
  const base = { alg, kid: debugKid(kid) }
  const claims = decodeCompactPayload(token, jws)
  if (claims === undefined) throw refuse(policy, 'malformed', 'malformed token', base)

  for (const claim of policy.presentClaims) {
    if (Object.hasOwn(claims, claim)) continue
    switch (claim) {
      case 'iss':
        throw issuerMismatch(policy, base, claims)
      case 'aud':
        throw audienceMismatch(policy, base, claims)
      case 'iat':
        throw refuse(policy, 'too_old', 'token has no issue time', { claim, ...base })
    }
    throw refuse(policy, 'required_claim', 'missing required claim', { claim, ...base })
  }
  if (!policy.issuers.includes(claims.iss as string)) throw issuerMismatch(policy, base, claims)
  if (policy.audience !== undefined && !hasAudience(claims.aud, policy.audience)) {
    throw audienceMismatch(policy, base, claims)
  }
  const failure = checkTimeClaims(claims, Math.floor(Date.now() / 1000), policy)
  if (failure !== undefined) {
    const debug: Record<string, unknown> = { claim: failure.claim, ...base }
    if (failure.reason === 'too_old') debug.maxTokenAge = policy.maxTokenAge
    if (failure.problem !== undefined) debug.problem = failure.problem
    throw refuse(policy, failure.reason, failure.description, debug)
  }
  return claims
}

function issuerMismatch(policy: JwtPolicy, base: Record<string, unknown>, claims: Claims): InvalidTokenError {
  return refuse(policy, 'issuer', 'issuer mismatch', {
    expectedIssuer: policy.issuers.length === 1 ? policy.issuers[0] : [...policy.issuers],
    tokenIssuer: debugValue(claims.iss),
    ...base,
  })
}

function audienceMismatch(
  policy: JwtPolicy,
  base: Record<string, unknown>,
  claims: Claims,
): InvalidTokenError {
  return refuse(policy, 'audience', 'audience mismatch', {
    expectedAudience: policy.audience === undefined ? undefined : [...policy.audience],
    tokenAudience: debugValue(claims.aud),
    ...base,
  })
}

/** `aud` (a string or an array of strings) names at least one of `accepted`. */
export function hasAudience(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud)
  if (Array.isArray(aud)) return accepted.some((a) => (aud as unknown[]).includes(a))
  return false
}

/** A `typ` value compared case-insensitively, without an `application/` prefix (RFC 7515 §4.1.9). */
export function normalizeTyp(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

function debugKid(kid: string | undefined): string | undefined {
  return kid === undefined ? undefined : kid.slice(0, DEBUG_VALUE_LENGTH)
}

function debugValue(value: unknown): unknown {
  if (typeof value === 'string') return value.slice(0, DEBUG_VALUE_LENGTH)
  if (Array.isArray(value)) {
    return value.slice(0, 10).map((v) => (typeof v === 'string' ? v.slice(0, DEBUG_VALUE_LENGTH) : typeof v))
  }
  return value === undefined ? undefined : typeof value
}
