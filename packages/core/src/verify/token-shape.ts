import { parseCompactJws } from './compact-jws.js'

/** How a bearer token looks from the outside: a JWS compact JWT, or anything else (opaque). */
export type TokenShape = 'jwt' | 'opaque'

/**
 * Tells a JWT from an opaque token without verifying anything: a token is JWT-shaped when it has
 * exactly three base64url segments and its first segment decodes to a UTF-8 JSON object with a
 * string `alg` (the JWT verifier's own parsing, `parseCompactJws`). Hydra's opaque tokens (`ory_at_…`, `ory_rt_…`: two segments), JWE tokens (five segments)
 * and anything else are `'opaque'`. Never throws.
 */
export function detectTokenShape(token: string): TokenShape {
  return isJwtShaped(token) ? 'jwt' : 'opaque'
}

/** `true` when {@link detectTokenShape} would answer `'jwt'`. */
export function isJwtShaped(token: string): boolean {
  // An unsecured (`alg: none`, empty signature) token is JWT-shaped too: the JWT verifier refuses
  // it locally instead of spending an introspection call on it.
  return typeof token === 'string' && typeof parseCompactJws(token)?.header.alg === 'string'
}
