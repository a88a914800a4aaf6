/** The two discovery documents an authorization server may publish. */
export type DiscoveryDocument = 'openid-configuration' | 'oauth-authorization-server'

/**
 * Checks an issuer identifier as RFC 8414 §2 and OpenID Connect Discovery §2 define it: an absolute
 * `http(s)` URL without query or fragment. Returns the parsed URL; throws a TypeError naming
 * `optionPath` otherwise. (`https` is what the RFCs require; `http` is accepted for local servers.)
 */
export function parseIssuer(value: unknown, optionPath: string): URL {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${optionPath} must be a non-empty string`)
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`${optionPath} must be an absolute URL, got ${JSON.stringify(value)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${optionPath} must be an http(s) URL, got ${JSON.stringify(value)}`)
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new TypeError(`${optionPath} must not have a query or fragment, got ${JSON.stringify(value)}`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${optionPath} must not carry credentials`)
  }
  return url
}

/**
 * Where `document` lives for `issuer`:
 * - `oauth-authorization-server` (RFC 8414 §3.1): the well-known segment goes between the host and
 *   the issuer's path, after removing a terminating `/` from the path:
 *   `https://as.example/tenant/` → `https://as.example/.well-known/oauth-authorization-server/tenant`.
 * - `openid-configuration` (OpenID Connect Discovery §4): appended to the issuer after removing a
 *   terminating `/`: `https://as.example/tenant/` → `https://as.example/tenant/.well-known/openid-configuration`.
 *
 * Both rules strip one trailing slash before building the URL, so `https://as.example` and
 * `https://as.example/` share their discovery URLs; the issuer check on the document still tells
 * them apart.
 */
export function wellKnownUrl(issuer: URL, document: DiscoveryDocument): string {
  const path = issuer.pathname.endsWith('/') ? issuer.pathname.slice(0, -1) : issuer.pathname
  return document === 'oauth-authorization-server'
    ? `${issuer.origin}/.well-known/oauth-authorization-server${path}`
    : `${issuer.origin}${path}/.well-known/openid-configuration`
}
