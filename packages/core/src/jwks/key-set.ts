import type { JsonWebKey, KeyObject } from 'node:crypto'
import { ALGORITHM_KEY_TYPES, type JwtAlgorithm } from './algorithms.js'
import { createSignatureCheck, importPublicJwk, type SignatureCheck } from './jws-signature.js'

/** Most JWKS entries read from one document; a larger set is treated as garbage. */
export const MAX_JWKS_KEYS = 100

/**
 * Most distinct keys one `kid` may stand for; further entries with that `kid` are ignored. Bounds
 * the signature checks a forged token naming a duplicated `kid` can cost.
 */
export const MAX_KEYS_PER_KID = 3

/** Smallest RSA modulus accepted, in bits (RFC 7518 §3.3). Shorter keys are never used. */
const MIN_RSA_BITS = 2048

const EC_CURVES: ReadonlySet<string> = new Set(['P-256', 'P-384', 'P-521'])

/**
 * One JWKS entry reduced to its public members, after the checks every entry must pass: an
 * asymmetric `kty` we can verify with, `use` absent or `sig`, `key_ops` absent or containing
 * `verify`, an RSA modulus of at least 2048 bits. Private members (`d`, `p`, …) are never copied.
 */
export interface PublicKeyDescriptor {
  kid: string | undefined
  kty: 'RSA' | 'EC' | 'OKP'
  crv: string | undefined
  /** The entry's own `alg`, when it has one. */
  alg: string | undefined
  /** The public members only, ready for `crypto.createPublicKey({ format: 'jwk' })`. */
  jwk: JsonWebKey
  /**
   * Identity of the public key material (`kty`, `crv` and the public coordinates or modulus and
   * exponent). Two entries with the same fingerprint are the same key, whatever their `kid`.
   */
  fingerprint: string
}

/** Result of {@link readJwks}. */
export type ReadJwksResult =
  | {
      ok: true
      keys: PublicKeyDescriptor[]
      /** `kid`s of entries that exist but can never be used (symmetric, `use: enc`, unsupported). */
      refusedKids: string[]
    }
  | { ok: false; problem: string }

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function b64u(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 4096
}

/** Reduces one JWKS entry to a {@link PublicKeyDescriptor}, or `undefined` when it is unusable. */
function describeEntry(entry: Record<string, unknown>, checkUsage: boolean): PublicKeyDescriptor | undefined {
  if (entry.kid !== undefined && typeof entry.kid !== 'string') return undefined
  const kid = entry.kid
  if (checkUsage && entry.use !== undefined && entry.use !== 'sig') return undefined
  if (checkUsage && entry.key_ops !== undefined) {
    if (!Array.isArray(entry.key_ops) || !(entry.key_ops as unknown[]).includes('verify')) return undefined
  }
  if (entry.alg !== undefined && typeof entry.alg !== 'string') return undefined
  const alg = entry.alg
  switch (entry.kty) {
    case 'RSA': {
      const { n, e } = entry
      if (!b64u(n) || !b64u(e)) return undefined
      if (Buffer.from(n, 'base64url').length * 8 < MIN_RSA_BITS) return undefined
      return { kid, kty: 'RSA', crv: undefined, alg, jwk: { kty: 'RSA', n, e }, fingerprint: `RSA.${n}.${e}` }
    }
    case 'EC': {
      const { crv, x, y } = entry
      if (typeof crv !== 'string' || !EC_CURVES.has(crv) || !b64u(x) || !b64u(y)) return undefined
      return { kid, kty: 'EC', crv, alg, jwk: { kty: 'EC', crv, x, y }, fingerprint: `EC.${crv}.${x}.${y}` }
    }
    case 'OKP': {
      const { crv, x } = entry
      if (crv !== 'Ed25519' || !b64u(x)) return undefined
      return { kid, kty: 'OKP', crv, alg, jwk: { kty: 'OKP', crv, x }, fingerprint: `OKP.${crv}.${x}` }
    }
    default:
      // `oct` (symmetric) and anything else: never a verification key for a public JWKS.
      return undefined
  }
}

/** Options of {@link readJwks}. */
export interface ReadJwksOptions {
  /** Most entries accepted; a larger document is a failure. Default {@link MAX_JWKS_KEYS}. */
  maxKeys?: number | undefined
  /**
   * Refuse entries whose `use` is not `sig` or whose `key_ops` lacks `verify`. Default `true`. Off
   * only to read key identities from Hydra's admin API, which may return private (`key_ops: sign`) keys.
   */
  checkUsage?: boolean | undefined
}

/**
 * Validates a parsed JWKS document (`{ "keys": [ … ] }`) and keeps the entries that can verify
 * signatures. A document that is not a JWKS, or holds more than `maxKeys` entries, is a failure;
 * single unusable entries are skipped and their `kid` reported in `refusedKids`.
 */
