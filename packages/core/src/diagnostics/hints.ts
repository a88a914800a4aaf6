// What a failed upstream call or a refused token most likely means, in words an operator can act
// on. Shared by the warnings, the readiness check and `hydrakit doctor`. Server side only: none of
// this text ever reaches a client.

/** Which upstream a call went to. */
export type UpstreamKind = 'introspection' | 'jwks' | 'discovery' | 'token' | 'admin' | 'public'

/** The most likely cause of a failed call to `url`, or `undefined` when nothing specific is known. */
export function upstreamHint(
  kind: UpstreamKind,
  url: string,
  status: number | undefined,
): string | undefined {
  if (kind === 'jwks') {
    if (status === 404) return `is the issuer right? fetched ${url}`
    if (status === undefined) return `is the issuer reachable from this host? fetched ${url}`
    return undefined
  }
  if (kind === 'discovery') {
    // 404 and 410 are not failures here: Hydra's default JWKS location is tried next.
    if (status === undefined) return `is the issuer reachable from this host? fetched ${url}`
    return `is the issuer right? fetched ${url}`
  }
  if (kind === 'introspection') {
    if (status === 404 || status === 405) {
      return (
        "Hydra's admin API listens on another port than its public API (4445 and 4444 by default): " +
        'is adminUrl the admin port?'
      )
    }
    if (status === 401 || status === 403) return 'the admin API refused the request: check adminAuth'
    if (status === undefined) return 'is adminUrl reachable from this host?'
    return undefined
  }
  if (kind === 'admin') {
    if (status === 404) return 'is accessTokenKeySet.adminUrl the admin port, and does the key set exist?'
    if (status === 401 || status === 403)
      return 'the admin API refused the request: check accessTokenKeySet.auth'
    return undefined
  }
  if (kind === 'token') {
    if (status === 400 || status === 401)
      return 'the token endpoint refused the client credentials in adminAuth'
    return undefined
  }
  return undefined
}

/** `a` and `b` are the same issuer except for one trailing slash. */
export function differByTrailingSlash(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a === b) return false
  return a === `${b}/` || b === `${a}/`
}

/** The hint for an issuer mismatch that is only a trailing slash. */
export const TRAILING_SLASH_HINT =
  "copy urls.self.issuer exactly as Hydra's /.well-known/openid-configuration shows it (Hydra v1 " +
  'appends a slash), or set jwt.tolerateIssuerTrailingSlash: true'

/** The hint for an opaque Hydra access token sent to a JWT-only verifier. */
export const OPAQUE_IN_JWT_MODE_HINT =
  "Hydra issues opaque tokens unless strategies.access_token is jwt: use mode 'introspection' or 'hybrid'"
