/** Where an {@link AuthInfo} came from. */
export type AuthSource = 'jwt' | 'introspection'

/**
 * The normalized token profile every verifier returns, so that scope and claim checks behave the
 * same whether a token was verified locally as a JWT or by RFC 7662 introspection.
 *
 * Times are NumericDate (seconds since the epoch), as in JWT and RFC 7662.
 *
 * @typeParam Ext - shape of Hydra's `ext` (the consent session's `access_token` data).
 * @typeParam Claims - shape of the raw claims / introspection response.
 */
export interface AuthInfo<
  Ext extends Record<string, unknown> = Record<string, unknown>,
  Claims extends Record<string, unknown> = Record<string, unknown>,
> {
  /** The raw bearer token. */
  token: string
  /** Always true: inactive tokens are rejected, never returned. */
  active: true
  /**
   * `sub`: the resource owner. For client-credentials tokens Hydra puts the client id here; other
   * servers may omit it (`undefined`) or send it empty (`''`): use {@link clientId} as the identity
   * of such tokens.
   */
  subject: string | undefined
  /**
   * `client_id` of the OAuth2 client the token was issued to: the caller's identity for
   * client-credentials tokens, on every server.
   */
  clientId: string | undefined
  /** Granted scopes, from `scp` (array or string) and/or `scope` (space-separated), de-duplicated. */
  scopes: string[]
  /** `aud`, always an array. */
  audience: string[]
  /** `iss`. */
  issuer: string | undefined
  /** `exp` (seconds). */
  expiresAt: number | undefined
  /** `iat` (seconds). */
  issuedAt: number | undefined
  /** `nbf` (seconds). */
  notBefore: number | undefined
  /** `token_use` from introspection (`access_token`); `'access_token'` for a verified JWT access token. */
  tokenUse: string | undefined
  /** Hydra's `ext`: the consent session's access-token data. `{}` when absent. */
  ext: Ext
  /** Every claim (JWT payload) or field (introspection response), unmodified. */
  claims: Claims
  source: AuthSource
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/**
 * Reads scopes from a claim set: `scp` (Hydra's default `list` strategy, an array; some issuers put a
 * space-separated string there) and `scope` (RFC 7662 / RFC 9068, space-separated). Both are read and
 * merged, so Hydra's `scope_claim: both` works. Non-string entries are ignored.
 */
export function readScopes(claims: Record<string, unknown>): string[] {
  const out: string[] = []
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const s of value.split(' ')) if (s !== '' && !out.includes(s)) out.push(s)
    } else if (Array.isArray(value)) {
      for (const s of value as unknown[])
        if (typeof s === 'string' && s !== '' && !out.includes(s)) out.push(s)
    }
  }
  add(claims.scp)
  add(claims.scope)
  return out
}

/** `aud` as an array: a string becomes `[aud]`, non-strings are dropped. */
export function readAudience(claims: Record<string, unknown>): string[] {
  const aud = claims.aud
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud)) return (aud as unknown[]).filter((a): a is string => typeof a === 'string')
  return []
}

/** Builds the normalized {@link AuthInfo} from a JWT payload or an introspection response. */
export function toAuthInfo<Ext extends Record<string, unknown> = Record<string, unknown>>(
  token: string,
  claims: Record<string, unknown>,
  source: AuthSource,
): AuthInfo<Ext> {
  const ext = claims.ext
  return {
    token,
    active: true,
    subject: asString(claims.sub),
    clientId: asString(claims.client_id) ?? asString(claims.azp),
    scopes: readScopes(claims),
    audience: readAudience(claims),
    issuer: asString(claims.iss),
    expiresAt: asNumber(claims.exp),
    issuedAt: asNumber(claims.iat),
    notBefore: asNumber(claims.nbf),
    tokenUse: source === 'jwt' ? 'access_token' : asString(claims.token_use),
    ext: (ext !== null && typeof ext === 'object' && !Array.isArray(ext) ? ext : {}) as Ext,
    claims,
    source,
  }
}