export function readJwks(document: unknown, options: ReadJwksOptions = {}): ReadJwksResult {
  const maxKeys = options.maxKeys ?? MAX_JWKS_KEYS
  const checkUsage = options.checkUsage ?? true
  if (!isPlainObject(document) || !Array.isArray(document.keys)) {
    return { ok: false, problem: 'response is not a JWKS (no "keys" array)' }
  }
  const entries = document.keys as unknown[]
  if (entries.length > maxKeys) {
    return { ok: false, problem: `JWKS has ${entries.length} keys, more than the limit of ${maxKeys}` }
  }
  const keys: PublicKeyDescriptor[] = []
  const refusedKids: string[] = []
  for (const entry of entries) {
    if (!isPlainObject(entry)) continue
    const descriptor = describeEntry(entry, checkUsage)
    if (descriptor !== undefined) keys.push(descriptor)
    else if (typeof entry.kid === 'string') refusedKids.push(entry.kid)
  }
  return { ok: true, keys, refusedKids }
}

/** The token algorithms (among `allowed`) a key may verify: its kty/crv must fit, and its own `alg` if set. */
export function compatibleAlgorithms(
  key: Pick<PublicKeyDescriptor, 'kty' | 'crv' | 'alg'>,
  allowed: readonly JwtAlgorithm[],
): JwtAlgorithm[] {
  const out: JwtAlgorithm[] = []
  for (const alg of allowed) {
    const want = ALGORITHM_KEY_TYPES[alg]
    if (want.kty !== key.kty || want.crv !== key.crv) continue
    if (key.alg !== undefined && key.alg !== alg) continue
    out.push(alg)
  }
  return out
}

/**
 * A usable verification key. Its node:crypto `KeyObject` and one {@link SignatureCheck} per
 * algorithm are created once, on first use, and then shared by every request (and carried over
 * JWKS refreshes while the key stays published).
 */
export class JwksKey {
  readonly kid: string | undefined
  readonly fingerprint: string
  /** Token algorithms this key may verify under the verifier's allowlist. */
  readonly algorithms: ReadonlySet<JwtAlgorithm>
  private readonly jwk: JsonWebKey
  /** `null`: the material could not be imported. */
  private keyObject: KeyObject | null | undefined
  /** `null`: this key cannot verify that algorithm. */
  private readonly checks = new Map<JwtAlgorithm, SignatureCheck | null>()

  constructor(descriptor: PublicKeyDescriptor, algorithms: readonly JwtAlgorithm[]) {
    this.kid = descriptor.kid
    this.fingerprint = descriptor.fingerprint
    this.jwk = descriptor.jwk
    this.algorithms = new Set(algorithms)
  }

  /**
   * The signature check for `alg` on this key (node:crypto, synchronous), or `undefined` when the
   * key may not or cannot verify `alg`: not in {@link algorithms}, material node:crypto refuses, or
   * a key type or curve that does not fit. Built once per algorithm.
   */
  signatureCheck(alg: JwtAlgorithm): SignatureCheck | undefined {
    let check = this.checks.get(alg)
    if (check === undefined) {
      if (this.keyObject === undefined) this.keyObject = importPublicJwk(this.jwk) ?? null
      check =
        this.algorithms.has(alg) && this.keyObject !== null
          ? (createSignatureCheck(alg, this.keyObject) ?? null)
          : null
      this.checks.set(alg, check)
    }
    return check ?? undefined
  }
}

/**
 * An immutable snapshot of the keys a verifier may use, indexed for the request path: by `kid`, and
 * per algorithm for tokens that carry no `kid`.
 */
export class KeySet {
  /** Usable, allowed keys by `kid`: distinct keys, at most {@link MAX_KEYS_PER_KID} per `kid`, in JWKS order. */
  readonly byKid: ReadonlyMap<string, readonly JwksKey[]>
  /** For tokens without `kid`: usable, allowed keys per algorithm, at most `maxKeysWithoutKid` each. */
  readonly byAlgorithm: ReadonlyMap<JwtAlgorithm, readonly JwksKey[]>
  /** `kid`s that are published but must not be used (unusable entry, not allowed, not pinned). */
  readonly refusedKids: ReadonlySet<string>
  /** Every usable, allowed key. */
  readonly members: ReadonlySet<JwksKey>

  constructor(
    allowed: readonly JwksKey[],
    refusedKids: Iterable<string>,
    algorithms: readonly JwtAlgorithm[],
    maxKeysWithoutKid: number,
  ) {
    const byKid = new Map<string, JwksKey[]>()
    const byAlgorithm = new Map<JwtAlgorithm, JwksKey[]>()
    for (const key of allowed) {
      if (key.kid !== undefined) {
        const list = byKid.get(key.kid)
        if (list === undefined) byKid.set(key.kid, [key])
        // The same entry published twice is one key; a kid reused for other keys is bounded.
        else if (!list.includes(key) && list.length < MAX_KEYS_PER_KID) list.push(key)
      }
    }
    for (const alg of algorithms) {
      const list: JwksKey[] = []
      for (const key of allowed) {
        if (list.length >= maxKeysWithoutKid) break
        if (key.algorithms.has(alg) && !list.includes(key)) list.push(key)
      }
      byAlgorithm.set(alg, list)
    }
    const refused = new Set<string>()
    for (const kid of refusedKids) if (!byKid.has(kid)) refused.add(kid)
    this.byKid = byKid
    this.byAlgorithm = byAlgorithm
    this.refusedKids = refused
    this.members = new Set(allowed)
  }

  /** True when every key of this set is also in `next` (nothing was removed). */
  isSubsetOf(next: KeySet): boolean {
    for (const key of this.members) if (!next.members.has(key)) return false
    return true
  }
}
