import type { AuthInfo } from '../auth-info.js'
import { MissingTokenError } from '../errors/errors.js'
import { createTokenExtractor, type RequestLike, type TokenExtractionOptions } from '../token/extract.js'
import type { TokenVerifier } from '../verifier.js'

/** Options of {@link createRequestAuthenticator}. */
export interface RequestAuthenticatorOptions {
  /** The verifier every extracted token goes to. Required. */
  verifier: TokenVerifier
  /** Where the token may come from. Default: the `Authorization: Bearer` header only. */
  token?: TokenExtractionOptions | undefined
}

/**
 * Authenticates one request: extract the token, verify it. Gives the {@link AuthInfo}, or
 * `undefined` when `optional` and no token was sent; refuses with a HydrakitError otherwise (an
 * invalid token is refused even when `optional`: a bad token is never treated as anonymous).
 *
 * It answers without a promise when it can: a missing or malformed token, and a token the verifier
 * settles at once through {@link TokenVerifier.verifyNow}, are decided synchronously (a refusal is
 * thrown); everything else returns the promise of {@link TokenVerifier.verify}.
 */
export type RequestAuthenticator = (
  req: RequestLike,
  optional: boolean,
) => AuthInfo | undefined | Promise<AuthInfo | undefined>

/** Builds a {@link RequestAuthenticator}, validating the options now. */
export function createRequestAuthenticator(options: RequestAuthenticatorOptions): RequestAuthenticator {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const verifier = options.verifier
  if (verifier === null || typeof verifier !== 'object' || typeof verifier.verify !== 'function') {
    throw new TypeError('verifier must be a TokenVerifier (an object with a verify(token) method)')
  }
  if (verifier.verifyNow !== undefined && typeof verifier.verifyNow !== 'function') {
    throw new TypeError('verifier.verifyNow must be a function when present')
  }
  const extract = createTokenExtractor(options.token ?? {}, 'token')
  const realm = verifier.realm
  return (req, optional) => {
    const token = extract(req, realm)
    if (token === undefined) {
      if (optional) return undefined
      throw new MissingTokenError({ realm })
    }
    return verifier.verifyNow?.(token) ?? verifier.verify(token)
  }
}

/**
 * A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers never attach
 * credentials to it, so it must pass without a token (the CORS middleware answers it).
 */
export function isCorsPreflight(req: Pick<RequestLike, 'method' | 'headers'>): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
}
