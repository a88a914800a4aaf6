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

/**
 * A verifier that can settle some tokens synchronously: `verifyNow(token)` returns what
 * {@link TokenVerifier.verify} would resolve to, throws what it would reject with, or returns
 * `undefined` when only `verify` can tell (it has to wait for something). The JWT verifier is one
 * (see `JwtVerifier.verifyNow`): with its keys at hand it never needs to wait.
 */
export interface SyncTokenVerifier extends TokenVerifier {
  verifyNow(token: string): AuthInfo | undefined
}

/** True when `verifier` implements {@link SyncTokenVerifier}. */
export function isSyncTokenVerifier(verifier: TokenVerifier): verifier is SyncTokenVerifier {
  return typeof (verifier as Partial<SyncTokenVerifier>).verifyNow === 'function'
}

/**
 * Like a {@link RequestAuthenticator}, but answers without a promise when it can: a missing or
 * malformed token, and a token a {@link SyncTokenVerifier} settles at once, are decided
 * synchronously (a refusal is thrown); everything else returns the promise the authenticator would.
 */
export type EagerRequestAuthenticator = (
  req: RequestLike,
  optional: boolean,
) => AuthInfo | undefined | Promise<AuthInfo | undefined>

// The eager twin of every authenticator built here, found by createGuard.
const eagerTwins = new WeakMap<RequestAuthenticator, EagerRequestAuthenticator>()

/**
 * The synchronous-when-possible variant of an authenticator made by
 * {@link createRequestAuthenticator}; `undefined` for any other function.
 */
export function eagerAuthenticatorOf(
  authenticate: RequestAuthenticator,
): EagerRequestAuthenticator | undefined {
  return eagerTwins.get(authenticate)
}

/** Builds a {@link RequestAuthenticator}, validating the options now. */
export function createRequestAuthenticator(options: RequestAuthenticatorOptions): RequestAuthenticator {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const verifier = options.verifier
  if (verifier === null || typeof verifier !== 'object' || typeof verifier.verify !== 'function') {
    throw new TypeError('verifier must be a TokenVerifier (an object with a verify(token) method)')
  }
  const extract = createTokenExtractor(options.token ?? {}, 'token')
  const realm = verifier.realm
  const authenticate: RequestAuthenticator = (req, optional) => {
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
  const sync = isSyncTokenVerifier(verifier) ? verifier : undefined
  eagerTwins.set(authenticate, (req, optional) => {
    const token = extract(req, realm)
    if (token === undefined) {
      if (optional) return undefined
      throw new MissingTokenError({ realm })
    }
    return sync?.verifyNow(token) ?? verifier.verify(token)
  })
  return authenticate
}

/**
 * A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers never attach
 * credentials to it, so it must pass without a token (the CORS middleware answers it).
 */
export function isCorsPreflight(req: RequestLike): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
}
