/** How a bearer token looks from the outside: a JWS compact JWT, or anything else (opaque). */
export type TokenShape = 'jwt' | 'opaque'

// JWS compact serialization: header.payload.signature, each base64url without padding. The
// signature may be empty (an unsecured `alg: none` JWT): such a token is still routed to the JWT
// verifier, which refuses it locally instead of spending an introspection call on it.
const JWS_COMPACT = /^([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

// A real JOSE header is a few hundred characters; anything far larger is not worth decoding.
const MAX_HEADER_SEGMENT = 4096

/**
 * Tells a JWT from an opaque token without verifying anything: a token is JWT-shaped when it has
 * exactly three base64url segments and its first segment decodes to a JSON object with a string
 * `alg`. Hydra's opaque tokens (`ory_at_…`, `ory_rt_…`: two segments), JWE tokens (five segments)
 * and anything else are `'opaque'`. Never throws.
 */
export function detectTokenShape(token: string): TokenShape {
  return isJwtShaped(token) ? 'jwt' : 'opaque'
}

/** `true` when {@link detectTokenShape} would answer `'jwt'`. */
export function isJwtShaped(token: string): boolean {
  if (typeof token !== 'string') return false
  const match = JWS_COMPACT.exec(token)
  const segment = match?.[1]
  if (segment === undefined || segment.length > MAX_HEADER_SEGMENT) return false
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    return false
  }
  return (
    header !== null &&
    typeof header === 'object' &&
    !Array.isArray(header) &&
    typeof (header as { alg?: unknown }).alg === 'string'
  )
}
