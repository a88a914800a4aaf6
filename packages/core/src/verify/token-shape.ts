import { MAX_HEADER_SEGMENT } from './compact-jws.js'

/** How a bearer token looks from the outside: a JWS compact JWT, or anything else (opaque). */
export type TokenShape = 'jwt' | 'opaque'

// Three dot-separated segments of base64 or base64url characters, padding included: looser than
// the JWT verifier's own parsing on purpose (see isJwtShaped).
const JWT_LOOKING = /^([A-Za-z0-9_+/=-]+)\.[A-Za-z0-9_+/=-]+\.[A-Za-z0-9_+/=-]*$/

/**
 * Tells a JWT from an opaque token without verifying anything: a token is JWT-shaped when it has
 * exactly three segments of base64(url) characters and its first segment, decoded leniently,
 * reads like a JSON object with an `alg` member. Hydra's opaque tokens (`ory_at_…`, `ory_rt_…`: two
 * segments), JWE tokens (five segments) and anything else are `'opaque'`. Never throws.
 *
 * The test is deliberately looser than the JWT verifier's: a token that looks like a JWT but is
 * badly encoded (padding, non-canonical base64url, an impossible segment length, a header that is
 * not valid UTF-8) goes to the JWT verifier, which refuses it locally as `malformed`, instead of
 * costing an introspection call (no amplification toward Hydra).
 */
export function detectTokenShape(token: string): TokenShape {
  return isJwtShaped(token) ? 'jwt' : 'opaque'
}

/** `true` when {@link detectTokenShape} would answer `'jwt'`. */
export function isJwtShaped(token: string): boolean {
  if (typeof token !== 'string') return false
  const segment = JWT_LOOKING.exec(token)?.[1]
  if (segment === undefined || segment.length > MAX_HEADER_SEGMENT) return false
  // Lenient on purpose: Node's decoder accepts both alphabets, padding and stray bits, and
  // invalid UTF-8 becomes U+FFFD. A JSON object naming `alg` is a JWT header, even when bytes
  // around it are broken. An unsecured (`alg: none`, empty signature) token is JWT-shaped too: the
  // JWT verifier refuses it locally instead of spending an introspection call on it.
  const text = Buffer.from(segment, 'base64').toString('utf8')
  return /^\s*\{/.test(text) && text.includes('"alg"')
}
