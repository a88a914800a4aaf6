// Keys and tokens for the benchmark: RS256 and ES256 signing keys, Hydra-shaped JWT access tokens
// signed with node:crypto (fast enough to mint a pool of thousands per run), and opaque `ory_at_…`
// tokens that the local introspection endpoint recognises by an HMAC (so the load generator can
// mint an unlimited number of distinct valid ones without sharing state with the endpoint).
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto'

/** Audience every token carries and every server requires. */
export const AUDIENCE = 'bench-api'

/**
 * @typedef {object} SigningKey
 * @property {string} kid
 * @property {'RS256' | 'ES256'} alg
 * @property {import('node:crypto').KeyObject} privateKey
 * @property {Record<string, unknown>} publicJwk public JWK with kid, alg and use
 */

/**
 * @param {'RS256' | 'ES256'} alg
 * @param {string} kid
 * @returns {SigningKey}
 */
export function makeKey(alg, kid) {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  return { kid, alg, privateKey: pair.privateKey, publicJwk }
}

/** @param {unknown} value */
function b64json(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * Signs a compact JWS.
 * @param {SigningKey} key
 * @param {Record<string, unknown>} claims
 * @param {Record<string, unknown>} [header] overrides of `{ alg, kid, typ: 'JWT' }`
 * @returns {string}
 */
export function signJwt(key, claims, header = {}) {
  const input = `${b64json({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })}.${b64json(claims)}`
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}

/**
 * The same token with one bit of its signature flipped: refused for its signature after the full
 * signature check. (A signature made with another key is not a fair stand-in: half the time it is
 * numerically larger than the real key's modulus, and OpenSSL refuses it before the modular
 * exponentiation, so the refusal would measure cheaper than a real one.)
 * @param {string} token
 */
export function tamperSignature(token) {
  const dot = token.lastIndexOf('.')
  const signature = Buffer.from(token.slice(dot + 1), 'base64url')
  signature[signature.length - 1] ^= 1
  return `${token.slice(0, dot)}.${signature.toString('base64url')}`
}

/**
 * Claims of a Hydra v2 JWT access token (strategies.access_token: jwt, scope_claim: list).
 * @param {string} issuer
 * @param {number} n distinguishes tokens (jti, sub)
 * @param {number} lifetimeSeconds
 */
export function hydraClaims(issuer, n, lifetimeSeconds) {
  const now = Math.floor(Date.now() / 1000)
  return {
    aud: [AUDIENCE],
    client_id: 'bench-client',
    exp: now + lifetimeSeconds,
    ext: {},
    iat: now,
    iss: issuer,
    jti: `${n.toString(36)}-${randomBytes(9).toString('base64url')}`,
    nbf: now,
    scp: ['read', 'write'],
    sub: `user-${n}`,
  }
}

/**
 * An opaque token the local introspection endpoint accepts: `ory_at_<id>.<mac>`.
 * @param {Buffer} secret
 * @param {string} id base64url-safe identifier
 */
export function mintOpaque(secret, id) {
  const mac = createHmac('sha256', secret).update(id).digest('base64url').slice(0, 22)
  return `ory_at_${id}.${mac}`
}

/**
 * The id of a token minted by {@link mintOpaque} with `secret`, or undefined when it is not one.
 * @param {Buffer} secret
 * @param {string} token
 */
export function openOpaque(secret, token) {
  if (!token.startsWith('ory_at_')) return undefined
  const dot = token.lastIndexOf('.')
  if (dot < 0) return undefined
  const id = token.slice(7, dot)
  return mintOpaque(secret, id) === token ? id : undefined
}
