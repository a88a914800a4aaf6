import { hash } from 'node:crypto'

/**
 * The cache key for a bearer token: `prefix` followed by the SHA-256 digest of the token's UTF-8
 * bytes, base64url-encoded (43 characters).
 *
 * Caches are keyed by a hash so that the raw token is never stored or logged as a key, and so that
 * two tokens that differ in a single character never share an entry.
 *
 * @param token - the raw bearer token.
 * @param prefix - prepended verbatim, e.g. `'hydrakit:introspection:'`. Default `''`.
 */
export function tokenCacheKey(token: string, prefix = ''): string {
  // One-shot crypto.hash (Node ≥ 20.12): about half the cost of createHash for a token-sized input.
  return prefix + hash('sha256', token, 'base64url')
}
