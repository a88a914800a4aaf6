import { importJWK } from 'jose'
import type { CryptoKey, JWK } from 'jose'
import { uuid } from '../util/random.js'

/** One trust relationship of the RFC 7523 JWT-bearer grant (`trustedOAuth2JwtGrantIssuer`). */
export interface TrustedIssuer {
  readonly id: string
  readonly issuer: string
  /** The only `sub` the issuer may assert; `''` when {@link allowAnySubject}. */
  readonly subject: string
  readonly allowAnySubject: boolean
  /** Scopes the issuer may grant. */
  readonly scope: readonly string[]
  /** The issuer's public key (private parameters are never kept). */
  readonly jwk: JWK & { kid: string; alg: string }
  readonly key: CryptoKey | Uint8Array
  /** Milliseconds since the epoch. */
  readonly createdAt: number
  /** Milliseconds since the epoch; assertions are refused from then on. */
  readonly expiresAt: number
}

/** Input of {@link TrustStore.add}, already validated. */
export type TrustedIssuerInit = Omit<TrustedIssuer, 'id' | 'key'>

const PRIVATE_PARAMS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/** Trusted JWT-bearer grant issuers, in insertion order; also remembers used assertion `jti`s. */
export class TrustStore {
  private readonly issuers = new Map<string, TrustedIssuer>()
  /** `iss` + `jti` of used assertions → their `exp` (seconds), for replay detection. */
  private readonly usedJti = new Map<string, number>()

  /**
   * Stores a trust relationship. Rejects (a jose error) when the key cannot be imported for its
   * `alg`. Returns `undefined` when the same issuer, subject and key id are already trusted.
   */
  async add(init: TrustedIssuerInit): Promise<TrustedIssuer | undefined> {
    for (const t of this.issuers.values()) {
      if (
        t.issuer === init.issuer &&
        t.subject === init.subject &&
        t.allowAnySubject === init.allowAnySubject &&
        t.jwk.kid === init.jwk.kid
      ) {
        return undefined
      }
    }
    const jwk = { ...init.jwk } as Record<string, unknown>
    for (const p of PRIVATE_PARAMS) delete jwk[p]
    const publicJwk = jwk as JWK & { kid: string; alg: string }
    const key = await importJWK(publicJwk, publicJwk.alg)
    const trusted: TrustedIssuer = { ...init, jwk: publicJwk, key, id: uuid() }
    this.issuers.set(trusted.id, trusted)
    return trusted
  }

  /** The relationship with this id, or `undefined`. */
  get(id: string): TrustedIssuer | undefined {
    return this.issuers.get(id)
  }

  /** All relationships (optionally of one issuer), oldest first. */
  list(issuer?: string): TrustedIssuer[] {
    return [...this.issuers.values()].filter((t) => issuer === undefined || t.issuer === issuer)
  }

  /** Deletes a relationship; false when it did not exist. */
  delete(id: string): boolean {
    return this.issuers.delete(id)
  }

  /**
   * Records a used assertion `jti`. Returns false when it was already used and has not yet
   * expired (a replay). Expired entries are dropped.
   */
  useJti(issuer: string, jti: string, exp: number, nowSeconds: number): boolean {
    for (const [k, e] of this.usedJti) if (e < nowSeconds) this.usedJti.delete(k)
    const key = `${issuer}\u0000${jti}`
    if (this.usedJti.has(key)) return false
    this.usedJti.set(key, exp)
    return true
  }
}
