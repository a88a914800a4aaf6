import { createHash } from 'node:crypto'
import type { IntrospectedOAuth2Token } from '@hydrakit/core/hydra'
import type { MockClock } from '../clock.js'
import type { ResolvedOptions } from '../options.js'
import { wildcardScopeMatch } from '../scope.js'
import { randomToken, sha256, uuid } from '../util/random.js'
import type { KeyStore } from './keys.js'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from './keys.js'

/** What a stored token is. */
export type TokenKind = 'access_token' | 'refresh_token' | 'authorization_code'

/**
 * One authorization (fosite's "request"): everything the tokens issued for it share. A refresh
 * keeps the grant, so revoking the grant revokes the whole chain.
 */
export interface Grant {
  readonly id: string
  readonly clientId: string
  readonly subject: string
  /** Pairwise (or forced) subject of ID tokens when it differs from `subject`. */
  readonly obfuscatedSubject: string | undefined
  readonly scopes: readonly string[]
  readonly audience: readonly string[]
  /** Consent `session.access_token`: `ext` of access tokens and introspection. */
  readonly ext: Record<string, unknown>
  /** Consent `session.id_token`: extra ID token and userinfo claims. */
  readonly idTokenClaims: Record<string, unknown>
  /** Seconds. */
  readonly authTime: number | undefined
  /** Seconds (`rat`). */
  readonly requestedAt: number
  readonly acr: string | undefined
  readonly amr: readonly string[] | undefined
  readonly sid: string | undefined
  readonly nonce: string | undefined
  readonly consentRequestId: string | undefined
  readonly strategy: 'opaque' | 'jwt'
  revoked: boolean
  readonly tokens: Set<string>
}

/** A stored token, keyed by the SHA-256 of its value (the raw value is not kept). */
export interface TokenRecord {
  readonly kind: TokenKind
  readonly hash: string
  readonly grant: Grant
  /** Scopes of this token (an access token from a narrowed refresh may carry fewer). */
  readonly scopes: readonly string[]
  /** Seconds. */
  readonly issuedAt: number
  /** Seconds. */
  readonly expiresAt: number
  revoked: boolean
  /** Codes and refresh tokens are single-use. */
  used: boolean
  readonly code?: {
    readonly redirectUri: string | undefined
    readonly codeChallenge: string | undefined
    readonly codeChallengeMethod: string | undefined
  }
}

/** Hydra's `introspectedOAuth2Token`, the wire type shared with `@hydrakit/core/hydra`. */
export type IntrospectionResult = IntrospectedOAuth2Token

/** Input to {@link TokenStore.createGrant}. */
export type GrantInit = Omit<Grant, 'id' | 'revoked' | 'tokens'>

/** Issues, looks up, introspects and revokes tokens. */
export class TokenStore {
  private readonly records = new Map<string, TokenRecord>()
  private readonly grants = new Set<Grant>()
  private inserts = 0

  constructor(
    private readonly options: ResolvedOptions,
    private readonly clock: MockClock,
    private readonly keys: KeyStore,
    private readonly issuer: () => string,
  ) {}

  /** Starts a grant. */
  createGrant(init: GrantInit): Grant {
    const grant: Grant = { ...init, id: uuid(), revoked: false, tokens: new Set() }
    this.grants.add(grant)
    return grant
  }

