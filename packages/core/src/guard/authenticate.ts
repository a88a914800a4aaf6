import type { AuthInfo } from '../auth-info.js'
import { MissingTokenError } from '../errors/errors.js'
import { createTokenExtractor, type RequestLike, type TokenExtractionOptions } from '../token/extract.js'
import type { TokenVerifier } from '../verifier.js'

/** Options of {@link createRequestAuthenticator}. */
export interface RequestAuthenticatorOptions {
  verifier: TokenVerifier
  /** Where the token may come from. Default: the `Authorization: Bearer` header only. */
  token?: TokenExtractionOptions | undefined
}

/**
 * Authenticates one request: extract the token, verify it. Resolves to the {@link AuthInfo}, or to
 * `undefined` when `optional` and no token was sent. Rejects with a HydrakitError otherwise — an
 * invalid token is rejected even when `optional` (a bad token is never treated as anonymous).
 */
export type RequestAuthenticator = (req: RequestLike, optional: boolean) => Promise<AuthInfo | undefined>

/** Builds a {@link RequestAuthenticator}, validating the options now. */
export function createRequestAuthenticator(options: RequestAuthenticatorOptions): RequestAuthenticator {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const verifier = options.verifier
  if (verifier === null || typeof verifier !== 'object' || typeof verifier.verify !== 'function') {
    throw new TypeError('verifier must be a TokenVerifier (an object with a verify(token) method)')
  }
  const extract = createTokenExtractor(options.token ?? {}, 'token')
  const realm = verifier.realm
  return (req, optional) => {
    let token: string | undefined
    try {
      token = extract(req, realm)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    if (token === undefined) {
      return optional ? Promise.resolve(undefined) : Promise.reject(new MissingTokenError({ realm }))
    }
    return verifier.verify(token)
  }
}

/**
 * A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers never attach
 * credentials to it, so it must pass without a token (the CORS middleware answers it).
 */
export function isCorsPreflight(req: RequestLike): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
}
