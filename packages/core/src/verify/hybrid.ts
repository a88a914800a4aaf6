import type { AuthInfo } from '../auth-info.js'
import type { InvalidationResult } from '../cache/invalidation.js'
import type { TokenVerifier, VerifyCallOptions } from '../verifier.js'
import { isVerifier, NOTHING, type Revocable } from './composite.js'
import { isJwtShaped } from './token-shape.js'

/** Options of {@link createHybridVerifier}. */
export interface HybridVerifierOptions {
  /** Verifies JWT-shaped tokens locally, e.g. `createJwtVerifier({...})`. Required. */
  jwt: TokenVerifier
  /** Verifies every other (opaque) token, e.g. `createIntrospectionVerifier({...})`. Required. */
  introspection: TokenVerifier
  /**
   * Also introspect JWTs that passed local verification, so that revoked JWTs are refused (Hydra
   * introspects its JWT access tokens too). The introspection verifier's cache applies, so a given
   * JWT reaches Hydra at most once per cache TTL. A JWT that fails locally is never introspected.
   * When introspection is unavailable, such a JWT is refused with 503 (fail closed). Default
   * `false`.
   */
  introspectJwts?: boolean | undefined
  /** `realm` of the challenges built for this verifier. Default: the `jwt` verifier's `realm`. */
  realm?: string | undefined
}

/** A {@link TokenVerifier} that picks local JWT verification or introspection per token. */
export interface HybridVerifier extends TokenVerifier {
  readonly realm: string
  /**
   * Verifies `token`: JWT-shaped tokens (three base64url segments whose header is a JSON object with
   * `alg`) with the `jwt` verifier, opaque ones (`ory_at_…` and anything else) with the
   * `introspection` verifier. With `introspectJwts`, a locally valid JWT must also be active at
   * the introspection endpoint; the JWT's own profile (`source: 'jwt'`) is returned.
   */
  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo>
  /**
   * Settles a JWT-shaped token synchronously when the `jwt` verifier can (a cached result, or keys
   * already loaded) and no introspection is needed, and an opaque one when the `introspection`
   * verifier can (a cached answer in the memory store); `undefined` means "call {@link verify}".
   * The adapters use it to answer without a promise.
   */
  verifyNow(token: string): AuthInfo | undefined
  /**
   * Passes on to the introspection verifier's `revoke(token)` (see `createIntrospectionVerifier`):
   * the token's cached answer is dropped everywhere and it is held inactive. Refuses a revoked JWT
   * only with `introspectJwts: true` — local verification alone cannot see revocation.
   */
  revoke(token: string): Promise<InvalidationResult>
  /** Passes on to the introspection verifier's `invalidate(subject?)`. */
  invalidate(subject?: string): Promise<InvalidationResult>
  /**
   * Runs the inner verifiers' `check()` (JWKS and introspection) in turn; rejects with the first
   * failure. An inner verifier without `check()` is skipped.
   */
  check(): Promise<void>
  /** Closes both inner verifiers. Idempotent. */
  close(): Promise<void>
}

/**
 * Combines a local JWT verifier and an introspection verifier. Options are validated now; a bad one
 * throws a TypeError naming it.
 *
 * @example
 * ```ts
 * const verifier = createHybridVerifier({
 *   jwt: createJwtVerifier({ issuer: 'https://auth.example/', jwksUri: 'https://auth.example/.well-known/jwks.json' }),
 *   introspection: createIntrospectionVerifier({ adminUrl: 'http://hydra:4445' }),
 * })
 * ```
 */
export function createHybridVerifier(options: HybridVerifierOptions): HybridVerifier {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('options must be an object')
  }
  const { jwt, introspection } = options
  if (!isVerifier(jwt)) throw new TypeError('jwt must be a TokenVerifier (an object with verify())')
  if (!isVerifier(introspection)) {
    throw new TypeError('introspection must be a TokenVerifier (an object with verify())')
  }
  if (jwt === introspection) throw new TypeError('jwt and introspection must be different verifiers')
  const introspectJwts = options.introspectJwts ?? false
  if (typeof introspectJwts !== 'boolean') throw new TypeError('introspectJwts must be a boolean')
  const realm = options.realm ?? jwt.realm
  if (typeof realm !== 'string' || realm === '') throw new TypeError('realm must be a non-empty string')

  let closed: Promise<void> | undefined

  return {
    realm,
    async verify(token, callOptions) {
      if (!isJwtShaped(token)) return introspection.verify(token, callOptions)
      const info = await jwt.verify(token, callOptions)
      if (introspectJwts) await introspection.verify(token, callOptions)
      return info
    },
    verifyNow(token) {
      if (!isJwtShaped(token)) return introspection.verifyNow?.(token)
      if (introspectJwts || jwt.verifyNow === undefined) return undefined
      return jwt.verifyNow(token)
    },
    async check() {
      await jwt.check?.()
      await introspection.check?.()
    },
    revoke(token) {
      const r = (introspection as Revocable).revoke
      return r === undefined ? Promise.resolve(NOTHING) : r.call(introspection, token)
    },
    invalidate(subject) {
      const i = (introspection as Revocable).invalidate
      return i === undefined ? Promise.resolve(NOTHING) : i.call(introspection, subject)
    },
    close() {
      closed ??= Promise.all([jwt.close?.(), introspection.close?.()]).then(() => undefined)
      return closed
    },
  }
}
