import { createHash, randomBytes } from 'node:crypto'

/** RFC 7636 §4.1: `code_verifier = 43*128unreserved`, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

/** A PKCE pair for the authorization code flow (RFC 7636). */
export interface PkcePair {
  /** Keep it secret (server session); send it to the token endpoint as `code_verifier`. */
  codeVerifier: string
  /** Send it to the authorize endpoint as `code_challenge`. */
  codeChallenge: string
  codeChallengeMethod: 'S256'
}

/**
 * A fresh random PKCE `code_verifier` of `length` characters (43-128, default 64) drawn from the
 * base64url alphabet (a subset of RFC 7636's unreserved characters), from `node:crypto`.
 */
export function generateCodeVerifier(length = 64): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) {
    throw new TypeError('length must be an integer from 43 to 128')
  }
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length)
}

/** The S256 `code_challenge` of a verifier: BASE64URL(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export function computeCodeChallenge(codeVerifier: string): string {
  if (typeof codeVerifier !== 'string' || !VERIFIER.test(codeVerifier)) {
    throw new TypeError('codeVerifier must be 43-128 characters of [A-Za-z0-9-._~]')
  }
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url')
}

/** A new verifier and its S256 challenge. */
export function createPkcePair(length = 64): PkcePair {
  const codeVerifier = generateCodeVerifier(length)
  return { codeVerifier, codeChallenge: computeCodeChallenge(codeVerifier), codeChallengeMethod: 'S256' }
}

/**
 * A random OAuth 2.0 `state` value: `bytes` random bytes (default 32, at least 16) as base64url.
 * Hydra refuses a `state` shorter than 8 characters; this is always 22 or more.
 */
export function generateState(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 512)
    throw new TypeError('bytes must be an integer from 16 to 512')
  return randomBytes(bytes).toString('base64url')
}

/** A random OpenID Connect `nonce` (same format as {@link generateState}). */
export function generateNonce(bytes = 32): string {
  return generateState(bytes)
}