  /** Looks a token up by value. */
  find(token: string): TokenRecord | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 16384) return undefined
    return this.records.get(sha256(token))
  }

  /** True when the token is usable now (not revoked, not used, not expired). */
  isActive(record: TokenRecord): boolean {
    return (
      !record.revoked && !record.grant.revoked && !record.used && record.expiresAt > this.clock.nowSeconds()
    )
  }

  private store(
    kind: TokenKind,
    token: string,
    grant: Grant,
    scopes: readonly string[],
    issuedAt: number,
    ttl: number,
    code?: TokenRecord['code'],
  ): TokenRecord {
    this.prune()
    const record: TokenRecord = {
      kind,
      hash: sha256(token),
      grant,
      scopes: [...scopes],
      issuedAt,
      expiresAt: issuedAt + ttl,
      revoked: false,
      used: false,
      ...(code ? { code } : {}),
    }
    this.records.set(record.hash, record)
    grant.tokens.add(record.hash)
    return record
  }

  /** Issues an authorization code (`ory_ac_…`). */
  issueCode(grant: Grant, code: NonNullable<TokenRecord['code']>): string {
    const value = `ory_ac_${randomToken(32)}.${randomToken(32)}`
    this.store(
      'authorization_code',
      value,
      grant,
      grant.scopes,
      this.clock.nowSeconds(),
      this.options.ttl.authCode,
      code,
    )
    return value
  }

  /** Issues a refresh token (`ory_rt_…`). */
  issueRefreshToken(grant: Grant, ttl = this.options.ttl.refreshToken): string {
    const value = `ory_rt_${randomToken(32)}.${randomToken(32)}`
    this.store('refresh_token', value, grant, grant.scopes, this.clock.nowSeconds(), ttl)
    return value
  }

  /**
   * Issues an access token: opaque `ory_at_…`, or a JWT signed with the newest
   * `hydra.jwt.access-token` key (header `typ: "JWT"`) carrying iss, sub, aud[], exp, iat, nbf,
   * jti, client_id, `scp` and/or `scope`, `ext` and the allowed top-level claims.
   */
  async issueAccessToken(
    grant: Grant,
    scopes: readonly string[] = grant.scopes,
    ttl = this.options.ttl.accessToken,
  ): Promise<{ token: string; record: TokenRecord }> {
    const now = this.clock.nowSeconds()
    let token: string
    if (grant.strategy === 'jwt') {
      const claims: Record<string, unknown> = {}
      for (const name of this.options.allowedTopLevelClaims) {
        if (!RESERVED_ACCESS_CLAIMS.has(name) && name in grant.ext) claims[name] = grant.ext[name]
      }
      Object.assign(claims, {
        iss: this.issuer(),
        sub: grant.subject,
        aud: [...grant.audience],
        exp: now + ttl,
        iat: now,
        nbf: now,
        jti: uuid(),
        client_id: grant.clientId,
        ext: grant.ext,
      })
      if (this.options.scopeClaim !== 'string') claims.scp = [...scopes]
      if (this.options.scopeClaim !== 'list') claims.scope = scopes.join(' ')
      token = (await this.keys.sign(ACCESS_TOKEN_SET, claims)).jwt
    } else {
      token = `ory_at_${randomToken(32)}.${randomToken(32)}`
    }
    const record = this.store('access_token', token, grant, scopes, now, ttl)
    return { token, record }
  }

  /**
   * Signs an ID token with the newest `hydra.openid.id-token` key: the consent session's
   * `id_token` claims, then iss, sub (pairwise when configured), aud [client_id], exp, iat, rat,
   * auth_time, jti, sid, nonce, acr, amr and `at_hash` of `accessToken`.
   */
  async issueIdToken(
    grant: Grant,
    accessToken: string | undefined,
    withNonce: boolean,
    ttl = this.options.ttl.idToken,
  ): Promise<string> {
    const now = this.clock.nowSeconds()
    const claims: Record<string, unknown> = { ...grant.idTokenClaims }
    Object.assign(claims, {
      iss: this.issuer(),
      sub: grant.obfuscatedSubject ?? grant.subject,
      aud: [grant.clientId],
      exp: now + ttl,
      iat: now,
      rat: grant.requestedAt,
      auth_time: grant.authTime ?? now,
      jti: uuid(),
    })
    if (grant.sid) claims.sid = grant.sid
    if (withNonce && grant.nonce) claims.nonce = grant.nonce
    if (grant.acr) claims.acr = grant.acr
    if (grant.amr && grant.amr.length > 0) claims.amr = [...grant.amr]
    if (accessToken) {
      const digest = createHash('sha256').update(accessToken, 'ascii').digest()
      claims.at_hash = digest.subarray(0, digest.length / 2).toString('base64url')
    }
    return (await this.keys.sign(ID_TOKEN_SET, claims)).jwt
  }

  /** The claims `/userinfo` returns for a grant (ID token claims minus the per-token ones). */
  userinfo(grant: Grant): Record<string, unknown> {
    const claims: Record<string, unknown> = { ...grant.idTokenClaims }
    Object.assign(claims, {
      iss: this.issuer(),
      sub: grant.obfuscatedSubject ?? grant.subject,
      aud: [grant.clientId],
      iat: this.clock.nowSeconds(),
      rat: grant.requestedAt,
      auth_time: grant.authTime ?? grant.requestedAt,
    })
    if (grant.acr) claims.acr = grant.acr
    if (grant.amr && grant.amr.length > 0) claims.amr = [...grant.amr]
    return claims
  }

  /**
   * Hydra's introspection: `{"active": false}` for anything unknown, expired, revoked, used, an
   * authorization code, or missing one of `requiredScopes` (wildcard strategy); otherwise every
   * field of `introspectedOAuth2Token` (`ext`, `scope`, `obfuscated_subject` only when non-empty,
   * as Hydra omits them).
   */
  introspect(token: string, requiredScopes: readonly string[]): IntrospectionResult {
    const record = this.find(token)
    if (!record || record.kind === 'authorization_code' || !this.isActive(record)) return { active: false }
    if (!requiredScopes.every((s) => wildcardScopeMatch(record.scopes, s))) return { active: false }
    const g = record.grant
    const out: IntrospectionResult = { active: true }
    if (record.scopes.length > 0) out.scope = record.scopes.join(' ')
    out.client_id = g.clientId
    out.sub = g.subject
    if (g.obfuscatedSubject && g.obfuscatedSubject !== g.subject) out.obfuscated_subject = g.obfuscatedSubject
    out.exp = record.expiresAt
    out.iat = record.issuedAt
    out.nbf = record.issuedAt
    out.aud = [...g.audience]
    out.iss = this.issuer()
    out.token_type = 'Bearer'
    out.token_use = record.kind
    if (Object.keys(g.ext).length > 0) out.ext = structuredClone(g.ext)
    return out
  }

  /** Revokes the grant of a token (its refresh and access tokens). Returns false when unknown. */
  revoke(token: string): boolean {
    const record = this.find(token)
    if (!record) return false
    record.revoked = true
    this.revokeGrant(record.grant)
    return true
  }

  /** Revokes every token of a grant. */
  revokeGrant(grant: Grant): void {
    grant.revoked = true
  }

  /** Revokes the access tokens of a grant (after a refresh, as fosite does). */
  revokeAccessTokens(grant: Grant): void {
    for (const hash of grant.tokens) {
      const r = this.records.get(hash)
      if (r && r.kind === 'access_token') r.revoked = true
    }
  }

  /** Revokes all grants matching the filter; returns how many. */
  revokeWhere(filter: {
    clientId?: string | undefined
    subject?: string | undefined
    consentRequestId?: string | undefined
  }): number {
    let n = 0
    for (const g of this.grants) {
      if (filter.clientId !== undefined && g.clientId !== filter.clientId) continue
      if (filter.subject !== undefined && g.subject !== filter.subject) continue
      if (filter.consentRequestId !== undefined && g.consentRequestId !== filter.consentRequestId) continue
      if (!g.revoked) n++
      g.revoked = true
    }
    return n
  }

  /** `DELETE /admin/oauth2/tokens?client_id=`: deletes the client's access tokens (not refresh tokens). */
  deleteAccessTokensOf(clientId: string): void {
    for (const r of this.records.values()) {
      if (r.kind === 'access_token' && r.grant.clientId === clientId) r.revoked = true
    }
  }

  /**
   * Deletes tokens that expired before `notAfterSeconds` (v1 `flushInactiveOAuth2Tokens`).
   * Returns how many were deleted.
   */
  flushExpired(notAfterSeconds: number): number {
    let n = 0
    for (const [hash, r] of this.records) {
      if (r.expiresAt < notAfterSeconds) {
        this.records.delete(hash)
        r.grant.tokens.delete(hash)
        n++
      }
    }
    return n
  }

  private prune(): void {
    if (++this.inserts % 1000 !== 0) return
    const now = this.clock.nowSeconds()
    for (const [hash, r] of this.records) {
      if (r.expiresAt < now - 3600) {
        this.records.delete(hash)
        r.grant.tokens.delete(hash)
      }
    }
    for (const g of this.grants) {
      if (g.tokens.size === 0 && g.requestedAt < now - 3600) this.grants.delete(g)
    }
  }
}

const RESERVED_ACCESS_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scp',
  'scope',
  'ext',
])
