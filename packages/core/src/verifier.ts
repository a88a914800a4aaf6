import type { AuthInfo } from './auth-info.js'

/** Per-call options for {@link TokenVerifier.verify}. */
export interface VerifyCallOptions {
  /** Aborts outbound work for this call (e.g. when the client disconnected). */
  signal?: AbortSignal | undefined
}

/**
 * Anything that turns a bearer token into an {@link AuthInfo} or throws a
 * {@link HydrakitError}. Implemented by the JWT, introspection and
 * hybrid verifiers; adapters accept any object of this shape.
 */
export interface TokenVerifier {
  /** Realm used in `WWW-Authenticate` challenges. */
  readonly realm: string
  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo>
  /**
   * Optional synchronous fast path: returns what {@link verify} would resolve to, throws what it
   * would reject with, or returns `undefined` when only `verify` can tell (it has to wait for keys,
   * a cache or the network). Guards call it first, so a request it settles costs no promise. The
   * JWT, introspection and hybrid verifiers implement it; a verifier without it is always awaited.
   */
  verifyNow?(token: string): AuthInfo | undefined
  /**
   * Readiness probe: calls each upstream the verifier depends on once and rejects with an error
   * that says what is wrong (see `VerifierNotReadyError`). Optional for custom verifiers.
   */
  check?(): Promise<void>
  /** Releases timers and connection pools. Idempotent. */
  close?(): Promise<void>
}
